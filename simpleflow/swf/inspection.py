"""Looking at executions on SWF: the library side of workflow.list/filter/info/tasks/profile/history,
task.info and activity.rerun.

Each function fetches what it needs through :mod:`simpleflow.swf.client` (every page), decodes jumbo
fields, and hands the events to the pure row builders of :mod:`simpleflow.swf.stats`. Errors a user can
fix (unknown domain, workflow id, run or task) are :class:`~simpleflow.exceptions.UsageError` or
:class:`~simpleflow.swf.stats.UnknownTaskError`, each one line.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from simpleflow import activity, format, jumbo
from simpleflow.exceptions import UsageError
from simpleflow.history import Event, History, HistoryView, attributes, document_text
from simpleflow.runtime.loader import parse_input, scan_activities
from simpleflow.runtime.outcome import run_activity
from simpleflow.swf import client, stats
from simpleflow.swf.executions import run_history
from simpleflow.swf.timeline import render_svg
from simpleflow.utils import json_dumps, serialize_complex_object

__all__ = [
    "Execution",
    "DEFAULT_STARTED_SINCE_DAYS",
    "LIST_HEADERS",
    "STATUS_FIELD_HEADER",
    "latest_execution_context",
    "FILTER_HEADERS",
    "dump_history",
    "fetch_execution",
    "filter_workflows",
    "history_document",
    "list_workflows",
    "rerun_activity",
    "task_info",
    "task_table",
    "TASK_HEADER",
    "workflow_info",
    "workflow_profile",
    "workflow_tasks",
]

DEFAULT_STARTED_SINCE_DAYS = 30

LIST_HEADERS = ["Workflow ID", "Workflow Type", "Status"]
STATUS_FIELD_HEADER = "Latest Execution Context"
#: workflow.filter's columns, simpleflow 0.36.0's seventeen in its order. "Cancel Requested" is there twice, and
#: Child Policy, Execution Timeout, Input and Decision Tasks Timeout are always empty: SWF's list call does not
#: carry them, and 0.36.0 printed them so. Scripts read its rows by position.
FILTER_HEADERS = [
    "Workflow ID",
    "Workflow Type",
    "Workflow Version",
    "Run ID",
    "Status",
    "Child Policy",
    "Close Status",
    "Start Timestamp",
    "Close Timestamp",
    "Cancel Requested",
    "Execution Timeout",
    "Input",
    "Tags",
    "Decision Tasks Timeout",
    "Parent Workflow ID",
    "Parent Run ID",
    "Cancel Requested",
]

Table = tuple[list[str], list[list[Any]]]

#: task.info's columns, in simpleflow 0.36.0's order (its ``--details`` adds ``details`` after them).
TASK_HEADER = ["type", "id", "name", "version", "state", "timestamp", "input", "result", "reason"]


@dataclass
class Execution:
    """One run of a workflow: its ids and its history events (oldest first, jumbo fields decoded)."""

    domain: str
    workflow_id: str
    run_id: str
    events: list[dict[str, Any]]


def fetch_execution(domain: str, workflow_id: str, run_id: str | None = None, after: int = 0) -> Execution:
    """The history of ``workflow_id``'s run ``run_id`` (its latest run when None), every page of it
    (with *after*, only its events past that event id: the pages holding them, read newest first).

    Raises:
        UnknownDomain: the domain does not exist.
        UsageError: no such workflow id, or no such run of it.
    """
    run_id, events = run_history(domain, workflow_id, run_id, after)
    return Execution(domain, workflow_id, run_id, jumbo.decode_events(events, keep_unavailable=True))


def _executions(domain: str, status: str, started_since: float | None, **filters: Any) -> list[dict[str, Any]]:
    if status not in ("open", "closed"):
        raise UsageError(f"status must be 'open' or 'closed', not {status!r}")
    if filters.get("workflow_version") and not filters.get("workflow_name"):
        raise UsageError("a workflow type version filters only with its workflow type name")
    if filters.get("close_status") and status != "closed":
        raise UsageError("a close status filters closed executions only: add --status closed")
    return client.list_executions(domain, status, started_since_days=started_since, **filters)


def list_workflows(
    domain: str,
    status: str = "open",
    started_since: float | None = DEFAULT_STARTED_SINCE_DAYS,
    *,
    status_field: bool = False,
) -> Table:
    """``workflow.list``: workflow id, type name and status of the executions started in the last days.

    With *status_field*, also each execution's latest execution context (its ``Workflow.set_status``
    value, decoded): one DescribeWorkflowExecution per execution, the list call does not carry it.
    """
    infos = _executions(domain, status, started_since)
    rows = [[i["execution"]["workflowId"], i["workflowType"]["name"], i.get("executionStatus")] for i in infos]
    if not status_field:
        return list(LIST_HEADERS), rows
    for info, row in zip(infos, rows):
        row.append(format.loads(latest_execution_context(domain, info["execution"])))
    return [*LIST_HEADERS, STATUS_FIELD_HEADER], rows


def latest_execution_context(domain: str, execution: dict[str, str]) -> str | None:
    """The executionContext the execution's decider gave last (SWF's ``latestExecutionContext``), as text."""
    description = client.swf_client().describe_workflow_execution(domain=domain, execution=execution)
    return description.get("latestExecutionContext")


def filter_workflows(
    domain: str,
    status: str = "open",
    started_since: float | None = DEFAULT_STARTED_SINCE_DAYS,
    *,
    tag: str | None = None,
    workflow_id: str | None = None,
    workflow_type_name: str | None = None,
    workflow_type_version: str | None = None,
    close_status: str | None = None,
    from_date: Any = None,
    to_date: Any = None,
) -> Table:
    """``workflow.filter``: the executions that match every filter given, one detailed row each.

    Everything shown comes with the list call itself: no per-execution request.
    """
    infos = _executions(
        domain,
        status,
        started_since,
        tag=tag,
        workflow_id=workflow_id,
        workflow_name=workflow_type_name,
        workflow_version=workflow_type_version,
        close_status=close_status.upper() if close_status else None,
        from_date=from_date,
        to_date=to_date,
    )
    return list(FILTER_HEADERS), [_filter_row(info) for info in infos]


def _filter_row(info: dict[str, Any]) -> list[Any]:
    """One execution's workflow.filter row, from what the list call gives (tags as their list, as 0.36.0)."""
    parent = info.get("parent") or {}
    cancel_requested = info.get("cancelRequested", False)
    return [
        info["execution"]["workflowId"],
        info["workflowType"]["name"],
        info["workflowType"]["version"],
        info["execution"]["runId"],
        info.get("executionStatus"),
        None,  # Child Policy
        info.get("closeStatus"),
        info.get("startTimestamp"),
        info.get("closeTimestamp"),
        cancel_requested,
        None,  # Execution Timeout
        None,  # Input
        info.get("tagList") or [],  # SWF leaves it out when there are none
        None,  # Decision Tasks Timeout
        parent.get("workflowId"),
        parent.get("runId"),
        cancel_requested,
    ]


