"""Schedules on the local host's virtual clock: a month of a daily schedule, overlaps, catch-up, signals, restarts."""

from __future__ import annotations

import datetime
import json
import time
from pathlib import Path

import pytest
from croniter import croniter

from simpleflow import schedule
from simpleflow.constants import WAKE_UP_TIMER
from simpleflow.engine import replay
from simpleflow.local import LocalExecution

SPECS = Path(__file__).resolve().parent.parent / "fixtures" / "dag_specs"
DAY = 86400
DAILY = "0 6 * * *"


def _expected_ids(name: str, start: float, count: int, cron: str = DAILY) -> list[str]:
    it = croniter(cron, datetime.datetime.fromtimestamp(start, tz=datetime.timezone.utc))
    return [f"{name}-{it.get_next(datetime.datetime):%Y%m%dT%H%M%SZ}" for _ in range(count)]


def _attrs(event):
    return next(v for k, v in event.items() if k.endswith("EventAttributes"))


def _diamond(name="daily", **options):
    target = schedule.target_of(str(SPECS / "diamond.yaml"), '{"x": 2}')
    return schedule.schedule_input(name, DAILY, target, **options)


def _slow(name, **options):
    return schedule.schedule_input(
        name, DAILY, schedule.target_of("tests.fixtures.dag_activities.SlowWorkflow", "[]"), **options
    )


def test_a_daily_schedule_run_for_30_virtual_days_starts_30_executions_with_ids_from_their_fire_times():
    start = time.time()
    started_at = time.monotonic()
    ids = schedule.run_local(_diamond(), 30 * DAY + 60)
    assert time.monotonic() - started_at < 20  # a month of virtual time, no real waiting
    assert ids == _expected_ids("daily", start, 30)


def test_every_execution_a_schedule_starts_runs_its_target_to_the_end():
    execution = LocalExecution(schedule.ScheduleWorkflow, _diamond(), workflow_id="schedule-daily", cancel_at=3 * DAY)
    events = execution.execute().events
    children = [m for m in execution.family.members if m.workflow_id.startswith("daily-")]
    assert len(children) == 3
    assert [c.closed.result for c in children] == [{"a": 3, "d": 10}] * 3
    # of the spec's workflow type, as dag.start starts a spec (not DagWorkflow's class path)
    types = [_attrs(e)["workflowType"] for e in events if e["eventType"] == "StartChildWorkflowExecutionInitiated"]
    assert types == [{"name": "test-diamond", "version": "1"}] * 3


def test_overlap_skip_starts_nothing_while_the_previous_execution_is_open_and_allow_does():
    start = time.time()
    skipped = schedule.run_local(_slow("slow", overlap="skip"), 30 * DAY + 60)
    every_day = _expected_ids("slow", start, 30)
    assert skipped == every_day[::2]  # a 36-hour run keeps the next day's fire from starting
    allowed = schedule.run_local(_slow("slow", overlap="allow"), 30 * DAY + 60)
    assert allowed == _expected_ids("slow", start, 30)


def test_the_schedule_continues_as_new_every_few_fires_and_carries_on_without_a_gap_or_a_duplicate():
    start = time.time()
    execution = LocalExecution(
        schedule.ScheduleWorkflow, _diamond(fires_per_run=7), workflow_id="schedule-daily", cancel_at=30 * DAY + 60
    )
    result = execution.execute()
    runs, ids = [], []
    while result is not None:
        runs.insert(0, result)
        result = result.previous
    for run in runs:
        ids += [_attrs(e)["workflowId"] for e in run.events if e["eventType"] == "StartChildWorkflowExecutionInitiated"]
    assert ids == _expected_ids("daily", start, 30)
    assert [r.status for r in runs] == ["continued_as_new"] * 4 + ["canceled"]


def test_a_decider_restarted_at_any_decision_starts_no_fire_time_twice():
    execution = LocalExecution(schedule.ScheduleWorkflow, _diamond(), workflow_id="schedule-daily", cancel_at=10 * DAY)
    events = execution.execute().events
    checked = 0
    for end, event in enumerate(events):
        if event["eventType"] != "DecisionTaskStarted":
            continue
        initiated = {
            _attrs(e)["workflowId"] for e in events[:end] if e["eventType"] == "StartChildWorkflowExecutionInitiated"
        }
        # A fresh decider: the whole history so far, replayed from the start.
        decisions = replay(schedule.ScheduleWorkflow, events[: end + 1])
        starts = [
            d["startChildWorkflowExecutionDecisionAttributes"]["workflowId"]
            for d in decisions
            if d["decisionType"] == "StartChildWorkflowExecution"
        ]
        assert not initiated & set(starts), f"decision {event['eventId']} would start {starts} again"
        recorded = [
            _attrs(e)["workflowId"] for e in events[end:] if e["eventType"] == "StartChildWorkflowExecutionInitiated"
        ]
        assert starts == recorded[: len(starts)]
        checked += 1
    assert checked > 20


