"""Child workflow, continue-as-new and external signal decisions at the engine, over hand-built histories.

StartChildWorkflowExecution, ContinueAsNewWorkflowExecution and SignalExternalWorkflowExecution
must have the shapes SWF documents (RespondDecisionTaskCompleted's decision attributes), and a
resumed run must take, at each decision task, what a full replay takes. End to end on the dev
server: tests/swf/test_children.py.
"""

from __future__ import annotations

import json
import zlib

import pytest

from simpleflow import Workflow, activity
from simpleflow.canvas import Chain
from simpleflow.engine import ExecutionInfo, WorkflowRun, replay
from simpleflow.task import SignalTask
from tests.history_builder import HistoryBuilder

INFO = ExecutionInfo(domain="d", workflow_id="wf-id", run_id="run-id")
RUN_HASH = f"{zlib.adler32(b'run-id') & 0xFFFFFFFF:x}"

# The keys SWF accepts in each decision's attributes (API_Decision.html).
START_CHILD_KEYS = {
    "workflowType",
    "workflowId",
    "control",
    "input",
    "executionStartToCloseTimeout",
    "taskList",
    "taskPriority",
    "taskStartToCloseTimeout",
    "childPolicy",
    "tagList",
    "lambdaRole",
}
CONTINUE_KEYS = {
    "input",
    "executionStartToCloseTimeout",
    "taskList",
    "taskPriority",
    "taskStartToCloseTimeout",
    "childPolicy",
    "tagList",
    "workflowTypeVersion",
    "lambdaRole",
}
SIGNAL_KEYS = {"workflowId", "runId", "signalName", "input", "control"}


@activity.with_attributes(name="decisions.inc", task_list="tl", version="1")
def inc(x):
    return x + 1


class Child(Workflow):
    name = "child"
    version = "2"
    task_list = "child-tl"
    child_policy = "REQUEST_CANCEL"
    execution_timeout = 600
    tag_list = ["a", "b"]

    def run(self, x):
        return x


CHILD_TYPE = f"{Child.__module__}.Child"  # the type simpleflow starts a child under


class Parent(Workflow):
    name = "wf"
    version = "1"
    task_list = "tl"

    def run(self, x):
        first = self.submit(Child, x)
        return first.result + self.submit(Child, x + 1).result


class Looping(Workflow):
    name = "wf"
    version = "1"
    task_list = "tl"
    execution_timeout = 7200

    def run(self, n):
        n = self.submit(inc, n).result
        if n < 3:
            self.submit(self.continue_as_new(n))
        return n


class Signaller(Workflow):
    name = "wf"
    version = "1"
    task_list = "tl"

    def run(self):
        sent = self.submit(self.signal("hello", 1, workflow_id="other", run_id="other-run", k="v"))
        return sent.result


PING_SELF = SignalTask("ping", 2)  # one task object, built without a target, shared by every execution


class PingsItself(Workflow):
    name = "wf"
    version = "1"
    task_list = "tl"

    def run(self):
        sent = [self.submit(PING_SELF), self.submit(self.signal("pong"))]
        return [f.result for f in sent]


class Broadcaster(Workflow):
    """Has one child open and relays what it hears."""

    name = "wf"
    version = "1"
    task_list = "tl"

    def run(self):
        child = self.submit(Child, 0)
        return child.result, self.submit(self.wait_signal("news")).result


def decision_of(decisions, kind):
    found = [d for d in decisions if d["decisionType"] == kind]
    assert len(found) == 1, decisions
    return found[0][kind[0].lower() + kind[1:] + "DecisionAttributes"]


def assert_resume_matches_replay(workflow_class, events):
    """At every DecisionTaskStarted: a run resumed with only the new events == a fresh full replay."""
    run = WorkflowRun(workflow_class, INFO)
    seen = 0
    try:
        for i, event in enumerate(events):
            if event["eventType"] == "DecisionTaskStarted":
                got = run.advance(events[seen : i + 1])
                seen = i + 1
                assert got == replay(workflow_class, events[: i + 1], INFO), f"decision task at event {i + 1}"
    finally:
        run.close()


# -- child workflows ------------------------------------------------------------


def test_start_child_workflow_decision_has_swf_shape_and_simpleflow_id():
    b = HistoryBuilder(input={"args": [4], "kwargs": {}})
    b.decision_started()
    attrs = decision_of(replay(Parent, b.events, INFO), "StartChildWorkflowExecution")
    assert set(attrs) <= START_CHILD_KEYS
    assert attrs["workflowId"] == f"workflow-child-wf-id--{RUN_HASH}--1"
    # simpleflow's wire format: the type is named after the class, the input is {"args", "kwargs"} only.
    assert attrs["workflowType"] == {"name": f"{Child.__module__}.Child", "version": "2"}
    assert attrs["taskList"] == {"name": "child-tl"}
    assert attrs["childPolicy"] == "REQUEST_CANCEL"
    assert attrs["executionStartToCloseTimeout"] == "600"
    assert attrs["tagList"] == ["a", "b"]
    assert all(isinstance(attrs[k], str) for k in ("input", "executionStartToCloseTimeout", "taskStartToCloseTimeout"))
    assert json.loads(attrs["input"]) == {"args": [4], "kwargs": {}}


