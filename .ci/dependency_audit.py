"""Read pip-audit's JSON report: fail on a known vulnerability that has a fixed release.

A vulnerability without a fix is listed but does not fail the run (nothing to upgrade to).
Dependencies the service could not look up are counted and named, so a run that audited
nothing says so instead of passing silently.
"""

import json
import sys


def main(path: str) -> int:
    with open(path) as stream:
        report = json.load(stream)
    dependencies = report.get("dependencies", [])
    skipped = [d for d in dependencies if "skip_reason" in d]
    audited = [d for d in dependencies if "skip_reason" not in d]
    fixable, unfixed = [], []
    for dependency in audited:
        for vulnerability in dependency.get("vulns", []):
            line = (
                f"{dependency['name']} {dependency['version']}: {vulnerability['id']}"
                f" (fixed in {', '.join(vulnerability['fix_versions']) or 'no release yet'})"
            )
            (fixable if vulnerability.get("fix_versions") else unfixed).append(line)
    print(f"dependencies audited: {len(audited)}, not found by the service: {len(skipped)}")
    for line in unfixed:
        print(f"  known, no fix yet: {line}")
    for line in fixable:
        print(f"  VULNERABLE, upgrade: {line}")
    if skipped and not audited:
        print("WARNING: the vulnerability service answered for no dependency; nothing was audited")
    return 1 if fixable else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