def test_pause_skips_fire_times_until_resume_and_trigger_starts_one_run_now():
    start = time.time()
    signals = [(4.5 * DAY, "pause", None), (9.5 * DAY, "resume", None), (12.2 * DAY, "trigger", {"at": 1.5e9})]
    ids = schedule.run_local(_diamond(), 15 * DAY + 60, signals=signals)
    every_day = _expected_ids("daily", start, 15)
    paused = [i for i, fire in enumerate(every_day) if 4.5 * DAY < _offset(fire, start) < 9.5 * DAY]
    assert len(paused) == 5
    manual = f"daily-manual-{datetime.datetime.fromtimestamp(1.5e9, tz=datetime.timezone.utc):%Y%m%dT%H%M%SZ}"
    expected = [fire for i, fire in enumerate(every_day) if i not in paused]
    assert sorted(ids) == sorted([*expected, manual])
    assert ids.index(manual) == sum(_offset(f, start) < 12.2 * DAY for f in expected)


def test_a_trigger_starts_a_run_even_while_the_schedule_is_paused():
    """As docs/schedules.md says: pause stops the fire times only; a trigger is a run asked for now."""
    start = time.time()
    ids = schedule.run_local(_diamond(), 4 * DAY, signals=[(0.5 * DAY, "pause", None), (2.2 * DAY, "trigger", None)])
    manual = [i for i in ids if "-manual-" in i]
    assert len(manual) == 1 and all(_offset(i, start) < 0.5 * DAY for i in ids if i not in manual), ids


def _offset(workflow_id: str, start: float) -> float:
    at = datetime.datetime.strptime(workflow_id.rpartition("-")[2], "%Y%m%dT%H%M%SZ")
    return at.replace(tzinfo=datetime.timezone.utc).timestamp() - start


def test_catch_up_after_an_outage_runs_none_the_last_or_all_of_the_missed_fires():
    start = time.time()
    missed = [i for i in _expected_ids("late", start - 3.5 * DAY, 5) if _offset(i, start) < 0]
    assert len(missed) in (3, 4)  # (depends on the time of day)
    outage = {"last_fire": start - 3.5 * DAY}
    next_fires = _expected_ids("late", start, 2)
    for catch_up, expected in [("none", []), ("last", missed[-1:]), ("all", missed)]:
        # overlap allowed: the missed runs all start at once
        payload = _diamond("late", catch_up=catch_up, state=dict(outage), overlap="allow")
        assert schedule.run_local(payload, 2 * DAY - 1)[: len(expected) + 1] == [*expected, next_fires[0]]


def test_workflow_now_is_the_decision_tasks_start_and_the_same_on_every_replay():
    from tests.fixtures.dag_activities import ClockWorkflow

    result = LocalExecution(ClockWorkflow, {}).execute()
    before, after, zone = result.result
    assert zone == "UTC"
    assert 3600 <= after - before < 3601
    started = [e["eventTimestamp"] for e in result.events if e["eventType"] == "DecisionTaskStarted"]
    assert abs(before - started[0]) < 1e-5 and abs(after - started[1]) < 1e-5  # (datetimes hold microseconds)
    # A decider replaying from the start reads the recorded instants and takes the recorded decisions.
    last_start = max(i for i, e in enumerate(result.events) if e["eventType"] == "DecisionTaskStarted")
    decisions = replay(ClockWorkflow, result.events[: last_start + 1])
    recorded = result.events[last_start + 2 :]
    assert [d["decisionType"] for d in decisions] == ["RecordMarker", "CompleteWorkflowExecution"]
    assert [e["eventType"] for e in recorded] == ["MarkerRecorded", "WorkflowExecutionCompleted"]
    assert decisions[0]["recordMarkerDecisionAttributes"]["details"] == _attrs(recorded[0])["details"]
    assert json.loads(decisions[1]["completeWorkflowExecutionDecisionAttributes"]["result"]) == result.result
    # and a replay of the first decision alone reads the same first instant as the whole run did
    first = replay(ClockWorkflow, result.events[:3])
    assert first[0]["recordMarkerDecisionAttributes"]["details"] == _attrs(result.events[4])["details"]


def _peak_open_timers(events) -> int:
    """The most fire timers open at once (the engine's own zero-second wake-up timer, after a capped decision
    batch, is not the schedule's: it fires at once)."""
    open_timers: set[str] = set()
    peak = 0
    for event in events:
        if event["eventType"] == "TimerStarted" and _attrs(event)["timerId"] != WAKE_UP_TIMER:
            open_timers.add(_attrs(event)["timerId"])
        elif event["eventType"] in ("TimerFired", "TimerCanceled"):
            open_timers.discard(_attrs(event)["timerId"])
        peak = max(peak, len(open_timers))
    return peak


