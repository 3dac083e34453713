"""Decisions about executions: close or continue this one, start a child, signal or cancel another one."""

from __future__ import annotations

from typing import Any

from simpleflow.swf.mapper.models import _fields
from simpleflow.swf.mapper.models.decision.base import Decision, decision_action
from simpleflow.swf.mapper.models.workflow import CHILD_POLICIES, WorkflowType


class WorkflowExecutionDecision(Decision):
    """``WorkflowExecutionDecision("complete", result=...)``, ``("fail", details, reason)``, ``("cancel", details)``,
    ``("continue_as_new", ...)``; ``("terminate", ...)`` builds a ``TerminateWorkflowExecution`` decision,
    which SWF does not take (terminate with ``WorkflowExecution.terminate()``)."""

    _base_type = "WorkflowExecution"

    @decision_action
    def complete(self, result: Any = None) -> None:
        """Complete the execution with *result* (JSON)."""
        self.update_attributes({"result": _fields.result(result)})

    @decision_action
    def cancel(self, details: str | None = None) -> None:
        """Close the execution as canceled."""
        self.update_attributes({"details": _fields.details(details)})

    @decision_action
    def fail(self, details: str | None = None, reason: str | None = None) -> None:
        """Fail the execution with *reason* and *details* (texts)."""
        self.update_attributes({"details": _fields.details(details), "reason": _fields.reason(reason)})

    @decision_action
    def terminate(self, reason: str | None = None, details: str | None = None) -> None:
        self.update_attributes({"reason": _fields.reason(reason), "details": _fields.details(details)})

    @decision_action
    def continue_as_new(
        self,
        child_policy: str | None = None,
        execution_timeout: str | None = None,
        task_timeout: str | None = None,
        input: Any = None,
        tag_list: list[str] | None = None,
        task_list: str | None = None,
        task_priority: str | None = None,
        workflow_type_version: str | None = None,
    ) -> None:
        """Close the execution and start a new run of it with *input* (JSON); what is not given is kept."""
        self.update_attributes(
            {
                "childPolicy": child_policy,
                "executionStartToCloseTimeout": _text(execution_timeout),
                "taskStartToCloseTimeout": _text(task_timeout),
                "input": _fields.input(input) if input is not None else None,
                "tagList": tag_list,
                "taskList": {"name": task_list},
                "taskPriority": task_priority,
                "workflowTypeVersion": workflow_type_version,
            }
        )


class ChildWorkflowExecutionDecision(Decision):
    """``ChildWorkflowExecutionDecision("start", workflow_type, workflow_id, ...)``."""

    _base_type = "ChildWorkflowExecution"

    @decision_action
    def start(
        self,
        workflow_type: WorkflowType,
        workflow_id: str,
        child_policy: str = CHILD_POLICIES.TERMINATE,
        execution_timeout: str = "300",
        task_timeout: str = "300",
        control: Any = None,
        input: Any = None,
        tag_list: list[str] | None = None,
        task_list: str | None = None,
    ) -> None:
        """Start a child execution of *workflow_type* under *workflow_id*; *input* and *control* as JSON."""
        self.update_attributes(
            {
                "childPolicy": child_policy,
                "executionStartToCloseTimeout": _text(execution_timeout),
                "taskStartToCloseTimeout": _text(task_timeout),
                "control": _fields.control(control) if control is not None else None,
                "input": _fields.input(input) if input is not None else None,
                "tagList": tag_list,
                "taskList": {"name": task_list},
                "workflowId": workflow_id,
                "workflowType": {"name": workflow_type.name, "version": workflow_type.version},
            }
        )


class ExternalWorkflowExecutionDecision(Decision):
    """``ExternalWorkflowExecutionDecision("signal", signal_name, workflow_id, ...)`` or
    ``("request_cancel", workflow_id, ...)``."""

    _base_type = "ExternalWorkflowExecution"

    @decision_action
    def request_cancel(self, workflow_id: str, control: Any = None, run_id: str | None = None) -> None:
        """Ask another execution to cancel itself."""
        self.update_attributes(
            {
                "workflowId": workflow_id,
                "control": _fields.control(control) if control is not None else None,
                "runId": run_id,
            }
        )

    @decision_action
    def signal(
        self,
        signal_name: str,
        workflow_id: str,
        control: Any = None,
        input: Any = None,
        run_id: str | None = None,
    ) -> None:
        """Signal another execution with *input* (JSON)."""
        self.update_attributes(
            {
                "signalName": signal_name,
                "workflowId": workflow_id,
                "control": _fields.control(control) if control is not None else None,
                "input": _fields.input(input) if input is not None else None,
                "runId": run_id,
            }
        )


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
