"""One execution as its page shows it: SWF's description and history folded into an ``ExecutionView``.

``build_view`` is pure (description and decoded events in); ``load_view`` fetches them. Closed executions
do not change: their views are kept a minute (``ViewCache``); the events of a few open ones are kept too,
so that the page's reload every few seconds fetches only the new events.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from simpleflow import format
from simpleflow.constants import JUMBO_FIELDS_PREFIX
from simpleflow.history import attributes
from simpleflow.runtime.loader import class_path
from simpleflow.swf.stats import CHILD_WORKFLOW, TaskRecord, collect_tasks, epoch
from simpleflow.swf.timeline import svg_text
from simpleflow.ui.waiting import Waiting, waiting_on

__all__ = ["ChildLink", "EventRow", "ExecutionView", "ViewCache", "build_view", "load_view"]

_CLOSE_STATUS_OF_EVENT = {
    "WorkflowExecutionCompleted": "COMPLETED",
    "WorkflowExecutionFailed": "FAILED",
    "WorkflowExecutionCanceled": "CANCELED",
    "WorkflowExecutionTerminated": "TERMINATED",
    "WorkflowExecutionTimedOut": "TIMED_OUT",
    "WorkflowExecutionContinuedAsNew": "CONTINUED_AS_NEW",
}


@dataclass(slots=True)
class ChildLink:
    """A child workflow execution the history started (run id once SWF started it)."""

    workflow_id: str
    run_id: str | None
    type_name: str
    state: str


@dataclass(slots=True)
class EventRow:
    """One history event: id, type, time and its attributes (decoded where they are JSON)."""

    event_id: int
    event_type: str
    time: float
    attributes: dict[str, Any]


@dataclass(slots=True)
class ExecutionView:
    """Everything the execution page shows."""

    domain: str
    workflow_id: str
    run_id: str
    type_name: str
    type_version: str
    task_list: str | None
    status: str  # OPEN or CLOSED
    close_status: str | None
    cancel_requested: bool
    started: float | None
    closed: float | None
    duration: float | None
    tags: list[str]
    input: Any
    class_path: str | None  # the class the input names (``__extra.class``), else the type name
    workflow_status: Any  # the latest execution context (``Workflow.set_status``), decoded
    outcome: dict[str, Any]  # result, or reason/details/cause/timeoutType of the closing event
    parent: dict[str, str] | None
    previous_run_id: str | None  # the run this one continued (continue-as-new)
    next_run_id: str | None  # the run this one continued as
    children: list[ChildLink]
    tasks: list[TaskRecord]
    events: list[EventRow]
    waiting: Waiting
    timeline_svg: str = ""
    dag_svg: str | None = None  # a DagWorkflow execution's graph, nodes coloured by state
    dag_note: str | None = None  # why the graph of a DAG execution is not drawn
    jumbo_note: str | None = None  # set when a jumbo field could not be read here (its reference is shown)
    # An open execution's events as fetched, for the replay that finds the signals it awaits (not fetched
    # twice); a closed view, kept in the cache, does not hold them.
    history: list[dict[str, Any]] | None = None
    open_counts: dict[str, int] = field(default_factory=dict)

    @property
    def is_open(self) -> bool:
        return self.status == "OPEN"

    @property
    def is_dag(self) -> bool:
        """Whether it runs a DAG spec (its input carries one, drawn or not)."""
        return self.dag_svg is not None or self.dag_note is not None


def _decoded(attrs: dict[str, Any]) -> dict[str, Any]:
    """Event attributes with JSON payloads (input, result, details, control...) decoded for display, and
    a worker's identity when it is simpleflow's JSON object (not shown as a string of escaped JSON)."""
    out: dict[str, Any] = {}
    for key, value in attrs.items():
        if key in ("input", "result", "details", "control", "executionContext") and isinstance(value, str):
            out[key] = format.loads(value)
        elif key == "identity" and isinstance(value, str) and value.startswith("{"):
            identity = format.loads(value)
            out[key] = identity if isinstance(identity, dict) else value
        else:
            out[key] = value
    return out


def _children(tasks: list[TaskRecord]) -> list[ChildLink]:
    return [
        ChildLink(task.id, task.extra.get("run_id"), task.name or "", task.state)
        for task in tasks
        if task.kind == CHILD_WORKFLOW
    ]


def dag_spec_of(input: Any, path: str | None) -> dict[str, Any] | None:
    """The compiled spec a ``DagWorkflow`` execution's input carries (plain data: nothing is imported)."""
    if not (path or "").endswith("DagWorkflow") or not isinstance(input, dict):
        return None
    spec = (input.get("kwargs") or {}).get("spec") if isinstance(input.get("kwargs"), dict) else None
    if isinstance(spec, dict) and isinstance(spec.get("nodes"), list) and isinstance(spec.get("order"), list):
        return spec
    return None


