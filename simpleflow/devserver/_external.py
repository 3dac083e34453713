"""Signals and cancel requests, sent by a decision to another execution or by a caller to one.

SWF's API reference: SignalExternalWorkflowExecution records SignalExternalWorkflowExecutionInitiated;
once delivered, the target gets WorkflowExecutionSignaled (with externalWorkflowExecution and
externalInitiatedEventId) and the sender ExternalWorkflowExecutionSignaled, which schedules a decision
task; a target that is not open gives SignalExternalWorkflowExecutionFailed with the cause
UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION. RequestCancelExternalWorkflowExecution goes the same way with
RequestCancelExternalWorkflowExecutionInitiated, WorkflowExecutionCancelRequested in the target,
ExternalWorkflowExecutionCancelRequested or RequestCancelExternalWorkflowExecutionFailed in the sender.
RequestCancelWorkflowExecution "records a WorkflowExecutionCancelRequested event in the currently
running workflow execution [...]. It is up to the decider to take appropriate actions when it receives
an execution history with this event." moto has the caller's signal only (and requires its input).
"""

from __future__ import annotations

from typing import Any

from simpleflow.devserver._events import ids, record


class ExternalMixin:
    """Signals and cancel requests in and out."""

    def signal(
        self,
        signal_name: str,
        workflow_input: str | None = None,
        external: dict[str, str] | None = None,
        initiated_event_id: int | None = None,
    ) -> None:
        attrs = {
            "signalName": signal_name,
            "input": workflow_input,
            "externalWorkflowExecution": external,
            "externalInitiatedEventId": initiated_event_id,
        }
        record(self, "WorkflowExecutionSignaled", attrs)
        self.schedule_decision_task()

    def request_cancel(
        self, external: dict[str, str] | None = None, initiated_event_id: int | None = None, cause: str | None = None
    ) -> None:
        attrs = {"externalWorkflowExecution": external, "externalInitiatedEventId": initiated_event_id, "cause": cause}
        record(self, "WorkflowExecutionCancelRequested", attrs)
        self.cancel_requested = True
        self.schedule_decision_task()

    def signal_external_workflow_execution(self, event_id: int, attributes: dict[str, Any]) -> None:
        initiated = record(
            self,
            "SignalExternalWorkflowExecutionInitiated",
            {
                "workflowId": attributes["workflowId"],
                "runId": attributes.get("runId"),
                "signalName": attributes["signalName"],
                "input": attributes.get("input"),
                "control": attributes.get("control"),
                "decisionTaskCompletedEventId": event_id,
            },
        )

        def deliver() -> None:
            target = self._open_target(attributes)
            if target is None:
                self._answer("SignalExternalWorkflowExecutionFailed", self._unknown(attributes, initiated, event_id))
                return
            target.signal(attributes["signalName"], attributes.get("input"), ids(self), initiated)
            self._answer(
                "ExternalWorkflowExecutionSignaled", {"workflowExecution": ids(target), "initiatedEventId": initiated}
            )

        self.after_decisions(deliver)

    def request_cancel_external_workflow_execution(self, event_id: int, attributes: dict[str, Any]) -> None:
        initiated = record(
            self,
            "RequestCancelExternalWorkflowExecutionInitiated",
            {
                "workflowId": attributes["workflowId"],
                "runId": attributes.get("runId"),
                "control": attributes.get("control"),
                "decisionTaskCompletedEventId": event_id,
            },
        )

        def deliver() -> None:
            target = self._open_target(attributes)
            if target is None:
                failed = self._unknown(attributes, initiated, event_id)
                self._answer("RequestCancelExternalWorkflowExecutionFailed", failed)
                return
            target.request_cancel(ids(self), initiated)
            self._answer(
                "ExternalWorkflowExecutionCancelRequested",
                {"workflowExecution": ids(target), "initiatedEventId": initiated},
            )

        self.after_decisions(deliver)

    def _open_target(self, attributes: dict[str, Any]) -> Any:
        target = self.domain.get_workflow_execution(
            attributes["workflowId"], run_id=attributes.get("runId") or None, raise_if_none=False
        )
        return target if target is not None and target.open else None

    @staticmethod
    def _unknown(attributes: dict[str, Any], initiated: int, event_id: int) -> dict[str, Any]:
        return {
            "workflowId": attributes["workflowId"],
            "runId": attributes.get("runId"),
            "cause": "UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION",
            "initiatedEventId": initiated,
            "decisionTaskCompletedEventId": event_id,
            "control": attributes.get("control"),
        }

    def _answer(self, event_type: str, attributes: dict[str, Any]) -> None:
        """The sender hears how its request went (unless it closed meanwhile), and decides again."""
        if self.open:
            record(self, event_type, attributes)
            self.schedule_decision_task()