def test_child_results_reach_the_parent_and_the_next_child_gets_the_next_count():
    b = HistoryBuilder(input={"args": [4], "kwargs": {}})
    b.decision()
    first = b.start_child_workflow(f"workflow-child-wf-id--{RUN_HASH}--1", CHILD_TYPE, "2", input={"args": [4]})
    b.complete_child(first, result=40)
    started = b.decision_started()
    attrs = decision_of(replay(Parent, b.events, INFO), "StartChildWorkflowExecution")
    assert attrs["workflowId"] == f"workflow-child-wf-id--{RUN_HASH}--2"
    b.decision_completed(started)
    second = b.start_child_workflow(attrs["workflowId"], CHILD_TYPE, "2", input={"args": [5]})
    b.complete_child(second, result=50)
    b.decision_started()
    closing = decision_of(replay(Parent, b.events, INFO), "CompleteWorkflowExecution")
    assert json.loads(closing["result"]) == 90
    assert_resume_matches_replay(Parent, b.events)


def test_a_failed_child_fails_the_parent_with_its_reason():
    b = HistoryBuilder(input={"args": [4], "kwargs": {}})
    b.decision()
    first = b.start_child_workflow(f"workflow-child-wf-id--{RUN_HASH}--1", CHILD_TYPE, "2", input={"args": [4]})
    b.fail_child(first, reason="ValueError: no")
    b.decision_started()
    attrs = decision_of(replay(Parent, b.events, INFO), "FailWorkflowExecution")
    assert attrs["reason"] == 'Workflow execution error in workflow-child: "ValueError: no"'
    assert_resume_matches_replay(Parent, b.events)


# -- continue-as-new ------------------------------------------------------------


def test_continue_as_new_decision_has_swf_shape():
    b = HistoryBuilder(input={"args": [0], "kwargs": {}}, tag_list=["x"])
    b.decision()
    done = b.schedule_activity("activity-decisions.inc-1", "decisions.inc", input={"args": [0], "kwargs": {}})
    b.complete_activity(done, result=1)
    b.decision_started()
    decisions = replay(Looping, b.events, INFO)
    assert [d["decisionType"] for d in decisions] == ["ContinueAsNewWorkflowExecution"]
    attrs = decision_of(decisions, "ContinueAsNewWorkflowExecution")
    assert set(attrs) <= CONTINUE_KEYS
    assert json.loads(attrs["input"])["args"] == [1]
    assert attrs["taskList"] == {"name": "tl"}
    assert attrs["executionStartToCloseTimeout"] == "7200"
    assert attrs["tagList"] == ["x"]
    assert attrs["childPolicy"] == "TERMINATE"
    assert attrs["workflowTypeVersion"] == "1"
    assert_resume_matches_replay(Looping, b.events)


# -- signals ----------------------------------------------------------------------


def test_signal_external_workflow_decision_has_swf_shape():
    b = HistoryBuilder()
    b.decision_started()
    decisions = replay(Signaller, b.events, INFO)
    attrs = decision_of(decisions, "SignalExternalWorkflowExecution")
    assert set(attrs) <= SIGNAL_KEYS
    assert attrs["workflowId"] == "other" and attrs["runId"] == "other-run" and attrs["signalName"] == "hello"
    assert json.loads(attrs["input"]) == {"args": [1], "kwargs": {"k": "v"}, "__propagate": True}


def test_a_signal_without_a_target_goes_to_the_execution_submitting_it_and_its_task_stays_as_built():
    b = HistoryBuilder()
    b.decision_started()
    first, second = (decision_of([d], "SignalExternalWorkflowExecution") for d in replay(PingsItself, b.events, INFO))
    assert (first["signalName"], first["workflowId"], first["runId"]) == ("ping", "wf-id", "run-id")
    assert (second["signalName"], second["workflowId"], second["runId"]) == ("pong", "wf-id", "run-id")
    other = ExecutionInfo(domain="d", workflow_id="other-id", run_id="other-run")
    (again, _) = replay(PingsItself, b.events, other)
    assert decision_of([again], "SignalExternalWorkflowExecution")["workflowId"] == "other-id"
    assert (PING_SELF.workflow_id, PING_SELF.run_id) == (None, None)