def build_view(domain: str, description: dict[str, Any], events: list[dict[str, Any]], now: float) -> ExecutionView:
    """The page's view of an execution from DescribeWorkflowExecution and its history (jumbo fields decoded)."""
    info = description.get("executionInfo") or {}
    config = description.get("executionConfiguration") or {}
    started_attrs = attributes(events[0]) if events else {}
    closing = next((e for e in reversed(events) if e["eventType"] in _CLOSE_STATUS_OF_EVENT), None)
    # The history's first and closing events carry SWF's times (the test server's description does not).
    started = epoch(events[0]["eventTimestamp"]) if events else None
    closed = epoch(closing["eventTimestamp"]) if closing is not None else None
    status = "CLOSED" if closing is not None else info.get("executionStatus", "OPEN")
    outcome: dict[str, Any] = {}
    if closing is not None:
        outcome = _decoded(attributes(closing))
        outcome.pop("decisionTaskCompletedEventId", None)
    input_value = format.loads(started_attrs.get("input"))
    wtype = info.get("workflowType") or started_attrs.get("workflowType") or {}
    tasks = collect_tasks(events)
    end = closed if closed is not None else now
    parent = info.get("parent") or started_attrs.get("parentWorkflowExecution")
    path = class_path(input_value) or wtype.get("name")
    view = ExecutionView(
        domain=domain,
        workflow_id=info.get("execution", {}).get("workflowId", ""),
        run_id=info.get("execution", {}).get("runId", ""),
        type_name=wtype.get("name", ""),
        type_version=wtype.get("version", ""),
        task_list=(config.get("taskList") or started_attrs.get("taskList") or {}).get("name"),
        status=status,
        close_status=_CLOSE_STATUS_OF_EVENT[closing["eventType"]] if closing is not None else None,
        cancel_requested=bool(info.get("cancelRequested")),
        started=started,
        closed=closed,
        duration=max(end - started, 0.0) if started is not None else None,
        tags=list(info.get("tagList") or started_attrs.get("tagList") or ()),
        input=input_value,
        class_path=path,
        workflow_status=format.loads(description.get("latestExecutionContext")),
        outcome=outcome,
        parent=dict(parent) if parent else None,
        previous_run_id=started_attrs.get("continuedExecutionRunId"),
        next_run_id=outcome.get("newExecutionRunId") if closing is not None else None,
        children=_children(tasks),
        tasks=tasks,
        events=[
            EventRow(e["eventId"], e["eventType"], epoch(e["eventTimestamp"]), _decoded(attributes(e))) for e in events
        ],
        waiting=waiting_on(tasks, events) if closing is None else Waiting(),
        timeline_svg=svg_text(events),
        open_counts=dict(description.get("openCounts") or {}),
        history=events if closing is None else None,
    )
    if _holds_reference(events):
        view.jumbo_note = JUMBO_NOTE
    spec = dag_spec_of(input_value, path)
    if spec is not None:
        view.dag_svg, view.dag_note = _dag_picture(spec, events)
    return view


