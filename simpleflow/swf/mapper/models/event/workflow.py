"""Events of the execution itself, of its child executions and of the executions it signals or cancels."""

from __future__ import annotations

from typing import ClassVar, TypedDict

from simpleflow.swf.mapper.models.event.base import Event, TaskList
from simpleflow.swf.mapper.models.event.compiler import CompiledEvent


class WorkflowType(TypedDict):
    name: str
    version: str


class WorkflowExecution(TypedDict):
    runId: str
    workflowId: str


class WorkflowExecutionEvent(Event):
    _type = "WorkflowExecution"

    initiated_event_id: int
    child_policy: str
    task_list: TaskList
    workflow_type: WorkflowType
    continued_execution_run_id: str | None
    execution_start_to_close_timeout: str | None
    lambda_role: str | None
    parent_initiated_event_id: int | None
    parent_workflow_execution: WorkflowExecution | None
    tag_list: list[str] | None
    task_priority: str | None
    task_start_to_close_timeout: str | None
    new_execution_run_id: str
    signal_name: str
    decision_task_completed_event_id: int
    result: str | None
    cause: str | None
    details: str | None
    reason: str | None
    timeout_type: str | None


_CLOSED = ("completed", "failed", "timed_out", "canceled", "terminated", "continued_as_new")
_OPEN = (
    "signaled",
    "cancel_requested",
    # a closing decision that failed: the execution goes on
    "complete_failed",
    "fail_failed",
    "cancel_failed",
    "continue_as_new_failed",
)


class CompiledWorkflowExecutionEvent(CompiledEvent):
    _type = "WorkflowExecution"
    states = ("started", *_OPEN, *_CLOSED)
    transitions: ClassVar[dict[str, tuple[str, ...]]] = {state: _OPEN + _CLOSED for state in ("started", *_OPEN)}
    initial_state = "started"


class ChildWorkflowExecutionEvent(Event):
    _type = "ChildWorkflowExecution"

    workflow_id: str
    workflow_type: WorkflowType
    initiated_event_id: int
    child_policy: str
    task_list: TaskList
    decision_task_completed_event_id: int
    cause: str
    workflow_execution: WorkflowExecution
    timeout_type: str


class CompiledChildWorkflowExecutionEvent(CompiledEvent):
    _type = "ChildWorkflowExecution"
    states = (
        "start_initiated",  # StartChildWorkflowExecution decided
        "start_failed",  # SWF could not start it
        "started",
        "completed",
        "failed",
        "timed_out",
        "canceled",
        "terminated",
    )
    transitions: ClassVar[dict[str, tuple[str, ...]]] = {
        "start_initiated": ("start_failed", "started"),
        "started": ("completed", "failed", "timed_out", "canceled", "terminated"),
    }
    initial_state = "start_initiated"


class ExternalWorkflowExecutionEvent(Event):
    _type = "ExternalWorkflowExecution"

    initiated_event_id: int
    workflow_id: str
    signal_name: str
    cause: str
    workflow_execution: WorkflowExecution


class CompiledExternalWorkflowExecutionEvent(CompiledEvent):
    _type = "ExternalWorkflowExecution"
    states = (
        "signal_execution_initiated",  # SignalExternalWorkflowExecution decided
        "execution_signaled",  # the signal reached the other execution
        "signal_execution_failed",
        "request_cancel_execution_initiated",  # RequestCancelExternalWorkflowExecution decided
        "execution_cancel_requested",  # the request reached the other execution
        "request_cancel_execution_failed",
    )
    transitions: ClassVar[dict[str, tuple[str, ...]]] = {
        "signal_execution_initiated": ("execution_signaled", "signal_execution_failed"),
        "request_cancel_execution_initiated": ("execution_cancel_requested", "request_cancel_execution_failed"),
    }
    initial_state = "signal_execution_initiated"
    initial_states = ("request_cancel_execution_initiated",)
