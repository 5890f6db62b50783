"""``make bench``: build (or reuse) the county database, time the pages, print the table.

    python -m benchmarks [--rebuild] [--requests N] [--only PAGE[,PAGE]] [--build-only]

``DATABASE_URL`` chooses the database (default: SQLite in instance/bench/county.sqlite). The exit
status is 1 when a target is missed, 2 when the county cannot be built.
"""

import argparse
import logging
import os
import platform
import sys
import time
from pathlib import Path

from benchmarks.county import CountySpec


def _arguments(argv):
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--rebuild", action="store_true", help="build the county even if cached")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page (30)")
    parser.add_argument("--only", default="", help="comma-separated page keys to time")
    parser.add_argument("--build-only", action="store_true", help="build or check, time nothing")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = _arguments(argv)
    os.environ.setdefault("DAYCENTRE_ENV", "development")
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    from daycentre import create_app
    from daycentre.core.config import Config

    instance = Path(Config.INSTANCE_PATH)
    if os.environ.get("DATABASE_URL"):
        url = Config.SQLALCHEMY_DATABASE_URI
    else:
        from benchmarks.database import default_sqlite_url

        url = default_sqlite_url(instance)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            # As a production server process does (ProductionConfig).
            "FREEZE_STARTUP_OBJECTS": True,
        }
    )

    def say(*parts, **options):
        print(*parts, **options, file=sys.stderr)

    from benchmarks.database import prepare

    spec = CountySpec()
    try:
        manifest = prepare(app, spec, rebuild=args.rebuild, say=say)
    except Exception as error:  # the table cannot be made without a database
        say(f"the county could not be built: {error!r}")
        raise
    rows = manifest["rows"]
    database = app.config["SQLALCHEMY_DATABASE_URI"].split(":", 1)[0]
    print(
        f"county on {database}: {rows.get('centres', 0)} centres, {rows.get('groups', 0)} groups, "
        f"{rows.get('enrolments', 0)} enrolments, {rows.get('attendances', 0):,} marks, "
        f"{rows.get('meals_served', 0):,} meals, {rows.get('counselling_sessions', 0):,} "
        f"counselling sessions, {rows.get('audit_entries', 0):,} audit entries; "
        f"roll-calls {manifest['first_day']} to {manifest['last_day']}; "
        f"built in {manifest['seconds']} s"
    )
    if args.build_only:
        return 0
    from benchmarks.harness import Bench, table

    bench = Bench(app, manifest, requests=max(args.requests, 1), say=say)
    only = {key.strip() for key in args.only.split(",") if key.strip()} or None
    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    results, extra = bench.run(only)
    lines, met, total = table(results, extra)
    print(
        f"{args.requests} requests per page after 2 warm-ups, in-process; times in ms; "
        f"Python {platform.python_version()}, {os.cpu_count()} cores; "
        f"{time.perf_counter() - started:.0f} s of timing; load average before "
        f"{load_before:.1f}, after {os.getloadavg()[0]:.1f}"
    )
    print("\n".join(lines))
    print(f"targets met: {met} of {total}")
    return 0 if met == total else 1


if __name__ == "__main__":
    sys.exit(main())
