"""The likely causes a replay report names beside its difference, one line each.

A history of another workflow type replays all the same (a workflow moved to another module, or renamed,
changes its type name and must still replay its old histories): its report then says whose history it is.
A history replayed without its execution's ids reports false differences at its child workflows, whose ids
embed the parent's workflow and run ids: its report then says how to give them.
"""

from __future__ import annotations

from typing import Any

from simpleflow import format
from simpleflow.engine import workflow_type_name
from simpleflow.history import attributes
from simpleflow.runtime.loader import class_path, workflow_path
from simpleflow.testing._decisions import Decision

# How each entry point is given an execution's ids (``--record`` and ``workflow.history`` write them in the file).
IDS_IN_FILE = (
    'the file names them as --record and workflow.history write it, {"workflowId": ..., "runId": ..., "events": [...]}'
)
IDS_AS_ARGUMENTS = "check_replay(..., workflow_id=..., run_id=...) takes them"
IDS_AS_OPTIONS = (
    '--workflow-id and --run-id give them, or the file ("workflowId", "runId", as --record and workflow.history '
    "write it)"
)
# The decisions that name a child workflow by its id.
_NAMING_CHILDREN = frozenset(
    {"StartChildWorkflowExecution", "SignalExternalWorkflowExecution", "RequestCancelExternalWorkflowExecution"}
)


def replay_notes(
    workflow_class: type,
    events: list[dict[str, Any]],
    sides: tuple[Decision | None, Decision | None],
    ids: tuple[str | None, str | None],
    give_ids: str,
) -> list[str]:
    """The notes of a replay of *events* that differs at *sides* (the history's decision, the code's), given
    the execution's *ids* (workflow id, run id; None when not given), *give_ids* saying how to give them."""
    notes = []
    other_type = _other_type(workflow_class, events)
    if other_type is not None:
        notes.append(other_type)
    missing = [what for what, given in zip(("workflow id", "run id"), ids) if not given]
    if missing and any(side is not None and side.type in _NAMING_CHILDREN for side in sides):
        notes.append(
            f"the history names no execution (no {' nor '.join(missing)} given), and child workflow ids embed the "
            f"parent's workflow and run ids: {give_ids}"
        )
    return notes


def _other_type(workflow_class: type, events: list[dict[str, Any]]) -> str | None:
    """A note when the history's workflow type is none of the code's (its ``name``, or ``module.ClassName`` as
    a child is started), unless its input names the code's class (a DAG's type is its spec's)."""
    started = attributes(events[0]) if events else {}
    recorded = (started.get("workflowType") or {}).get("name")
    ours = getattr(workflow_class, "name", None)
    as_child = workflow_type_name(workflow_class)
    if not isinstance(recorded, str) or recorded in (ours, as_child):
        return None
    try:
        named = class_path(format.loads(started.get("input")))
    except (ValueError, RecursionError):  # the input is the replay's to report, not this note's
        named = None
    if named == workflow_path(workflow_class):
        return None
    return (
        f"the history is of workflow type {recorded!r}, this code's type is {ours or as_child!r}: a history of "
        "another workflow, or of this one before it was renamed or moved"
    )
