"""SWF decisions, in the request shapes boto3's RespondDecisionTaskCompleted takes."""

from __future__ import annotations

from typing import Any


def _without_none(attrs: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in attrs.items() if v is not None}


def schedule_activity(
    activity_id: str,
    name: str,
    version: str,
    input: str,
    task_list: str | None,
    *,
    start_to_close: str | None = None,
    schedule_to_close: str | None = None,
    schedule_to_start: str | None = None,
    heartbeat: str | None = None,
    priority: Any = None,
    control: str | None = None,
) -> dict[str, Any]:
    attrs = _without_none(
        {
            "activityType": {"name": name, "version": version},
            "activityId": activity_id,
            "input": input,
            "control": control,
            "taskList": {"name": task_list} if task_list else None,
            "taskPriority": None if priority is None else str(priority),
            "startToCloseTimeout": start_to_close,
            "scheduleToCloseTimeout": schedule_to_close,
            "scheduleToStartTimeout": schedule_to_start,
            "heartbeatTimeout": heartbeat,
        }
    )
    return {"decisionType": "ScheduleActivityTask", "scheduleActivityTaskDecisionAttributes": attrs}


def request_cancel_activity(activity_id: str) -> dict[str, Any]:
    return {
        "decisionType": "RequestCancelActivityTask",
        "requestCancelActivityTaskDecisionAttributes": {"activityId": activity_id},
    }


def start_timer(timer_id: str, seconds: int | str, control: str | None = None) -> dict[str, Any]:
    attrs = _without_none({"timerId": timer_id, "startToFireTimeout": str(seconds), "control": control})
    return {"decisionType": "StartTimer", "startTimerDecisionAttributes": attrs}


def cancel_timer(timer_id: str) -> dict[str, Any]:
    return {"decisionType": "CancelTimer", "cancelTimerDecisionAttributes": {"timerId": timer_id}}


def record_marker(name: str, details: str | None) -> dict[str, Any]:
    attrs = _without_none({"markerName": name, "details": details})
    return {"decisionType": "RecordMarker", "recordMarkerDecisionAttributes": attrs}


def complete_workflow(result: str | None) -> dict[str, Any]:
    attrs = _without_none({"result": result})
    return {"decisionType": "CompleteWorkflowExecution", "completeWorkflowExecutionDecisionAttributes": attrs}


def fail_workflow(reason: str | None, details: str | None) -> dict[str, Any]:
    attrs = _without_none({"reason": reason, "details": details})
    return {"decisionType": "FailWorkflowExecution", "failWorkflowExecutionDecisionAttributes": attrs}


def cancel_workflow(details: str | None = None) -> dict[str, Any]:
    attrs = _without_none({"details": details})
    return {"decisionType": "CancelWorkflowExecution", "cancelWorkflowExecutionDecisionAttributes": attrs}


def start_child_workflow(
    workflow_id: str,
    name: str,
    version: str,
    input: str,
    *,
    task_list: str | None = None,
    execution_timeout: str | None = None,
    task_timeout: str | None = None,
    child_policy: str | None = None,
    tag_list: list[str] | None = None,
    priority: Any = None,
    control: str | None = None,
) -> dict[str, Any]:
    attrs = _without_none(
        {
            "workflowType": {"name": name, "version": version},
            "workflowId": workflow_id,
            "input": input,
            "control": control,
            "taskList": {"name": task_list} if task_list else None,
            "executionStartToCloseTimeout": execution_timeout,
            "taskStartToCloseTimeout": task_timeout,
            "childPolicy": child_policy,
            "tagList": tag_list or None,
            "taskPriority": None if priority is None else str(priority),
        }
    )
    return {"decisionType": "StartChildWorkflowExecution", "startChildWorkflowExecutionDecisionAttributes": attrs}


def signal_external_workflow(
    workflow_id: str, run_id: str | None, name: str, input: str | None, control: str | None = None
) -> dict[str, Any]:
    attrs = _without_none(
        {"workflowId": workflow_id, "runId": run_id, "signalName": name, "input": input, "control": control}
    )
    return {
        "decisionType": "SignalExternalWorkflowExecution",
        "signalExternalWorkflowExecutionDecisionAttributes": attrs,
    }


def continue_as_new(
    input: str,
    *,
    task_list: str | None = None,
    execution_timeout: str | None = None,
    task_timeout: str | None = None,
    child_policy: str | None = None,
    tag_list: list[str] | None = None,
    version: str | None = None,
    priority: Any = None,
) -> dict[str, Any]:
    attrs = _without_none(
        {
            "input": input,
            "taskList": {"name": task_list} if task_list else None,
            "executionStartToCloseTimeout": execution_timeout,
            "taskStartToCloseTimeout": task_timeout,
            "childPolicy": child_policy,
            "tagList": tag_list or None,
            "workflowTypeVersion": version,
            "taskPriority": None if priority is None else str(priority),
        }
    )
    return {
        "decisionType": "ContinueAsNewWorkflowExecution",
        "continueAsNewWorkflowExecutionDecisionAttributes": attrs,
    }


CLOSING_TYPES = frozenset(
    {"CompleteWorkflowExecution", "FailWorkflowExecution", "CancelWorkflowExecution", "ContinueAsNewWorkflowExecution"}
)
