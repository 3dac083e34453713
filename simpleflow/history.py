"""An execution's SWF history folded into per-task state, one event at a time.

``History.apply(event)`` takes events in the shapes GetWorkflowExecutionHistory
and PollForDecisionTask return (plain dicts) and keeps, per task, a small dict
of its latest state (the keys simpleflow's history exposes: ``state``, ``id``,
``input``, ``result``, ``reason``, ``retry``...). It returns which task the
event touched, so the engine only looks at what changed. New event types are
handled by adding a method to ``History._handlers``.

``History(events, attempts=True)`` also keeps each task's tries (``attempts``:
the events that scheduled, started and closed each one, simpleflow.attempt),
which inspection reports; the engine does without (a cached run keeps less).

``compact(reload)`` keeps a history small while it waits in a decider's run
cache: the raw events go, and so do the fields of completed activities that
resuming never reads (their input, timestamps, worker identity...). Whoever
needs them (``events``, a hook's view, ``expand()``) gets them back exactly:
*reload* gives the execution's events again (the decider fetches them from
SWF) and they are folded anew. A history a hook read whole (``keep_whole``) is
not compacted again: the hook reads it at every decision.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from typing import Any

from simpleflow import format
from simpleflow.attempt import Attempt, AttemptLog
from simpleflow.swf_events import CLOSING_EVENTS, attributes_key

Record = dict[str, Any]
Touched = tuple[str, str] | None  # (kind, key) of the task an event changed
Reload = Callable[[], list[dict[str, Any]]]

# What a compacted completed activity keeps: all that resolving its command again reads.
# Five keys: the smallest dict table (``tasks`` and hooks, which read the others, expand first).
_COMPACT_ACTIVITY_KEYS = ("id", "state", "name", "result", "last_event_id", "retry")


class HistoryUnavailable(BaseException):  # noqa: N818 - named for what it says, like Abandoned
    """A compacted history's events could not be reloaded; *error* says why.

    A BaseException, so that workflow code (a hook reading the history) cannot swallow it: the run
    stops and the host sees *error* (the decision task is left to time out and come back).
    """

    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


class History:
    """Per-task state of one workflow execution, built incrementally.

    Args:
        events: events to fold in at once.
        attempts: keep every try of each task too (``attempts``), for inspection.
    """

    def __init__(self, events: Iterable[dict[str, Any]] = (), *, attempts: bool = False) -> None:
        self._events: list[dict[str, Any]] = []
        self._dropped = 0  # events 1.._dropped are not held (compact): _reload gives them back
        self._dropped_last_id = 0
        self._reload: Reload | None = None
        self._completed: list[Record] = []  # activity records completed since the last compact
        self.payload_chars = 0  # characters of activity inputs and results folded in (sizes a cached run)
        self.compacted_records = 0  # activity records cut down by compact (sizes a cached run)
        self.kept_whole = False  # a hook read the whole history (``keep_whole``): compact lets nothing go
        self.started: Record = {}  # WorkflowExecutionStarted attributes
        self.activities: dict[str, Record] = {}
        self.child_workflows: dict[str, Record] = {}
        self.timers: dict[str, Record] = {}
        self.markers: dict[str, list[Record]] = {}
        self.signals: dict[str, Record] = {}  # latest signal of each name
        self.signal_lists: dict[str, list[Record]] = {}
        self.signaled_workflows: dict[str, list[Record]] = {}
        self.external_cancels: dict[str, list[Record]] = {}  # workflow id -> the cancel requests sent to it
        self.cancel_requested = False
        self.cancel_requested_id: int | None = None
        self.cancel_failed: Record | None = None
        self.completed_decision_id = 0  # last DecisionTaskCompleted
        self.started_decision_id = 0  # last DecisionTaskStarted
        self.started_decision_timestamp: Any = None  # its eventTimestamp (Workflow.now())
        self.closed: str | None = None  # the closing event type, once closed
        self.closing_decision_failures: list[Record] = []
        self._by_scheduled: dict[int, Record] = {}
        self._children_by_initiated: dict[int, Record] = {}
        self._external_by_initiated: dict[int, Record] = {}
        # (kind, id) -> the tries of each activity, child workflow and timer (kept with ``attempts=True``)
        self.attempts: dict[tuple[str, str], list[Attempt]] = {}
        self._attempt_log = AttemptLog(self.attempts) if attempts else None
        for event in events:
            self.apply(event)

    @property
    def events(self) -> list[dict[str, Any]]:
        """Every event folded in, in order (a compacted history reloads them first: see ``expand``)."""
        if self._dropped:
            self.expand()
        return self._events

    @property
    def last_event_id(self) -> int:
        return self._events[-1]["eventId"] if self._events else self._dropped_last_id

    @property
    def event_count(self) -> int:
        """How many events were folded in (held or not)."""
        return self._dropped + len(self._events)

    @property
    def held_events(self) -> int:
        """How many of them are held as raw events (the others were let go by ``compact``)."""
        return len(self._events)

    @property
    def compacted(self) -> bool:
        """Some events or fields are let go: ``expand`` brings them back."""
        return self._dropped > 0

    def compact(self, reload: Reload) -> None:
        """Let the raw events and the unused fields of completed activities go; *reload* gives the events back.

        Costs only what changed since the last call. *reload* returns the execution's history from
        its first event (events after those folded in are ignored), jumbo fields decoded as they were.
        Does nothing once ``keep_whole`` was called.
        """
        if self.kept_whole:
            return
        self._reload = reload
        if self._events:
            self._dropped_last_id = self._events[-1]["eventId"]
            self._dropped += len(self._events)
            self._events = []
        by_scheduled = self._by_scheduled
        closed = 0
        for record in self._completed:
            if record["state"] != "completed":
                continue  # scheduled again since
            closed += by_scheduled.pop(record.get("scheduled_id"), None) is not None  # no event names it again
            kept = {key: record[key] for key in _COMPACT_ACTIVITY_KEYS if key in record}
            record.clear()
            record.update(kept)
            self.compacted_records += 1
        self._completed = []
        if closed > len(by_scheduled):  # a dict never shrinks by itself
            self._by_scheduled = dict(by_scheduled)

    def expand(self) -> None:
        """Undo ``compact``: reload the events and fold them again, so every record is whole.

        Records keep their identity (they are refilled in place), so nothing holding one sees it change.

        Raises:
            HistoryUnavailable: the events could not be reloaded, or do not continue those folded in.
        """
        if not self._dropped:
            return
        try:
            loaded = self._reload() if self._reload is not None else []
        except Exception as err:
            raise HistoryUnavailable(err) from err
        old = [e for e in loaded if e["eventId"] <= self._dropped_last_id]
        if len(old) != self._dropped or any(e["eventId"] != i for i, e in enumerate(old, start=1)):
            error = RuntimeError(
                f"the reloaded history has {len(old)} events up to event {self._dropped_last_id}, "
                f"{self._dropped} were folded in"
            )
            raise HistoryUnavailable(error)
        fresh = History(old + self._events)
        for mine, theirs in ((self.activities, fresh.activities), (self.child_workflows, fresh.child_workflows)):
            for key, record in mine.items():
                record.clear()
                record.update(theirs[key])
        self._by_scheduled = {k: self.activities[r["id"]] for k, r in fresh._by_scheduled.items()}
        self._events = fresh._events
        self._dropped = 0
        self.compacted_records = 0
        # Whole again: the next compact cuts them anew (else a run expanded once would stay whole).
        self._completed = [r for r in self.activities.values() if r["state"] == "completed"]

    def keep_whole(self) -> None:
        """Expand, and stay whole from now on: a hook reads the whole history (it will at the next
        decision too), so compacting it again would only have it reloaded (fetched from SWF) each time."""
        self.kept_whole = True
        self.expand()

    @property
    def tasks(self) -> list[Record]:
        """Activities and child workflows, in the order they were first scheduled."""
        self.keep_whole()
        found = list(self.activities.values()) + list(self.child_workflows.values())
        return sorted(found, key=lambda r: r.get("first_event_id", 0))

    def apply(self, event: dict[str, Any]) -> Touched:
        """Fold one event in; return (kind, key) of the task it touched, if any."""
        self._events.append(event)
        if self._attempt_log is not None:
            self._attempt_log.apply(event)
        entry = _HANDLERS.get(event["eventType"])
        if entry is None:
            return None
        handler, key = entry
        return handler(self, event, event.get(key) or {})

    def extend(self, events: Iterable[dict[str, Any]]) -> None:
        """Fold many events in (``apply`` without its answer, for a whole history at once)."""
        events = events if isinstance(events, list) else list(events)
        if self._attempt_log is not None:
            for event in events:
                self._attempt_log.apply(event)
        append = self._events.append
        handlers = _HANDLERS
        for event in events:
            append(event)
            etype = event["eventType"]
            # Half of a history is decision task events: kept out of the handler calls.
            if etype == "DecisionTaskCompleted":
                self.completed_decision_id = event["eventId"]
            elif etype == "DecisionTaskStarted":
                self.started_decision_id = event["eventId"]
                self.started_decision_timestamp = event.get("eventTimestamp")
            elif etype != "DecisionTaskScheduled":
                entry = handlers.get(etype)
                if entry is not None:
                    entry[0](self, event, event.get(entry[1]) or {})

    # -- workflow execution ---------------------------------------------------

    def _execution_started(self, event, a) -> Touched:
        self.started = dict(a)
        self.started["input_value"] = format.loads(a.get("input"))
        return None

    def _decision_started(self, event, a) -> Touched:
        self.started_decision_id = event["eventId"]
        self.started_decision_timestamp = event.get("eventTimestamp")
        return None

    def _decision_completed(self, event, a) -> Touched:
        self.completed_decision_id = event["eventId"]
        return None

    def _cancel_requested(self, event, a) -> Touched:
        self.cancel_requested = True
        self.cancel_requested_id = event["eventId"]
        return ("cancel", "")

    def _cancel_failed(self, event, a) -> Touched:
        self.cancel_failed = {
            "cause": a.get("cause"),
            "decision_task_completed_event_id": a.get("decisionTaskCompletedEventId"),
        }
        return None

    def _closing_failed(self, event, a) -> Touched:
        # SWF refused a closing decision (e.g. UNHANDLED_DECISION: new events arrived meanwhile).
        self.closing_decision_failures.append({"type": event["eventType"], "cause": a.get("cause")})
        return ("closing_failed", event["eventType"])

    def _closed(self, event, a) -> Touched:
        self.closed = event["eventType"]
        return None

    # -- activities -------------------------------------------------------------

    def _activity_scheduled(self, event, a) -> Touched:
        activity_id = sys.intern(a["activityId"])  # shared with the engine's command of that task
        event_id = event["eventId"]
        activity_type = a["activityType"]
        self.payload_chars += len(a.get("input") or "")
        scheduled = {
            "state": "scheduled",
            "name": sys.intern(activity_type["name"]),  # one string for all its tasks (a compacted record keeps it)
            "version": activity_type["version"],
            "scheduled_id": event_id,
            "scheduled_timestamp": event.get("eventTimestamp"),
            "input": a.get("input"),
            "task_list": (a.get("taskList") or {}).get("name"),
            "control": a.get("control"),
            "decision_task_completed_event_id": a.get("decisionTaskCompletedEventId"),
            "last_event_id": event_id,
        }
        record = self.activities.get(activity_id)
        if record is None:
            record = self.activities[activity_id] = {
                "type": "activity",
                "id": activity_id,
                "first_event_id": event_id,
                **scheduled,
            }
        else:  # scheduled again (a retry): the attempt count and the first event stay
            record.update(scheduled)
        self._by_scheduled[event_id] = record
        return ("activity", activity_id)

    def _activity_schedule_failed(self, event, a) -> Touched:
        activity_id = a["activityId"]
        record = self.activities.setdefault(
            activity_id, {"type": "activity", "id": activity_id, "first_event_id": event["eventId"]}
        )
        record.update(
            state="schedule_failed",
            cause=a.get("cause"),
            activity_type=dict(a.get("activityType") or {}),
            schedule_failed_id=event["eventId"],
            last_event_id=event["eventId"],
        )
        return ("activity", activity_id)

    @staticmethod
    def _activity_event(state: str, **fields: str) -> Callable:
        id_key, timestamp_key = f"{state}_id", f"{state}_timestamp"

        def handle(history: History, event, a) -> Touched:
            record = history._by_scheduled.get(a.get("scheduledEventId"))
            if record is None:
                return None
            record["state"] = state
            record[id_key] = event["eventId"]
            record[timestamp_key] = event.get("eventTimestamp")
            record["last_event_id"] = event["eventId"]
            for key, attr in fields.items():
                record[key] = a.get(attr)
            if state == "completed":
                history._completed.append(record)
                history.payload_chars += len(record["result"] or "")
            elif state in ("failed", "timed_out"):
                # simpleflow's count: 0 after the first failure, 1 after the second...
                record["retry"] = record["retry"] + 1 if "retry" in record else 0
            return ("activity", record["id"])

        return handle

    def _activity_cancel_requested(self, event, a) -> Touched:
        # The task keeps its state (it may still complete): the request is noted on its record.
        record = self.activities.get(a.get("activityId"))
        if record is None:
            return None
        record["cancel_requested_id"] = event["eventId"]
        return ("activity", record["id"])

    def _request_cancel_activity_failed(self, event, a) -> Touched:
        record = self.activities.get(a.get("activityId"))
        if record is None:
            return None
        record["request_cancel_failed_id"] = event["eventId"]
        record["request_cancel_failed_cause"] = a.get("cause")
        return ("activity", record["id"])

    # -- timers ----------------------------------------------------------------

    def _timer_started(self, event, a) -> Touched:
        timer_id = a["timerId"]
        self.timers[timer_id] = {
            "type": "timer",
            "id": timer_id,
            "state": "started",
            "start_to_fire_timeout": a.get("startToFireTimeout"),
            "control": a.get("control"),
            "started_event_id": event["eventId"],
            "started_timestamp": event.get("eventTimestamp"),
            "decision_task_completed_event_id": a.get("decisionTaskCompletedEventId"),
            "last_event_id": event["eventId"],
        }
        return ("timer", timer_id)

    @staticmethod
    def _timer_event(state: str) -> Callable:
        def handle(history: History, event, a) -> Touched:
            timer_id = a["timerId"]
            record = history.timers.setdefault(timer_id, {"type": "timer", "id": timer_id})
            record["state"] = state
            record[f"{state}_event_id"] = event["eventId"]
            record[f"{state}_timestamp"] = event.get("eventTimestamp")
            record["last_event_id"] = event["eventId"]
            if "cause" in a:
                record["cause"] = a["cause"]
            if state == "canceled":
                record["cancel_decision_task_completed_event_id"] = a.get("decisionTaskCompletedEventId")
            elif state == "start_failed":
                record.setdefault("decision_task_completed_event_id", a.get("decisionTaskCompletedEventId"))
            return ("timer", timer_id)

        return handle

    def _cancel_timer_failed(self, event, a) -> Touched:
        # Only the cancellation failed: the timer keeps its state (started, or fired meanwhile).
        record = self.timers.get(a.get("timerId"))
        if record is None:
            return None
        record["cancel_failed_event_id"] = event["eventId"]
        record["cancel_failed_timestamp"] = event.get("eventTimestamp")
        record["cancel_failed_cause"] = a.get("cause")
        record["last_event_id"] = event["eventId"]
        return ("timer", a.get("timerId"))

    # -- markers and signals ---------------------------------------------------

    @staticmethod
    def _marker(state: str) -> Callable:
        def handle(history: History, event, a) -> Touched:
            name = a["markerName"]
            history.markers.setdefault(name, []).append(
                {
                    "type": "marker",
                    "name": name,
                    "state": state,
                    "details": a.get("details"),
                    "cause": a.get("cause"),
                    "event_id": event["eventId"],
                    "last_event_id": event["eventId"],
                    "timestamp": event.get("eventTimestamp"),
                }
            )
            return ("marker", name)

        return handle

    def _signaled(self, event, a) -> Touched:
        name = a["signalName"]
        external = a.get("externalWorkflowExecution") or {}
        record = {
            "type": "signal",
            "name": name,
            "state": "signaled",
            "input": format.loads(a.get("input")),
            "external_workflow_id": external.get("workflowId"),
            "external_run_id": external.get("runId"),
            "external_initiated_event_id": a.get("externalInitiatedEventId"),
            "event_id": event["eventId"],
            "last_event_id": event["eventId"],
            "timestamp": event.get("eventTimestamp"),
        }
        self.signals[name] = record
        self.signal_lists.setdefault(name, []).append(record)
        return ("signal", name)

    def _external_signal_initiated(self, event, a) -> Touched:
        record = {
            "type": "external_workflow",
            "name": a["signalName"],
            "state": "signal_execution_initiated",
            "workflow_id": a.get("workflowId"),
            "run_id": a.get("runId"),
            "input": format.loads(a.get("input")),
            "control": a.get("control"),
            "initiated_event_id": event["eventId"],
            "last_event_id": event["eventId"],
        }
        self._external_by_initiated[event["eventId"]] = record
        self.signaled_workflows.setdefault(a["signalName"], []).append(record)
        return ("external_signal", a["signalName"])

    @staticmethod
    def _external_signal_result(state: str) -> Callable:
        def handle(history: History, event, a) -> Touched:
            record = history._external_by_initiated.get(a.get("initiatedEventId"))
            if record is None:
                return None
            record["state"] = state
            record["cause"] = a.get("cause")
            record["last_event_id"] = event["eventId"]
            return ("external_signal", record["name"])

        return handle

    # -- cancel requests sent to other executions (children or any) -------------

    def _external_cancel_initiated(self, event, a) -> Touched:
        workflow_id = a.get("workflowId")
        record = {
            "type": "external_cancel",
            "state": "initiated",
            "workflow_id": workflow_id,
            "run_id": a.get("runId") or None,
            "control": a.get("control"),
            "initiated_event_id": event["eventId"],
            "last_event_id": event["eventId"],
        }
        self._external_by_initiated[event["eventId"]] = record
        self.external_cancels.setdefault(workflow_id, []).append(record)
        return ("external_cancel", workflow_id)

    @staticmethod
    def _external_cancel_result(state: str) -> Callable:
        def handle(history: History, event, a) -> Touched:
            record = history._external_by_initiated.get(a.get("initiatedEventId"))
            if record is None or record.get("type") != "external_cancel":
                return None
            record["state"] = state
            record["cause"] = a.get("cause")
            record["last_event_id"] = event["eventId"]
            return ("external_cancel", record["workflow_id"])

        return handle

    # -- child workflows -------------------------------------------------------

    def _child_initiated(self, event, a) -> Touched:
        workflow_id = a["workflowId"]
        record = self.child_workflows.get(workflow_id)
        if record is None:
            record = self.child_workflows[workflow_id] = {
                "type": "child_workflow",
                "id": workflow_id,
                "first_event_id": event["eventId"],
            }
        record.update(
            state="start_initiated",
            workflow_id=workflow_id,
            name=a["workflowType"]["name"],
            version=a["workflowType"]["version"],
            input=a.get("input"),
            control=a.get("control"),
            task_list=(a.get("taskList") or {}).get("name"),
            initiated_event_id=event["eventId"],
            decision_task_completed_event_id=a.get("decisionTaskCompletedEventId"),
            last_event_id=event["eventId"],
        )
        self._children_by_initiated[event["eventId"]] = record
        return ("child_workflow", workflow_id)

    def _child_start_failed(self, event, a) -> Touched:
        workflow_id = a["workflowId"]
        record = self.child_workflows.setdefault(
            workflow_id, {"type": "child_workflow", "id": workflow_id, "first_event_id": event["eventId"]}
        )
        record.update(
            state="start_failed",
            cause=a.get("cause"),
            name=a["workflowType"]["name"],
            version=a["workflowType"]["version"],
            last_event_id=event["eventId"],
        )
        return ("child_workflow", workflow_id)

    @staticmethod
    def _child_event(state: str, **fields: str) -> Callable:
        def handle(history: History, event, a) -> Touched:
            record = history._children_by_initiated.get(a.get("initiatedEventId"))
            if record is None:
                return None
            record["state"] = state
            record[f"{state}_id"] = event["eventId"]
            record[f"{state}_timestamp"] = event.get("eventTimestamp")
            record["last_event_id"] = event["eventId"]
            execution = a.get("workflowExecution") or {}
            if execution.get("runId"):
                record["run_id"] = execution["runId"]
            for key, attr in fields.items():
                record[key] = a.get(attr)
            if state in ("failed", "timed_out", "canceled", "terminated"):
                # Each a failed attempt (the engine retries them), counted as an activity's failures are.
                # simpleflow 0.36 left canceled and terminated out: a child cancelled by someone else
                # was retried for ever, its count stuck.
                record["retry"] = record["retry"] + 1 if "retry" in record else 0
            return ("child_workflow", record["id"])

        return handle

    _handlers: dict[str, Callable[[History, dict, dict], Touched]] = {}


History._handlers = {
    "WorkflowExecutionStarted": History._execution_started,
    "DecisionTaskStarted": History._decision_started,
    "DecisionTaskCompleted": History._decision_completed,
    "WorkflowExecutionCancelRequested": History._cancel_requested,
    "CancelWorkflowExecutionFailed": History._cancel_failed,
    "CompleteWorkflowExecutionFailed": History._closing_failed,
    "FailWorkflowExecutionFailed": History._closing_failed,
    "ContinueAsNewWorkflowExecutionFailed": History._closing_failed,
    **dict.fromkeys(CLOSING_EVENTS, History._closed),
    "ActivityTaskScheduled": History._activity_scheduled,
    "ScheduleActivityTaskFailed": History._activity_schedule_failed,
    "ActivityTaskStarted": History._activity_event("started", identity="identity"),
    "ActivityTaskCompleted": History._activity_event("completed", result="result"),
    "ActivityTaskFailed": History._activity_event("failed", reason="reason", details="details"),
    "ActivityTaskTimedOut": History._activity_event("timed_out", timeout_type="timeoutType", details="details"),
    "ActivityTaskCanceled": History._activity_event("canceled", details="details"),
    "ActivityTaskCancelRequested": History._activity_cancel_requested,
    "RequestCancelActivityTaskFailed": History._request_cancel_activity_failed,
    "TimerStarted": History._timer_started,
    "StartTimerFailed": History._timer_event("start_failed"),
    "TimerFired": History._timer_event("fired"),
    "TimerCanceled": History._timer_event("canceled"),
    "CancelTimerFailed": History._cancel_timer_failed,
    "MarkerRecorded": History._marker("recorded"),
    "RecordMarkerFailed": History._marker("failed"),
    "WorkflowExecutionSignaled": History._signaled,
    "SignalExternalWorkflowExecutionInitiated": History._external_signal_initiated,
    "ExternalWorkflowExecutionSignaled": History._external_signal_result("execution_signaled"),
    "SignalExternalWorkflowExecutionFailed": History._external_signal_result("signal_execution_failed"),
    "RequestCancelExternalWorkflowExecutionInitiated": History._external_cancel_initiated,
    "ExternalWorkflowExecutionCancelRequested": History._external_cancel_result("requested"),
    "RequestCancelExternalWorkflowExecutionFailed": History._external_cancel_result("failed"),
    "StartChildWorkflowExecutionInitiated": History._child_initiated,
    "StartChildWorkflowExecutionFailed": History._child_start_failed,
    "ChildWorkflowExecutionStarted": History._child_event("started"),
    "ChildWorkflowExecutionCompleted": History._child_event("completed", result="result"),
    "ChildWorkflowExecutionFailed": History._child_event("failed", reason="reason", details="details"),
    "ChildWorkflowExecutionTimedOut": History._child_event("timed_out", timeout_type="timeoutType"),
    "ChildWorkflowExecutionCanceled": History._child_event("canceled", details="details"),
    "ChildWorkflowExecutionTerminated": History._child_event("terminated"),
}

# event type -> (handler, key of its attributes), the key computed once rather than per event
_HANDLERS: dict[str, tuple[Callable, str]] = {}


def _index_handlers() -> None:
    _HANDLERS.clear()
    for etype, handler in History._handlers.items():
        _HANDLERS[etype] = (handler, attributes_key(etype))


_index_handlers()
