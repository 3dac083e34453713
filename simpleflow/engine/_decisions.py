"""SWF decisions, in the request shapes boto3's RespondDecisionTaskCompleted takes.

The first half builds one decision from plain values; the second builds the
decisions of the engine's commands and of the closing of a run from what
they hold (tasks, the history's start event).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from simpleflow import constants, format
from simpleflow.activity import ATTEMPT_KEY, HEARTBEAT_DETAILS_KEY, PRIORITY_NOT_SET
from simpleflow.engine._ids import workflow_type_name
from simpleflow.engine._patch import MARKER_PREFIX as PATCH_MARKER_PREFIX
from simpleflow.engine._repair import MARKER_PREFIX as REPAIR_MARKER_PREFIX
from simpleflow.history import OPEN, State
from simpleflow.workflow import Workflow, check_tag_list

if TYPE_CHECKING:
    from simpleflow.engine._commands import Command
    from simpleflow.history import History
    from simpleflow.task import ContinueAsNewWorkflowTask


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


def request_cancel_external_workflow(
    workflow_id: str, run_id: str | None, control: str | None = None
) -> dict[str, Any]:
    attrs = _without_none({"workflowId": workflow_id, "runId": run_id or None, "control": control})
    return {
        "decisionType": "RequestCancelExternalWorkflowExecution",
        "requestCancelExternalWorkflowExecutionDecisionAttributes": attrs,
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


# -- decisions of commands and of a run's end ----------------------------------------


def schedule_activity_for(
    command: Command,
    task_list: str | None,
    workflow_priority: Any,
    last_heartbeat_details: str | None = None,
    attempt: int = 1,
) -> dict[str, Any]:
    """The ScheduleActivityTask of an activity command.

    Args:
        command: the activity's command (its task and resolved arguments).
        task_list: a task list for every activity of the run (``standalone``), else None.
        last_heartbeat_details: the previous attempt's, when it timed out (passed in the input).
        attempt: the attempt's number (from 2 on, passed in the input as ``ATTEMPT_KEY``).
        workflow_priority: the workflow's ``task_priority``, used when neither the submit
            (``__priority``) nor the activity sets one.
    """
    act = command.task.activity
    if command.task.raw_input:  # NonPythonicActivityTask: the arguments themselves, for workers in other languages
        payload: Any = command.task.input_for(command.args, command.kwargs)
        if act.meta and isinstance(payload, dict):
            payload["meta"] = act.meta
    else:
        payload = {"args": list(command.args), "kwargs": command.kwargs}
        if act.meta:
            payload["meta"] = act.meta
        if last_heartbeat_details is not None:
            payload[HEARTBEAT_DETAILS_KEY] = last_heartbeat_details
        if attempt > 1:
            payload[ATTEMPT_KEY] = attempt
    priority = getattr(command.task, "priority", PRIORITY_NOT_SET)  # submit's __priority comes first
    if priority is PRIORITY_NOT_SET:
        priority = None if act.task_priority is PRIORITY_NOT_SET else act.task_priority
        if priority is None and workflow_priority is not None:
            priority = workflow_priority
    return schedule_activity(
        command.id,
        act.name,
        act.version,
        format.dumps(payload),
        task_list or act.task_list,
        start_to_close=act.task_start_to_close_timeout,
        schedule_to_close=act.task_schedule_to_close_timeout,
        schedule_to_start=act.task_schedule_to_start_timeout,
        heartbeat=act.task_heartbeat_timeout,
        priority=priority,
    )


def start_child_workflow_for(
    command: Command, parent_tag_list: list[str], run_task_list: str | None = None
) -> dict[str, Any]:
    """The StartChildWorkflowExecution of a child workflow command.

    Args:
        command: the child's command (its task and resolved arguments).
        parent_tag_list: the running execution's tags (a child with ``INHERIT_TAG_LIST`` takes them).
        run_task_list: a task list for every task of the run (``standalone``: its deciders poll only
            theirs), else None; as simpleflow does, it comes before the child's own.
    """
    task = command.task
    wf = task.workflow
    args, kwargs = command.args, command.kwargs
    # simpleflow's wire format: type ``module.ClassName``, a plain {"args", "kwargs"} input.
    payload: dict[str, Any] = {"args": list(args), "kwargs": kwargs}
    if wf.__dict__.get("child_type_name"):  # the type names no class: the input does, as a start's does
        payload["__extra"] = {"class": f"{wf.__module__}.{wf.__qualname__}"}
    task_list = run_task_list or task.workflow_task_list
    if not task_list and hasattr(wf, "get_task_list"):
        task_list = wf.get_task_list(wf, *args, **kwargs)
    tag_list = wf.get_tag_list(wf, *args, **kwargs) if hasattr(wf, "get_tag_list") else wf.tag_list
    if tag_list == Workflow.INHERIT_TAG_LIST:
        tag_list = parent_tag_list
    elif hasattr(wf, "get_tag_list"):  # a class's own tag_list was checked where it was declared
        check_tag_list(tag_list, f"{wf.__module__}.{wf.__qualname__}.get_tag_list()")
    timeout = getattr(wf, "execution_timeout", None)
    return start_child_workflow(
        command.id,
        workflow_type_name(wf),
        wf.version,
        format.dumps(payload),
        task_list=task_list or wf.task_list,
        execution_timeout=str(timeout) if timeout else None,
        task_timeout=str(wf.decision_tasks_timeout) if getattr(wf, "decision_tasks_timeout", None) else None,
        child_policy=getattr(wf, "child_policy", None),
        tag_list=tag_list,
    )


def continue_as_new_input(task: ContinueAsNewWorkflowTask) -> str:
    """The next run's input, encoded when ``run`` submits *task*, as an activity's is.

    Raises:
        TypeError: an argument JSON cannot encode (in ``run``: the failure names the user's line).
    """
    wf = task.workflow
    extra = {"class": f"{wf.__module__}.{wf.__qualname__}"}
    return format.dumps({"args": list(task.args), "kwargs": task.kwargs, "__extra": extra})


def continue_as_new_for(task: ContinueAsNewWorkflowTask, started: dict[str, Any], input: str) -> dict[str, Any]:
    """The ContinueAsNewWorkflowExecution of *task* with its encoded *input*; unset options are the running
    execution's (*started*)."""
    wf = task.workflow
    timeout = getattr(wf, "execution_timeout", None)
    return continue_as_new(
        input,
        task_list=(started.get("taskList") or {}).get("name") or wf.task_list,
        execution_timeout=str(timeout) if timeout else started.get("executionStartToCloseTimeout"),
        task_timeout=started.get("taskStartToCloseTimeout"),
        child_policy=started.get("childPolicy"),
        tag_list=started.get("tagList"),
        version=wf.version,
    )


def cancel_execution(history: History) -> list[dict[str, Any]]:
    """An accepted cancel request: cancel the open activities, then the execution."""
    out = [request_cancel_activity(r.id) for r in history.activities.values() if r.state in OPEN]
    out.append(cancel_workflow())
    return out


def with_wake_up(out: list[dict[str, Any]], history: History) -> list[dict[str, Any]]:
    """*out* plus the zero-second timer that brings the next decision task at once (unless one runs)."""
    timer = history.timers.get(constants.WAKE_UP_TIMER)
    if timer is None or timer.state is not State.STARTED:
        out.append(start_timer(constants.WAKE_UP_TIMER, 0))
    return out


def needs_wake_up(out: list[dict[str, Any]]) -> bool:
    """SWF starts no decision task for a marker or a timer cancellation: a wake-up timer must.

    (@cached, repair and patch markers have no future waiting on them, nor has a cancelled task's
    retry timer: they need none.)
    """
    return any(
        (
            d["decisionType"] == "CancelTimer"
            and not d["cancelTimerDecisionAttributes"]["timerId"].startswith(_SILENT_TIMERS)
        )
        or (
            d["decisionType"] == "RecordMarker"
            and not d["recordMarkerDecisionAttributes"]["markerName"].startswith(_SILENT_MARKERS)
        )
        for d in out
    )


# Markers no future waits on (the value is used at once).
_SILENT_MARKERS = ("simpleflow.cached:", REPAIR_MARKER_PREFIX, PATCH_MARKER_PREFIX)
# Timers whose cancellation no future waits on: the retry waits of a task cancelled between attempts.
_SILENT_TIMERS = (constants.RETRY_TIMER_PREFIX, constants.RETRY_POLICY_TIMER_PREFIX)


def propagated_signals(history: History, propagate_to_parent: bool) -> list[dict[str, Any]]:
    """simpleflow's signal propagation.

    A signal received with ``__propagate`` goes on to the parent (if *propagate_to_parent*) and to the
    started children, never back to its sender, once per signal name and workflow (the latest signal
    of each name counts).
    """
    if not history.signals:
        return []
    known: list[tuple[str | None, str | None]] = []
    parent = history.started.get("parentWorkflowExecution") or {}
    if parent.get("workflowId") and propagate_to_parent:
        known.append((parent["workflowId"], parent.get("runId")))
    known += [(r.id, r.run_id) for r in history.child_workflows.values() if r.state is State.STARTED]
    out = []
    for signal in history.signals.values():
        value = signal.input
        if not known or not isinstance(value, dict) or not value.get("__propagate"):
            continue
        name = signal.name
        done = {(r.workflow_id, r.run_id) for r in history.signaled_workflows.get(name, [])}
        done.add((signal.external_workflow_id, signal.external_run_id))
        payload = format.dumps(
            {"args": value.get("args") or [], "kwargs": value.get("kwargs") or {}, "__propagate": value["__propagate"]}
        )
        out += [signal_external_workflow(wid, rid, name, payload) for wid, rid in known if (wid, rid) not in done]
    return out
