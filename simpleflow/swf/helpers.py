"""simpleflow 0.36's ``simpleflow.swf.helpers``: the CLI's inspection calls, over our client and inspection.

``show_workflow_info``, ``show_workflow_profile``, ``show_workflow_status``, ``list_workflow_executions``,
``filter_workflow_executions`` and ``get_task`` return ``(header, rows)`` as the original's did (print
them with ``simpleflow.cli.output.format_table``); the ``show_*`` ones and ``get_task`` print
``Workflow <id> not found`` and exit with status 1 when the workflow does not exist, as there.
``find_activity`` gives what re-running an activity of a history needs, and only ever an activity
declared with ``@activity.with_attributes`` (never another callable a history names).
"""

from __future__ import annotations

import copy
import sys
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from simpleflow import format
from simpleflow.swf import client, inspection, stats

__all__ = [
    "WorkflowExecution",
    "filter_workflow_executions",
    "find_activity",
    "get_task",
    "get_workflow_execution",
    "list_workflow_executions",
    "show_workflow_info",
    "show_workflow_profile",
    "show_workflow_status",
    "swf_identity",
]

STATUS_OPEN = "OPEN"
STATUS_CLOSED = "CLOSED"
MAX_WORKFLOW_AGE = inspection.DEFAULT_STARTED_SINCE_DAYS


class WorkflowTypeRef(NamedTuple):
    name: str
    version: str


@dataclass(slots=True)
class WorkflowExecution:
    """One run of a workflow as SWF describes it, with the original mapper's attribute names.

    ``history()`` gives its events (oldest first, jumbo fields decoded).
    """

    STATUS_OPEN = STATUS_OPEN
    STATUS_CLOSED = STATUS_CLOSED

    domain: str
    workflow_id: str
    run_id: str
    workflow_type: WorkflowTypeRef
    status: str
    close_status: str | None = None
    tag_list: list[str] = field(default_factory=list)
    task_list: str | None = None
    child_policy: str | None = None
    execution_timeout: str | None = None
    decision_tasks_timeout: str | None = None
    start_timestamp: Any = None
    close_timestamp: Any = None
    cancel_requested: bool = False
    parent: dict[str, str] = field(default_factory=dict)
    latest_execution_context: str | None = None

    def history(self) -> list[dict[str, Any]]:
        return inspection.fetch_execution(self.domain, self.workflow_id, self.run_id).events


def get_workflow_execution(domain_name: str, workflow_id: str, run_id: str | None = None) -> WorkflowExecution | None:
    """The run *run_id* of *workflow_id* (its latest run, open or closed, when None), or None if there is none.

    Raises:
        UnknownDomain: the domain does not exist.
    """
    if run_id is None:
        run_id = client.latest_run_id(domain_name, workflow_id)
        if run_id is None:
            return None
    try:
        described = client.swf_client().describe_workflow_execution(
            domain=domain_name, execution={"workflowId": workflow_id, "runId": run_id}
        )
    except client.ClientError as err:
        if client.error_code(err) == "UnknownResourceFault":
            return None
        raise
    info, config = described["executionInfo"], described.get("executionConfiguration") or {}
    return WorkflowExecution(
        domain=domain_name,
        workflow_id=workflow_id,
        run_id=run_id,
        workflow_type=WorkflowTypeRef(info["workflowType"]["name"], info["workflowType"]["version"]),
        status=info["executionStatus"],
        close_status=info.get("closeStatus"),
        tag_list=list(info.get("tagList") or []),
        task_list=(config.get("taskList") or {}).get("name"),
        child_policy=config.get("childPolicy"),
        execution_timeout=config.get("executionStartToCloseTimeout"),
        decision_tasks_timeout=config.get("taskStartToCloseTimeout"),
        start_timestamp=info.get("startTimestamp"),
        close_timestamp=info.get("closeTimestamp"),
        cancel_requested=bool(info.get("cancelRequested")),
        parent=dict(info.get("parent") or {}),
        latest_execution_context=described.get("latestExecutionContext"),
    )


def _found_or_exit(domain_name: str, workflow_id: str, run_id: str | None) -> WorkflowExecution:
    execution = get_workflow_execution(domain_name, workflow_id, run_id)
    if execution is None:
        print(f"Execution {workflow_id} {run_id} not found" if run_id else f"Workflow {workflow_id} not found")
        sys.exit(1)
    return execution


def show_workflow_info(domain_name: str, workflow_id: str, run_id: str | None = None) -> inspection.Table:
    """``workflow.info``'s table: domain, type, task list, ids, tags, execution time, input."""
    execution = _found_or_exit(domain_name, workflow_id, run_id)
    return inspection.workflow_info(domain_name, workflow_id, execution.run_id)


