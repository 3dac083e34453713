"""An execution's SWF history folded into per-task state, one event at a time.

``History.apply(event)`` takes events in the shapes GetWorkflowExecutionHistory
and PollForDecisionTask return (plain dicts) and keeps, per task, a small dict
of its latest state (the keys simpleflow's history exposes: ``state``, ``id``,
``input``, ``result``, ``reason``, ``retry``...). It returns which task the
event touched, so the engine only looks at what changed. New event types are
handled by adding a method to ``History._handlers``.

``History(events, attempts=True)`` also keeps each task's tries (``attempts``:
the events that scheduled, started and closed each one, simpleflow.history._attempts),
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

from collections.abc import Callable, Iterable
from typing import Any

from simpleflow.exceptions import DataError
from simpleflow.history._attempts import Attempt, AttemptLog
from simpleflow.history._handlers import EventFolding, Touched
from simpleflow.history._records import (
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
from simpleflow.history._shapes import CLOSING_EVENTS, attributes_key
from simpleflow.history._validate import (
    HOT_TEXT_FIELDS,
    TEXT_ATTRIBUTES,
    MalformedHistory,
    diagnose,
    event_problem,
)

Record = ActivityRecord | ChildWorkflowRecord | TimerRecord | MarkerRecord | SignalRecord | SignalSentRecord
Reload = Callable[[], list[dict[str, Any]]]


class HistoryUnavailable(BaseException):  # noqa: N818 - named for what it says, like Abandoned
    """What the run needs now cannot be had now; *error* says why: a compacted history's events could
    not be reloaded, or S3 did not answer for a ``@cached(store="s3")`` value.

    A BaseException, so that workflow code (a hook reading the history) cannot swallow it: the run
    stops and the host sees *error* (the decision task is left to time out and come back).
    """

    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


class History(EventFolding):
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
        self._completed: list[ActivityRecord] = []  # activity records completed since the last compact
        self.payload_chars = 0  # characters of activity inputs and results folded in (sizes a cached run)
        self.compacted_records = 0  # activity records cut down by compact (sizes a cached run)
        self.kept_whole = False  # a hook read the whole history (``keep_whole``): compact lets nothing go
        self.started: dict[str, Any] = {}  # WorkflowExecutionStarted attributes, and "input_value" decoded
        self.started_timestamp: Any = None  # WorkflowExecutionStarted's eventTimestamp (telemetry's execution span)
        self.activities: dict[str, ActivityRecord] = {}
        self.child_workflows: dict[str, ChildWorkflowRecord] = {}
        self.timers: dict[str, TimerRecord] = {}
        self.markers: dict[str, list[MarkerRecord]] = {}
        self.signals: dict[str, SignalRecord] = {}  # latest signal of each name
        self.signal_lists: dict[str, list[SignalRecord]] = {}
        self.signaled_workflows: dict[str, list[SignalSentRecord]] = {}
        self.external_cancels: dict[str, list[CancelSentRecord]] = {}  # workflow id -> cancel requests sent
        # (kind, id) -> the input of a task's first scheduling, once a retry was scheduled with another
        # (on_task_failure may change a retry's arguments): what the workflow's code submitted (engine/_fit).
        # Here rather than on each record: a record of a cached run stays as small as it was.
        self.first_inputs: dict[tuple[str, str], str | None] = {}
        self.cancel_requested = False
        self.cancel_requested_id: int | None = None
        self.cancel_failed: CancelFailure | None = None
        self.completed_decision_id = 0  # last DecisionTaskCompleted
        self.started_decision_id = 0  # last DecisionTaskStarted
        self.started_decision_timestamp: Any = None  # its eventTimestamp (Workflow.now())
        self.closed: str | None = None  # the closing event type, once closed
        self.closed_event_id: int | None = None  # its eventId (SWF adds no event after it)
        self.closing_decision_failures: list[ClosingFailure] = []
        self._by_scheduled: dict[int, ActivityRecord] = {}
        self._children_by_initiated: dict[int, ChildWorkflowRecord] = {}
        self._external_by_initiated: dict[int, SignalSentRecord | CancelSentRecord] = {}
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

    def compact(self, reload: Reload, met: Callable[[str], bool] | None = None) -> None:
        """Let the raw events and the unused fields of completed activities go; *reload* gives the events back.

        Costs only what changed since the last call. *reload* returns the execution's history from
        its first event (events after those folded in are ignored), jumbo fields decoded as they were.
        *met*, if given, says which activities the engine compared with the code already: the others
        stay whole until a later call finds them met. Does nothing once ``keep_whole`` was called.
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
        unmet = []
        for record in self._completed:
            if record.state is not State.COMPLETED:
                continue  # scheduled again since
            if met is not None and not met(record.id):
                unmet.append(record)
                continue
            closed += by_scheduled.pop(record.scheduled_id, None) is not None  # no event names it again
            record.compact()
            self.compacted_records += 1
        self._completed = unmet
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
                _refill(record, theirs[key])
        self._by_scheduled = {k: self.activities[r.id] for k, r in fresh._by_scheduled.items()}
        self.first_inputs = fresh.first_inputs
        self._events = fresh._events
        self._dropped = 0
        self.compacted_records = 0
        # Whole again: the next compact cuts them anew (else a run expanded once would stay whole).
        self._completed = [r for r in self.activities.values() if r.state is State.COMPLETED]

    def keep_whole(self) -> None:
        """Expand, and stay whole from now on: a hook reads the whole history (it will at the next
        decision too), so compacting it again would only have it reloaded (fetched from SWF) each time."""
        self.kept_whole = True
        self.expand()

    @property
    def tasks(self) -> list[ActivityRecord | ChildWorkflowRecord]:
        """Activities and child workflows, in the order they were first scheduled."""
        self.keep_whole()
        found = list(self.activities.values()) + list(self.child_workflows.values())
        return sorted(found, key=lambda r: r.first_event_id or 0)

    def apply(self, event: dict[str, Any]) -> Touched:
        """Fold one event in; return (kind, key) of the task it touched, if any."""
        self._events.append(event)
        if self._attempt_log is not None:
            self._attempt_log.apply(event)
        entry = _HANDLERS.get(event["eventType"])
        if entry is None:
            return None
        handler, key, _ = entry
        try:
            return handler(self, event, event.get(key) or {})
        except DataError as err:  # JSON too deep to parse: say where
            raise err.located(_where(event)) from None

    def extend(self, events: Iterable[dict[str, Any]]) -> None:
        """Fold many events in (``apply`` without its answer, for a whole history at once), checking each.

        Raises:
            MalformedHistory: an event is not an SWF event (its id does not follow the previous one, its
                attributes are not an object, a text field is not a string...): one line names the first.
        """
        events = events if isinstance(events, list) else list(events)
        if self._attempt_log is not None:
            for event in events:
                self._attempt_log.apply(event)
        held = len(self._events)
        first_position = self.event_count + 1
        previous = self.last_event_id
        closing = None if self.closed is None else {"eventId": self.closed_event_id, "eventType": self.closed}
        try:
            self._fold_checked(events, previous)
        except (_Malformed, TypeError, KeyError, AttributeError, ValueError) as err:
            problem = diagnose(events, first_position, previous, closing)
            if problem is None:
                raise
            del self._events[held:]
            raise MalformedHistory(problem) from err

    def _fold_checked(self, events: list[dict[str, Any]], previous: int) -> None:
        # The checks of ``diagnose``, done on the values the fold reads anyway; a failed one raises (any
        # exception: ``extend`` then asks ``diagnose`` for the line that names it).
        handlers = _HANDLERS
        first_previous = previous
        try:
            for event in events:
                event_id = event["eventId"]
                etype = event["eventType"]
                if event_id.__class__ is not int or event_id <= previous:
                    raise _Malformed()
                previous = event_id
                # Half of a history is decision task events: kept out of the handler calls.
                if etype == "DecisionTaskCompleted":
                    self.completed_decision_id = event_id
                    a = event.get("decisionTaskCompletedEventAttributes")
                    if a is not None:
                        if a.__class__ is not dict:
                            raise _Malformed()
                        context = a.get("executionContext")
                        if context is not None and context.__class__ is not str:
                            raise _Malformed()
                elif etype == "DecisionTaskStarted":
                    self.started_decision_id = event_id
                    self.started_decision_timestamp = event.get("eventTimestamp")
                    a = event.get("decisionTaskStartedEventAttributes")
                    if a is not None and a.__class__ is not dict:
                        raise _Malformed()
                elif etype == "DecisionTaskScheduled":
                    a = event.get("decisionTaskScheduledEventAttributes")
                    if a is not None and a.__class__ is not dict:
                        raise _Malformed()
                else:
                    entry = handlers.get(etype)
                    if entry is None:  # an event the fold does not read: checked whole
                        if event_problem(event, 0, 0) is not None:
                            raise _Malformed()
                        continue
                    handler, key, text_fields = entry
                    a = event.get(key)
                    if a is None:
                        a = {}
                    elif a.__class__ is not dict:
                        raise _Malformed()
                    elif text_fields is None:
                        for name, value in a.items():
                            if value is not None and value.__class__ is not str and name in TEXT_ATTRIBUTES:
                                raise _Malformed()
                    else:
                        for name in text_fields:
                            value = a.get(name)
                            if value is not None and value.__class__ is not str:
                                raise _Malformed()
                    try:
                        handler(self, event, a)
                    except DataError as err:  # JSON too deep to parse: say where
                        raise err.located(_where(event)) from None
        except BaseException:
            # Held as if appended one by one: the events up to the one that failed (itself too if it passed
            # its id check).
            self._events += events[: _passed_id_check(events, first_previous, previous)]
            raise
        # One extension of the list, not an append per event (a cold replay's fold: 1 ms of 10).
        self._events += events
        if self.closed_event_id is not None and self.closed_event_id != previous:
            raise _Malformed()  # an event after the one that closed the run

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
    "ActivityTaskStarted": History._activity_started,
    "ActivityTaskCompleted": History._activity_closed(State.COMPLETED),
    "ActivityTaskFailed": History._activity_closed(State.FAILED),
    "ActivityTaskTimedOut": History._activity_closed(State.TIMED_OUT),
    "ActivityTaskCanceled": History._activity_closed(State.CANCELED),
    "ActivityTaskCancelRequested": History._activity_cancel_requested,
    "RequestCancelActivityTaskFailed": History._request_cancel_activity_failed,
    "TimerStarted": History._timer_started,
    "StartTimerFailed": History._timer_closed(State.START_FAILED),
    "TimerFired": History._timer_closed(State.FIRED),
    "TimerCanceled": History._timer_closed(State.CANCELED),
    "CancelTimerFailed": History._cancel_timer_failed,
    "MarkerRecorded": History._marker(State.RECORDED),
    "RecordMarkerFailed": History._marker(State.FAILED),
    "WorkflowExecutionSignaled": History._signaled,
    "SignalExternalWorkflowExecutionInitiated": History._external_signal_initiated,
    "ExternalWorkflowExecutionSignaled": History._external_signal_result(State.EXECUTION_SIGNALED),
    "SignalExternalWorkflowExecutionFailed": History._external_signal_result(State.SIGNAL_EXECUTION_FAILED),
    "RequestCancelExternalWorkflowExecutionInitiated": History._external_cancel_initiated,
    "ExternalWorkflowExecutionCancelRequested": History._external_cancel_result(State.REQUESTED),
    "RequestCancelExternalWorkflowExecutionFailed": History._external_cancel_result(State.FAILED),
    "StartChildWorkflowExecutionInitiated": History._child_initiated,
    "StartChildWorkflowExecutionFailed": History._child_start_failed,
    "ChildWorkflowExecutionStarted": History._child_event(State.STARTED),
    "ChildWorkflowExecutionCompleted": History._child_event(State.COMPLETED),
    "ChildWorkflowExecutionFailed": History._child_event(State.FAILED),
    "ChildWorkflowExecutionTimedOut": History._child_event(State.TIMED_OUT),
    "ChildWorkflowExecutionCanceled": History._child_event(State.CANCELED),
    "ChildWorkflowExecutionTerminated": History._child_event(State.TERMINATED),
}


