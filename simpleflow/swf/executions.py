"""Acting on existing executions: terminate, restart, signal, cancel."""

from __future__ import annotations

from typing import Any

from simpleflow.exceptions import UsageError
from simpleflow.swf import client


def resolve_run_id(domain: str, workflow_id: str, run_id: str | None) -> str:
    """*run_id*, or the latest run of *workflow_id*; UsageError when there is none."""
    if run_id:
        return run_id
    found = client.latest_run_id(domain, workflow_id)
    if found is None:
        raise UsageError(f"no execution with workflow id {workflow_id!r} in domain {domain!r}")
    return found


def describe(domain: str, workflow_id: str, run_id: str | None) -> dict[str, Any]:
    run_id = resolve_run_id(domain, workflow_id, run_id)
    try:
        return client.swf_client().describe_workflow_execution(
            domain=domain, execution={"workflowId": workflow_id, "runId": run_id}
        )
    except client.ClientError as err:
        if client.error_code(err) == "UnknownResourceFault":
            raise UsageError(f"no execution {workflow_id!r} run {run_id!r} in domain {domain!r}") from err
        raise


def terminate(domain: str, workflow_id: str, run_id: str | None = None, reason: str | None = None) -> str:
    run_id = resolve_run_id(domain, workflow_id, run_id)
    kwargs = {"reason": reason} if reason else {}
    client.swf_client().terminate_workflow_execution(domain=domain, workflowId=workflow_id, runId=run_id, **kwargs)
    return run_id


def restart(domain: str, workflow_id: str, run_id: str | None = None) -> dict[str, str]:
    """A new run with the same workflow id, type, input, task list, timeouts and tags.

    An open run is terminated first (reason ``workflow.restart``), as simpleflow does.
    """
    description = describe(domain, workflow_id, run_id)
    info, config = description["executionInfo"], description["executionConfiguration"]
    run_id = info["execution"]["runId"]
    events = client.get_history(domain, workflow_id, run_id)
    started = events[0]["workflowExecutionStartedEventAttributes"]
    if info["executionStatus"] != "CLOSED":
        terminate(domain, workflow_id, run_id, reason="workflow.restart")
    kwargs: dict[str, Any] = {
        "domain": domain,
        "workflowId": workflow_id,
        "workflowType": info["workflowType"],
        "taskList": config["taskList"],
        "executionStartToCloseTimeout": config["executionStartToCloseTimeout"],
        "taskStartToCloseTimeout": config["taskStartToCloseTimeout"],
        "childPolicy": config["childPolicy"],
        "tagList": info.get("tagList", []),
    }
    if started.get("input") is not None:
        kwargs["input"] = started["input"]
    response = client.swf_client().start_workflow_execution(**kwargs)
    return {"workflowId": workflow_id, "runId": response["runId"]}


def signal(domain: str, workflow_id: str, name: str, input: str | None = None, run_id: str | None = None) -> None:
    kwargs: dict[str, Any] = {"domain": domain, "workflowId": workflow_id, "signalName": name}
    if run_id:
        kwargs["runId"] = run_id
    if input is not None:
        kwargs["input"] = input
    client.swf_client().signal_workflow_execution(**kwargs)


def cancel(domain: str, workflow_id: str, run_id: str | None = None) -> None:
    kwargs: dict[str, Any] = {"domain": domain, "workflowId": workflow_id}
    if run_id:
        kwargs["runId"] = run_id
    client.swf_client().request_cancel_workflow_execution(**kwargs)
