"""Replay reports (check_replay): ok for the code that made a history, else the first decision that differs,
what the code does instead and the line of the workflow doing it."""

from __future__ import annotations

import inspect

import pytest

from simpleflow.exceptions import UsageError
from simpleflow.testing import WorkflowEnv, check_replay
from simpleflow.testing._decisions import decisions_in
from tests.testing import workflows as wf


@pytest.fixture
def env():
    with WorkflowEnv() as environment:
        yield environment


def _line(cls, text):
    lines, first = inspect.getsourcelines(cls.run)
    return first + next(n for n, line in enumerate(lines) if text in line)


def test_a_chains_later_task_swapped_is_found_though_the_chain_submits_it_after_run_moved_on(env):
    run = env.run(wf.Chained, 1)
    assert run.result == [2, 3]
    assert check_replay(wf.Chained, run.history).ok
    report = check_replay(wf.ChainedOtherwise, run.history, name="chain")
    diff = report.difference
    assert (diff.history.type, diff.history.id) == ("ScheduleActivityTask", "activity-tests.testing.workflows.step-2")
    assert (diff.code.type, diff.code.id) == ("ScheduleActivityTask", "activity-tests.testing.workflows.other_step-1")
    assert diff.line == f"tests/testing/workflows.py:{_line(wf.ChainedOtherwise, 'other_step')}"
    assert report.lines()[0] == "chain: differs at decision task 2 (event 11)"


def test_retry_timers_and_wake_ups_are_simpleflows_own_and_never_a_difference(env):
    attempts = iter([RuntimeError("down"), RuntimeError("down"), "up"])

    def flaky():
        answer = next(attempts)
        if isinstance(answer, Exception):
            raise answer
        return answer

    env.override(wf.flaky, flaky)
    run = env.run(wf.Retried)
    assert run.result == "up"
    recorded = [d.id for d in decisions_in(run.history) if d.type == "StartTimer"]
    assert len(recorded) == 2 and all(timer.startswith("__simpleflow_retry_") for timer in recorded)
    assert [d.type for d in run.decisions] == ["ScheduleActivityTask"] * 3 + ["CompleteWorkflowExecution"]
    assert check_replay(wf.Retried, run.history).ok


def test_a_history_still_open_replays_ok_whatever_the_code_decides_next(env):
    execution = env.start(wf.Reminder, "ann")
    execution.advance(days=8)
    report = check_replay(wf.Reminder, execution.history)
    assert report.ok
    assert report.decisions == []  # it waits for "go"


def test_a_run_failed_by_its_code_replays_ok_and_code_that_now_completes_it_differs_at_its_end(env):
    run = env.run(wf.Fails)
    assert check_replay(wf.Fails, run.history).ok
    report = check_replay(wf.FailsNoMore, run.history)
    assert not report.ok
    diff = report.difference
    assert (diff.history.type, diff.code.type) == ("FailWorkflowExecution", "CompleteWorkflowExecution")
    assert diff.line == f"tests/testing/workflows.py:{_line(wf.FailsNoMore, 'fixed')}"
    assert diff.reason.startswith("the history closed the run with FailWorkflowExecution (reason Cannot replay")
    assert diff.reason.endswith('the code now with CompleteWorkflowExecution (result "fixed")')


def test_two_long_results_are_shown_around_where_they_first_differ(env):
    report = check_replay(wf.LongResultChanged, env.run(wf.LongResult).history)
    # Both cut to 80 characters: their ends, where "before" and "after" are (not their common start).
    assert report.difference.reason == (
        f'the history closed the run with CompleteWorkflowExecution (result ...{"x" * 57}","signal":"before"}}), '
        f'the code now with CompleteWorkflowExecution (result ...{"x" * 58}","signal":"after"}})'
    )


def test_code_that_now_raises_before_a_task_of_its_history_differs_naming_the_exception(env):
    run = env.run(wf.Chained, 1)
    report = check_replay(wf.ChainedRaises, run.history)
    diff = report.difference
    assert (diff.history.type, diff.code.type) == ("ScheduleActivityTask", "FailWorkflowExecution")
    assert diff.reason == (
        "activity 'activity-tests.testing.workflows.step-1' is in the history but the run raised before submitting "
        "it: ValueError: 1 is not accepted any more"
    )