def _where(event: dict[str, Any]) -> str:
    return f"event {event.get('eventId')} ({event.get('eventType')})"


# event type -> (handler, key of its attributes, the text fields ``extend`` checks: None for all),
# computed once rather than per event
_HANDLERS: dict[str, tuple[Callable, str, tuple[str, ...] | None]] = {}


def _index_handlers() -> None:
    _HANDLERS.clear()
    for etype, handler in History._handlers.items():
        _HANDLERS[etype] = (handler, attributes_key(etype), HOT_TEXT_FIELDS.get(etype))


def _passed_id_check(events: list[dict[str, Any]], first_previous: int, previous: int) -> int:
    """How many of *events* passed ``_fold_checked``'s id check, the last of them with id *previous*: the
    ids of those increase, so the first event with that id ends them."""
    if previous == first_previous:
        return 0
    return next(position for position, event in enumerate(events, 1) if event["eventId"] == previous)


class _Malformed(Exception):
    """An event failed one of ``extend``'s checks (``diagnose`` names it)."""


_index_handlers()


def _refill(record: ActivityRecord | ChildWorkflowRecord, source: ActivityRecord | ChildWorkflowRecord) -> None:
    """Make *record* hold what *source* holds, in place (whoever holds *record* sees it whole again)."""
    for name in type(record).__slots__:
        setattr(record, name, getattr(source, name))
