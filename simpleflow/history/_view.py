"""The history workflow hooks receive, in simpleflow's shapes, over the engine's ``History``.

``before_replay``, ``after_replay``, ``after_closed``, ``on_failure``, ``on_completed``,
``on_canceled`` and ``should_cancel`` get a ``HistoryView``: ``events`` are objects with
attribute access (``history.events[0].input``, ``.type``, ``.state``, ``.id``), and the
per-task records are dicts in simpleflow's shapes (``activities``, ``child_workflows`` and ``timers``
carry ``input`` and ``control`` decoded from JSON, as simpleflow's history gives them). Every other
attribute is the engine's ``History`` itself. The view is built lazily: a hook that does not look costs
nothing; one that reads the events or the task records keeps the history whole (``History.keep_whole``).
"""

from __future__ import annotations

import datetime
from typing import Any

from simpleflow import format
from simpleflow.history._event import Event
from simpleflow.history._fold import History

_DECODED = ("input", "control")
# The start's attributes simpleflow's ``history.workflow`` always has, None when SWF's event leaves them out.
_START_KEYS = (
    "child_policy",
    "continued_execution_run_id",
    "lambda_role",
    "parent_initiated_event_id",
    "parent_workflow_execution",
    "tag_list",
    "task_priority",
)
# The execution's own events simpleflow's ``history.workflow`` follows: its start and its closes.
_EXECUTION_STATES = frozenset(
    {"started", "completed", "failed", "canceled", "terminated", "timed_out", "continued_as_new"}
)


def _decoded(record: dict[str, Any]) -> dict[str, Any]:
    out = dict(record)
    for key in _DECODED:
        if isinstance(out.get(key), str):
            try:
                out[key] = format.loads(out[key])
            except ValueError:
                pass  # not JSON: kept as the text it is
    return out


class HistoryView:
    """simpleflow's ``History`` attributes over the engine's; see the module docstring."""

    def __init__(self, history: History) -> None:
        self._history = history
        self._events: list[Event] = []

    def forget(self) -> None:
        """Let the event objects built so far go (the run is compacted: they are rebuilt if asked for)."""
        self._events = []

    @property
    def events(self) -> list[Event]:
        raw = self.raw_events
        if len(self._events) > len(raw):  # the engine started over (a full replay)
            self._events = []
        self._events.extend(Event(e) for e in raw[len(self._events) :])
        return self._events

    @property
    def raw_events(self) -> list[dict[str, Any]]:
        """The events as SWF gives them (plain dicts)."""
        self._history.keep_whole()
        return self._history.events

    @property
    def activities(self) -> dict[str, dict[str, Any]]:
        self._history.keep_whole()  # a compacted history's records lack what hooks may read
        return {key: _decoded(r.as_dict()) for key, r in self._history.activities.items()}

    @property
    def child_workflows(self) -> dict[str, dict[str, Any]]:
        self._history.keep_whole()
        return {key: _decoded(r.as_dict()) for key, r in self._history.child_workflows.items()}

    def child_workflow(self, workflow_id: str) -> dict[str, Any] | None:
        """The one child workflow record ``child_workflows`` has under *workflow_id* (None if none),
        without decoding every other record (a schedule asks about each child at each decision)."""
        self._history.keep_whole()
        record = self._history.child_workflows.get(workflow_id)
        return None if record is None else _decoded(record.as_dict())

    @property
    def timers(self) -> dict[str, dict[str, Any]]:
        """Timers as simpleflow shows them: ``start_to_fire_timeout`` in whole seconds, ``control`` decoded,
        the start time also under ``started_event_timestamp``."""
        out = {}
        for key, record in self._history.timers.items():
            timer = _decoded(record.as_dict())
            timeout = timer.get("start_to_fire_timeout")
            if isinstance(timeout, str) and timeout.isdigit():
                timer["start_to_fire_timeout"] = int(timeout)
            for state in ("started", "fired", "canceled", "cancel_failed", "start_failed"):
                if f"{state}_timestamp" in timer:  # simpleflow's name for each
                    timer[f"{state}_event_timestamp"] = timer[f"{state}_timestamp"]
            out[key] = timer
        return out

    def timer(self, timer_id: str) -> dict[str, Any] | None:
        """The record of the one timer *timer_id* (None if none), in ``timers``' plain shape (nothing decoded),
        without building the others' (a schedule asks about its fire timer at each decision)."""
        record = self._history.timers.get(timer_id)
        return None if record is None else record.as_dict()

    @property
    def markers(self) -> dict[str, list[dict[str, Any]]]:
        return _lists(self._history.markers)

    @property
    def signals(self) -> dict[str, dict[str, Any]]:
        """The latest signal of each name."""
        return {name: r.as_dict() for name, r in self._history.signals.items()}

    @property
    def signal_lists(self) -> dict[str, list[dict[str, Any]]]:
        """Every signal of each name, in order."""
        return _lists(self._history.signal_lists)

    @property
    def signaled_workflows(self) -> dict[str, list[dict[str, Any]]]:
        """The signals sent to other executions, by signal name; each also under simpleflow's keys, ``id``
        (the workflow id) and ``signal_name``."""
        out = _lists(self._history.signaled_workflows)
        for record in (r for records in out.values() for r in records):
            record.update(id=record.get("workflow_id"), signal_name=record["name"])
        return out

    @property
    def workflow(self) -> dict[str, Any]:
        """The execution's own record (simpleflow's ``history.workflow``): its start's attributes, then its
        close's, each with ``state``, ``<state>_id`` and ``<state>_timestamp``; ``input`` decoded, ``result``
        the text SWF holds and ``task_list`` a name, as simpleflow gives them."""
        record: dict[str, Any] = dict.fromkeys(_START_KEYS)
        for event in self.events:
            if event.type == "WorkflowExecution" and event.state in _EXECUTION_STATES:
                fields = {k: v for k, v in event.as_dict().items() if k not in ("id", "type", "timestamp", "control")}
                if isinstance(fields.get("task_list"), dict):
                    fields["task_list"] = fields["task_list"].get("name")
                if event.state not in ("started", "continued_as_new"):  # the others have no input
                    fields.pop("input")
                stamp = utc_datetime(event.timestamp)
                record.update(fields, **{f"{event.state}_id": event.id, f"{event.state}_timestamp": stamp})
        return record

    @property
    def external_cancels(self) -> dict[str, list[dict[str, Any]]]:
        """The cancel requests sent to other executions, by workflow id."""
        return _lists(self._history.external_cancels)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._history, name)


def utc_datetime(timestamp: Any) -> Any:
    """An event's timestamp as simpleflow gives it: an aware UTC datetime (SWF's are datetimes, the local
    host's epoch seconds)."""
    if isinstance(timestamp, datetime.datetime):
        return timestamp.astimezone(datetime.timezone.utc)
    if isinstance(timestamp, (int, float)):
        return datetime.datetime.fromtimestamp(timestamp, tz=datetime.timezone.utc)
    return timestamp


def _lists(records: dict[str, list[Any]]) -> dict[str, list[dict[str, Any]]]:
    return {key: [r.as_dict() for r in rs] for key, rs in records.items()}
