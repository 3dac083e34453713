"""SWF's limits on one decision response."""

from __future__ import annotations

from simpleflow.engine import _decisions as d
from simpleflow.engine._batch import REQUEST_SIZE_BUDGET, decision_batch


def schedule(i, input="{}"):
    return d.schedule_activity(f"a-{i}", "act", "1", input, "tl")


def test_at_most_99_decisions_then_a_wake_up_is_owed():
    out, complete = decision_batch([schedule(i) for i in range(150)], 0, 1000, 100)
    assert len(out) == 99 and not complete


def test_open_activity_limit_stops_scheduling_without_a_wake_up():
    out, complete = decision_batch([schedule(i) for i in range(10)], 995, 1000, 100)
    assert len(out) == 5 and complete


def test_other_decisions_do_not_count_against_the_open_activity_limit():
    owed = [schedule(0), d.start_timer("t", 5), d.record_marker("m", None)]
    out, complete = decision_batch(owed, 999, 1000, 100)
    assert [x["decisionType"] for x in out] == ["ScheduleActivityTask", "StartTimer", "RecordMarker"] and complete


def test_requests_stay_under_the_size_budget():
    big = "x" * 30000
    owed = [schedule(i, big) for i in range(40)]
    out, complete = decision_batch(owed, 0, 1000, 100)
    assert not complete
    assert sum(len(x["scheduleActivityTaskDecisionAttributes"]["input"]) for x in out) <= REQUEST_SIZE_BUDGET
    assert len(out) == REQUEST_SIZE_BUDGET // (30000 + 1024)
