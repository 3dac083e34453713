"""``Workflow.patched`` / ``deprecate_patch`` over hand-built histories: histories recorded before the change
(by ``BeforeWorkflow``) replayed by the new code keep the old path, new ones take the new path, and
``workflow.replay``'s check names a missing or unexpected patch marker first."""

from __future__ import annotations

import pytest

from simpleflow import RetryPolicy, Workflow, activity, futures
from simpleflow.engine import (
    ON_NONDETERMINISM_FAIL,
    ON_NONDETERMINISM_REPORT,
    ExecutionInfo,
    Nondeterminism,
    WorkflowRun,
    replay,
)
from simpleflow.engine._ids import policy_timer_id
from simpleflow.engine._patch import MARKER_PREFIX
from simpleflow.local import LocalExecution
from simpleflow.local.replay import check_history
from tests.fixtures import patch_workflows as pw
from tests.history_builder import HistoryBuilder

MARKER = MARKER_PREFIX + pw.CHANGE
REPORT = ExecutionInfo(on_nondeterminism=ON_NONDETERMINISM_REPORT)  # what the history holds besides is reported
NAMES = {pw.FIRST: "tests.patch.first", pw.OLD: "tests.patch.old-step", pw.NEW: "tests.patch.new-step"}
NAMES[pw.LAST] = "tests.patch.last"


def _input(*args):
    return {"args": list(args), "kwargs": {}}


def _builder(x=1) -> HistoryBuilder:
    return HistoryBuilder(workflow_name=pw.NAME, version=pw.VERSION, input=_input(x), task_list=pw.TASK_LIST)


def _task(b: HistoryBuilder, activity_id: str, x, result=None) -> int:
    """The activity scheduled by the latest decision; completed with *result* unless None."""
    scheduled = b.schedule_activity(activity_id, NAMES[activity_id], pw.VERSION, _input(x), pw.TASK_LIST)
    if result is not None:
        b.complete_activity(scheduled, result)
    return scheduled


def _first_done(x=1) -> HistoryBuilder:
    """``first`` scheduled by the first decision and completed: the line of the change comes next."""
    b = _builder(x)
    b.decision()
    _task(b, pw.FIRST, x, x + 1)
    return b


def _recorded_before_the_change(step_done=True) -> HistoryBuilder:
    """What ``BeforeWorkflow`` recorded: ``old_step`` scheduled (and completed) after ``first``."""
    b = _first_done()
    b.decision()
    _task(b, pw.OLD, 2, 20 if step_done else None)
    return b


def _types(decisions):
    return [d["decisionType"] for d in decisions]


def _scheduled(decisions):
    return [
        d["scheduleActivityTaskDecisionAttributes"]["activityId"] for d in decisions if "scheduleActivityTask" in str(d)
    ]


def _markers(decisions):
    return [d["recordMarkerDecisionAttributes"]["markerName"] for d in decisions if d["decisionType"] == "RecordMarker"]


# -- old histories keep the old path -------------------------------------------------------------


def test_history_recorded_before_the_change_keeps_the_old_path_and_records_no_marker():
    b = _recorded_before_the_change()
    b.decision_started()
    decisions = replay(pw.PatchedWorkflow, b.events)
    assert _scheduled(decisions) == [pw.LAST]
    assert _markers(decisions) == []


def test_old_history_waiting_on_the_old_step_goes_on_waiting_for_it():
    b = _recorded_before_the_change(step_done=False)
    b.decision_started()
    assert replay(pw.PatchedWorkflow, b.events) == []
    _, mismatches = check_history(pw.PatchedWorkflow, b.events)
    assert mismatches == []


def test_old_history_replayed_to_its_end_completes_with_the_old_result():
    b = _recorded_before_the_change()
    b.decision()
    b.complete_activity(_task(b, pw.LAST, 20), 22)
    b.decision_started()
    decisions = replay(pw.PatchedWorkflow, b.events)
    assert _types(decisions) == ["CompleteWorkflowExecution"]
    assert decisions[0]["completeWorkflowExecutionDecisionAttributes"]["result"] == "22"


def test_old_execution_that_had_not_reached_the_line_takes_the_new_path():
    # Deployed while ``first`` ran: nothing in the history went past the line.
    b = _first_done()
    b.decision_started()
    decisions = replay(pw.PatchedWorkflow, b.events)
    assert _types(decisions) == ["RecordMarker", "ScheduleActivityTask"]
    assert _markers(decisions) == [MARKER]
    assert _scheduled(decisions) == [pw.NEW]


