"""Acting on existing executions: terminate, restart, signal, cancel."""

from __future__ import annotations

from typing import Any

from simpleflow.exceptions import UsageError
from simpleflow.swf import client


class UnknownExecution(UsageError):
    """No execution has that workflow id (and run id) in the domain."""


def resolve_run_id(domain: str, workflow_id: str, run_id: str | None) -> str:
    """*run_id*, or the latest run of *workflow_id*; UsageError when there is none."""
    if run_id:
        return run_id
    found = client.latest_run_id(domain, workflow_id)
    if found is None:
        raise UnknownExecution(f"no execution with workflow id {workflow_id!r} in domain {domain!r}")
    return found


def run_history(domain: str, workflow_id: str, run_id: str | None, after: int = 0) -> tuple[str, list[dict[str, Any]]]:
    """The run id (*run_id*, or the latest run's) and every event of that run's history (past event *after*).

    Raises:
        UsageError: no such workflow id, or no such run of it.
    """
    run_id = resolve_run_id(domain, workflow_id, run_id)
    try:
        if after:
            return run_id, client.get_history_after(domain, workflow_id, run_id, after)
        return run_id, client.get_history(domain, workflow_id, run_id)
    except client.ClientError as err:
        if client.error_code(err) == "UnknownResourceFault":
            raise UnknownExecution(f"no execution {workflow_id!r} run {run_id!r} in domain {domain!r}") from err
        raise


def describe(domain: str, workflow_id: str, run_id: str | None) -> dict[str, Any]:
    run_id = resolve_run_id(domain, workflow_id, run_id)
    try:
        return client.swf_client().describe_workflow_execution(
            domain=domain, execution={"workflowId": workflow_id, "runId": run_id}
        )
    except client.ClientError as err:
        if client.error_code(err) == "UnknownResourceFault":
            raise UnknownExecution(f"no execution {workflow_id!r} run {run_id!r} in domain {domain!r}") from err
        raise


def terminate(domain: str, workflow_id: str, run_id: str | None = None, reason: str | None = None) -> str:
    """Terminate a run (the latest without *run_id*); its run id. UsageError when it is already closed."""
    run_id = resolve_run_id(domain, workflow_id, run_id)
    kwargs = {"reason": reason} if reason else {}
    try:
        client.swf_client().terminate_workflow_execution(domain=domain, workflowId=workflow_id, runId=run_id, **kwargs)
    except client.ClientError as err:
        raise _if_closed(err, domain, workflow_id, run_id, "terminate") from err
    return run_id


def restart(domain: str, workflow_id: str, run_id: str | None = None) -> dict[str, str]:
    """A new run with the same workflow id, type, input, task list, timeouts and tags: its ``workflowId``,
    ``runId`` and ``taskList``, and ``terminated``, the run id of the open run it terminated first (reason
    ``workflow.restart``, as simpleflow does), if there was one.
    """
    client.check_domain(domain, to_start=True)  # before an open run is terminated
    description = describe(domain, workflow_id, run_id)
    info, config = description["executionInfo"], description["executionConfiguration"]
    run_id = info["execution"]["runId"]
    events = client.get_history(domain, workflow_id, run_id)
    started = events[0]["workflowExecutionStartedEventAttributes"]
    terminated = info["executionStatus"] != "CLOSED"
    if terminated:
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
    restarted = {"workflowId": workflow_id, "runId": response["runId"], "taskList": config["taskList"]["name"]}
    return restarted | ({"terminated": run_id} if terminated else {})


def signal(domain: str, workflow_id: str, name: str, input: str | None = None, run_id: str | None = None) -> None:
    kwargs: dict[str, Any] = {"domain": domain, "workflowId": workflow_id, "signalName": name}
    if run_id:
        kwargs["runId"] = run_id
    if input is not None:
        kwargs["input"] = input
    try:
        client.swf_client().signal_workflow_execution(**kwargs)
    except client.ClientError as err:
        raise _if_closed(err, domain, workflow_id, run_id, "signal") from err


def cancel(domain: str, workflow_id: str, run_id: str | None = None) -> None:
    kwargs: dict[str, Any] = {"domain": domain, "workflowId": workflow_id}
    if run_id:
        kwargs["runId"] = run_id
    try:
        client.swf_client().request_cancel_workflow_execution(**kwargs)
    except client.ClientError as err:
        raise _if_closed(err, domain, workflow_id, run_id, "cancel") from err


def _if_closed(err: Exception, domain: str, workflow_id: str, run_id: str | None, action: str) -> Exception:
    """SWF's UnknownResourceFault for a run that is closed (or unknown) as one line saying so; else *err*.

    SWF answers an action on a closed run as it answers one on a run that never was: tell them apart.
    """
    if client.error_code(err) != "UnknownResourceFault":
        return err
    try:
        info = describe(domain, workflow_id, run_id)["executionInfo"]
    except UsageError as unknown:
        return unknown
    except client.ClientError:
        return err
    if info.get("executionStatus") != "CLOSED":
        return err
    run_id = info["execution"]["runId"]
    status = str(info.get("closeStatus", "")).lower() or "closed"
    return UsageError(
        f"execution {workflow_id} (run {run_id}) is already closed: {status}"
        f"{_how_closed(domain, workflow_id, run_id, info)}; nothing to {action}"
    )


def _how_closed(domain: str, workflow_id: str, run_id: str, info: dict[str, Any]) -> str:
    """`` at <time> (<reason>)`` from the run's closing event (a description may lack the time)."""
    from datetime import datetime, timezone

    from simpleflow.history import CLOSING_EVENTS, attributes
    from simpleflow.swf.stats import epoch

    try:
        execution = {"workflowId": workflow_id, "runId": run_id}
        page = client.swf_client().get_workflow_execution_history(
            domain=domain, execution=execution, reverseOrder=True, maximumPageSize=1
        )
        events = page.get("events") or []
    except Exception:  # only words are lost
        events = []
    close = next((e for e in events if e["eventType"] in CLOSING_EVENTS), None)
    stamp = close["eventTimestamp"] if close else info.get("closeTimestamp")
    text = ""
    if stamp is not None:
        text = f" at {datetime.fromtimestamp(epoch(stamp), tz=timezone.utc):%Y-%m-%d %H:%M:%S} UTC"
    attrs = attributes(close) if close else {}
    why = attrs.get("reason") or attrs.get("timeoutType")
    return f"{text} ({why})" if why else text