def test_pause_resume_and_trigger_signals_keep_one_fire_timer_open_and_the_history_bounded():
    # A signal every 20 virtual minutes for 3 days: pause, resume, trigger, over and over.
    kinds = ("pause", "resume", "trigger")
    signals = [(600 + 1200 * i, kinds[i % 3], None) for i in range(216)]
    budget = 150
    payload = _diamond(events_per_run=budget)
    result = LocalExecution(
        schedule.ScheduleWorkflow, payload, workflow_id="schedule-daily", signals=signals, cancel_at=3 * DAY
    ).execute()
    runs = []
    while result is not None:
        runs.insert(0, result)
        result = result.previous
    assert len(runs) > 3  # triggers and pause/resume alone made it continue as new
    for run in runs:
        assert _peak_open_timers(run.events) == 1
        assert len(run.events) <= budget + 20  # the budget, and the turn that spent it
    ids = [
        _attrs(e)["workflowId"]
        for run in runs
        for e in run.events
        if e["eventType"] == "StartChildWorkflowExecutionInitiated"
    ]
    assert len(ids) == len(set(ids))
    assert sum("-manual-" in i for i in ids) == 72  # every trigger started its run (each closed before the next)
    handled = sum(e["eventType"] == "WorkflowExecutionSignaled" for run in runs for e in run.events)
    assert handled == len(signals)
    # A fresh decider replaying the history at any decision takes the timer decisions that were taken.
    events = runs[1].events
    checked = 0
    for end, event in enumerate(events[:-1]):
        if event["eventType"] != "DecisionTaskStarted" or events[end + 1]["eventType"] != "DecisionTaskCompleted":
            continue
        completed = events[end + 1]["eventId"]
        recorded = [
            (_TIMER_DECISIONS[e["eventType"]], _attrs(e)["timerId"])
            for e in events
            if e["eventType"] in _TIMER_DECISIONS and _attrs(e).get("decisionTaskCompletedEventId") == completed
        ]
        decided = [
            (d["decisionType"], next(v for k, v in d.items() if k.endswith("DecisionAttributes"))["timerId"])
            for d in replay(schedule.ScheduleWorkflow, events[: end + 1])
            if d["decisionType"] in _TIMER_DECISIONS.values()
        ]
        assert decided == recorded, f"decision {event['eventId']}"
        checked += 1
    assert checked > 20


_TIMER_DECISIONS = {"TimerStarted": "StartTimer", "TimerCanceled": "CancelTimer"}


def test_a_trigger_while_the_previous_run_is_open_is_dropped_under_overlap_skip_with_a_marker_saying_so():
    signals = [(3600, "trigger", {"at": 1.5e9}), (7200, "trigger", {"at": 1.5e9 + 60})]
    paused = {"paused": True}  # (no daily fire in these 3 hours, whatever the time of day: triggers only)
    result = LocalExecution(
        schedule.ScheduleWorkflow,
        _slow("slow", state=paused),
        workflow_id="schedule-slow",
        signals=signals,
        cancel_at=3 * 3600,
    ).execute()
    started = [
        _attrs(e)["workflowId"] for e in result.events if e["eventType"] == "StartChildWorkflowExecutionInitiated"
    ]
    assert started == ["slow-manual-20170714T024000Z"]  # a 36-hour run: still open at the second trigger
    skipped = [_attrs(e) for e in result.events if e["eventType"] == "MarkerRecorded"]
    skipped = [json.loads(a["details"]) for a in skipped if a["markerName"] == "simpleflow.schedule.trigger-skipped"]
    assert skipped == [{"workflow_id": "slow-manual-20170714T024100Z", "open": ["slow-manual-20170714T024000Z"]}]
    allowed = schedule.run_local(_slow("slow", overlap="allow", state=paused), 3 * 3600, signals=signals)
    assert allowed == ["slow-manual-20170714T024000Z", "slow-manual-20170714T024100Z"]


def test_each_run_is_told_as_the_schedule_starts_it_in_the_order_of_the_runs_returned():
    told: list[str] = []
    fires = schedule.run_local_fires(_diamond(fires_per_run=2), 5 * DAY, on_start=told.append)
    assert told == [fire.workflow_id for fire in fires] and len(fires) == 5  # across the runs it continued in


def test_what_on_start_raises_reaches_the_caller_rather_than_failing_the_schedule():
    def closed(workflow_id: str) -> None:  # as printing to a closed pipe does
        raise BrokenPipeError(32, "Broken pipe")

    with pytest.raises(BrokenPipeError):
        schedule.run_local_fires(_diamond(), 3 * DAY, on_start=closed)


def test_a_schedule_resumes_its_run_at_each_decision_rather_than_replaying_its_history():
    # It waits for the first of its fire timer, the next signal and the end of its runs (futures.wait): what
    # woke it is in the history, so the run goes on from where it waited.
    kinds = ("pause", "resume", "trigger")
    signals = [(600 + 7 * 3600 * i, kinds[i % 3], None) for i in range(9)]
    execution = LocalExecution(
        schedule.ScheduleWorkflow, _diamond(), workflow_id="schedule-daily", signals=signals, cancel_at=3 * DAY
    )
    result = execution.execute()
    assert result.status == "canceled" and result.previous is None
    started = [e for e in result.events if e["eventType"] == "StartChildWorkflowExecutionInitiated"]
    assert len(started) >= 4  # the daily fires not paused, and the three triggers
    assert execution.run.fallbacks == 0