# -- new histories take the new path ---------------------------------------------------------------


def test_the_first_decision_reaching_patched_records_its_marker_before_what_follows():
    b = _builder(3)
    b.decision_started()
    decisions = replay(pw.PatchedFirstWorkflow, b.events)
    assert _types(decisions) == ["RecordMarker", "ScheduleActivityTask"]
    assert decisions[0]["recordMarkerDecisionAttributes"]["details"] == '{"change_id":"new-step"}'
    assert _scheduled(decisions) == [pw.NEW]


def test_history_holding_the_marker_takes_the_new_path_on_replay_without_recording_it_again():
    b = _first_done()
    b.decision()
    b.record_marker(MARKER, {"change_id": pw.CHANGE})
    _task(b, pw.NEW, 2, 200)
    b.decision_started()
    decisions = replay(pw.PatchedWorkflow, b.events)
    assert _scheduled(decisions) == [pw.LAST]
    assert _markers(decisions) == []


def test_a_second_call_gives_the_first_answer_and_records_nothing_more():
    b = _builder()
    b.decision_started()
    assert _markers(replay(pw.TwiceWorkflow, b.events)) == [MARKER]
    fresh = LocalExecution(pw.TwiceWorkflow, _input(1)).execute()
    assert fresh.result == [True, True]
    assert sum(e["eventType"] == "MarkerRecorded" for e in fresh.events) == 1
    # Recorded before the change (``first`` scheduled at the start, no marker): no, both times.
    old = _first_done()
    old.decision_started()
    run = WorkflowRun(pw.TwiceWorkflow, ExecutionInfo())
    decisions = run.advance(old.events)
    assert decisions[0]["completeWorkflowExecutionDecisionAttributes"]["result"] == "[false,false]"


@pytest.mark.parametrize(
    ("workflow", "x"),
    [(pw.PatchedWorkflow, 1), (pw.PatchedFirstWorkflow, 1), (pw.TwiceWorkflow, 1), (pw.ManyThenPatchWorkflow, 120)],
)
def test_a_new_execution_decides_the_same_resumed_or_replayed_in_full_at_every_decision_task(workflow, x):
    done = LocalExecution(workflow, _input(x)).execute()
    assert done.status == "completed", done.reason
    assert [e["markerRecordedEventAttributes"]["markerName"] for e in done.events if "markerRecorded" in str(e)] == [
        MARKER
    ]
    starts = [i + 1 for i, e in enumerate(done.events) if e["eventType"] == "DecisionTaskStarted"]
    run = WorkflowRun(workflow, ExecutionInfo())
    seen = 0
    for end in starts:
        resumed = run.advance(done.events[seen:end])
        seen = end
        assert resumed == replay(workflow, done.events[:end])
    run.close()


def test_an_old_execution_deployed_on_at_each_decision_task_takes_the_path_its_history_allows():
    old = LocalExecution(pw.BeforeWorkflow, _input(1)).execute()
    starts = [i + 1 for i, e in enumerate(old.events) if e["eventType"] == "DecisionTaskStarted"]
    decided = [replay(pw.PatchedWorkflow, old.events[:end]) for end in starts]
    assert [_scheduled(d) for d in decided] == [[pw.FIRST], [pw.NEW], [pw.LAST], []]
    assert [_markers(d) for d in decided] == [[], [MARKER], [], []]  # before the line: new path, after: old


def test_a_marker_held_back_by_a_full_decision_batch_is_still_recorded_and_the_new_path_kept():
    done = LocalExecution(pw.ManyThenPatchWorkflow, _input(120)).execute()
    assert done.status == "completed"
    assert done.result[-1] == 12000  # new_step(120)
    markers = [e for e in done.events if e["eventType"] == "MarkerRecorded"]
    assert len(markers) == 1
    completed = [e["eventId"] for e in done.events if e["eventType"] == "DecisionTaskCompleted"]
    # The first decision task held 99 schedules and the wake-up timer: the marker came with the second.
    assert markers[0]["markerRecordedEventAttributes"]["decisionTaskCompletedEventId"] == completed[1]


