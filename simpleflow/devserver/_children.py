"""Child workflows and continue-as-new, which moto does not carry out (NotImplementedError half-way).

SWF's API reference: a StartChildWorkflowExecution decision records StartChildWorkflowExecutionInitiated,
then the child's start gives the parent ChildWorkflowExecutionStarted, and its close
ChildWorkflowExecution{Completed,Failed,TimedOut,Canceled,Terminated}, each followed by a decision task.
StartChildWorkflowExecutionFailed: "When the cause is WORKFLOW_ALREADY_RUNNING, initiatedEventId is the
ID of the StartChildWorkflowExecutionInitiated event [...]. When the cause isn't
WORKFLOW_ALREADY_RUNNING, initiatedEventId is set to 0 because the StartChildWorkflowExecutionInitiated
event doesn't exist." The child policy is "the policy to use for the child workflow executions if this
execution gets terminated by explicitly calling the TerminateWorkflowExecution action or due to an
expired timeout" (TERMINATE, REQUEST_CANCEL or ABANDON); a run that completes, fails, is canceled or
continues as new leaves its children running.
ContinueAsNewWorkflowExecution closes the run (WorkflowExecutionContinuedAsNew, with the newExecutionRunId)
and starts a new run of the same workflow id whose WorkflowExecutionStarted names the
continuedExecutionRunId; the new run is its parent's child in its place. Options the decision leaves out
are the workflow type's defaults ("This policy overrides the default child policy specified when
registering the workflow type").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from simpleflow.devserver._events import ids, record, workflow_type

_CLOSE_EVENTS = {
    "COMPLETED": ("ChildWorkflowExecutionCompleted", ("result",)),
    "FAILED": ("ChildWorkflowExecutionFailed", ("reason", "details")),
    "CANCELED": ("ChildWorkflowExecutionCanceled", ("details",)),
    "TERMINATED": ("ChildWorkflowExecutionTerminated", ()),
    "TIMED_OUT": ("ChildWorkflowExecutionTimedOut", ("timeoutType",)),
}


@dataclass(slots=True)
class Child:
    """A child of an execution: its latest run, and the parent's ChildWorkflowExecutionStarted event."""

    execution: Any
    started_event_id: int | None = None


def _settings(domain: Any, attributes: dict[str, Any], type_name: str, version: str) -> tuple[Any, dict, str | None]:
    """The workflow type, the options of the new execution (the type's defaults filling in), and the cause
    that refuses it (None: none)."""
    found = domain.get_type("workflow", type_name, version, ignore_empty=True)
    if found is None:
        return None, {}, "WORKFLOW_TYPE_DOES_NOT_EXIST"
    if found.status == "DEPRECATED":
        return found, {}, "WORKFLOW_TYPE_DEPRECATED"
    options = {
        "task_list": (attributes.get("taskList") or {}).get("name") or found.task_list,
        "execution_start_to_close_timeout": attributes.get("executionStartToCloseTimeout")
        or found.default_execution_start_to_close_timeout,
        "task_start_to_close_timeout": attributes.get("taskStartToCloseTimeout")
        or found.default_task_start_to_close_timeout,
        "child_policy": attributes.get("childPolicy") or found.default_child_policy,
        "task_priority": attributes.get("taskPriority") or found.default_task_priority,
    }
    for key, cause in (
        ("execution_start_to_close_timeout", "DEFAULT_EXECUTION_START_TO_CLOSE_TIMEOUT_UNDEFINED"),
        ("task_list", "DEFAULT_TASK_LIST_UNDEFINED"),
        ("task_start_to_close_timeout", "DEFAULT_TASK_START_TO_CLOSE_TIMEOUT_UNDEFINED"),
        ("child_policy", "DEFAULT_CHILD_POLICY_UNDEFINED"),
    ):
        if not options[key]:
            return found, options, cause
    return found, options, None


def _option_attributes(options: dict[str, Any], attributes: dict[str, Any]) -> dict[str, Any]:
    return {
        "input": attributes.get("input"),
        "executionStartToCloseTimeout": options["execution_start_to_close_timeout"],
        "taskList": {"name": options["task_list"]},
        "taskPriority": options["task_priority"],
        "taskStartToCloseTimeout": options["task_start_to_close_timeout"],
        "childPolicy": options["child_policy"],
        "tagList": attributes.get("tagList"),
    }