def workflow_info(domain: str, workflow_id: str, run_id: str | None = None) -> Table:
    """``workflow.info``: one row of domain, type, task list, ids, tags, execution time and input."""
    execution = fetch_execution(domain, workflow_id, run_id)
    description = client.swf_client().describe_workflow_execution(
        domain=domain, execution={"workflowId": workflow_id, "runId": execution.run_id}
    )
    info = dict(description["executionInfo"])
    # The times come from the history's first and closing events (the same as SWF's description gives):
    # one source for them, whatever the endpoint's description says.
    info.pop("startTimestamp", None)
    info.pop("closeTimestamp", None)
    description = {**description, "executionInfo": info}
    headers, row = stats.workflow_info_row(description, execution.events, domain=domain, decode=format.loads)
    return headers, [row]


def workflow_tasks(domain: str, workflow_id: str, run_id: str | None = None, nb_tasks: int | None = None) -> Table:
    """``workflow.tasks``: each task's last state and when, most recently first seen first."""
    return stats.task_rows(fetch_execution(domain, workflow_id, run_id).events, nb_tasks)


def workflow_profile(
    domain: str,
    workflow_id: str,
    run_id: str | None = None,
    nb_tasks: int | None = None,
    svg: str | os.PathLike[str] | IO[str] | None = None,
) -> Table:
    """``workflow.profile``: where the time went, longest running first; also a timeline written to ``svg``."""
    events = fetch_execution(domain, workflow_id, run_id).events
    if svg is not None:
        render_svg(events, svg, nb_tasks)
    return stats.profile_rows(events, nb_tasks)