def test_bookkeeping_decisions_after_the_line_are_not_taken_for_the_old_path():
    b = _first_done()
    b.decision()  # a decision that only started the wake-up timer and recorded another change's marker
    b.start_timer("_simpleflow_wake_up_timer", 0)
    b.record_marker(MARKER_PREFIX + "other-change", {"change_id": "other-change"})
    b.fire_timer("_simpleflow_wake_up_timer")
    b.decision_started()
    assert _scheduled(replay(pw.PatchedWorkflow, b.events, REPORT)) == [pw.NEW]


def test_a_user_marker_recorded_after_the_line_shows_the_old_path():
    b = _first_done()
    b.decision()
    b.record_marker("progress", "half")
    b.decision_started()
    assert _markers(replay(pw.PatchedWorkflow, b.events, REPORT)) == []
    assert _scheduled(replay(pw.PatchedWorkflow, b.events, REPORT)) == [pw.OLD]


@pytest.mark.parametrize(("change_id", "error"), [("", ValueError), (7, TypeError), ("x" * 240, ValueError)])
def test_a_change_id_that_cannot_name_a_marker_fails_the_run_naming_it(change_id, error):
    from simpleflow import Workflow

    class Bad(Workflow):
        name = "bad"

        def run(self):
            self.patched(change_id)

    b = HistoryBuilder(workflow_name="bad")
    b.decision_started()
    decisions = replay(Bad, b.events)
    assert _types(decisions) == ["FailWorkflowExecution"]
    assert error.__name__ in decisions[0]["failWorkflowExecutionDecisionAttributes"]["reason"]
    assert "change id" in decisions[0]["failWorkflowExecutionDecisionAttributes"]["reason"]


# -- deprecate_patch -------------------------------------------------------------------------------


def test_deprecated_patch_takes_the_new_path_records_nothing_and_accepts_the_marker():
    fresh = _first_done()
    fresh.decision_started()
    assert _types(replay(pw.DeprecatedWorkflow, fresh.events)) == ["ScheduleActivityTask"]
    marked = _first_done()
    marked.decision()
    marked.record_marker(MARKER, {"change_id": pw.CHANGE})
    _task(marked, pw.NEW, 2, 200)
    marked.decision_started()
    assert _scheduled(replay(pw.DeprecatedWorkflow, marked.events)) == [pw.LAST]
    assert check_history(pw.DeprecatedWorkflow, marked.events)[1] == []


def test_replay_check_accepts_a_history_recorded_after_the_patch_was_deprecated():
    done = LocalExecution(pw.DeprecatedWorkflow, _input(1)).execute()
    assert not any(e["eventType"] == "MarkerRecorded" for e in done.events)
    assert check_history(pw.DeprecatedWorkflow, done.events)[1] == []


# -- workflow.replay's check -----------------------------------------------------------------------


def test_replay_check_names_the_missing_marker_first_when_an_old_history_meets_a_deprecated_patch():
    b = _recorded_before_the_change()
    b.decision_started()
    _, mismatches = check_history(pw.DeprecatedWorkflow, b.events)
    assert mismatches[0] == (
        f"patch marker {MARKER!r} is missing: the history went past deprecate_patch({pw.CHANGE!r}) on the old path "
        f"(activity {pw.OLD!r} follows it unmarked)"
    )
    assert len(mismatches) == 2  # then the old step the code never submits


def test_replay_check_names_an_unexpected_marker_when_the_patch_was_removed_too_soon():
    done = LocalExecution(pw.PatchedWorkflow, _input(1)).execute()
    _, mismatches = check_history(pw.RemovedWorkflow, done.events)
    assert mismatches == [
        f"patch marker {MARKER!r} is in the history but the code never calls patched({pw.CHANGE!r}) "
        f"nor deprecate_patch({pw.CHANGE!r})"
    ]


def test_a_patch_the_replay_never_got_to_is_not_said_to_be_missing_from_the_code():
    """The run waited at a changed first step, before its deprecate_patch: "the code never calls" was untrue."""
    done = LocalExecution(pw.PatchedWorkflow, _input(1)).execute()
    _, mismatches = check_history(pw.MovedFirstDeprecatedWorkflow, done.events)
    assert mismatches[0] == (
        f"patch marker {MARKER!r} is in the history but the run stopped before it called patched({pw.CHANGE!r}) "
        f"or deprecate_patch({pw.CHANGE!r}): it waits on what the history does not hold"
    )
    assert len(mismatches) > 1


