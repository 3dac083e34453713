"""How each SWF event changes an execution's per-task records: the ``History`` methods, one per event kind.

``EventFolding`` is mixed into ``History`` (``_fold``): its methods read and write the history's state
(records, indexes by event id) and return which task the event touched. ``_fold`` maps event types to them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from simpleflow import format
from simpleflow.history._records import (
    FAILED_ATTEMPT,
    ActivityRecord,
    CancelFailure,
    CancelSentRecord,
    ChildWorkflowRecord,
    ClosingFailure,
    MarkerRecord,
    SignalRecord,
    SignalSentRecord,
    State,
    TimerRecord,
)

if TYPE_CHECKING:
    from simpleflow.history._fold import History

Touched = tuple[str, str] | None  # (kind, key) of the task an event changed

_intern = sys.intern
# Enum members as plain names: ``State.X`` is an attribute lookup through the enum's metaclass (slow on a
# path taken for every event).
_SCHEDULED, _STARTED, _COMPLETED = State.SCHEDULED, State.STARTED, State.COMPLETED


class EventFolding:
    """The event handlers of ``History`` (see the module docstring)."""

    # -- workflow execution ---------------------------------------------------

    def _execution_started(self: History, event: dict, a: dict) -> Touched:
        self.started = dict(a)
        self.started["input_value"] = format.loads(a.get("input"))
        self.started_timestamp = event.get("eventTimestamp")
        return None

    def _decision_started(self: History, event: dict, a: dict) -> Touched:
        self.started_decision_id = event["eventId"]
        self.started_decision_timestamp = event.get("eventTimestamp")
        return None

    def _decision_completed(self: History, event: dict, a: dict) -> Touched:
        self.completed_decision_id = event["eventId"]
        return None

    def _cancel_requested(self: History, event: dict, a: dict) -> Touched:
        self.cancel_requested = True
        self.cancel_requested_id = event["eventId"]
        return ("cancel", "")

    def _cancel_failed(self: History, event: dict, a: dict) -> Touched:
        self.cancel_failed = CancelFailure(a.get("cause"), a.get("decisionTaskCompletedEventId"))
        return None

    def _closing_failed(self: History, event: dict, a: dict) -> Touched:
        # SWF refused a closing decision (e.g. UNHANDLED_DECISION: new events arrived meanwhile).
        self.closing_decision_failures.append(ClosingFailure(event["eventType"], a.get("cause")))
        return ("closing_failed", event["eventType"])

    def _closed(self: History, event: dict, a: dict) -> Touched:
        if self.closed is None:  # a second one is an event after the first: ``extend`` refuses it
            self.closed = event["eventType"]
            self.closed_event_id = event["eventId"]
        return None

    # -- activities -------------------------------------------------------------

    def _activity_scheduled(self: History, event: dict, a: dict) -> Touched:
        activity_id = _intern(a["activityId"])  # shared with the engine's command of that task
        event_id = event["eventId"]
        activity_type = a["activityType"]
        text = a.get("input")
        if text:
            self.payload_chars += len(text)
        task_list = a.get("taskList")
        record = self.activities.get(activity_id)
        if record is None:
            # One call setting every field the event gives (a whole history is mostly this).
            record = self.activities[activity_id] = ActivityRecord(
                activity_id,
                event_id,
                _SCHEDULED,
                event_id,
                _intern(activity_type["name"]),  # one string for all its tasks (compacting keeps it)
                activity_type["version"],
                event_id,
                event.get("eventTimestamp"),
                text,
                task_list.get("name") if task_list else None,
                a.get("control"),
                a.get("decisionTaskCompletedEventId"),
            )
        else:  # scheduled again (a retry): the attempt count, the first event and the first input stay
            if record.scheduled_id is not None and text != record.input:
                self.first_inputs.setdefault(("activity", activity_id), record.input)
            record.state = _SCHEDULED
            record.name = _intern(activity_type["name"])
            record.version = activity_type["version"]
            record.scheduled_id = record.last_event_id = event_id
            record.scheduled_timestamp = event.get("eventTimestamp")
            record.input = text
            record.task_list = task_list.get("name") if task_list else None
            record.control = a.get("control")
            record.decision_task_completed_event_id = a.get("decisionTaskCompletedEventId")
        self._by_scheduled[event_id] = record
        return ("activity", activity_id)

    def _activity_schedule_failed(self: History, event: dict, a: dict) -> Touched:
        activity_id = a["activityId"]
        record = self.activities.get(activity_id)
        if record is None:
            record = self.activities[activity_id] = ActivityRecord(activity_id, event["eventId"])
        record.state = State.SCHEDULE_FAILED
        record.cause = a.get("cause")
        record.activity_type = dict(a.get("activityType") or {})
        record.schedule_failed_id = record.last_event_id = event["eventId"]
        return ("activity", activity_id)

    def _activity_started(self: History, event: dict, a: dict) -> Touched:
        record = self._by_scheduled.get(a.get("scheduledEventId"))
        if record is None:
            return None
        record.state = _STARTED
        record.started_id = record.last_event_id = event["eventId"]
        record.started_timestamp = event.get("eventTimestamp")
        record.identity = a.get("identity")
        return ("activity", record.id)

    @staticmethod
    def _activity_closed(state: State) -> Callable:
        def handle(history: History, event, a) -> Touched:
            record = history._by_scheduled.get(a.get("scheduledEventId"))
            if record is None:
                return None
            record.state = state
            record.closed_id = record.last_event_id = event["eventId"]
            record.closed_timestamp = event.get("eventTimestamp")
            if state is _COMPLETED:
                record.result = a.get("result")
                history._completed.append(record)
                history.payload_chars += len(record.result or "")
                return ("activity", record.id)
            record.details = a.get("details")
            if state is State.FAILED:
                record.reason = a.get("reason")
            elif state is State.TIMED_OUT:
                record.timeout_type = a.get("timeoutType")
            if state is not State.CANCELED:
                # simpleflow's count: 0 after the first failure, 1 after the second...
                record.retry = 0 if record.retry is None else record.retry + 1
            return ("activity", record.id)

        return handle

    def _activity_cancel_requested(self: History, event: dict, a: dict) -> Touched:
        # The task keeps its state (it may still complete): the request is noted on its record.
        record = self.activities.get(a.get("activityId"))
        if record is None:
            return None
        record.cancel_requested_id = event["eventId"]
        return ("activity", record.id)

    def _request_cancel_activity_failed(self: History, event: dict, a: dict) -> Touched:
        record = self.activities.get(a.get("activityId"))
        if record is None:
            return None
        record.request_cancel_failed_id = event["eventId"]
        record.request_cancel_failed_cause = a.get("cause")
        return ("activity", record.id)

    # -- timers ----------------------------------------------------------------

    def _timer_started(self: History, event: dict, a: dict) -> Touched:
        timer_id = a["timerId"]
        self.timers[timer_id] = TimerRecord(
            timer_id,
            State.STARTED,
            last_event_id=event["eventId"],
            start_to_fire_timeout=a.get("startToFireTimeout"),
            control=a.get("control"),
            started_event_id=event["eventId"],
            started_timestamp=event.get("eventTimestamp"),
            decision_task_completed_event_id=a.get("decisionTaskCompletedEventId"),
        )
        return ("timer", timer_id)

    @staticmethod
    def _timer_closed(state: State) -> Callable:
        def handle(history: History, event, a) -> Touched:
            timer_id = a["timerId"]
            record = history.timers.get(timer_id)
            if record is None:
                record = history.timers[timer_id] = TimerRecord(timer_id)
            record.state = state
            record.closed_event_id = record.last_event_id = event["eventId"]
            record.closed_timestamp = event.get("eventTimestamp")
            if "cause" in a:
                record.cause = a["cause"]
            if state is State.CANCELED:
                record.cancel_decision_task_completed_event_id = a.get("decisionTaskCompletedEventId")
            elif state is State.START_FAILED and record.decision_task_completed_event_id is None:
                record.decision_task_completed_event_id = a.get("decisionTaskCompletedEventId")
            return ("timer", timer_id)

        return handle

    def _cancel_timer_failed(self: History, event: dict, a: dict) -> Touched:
        # Only the cancellation failed: the timer keeps its state (started, or fired meanwhile).
        record = self.timers.get(a.get("timerId"))
        if record is None:
            return None
        record.cancel_failed_event_id = record.last_event_id = event["eventId"]
        record.cancel_failed_timestamp = event.get("eventTimestamp")
        record.cancel_failed_cause = a.get("cause")
        return ("timer", record.id)

    # -- markers and signals ---------------------------------------------------

    @staticmethod
    def _marker(state: State) -> Callable:
        def handle(history: History, event, a) -> Touched:
            name = a["markerName"]
            record = MarkerRecord(
                name, state, a.get("details"), a.get("cause"), event["eventId"], event.get("eventTimestamp")
            )
            history.markers.setdefault(name, []).append(record)
            return ("marker", name)

        return handle

    def _signaled(self: History, event: dict, a: dict) -> Touched:
        name = a["signalName"]
        external = a.get("externalWorkflowExecution") or {}
        record = SignalRecord(
            name,
            format.loads(a.get("input")),
            external.get("workflowId"),
            external.get("runId"),
            event["eventId"],
            event.get("eventTimestamp"),
            external_initiated_event_id=a.get("externalInitiatedEventId"),
        )
        self.signals[name] = record
        self.signal_lists.setdefault(name, []).append(record)
        return ("signal", name)

    def _external_signal_initiated(self: History, event: dict, a: dict) -> Touched:
        record = SignalSentRecord(
            a["signalName"],
            a.get("workflowId"),
            a.get("runId"),
            format.loads(a.get("input")),
            a.get("control"),
            event["eventId"],
            event["eventId"],
        )
        self._external_by_initiated[event["eventId"]] = record
        self.signaled_workflows.setdefault(a["signalName"], []).append(record)
        return ("external_signal", a["signalName"])

    @staticmethod
    def _external_signal_result(state: State) -> Callable:
        def handle(history: History, event, a) -> Touched:
            record = history._external_by_initiated.get(a.get("initiatedEventId"))
            if not isinstance(record, SignalSentRecord):
                return None
            record.state = state
            record.cause = a.get("cause")
            record.last_event_id = event["eventId"]
            return ("external_signal", record.name)

        return handle

    # -- cancel requests sent to other executions (children or any) -------------

    def _external_cancel_initiated(self: History, event: dict, a: dict) -> Touched:
        workflow_id = a.get("workflowId")
        event_id = event["eventId"]
        record = CancelSentRecord(workflow_id, a.get("runId") or None, a.get("control"), event_id, event_id)
        self._external_by_initiated[event["eventId"]] = record
        self.external_cancels.setdefault(workflow_id, []).append(record)
        return ("external_cancel", workflow_id)

    @staticmethod
    def _external_cancel_result(state: State) -> Callable:
        def handle(history: History, event, a) -> Touched:
            record = history._external_by_initiated.get(a.get("initiatedEventId"))
            if not isinstance(record, CancelSentRecord):
                return None
            record.state = state
            record.cause = a.get("cause")
            record.last_event_id = event["eventId"]
            return ("external_cancel", record.workflow_id)

        return handle

    # -- child workflows -------------------------------------------------------

    def _child_initiated(self: History, event: dict, a: dict) -> Touched:
        workflow_id = a["workflowId"]
        record = self.child_workflows.get(workflow_id)
        if record is None:
            record = self.child_workflows[workflow_id] = ChildWorkflowRecord(workflow_id, event["eventId"])
        text = a.get("input")
        if record.initiated_event_id is not None and text != record.input:  # started again with other arguments
            self.first_inputs.setdefault(("child_workflow", workflow_id), record.input)
        record.state = State.START_INITIATED
        record.name = a["workflowType"]["name"]
        record.version = a["workflowType"]["version"]
        record.input = text
        record.control = a.get("control")
        record.task_list = (a.get("taskList") or {}).get("name")
        record.initiated_event_id = record.last_event_id = event["eventId"]
        record.decision_task_completed_event_id = a.get("decisionTaskCompletedEventId")
        self._children_by_initiated[event["eventId"]] = record
        return ("child_workflow", workflow_id)

    def _child_start_failed(self: History, event: dict, a: dict) -> Touched:
        workflow_id = a["workflowId"]
        record = self.child_workflows.get(workflow_id)
        if record is None:
            record = self.child_workflows[workflow_id] = ChildWorkflowRecord(workflow_id, event["eventId"])
        record.state = State.START_FAILED
        record.cause = a.get("cause")
        record.name = a["workflowType"]["name"]
        record.version = a["workflowType"]["version"]
        record.last_event_id = event["eventId"]
        return ("child_workflow", workflow_id)

    @staticmethod
    def _child_event(state: State) -> Callable:
        def handle(history: History, event, a) -> Touched:
            record = history._children_by_initiated.get(a.get("initiatedEventId"))
            if record is None:
                return None
            record.state = state
            record.last_event_id = event["eventId"]
            if state is State.STARTED:
                record.started_id, record.started_timestamp = event["eventId"], event.get("eventTimestamp")
            else:
                record.closed_id, record.closed_timestamp = event["eventId"], event.get("eventTimestamp")
            execution = a.get("workflowExecution") or {}
            if execution.get("runId"):
                record.run_id = execution["runId"]
            if state is _COMPLETED:
                record.result = a.get("result")
            elif state is State.FAILED:
                record.reason, record.details = a.get("reason"), a.get("details")
            elif state is State.TIMED_OUT:
                record.timeout_type = a.get("timeoutType")
            elif state is State.CANCELED:
                record.details = a.get("details")
            if state in FAILED_ATTEMPT:
                # Each a failed attempt (the engine retries them), counted as an activity's failures are.
                # simpleflow 0.36 left canceled and terminated out: a child cancelled by someone else
                # was retried for ever, its count stuck.
                record.retry = 0 if record.retry is None else record.retry + 1
            return ("child_workflow", record.id)

        return handle
