"""One execution as its page shows it (``ExecutionView``) and the pieces it is made of: event rows (attributes
decoded), child links, the DAG's picture. simpleflow.ui.live derives them from a history."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from simpleflow.constants import JUMBO_FIELDS_PREFIX
from simpleflow.history import attributes
from simpleflow.swf.stats import TaskRecord, epoch
from simpleflow.ui.present import for_display
from simpleflow.ui.waiting import Waiting

__all__ = [
    "CLOSE_STATUS_OF_EVENT",
    "JUMBO_NOTE",
    "ChildLink",
    "EventRow",
    "ExecutionView",
    "child_link",
    "dag_picture",
    "dag_spec_of",
    "decoded",
    "event_row",
    "holds_reference",
]

CLOSE_STATUS_OF_EVENT = {
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
    draw_timeline: Callable[[], str] = field(default=str, repr=False, compare=False)  # the timeline's SVG
    # The timeline of some of its tasks (a page a "more" brings), with the run's times and name.
    draw_page: Callable[[list[TaskRecord]], str] = field(default=lambda tasks: "", repr=False, compare=False)
    dag_svg: str | None = None  # a DagWorkflow execution's graph, nodes coloured by state
    dag_note: str | None = None  # why the graph of a DAG execution is not drawn
    jumbo_note: str | None = None  # set when a jumbo field could not be read here (its reference is shown)
    # An open execution's events as fetched, for the replay that finds the signals it awaits (not fetched
    # twice); a closed view, kept in the cache, does not hold them.
    history: list[dict[str, Any]] | None = None
    open_counts: dict[str, int] = field(default_factory=dict)
    # The task each event changed (None for the others), in the events' order; may run on past them.
    task_touches: list[tuple[str, str] | None] = field(default_factory=list, repr=False, compare=False)
    task_index: dict[tuple[str, str], TaskRecord] = field(default_factory=dict, repr=False, compare=False)
    # Each task's place in ``tasks`` (append-only: a task keeps its place); may hold tasks past them.
    task_positions: dict[tuple[str, str], int] = field(default_factory=dict, repr=False, compare=False)
    live: Any = field(default=None, repr=False, compare=False)  # the LiveRun an open view comes from
    # name -> (what a part was rendered from, the part), shared by the views of a run (simpleflow.ui.update)
    parts_memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def timeline_svg(self) -> str:
        """The timeline (``workflow.profile --svg``'s picture) of the latest tasks, drawn when first asked."""
        return self.draw_timeline()

    @property
    def is_open(self) -> bool:
        return self.status == "OPEN"

    @property
    def is_dag(self) -> bool:
        """Whether it runs a DAG spec (its input carries one, drawn or not)."""
        return self.dag_svg is not None or self.dag_note is not None


def event_row(event: dict[str, Any]) -> EventRow:
    """The row of one event: its id, type, time and attributes (``decoded``)."""
    return EventRow(event["eventId"], event["eventType"], epoch(event["eventTimestamp"]), decoded(attributes(event)))


def decoded(attrs: dict[str, Any]) -> dict[str, Any]:
    """Event attributes with JSON payloads (input, result, details, control...) decoded for display, and
    a worker's identity when it is simpleflow's JSON object (not shown as a string of escaped JSON)."""
    out: dict[str, Any] = {}
    for key, value in attrs.items():
        if key in ("input", "result", "details", "control", "executionContext") and isinstance(value, str):
            out[key] = for_display(value)
        elif key == "identity" and isinstance(value, str) and value.startswith("{"):
            identity = for_display(value)
            out[key] = identity if isinstance(identity, dict) else value
        else:
            out[key] = value
    return out


def child_link(task: TaskRecord) -> ChildLink:
    return ChildLink(task.id, task.extra.get("run_id"), task.name or "", task.state)


def dag_spec_of(input: Any, path: str | None) -> dict[str, Any] | None:
    """The compiled spec a ``DagWorkflow`` execution's input carries, unpacked (plain data: nothing is imported)."""
    from simpleflow.dag import BadInput, unpack

    if not (path or "").endswith("DagWorkflow") or not isinstance(input, dict):
        return None
    spec = (input.get("kwargs") or {}).get("spec") if isinstance(input.get("kwargs"), dict) else None
    try:
        spec = unpack(spec) if isinstance(spec, dict) else spec  # checked whatever its format says (none: compiled)
    except BadInput:
        return None
    if isinstance(spec, dict) and isinstance(spec.get("nodes"), list) and isinstance(spec.get("order"), list):
        return spec
    return None


# A DAG's drawing is left out past this many slots (dag.drawing_size): about a second of drawing.
MAX_DRAWN_SLOTS = 20_000

JUMBO_NOTE = (
    "A value over SWF's size limit shows as its S3 reference (simpleflow+s3://...): this UI could not read it. "
    "Is SIMPLEFLOW_JUMBO_FIELDS_BUCKET set for it, as for the workers? Its log says why."
)


def holds_reference(event: dict[str, Any]) -> bool:
    """Whether a jumbo field reference is left in *event* (one that could not be read: decoded ones are text)."""
    return any(isinstance(value, str) and value.startswith(JUMBO_FIELDS_PREFIX) for value in attributes(event).values())


def dag_picture(spec: dict[str, Any], events: list[dict[str, Any]]) -> tuple[str | None, str | None]:
    """The spec's graph coloured by the history's states, or why it cannot be drawn."""
    from simpleflow.dag import Spec, drawing_size, node_states, to_svg

    try:
        graph = Spec(spec, [str(node_id) for node_id in spec["order"]])
        slots = drawing_size(graph)
        if slots > MAX_DRAWN_SLOTS:  # (an execution's input is anyone's who starts one: drawn, it could cost minutes)
            return None, (
                f"the DAG is too large to draw here ({len(graph.order)} nodes and edges taking {slots:,} places in "
                f"its rows, over {MAX_DRAWN_SLOTS:,}): simpleflow dag.show --svg draws its spec file"
            )
        return to_svg(graph, node_states(graph, events)), None
    except (KeyError, TypeError, ValueError, AttributeError) as err:  # a spec this version does not read
        return None, f"the DAG spec in the input cannot be drawn ({type(err).__name__}: {err})"
