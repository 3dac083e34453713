"""The replay engine over hand-built histories: ids, decisions, retries, failures, limits."""

from __future__ import annotations

import hashlib
import json
import logging

from simpleflow import Workflow, activity
from simpleflow.engine import ExecutionInfo, WorkflowRun, replay
from simpleflow.local.replay import check_history
from tests.fixtures import engine_workflows as wf
from tests.history_builder import HistoryBuilder


def scheduled_ids(decisions):
    return [
        d["scheduleActivityTaskDecisionAttributes"]["activityId"]
        for d in decisions
        if d["decisionType"] == "ScheduleActivityTask"
    ]


def closing(decisions):
    assert decisions, "no decision"
    last = decisions[-1]
    return last["decisionType"], last.get(
        last["decisionType"][0].lower() + last["decisionType"][1:] + "DecisionAttributes", {}
    )


def _args(*args):
    return {"args": list(args), "kwargs": {}}


def chain_history(done, n=3, result_of=lambda k: k):
    b = HistoryBuilder(input={"args": [n], "kwargs": {}})
    b.decision()
    for k in range(1, done + 1):
        sid = b.schedule_activity(
            f"activity-tests.fixtures.engine_workflows.inc-{k}",
            "tests.fixtures.engine_workflows.inc",
            input={"args": [result_of(k - 1) if k > 1 else 0], "kwargs": {}},  # the previous result
        )
        b.complete_activity(sid, result_of(k))
        b.decision()
    b.decision_started()
    return b


def test_first_decision_schedules_first_activity_with_simpleflow_id_and_shape():
    decisions = replay(wf.Chain, chain_history(0).events)
    assert decisions == [
        {
            "decisionType": "ScheduleActivityTask",
            "scheduleActivityTaskDecisionAttributes": {
                "activityType": {"name": "tests.fixtures.engine_workflows.inc", "version": "1"},
                "activityId": "activity-tests.fixtures.engine_workflows.inc-1",
                "input": '{"args":[0],"kwargs":{}}',
                "taskList": {"name": "tl"},
                "startToCloseTimeout": "300",
                "scheduleToCloseTimeout": "300",
                "scheduleToStartTimeout": "300",
                "heartbeatTimeout": "300",
            },
        }
    ]


def test_completed_task_feeds_the_next_and_ids_count_per_name():
    decisions = replay(wf.Chain, chain_history(2).events)
    assert scheduled_ids(decisions) == ["activity-tests.fixtures.engine_workflows.inc-3"]
    attrs = decisions[0]["scheduleActivityTaskDecisionAttributes"]
    assert json.loads(attrs["input"]) == {"args": [2], "kwargs": {}}


def test_workflow_completes_with_its_json_result():
    kind, attrs = closing(replay(wf.Chain, chain_history(3, result_of=lambda k: {"k": k}).events))
    assert kind == "CompleteWorkflowExecution"
    assert json.loads(attrs["result"]) == {"k": 3}


def test_running_task_blocks_without_new_decisions():
    b = HistoryBuilder(input={"args": [2], "kwargs": {}})
    b.decision()
    sid = b.schedule_activity(
        "activity-tests.fixtures.engine_workflows.inc-1", "tests.fixtures.engine_workflows.inc", input=_args(0)
    )
    b.start_activity(sid)
    b.decision_started()
    assert replay(wf.Chain, b.events) == []


def test_task_with_unfinished_future_argument_waits():
    b = HistoryBuilder(input={"args": [1], "kwargs": {}})
    b.decision_started()
    first = replay(wf.Dataflow, b.events)
    # only `a` can go: b, c, d all wait for a future
    assert scheduled_ids(first) == ["activity-tests.fixtures.engine_workflows.inc-1"]


def test_dataflow_ids_once_arguments_resolve():
    b = HistoryBuilder(input={"args": [1], "kwargs": {}})
    b.decision()
    sid = b.schedule_activity(
        "activity-tests.fixtures.engine_workflows.inc-1",
        "tests.fixtures.engine_workflows.inc",
        input={"args": [1], "kwargs": {}},
    )
    b.complete_activity(sid, 2)
    b.decision_started()
    digest = hashlib.md5(b'{"args":[2],"kwargs":{"y":1}}').hexdigest()
    assert scheduled_ids(replay(wf.Dataflow, b.events)) == [
        "activity-tests.fixtures.engine_workflows.inc-2",
        f"activity-tests.fixtures.engine_workflows.pure-{digest}",
    ]