def test_replay_check_names_the_missing_marker_of_an_execution_that_closed_before_the_change():
    old = _first_done()
    old.decision()
    old.complete_workflow(2)
    _, mismatches = check_history(pw.TailWorkflow, old.events)
    assert mismatches[0].startswith(f"patch marker {MARKER!r} is missing: the history closed without it")


def test_replay_check_accepts_old_and_new_histories_under_the_patched_code():
    old = _recorded_before_the_change()
    old.decision()
    old.complete_activity(_task(old, pw.LAST, 20), 22)
    old.decision()
    old.complete_workflow(22)
    assert check_history(pw.PatchedWorkflow, old.events)[1] == []
    new = LocalExecution(pw.PatchedWorkflow, _input(1)).execute()
    assert check_history(pw.PatchedWorkflow, new.events)[1] == []


# -- a decider refuses what workflow.replay reports -------------------------------------------------


def _marked_then_last_done() -> HistoryBuilder:
    """``PatchedWorkflow`` took the new path (the marker recorded) and ran ``last``: the next decision closes."""
    b = _first_done()
    b.decision()
    b.record_marker(MARKER, {"change_id": pw.CHANGE})
    _task(b, pw.NEW, 2, 200)
    b.decision()
    _task(b, pw.LAST, 200, 202)
    return b


@pytest.mark.parametrize(
    ("workflow", "history"),
    [
        (pw.DeprecatedWorkflow, lambda: _recorded_before_the_change(step_done=False)),  # deprecated too soon
        (pw.DeprecatedWorkflow, _recorded_before_the_change),
        (pw.RemovedWorkflow, _marked_then_last_done),  # removed too soon
    ],
)
def test_a_decider_refuses_a_patch_problem_with_the_line_workflow_replay_names_first(workflow, history):
    b = history()
    b.decision_started()
    first = check_history(workflow, b.events)[1][0]
    assert first.startswith(f"patch marker {MARKER!r} is ")
    with pytest.raises(Nondeterminism) as refused:  # left unanswered: nothing scheduled, nothing closed
        replay(workflow, b.events)
    assert str(refused.value) == first
    decisions = replay(workflow, b.events, ExecutionInfo(on_nondeterminism=ON_NONDETERMINISM_FAIL))
    assert _types(decisions) == ["FailWorkflowExecution"]
    assert decisions[0]["failWorkflowExecutionDecisionAttributes"]["details"].startswith(first)


@pytest.mark.parametrize("workflow", [pw.PatchedWorkflow, pw.DeprecatedWorkflow, pw.TailWorkflow])
def test_a_decider_refuses_no_decision_task_of_an_execution_its_own_code_ran(workflow):
    """Every decision task of a local run, answered again by a fresh decider (patched, or past deprecate_patch)."""
    events = LocalExecution(workflow, _input(1)).execute().events
    for end, event in enumerate(events, start=1):
        if event["eventType"] == "DecisionTaskStarted":
            replay(workflow, events[:end])  # raises on a refusal


# -- cancellations and retry waits are decisions too --------------------------------------------------

INFO = ExecutionInfo(domain="d", workflow_id="wf-id", run_id="run-id")
LONG = "activity-tests.patch.long-1"
QUICK = "activity-tests.patch.quick-1"
PATIENT = "activity-tests.patch.patient-1"


@activity.with_attributes(name="tests.patch.long", task_list="tl", version="1")
def long_task():
    return "long"


@activity.with_attributes(name="tests.patch.quick", task_list="tl", version="1")
def quick_task():
    return "quick"


@activity.with_attributes(
    name="tests.patch.patient", task_list="tl", version="1", retry=RetryPolicy(maximum_attempts=3, initial_interval=600)
)
def patient_task():
    return "patient"


class _Patching(Workflow):
    name = "wf"
    version = "1"
    task_list = "tl"


class PatchBeforeCancellingAnActivity(_Patching):
    def run(self):
        running = self.submit(long_task)
        futures.wait(self.submit(quick_task))
        new = self.patched("c")
        running.cancel()
        return new


class PatchBeforeCancellingATimer(_Patching):
    def run(self):
        long = self.submit(self.start_timer("long", 3600))
        futures.wait(self.submit(self.start_timer("short", 60)))
        new = self.patched("c")
        long.cancel()
        return new


class PatchBeforeCancellingAnExecution(_Patching):
    def run(self):
        new = self.patched("c")
        futures.wait(self.submit(self.cancel_workflow("other")))
        return new


