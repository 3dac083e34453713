"""The replay engine: a workflow class and its history in, SWF decisions out.

Pure: no network, no clock, no randomness. Both hosts (simpleflow.local and
simpleflow.swf) drive it. ``replay`` is the reference (a fresh run over every
event); ``WorkflowRun.advance`` resumes a run with only the new events and is
held to give the same decisions.

The inline-driver hook (used by simpleflow.local only): a host may set ``WorkflowRun.driver`` to a callable
the run calls on its own thread while the workflow waits on an unsettled future. The driver carries on as
the host's loop would, using ``decide_now`` and ``feed_inline``; it returns False to hand control back to
``advance``, or raises ``Abandoned`` to unwind a run that will never be resumed.
"""

from __future__ import annotations

from typing import Any

from simpleflow.engine._run import ExecutionInfo, WorkflowRun
from simpleflow.engine._suspend import Abandoned
from simpleflow.engine.logs import ReplayLogFilter
from simpleflow.format import format_reason

__all__ = ["Abandoned", "ExecutionInfo", "ReplayLogFilter", "WorkflowRun", "format_reason", "replay"]


def replay(workflow_class: type, events: list[dict[str, Any]], info: ExecutionInfo | None = None) -> list[dict]:
    """The decisions a full replay of *events* takes (the run is released afterwards)."""
    run = WorkflowRun(workflow_class, info)
    try:
        return run.advance(events)
    finally:
        run.close()