def test_failed_task_is_retried_under_the_same_id():
    b = HistoryBuilder(input={"args": [1], "kwargs": {}})
    b.decision()
    sid = b.schedule_activity(
        "activity-tests.fixtures.engine_workflows.flaky-1", "tests.fixtures.engine_workflows.flaky", input=_args(0)
    )
    b.fail_activity(sid)
    b.decision_started()
    assert scheduled_ids(replay(wf.Retrying, b.events)) == ["activity-tests.fixtures.engine_workflows.flaky-1"]


def test_task_failing_past_its_retries_holds_the_error():
    b = HistoryBuilder(input={"args": [1], "kwargs": {}})
    b.decision()
    for _ in range(3):  # retry=2: three attempts
        sid = b.schedule_activity(
            "activity-tests.fixtures.engine_workflows.flaky-1", "tests.fixtures.engine_workflows.flaky", input=_args(0)
        )
        b.fail_activity(sid, reason="ValueError: no")
        b.decision()
    b.decision_started()
    kind, attrs = closing(replay(wf.Retrying, b.events))
    assert kind == "CompleteWorkflowExecution"
    assert json.loads(attrs["result"]) == [None]


def test_raises_on_failure_fails_the_workflow_naming_the_task_and_reason():
    b = HistoryBuilder(input={"args": [1], "kwargs": {}})
    b.decision()
    sid = b.schedule_activity(
        "activity-tests.fixtures.engine_workflows.strict-1", "tests.fixtures.engine_workflows.strict", input=_args(0)
    )
    b.fail_activity(sid, reason="KeyError: 'x'", details={"traceback": "tb"})
    b.decision_started()
    kind, attrs = closing(replay(wf.Strict, b.events))
    assert kind == "FailWorkflowExecution"
    assert "activity-tests.fixtures.engine_workflows.strict" in attrs["reason"] and "KeyError" in attrs["reason"]
    assert json.loads(attrs["details"]) == {"traceback": "tb"}


def test_run_raising_fails_the_workflow_with_a_traceback():
    class Broken(Workflow):
        name = "broken"
        version = "1"

        def run(self):
            raise RuntimeError("bad state")

    b = HistoryBuilder()
    b.decision_started()
    kind, attrs = closing(replay(Broken, b.events))
    assert kind == "FailWorkflowExecution"
    assert attrs["reason"] == "Cannot replay the workflow: RuntimeError(bad state)"
    assert "Traceback" in attrs["details"] and "bad state" in attrs["details"]


def test_fail_closes_the_workflow_with_the_reason():
    class Failing(Workflow):
        name = "failing"
        version = "1"

        def run(self):
            self.fail("not today", details="why")
            raise AssertionError("fail() must not return")

    b = HistoryBuilder()
    b.decision_started()
    kind, attrs = closing(replay(Failing, b.events))
    assert (kind, attrs["reason"], attrs["details"]) == (
        "FailWorkflowExecution",
        "Workflow execution failed: not today",
        "why",
    )


def test_idempotent_task_id_is_the_md5_of_its_arguments():
    class Twice(Workflow):
        name = "twice"
        version = "1"

        def run(self):
            a = self.submit(wf.pure, 1, y=2)
            b = self.submit(wf.pure, 1, y=2)  # same task: one decision
            return a.result + b.result

    b = HistoryBuilder()
    b.decision_started()
    digest = hashlib.md5(b'{"args":[1],"kwargs":{"y":2}}').hexdigest()
    assert scheduled_ids(replay(Twice, b.events)) == [f"activity-tests.fixtures.engine_workflows.pure-{digest}"]


def test_get_task_id_and_long_ids_are_shortened_with_an_md5():
    @activity.with_attributes(name="x" * 300, version="1")
    class Custom:
        def __init__(self, v):
            self.v = v

        @staticmethod
        def get_task_id(workflow, v):
            return f"v{v}"

        def execute(self):
            return self.v

    class UsesCustom(Workflow):
        name = "custom"
        version = "1"

        def run(self):
            return self.submit(Custom, 7).result

    b = HistoryBuilder()
    b.decision_started()
    (task_id,) = scheduled_ids(replay(UsesCustom, b.events))
    full = "activity-" + "x" * 300 + "-v7"
    assert task_id == full[:223] + "-" + hashlib.md5(full.encode()).hexdigest()
    assert len(task_id) == 256


def test_more_than_100_decisions_go_out_99_at_a_time_with_a_wake_up_timer():
    b = HistoryBuilder(input={"args": [250], "kwargs": {}})
    b.decision_started()
    decisions = replay(wf.FanOut, b.events)
    assert len(decisions) == 100
    assert scheduled_ids(decisions)[-1] == "activity-tests.fixtures.engine_workflows.inc-99"
    assert decisions[-1] == {
        "decisionType": "StartTimer",
        "startTimerDecisionAttributes": {"timerId": "_simpleflow_wake_up_timer", "startToFireTimeout": "0"},
    }


