"""Schedules on SWF: each one is the open ScheduleWorkflow execution with workflow id ``schedule-<name>``."""

from __future__ import annotations

import json
import time
from typing import Any

from simpleflow import format, jumbo
from simpleflow.exceptions import UsageError
from simpleflow.schedule._workflow import ScheduleWorkflow

PREFIX = "schedule-"
LIST_HEADERS = ("name", "cron", "timezone", "target", "state", "started", "workflow id")


def workflow_id_of(name: str) -> str:
    return f"{PREFIX}{name}"


def create(domain: str, input: dict[str, Any], task_list: str | None = None) -> dict[str, str]:
    """Start the schedule's execution; UsageError when a schedule of that name is open already."""
    from simpleflow.swf import starter

    name = input["args"][0]["name"]
    try:
        return starter.start_workflow(
            domain, ScheduleWorkflow, input, workflow_id=workflow_id_of(name), task_list=task_list
        )
    except starter.WorkflowIdInUse:
        raise UsageError(f"schedule {name!r} exists already (schedule.delete it first)") from None


def _open_run(domain: str, name: str) -> str:
    from simpleflow.swf import client

    infos = client.list_executions(domain, "open", started_since_days=None, workflow_id=workflow_id_of(name))
    infos = [i for i in infos if i["workflowType"]["name"] == ScheduleWorkflow.name]
    if not infos:
        raise UsageError(f"no schedule {name!r} in domain {domain!r}")
    return infos[0]["execution"]["runId"]


def signal(domain: str, name: str, signal_name: str, run_id: str | None = None, at: float | None = None) -> None:
    """Send ``pause``, ``resume`` or ``trigger`` (with the time it was asked) to the schedule."""
    from simpleflow.swf import executions

    run_id = run_id or _open_run(domain, name)
    payload = json.dumps({"at": time.time() if at is None else at})  # when it was asked: the schedule reads it
    executions.signal(domain, workflow_id_of(name), signal_name, input=payload, run_id=run_id)


def set_paused(domain: str, name: str, paused: bool) -> bool:
    """Pause (*paused*) or resume schedule *name*: whether the signal was sent; False, and nothing sent, when the
    schedule is so already (its history says so: the signals it received, its state when it continued as new)."""
    from simpleflow.swf import client

    run_id = _open_run(domain, name)
    if describe(client.get_history(domain, workflow_id_of(name), run_id))["paused"] == paused:
        return False
    signal(domain, name, "pause" if paused else "resume", run_id=run_id)
    return True


def trigger(domain: str, name: str) -> tuple[str | None, list[str]]:
    """Start schedule *name*'s target now: ``(workflow id of the run, [])``; or, when ``--overlap skip`` drops
    the trigger (a run the schedule started is open), ``(None, those runs)``, and nothing is sent.

    The schedule judges alike when the signal reaches it; a run a fire started in between makes it drop the
    trigger and record the marker ``simpleflow.schedule.trigger-skipped`` instead.
    """
    from simpleflow.schedule._cron import stamp
    from simpleflow.swf import client

    run_id = _open_run(domain, name)
    found = describe(client.get_history(domain, workflow_id_of(name), run_id))
    if found["schedule"].get("overlap", "skip") == "skip" and found["open"]:
        return None, found["open"]
    at = time.time()
    signal(domain, name, "trigger", run_id=run_id, at=at)
    return f"{name}-manual-{stamp(at)}", []


def delete(domain: str, name: str) -> None:
    """Terminate the schedule's execution (the runs it started go on: its child policy is ABANDON)."""
    from simpleflow.swf import executions

    run_id = _open_run(domain, name)
    executions.terminate(domain, workflow_id_of(name), run_id, reason="schedule deleted")


def describe(events: list[dict[str, Any]]) -> dict[str, Any]:
    """What a schedule execution's history says of it: its definition, whether it is paused, and the
    runs it started that are still open (``open``: their workflow ids)."""
    from simpleflow.history import History, State

    started = events[0]["workflowExecutionStartedEventAttributes"]
    value = format.loads(jumbo.decode(started.get("input"))) or {}
    schedule = (value.get("args") or [{}])[0]
    state = (value.get("kwargs") or {}).get("state") or {}
    paused = bool(state.get("paused"))
    for event in events:
        if event["eventType"] == "WorkflowExecutionSignaled":
            name = event["workflowExecutionSignaledEventAttributes"]["signalName"]
            if name in ("pause", "resume"):
                paused = name == "pause"
    children = History(events).child_workflows
    running = (State.START_INITIATED, State.STARTED)
    return {"schedule": schedule, "paused": paused, "open": [i for i, r in children.items() if r.state in running]}


def list_schedules(domain: str) -> tuple[list[str], list[list[Any]]]:
    """``schedule.list``: every open schedule of *domain*."""
    from simpleflow.swf import client

    rows = []
    for info in client.list_executions(domain, "open", started_since_days=None):
        if info["workflowType"]["name"] != ScheduleWorkflow.name:
            continue
        execution = info["execution"]
        found = describe(client.get_history(domain, execution["workflowId"], execution["runId"]))
        schedule = found["schedule"]
        target = schedule.get("target") or {}
        rows.append(
            [
                schedule.get("name"),
                schedule.get("cron"),
                schedule.get("timezone", "UTC"),
                f"{target.get('name')} {target.get('version')}",
                "paused" if found["paused"] else "active",
                format.dumps(info.get("startTimestamp")).strip('"'),
                execution["workflowId"],
            ]
        )
    return list(LIST_HEADERS), sorted(rows, key=lambda r: str(r[0]))