def test_a_failure_a_replay_meets_before_a_task_the_run_had_submitted_replays_ok(env):
    def notify(who, message="hello"):
        raise RuntimeError("mail server down")

    env.override(wf.notify, notify)
    run = env.run(wf.NotifiesAndFetches, "ann")  # the env's own replay check passes too
    assert [d.type for d in run.decisions] == ["ScheduleActivityTask", "ScheduleActivityTask", "FailWorkflowExecution"]
    assert check_replay(wf.NotifiesAndFetches, run.history).ok


def test_what_is_not_a_history_is_refused_in_one_line():
    with pytest.raises(UsageError, match="WorkflowExecutionStarted"):
        check_replay(wf.Fails, [{"eventId": 1, "eventType": "DecisionTaskScheduled"}])


def test_a_result_the_history_holds_otherwise_is_reported_not_raised():
    from examples.basic import BasicWorkflow
    from simpleflow.local import LocalExecution

    events = LocalExecution(BasicWorkflow, {"args": [1, 5], "kwargs": {}}).execute().events
    first = next(e for e in events if e["eventType"] == "ActivityTaskCompleted")
    first["activityTaskCompletedEventAttributes"]["result"] = "{not json"  # given to the next task as text
    report = check_replay(BasicWorkflow, events, name="changed")
    assert not report.ok
    assert 'the code asks for input {"args":[5,"{not json"]' in report.difference.reason
    # Both sides name the activity whose input differs, at the decision that scheduled it.
    diff = report.difference
    assert (diff.history.type, diff.history.id) == ("ScheduleActivityTask", "activity-examples.basic.Delay-1")
    assert (diff.code.type, diff.code.id) == ("ScheduleActivityTask", "activity-examples.basic.Delay-1")
    assert report.lines()[0] == f"changed: differs at decision task 2 (event {diff.history.event_id})"


@pytest.fixture
def napped(env):
    """A run of Napper whose task failed once: its history holds simpleflow's markers and a retry timer."""
    attempts = iter([RuntimeError("down"), "up"])

    def flaky():
        answer = next(attempts)
        if isinstance(answer, Exception):
            raise answer
        return answer

    env.override(wf.flaky, flaky)
    run = env.run(wf.Napper, 3)
    assert run.result == ["up", True]
    recorded = {(d.type, d.id) for d in decisions_in(run.history)}
    assert {("RecordMarker", "phase"), ("StartTimer", "nap"), ("RecordMarker", "simpleflow.patch:nap-first")} < recorded
    assert any(kind == "StartTimer" and name.startswith("__simpleflow_retry_") for kind, name in recorded)
    assert sum(kind == "RecordMarker" and name.startswith("simpleflow.cached:") for kind, name in recorded) == 2
    return run


def test_simpleflows_own_markers_and_timers_are_no_difference_for_the_code_that_made_them(napped):
    assert check_replay(wf.Napper, napped.history).ok


def test_a_marker_the_code_no_longer_records_is_a_difference_at_its_decision(napped):
    report = check_replay(wf.NapperWithoutMarker, napped.history, name="napped")
    assert not report.ok
    diff = report.difference
    assert (diff.history.type, diff.history.id, diff.history.decision_task) == ("RecordMarker", "phase", 1)
    assert diff.reason == "marker 'phase' is in the history but the code never records it"
    assert report.lines()[0] == f"napped: differs at decision task 1 (event {diff.history.event_id})"


def test_a_timer_the_code_no_longer_starts_is_a_difference_at_its_decision(napped):
    report = check_replay(wf.NapperWithoutTimer, napped.history)
    diff = report.difference
    assert (diff.history.type, diff.history.id) == ("StartTimer", "nap")
    assert diff.reason == "timer 'nap' is in the history but the code never starts it"


def test_a_timer_started_otherwise_names_it_on_both_sides_and_the_line_starting_it(napped):
    report = check_replay(wf.NapperLonger, napped.history, name="napped")
    diff = report.difference
    assert (diff.history.type, diff.history.id) == ("StartTimer", "nap")
    assert (diff.code.type, diff.code.id) == ("StartTimer", "nap")
    assert diff.line == f"tests/testing/workflows.py:{_line(wf.NapperLonger, '7200')}"
    assert "the history has a timeout of 60 s, the code asks for a timeout of 7200 s" in diff.reason
    assert report.lines()[0].startswith("napped: differs at decision task ")
    assert report.lines()[1] == "    history:  StartTimer nap"