def test_open_activity_limit_holds_back_further_schedules():
    b = HistoryBuilder(input={"args": [30], "kwargs": {}})
    b.decision_started()
    run = WorkflowRun(wf.FanOut, ExecutionInfo(max_open_activities=12))
    assert len(scheduled_ids(run.advance(b.events))) == 12


def test_history_that_does_not_fit_the_code_names_the_first_mismatch():
    b = HistoryBuilder(input={"args": [2], "kwargs": {}})
    b.decision()
    sid = b.schedule_activity(
        "activity-tests.fixtures.engine_workflows.inc-1", "tests.fixtures.engine_workflows.double", input=_args(0)
    )
    b.complete_activity(sid, 1)
    b.decision()
    b.schedule_activity("activity-other-1", "other")
    b.decision_started()
    _, mismatches = check_history(wf.Chain, b.events)
    assert mismatches[0].startswith("activity 'activity-tests.fixtures.engine_workflows.inc-1' (")
    assert mismatches[0].endswith(
        "the history has type 'tests.fixtures.engine_workflows.double', "
        "the code asks for type 'tests.fixtures.engine_workflows.inc'"
    )
    assert any("activity-other-1" in m for m in mismatches)


class OneMarker(Workflow):
    name = "one-marker"
    version = "1"

    def run(self):
        self.submit(self.record_marker("phase", 1))
        return "done"


def test_timers_and_markers_the_code_never_gives_are_mismatches_in_history_order_not_simpleflows_own():
    b = HistoryBuilder()
    b.decision()
    b.start_timer("nap", 60)  # the code never starts it
    b.start_timer("_simpleflow_wake_up_timer", 0)  # simpleflow's: a wake-up, a retry's wait, its markers
    b.start_timer("__simpleflow_retry_2_activity-gone-1", 60)
    b.record_marker("simpleflow.cached:simpleflow.workflow._decision_time:1", 1.5)
    b.record_marker("simpleflow.patch:gone", {"change_id": "gone"})
    b.record_marker("phase", 1)
    b.record_marker("phase", 2)  # the code records it once
    b.decision_started()
    run = WorkflowRun(OneMarker, ExecutionInfo(on_nondeterminism="report"))
    run.advance(b.events)
    assert run.mismatches == [
        "patch marker 'simpleflow.patch:gone' is in the history but the code never calls patched('gone') "
        "nor deprecate_patch('gone')",
        "timer 'nap' is in the history but the code never starts it",
        "marker 'phase' is recorded 2 times in the history, the code records it once",
    ]
    assert [(u.kind, u.id, b.events[u.event_id - 1]["eventType"]) for u in run.unfit[1:]] == [
        ("timer", "nap", "TimerStarted"),
        ("marker", "phase", "MarkerRecorded"),
    ]
    phases = [e["eventId"] for e in b.events if e.get("markerRecordedEventAttributes", {}).get("markerName") == "phase"]
    assert run.unfit[2].event_id == phases[1]  # the second "phase": the one the code does not record
    run.close()


def test_a_fitting_history_has_no_mismatch():
    _, mismatches = check_history(wf.Chain, chain_history(2).events)
    assert mismatches == []


def test_results_round_trip_through_json():
    class Echo(Workflow):
        name = "echo"
        version = "1"

        def run(self, value):
            return self.submit(wf.inc, value["n"]).result

    b = HistoryBuilder(input={"args": [{"n": 1, "nested": [1, {"a": None}]}], "kwargs": {}})
    b.decision()
    sid = b.schedule_activity(
        "activity-tests.fixtures.engine_workflows.inc-1", "tests.fixtures.engine_workflows.inc", input=_args(1)
    )
    b.complete_activity(sid, {"deep": ["é", 1.5, None, True]})
    b.decision_started()
    _, attrs = closing(replay(Echo, b.events))
    assert json.loads(attrs["result"]) == {"deep": ["é", 1.5, None, True]}


def test_timed_out_task_is_retried_then_reported_as_timeout():
    b = HistoryBuilder(input={"args": [1], "kwargs": {}})
    b.decision()
    sid = b.schedule_activity(
        "activity-tests.fixtures.engine_workflows.flaky-1", "tests.fixtures.engine_workflows.flaky", input=_args(0)
    )
    b.timeout_activity(sid, "HEARTBEAT")
    b.decision_started()
    assert scheduled_ids(replay(wf.Retrying, b.events)) == ["activity-tests.fixtures.engine_workflows.flaky-1"]


