"""Commands that act on executions: start one (on SWF or here with ``--local``), signal, cancel,
terminate, restart or query it; register a domain.

The library is imported inside each command so that ``simpleflow --help`` stays fast.
"""

from __future__ import annotations

import json
from typing import Any

import click

from simpleflow.cli import runs
from simpleflow.cli.failures import EXIT_FAILURE, Explained, details_wanted, user_errors
from simpleflow.cli.params import (
    DOMAIN_ARG,
    DOMAIN_NAME,
    INPUT_FILE,
    POSITIVE_INT,
    RECORD,
    RETENTION_DAYS,
    RUN_ID,
    RUN_ID_ARG,
    SIGNAL,
    finite_seconds,
    given_on_command_line,
    load_middlewares,
    middleware_options,
    parse_tags,
    read_input,
    require_domain,
)
from simpleflow.exceptions import UsageError


@click.command("workflow.start")
@click.argument("workflow")
@click.option("--local", is_flag=True, help="Run in this process instead of on SWF.")
@click.option("--input", "-i", "input", help='JSON: a list of arguments or {"args": [...], "kwargs": {...}}.')
@INPUT_FILE
@click.option("--domain", "-d", envvar="SWF_DOMAIN", help="SWF domain (default: $SWF_DOMAIN).")
@click.option("--workflow-id", help="Workflow id (default: generated).")
@click.option("--task-list", help="Decision task list (default: the workflow's).")
@click.option("--execution-timeout", help="Execution start-to-close timeout, in seconds.")
@click.option("--tags", help="Comma-separated tag list.")
@click.option("--decision-tasks-timeout", help="Decision task start-to-close timeout, in seconds.")
@click.option("--workers", type=POSITIVE_INT, default=1, show_default=True, help="Local: activities run at once.")
@click.option(
    "--signal",
    "signals",
    type=SIGNAL,
    multiple=True,
    help='Local: send signal NAME=JSON (or NAME@SECONDS=JSON at that virtual time); a NAME with = or @: "a=b"=JSON.',
)
@click.option("--real-time", is_flag=True, help="Local: timers take real time.")
@RECORD
@middleware_options
@user_errors
def workflow_start(
    workflow: str,
    local: bool,
    input: str | None,
    input_file: str | None,
    domain: str | None,
    workflow_id: str | None,
    task_list: str | None,
    execution_timeout: str | None,
    tags: str | None,
    decision_tasks_timeout: str | None,
    workers: int,
    signals: tuple[tuple[float, str, Any], ...],
    real_time: bool,
    record: str | None = None,
    middleware_pre: tuple[str, ...] = (),
    middleware_post: tuple[str, ...] = (),
) -> None:
    """Start WORKFLOW (package.module.Class), locally with --local, otherwise on SWF."""
    from simpleflow.runtime.loader import check_signature, load_workflow

    if not local:
        _refuse_local_options(bool(middleware_pre or middleware_post), record, signals, real_time)
    workflow_class = load_workflow(workflow)
    payload = read_input(input, input_file)
    check_signature(workflow_class, payload)
    tag_list = parse_tags(tags)
    if local:
        from simpleflow import settings
        from simpleflow.local import LocalExecution
        from simpleflow.swf.starter import check_durations, check_input

        settings.check("decider", "worker")  # what this run reads: a bad value is one line now, not a failed task
        check_durations(execution_timeout, decision_tasks_timeout)  # what SWF would refuse, refused here too
        check_input(workflow_class, payload)

        execution = LocalExecution(
            workflow_class,
            payload,
            workers=workers,
            workflow_id=workflow_id,
            tag_list=tag_list,
            signals=list(signals),
            real_time=real_time,
            middlewares=load_middlewares(middleware_pre, middleware_post),
            execution_timeout=execution_timeout,
        )
        try:
            result = execution.execute()
        except KeyboardInterrupt:
            runs.interrupted_locally(record)
        runs.tell_stuck_children(execution)
        if execution.status is not None:  # what the workflow last set with set_status
            click.echo(f"status: {json.dumps(execution.status, sort_keys=True)}", err=True)
        runs.finish_recorded(result, record, lambda: result.events, details_wanted())
        return
    from simpleflow.swf import starter

    try:
        execution = starter.start_workflow(
            require_domain(domain),
            workflow_class,
            payload,
            workflow_id=workflow_id,
            task_list=task_list,
            execution_timeout=execution_timeout,
            tag_list=tag_list,
            decision_tasks_timeout=decision_tasks_timeout,
        )
    except KeyboardInterrupt as stop:
        sent = getattr(stop, "start_sent", None)
        if sent is None:  # nothing sent yet: the generic line
            raise
        runs.interrupted_start(require_domain(domain), sent)
    click.echo(f"{execution['workflowId']} {execution['runId']}")


