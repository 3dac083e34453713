"""The local host keeps SWF's activity timeouts: start-to-close, schedule-to-close, schedule-to-start and
heartbeat, with SWF's ActivityTaskTimedOut events; a timed-out attempt's late answer is dropped; timers still
take no time."""

from __future__ import annotations

import time

import pytest

from simpleflow.history import attributes
from simpleflow.local import LocalExecution
from simpleflow.local._timeouts import WORKER_HEARTBEAT, Limits, first_due, heartbeat_due
from tests.fixtures import timeout_workflows as tw


def _of_type(events, event_type):
    return [e for e in events if e["eventType"] == event_type]


def _timeout_types(events):
    return [e["activityTaskTimedOutEventAttributes"]["timeoutType"] for e in _of_type(events, "ActivityTaskTimedOut")]


def test_an_attempt_past_its_start_to_close_timeout_times_out_and_its_late_answer_is_dropped(tmp_path):
    began = time.monotonic()
    outcome = LocalExecution(tw.SlowFirstWorkflow, {"args": [str(tmp_path)], "kwargs": {}}).execute()
    took = time.monotonic() - began
    assert outcome.result == "retry answered"
    assert _timeout_types(outcome.events) == ["START_TO_CLOSE"]
    assert took < tw.SLEEP  # the host did not wait for the slow attempt to end
    [completed] = _of_type(outcome.events, "ActivityTaskCompleted")
    timed_out = _of_type(outcome.events, "ActivityTaskTimedOut")[0]
    assert timed_out["eventId"] < completed["eventId"]
    # The first attempt's thread answers later, by itself; its answer reaches no history.
    deadline = time.monotonic() + tw.SLEEP + 2
    while not (tmp_path / "late-answer").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert (tmp_path / "late-answer").exists()
    assert len(_of_type(outcome.events, "ActivityTaskCompleted")) == 1


@pytest.mark.parametrize("workers", [1, 2])
def test_a_silent_activity_times_out_on_its_heartbeat_timeout_and_one_that_beats_does_not(workers):
    outcome = LocalExecution(tw.HeartbeatsWorkflow, {"args": [1.6], "kwargs": {}}, workers=workers).execute()
    assert outcome.result == {"silent": "TimeoutError(HEARTBEAT)", "beating": "kept alive"}
    assert _timeout_types(outcome.events) == ["HEARTBEAT"]


def test_a_task_waiting_for_a_worker_past_its_schedule_to_close_timeout_never_runs(tmp_path):
    path = tmp_path / "queued-ran"
    outcome = LocalExecution(tw.QueuedWorkflow, {"args": [str(path)], "kwargs": {}}).execute()
    assert outcome.result == "TimeoutError(SCHEDULE_TO_CLOSE)"
    assert _timeout_types(outcome.events) == ["SCHEDULE_TO_CLOSE"]
    time.sleep(0.2)
    assert not path.exists()


@pytest.mark.parametrize("workers, result", [(1, "TimeoutError(SCHEDULE_TO_START)"), (2, "ran")])
def test_a_task_waiting_for_a_worker_past_its_schedule_to_start_timeout_never_starts(tmp_path, workers, result):
    path = tmp_path / "waiting-ran"
    began = time.monotonic()
    outcome = LocalExecution(tw.StartsLateWorkflow, {"args": [str(path)], "kwargs": {}}, workers=workers).execute()
    assert outcome.result == [2, result]
    if workers == 2:  # a worker was free for it
        assert _timeout_types(outcome.events) == []
        return
    [timed_out] = [e for e in outcome.events if e["eventType"] == "ActivityTaskTimedOut"]
    # As SWF records it: no ActivityTaskStarted, startedEventId 0, at its 1 s, before the first one's answer. Both
    # tasks are scheduled (5, 6) before the first starts: SWF records the whole decision before a worker's poll.
    assert attributes(timed_out) == {"scheduledEventId": 6, "startedEventId": 0, "timeoutType": "SCHEDULE_TO_START"}
    started = [attributes(e)["scheduledEventId"] for e in _of_type(outcome.events, "ActivityTaskStarted")]
    assert started == [5]
    assert timed_out["eventTimestamp"] - outcome.events[0]["eventTimestamp"] == pytest.approx(1, abs=0.2)
    types = [e["eventType"] for e in outcome.events]
    assert types.index("ActivityTaskTimedOut") < types.index("ActivityTaskCompleted")
    assert time.monotonic() - began < 3
    assert not path.exists()