def test_unknown_activity_type_is_registered_then_rescheduled():
    b = HistoryBuilder(input={"args": [1], "kwargs": {}})
    b.decision()
    b.schedule_activity_failed("activity-tests.fixtures.engine_workflows.inc-1", "tests.fixtures.engine_workflows.inc")
    b.decision_started()
    run = WorkflowRun(wf.Chain)
    assert scheduled_ids(run.advance(b.events)) == ["activity-tests.fixtures.engine_workflows.inc-1"]
    assert run.types_to_register == {("activity", "tests.fixtures.engine_workflows.inc", "1")}


def test_log_lines_of_run_are_written_once_per_execution(caplog):
    from simpleflow.engine import ReplayLogFilter

    b = HistoryBuilder(input={"args": [1], "kwargs": {}})
    b.decision_started()
    handler_filter = ReplayLogFilter()
    caplog.handler.addFilter(handler_filter)
    caplog.set_level(logging.INFO)
    replay(wf.Dataflow, b.events)  # first decision: the line is new
    b2 = HistoryBuilder(input={"args": [1], "kwargs": {}})
    b2.decision()
    sid = b2.schedule_activity(
        "activity-tests.fixtures.engine_workflows.inc-1", "tests.fixtures.engine_workflows.inc", input=_args(1)
    )
    b2.start_activity(sid)
    b2.decision_started()
    replay(wf.Dataflow, b2.events)  # a full replay that learns nothing new: the line is not written again
    lines = [r for r in caplog.records if "reached the end" in r.getMessage()]
    assert len(lines) == 1


class _LogsFirst(Workflow):
    name = "logs-first"
    version = "1"

    def run(self, x):
        logging.getLogger("tests.logs_first").warning("top of run, before any task")
        if x:
            return self.submit(wf.inc, x).result
        return x  # submits nothing: the line above is all it logs


def test_a_line_logged_before_the_first_task_is_written_once(caplog):
    from simpleflow.engine import ReplayLogFilter

    caplog.handler.addFilter(ReplayLogFilter())
    caplog.set_level(logging.INFO)

    def top_lines():
        return [r for r in caplog.records if "top of run" in r.getMessage()]

    first = HistoryBuilder(input={"args": [1], "kwargs": {}})
    first.decision_started()
    replay(_LogsFirst, first.events)  # no decision completed yet: nothing is replayed, the line is new
    assert len(top_lines()) == 1
    later = HistoryBuilder(input={"args": [1], "kwargs": {}})
    later.decision()
    sid = later.schedule_activity(
        "activity-tests.fixtures.engine_workflows.inc-1", "tests.fixtures.engine_workflows.inc", input=_args(1)
    )
    later.complete_activity(sid, 2)
    later.decision_started()
    assert closing(replay(_LogsFirst, later.events))[0] == "CompleteWorkflowExecution"
    assert len(top_lines()) == 1  # the full replay ran that line again, for a decision that already logged it
    nothing = HistoryBuilder(input={"args": [0], "kwargs": {}})
    nothing.decision_started()
    replay(_LogsFirst, nothing.events)  # a run that submits nothing logs its line too
    assert len(top_lines()) == 2


def test_on_task_failure_can_retry_later_through_a_named_timer():
    class Patient(Workflow):
        name = "patient"
        version = "1"

        def run(self):
            return self.submit(wf.inc, 1).result

        def on_task_failure(self, failure_context):
            if failure_context.retry_count == 0:
                return failure_context.decide_retry(retry_wait_timeout=30)
            return failure_context.decide_abort()

    b = HistoryBuilder()
    b.decision()
    sid = b.schedule_activity(
        "activity-tests.fixtures.engine_workflows.inc-1",
        "tests.fixtures.engine_workflows.inc",
        input={"args": [1], "kwargs": {}},
    )
    b.fail_activity(sid)
    b.decision_started()
    decisions = replay(Patient, b.events)
    assert [d["decisionType"] for d in decisions] == ["StartTimer"]
    attrs = decisions[0]["startTimerDecisionAttributes"]
    assert attrs["timerId"] == "__simpleflow_task_activity-tests.fixtures.engine_workflows.inc-1"
    assert attrs["startToFireTimeout"] == "30"


def test_a_timer_cancellation_swf_refuses_is_not_asked_again():
    class Impatient(Workflow):
        name = "impatient"
        version = "1"

        def run(self):
            self.submit(self.start_timer("t", 3600))
            cancel = self.submit(self.cancel_timer("t"))
            return repr(cancel.exception)

    b = HistoryBuilder()
    b.decision()
    b.start_timer("t", 3600)
    b.decision()
    b.add("CancelTimerFailed", timerId="t", cause="OPERATION_NOT_PERMITTED", decisionTaskCompletedEventId=5)
    b.decision_started()
    kind, attrs = closing(replay(Impatient, b.events))
    assert kind == "CompleteWorkflowExecution"
    assert "OPERATION_NOT_PERMITTED" in json.loads(attrs["result"])