def test_a_timer_renamed_says_why_with_the_timer_not_with_how_the_run_closes(napped):
    diff = check_replay(wf.NapperRenamed, napped.history).difference
    assert (diff.history.id, diff.code.type, diff.code.id) == ("nap", "StartTimer", "snooze")
    assert diff.line == f"tests/testing/workflows.py:{_line(wf.NapperRenamed, 'snooze')}"
    assert diff.reason == "timer 'nap' is in the history but the code never starts it"


def test_a_history_of_another_workflow_type_replays_and_says_so_only_when_it_differs(env):
    history = env.run(wf.Chained, 1).history
    assert check_replay(wf.ChainedMoved, history).ok  # a workflow moved or renamed replays its old histories
    report = check_replay(wf.Retried, history)
    assert report.notes == [
        "the history is of workflow type 'kit.chained', this code's type is 'kit.retried': a history of another "
        "workflow, or of this one before it was renamed or moved"
    ]
    assert report.lines()[-1] == f"    note: {report.notes[0]}"


def test_a_dag_history_names_the_spec_type_and_is_no_other_workflows():
    from simpleflow.dag import DagWorkflow
    from simpleflow.testing._notes import replay_notes

    started = {
        "eventId": 1,
        "eventType": "WorkflowExecutionStarted",
        "workflowExecutionStartedEventAttributes": {
            "workflowType": {"name": "etl.nightly", "version": "1"},
            "input": '{"args": [], "kwargs": {}, "__extra": {"class": "simpleflow.dag._workflow.DagWorkflow"}}',
        },
    }
    assert replay_notes(DagWorkflow, [started], (None, None), ("w", "r"), "") == []
    assert replay_notes(wf.Chained, [started], (None, None), ("w", "r"), "")[0].startswith(
        "the history is of workflow type 'etl.nightly', this code's type is 'kit.chained'"
    )


def test_a_history_without_its_ids_says_how_each_entry_point_is_given_them(env, tmp_path):
    import json

    from simpleflow.testing import assert_replays, replay_tests

    run = env.run(wf.Parent, ["a", "b"])
    assert check_replay(wf.Parent, run.history, workflow_id=run.workflow_id, run_id=run.run_id).ok
    no_execution = "the history names no execution (no workflow id nor run id given), and child workflow ids embed "
    report = check_replay(wf.Parent, run.history)
    assert report.difference.history.type == "StartChildWorkflowExecution"
    assert report.notes == [
        f"{no_execution}the parent's workflow and run ids: check_replay(..., workflow_id=..., run_id=...) takes them"
    ]
    assert (
        check_replay(wf.Parent, run.history, workflow_id=run.workflow_id)
        .notes[0]
        .startswith("the history names no execution (no run id given)")
    )
    bare = tmp_path / "bare.json"
    bare.write_text(json.dumps({"events": run.history}))
    in_file = (
        f"    note: {no_execution}the parent's workflow and run ids: the file names them as --record and "
        'workflow.history write it, {"workflowId": ..., "runId": ..., "events": [...]}'
    )
    with pytest.raises(AssertionError) as raised:
        assert_replays(wf.Parent, bare)
    assert str(raised.value).splitlines()[-1] == in_file
    with pytest.raises(pytest.fail.Exception) as failed:
        replay_tests(wf.Parent, bare)(bare)
    assert str(failed.value).splitlines()[-1] == in_file
    named = tmp_path / "named.json"
    named.write_text(json.dumps({"workflowId": run.workflow_id, "runId": run.run_id, "events": run.history}))
    assert_replays(wf.Parent, named)


@pytest.mark.parametrize("tampered", ["4", ["4"], {"id": 4}, -1])
def test_a_decision_task_id_that_is_no_event_id_is_a_difference_not_a_crash(env, tampered):
    # A history file may hold anything: a decisionTaskCompletedEventId that is no event id names no decision task
    # (the report's numbering and the replay at a decision task both read it; a list or a dict raised TypeError).
    run = env.run(wf.Chained, 1)
    events = [dict(e) for e in run.history]
    scheduled = next(e for e in events if e["eventType"] == "ActivityTaskScheduled")
    attributes = scheduled["activityTaskScheduledEventAttributes"] = dict(
        scheduled["activityTaskScheduledEventAttributes"]
    )
    attributes["decisionTaskCompletedEventId"] = tampered
    report = check_replay(wf.ChainedRaises, events)
    assert not report.ok
    assert report.difference.history.type == "ScheduleActivityTask"
