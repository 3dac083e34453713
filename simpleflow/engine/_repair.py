"""Repair: a new execution that takes the results of the activities an earlier one completed.

``standalone --repair WORKFLOW_ID`` gives the decider a :class:`RepairSource`
built once from the failed execution's history. When the new run submits an
activity whose id the earlier execution completed (same activity name, id not
matched by ``--force-activities``), the engine does not schedule it: the
future takes the earlier result and a marker ``simpleflow.repair:<task id>``
records it in the new history. Replays of the new history read the marker, so
they need neither the source nor the earlier history; only tasks the source
does not cover (failed, never run, forced) are scheduled.

Pure: the caller fetches the history (simpleflow.swf.repair).
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from simpleflow import format
from simpleflow.history import History, State

MARKER_PREFIX = "simpleflow.repair:"
_MAX_MARKER_NAME = 256  # SWF's limit on markerName


@dataclass(frozen=True)
class RepairSource:
    """What a repaired execution may reuse: the earlier execution's completed activities.

    ``results`` maps an activity id to (activity name, result text as SWF holds it);
    ``force`` matches the ids that must run again anyway.
    """

    workflow_id: str
    run_id: str
    results: Mapping[str, tuple[str, str | None]] = field(default_factory=dict)
    force: re.Pattern[str] | None = None
    input: str | None = None  # the earlier execution's input (JSON text)

    def result_text(self, task_id: str, activity_name: str) -> tuple[bool, str | None]:
        """(True, result text) when the task may take the earlier result, else (False, None)."""
        found = self.results.get(task_id)
        if found is None or found[0] != activity_name:
            return False, None
        if self.force is not None and self.force.search(task_id):
            return False, None
        return True, found[1]


def source_from_events(
    events: list[dict[str, Any]], workflow_id: str, run_id: str, force: str | None = None
) -> RepairSource:
    """The :class:`RepairSource` of an execution's history (its events, oldest first).

    Raises:
        re.error: *force* is not a valid regular expression.
    """
    history = History(events)
    results = {
        task_id: (record.name, record.result)
        for task_id, record in history.activities.items()
        if record.state is State.COMPLETED
    }
    # A repair of a repair: what the earlier execution itself reused counts as completed too.
    for name, records in history.markers.items():
        if not name.startswith(MARKER_PREFIX):
            continue
        for record in records:
            value = format.loads(record.details)
            if record.state is State.RECORDED and isinstance(value, dict) and "task_id" in value:
                results.setdefault(value["task_id"], (value.get("activity"), format.dumps(value.get("result"))))
    return RepairSource(
        workflow_id,
        run_id,
        results,
        re.compile(force) if force else None,
        history.started.get("input"),
    )


def fitting(source: RepairSource, limit: int) -> tuple[RepairSource, list[str]]:
    """*source* without the results whose marker details would pass *limit* characters (no jumbo
    fields to hold them): those tasks run again rather than fail the repaired execution. Also the ids dropped."""
    dropped = [
        task_id
        for task_id, (name, text) in source.results.items()
        if len(marker_details(source, task_id, name, text)) > limit
    ]
    if not dropped:
        return source, []
    gone = set(dropped)
    kept = {k: v for k, v in source.results.items() if k not in gone}
    return dataclasses.replace(source, results=kept), dropped


def marker_name(task_id: str) -> str:
    """The marker of a reused task: its id, hashed when prefix and id would pass SWF's 256 characters."""
    name = MARKER_PREFIX + task_id
    if len(name) <= _MAX_MARKER_NAME:
        return name
    return MARKER_PREFIX + hashlib.md5(task_id.encode()).hexdigest()  # noqa: S324 - a name, not security


def marker_details(source: RepairSource, task_id: str, activity_name: str, text: str | None) -> str:
    """The marker's details: the reused value and where it came from (JSON)."""
    return format.dumps(
        {
            "task_id": task_id,
            "activity": activity_name,
            "result": format.loads(text),
            "workflow_id": source.workflow_id,
            "run_id": source.run_id,
        }
    )


def recorded(markers: Mapping[str, list[dict[str, Any]]], task_id: str) -> tuple[bool, Any]:
    """(True, value) when this history already records *task_id* as reused."""
    if not markers:
        return False, None
    for record in reversed(markers.get(marker_name(task_id), ())):
        if record.state is State.RECORDED:
            value = format.loads(record.details)
            return True, value.get("result") if isinstance(value, dict) else None
    return False, None


def reuse(
    markers: Mapping[str, list[dict[str, Any]]], source: RepairSource | None, task_id: str, activity_name: str
) -> tuple[bool, Any, tuple[str, str] | None]:
    """What a repaired execution does with an activity its history has no record of.

    Returns:
        (found, value, marker): *found* when the task takes an earlier result, *value*; *marker* is the
        (name, details) of the marker to record, None when this history already records it.
    """
    found, value = recorded(markers, task_id)
    if found:
        return True, value, None
    if source is None:
        return False, None, None
    usable, text = source.result_text(task_id, activity_name)
    if not usable:
        return False, None, None
    name = marker_name(task_id)
    return True, format.loads(text), (name, marker_details(source, task_id, activity_name, text))
