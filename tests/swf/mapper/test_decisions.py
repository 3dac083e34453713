"""The object layer's decisions: the dicts RespondDecisionTaskCompleted takes, built by name of action."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from simpleflow.swf.mapper.models import ActivityType, Domain, WorkflowType
from simpleflow.swf.mapper.models.decision import (
    ActivityTaskDecision,
    ChildWorkflowExecutionDecision,
    ExternalWorkflowExecutionDecision,
    MarkerDecision,
    TimerDecision,
    WorkflowExecutionDecision,
)

DOMAIN = Domain("d")


def test_an_activity_is_scheduled_with_json_input_and_control_and_only_the_timeouts_given():
    decision = ActivityTaskDecision(
        "schedule",
        "activity-a-1",
        ActivityType(DOMAIN, "a", "1"),
        input={"args": [1]},
        control={"c": 2},
        task_timeout=60,
        task_priority=3,
    )
    assert decision == {
        "decisionType": "ScheduleActivityTask",
        "scheduleActivityTaskDecisionAttributes": {
            "activityId": "activity-a-1",
            "activityType": {"name": "a", "version": "1"},
            "input": '{"args":[1]}',
            "control": '{"c":2}',
            "startToCloseTimeout": "60",
            "taskPriority": "3",
        },
    }
    assert (decision.type, decision.attributes_key) == (
        "ScheduleActivityTask",
        "scheduleActivityTaskDecisionAttributes",
    )
    with pytest.raises(ValueError):
        ActivityTaskDecision("schedule", "x", ActivityType(DOMAIN, "a", "1"), task_priority="high")
    assert ActivityTaskDecision("request_cancel", "activity-a-1") == {
        "decisionType": "RequestCancelActivityTask",
        "requestCancelActivityTaskDecisionAttributes": {"activityId": "activity-a-1"},
    }


def test_timer_and_marker_decisions():
    assert TimerDecision("start", id="t", start_to_fire_timeout=5, control={"k": 1}) == {
        "decisionType": "StartTimer",
        "startTimerDecisionAttributes": {"timerId": "t", "startToFireTimeout": "5", "control": '{"k":1}'},
    }
    assert TimerDecision("cancel", id="t") == {
        "decisionType": "CancelTimer",
        "cancelTimerDecisionAttributes": {"timerId": "t"},
    }
    assert MarkerDecision("record", "m", details={"d": 1}) == {
        "decisionType": "RecordMarker",
        "recordMarkerDecisionAttributes": {"markerName": "m", "details": '{"d":1}'},
    }


def test_closing_decisions_of_the_execution():
    assert WorkflowExecutionDecision("complete", result={"r": 1}) == {
        "decisionType": "CompleteWorkflowExecution",
        "completeWorkflowExecutionDecisionAttributes": {"result": '{"r":1}'},
    }
    assert WorkflowExecutionDecision("fail", details="trace", reason="Boom") == {
        "decisionType": "FailWorkflowExecution",
        "failWorkflowExecutionDecisionAttributes": {"details": "trace", "reason": "Boom"},
    }
    assert WorkflowExecutionDecision("cancel") == {
        "decisionType": "CancelWorkflowExecution",
        "cancelWorkflowExecutionDecisionAttributes": {},
    }
    assert WorkflowExecutionDecision("continue_as_new", input={"a": 1}, task_list="tl") == {
        "decisionType": "ContinueAsNewWorkflowExecution",
        "continueAsNewWorkflowExecutionDecisionAttributes": {"input": '{"a":1}', "taskList": {"name": "tl"}},
    }


def test_child_and_external_execution_decisions():
    child = ChildWorkflowExecutionDecision("start", WorkflowType(DOMAIN, "child", "2"), "child-1", input={"x": 1})
    assert child == {
        "decisionType": "StartChildWorkflowExecution",
        "startChildWorkflowExecutionDecisionAttributes": {
            "childPolicy": "TERMINATE",
            "executionStartToCloseTimeout": "300",
            "taskStartToCloseTimeout": "300",
            "input": '{"x":1}',
            "workflowId": "child-1",
            "workflowType": {"name": "child", "version": "2"},
        },
    }
    assert ExternalWorkflowExecutionDecision("signal", "go", "other", input={"y": 2}) == {
        "decisionType": "SignalExternalWorkflowExecution",
        "signalExternalWorkflowExecutionDecisionAttributes": {
            "signalName": "go",
            "workflowId": "other",
            "input": '{"y":2}',
        },
    }
    assert ExternalWorkflowExecutionDecision("request_cancel", "other", run_id="r") == {
        "decisionType": "RequestCancelExternalWorkflowExecution",
        "requestCancelExternalWorkflowExecutionDecisionAttributes": {"workflowId": "other", "runId": "r"},
    }


def test_an_action_the_class_does_not_have_is_refused_and_no_action_gives_an_empty_decision():
    with pytest.raises(ValueError, match="'complete', 'cancel', 'fail', 'terminate' or 'continue_as_new'"):
        WorkflowExecutionDecision("explode")
    assert TimerDecision() == {}


def test_importing_the_layer_loads_nothing_until_a_module_of_it_is_used():
    code = "import json, sys, simpleflow.swf.mapper; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(json.loads(done.stdout))
    assert {m for m in loaded if m.startswith("simpleflow")} == {
        "simpleflow",
        "simpleflow.swf",
        "simpleflow.swf.mapper",
    }
    assert "botocore" not in loaded
