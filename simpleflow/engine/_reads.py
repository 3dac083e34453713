"""What a workflow may read of its own history (``get_run_context``, ``list_markers``, ``get_event_details``)."""

from __future__ import annotations

from typing import Any

from simpleflow import format
from simpleflow.history import History, State, utc_datetime
from simpleflow.marker import Marker


def run_context(history: History, info: Any, workflow_class: type) -> dict[str, Any]:
    """Name, version, domain, workflow and run ids, tags, parent and continued run ids."""
    started = history.started
    parent = started.get("parentWorkflowExecution") or {}
    wtype = started.get("workflowType") or {}
    return {
        "name": wtype.get("name", workflow_class.name),
        "version": wtype.get("version", workflow_class.version),
        "domain_name": info.domain,
        "workflow_id": info.workflow_id,
        "run_id": info.run_id,
        "tag_list": started.get("tagList") or [],
        "continued_execution_run_id": started.get("continuedExecutionRunId"),
        "parent_workflow_id": parent.get("workflowId"),
        "parent_run_id": parent.get("runId"),
    }


def markers(history: History, all: bool) -> list[Marker]:
    """The markers recorded: the last of each name, or every one with *all*."""
    found = []
    for records in history.markers.values():
        chosen = [r for r in records if r.state is State.RECORDED]
        for record in chosen if all else chosen[-1:]:
            found.append(Marker(record.name, format.loads(record.details)))
    return found


# simpleflow's keys for a timer's times: ``<state>_event_timestamp`` (ours are ``<state>_timestamp``).
_TIMER_TIMES = ("started", "fired", "canceled", "cancel_failed", "start_failed")


def _timer_details(record: dict[str, Any]) -> dict[str, Any]:
    out = dict(record)
    for state in _TIMER_TIMES:
        if f"{state}_timestamp" in record:
            out[f"{state}_timestamp"] = out[f"{state}_event_timestamp"] = utc_datetime(record[f"{state}_timestamp"])
    out["control"] = format.loads(record.get("control"))
    timeout = record.get("start_to_fire_timeout")
    if isinstance(timeout, str) and timeout.isdigit():
        out["start_to_fire_timeout"] = int(timeout)
    return out


def event_details(history: History, event_type: str, event_name: str) -> dict[str, Any] | None:
    """The history's record of the signal, marker or timer *event_name* in simpleflow's shape, or None.

    The keys are simpleflow's (``started_event_timestamp``, ``fired_event_id``, ``external_initiated_event_id``,
    timestamps as UTC datetimes, a timer's ``control`` and a marker's ``details`` decoded), beside ours.

    Raises:
        ValueError: *event_type* is not signal, marker or timer.
    """
    if event_type == "signal":
        signal = history.signals.get(event_name)
        return None if signal is None else dict(signal.as_dict(), timestamp=utc_datetime(signal.timestamp))
    if event_type == "marker":
        recorded = [m for m in history.markers.get(event_name, []) if m.state is State.RECORDED]
        if not recorded:
            return None
        last = recorded[-1]
        return dict(last.as_dict(), details=format.loads(last.details), timestamp=utc_datetime(last.timestamp))
    if event_type == "timer":
        timer = history.timers.get(event_name)
        return None if timer is None else _timer_details(timer.as_dict())
    raise ValueError(f"unknown event type {event_type!r} (expected signal, marker or timer)")