class PatchAfterARetryWait(_Patching):
    def run(self):
        waiting = self.submit(patient_task)
        futures.wait(self.submit(quick_task))
        new = self.patched("c")
        waiting.cancel()
        return new


class PatchAfterCancellingBetweenAttempts(_Patching):
    def run(self):
        waiting = self.submit(patient_task)
        futures.wait(self.submit(quick_task))
        waiting.cancel()
        futures.wait(self.submit(self.start_timer("short", 60)))
        return self.patched("c")


def _activity_cancelled(b):
    b.decision()
    running = b.schedule_activity(LONG, "tests.patch.long")
    b.complete_activity(b.schedule_activity(QUICK, "tests.patch.quick"), "quick")
    b.decision()
    b.activity_canceled(running, b.request_cancel_activity(running))


def _timer_cancelled(b):
    b.decision()
    b.start_timer("long", 3600)
    b.start_timer("short", 60)
    b.fire_timer("short")
    b.decision()
    b.cancel_timer("long")
    b.start_timer("_simpleflow_wake_up_timer", 0)
    b.fire_timer("_simpleflow_wake_up_timer")


def _execution_cancelled(b):
    b.decision()
    b.external_cancel_requested(b.request_cancel_external("other"))


def _waiting_for_retry(b):
    b.decision()
    b.fail_activity(b.schedule_activity(PATIENT, "tests.patch.patient"))
    b.complete_activity(b.schedule_activity(QUICK, "tests.patch.quick"), "quick")
    b.decision()
    b.start_timer(policy_timer_id(PATIENT, 2), 600)


def _cancelled_between_attempts(b):
    _waiting_for_retry(b)
    b.decision()
    b.cancel_timer(policy_timer_id(PATIENT, 2))
    b.start_timer("short", 60)
    b.fire_timer("short")


@pytest.mark.parametrize(
    ("workflow", "recorded", "new_path"),
    [
        (PatchBeforeCancellingAnActivity, _activity_cancelled, False),  # RequestCancelActivityTask
        (PatchBeforeCancellingATimer, _timer_cancelled, False),  # CancelTimer
        (PatchBeforeCancellingAnExecution, _execution_cancelled, False),  # RequestCancelExternalWorkflowExecution
        (PatchAfterARetryWait, _waiting_for_retry, True),  # a RetryPolicy's timer belongs to its task
        (PatchAfterCancellingBetweenAttempts, _cancelled_between_attempts, True),  # so does its cancellation
    ],
)
def test_a_cancellation_the_code_has_not_asked_yet_shows_the_old_path(workflow, recorded, new_path):
    b = HistoryBuilder()
    recorded(b)
    b.decision_started()
    decisions = replay(workflow, b.events, INFO)
    assert (MARKER_PREFIX + "c" in _markers(decisions)) is new_path
    if _types(decisions)[-1] == "CompleteWorkflowExecution":
        assert decisions[-1]["completeWorkflowExecutionDecisionAttributes"]["result"] == str(new_path).lower()


class DeprecatedBeforeCancelling(_Patching):
    """The new path no longer cancels the long task; the patch is deprecated too soon."""

    def run(self):
        self.submit(long_task)
        futures.wait(self.submit(quick_task))
        self.deprecate_patch("c")
        return "new"


def test_replay_check_names_a_cancellation_an_old_history_holds_past_a_deprecated_patch():
    b = HistoryBuilder()
    _activity_cancelled(b)
    b.decision_started()
    _, mismatches = check_history(DeprecatedBeforeCancelling, b.events, workflow_id="wf-id", run_id="run-id")
    assert mismatches == [
        f"patch marker {MARKER_PREFIX + 'c'!r} is missing: the history went past deprecate_patch('c') on the old "
        f"path (the cancellation of activity {LONG!r} follows it unmarked)",
        f"the cancellation of activity {LONG!r} is in the history but the code never asks it",
    ]


def test_a_retry_timer_id_whose_attempt_is_no_ascii_number_belongs_to_no_task():
    """'²' is a digit to str.isdigit, not to int(): a crafted history's timer id raised ValueError in the check."""
    from simpleflow import constants
    from simpleflow.engine import _patch
    from simpleflow.engine._commands import ACTIVITY

    commands = {(ACTIVITY, "activity-b-1"): object()}  # another task: the id is looked for among their hashes
    assert _patch._retry_wait_of(f"{constants.RETRY_POLICY_TIMER_PREFIX}²_activity-a-1", commands) is None
