"""Decision tasks: where they are scheduled, when they time out, and what their answers do.

Every decision type of RespondDecisionTaskCompleted is carried out here, in order, by the execution's
method for it (moto's where moto has one); moto raises NotImplementedError half-way through an answer
for the six types it lacks, which leaves the execution without a decision task. What an answer
starts in other executions (children, signals, cancel requests) happens once the answer is recorded,
as SWF does it: asynchronously, after the decision task completed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.swf.exceptions import SWFValidationException

from simpleflow.devserver import _runtime, _validation
from simpleflow.devserver._events import record
from simpleflow.devserver._limit import terminated_at_limit
from simpleflow.devserver._tasks import DecisionTask

CLOSE_DECISIONS = (
    "CompleteWorkflowExecution",
    "FailWorkflowExecution",
    "CancelWorkflowExecution",
    "ContinueAsNewWorkflowExecution",
)
_UNSET = object()


def _attributes(decision: dict[str, Any]) -> dict[str, Any]:
    kind = decision["decisionType"]
    return decision.get(kind[0].lower() + kind[1:] + "DecisionAttributes") or {}


class DecisionsMixin:
    """Scheduling, starting, timing out and completing decision tasks."""

    # -- scheduling --------------------------------------------------------------

    def _schedule_decision_task(self) -> None:
        """Schedule a decision task, on the override list if an answer set one.

        SWF's API reference (RespondDecisionTaskCompleted): taskList is "The task list to use for the future
        decision tasks of this workflow execution. This list overrides the original task list you specified
        while starting the workflow execution." taskListScheduleToStartTimeout: "If a decision task scheduled
        on the override task list is not started within the timeout, the decision task will time out. Amazon
        SWF will revert the override and schedule a new decision task to the original task list."
        """
        if not self.open or any(t.state == "SCHEDULED" for t in self.decision_tasks):
            return  # SWF keeps at most one scheduled decision task per execution
        task_list, timeout = self.decision_task_list_override or (self.task_list, None)
        event_id = record(
            self,
            "DecisionTaskScheduled",
            {
                "taskList": {"name": task_list},
                "startToCloseTimeout": self.task_start_to_close_timeout,
                "scheduleToStartTimeout": timeout,
            },
        )
        task = DecisionTask(self, event_id, task_list, timeout)
        self._decision_tasks.append(task)
        self.domain.add_to_decision_task_list(task_list, task)
        self.open_counts["openDecisionTasks"] += 1
        self.watch(task.deadlines())

    def start_decision_task(self, task_token: str, identity: str | None = None) -> None:
        super().start_decision_task(task_token, identity=identity)
        task = self._find_decision_task(task_token)
        # SWF's API reference (DecisionTask): previousStartedEventId is "The ID of the DecisionTaskStarted event
        # of the previous decision task of this workflow execution that was processed by the decider". moto
        # gives the last one started, a task that timed out included: its events would look seen.
        task.previous_started_event_id = self.processed_started_event_id
        self.watch(task.deadlines())

    def startable_decision_task(self) -> DecisionTask | None:
        """The scheduled decision task a poll may take (none while another one is started)."""
        task = None
        for candidate in self.decision_tasks:
            if candidate.state == "STARTED":
                return None
            if candidate.state == "SCHEDULED":
                task = candidate
        return task if self.open else None

    def wake_decision_pollers(self) -> None:
        task = self.startable_decision_task()
        if task is not None:
            _runtime.current().waiters.wake(("decision", self.domain.name, task.task_list))

    def timeout_decision_task(self, timeout: Any) -> None:
        task = timeout.obj
        task.timeout(timeout)
        attrs = {"scheduledEventId": task.scheduled_event_id, "timeoutType": timeout.kind}
        # startedEventId is required by SWF's shape; a task that never started gives 0.
        attrs["startedEventId"] = task.started_event_id or 0
        record(self, "DecisionTaskTimedOut", attrs, timestamp=timeout.timestamp)
        self.open_counts["openDecisionTasks"] -= 1  # moto forgets it: a later CancelWorkflowExecution would fail
        if timeout.kind == "SCHEDULE_TO_START":
            self.decision_task_list_override = None  # "Amazon SWF will revert the override"

    # -- answers -------------------------------------------------------------------

    def validate_decisions(self, decisions: list[dict[str, Any]]) -> None:
        for decision in decisions[:-1]:
            if decision.get("decisionType") == "ContinueAsNewWorkflowExecution":
                raise SWFValidationException("Close must be last decision in list")
        super().validate_decisions(decisions)

    def complete_decision_task(
        self,
        task_token: str,
        decisions: list[dict[str, Any]] | None = None,
        execution_context: str | None = None,
        task_list_override: Any = _UNSET,
    ) -> None:
        self.validate_decisions(decisions or [])  # a refused answer changes nothing, its override included
        if task_list_override is not _UNSET and task_list_override is not None:
            name, timeout = task_list_override
            # Naming the original list ends the override; an answer without taskList leaves it as it is.
            self.decision_task_list_override = None if name == self.task_list else (name, timeout)
        self._after_decisions = []
        super().complete_decision_task(task_token, decisions=decisions, execution_context=execution_context)
        self.processed_started_event_id = self._find_decision_task(task_token).started_event_id
        after, self._after_decisions = self._after_decisions, []
        for step in after:
            if terminated_at_limit(self):  # nothing it started elsewhere starts
                break
            step()
        self.wake_decision_pollers()

    def after_decisions(self, step: Callable[[], None]) -> None:
        """Do *step* once the answer being handled is recorded (what SWF does asynchronously)."""
        self._after_decisions.append(step)

    def handle_decisions(self, event_id: int, decisions: list[dict[str, Any]]) -> None:
        handlers: dict[str, Callable[[int, dict[str, Any]], None]] = {
            "ScheduleActivityTask": self.schedule_activity_task,
            "RequestCancelActivityTask": self.request_cancel_activity_task,
            "RecordMarker": self.record_marker,
            "StartTimer": self.start_timer,
            "CancelTimer": lambda eid, a: self.cancel_timer(eid, a["timerId"]),
            "StartChildWorkflowExecution": self.start_child_workflow_execution,
            "SignalExternalWorkflowExecution": self.signal_external_workflow_execution,
            "RequestCancelExternalWorkflowExecution": self.request_cancel_external_workflow_execution,
            "ScheduleLambdaFunction": self.schedule_lambda_function,
            "CompleteWorkflowExecution": lambda eid, a: self.complete(eid, a.get("result")),
            "FailWorkflowExecution": lambda eid, a: self.fail(eid, a.get("details"), a.get("reason")),
            "CancelWorkflowExecution": lambda eid, a: self.cancel(eid, a.get("details")),
            "ContinueAsNewWorkflowExecution": self.continue_as_new,
        }
        for decision in decisions:
            if not self.open:  # DecisionTaskCompleted, or a decision's event, filled its history (_limit)
                break
            kind = decision["decisionType"]
            if kind in CLOSE_DECISIONS and any(t.state == "SCHEDULED" for t in self.decision_tasks):
                # A close decision while events came in since the task started (a decision task is scheduled
                # for them): SWF refuses it with the cause UNHANDLED_DECISION, so the decider sees them first.
                attrs = {"cause": "UNHANDLED_DECISION", "decisionTaskCompletedEventId": event_id}
                record(self, kind + "Failed", attrs)
                continue
            attributes = _attributes(decision)
            if _validation.bad_value(kind, attributes) is not None:
                # A duration or a priority SWF takes in no form ("5m", "high"): this decision fails alone, before
                # anything of it is recorded (see _validation.bad_value for the reference's words); the others
                # are carried out.
                record(self, kind + "Failed", _validation.failed_event_attributes(kind, attributes, event_id))
                self.should_schedule_decision_next = True
                continue
            handlers[kind](event_id, attributes)
        self.open_counts["openDecisionTasks"] -= 1

    def schedule_lambda_function(self, event_id: int, attributes: dict[str, Any]) -> None:
        # Lambda tasks are out of the dev server's scope: refused as in a region without Lambda.
        attrs = {
            "id": attributes.get("id"),
            "name": attributes.get("name"),
            "cause": "LAMBDA_SERVICE_NOT_AVAILABLE_IN_REGION",
            "decisionTaskCompletedEventId": event_id,
        }
        record(self, "ScheduleLambdaFunctionFailed", attrs)
        self.should_schedule_decision_next = True
