"""An execution's history: SWF's event shapes, the fold of events into per-task records, and its views.

Everything here is pure: events in (the plain dicts GetWorkflowExecutionHistory and PollForDecisionTask
return), records out. The engine folds a history to replay a workflow; inspection folds one with
``attempts=True`` to report each task's tries; hooks read it through ``HistoryView`` in the original
simpleflow's shapes.
"""

from __future__ import annotations

from simpleflow.history._attempts import CLOSED_ATTEMPT_STATES, Attempt, AttemptLog
from simpleflow.history._event import Event, type_and_state
from simpleflow.history._failures import TaskFailure, failed_for_good, task_failures, where_raised
from simpleflow.history._file import document_text, load_events, read_document
from simpleflow.history._fold import History, HistoryUnavailable, Record, Reload, Touched
from simpleflow.history._records import (
    FAILED_ATTEMPT,
    OPEN,
    ActivityRecord,
    CancelFailure,
    CancelSentRecord,
    ChildWorkflowRecord,
    ClosingFailure,
    MarkerRecord,
    RetriableRecord,
    SignalRecord,
    SignalSentRecord,
    State,
    TimerRecord,
)
from simpleflow.history._shapes import (
    CLOSING_DECISIONS,
    CLOSING_EVENTS,
    WAKING_EVENTS,
    attributes,
    attributes_key,
    decision_attributes,
    decision_attributes_key,
    latest_execution_context,
    make_event,
    until_closed,
)
from simpleflow.history._validate import MalformedHistory, diagnose, start_problem, validate_events
from simpleflow.history._view import HistoryView, utc_datetime

__all__ = [
    "FAILED_ATTEMPT",
    "OPEN",
    "ActivityRecord",
    "CancelFailure",
    "CancelSentRecord",
    "ChildWorkflowRecord",
    "ClosingFailure",
    "MarkerRecord",
    "SignalRecord",
    "SignalSentRecord",
    "State",
    "RetriableRecord",
    "TimerRecord",
    "CLOSED_ATTEMPT_STATES",
    "CLOSING_DECISIONS",
    "CLOSING_EVENTS",
    "WAKING_EVENTS",
    "Attempt",
    "AttemptLog",
    "Event",
    "History",
    "HistoryUnavailable",
    "HistoryView",
    "MalformedHistory",
    "Record",
    "Reload",
    "TaskFailure",
    "Touched",
    "attributes",
    "attributes_key",
    "decision_attributes",
    "decision_attributes_key",
    "failed_for_good",
    "diagnose",
    "latest_execution_context",
    "document_text",
    "load_events",
    "read_document",
    "make_event",
    "utc_datetime",
    "task_failures",
    "start_problem",
    "type_and_state",
    "until_closed",
    "validate_events",
    "where_raised",
]