JUMBO_NOTE = (
    "A value over SWF's size limit shows as its S3 reference (simpleflow+s3://...): this UI could not read it. "
    "Is SIMPLEFLOW_JUMBO_FIELDS_BUCKET set for it, as for the workers? Its log says why."
)


def _holds_reference(events: list[dict[str, Any]]) -> bool:
    """Whether a jumbo field reference is left in *events* (one that could not be read: decoded ones are text)."""
    return any(
        isinstance(value, str) and value.startswith(JUMBO_FIELDS_PREFIX)
        for event in events
        for value in attributes(event).values()
    )


def _dag_picture(spec: dict[str, Any], events: list[dict[str, Any]]) -> tuple[str | None, str | None]:
    """The spec's graph coloured by the history's states, or why it cannot be drawn."""
    from simpleflow.dag import Spec, node_states, to_svg

    try:
        graph = Spec(spec, [str(node_id) for node_id in spec["order"]])
        return to_svg(graph, node_states(graph, events)), None
    except (KeyError, TypeError, ValueError, AttributeError) as err:  # a spec this version does not read
        return None, f"the DAG spec in the input cannot be drawn ({type(err).__name__}: {err})"


class ViewCache:
    """Views of closed executions, kept *ttl* seconds (a closed history does not change), at most *size*;
    and the events already fetched of the last *open_size* open runs looked at, so that the page's reload
    fetches only the events added since (a history only grows)."""

    def __init__(self, ttl: float = 60.0, size: int = 64, open_size: int = 4) -> None:
        self.ttl, self.size, self.open_size = ttl, size, open_size
        self._views: OrderedDict[tuple[str, str, str], tuple[float, ExecutionView]] = OrderedDict()
        self._open: OrderedDict[tuple[str, str, str], list[dict[str, Any]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str, str]) -> ExecutionView | None:
        with self._lock:
            found = self._views.get(key)
            if found is None or time.monotonic() - found[0] > self.ttl:
                self._views.pop(key, None)
                return None
            self._views.move_to_end(key)
            return found[1]

    def put(self, key: tuple[str, str, str], view: ExecutionView) -> None:
        with self._lock:
            if view.is_open:
                self._open[key] = view.history or []
                self._open.move_to_end(key)
                while len(self._open) > self.open_size:
                    self._open.popitem(last=False)
                return
            self._open.pop(key, None)
            self._views[key] = (time.monotonic(), view)
            while len(self._views) > self.size:
                self._views.popitem(last=False)

    def events_held(self, key: tuple[str, str, str]) -> list[dict[str, Any]]:
        """The events of open run *key* fetched before (decoded, oldest first), or none."""
        with self._lock:
            return self._open.get(key, [])


def _events(domain: str, workflow_id: str, run_id: str, cache: ViewCache | None) -> list[dict[str, Any]]:
    """The run's whole history: the events *cache* holds and those past them, or every page."""
    from simpleflow.swf.inspection import fetch_execution

    held = cache.events_held((domain, workflow_id, run_id)) if cache is not None else []
    if not held:
        return fetch_execution(domain, workflow_id, run_id).events
    last = held[-1]["eventId"]
    new = fetch_execution(domain, workflow_id, run_id, after=last).events
    if new and new[0]["eventId"] != last + 1:  # not the history held goes on (never seen): read it whole
        return fetch_execution(domain, workflow_id, run_id).events
    return held + new


def load_view(domain: str, workflow_id: str, run_id: str | None, cache: ViewCache | None = None) -> ExecutionView:
    """Fetch an execution (its latest run without *run_id*) and build its view.

    Raises:
        UsageError: no such execution in the domain (one line).
    """
    from simpleflow.swf import executions

    run_id = executions.resolve_run_id(domain, workflow_id, run_id)
    key = (domain, workflow_id, run_id)
    if cache is not None and (view := cache.get(key)) is not None:
        return view
    description = executions.describe(domain, workflow_id, run_id)
    events = _events(domain, workflow_id, run_id, cache)
    view = build_view(domain, description, events, time.time())
    if cache is not None:
        cache.put(key, view)
    return view
