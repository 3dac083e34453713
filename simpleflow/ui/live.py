"""An execution's view derived from its history event by event.

``LiveRun`` holds what the page of one run derives from its history (event rows, task records, the open
decision task, children, the first and last event times, the replay that finds the signals its code awaits)
and extends it with the events an update brings: an open run's update costs what its new events cost, not
what its history does. Only the pictures are drawn again: the DAG's when a task changed, the timeline when
asked (the page asks at most every 30 s). ``build_view`` derives a whole history at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from simpleflow.constants import WAKE_UP_TIMER
from simpleflow.history import AttemptLog, attributes, until_closed
from simpleflow.runtime.loader import class_path
from simpleflow.swf.stats import CHILD_WORKFLOW, TIMER, TaskRecord, epoch, task_record
from simpleflow.swf.timeline import tasks_svg
from simpleflow.ui.present import for_display
from simpleflow.ui.view import (
    CLOSE_STATUS_OF_EVENT,
    JUMBO_NOTE,
    ChildLink,
    EventRow,
    ExecutionView,
    child_link,
    dag_picture,
    dag_spec_of,
    decoded,
    event_row,
    holds_reference,
)
from simpleflow.ui.waiting import Waiting, awaited_signals, decision_task, waiting_on
from simpleflow.ui.window import timeline_from

__all__ = ["LiveRun", "build_view"]

TaskKey = tuple[str, str]


class LiveRun:
    """What the page of one run derives from its history, extended by ``extend``; ``view`` is its page's view.

    Hold ``lock`` around ``extend``, ``restart`` and ``view`` (``awaited_signals`` takes it itself). A view
    shares nothing its run changes afterwards: rendering it needs no lock.
    """

    def __init__(self, domain: str) -> None:
        self.domain = domain
        self.lock = threading.Lock()
        self._replay: tuple[type, Any, int, list[str]] | None = None  # class, WorkflowRun, events fed, signals
        self._clear()

    def _clear(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.rows: list[EventRow] = []
        self.touches: list[TaskKey | None] = []  # the task each event changed (append-only: views read it)
        self._log = AttemptLog()
        self._tasks: dict[TaskKey, TaskRecord] = {}  # in the order tasks first appear
        self._positions: dict[TaskKey, int] = {}  # each task's place in that order (append-only: views read it)
        self._open: set[TaskKey] = set()
        self._children: dict[TaskKey, ChildLink] = {}
        self._decision: dict[str, Any] | None = None
        self._references = False  # a jumbo field reference left in an event
        self._bounds: tuple[float, float] | None = None  # first and last event times
        self._closing: dict[str, Any] | None = None
        self._started: tuple[dict[str, Any], Any] = ({}, None)  # first event's attributes, its input decoded
        self._task_changes = 0  # how many times a task changed: the DAG is drawn again when it grew
        self._dag: tuple[int, str | None, str | None] | None = None  # (task changes, picture, note)
        self._timeline: tuple[int, str] = (-1, "")  # (events, picture)
        self.memo: dict[str, Any] = {}  # the page's parts, rendered (simpleflow.ui.update)
        self._close_replay()

    @property
    def last_event_id(self) -> int:
        return self.events[-1]["eventId"] if self.events else 0

    def restart(self, events: list[dict[str, Any]]) -> None:
        """Forget what was derived and derive *events*, a whole history (not the one held going on)."""
        self._clear()
        self.extend(events)

    def extend(self, events: list[dict[str, Any]]) -> None:
        """Derive *events*, those following the last one held (oldest first); on an error, forget everything."""
        try:
            self._extend(events)
        except BaseException:
            self._clear()  # half derived: start over next time
            raise

    def _extend(self, events: list[dict[str, Any]]) -> None:
        touched: dict[TaskKey, None] = {}  # in the order first touched: a new task's first event is its first
        for event in events:
            if not self.events:
                attrs = attributes(event)
                self._started = attrs, for_display(attrs.get("input"))
            self.events.append(event)
            row = event_row(event)
            self.rows.append(row)
            first, last = self._bounds or (row.time, row.time)
            self._bounds = min(first, row.time), max(last, row.time)
            self._decision = decision_task(self._decision, event)
            self._references = self._references or holds_reference(event)
            if event["eventType"] in CLOSE_STATUS_OF_EVENT:
                self._closing = event
            key = self._log.apply(event)
            if key == (TIMER, WAKE_UP_TIMER):  # simpleflow's own, left out as collect_tasks does
                key = None
            self.touches.append(key)
            if key is not None:
                touched[key] = None
        for key in touched:
            record = task_record(key[0], key[1], self._log.by_task[key])
            self._positions.setdefault(key, len(self._tasks))
            self._tasks[key] = record
            (self._open.discard if record.is_closed else self._open.add)(key)
            if record.kind == CHILD_WORKFLOW:
                self._children[key] = child_link(record)
        self._task_changes += len(touched)

    def view(self, description: dict[str, Any], now: float) -> ExecutionView:
        """The page's view with DescribeWorkflowExecution's *description*, the events derived so far."""
        info = description.get("executionInfo") or {}
        config = description.get("executionConfiguration") or {}
        started_attrs, input_value = self._started
        closing = self._closing
        started = self.rows[0].time if self.rows else None
        closed = epoch(closing["eventTimestamp"]) if closing is not None else None
        outcome: dict[str, Any] = {}
        if closing is not None:
            outcome = decoded(attributes(closing))
            outcome.pop("decisionTaskCompletedEventId", None)
        wtype = info.get("workflowType") or started_attrs.get("workflowType") or {}
        end = closed if closed is not None else now
        parent = info.get("parent") or started_attrs.get("parentWorkflowExecution")
        path = class_path(input_value) or wtype.get("name")
        index = dict(self._tasks)
        tasks = list(index.values())
        is_open = closing is None
        view = ExecutionView(
            domain=self.domain,
            workflow_id=info.get("execution", {}).get("workflowId", ""),
            run_id=info.get("execution", {}).get("runId", ""),
            type_name=wtype.get("name", ""),
            type_version=wtype.get("version", ""),
            task_list=(config.get("taskList") or started_attrs.get("taskList") or {}).get("name"),
            status="CLOSED" if closing is not None else info.get("executionStatus", "OPEN"),
            close_status=CLOSE_STATUS_OF_EVENT[closing["eventType"]] if closing is not None else None,
            cancel_requested=bool(info.get("cancelRequested")),
            started=started,
            closed=closed,
            duration=max(end - started, 0.0) if started is not None else None,
            tags=list(info.get("tagList") or started_attrs.get("tagList") or ()),
            input=input_value,
            class_path=path,
            workflow_status=for_display(description.get("latestExecutionContext")),
            outcome=outcome,
            parent=dict(parent) if parent else None,
            previous_run_id=started_attrs.get("continuedExecutionRunId"),
            next_run_id=outcome.get("newExecutionRunId") if closing is not None else None,
            children=list(self._children.values()),
            tasks=tasks,
            events=list(self.rows),
            waiting=self._waiting() if closing is None else Waiting(),
            open_counts=dict(description.get("openCounts") or {}),
            history=list(self.events) if is_open else None,
            task_touches=self.touches,
            task_index=index,
            task_positions=self._positions,
            live=self if is_open else None,
            parts_memo=self.memo if is_open else {},
        )
        view.draw_timeline, view.draw_page = self._timeline_drawers(tasks, started_attrs)
        if not is_open:  # a closed view is kept a while: with its picture, not with this run
            view.draw_timeline = _constant(view.draw_timeline())
        if self._references:
            view.jumbo_note = JUMBO_NOTE
        spec = dag_spec_of(input_value, path)
        if spec is not None:
            if self._dag is None or self._dag[0] != self._task_changes:
                self._dag = (self._task_changes, *dag_picture(spec, self.events))
            view.dag_svg, view.dag_note = self._dag[1], self._dag[2]
        return view

    def _waiting(self) -> Waiting:
        open_tasks = sorted((self._tasks[key] for key in self._open), key=lambda task: task.first_event_id)
        return waiting_on(open_tasks, self._decision)

    def _timeline_drawers(
        self, tasks: list[TaskRecord], started_attrs: dict[str, Any]
    ) -> tuple[Callable[[], str], Callable[[list[TaskRecord]], str]]:
        """What draws the timeline of the latest tasks derived so far, once, when asked (outside the lock); and
        what draws that of some of them (a page of a big run's timeline), on the same time axis."""
        count, bounds = len(self.events), self._bounds or (0.0, 0.0)
        first = self.events[0] if self.events else {}
        name = (started_attrs.get("workflowType") or {}).get("name", "")
        if first.get("eventType") != "WorkflowExecutionStarted":
            name = ""

        def draw_page(some: list[TaskRecord]) -> str:
            return tasks_svg(some, bounds, name)

        def draw() -> str:
            drawn, picture = self._timeline
            if drawn != count:
                picture = draw_page(tasks[timeline_from(len(tasks)) :])
                if count >= self._timeline[0]:  # (another view may have drawn a later one meanwhile)
                    self._timeline = (count, picture)
            return picture

        return draw, draw_page

    def awaited_signals(self, workflow_class: type, info: Any, count: int) -> list[str]:
        """The signals the run's code waits for after its first *count* events: by a replay kept from one call to
        the next, fed only the events added since (a full replay when that fails, to say why as it would)."""
        from simpleflow.engine import WorkflowRun

        with self.lock:
            replay = self._replay
            if replay is not None and (replay[0] is not workflow_class or replay[2] > count):
                self._close_replay()
                replay = None
            if replay is not None and replay[2] == count:
                return list(replay[3])
            run, fed = (replay[1], replay[2]) if replay is not None else (WorkflowRun(workflow_class, info), 0)
            self._replay = None
            try:
                run.advance(until_closed(self.events[fed:count]))
                signals = run.awaited_signals()
            except Exception:
                run.close()
                if fed == 0:  # a full replay already
                    raise
                return awaited_signals(workflow_class, self.events[:count], info)
            self._replay = (workflow_class, run, count, signals)
            return list(signals)

    def _close_replay(self) -> None:
        replay, self._replay = self._replay, None
        if replay is not None:
            replay[1].close()

    def close(self) -> None:
        """Release the replay (its thread), when the run leaves the cache."""
        with self.lock:
            self._close_replay()


def _constant(text: str) -> Callable[[], str]:
    return lambda: text


def build_view(domain: str, description: dict[str, Any], events: list[dict[str, Any]], now: float) -> ExecutionView:
    """The page's view of an execution from DescribeWorkflowExecution and its history (jumbo fields decoded)."""
    run = LiveRun(domain)
    run.extend(events)
    view = run.view(description, now)
    view.live, view.parts_memo = None, {}  # (a replay kept by a run no cache holds would never be closed)
    return view