class ChildrenMixin:
    """Starting children, hearing of their close, child policies, continue-as-new."""

    def start_child_workflow_execution(self, event_id: int, attributes: dict[str, Any]) -> None:
        wtype = attributes["workflowType"]
        common = {
            "workflowId": attributes["workflowId"],
            "workflowType": wtype,
            "control": attributes.get("control"),
            "decisionTaskCompletedEventId": event_id,
        }
        found, options, cause = _settings(self.domain, attributes, wtype["name"], wtype["version"])
        if cause is not None:
            record(self, "StartChildWorkflowExecutionFailed", dict(common, cause=cause, initiatedEventId=0))
            self.should_schedule_decision_next = True
            return
        initiated = record(
            self, "StartChildWorkflowExecutionInitiated", dict(common, **_option_attributes(options, attributes))
        )
        self.after_decisions(lambda: self._start_child(initiated, common, found, options, attributes))

    def _start_child(
        self, initiated: int, common: dict[str, Any], found: Any, options: dict[str, Any], attributes: dict[str, Any]
    ) -> None:
        if self.domain.get_workflow_execution(common["workflowId"], raise_if_none=False) is not None:
            if self.open:
                failed = dict(common, cause="WORKFLOW_ALREADY_RUNNING", initiatedEventId=initiated)
                record(self, "StartChildWorkflowExecutionFailed", failed)
                self.schedule_decision_task()
            return
        child = type(self)(
            self.domain,
            found,
            common["workflowId"],
            workflow_input=attributes.get("input"),
            tag_list=attributes.get("tagList"),
            parent_execution=self,
            parent_initiated_event_id=initiated,
            **options,
        )
        self.domain.add_workflow_execution(child)
        entry = self._children[initiated] = Child(child)
        child.start()
        if self.open:
            entry.started_event_id = record(
                self,
                "ChildWorkflowExecutionStarted",
                {"workflowExecution": ids(child), "workflowType": found.to_short_dict(), "initiatedEventId": initiated},
            )
            self.open_counts["openChildWorkflowExecutions"] += 1
            self.schedule_decision_task()

    def report_to_parent(self) -> None:
        """This run closed for good: the event its parent gets (if the parent is still open)."""
        parent = self.parent_execution
        if parent is None or not parent.open:
            return
        entry = parent._children.get(self.parent_initiated_event_id)
        event_type, keys = _CLOSE_EVENTS[self.close_status]
        attrs = {
            "workflowExecution": ids(self),
            "workflowType": workflow_type(self),
            "initiatedEventId": self.parent_initiated_event_id,
            "startedEventId": entry.started_event_id if entry is not None else None,
        }
        attrs.update({key: self.close_details.get(key) for key in keys})
        record(parent, event_type, attrs)
        parent.open_counts["openChildWorkflowExecutions"] -= 1
        parent.schedule_decision_task()

    def apply_child_policy(self, policy: str | None) -> None:
        """This run was terminated or timed out: *policy* goes to each child still open."""
        for entry in self._children.values():
            child = entry.execution
            if not child.open or policy not in ("TERMINATE", "REQUEST_CANCEL"):
                continue
            if policy == "TERMINATE":
                child.terminate(cause="CHILD_POLICY_APPLIED")
            else:
                child.request_cancel(cause="CHILD_POLICY_APPLIED")

    def continue_as_new(self, event_id: int, attributes: dict[str, Any]) -> None:
        version = attributes.get("workflowTypeVersion") or self.workflow_type.version
        found, options, cause = _settings(self.domain, attributes, self.workflow_type.name, version)
        if cause is not None:
            failed = {"cause": cause, "decisionTaskCompletedEventId": event_id}
            record(self, "ContinueAsNewWorkflowExecutionFailed", failed)
            self.should_schedule_decision_next = True
            return
        parent = self.parent_execution
        successor = type(self)(
            self.domain,
            found,
            self.workflow_id,
            workflow_input=attributes.get("input"),
            tag_list=attributes.get("tagList"),
            parent_execution=parent,
            parent_initiated_event_id=self.parent_initiated_event_id,
            continued_execution_run_id=self.run_id,
            **options,
        )
        attrs = _option_attributes(options, attributes)
        attrs.update(
            decisionTaskCompletedEventId=event_id,
            newExecutionRunId=successor.run_id,
            workflowType={"name": found.name, "version": found.version},
        )
        record(self, "WorkflowExecutionContinuedAsNew", attrs)
        self._close("CONTINUED_AS_NEW")
        self.domain.add_workflow_execution(successor)  # only now: an open run of the id would be refused
        if parent is not None and self.parent_initiated_event_id in parent._children:
            parent._children[self.parent_initiated_event_id].execution = successor
        successor.start()