def test_the_signal_future_finishes_when_swf_says_the_execution_was_signaled():
    b = HistoryBuilder()
    completed = b.decision()
    initiated = b.add(
        "SignalExternalWorkflowExecutionInitiated",
        workflowId="other",
        runId="other-run",
        signalName="hello",
        input=json.dumps({"args": [1]}),
        decisionTaskCompletedEventId=completed,
    )
    started = b.decision_started()
    assert replay(Signaller, b.events, INFO) == []  # sent, not acknowledged yet: nothing to decide
    b.decision_completed(started)
    b.add(
        "ExternalWorkflowExecutionSignaled",
        initiatedEventId=initiated,
        workflowExecution={"workflowId": "other", "runId": "other-run"},
    )
    b.decision_started()
    assert decision_of(replay(Signaller, b.events, INFO), "CompleteWorkflowExecution")
    assert_resume_matches_replay(Signaller, b.events)


def _broadcaster_with_open_child():
    b = HistoryBuilder()
    b.decision()
    child_id = f"workflow-child-wf-id--{RUN_HASH}--1"
    initiated = b.start_child_workflow(child_id, CHILD_TYPE, "2", input={"args": [0]})
    b.start_child(initiated, run_id="child-run")
    return b, child_id


def test_a_propagating_signal_goes_on_to_started_children_first():
    b, child_id = _broadcaster_with_open_child()
    b.signal("news", {"args": ["hi"], "kwargs": {}, "__propagate": True}, external_workflow_id="someone")
    started = b.decision_started()
    decisions = replay(Broadcaster, b.events, INFO)
    assert [d["decisionType"] for d in decisions] == ["SignalExternalWorkflowExecution"]
    attrs = decision_of(decisions, "SignalExternalWorkflowExecution")
    assert (attrs["workflowId"], attrs["runId"], attrs["signalName"]) == (child_id, "child-run", "news")
    assert json.loads(attrs["input"]) == {"args": ["hi"], "kwargs": {}, "__propagate": True}
    # once initiated, it is not sent again
    completed = b.decision_completed(started)
    b.add(
        "SignalExternalWorkflowExecutionInitiated",
        workflowId=child_id,
        runId="child-run",
        signalName="news",
        input=attrs["input"],
        decisionTaskCompletedEventId=completed,
    )
    b.decision_started()
    assert replay(Broadcaster, b.events, INFO) == []
    assert_resume_matches_replay(Broadcaster, b.events)


def test_a_signal_without_propagate_or_from_the_child_itself_is_not_sent_back():
    b, child_id = _broadcaster_with_open_child()
    b.signal(
        "news",
        {"args": [], "kwargs": {}, "__propagate": True},
        external_workflow_id=child_id,
        external_run_id="child-run",
    )
    b.signal("other", {"args": [], "kwargs": {}})
    b.decision_started()
    assert replay(Broadcaster, b.events, INFO) == []
    assert_resume_matches_replay(Broadcaster, b.events)


# -- canvas continuation over a hand-built history --------------------------------


class Chained(Workflow):
    name = "wf"
    version = "1"
    task_list = "tl"

    def run(self):
        return self.submit(Chain((inc, 1), (inc,), send_result=True)).result


def test_a_chain_schedules_its_next_task_when_the_previous_completes():
    b = HistoryBuilder()
    b.decision()
    first = b.schedule_activity("activity-decisions.inc-1", "decisions.inc", input={"args": [1], "kwargs": {}})
    b.complete_activity(first, result=2)
    b.decision_started()
    attrs = decision_of(replay(Chained, b.events, INFO), "ScheduleActivityTask")
    assert attrs["activityId"] == "activity-decisions.inc-2"
    assert json.loads(attrs["input"]) == {"args": [2], "kwargs": {}}
    assert_resume_matches_replay(Chained, b.events)


@pytest.mark.parametrize(
    "attrs, message",
    [
        ({"child_policy": "terminate"}, "child_policy must be one of TERMINATE, REQUEST_CANCEL, ABANDON (or None)"),
        ({"tag_list": ["a", "b", "c", "d", "e", "f"]}, "tag_list has 6 tags, SWF takes 5 at most"),
        ({"tag_list": "nightly"}, "tag_list must be a list of tags (text of 256 characters at most), not 'nightly'"),
        ({"tag_list": ["x" * 257]}, "tag_list must be a list of tags (text of 256 characters at most)"),
    ],
)
def test_a_child_policy_or_tag_list_swf_refuses_is_refused_where_the_workflow_is_declared(attrs, message):
    """SWF refused the child's start with the whole decision task (the parent stuck) where the local host ran it."""
    with pytest.raises(ValueError, match="^workflow tests.engine.test_decision_shapes.Bad: ") as raised:
        type("Bad", (Workflow,), {"__module__": __name__, **attrs})
    assert message in str(raised.value)


def test_the_child_policies_and_tag_lists_swf_takes_are_taken():
    for attrs in ({"child_policy": "ABANDON", "tag_list": ["a"] * 5}, {"tag_list": Workflow.INHERIT_TAG_LIST}):
        type("Good", (Workflow,), attrs)
