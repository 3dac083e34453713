"""The replay engine: a workflow class and its history in, SWF decisions out.

Pure: no network, no clock, no randomness. Both hosts (simpleflow.local and
simpleflow.swf) drive it. ``replay`` is the reference (a fresh run over every
event); ``WorkflowRun.advance`` resumes a run with only the new events and is
held to give the same decisions.
"""

from __future__ import annotations

from typing import Any

from simpleflow.engine._run import ExecutionInfo, WorkflowRun
from simpleflow.engine.logs import ReplayLogFilter
from simpleflow.format import format_reason

__all__ = ["ExecutionInfo", "ReplayLogFilter", "WorkflowRun", "format_reason", "replay"]


def replay(workflow_class: type, events: list[dict[str, Any]], info: ExecutionInfo | None = None) -> list[dict]:
    """The decisions a full replay of *events* takes (the run is released afterwards)."""
    run = WorkflowRun(workflow_class, info)
    try:
        return run.advance(events)
    finally:
        run.close()
