"""``workflow.query``: an execution's history replayed here, and one of its workflow's ``@query`` methods
called on the state the replay left. The execution is only read (its history): no signal, no decision."""

from __future__ import annotations

from typing import Any

from simpleflow import format
from simpleflow.engine import ExecutionInfo, answer_query
from simpleflow.exceptions import UsageError
from simpleflow.history import attributes
from simpleflow.runtime.loader import class_path, load_workflow, parse_input
from simpleflow.swf.inspection import fetch_execution


def query_execution(
    domain: str,
    workflow_id: str,
    name: str,
    input: str | None = None,
    run_id: str | None = None,
    workflow: str | None = None,
) -> Any:
    """The value the query *name* returns on the execution's state (its latest run without *run_id*).

    Args:
        input: JSON, a list of arguments, ``{"args": [...], "kwargs": {...}}`` or an object of keyword arguments.
        workflow: the workflow class's dotted path, given by the operator: a class an execution names (its
            input's ``__extra.class``, its type name) is never imported on the execution's word, since anyone
            who can start executions writes those names.

    Raises:
        UsageError: invalid JSON input, an unknown execution, no *workflow* (the message says which class the
            execution names), a workflow class not found, an unknown query
            (the message lists the queries there are), input that does not fit it, a query that submits
            or waits.
        HistoryDoesNotFit: the replay found the history and the code disagree.
        QueryFailed: the query raised.
    """
    payload = parse_input(input)  # bad JSON fails before any request
    explicit = load_workflow(workflow) if workflow else None
    execution = fetch_execution(domain, workflow_id, run_id)
    started = attributes(execution.events[0])
    if explicit is None:
        raise UsageError(f"name the workflow class with --workflow package.module.Class ({_named_by(started)})")
    workflow_class = explicit
    info = ExecutionInfo(domain=domain, workflow_id=execution.workflow_id, run_id=execution.run_id)
    return answer_query(workflow_class, execution.events, name, payload["args"], payload["kwargs"], info)


def _named_by(started: dict[str, Any]) -> str:
    """What an execution's start event says its class is, for the operator to check (never imported here)."""
    type_name = (started.get("workflowType") or {}).get("name")
    try:
        path = class_path(format.loads(started.get("input")))
    except (ValueError, RecursionError):  # a poison input is reported elsewhere; here only a hint is lost
        path = None
    named = f"its input names {path!r}, its type {type_name!r}" if path else f"its type is {type_name!r}"
    return f"{named}; a class an execution names is not imported on its word"