@pytest.mark.parametrize("workers", [1, 2])
def test_a_week_long_timer_beside_a_real_activity_takes_no_time_and_does_not_time_the_activity_out(workers):
    began = time.monotonic()
    execution = LocalExecution(tw.WeekAndSlowWorkflow, {"args": [], "kwargs": {}}, workers=workers)
    outcome = execution.execute()
    assert outcome.result == [0.5, "timer fired"]
    assert _timeout_types(outcome.events) == []
    assert time.monotonic() - began < 5
    assert execution.elapsed >= 7 * 24 * 3600


def test_the_heartbeat_timeout_counts_from_the_start_then_from_each_beat():
    assert heartbeat_due(2, started_at=100, last_beat=None, now=100) == 102
    assert heartbeat_due(2, started_at=100, last_beat=101.5, now=102) == 103.5


def test_a_workers_automatic_beats_keep_an_activity_alive_when_they_come_often_enough():
    assert heartbeat_due(WORKER_HEARTBEAT, started_at=0, last_beat=None, now=500) is None
    assert heartbeat_due(10, started_at=0, last_beat=None, now=3) == 10  # silent: 10 s after the start
    # The worker beats at 60, 120...: after an own beat at 59.5, the one at 60 is the last before the timeout.
    assert heartbeat_due(10, started_at=0, last_beat=59.5, now=59.8) == 70
    assert heartbeat_due(10, started_at=0, last_beat=55, now=61) == 70
    assert heartbeat_due(10, started_at=0, last_beat=None, now=5, period=None) == 10


def test_the_first_timeout_to_fall_is_the_one_reported():
    limits = Limits(start_to_close=10, schedule_to_close=12, heartbeat=None)
    assert first_due(limits, scheduled_at=0, started_at=5, last_beat=None, now=6) == (12, "SCHEDULE_TO_CLOSE")
    assert first_due(limits, scheduled_at=0, started_at=1, last_beat=None, now=6) == (11, "START_TO_CLOSE")
    assert first_due(limits, scheduled_at=0, started_at=None, last_beat=None, now=6) == (12, "SCHEDULE_TO_CLOSE")
    assert first_due(Limits(), scheduled_at=0, started_at=0, last_beat=None, now=6) is None
    assert Limits.of_decision({"startToCloseTimeout": "NONE", "heartbeatTimeout": "30"}) == Limits(None, None, 30.0)


def test_a_timed_out_attempt_that_heartbeats_is_told_to_stop():
    from simpleflow.local._heartbeats import LocalBeat

    beat = LocalBeat(time.monotonic)
    assert beat.send('{"step": 1}') is False
    assert beat.give_up() == '{"step": 1}'
    assert beat.send('{"step": 2}') is True  # heartbeat() raises TaskCanceled in the activity
    assert beat.details == '{"step": 1}'


def test_with_one_worker_an_activity_far_from_its_timeouts_runs_on_the_decisions_thread():
    # 2 s start-to-close: the first attempt goes to a thread; once one ended within a tenth of it (0.2 s),
    # the next runs on the decision's thread; one that took longer sends the next back to a thread.
    outcome = LocalExecution(tw.WhereWorkflow, {"args": [[0, 0, 0.3, 0, 0]], "kwargs": {}}).execute()
    assert outcome.result == ["pool", "decision", "decision", "pool", "decision", "decision"]
    outcome = LocalExecution(tw.WhereWorkflow, {"args": [[0, 0]], "kwargs": {}}, workers=2).execute()
    assert outcome.result == ["pool", "pool", "pool"]


def test_with_one_worker_quick_attempts_run_on_the_decisions_thread_while_tasks_wait_far_from_their_timeouts():
    # Tasks wait for the worker with a minute of schedule-to-start: an attempt known to take far less (its
    # activity's last one took under a tenth of that minute) runs on the decision's thread, as with no one
    # waiting; the first, not known yet, goes to a thread so that those waiting time out at their instant.
    outcome = LocalExecution(tw.FanWhereWorkflow, {"args": [[0, 0, 0, 0]], "kwargs": {}}).execute()
    assert outcome.result == ["pool", "decision", "decision", "decision"]


def test_an_attempt_on_the_decisions_thread_that_outlasts_its_timeout_still_times_out():
    outcome = LocalExecution(tw.WhereWorkflow, {"args": [[0, 2.3, 0]], "kwargs": {}}).execute()
    assert outcome.result == ["pool", "TimeoutError(START_TO_CLOSE)", "pool", "decision"]
    assert _timeout_types(outcome.events) == ["START_TO_CLOSE"]
    assert len(_of_type(outcome.events, "ActivityTaskCompleted")) == 3  # its late answer dropped
