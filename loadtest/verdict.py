"""Whether a load test run passed: the rules ``make load`` fails on, apart from Locust.

Kept free of Locust (which patches the standard library when imported) so that the tests can
check the rules on recorded figures: ``tests/test_load_verdict.py``.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

#: The p95 budget over all requests, in ms, unless LOAD_MAX_P95_MS says otherwise (0: not enforced).
DEFAULT_MAX_P95_MS = 500.0


def max_p95_ms(environ: Mapping[str, str]) -> float:
    value = environ.get("LOAD_MAX_P95_MS", "").strip()
    return float(value) if value else DEFAULT_MAX_P95_MS


@dataclass
class Run:
    """What a run recorded: failed requests (refused saves among them), people who could not
    start, saves checked afterwards and those lost, and the p95 over all requests."""

    failed_requests: int = 0
    refusals: list[str] = field(default_factory=list)
    start_failures: list[str] = field(default_factory=list)
    checked: int = 0
    lost: list[str] = field(default_factory=list)
    p95_ms: float = 0.0

    @property
    def errors(self) -> int:
        """Failed requests that were not refused saves, and people who could not start."""
        return self.failed_requests - len(self.refusals) + len(self.start_failures)


def failures(run: Run, max_p95: float) -> list[str]:
    """Why the run failed; empty when it passed."""
    reasons = []
    if run.errors > 0:
        reasons.append(f"{run.errors} errors")
    if run.refusals:
        reasons.append(f"{len(run.refusals)} refused saves")
    if run.lost:
        reasons.append(f"{len(run.lost)} confirmed saves lost")
    if run.checked == 0:
        reasons.append("no confirmed save to check: the run saved nothing")
    if max_p95 and run.p95_ms > max_p95:
        reasons.append(f"p95 {run.p95_ms:g} ms over the budget of {max_p95:g} ms")
    return reasons


def lost_saves(
    confirmed: Mapping[tuple, dict], in_flight: Mapping[tuple, dict], shown: Mapping[tuple, dict]
) -> tuple[list[tuple], int]:
    """The confirmed saves the server no longer shows, and how many unconfirmed ones it shows.

    ``confirmed`` is what the last confirmed save of each roll sent, ``in_flight`` a save sent but
    not answered when the test stopped, ``shown`` what each roll shows afterwards.
    """
    lost, unconfirmed_in = [], 0
    for key, sent in sorted(confirmed.items()):
        if shown.get(key) == sent:
            continue
        if key in in_flight and in_flight[key] == shown.get(key):
            unconfirmed_in += 1  # a save cut off by the end of the test, stored all the same
            continue
        lost.append(key)
    return lost, unconfirmed_in
