"""The runs a run's decisions start: a child (StartChildWorkflowExecution), or the run continuing it
(ContinueAsNewWorkflowExecution).

Each is a ``RunHost`` of the same family, running the workflow class its input names (else its type's
name), as a decider finds it. A child whose class does not load here is refused as SWF refuses a type it
does not know (StartChildWorkflowExecutionFailed, WORKFLOW_TYPE_DOES_NOT_EXIST); a child starts once its
parent's decision is recorded, as on the dev server.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from simpleflow import format
from simpleflow.constants import DEFAULT_CHILD_POLICY
from simpleflow.history import attributes
from simpleflow.runtime.loader import class_path, find_workflow_class
from simpleflow.runtime.outcome import CONTINUED_AS_NEW, FAILED

if TYPE_CHECKING:
    from simpleflow.local._run_host import RunHost

CANNOT_LOAD = (
    "cannot be loaded here, so the local host cannot start it (a workflow class must be importable by its "
    "module's name: not defined inside a function, nor in the script run as __main__)"
)


class ChildrenMixin:
    """Starting a child, continuing as new (RunHost's)."""

    def _do_ContinueAsNewWorkflowExecution(self: RunHost, a: dict[str, Any], completed_id: int) -> None:  # noqa: N802
        input = format.loads(a.get("input")) or {}
        next_run_id = uuid.uuid4().hex
        self._add(
            "WorkflowExecutionContinuedAsNew",
            dict(a, decisionTaskCompletedEventId=completed_id, newExecutionRunId=next_run_id),
        )
        outcome = self.close(CONTINUED_AS_NEW, result=input)
        successor = type(self)(
            self.family,
            _class_of(input) or self.workflow_class,
            input,
            workers=self.workers,
            workflow_id=self.workflow_id,
            tag_list=a.get("tagList", self.tag_list),
            parent=self.parent,
            parent_initiated_event_id=self.parent_initiated_event_id,
            run_id=next_run_id,
            previous=outcome,
            execution_timeout=a.get("executionStartToCloseTimeout"),
            task_list=(a.get("taskList") or {}).get("name"),
        )
        self.family.continued(self, successor)

    def _start_refused_before(self: RunHost, workflow_id: str, initiated: int) -> bool:
        """Whether a start of *workflow_id* before the one *initiated* was refused because its type was unknown."""
        return any(
            e["eventType"] == "StartChildWorkflowExecutionFailed"
            and attributes(e).get("workflowId") == workflow_id
            and attributes(e).get("cause") == "WORKFLOW_TYPE_DOES_NOT_EXIST"
            and e["eventId"] < initiated
            for e in self.events
        )

    def _do_StartChildWorkflowExecution(self: RunHost, a: dict[str, Any], completed_id: int) -> None:  # noqa: N802
        # SWF's event always has a childPolicy: the decision's, else the type's default (registered by the
        # decider with the decision's, else DEFAULT_CHILD_POLICY).
        policy = a.get("childPolicy") or DEFAULT_CHILD_POLICY
        initiated = self._add(
            "StartChildWorkflowExecutionInitiated",
            dict(a, childPolicy=policy, decisionTaskCompletedEventId=completed_id),
        )
        if not initiated:  # not recorded: the history is full
            return
        self.family.child_initiated(self, a["workflowId"])
        input = format.loads(a.get("input")) or {}
        child_class = _class_of(input, a["workflowType"]["name"])
        cause = None
        if child_class is None:
            cause = "WORKFLOW_TYPE_DOES_NOT_EXIST"
        if cause is not None:
            self._start_failed(a, cause, initiated, completed_id)
            if cause == "WORKFLOW_TYPE_DOES_NOT_EXIST" and self._start_refused_before(a["workflowId"], initiated):
                # The engine starts it again once, as a decider does after registering its type on SWF; here no
                # registration can make the class load: the run fails rather than trying for ever.
                what = class_path(input) or a["workflowType"]["name"]
                self.close(FAILED, reason=f"child workflow {a['workflowId']}: {what} {CANNOT_LOAD}")
            return
        self._after_decisions.append(lambda: self._start_child(a, child_class, input, initiated, completed_id))

    def _start_failed(self: RunHost, a: dict[str, Any], cause: str, initiated: int, completed_id: int) -> None:
        attrs = {"workflowId": a["workflowId"], "workflowType": a["workflowType"], "cause": cause}
        attrs.update(initiatedEventId=initiated, decisionTaskCompletedEventId=completed_id)
        self._add("StartChildWorkflowExecutionFailed", attrs)

    def _start_child(
        self: RunHost, a: dict[str, Any], child_class: type, input: Any, initiated: int, completed_id: int
    ) -> None:
        """Start the child a decision initiated, once the decision is recorded, as the dev server does (a parent
        the same decision closed hears nothing of it)."""
        if self.family.find_open(a["workflowId"]) is not None:
            if self.closed is None:
                self._start_failed(a, "WORKFLOW_ALREADY_RUNNING", initiated, completed_id)
            return
        # The child runs beside this run, driven by the family loop; its closing comes back here.
        child = type(self)(
            self.family,
            child_class,
            input,
            workers=self.workers,
            workflow_id=a["workflowId"],
            tag_list=a.get("tagList"),
            parent=self,
            parent_initiated_event_id=initiated,
            workflow_type=a["workflowType"],
            execution_timeout=a.get("executionStartToCloseTimeout"),
            task_list=(a.get("taskList") or {}).get("name"),
        )
        if self.closed is None:
            execution = {"workflowId": child.workflow_id, "runId": child.run_id}
            self._add(
                "ChildWorkflowExecutionStarted",
                {"initiatedEventId": initiated, "workflowExecution": execution, "workflowType": a["workflowType"]},
            )


def _class_of(input: dict[str, Any], type_name: str | None = None) -> type | None:
    """The workflow class a child's (or next run's) input names, else its type name (simpleflow's
    ``module.ClassName``), if it is a Workflow subclass that loads."""
    path = class_path(input)
    return (find_workflow_class(path) if path else None) or find_workflow_class(type_name)