def _refuse_local_options(
    middlewares: bool, record: str | None, signals: tuple[tuple[float, str, Any], ...], real_time: bool
) -> None:
    """UsageError for an option only ``--local`` uses: on SWF it would be dropped (a signal never sent)."""
    if middlewares:
        raise UsageError(
            "--middleware-pre/post-execution apply with --local only; on SWF the workers run the activities: "
            "give them to worker.start (or use standalone)"
        )
    if record is not None:
        raise UsageError("--record applies with --local (on SWF: standalone --record, or workflow.history)")
    if signals:
        raise UsageError("--signal applies with --local only (on SWF: workflow.signal, once the execution started)")
    if real_time:
        raise UsageError("--real-time applies with --local only (on SWF, timers always take real time)")
    if given_on_command_line("workers"):
        raise UsageError("--workers applies with --local only (on SWF: worker.start -N, or standalone -W)")


@click.command("workflow.signal")
@DOMAIN_ARG
@click.argument("workflow_id")
@click.argument("name")
@click.option("--input", "-i", "input", help='JSON: a list of arguments or {"args": [...], "kwargs": {...}}.')
@click.option("--run-id", help="Run id (default: the open run).")
@user_errors
def workflow_signal(domain: str, workflow_id: str, name: str, input: str | None, run_id: str | None) -> None:
    """Send the signal NAME to an execution."""
    from simpleflow import format
    from simpleflow.runtime.loader import parse_input
    from simpleflow.swf import executions

    try:
        format.swf_name(name, "NAME: signal name")
    except ValueError as err:
        raise UsageError(str(err)) from None
    if input is None:
        _refuse_local_signal_syntax(domain, workflow_id, name)
    payload = parse_input(input) if input is not None else None
    executions.signal(domain, workflow_id, name, format.dumps(payload) if payload is not None else None, run_id)
    click.echo(f"signal {name} sent to {workflow_id}")


def _refuse_local_signal_syntax(domain: str, workflow_id: str, name: str) -> None:
    """UsageError for a NAME written as ``--signal NAME=JSON`` of ``workflow.start --local``: SWF would get a
    signal named that, with no input. A name with '=' but no JSON after it is taken as it is."""
    signal, sep, value = name.partition("=")
    if not sep:
        return
    try:
        json.loads(value)
    except ValueError:
        return
    import shlex

    base, at, when = signal.rpartition("@")
    delayed = bool(at and base and _is_seconds(when))  # NAME@SECONDS=JSON: a time on the local clock
    command = shlex.join(
        ["simpleflow", "workflow.signal", domain, workflow_id, base if delayed else signal, "--input", value]
    )
    form = "NAME@SECONDS=JSON" if delayed else "NAME=JSON"
    later = " (SWF delivers a signal when it is sent: send it at that time)" if delayed else ""
    raise UsageError(
        f"NAME {name!r} is written as workflow.start --local's --signal {form}: give the input apart: {command}{later}"
    )


def _is_seconds(text: str) -> bool:
    """Whether *text* is a time the local ``--signal NAME@SECONDS=JSON`` takes (``finite_seconds``)."""
    try:
        finite_seconds(text)
    except ValueError:
        return False
    return True


