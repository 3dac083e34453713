"""Starting a workflow execution on SWF."""

from __future__ import annotations

import uuid
from typing import Any

from botocore.exceptions import ClientError

from simpleflow import format, jumbo
from simpleflow.constants import DEFAULT_CHILD_POLICY, DEFAULT_EXECUTION_TIMEOUT
from simpleflow.exceptions import UsageError
from simpleflow.swf import client

# SWF's longest execution: a year, in seconds.
MAX_EXECUTION_TIMEOUT = 365 * 24 * 3600
# What an execution gets when neither the command nor the workflow class says (and its type's defaults).
DEFAULT_TASK_LIST = "default"
DEFAULT_TASK_TIMEOUT = 300


class WorkflowIdInUse(UsageError):
    """An execution with that workflow id is open in the domain: SWF's WorkflowExecutionAlreadyStartedFault."""


def child_type_defaults(attributes: dict[str, Any]) -> dict[str, Any]:
    """The defaults to register a child's workflow type with, from its StartChildWorkflowExecution
    attributes: what the decision gives, else what a start of the class without options gives."""
    return {
        "default_task_list": (attributes.get("taskList") or {}).get("name") or DEFAULT_TASK_LIST,
        "default_execution_start_to_close_timeout": str(
            attributes.get("executionStartToCloseTimeout") or DEFAULT_EXECUTION_TIMEOUT
        ),
        "default_task_start_to_close_timeout": str(attributes.get("taskStartToCloseTimeout") or DEFAULT_TASK_TIMEOUT),
        "default_child_policy": attributes.get("childPolicy") or DEFAULT_CHILD_POLICY,
    }


def _seconds(value: str | int | None, option: str, maximum: int, none_ok: bool = False) -> int | str | None:
    """*value* as the whole number of seconds SWF wants (None stays None; ``NONE``, no limit, if *none_ok*)."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    if none_ok and text == "NONE":
        return text
    if not text.isdigit() or not 0 < int(text) <= maximum:
        raise UsageError(f"{option} {value!r}: expected a whole number of seconds from 1 to {maximum}")
    return int(text)


def check_durations(execution_timeout: str | int | None, decision_tasks_timeout: str | int | None) -> None:
    """UsageError when a timeout is not a whole number of seconds SWF accepts."""
    _seconds(execution_timeout, "--execution-timeout", MAX_EXECUTION_TIMEOUT)
    _seconds(decision_tasks_timeout, "--decision-tasks-timeout", MAX_EXECUTION_TIMEOUT, none_ok=True)


def input_text(workflow_class: type, input: dict[str, Any]) -> str:
    """The input an execution of *workflow_class* carries on SWF: *input* and the class path."""
    payload = dict(input)
    # The class path lets a decider serving several workflows find this one (simpleflow's convention).
    payload["__extra"] = {"class": f"{workflow_class.__module__}.{workflow_class.__qualname__}"}
    return format.dumps(payload)


def check_input(workflow_class: type, input: dict[str, Any]) -> None:
    """JumboFieldTooLarge when SWF would not take *input* (see :func:`start_workflow`); nothing is stored."""
    jumbo.check_fits(input_text(workflow_class, input), "input")


def start_workflow(
    domain: str,
    workflow_class: type,
    input: dict[str, Any],
    *,
    workflow_id: str | None = None,
    task_list: str | None = None,
    execution_timeout: str | int | None = None,
    tag_list: list[str] | None = None,
    decision_tasks_timeout: str | int | None = None,
) -> dict[str, str]:
    """Register the workflow type if needed and start an execution; return {"workflowId", "runId"}.

    Raises:
        UsageError: a timeout is not a whole number of seconds SWF accepts (checked before any request).
        WorkflowIdInUse: an execution with *workflow_id* is open in *domain*.
    """
    execution_timeout = _seconds(execution_timeout, "--execution-timeout", MAX_EXECUTION_TIMEOUT)
    decision_tasks_timeout = _seconds(
        decision_tasks_timeout, "--decision-tasks-timeout", MAX_EXECUTION_TIMEOUT, none_ok=True
    )
    client.check_domain(domain, to_start=True)
    name, version = workflow_class.name, workflow_class.version
    task_list = task_list or workflow_class.task_list or DEFAULT_TASK_LIST
    execution_timeout = execution_timeout or workflow_class.execution_timeout or DEFAULT_EXECUTION_TIMEOUT
    decision_tasks_timeout = decision_tasks_timeout or workflow_class.decision_tasks_timeout or DEFAULT_TASK_TIMEOUT
    client.ensure_workflow_type(
        domain,
        name,
        version,
        default_task_list=task_list,
        default_execution_start_to_close_timeout=str(execution_timeout),
        default_task_start_to_close_timeout=str(decision_tasks_timeout),
        default_child_policy=workflow_class.child_policy or DEFAULT_CHILD_POLICY,
    )
    if tag_list is None and isinstance(workflow_class.tag_list, list):
        tag_list = workflow_class.tag_list
    workflow_id = workflow_id or f"{name}-{uuid.uuid4().hex}"
    try:
        response = client.swf_client().start_workflow_execution(
            domain=domain,
            workflowId=workflow_id,
            workflowType={"name": name, "version": version},
            taskList={"name": task_list},
            input=jumbo.encode(input_text(workflow_class, input), "input"),
            executionStartToCloseTimeout=str(execution_timeout),
            taskStartToCloseTimeout=str(decision_tasks_timeout),
            childPolicy=workflow_class.child_policy or DEFAULT_CHILD_POLICY,
            tagList=tag_list or [],
        )
    except KeyboardInterrupt as stop:
        stop.start_sent = workflow_id  # type: ignore[attr-defined]  # the start may have reached SWF
        raise
    except ClientError as err:
        if client.error_code(err) == "WorkflowExecutionAlreadyStartedFault":
            raise WorkflowIdInUse(
                f"an execution with workflow id {workflow_id!r} is already open in domain {domain!r}: "
                "pick another --workflow-id, or terminate it"
            ) from None
        raise
    return {"workflowId": workflow_id, "runId": response["runId"]}
