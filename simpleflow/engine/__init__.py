"""The replay engine: a workflow class and its history in, SWF decisions out.

Pure: no network, no clock, no randomness (``answer_decision_task`` is the
edge that reads and writes jumbo fields). Both hosts (simpleflow.local and
simpleflow.swf) drive it, through the names exported here only, and answer
each decision task with ``answer_decision_task``. ``replay`` is the reference
(a fresh run over every event); ``WorkflowRun.advance`` resumes a run with
only the new events and is held to give the same decisions.

``WorkflowRun`` is what a host drives; what the workflow's code calls (``Workflow.executor``) is its
``WorkflowContext``, which implements the ``WorkflowExecutor`` protocol the public API names.

Driving inline (simpleflow.local only): a host may give ``WorkflowRun`` a *driver*, called on the run's own
thread while the workflow waits, to carry on as the host's loop would without a thread switch per decision
task; what passes between them is the run's ``Handoff`` (see simpleflow.engine._handoff).

Queries (simpleflow.workflow): ``answer_query`` replays a history and calls a ``@query`` method on the state
``run`` left; the decisions are dropped.

Repair (``standalone --repair``): ``ExecutionInfo.repair`` holds a ``RepairSource`` built by
``repair_source_from_events`` from an earlier execution; its completed activities are reused (_repair).

Patching (``Workflow.patched``): the history decides which path an execution takes at a code change (_patch).

Nondeterminism: each task the code submits is compared with what the history holds under its id (_fit);
on a mismatch ``advance`` raises ``Nondeterminism`` or fails the execution (``ExecutionInfo.on_nondeterminism``).
``past_the_raise`` tells those a full replay finds past where ``run`` raised as a decider saw them (_raised).
"""

from __future__ import annotations

from typing import Any

from simpleflow.engine._closing import RunOutcome
from simpleflow.engine._context import ExecutionInfo, WorkflowContext
from simpleflow.engine._decision_task import (
    answer_decision_task,
    cannot_read,
    decode_events,
    encode_decisions,
    fail_execution,
)
from simpleflow.engine._decisions import cancel_timer as cancel_timer_decision
from simpleflow.engine._decisions import start_timer as start_timer_decision
from simpleflow.engine._fit import FAIL as ON_NONDETERMINISM_FAIL
from simpleflow.engine._fit import REPORT as ON_NONDETERMINISM_REPORT
from simpleflow.engine._fit import WAIT as ON_NONDETERMINISM_WAIT
from simpleflow.engine._fit import HistoryDoesNotFit, Mismatch, Nondeterminism, Unfit
from simpleflow.engine._handoff import Handoff
from simpleflow.engine._ids import policy_timer_id, workflow_type_name
from simpleflow.engine._patch import MARKER_PREFIX as PATCH_MARKER_PREFIX
from simpleflow.engine._protocol import WorkflowExecutor
from simpleflow.engine._query import answer_query
from simpleflow.engine._raised import past_the_raise
from simpleflow.engine._repair import MARKER_PREFIX as REPAIR_MARKER_PREFIX
from simpleflow.engine._repair import RepairSource
from simpleflow.engine._repair import fitting as fit_repair_source
from simpleflow.engine._repair import source_from_events as repair_source_from_events
from simpleflow.engine._run import WorkflowRun
from simpleflow.engine._suspend import Abandoned
from simpleflow.engine.logs import ReplayLogFilter
from simpleflow.format import format_reason

__all__ = [
    "ON_NONDETERMINISM_FAIL",
    "ON_NONDETERMINISM_REPORT",
    "ON_NONDETERMINISM_WAIT",
    "PATCH_MARKER_PREFIX",
    "REPAIR_MARKER_PREFIX",
    "Abandoned",
    "ExecutionInfo",
    "Handoff",
    "HistoryDoesNotFit",
    "Mismatch",
    "Nondeterminism",
    "RepairSource",
    "ReplayLogFilter",
    "RunOutcome",
    "Unfit",
    "WorkflowContext",
    "WorkflowExecutor",
    "WorkflowRun",
    "answer_decision_task",
    "answer_query",
    "cancel_timer_decision",
    "cannot_read",
    "decode_events",
    "encode_decisions",
    "fail_execution",
    "fit_repair_source",
    "past_the_raise",
    "format_reason",
    "policy_timer_id",
    "repair_source_from_events",
    "replay",
    "start_timer_decision",
    "workflow_type_name",
]


def replay(workflow_class: type, events: list[dict[str, Any]], info: ExecutionInfo | None = None) -> list[dict]:
    """The decisions a full replay of *events* takes (the run is released afterwards).

    Args:
        workflow_class: the ``Workflow`` subclass the execution runs.
        events: the whole history, from ``WorkflowExecutionStarted``, jumbo fields decoded.
        info: the execution's domain, ids and limits.

    Returns:
        The decisions a decider would respond with.

    Raises:
        Nondeterminism: the code submits, under an id the history holds, something else (unless
            *info* says otherwise: ``ExecutionInfo.on_nondeterminism``).
    """
    run = WorkflowRun(workflow_class, info)
    try:
        return run.advance(events)
    finally:
        run.close()