@click.command("workflow.cancel")
@DOMAIN_ARG
@click.argument("workflow_id")
@RUN_ID_ARG
@user_errors
def workflow_cancel(domain: str, workflow_id: str, run_id: str | None) -> None:
    """Request the cancellation of an execution (its workflow's should_cancel decides)."""
    from simpleflow.swf import executions

    executions.cancel(domain, workflow_id, run_id)
    click.echo(f"cancel requested for {workflow_id}")


@click.command("workflow.terminate")
@DOMAIN_ARG
@click.argument("workflow_id")
@RUN_ID_ARG
@user_errors
def workflow_terminate(domain: str, workflow_id: str, run_id: str | None) -> None:
    """Terminate an execution (its latest run without RUN_ID)."""
    from simpleflow.swf import executions

    click.echo(f"{workflow_id} {executions.terminate(domain, workflow_id, run_id)} terminated")


@click.command("workflow.restart")
@DOMAIN_ARG
@click.argument("workflow_id")
@RUN_ID_ARG
@user_errors
def workflow_restart(domain: str, workflow_id: str, run_id: str | None) -> None:
    """Start a new run with the same type, input and task list (an open run is terminated first, as in
    simpleflow). Prints the new run's workflow and run ids."""
    from simpleflow.swf import executions
    from simpleflow.swf.standalone import TASK_LIST_PREFIX

    started = executions.restart(domain, workflow_id, run_id)
    if "terminated" in started:
        click.echo(f"terminated the open run {started['terminated']} (reason workflow.restart)", err=True)
    task_list = started["taskList"]
    if task_list.startswith(TASK_LIST_PREFIX):  # only the standalone command that started it polled that list
        click.echo(
            f"the new run waits on task list {task_list!r}, which only the standalone command that started the "
            f"execution polled: start a decider and workers on it (decider.start --task-list {task_list} ...)",
            err=True,
        )
    click.echo(f"{started['workflowId']} {started['runId']}")


@click.command("workflow.query")
@DOMAIN_ARG
@click.argument("workflow_id")
@click.argument("name")
@click.option("--input", "-i", "input", help='JSON: a list of arguments or {"args": [...], "kwargs": {...}}.')
@click.option("--run-id", type=RUN_ID, help="Run id (default: the latest run).")
@click.option(
    "--workflow",
    metavar="PACKAGE.MODULE.CLASS",
    help="The execution's workflow class (required: the class an execution names is not imported).",
)
@user_errors
def workflow_query(
    domain: str, workflow_id: str, name: str, input: str | None, run_id: str | None, workflow: str | None
) -> None:
    """Print, as JSON, what the @query NAME returns on an execution's state, replayed here from its history.

    The execution is only read: no signal, no decision. Open and closed executions alike. The workflow
    class is the one --workflow names: a class the execution names is never imported (anyone who can
    start executions writes those names, and importing a module runs its code). Without --workflow, the
    error says which class the execution names.
    """
    from simpleflow.engine import HistoryDoesNotFit
    from simpleflow.exceptions import QueryFailed
    from simpleflow.swf.query import query_execution

    try:
        value = query_execution(domain, workflow_id, name, input=input, run_id=run_id, workflow=workflow)
    except (HistoryDoesNotFit, QueryFailed) as err:  # exit 1, not a usage error; the traceback under DEBUG
        raise Explained(str(err), EXIT_FAILURE) from err
    try:
        text = json.dumps(value)
    except (TypeError, ValueError) as err:
        raise UsageError(f"query {name!r} returned a value JSON cannot encode: {err}") from err
    click.echo(text)


@click.command("domain.register")
@click.argument("name", type=DOMAIN_NAME)
@click.option(
    "--retention-days",
    type=RETENTION_DAYS,
    default=30,
    show_default=True,
    help="Days SWF keeps closed histories (0 to 90; 0: none).",
)
@user_errors
def domain_register(name: str, retention_days: int) -> None:
    """Register the SWF domain NAME (nothing happens if it exists)."""
    from simpleflow.swf import client

    created = client.register_domain(name, retention_days)
    click.echo(f"domain {name} {'registered' if created else 'already exists'}")


COMMANDS = [
    workflow_start,
    workflow_signal,
    workflow_cancel,
    workflow_terminate,
    workflow_restart,
    workflow_query,
    domain_register,
]