def show_workflow_profile(
    domain_name: str, workflow_id: str, run_id: str | None = None, nb_tasks: int | None = None
) -> inspection.Table:
    """``workflow.profile``'s table: where the time went, task by task."""
    execution = _found_or_exit(domain_name, workflow_id, run_id)
    return inspection.workflow_profile(domain_name, workflow_id, execution.run_id, nb_tasks)


def show_workflow_status(
    domain_name: str, workflow_id: str, run_id: str | None = None, nb_tasks: int | None = None
) -> inspection.Table:
    """``workflow.tasks``'s table as simpleflow 0.36.0 gives it: each task's name, last state and when (the
    command's fifth column, the task id, left out)."""
    execution = _found_or_exit(domain_name, workflow_id, run_id)
    headers, rows = inspection.workflow_tasks(domain_name, workflow_id, execution.run_id, nb_tasks)
    return headers[:4], [row[:4] for row in rows]


def _status(value: Any) -> str:
    text = str(value or STATUS_OPEN).lower()
    if text not in ("open", "closed"):
        raise ValueError(f"Unknown status provided: {value}")
    return text


def list_workflow_executions(
    domain_name: str, status: str = STATUS_OPEN, start_oldest_date: float = MAX_WORKFLOW_AGE, **kwargs: Any
) -> inspection.Table:
    """``workflow.list``'s table (id, type, status) of the executions started in the last *start_oldest_date* days."""
    return inspection.list_workflows(domain_name, _status(status), start_oldest_date)


def filter_workflow_executions(
    domain_name: str,
    status: str | None = STATUS_OPEN,
    tag: str | None = None,
    workflow_id: str | None = None,
    workflow_type_name: str | None = None,
    workflow_type_version: str | None = None,
    *args: Any,
    callback: Any = None,
    **kwargs: Any,
) -> inspection.Table:
    """``workflow.filter``'s table of the executions matching every filter given.

    ``start_oldest_date`` (days) and ``close_status`` are read from *kwargs*, as the original's queryset did.
    """
    return inspection.filter_workflows(
        domain_name,
        _status(status),
        kwargs.get("start_oldest_date", MAX_WORKFLOW_AGE),
        tag=tag,
        workflow_id=workflow_id,
        workflow_type_name=workflow_type_name,
        workflow_type_version=workflow_type_version,
        close_status=kwargs.get("close_status"),
    )


def find_activity(
    history: Any, scheduled_id: int | None = None, activity_id: str | None = None, input: Any = None
) -> tuple[Any, list, dict, dict, dict]:
    """What running again an activity of *history* needs: ``(activity, args, kwargs, meta, record)``.

    The activity is chosen by its scheduled event id or its activity id; *input* (``{"args", "kwargs"}``)
    replaces the recorded one. ``kwargs["context"]`` is the context the activity gets (name, activity id,
    input). The activity is looked up as a worker started without modules does: only one declared with
    ``@activity.with_attributes`` is ever returned.

    Raises:
        ValueError: no such activity in the history, or its name is not a declared activity.
    """
    from simpleflow.swf.activity_run import find_activity as find_declared

    found = None
    for record in history.activities.values():
        record = record if isinstance(record, dict) else record.as_dict()  # our History's typed records
        if (scheduled_id is not None and record.get("scheduled_id") == scheduled_id) or (
            activity_id is not None and record.get("id") == activity_id
        ):
            found = record
    if found is None:
        raise ValueError("Couldn't find activity.")
    name = found["name"]
    act, why = find_declared(name, ())
    if act is None:
        raise ValueError(why)
    recorded = found.get("input")
    if isinstance(recorded, str):
        recorded = format.loads(recorded)
    chosen = input or recorded or {}
    args = list(chosen.get("args", ()))
    kwargs = dict(chosen.get("kwargs", {}))
    meta = chosen.get("meta", {})
    kwargs["context"] = {"name": name, "version": None, "activity_id": found["id"], "input": copy.deepcopy(chosen)}
    return act, args, kwargs, meta, found


def get_task(domain_name: str, workflow_id: str, task_id: str, details: bool = False) -> inspection.Table:
    """``task.info``'s table: one row of type, id, name, version, state, timestamp, input, result, reason."""
    execution = _found_or_exit(domain_name, workflow_id, None)
    try:
        info = inspection.task_info(domain_name, workflow_id, task_id, execution.run_id)
    except stats.UnknownTaskError as err:
        raise KeyError(task_id) from err
    return inspection.task_table(info, details)


def swf_identity() -> str:
    """The identity pollers give SWF (JSON: user, hostname, pid, exe; ``SIMPLEFLOW_IDENTITY`` adds keys).

    A ``SIMPLEFLOW_IDENTITY`` that is not a JSON object is ignored, as in the original.
    """
    return client.identity(strict=False)