def _plain(value: Any) -> Any:
    """boto3's values as JSON has them: datetimes become epoch seconds."""
    if isinstance(value, datetime):
        return stats.epoch(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def history_document(domain: str, workflow_id: str, run_id: str | None = None) -> dict[str, Any]:
    """``workflow.history``: ``{"domain": ..., "workflowId": ..., "runId": ..., "events": [...]}``, the exact
    input of ``workflow.replay`` (and of ``workflow.trace --history``, which reads the ids and the domain).

    Events are oldest first, with epoch-second timestamps and jumbo fields replaced by their text.
    """
    execution = fetch_execution(domain, workflow_id, run_id)
    events = _plain(execution.events)
    return {"domain": domain, "workflowId": execution.workflow_id, "runId": execution.run_id, "events": events}


def dump_history(document: dict[str, Any]) -> str:
    """A history document as a history file's text (``history.document_text``), without its last newline."""
    ids = {"workflow_id": document.get("workflowId"), "run_id": document.get("runId"), "domain": document.get("domain")}
    text = document_text(document["events"], **ids)
    return text.rstrip("\n")


def task_info(domain: str, workflow_id: str, task_id: str, run_id: str | None = None) -> dict[str, Any]:
    """``task.info``: what the history says about one task (state, input, result or failure).

    The input is decoded; ``result`` and ``details`` are the JSON text SWF holds, as simpleflow 0.36.0 gives
    them (its scripts decode them).

    Raises:
        UnknownTaskError: no task has that id; the message names the ones there are.
    """
    events = fetch_execution(domain, workflow_id, run_id).events
    info = stats.task_info(events, task_id, decode=format.loads)
    texts = stats.task_info(events, task_id, decode=str)
    info.update({key: texts[key] for key in ("result", "details") if key in texts})
    return info


def task_table(info: dict[str, Any], details: bool = False, more: bool = False) -> Table:
    """``task_info``'s answer as simpleflow 0.36.0's task.info table: one row, ``TASK_HEADER``'s columns.

    ``details`` adds the failure details next, as 0.36.0's ``--details`` does; ``more`` then adds the other
    keys ``info`` has (scheduled, started, closed, attempts...), after 0.36.0's columns so theirs keep
    their places.
    """
    header = [*TASK_HEADER, "details"] if details else list(TASK_HEADER)
    if more:
        header += [key for key in info if key not in header and key != "details"]
    return header, [[info.get(key) for key in header]]


def _scan(modules: tuple[str, ...] | list[str]) -> None:
    for module in modules:
        scan_activities(module)  # UsageError naming the module, or the file and line that failed


def _scheduled_event(events: list[dict[str, Any]], scheduled_id: int | None, activity_id: str | None) -> dict:
    chosen = [e for e in events if e["eventType"] == "ActivityTaskScheduled"]
    if scheduled_id is not None:
        return attributes(next(e for e in chosen if e["eventId"] == scheduled_id))
    return [attributes(e) for e in chosen if attributes(e)["activityId"] == activity_id][-1]


def rerun_activity(
    domain: str,
    workflow_id: str,
    run_id: str | None = None,
    *,
    scheduled_id: int | None = None,
    activity_id: str | None = None,
    input: str | None = None,
    modules: tuple[str, ...] | list[str] = (),
) -> Any:
    """Run again, here, the activity an execution scheduled, on its recorded input or on ``input``.

    The activity is chosen by the eventId of its ActivityTaskScheduled event or by its activity id (its
    last scheduling). Only activities declared in ``modules`` (scanned first; the operator names them) are
    run: never a callable a history names, and no module is imported because a history names it. The
    activity gets the context a worker gives it.

    Args:
        input: JSON, a list of arguments or ``{"args": [...], "kwargs": {...}}``, in place of the recorded one.

    Returns:
        An :class:`~simpleflow.runtime.outcome.Outcome`: ``completed`` with the JSON ``result`` text (never a
        jumbo field reference), or ``failed`` with ``reason`` and ``details``.

    Raises:
        UsageError: no selector or both, an unknown event or activity, a module that does not import, no
            ``modules`` (the message names the activity's), an activity not declared in ``modules``, or an
            ``input`` that is not valid JSON.
    """
    if (scheduled_id is None) == (activity_id is None):
        raise UsageError("choose the activity with --scheduled-id or --activity-id (one of them)")
    input_text = format.dumps(parse_input(input)) if input is not None else None
    execution = fetch_execution(domain, workflow_id, run_id)
    try:
        name, version, recorded = stats.find_activity_input(
            execution.events, scheduled_id=scheduled_id, activity_id=activity_id, decode=format.loads
        )
    except stats.UnknownTaskError as err:
        raise UsageError(str(err)) from err
    _scan(modules)
    act = activity.find(name)  # simpleflow's own activities (steps) are found without a module
    if act is None and not modules:
        module = name.rpartition(".")[0] or name
        raise UsageError(
            f"activity {name!r}: name the module that declares it with --module (--module {module}, if you trust "
            "it): a module a history names is not imported on its word"
        )
    if act is None:
        raise UsageError(
            f"activity {name!r} is not declared in {', '.join(modules)}: name the module that declares it with --module"
        )
    attributes = _scheduled_event(execution.events, scheduled_id, activity_id)
    if input_text is None:
        input_text = format.dumps(recorded)
    context = {
        "name": name,
        "version": version,
        "workflow_id": execution.workflow_id,
        "run_id": execution.run_id,
        "activity_id": attributes["activityId"],
        "input": input_text,
        "domain_name": domain,
        "activity_task_list": (attributes.get("taskList") or {}).get("name"),
    }
    outcome = run_activity(act, input_text, context)
    # Run here, an oversize result may have gone to S3 as a worker would send it: give its text back.
    outcome.result = jumbo.decode(outcome.result)
    return outcome


def history_as(output_format: str, domain: str, workflow_id: str, run_id: str | None, reverse: bool = False) -> str:
    """``workflow.history --output-format events|raw|cooked``, simpleflow's forms, as JSON text.

    events: SWF's event list; raw: each event as simpleflow's object (``id``, ``type``, ``state``,
    ``timestamp``, snake_case attributes); cooked: the per-task state a workflow's history holds.
    """
    events = fetch_execution(domain, workflow_id, run_id).events
    if output_format == "cooked":
        value: Any = cooked_history(events)
    else:
        ordered = list(reversed(events)) if reverse else events
        value = ordered if output_format == "events" else [Event(e).as_dict() for e in ordered]
    return json_dumps(value, compact=False, separators=(",", ":"), default=_json_default)


def cooked_history(events: list[dict[str, Any]]) -> dict[str, Any]:
    """``-o cooked``: the per-task records simpleflow 0.36.0's ``History.parse()`` gives, in its shapes (the
    execution's own record, inputs and controls decoded), as the workflow hooks see them."""
    view = HistoryView(History(events))
    sent = [r for rs in (*view.signaled_workflows.values(), *view.external_cancels.values()) for r in rs]
    return {
        "workflow": view.workflow,
        "activities": view.activities,
        "child_workflows": view.child_workflows,
        "markers": view.markers,
        "timers": view.timers,
        "signals": view.signals,
        "signal_lists": view.signal_lists,
        # 0.36.0's: the signals and cancel requests sent to other executions, by the eventId that initiated them.
        "external_workflows_signaling": {r["initiated_event_id"]: r for r in sorted(sent, key=_initiated)},
        "signaled_workflows": view.signaled_workflows,
    }


def _initiated(record: dict[str, Any]) -> int:
    return record["initiated_event_id"]


def _json_default(value: Any) -> Any:
    try:
        return serialize_complex_object(value)
    except TypeError:
        return str(value)
