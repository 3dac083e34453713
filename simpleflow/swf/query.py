"""``workflow.query``: an execution's history replayed here, and one of its workflow's ``@query`` methods
called on the state the replay left. The execution is only read (its history): no signal, no decision."""

from __future__ import annotations

from typing import Any

from simpleflow.engine import ExecutionInfo, answer_query
from simpleflow.exceptions import UsageError
from simpleflow.history import attributes
from simpleflow.runtime.loader import execution_workflow_class, load_workflow, parse_input
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
        workflow: the workflow class's dotted path; by default the class the execution's input or type names.

    Raises:
        UsageError: invalid JSON input, an unknown execution, a workflow class not found, an unknown query
            (the message lists the queries there are), input that does not fit it, a query that submits
            or waits.
        HistoryDoesNotFit: the replay found the history and the code disagree.
        QueryFailed: the query raised.
    """
    payload = parse_input(input)  # bad JSON fails before any request
    explicit = load_workflow(workflow) if workflow else None
    execution = fetch_execution(domain, workflow_id, run_id)
    started = attributes(execution.events[0])
    workflow_class = explicit or execution_workflow_class(started)
    if workflow_class is None:
        type_name = (started.get("workflowType") or {}).get("name")
        raise UsageError(
            f"cannot find the workflow class of {workflow_id!r} (type {type_name!r}): name it with --workflow"
        )
    info = ExecutionInfo(domain=domain, workflow_id=execution.workflow_id, run_id=execution.run_id)
    return answer_query(workflow_class, execution.events, name, payload["args"], payload["kwargs"], info)
