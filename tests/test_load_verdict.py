"""The rules ``make load`` fails on, checked on recorded figures (no server, no Locust)."""

import pytest

from loadtest.verdict import DEFAULT_MAX_P95_MS, Run, failures, lost_saves, max_p95_ms

#: A clean run as CI records it: many requests, saves checked, a p95 under the budget.
CLEAN = Run(failed_requests=0, checked=212, p95_ms=180)


def test_a_clean_run_passes():
    assert failures(CLEAN, DEFAULT_MAX_P95_MS) == []


def test_the_p95_budget_is_500_ms_unless_set_and_0_turns_it_off():
    assert max_p95_ms({}) == 500
    assert max_p95_ms({"LOAD_MAX_P95_MS": ""}) == 500
    assert max_p95_ms({"LOAD_MAX_P95_MS": "800"}) == 800
    assert max_p95_ms({"LOAD_MAX_P95_MS": "0"}) == 0
    slow = Run(checked=212, p95_ms=620)
    assert failures(slow, max_p95_ms({})) == ["p95 620 ms over the budget of 500 ms"]
    assert failures(slow, max_p95_ms({"LOAD_MAX_P95_MS": "0"})) == []
    assert failures(Run(checked=212, p95_ms=500), 500) == []  # at the budget is within it


@pytest.mark.parametrize(
    ("run", "reason"),
    [
        (Run(failed_requests=1, checked=212, p95_ms=180), "1 errors"),
        (Run(start_failures=["load-coordinator-3 could not sign in"], checked=212), "1 errors"),
        (
            Run(failed_requests=2, refusals=["roll 4: conflict", "roll 9: conflict"], checked=212),
            "2 refused saves",
        ),
        (Run(checked=212, lost=["/attendance/groups/4/roll 2026-11-27"]), "1 confirmed saves lost"),
        (Run(checked=0), "no confirmed save to check: the run saved nothing"),
    ],
)
def test_any_error_refusal_or_lost_save_fails_the_run(run, reason):
    assert failures(run, DEFAULT_MAX_P95_MS) == [reason]


def test_a_refused_save_is_not_counted_again_as_an_error():
    run = Run(failed_requests=3, refusals=["a", "b"], checked=10)
    assert run.errors == 1
    assert failures(run, 500) == ["1 errors", "2 refused saves"]


def test_lost_saves_are_the_confirmed_saves_the_server_no_longer_shows():
    marks = {"child-1": "present", "note": "save 7"}
    other = {"child-1": "absent", "note": "save 8"}
    confirmed = {("/r/1", "d1"): marks, ("/r/2", "d1"): marks, ("/r/3", "d1"): marks}
    # Roll 2 shows a save that was sent but not answered when the test stopped: stored anyway.
    in_flight = {("/r/2", "d1"): other}
    shown = {("/r/1", "d1"): marks, ("/r/2", "d1"): other, ("/r/3", "d1"): other}
    assert lost_saves(confirmed, in_flight, shown) == ([("/r/3", "d1")], 1)
    assert lost_saves(confirmed, {}, dict.fromkeys(confirmed, marks)) == ([], 0)
