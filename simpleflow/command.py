"""The ``simpleflow`` command line: thin click commands over the library.

Each command parses its options, calls one library function and prints.
Errors a user can fix (bad JSON, unknown workflow, unknown domain...) are one
line on stderr with exit code 2; a traceback only with ``LOG_LEVEL=DEBUG``.
"""

from __future__ import annotations

import os
import signal
import sys

# decider.start and worker.start honour SIGTERM from their first instant: until their loops install
# the graceful handler (which finishes the task in hand), SIGTERM exits at once with status 0.
# os._exit, not sys.exit: the signal lands in the middle of any import, and a SystemExit raised
# there can be caught on its way out (a module that exits as it loads is an import failure), which
# left the process polling; nothing has been taken yet, so there is nothing to clean up.
if {"decider.start", "worker.start"} & set(sys.argv[1:]):
    signal.signal(signal.SIGTERM, lambda signum, frame: os._exit(0))

import functools
import json
import logging
from collections.abc import Callable
from typing import Any

import click

from simpleflow import __version__, settings
from simpleflow.exceptions import UsageError

logger = logging.getLogger("simpleflow")


def configure_logging() -> None:
    from simpleflow.engine import ReplayLogFilter

    level = settings.get("LOG_LEVEL")
    handler = logging.StreamHandler(sys.stderr)
    from simpleflow.log import SimpleflowFormatter

    handler.setFormatter(SimpleflowFormatter(stream=sys.stderr))
    handler.addFilter(ReplayLogFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(getattr(logging, level, logging.WARNING))
    for noisy in ("botocore", "boto3", "urllib3"):
        logging.getLogger(noisy).setLevel(max(root.level, logging.WARNING))


def _debug() -> bool:
    """Whether LOG_LEVEL asks for tracebacks (an unreadable settings module does not hide the error)."""
    try:
        return settings.get("LOG_LEVEL") == "DEBUG"
    except Exception:
        return os.environ.get("LOG_LEVEL", "").strip().upper() == "DEBUG"


def user_errors(func: Callable) -> Callable:
    """Turn any failure into one line on stderr and its exit code (simpleflow.errors); a traceback only with DEBUG."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from simpleflow import errors

        try:
            return func(*args, **kwargs)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as err:
            line, code = errors.explain(err)
            if errors.debug():
                logger.exception("error")
            for problem in getattr(err, "problems", None) or [line]:  # a spec: one line per problem
                click.echo(f"simpleflow: error: {problem}", err=True)
            sys.exit(code)

    return wrapper


class Settings:
    """Global options: ``simpleflow --header --format FORMAT COMMAND``."""

    def __init__(self, header: bool, fmt: str) -> None:
        self.header = header
        self.format = fmt

    def table(self, headers: list[str], rows: list[list[Any]]) -> None:
        from simpleflow.output import format_table

        click.echo(format_table(headers, rows, fmt=self.format, header=self.header))

    def value(self, obj: Any) -> None:
        from simpleflow.output import format_value

        click.echo(format_value(obj, fmt=self.format))


# simpleflow's own format names: "tabular" is its plain table, "human" a table with headers,
# "prettyjson" JSON with headers (keyed objects).
_FORMAT_ALIASES = {"tabular": ("plain", None), "human": ("simple", True), "prettyjson": ("json", True)}


class RunId(click.ParamType):
    """A run id; one copied from a URL (``%3D`` for ``=``...) is unquoted, as simpleflow does."""

    name = "run_id"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from urllib.parse import unquote

        return unquote(value) if isinstance(value, str) and "%" in value else value


RUN_ID = RunId()
_RUN_ID = click.argument("run_id", required=False, type=RUN_ID)
# DOMAIN as simpleflow takes it: an argument that $SWF_DOMAIN fills when it is the only one missing.
_DOMAIN = click.argument("domain", envvar="SWF_DOMAIN")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--header/--no-header", default=False, help="Print column headers.")
@click.option(
    "--format",
    "fmt",
    default="plain",
    show_default=True,
    envvar="SIMPLEFLOW_FORMAT",
    help="Output format: any tabulate format (plain, simple, github...), json, csv, "
    "or simpleflow's tabular, human, prettyjson (default: $SIMPLEFLOW_FORMAT).",
)
@click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour log levels: on a terminal (auto), always or never.",
)
@click.version_option(__version__, prog_name="simpleflow")
@click.pass_context
def cli(ctx: click.Context, header: bool, fmt: str, color: str) -> None:
    """Distributed workflows as plain Python on Amazon SWF."""
    from simpleflow import log
    from simpleflow.output import FORMATS

    fmt, forced_header = _FORMAT_ALIASES.get(fmt, (fmt, None))
    if fmt not in FORMATS:
        valid = ", ".join(sorted({*FORMATS, *_FORMAT_ALIASES}))
        raise click.BadParameter(f"unknown format {fmt!r} (one of: {valid})", param_hint="--format")
    log.color_mode = color
    try:
        configure_logging()
    except (UsageError, ValueError) as err:  # a bad LOG_LEVEL or SIMPLEFLOW_SETTINGS_MODULE
        click.echo(f"simpleflow: error: {err}", err=True)
        sys.exit(2)
    ctx.obj = Settings(header if forced_header is None else forced_header, fmt)


def _read_text(input: str | None, input_file: str | None) -> str | None:
    if input is not None and input_file is not None:
        raise UsageError("give --input or --input-file, not both")
    if input_file is not None:
        try:
            with open(input_file) as f:
                return f.read()
        except OSError as err:
            raise UsageError(f"cannot read --input-file: {err}") from err
    return input


def _read_input(input: str | None, input_file: str | None) -> dict[str, Any]:
    from simpleflow.loader import parse_input

    return parse_input(_read_text(input, input_file))


def _parse_signal(text: str) -> tuple[float, str, Any]:
    """``NAME=JSON`` or ``NAME@SECONDS=JSON`` (a signal sent at that virtual time)."""
    name, sep, payload = text.partition("=")
    at = 0.0
    if "@" in name:
        name, _, when = name.partition("@")
        try:
            at = float(when)
        except ValueError as err:
            raise UsageError(f"--signal {text!r}: {when!r} is not a number of seconds") from err
    try:
        value = json.loads(payload) if sep else None
    except ValueError as err:
        raise UsageError(f"--signal {text!r}: the value is not valid JSON: {err}") from err
    if isinstance(value, list):
        value = {"args": value, "kwargs": {}}
    return at, name, value


def _middleware_options(func: Callable) -> Callable:
    """``--middleware-pre-execution PATH`` and ``--middleware-post-execution PATH``, both repeatable."""
    func = click.option(
        "--middleware-post-execution",
        "middleware_post",
        multiple=True,
        metavar="PATH",
        help="Function (package.module.function) called after each activity with its context and result.",
    )(func)
    return click.option(
        "--middleware-pre-execution",
        "middleware_pre",
        multiple=True,
        metavar="PATH",
        help="Function (package.module.function) called before each activity with its context (repeatable).",
    )(func)


def _middlewares(pre: tuple[str, ...], post: tuple[str, ...]) -> Any:
    """The imported middleware functions (simpleflow.middleware.Middlewares); UsageError if a path is wrong."""
    from simpleflow import middleware

    return middleware.load(pre, post)


@cli.command("workflow.start")
@click.argument("workflow")
@click.option("--local", is_flag=True, help="Run in this process instead of on SWF.")
@click.option("--input", "-i", "input", help='JSON: a list of arguments or {"args": [...], "kwargs": {...}}.')
@click.option("--input-file", type=click.Path(), help="Read the input from this JSON file.")
@click.option("--domain", "-d", envvar="SWF_DOMAIN", help="SWF domain (default: $SWF_DOMAIN).")
@click.option("--workflow-id", help="Workflow id (default: generated).")
@click.option("--task-list", help="Decision task list (default: the workflow's).")
@click.option("--execution-timeout", help="Execution start-to-close timeout, in seconds.")
@click.option("--tags", help="Comma-separated tag list.")
@click.option("--decision-tasks-timeout", help="Decision task start-to-close timeout, in seconds.")
@click.option("--workers", type=int, default=1, show_default=True, help="Local: activities run at once.")
@click.option(
    "--signal",
    "signals",
    multiple=True,
    help="Local: send signal NAME=JSON (or NAME@SECONDS=JSON at that virtual time).",
)
@click.option("--real-time", is_flag=True, help="Local: timers take real time.")
@_middleware_options
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
    signals: tuple[str, ...],
    real_time: bool,
    middleware_pre: tuple[str, ...] = (),
    middleware_post: tuple[str, ...] = (),
) -> None:
    """Start WORKFLOW (package.module.Class), locally with --local, otherwise on SWF."""
    from simpleflow.loader import check_signature, load_workflow

    workflow_class = load_workflow(workflow)
    payload = _read_input(input, input_file)
    check_signature(workflow_class, payload)
    tag_list = [t for t in (tags or "").split(",") if t] or None
    if (middleware_pre or middleware_post) and not local:
        raise UsageError(
            "--middleware-pre/post-execution apply with --local only; on SWF the workers run the activities: "
            "give them to worker.start (or use standalone)"
        )
    if local:
        from simpleflow.local import LocalExecution

        execution = LocalExecution(
            workflow_class,
            payload,
            workers=workers,
            workflow_id=workflow_id,
            tag_list=tag_list,
            signals=[_parse_signal(s) for s in signals],
            real_time=real_time,
            middlewares=_middlewares(middleware_pre, middleware_post),
        )
        result = execution.execute()
        if execution.status is not None:  # what the workflow last set with set_status
            click.echo(f"status: {json.dumps(execution.status, sort_keys=True)}", err=True)
        if result.completed:
            click.echo(json.dumps(result.result))
            return
        click.echo(f"workflow {result.status}: {result.reason or ''}".rstrip(), err=True)
        if result.details and _debug():
            click.echo(result.details, err=True)
        sys.exit(1)
    from simpleflow.swf import starter

    execution = starter.start_workflow(
        _domain(domain),
        workflow_class,
        payload,
        workflow_id=workflow_id,
        task_list=task_list,
        execution_timeout=execution_timeout,
        tag_list=tag_list,
        decision_tasks_timeout=decision_tasks_timeout,
    )
    click.echo(f"{execution['workflowId']} {execution['runId']}")


def _domain(domain: str | None) -> str:
    if not domain:
        raise UsageError("no SWF domain: pass --domain or set SWF_DOMAIN")
    return domain


@cli.command("workflow.replay")
@click.argument("workflow")
@click.argument("history_file", type=click.File("r"))
@click.option("--workflow-id", help="The execution's workflow id (child workflow ids embed it).")
@click.option("--run-id", help="The execution's run id (child workflow ids embed it).")
@user_errors
def workflow_replay(workflow: str, history_file: Any, workflow_id: str | None, run_id: str | None) -> None:
    """Print, as JSON, the decisions the current code takes on HISTORY_FILE ('-' for stdin).

    Exits non-zero, naming the first mismatch, when the history does not fit the code.
    """
    from simpleflow.replay_check import check_history

    workflow_class = load_workflow_or_fail(workflow)
    try:
        data = json.load(history_file)
    except ValueError as err:
        raise UsageError(f"history file is not valid JSON: {err}") from err
    events = data.get("events") if isinstance(data, dict) else data
    if not isinstance(events, list):
        raise UsageError('history file must hold {"events": [...]} or a list of events')
    decisions, mismatches = check_history(workflow_class, events, workflow_id=workflow_id, run_id=run_id)
    click.echo(json.dumps(decisions, indent=2, default=str))
    if mismatches:
        click.echo(f"simpleflow: history does not fit the code: {mismatches[0]}", err=True)
        sys.exit(1)


@cli.command("workflow.query")
@_DOMAIN
@click.argument("workflow_id")
@click.argument("name")
@click.option("--input", "-i", "input", help='JSON: a list of arguments or {"args": [...], "kwargs": {...}}.')
@click.option("--run-id", type=RUN_ID, help="Run id (default: the latest run).")
@click.option("--workflow", help="The workflow class (package.module.Class; default: the one the execution names).")
@user_errors
def workflow_query(
    domain: str, workflow_id: str, name: str, input: str | None, run_id: str | None, workflow: str | None
) -> None:
    """Print, as JSON, what the @query NAME returns on an execution's state, replayed here from its history.

    The execution is only read: no signal, no decision. Open and closed executions alike.
    """
    from simpleflow.engine import HistoryDoesNotFit
    from simpleflow.queries import QueryFailed
    from simpleflow.swf.query import query_execution

    try:
        value = query_execution(domain, workflow_id, name, input=input, run_id=run_id, workflow=workflow)
    except (HistoryDoesNotFit, QueryFailed) as err:
        click.echo(f"simpleflow: error: {err}", err=True)
        sys.exit(1)
    try:
        text = json.dumps(value)
    except (TypeError, ValueError) as err:
        raise UsageError(f"query {name!r} returned a value JSON cannot encode: {err}") from err
    click.echo(text)


_LOG_LEVEL = click.option(
    "--log-level", "-l", help="Log level (DEBUG, INFO, WARNING...); the LOG_LEVEL variable does the same."
)


def _apply_log_level(log_level: str | None) -> None:
    if log_level:
        level = log_level.upper()
        if not isinstance(logging.getLevelName(level), int):
            raise UsageError(f"--log-level {log_level!r} is not a log level (DEBUG, INFO, WARNING, ERROR)")
        os.environ["LOG_LEVEL"] = level  # the processes started from here log so too
        configure_logging()


@cli.command("decider.start")
@click.argument("workflows", nargs=-1)
@click.option("--domain", "-d", envvar="SWF_DOMAIN", help="SWF domain (default: $SWF_DOMAIN).")
@click.option("--task-list", "-t", help="Decision task list to poll (default: the task list of the WORKFLOWS).")
@click.option("--nb-processes", "-N", type=int, default=1, show_default=True, help="Decider processes.")
@_LOG_LEVEL
@user_errors
def decider_start(
    workflows: tuple[str, ...],
    domain: str | None,
    task_list: str | None,
    nb_processes: int | None,
    log_level: str | None,
) -> None:
    """Decide for WORKFLOWS (package.module.Class ...) on a task list.

    Executions of other types on that task list (child workflows...) are decided too when their type
    name (or the class path in their input) names a Workflow subclass, as simpleflow does.
    """
    from simpleflow.loader import load_workflow
    from simpleflow.swf import client
    from simpleflow.swf.decider import run_decider
    from simpleflow.swf.process import supervise

    _apply_log_level(log_level)
    domain = _domain(domain)
    classes = [load_workflow(path) for path in workflows]  # fail now, in one line, rather than in every child
    if not task_list:
        lists = {c.task_list for c in classes}
        if not classes or None in lists:
            raise UsageError("no task list: pass --task-list (or WORKFLOWS that all set the same task_list)")
        if len(lists) > 1:
            raise UsageError(f"the WORKFLOWS use different task lists ({', '.join(sorted(lists))}): pass --task-list")
        task_list = lists.pop()
    nb_processes = nb_processes or 1
    client.check_domain(domain)
    if nb_processes <= 1:
        run_decider(domain, task_list, list(workflows))
    else:
        supervise(run_decider, (domain, task_list, list(workflows)), nb_processes, name=f"decider[{task_list}]")


@cli.command("worker.start")
@click.argument("modules", nargs=-1)
@click.option("--domain", "-d", envvar="SWF_DOMAIN", help="SWF domain (default: $SWF_DOMAIN).")
@click.option("--task-list", "-t", help="Activity task list to poll (not needed with --poll-data).")
@click.option("--nb-processes", "-N", type=int, default=1, show_default=True, help="Worker processes.")
@click.option("--heartbeat", type=float, default=60, show_default=True, help="Seconds between heartbeats (0: none).")
@click.option("--one-task", is_flag=True, help="Poll until one task comes, run it, answer SWF and exit.")
@click.option(
    "--poll-data",
    metavar="BASE64_JSON",
    help="Run the task of this PollForActivityTask response (base64 of its JSON) instead of polling; then exit.",
)
@_middleware_options
@_LOG_LEVEL
@user_errors
def worker_start(
    modules: tuple[str, ...],
    domain: str | None,
    task_list: str | None,
    nb_processes: int | None,
    heartbeat: float,
    one_task: bool = False,
    poll_data: str | None = None,
    middleware_pre: tuple[str, ...] = (),
    middleware_post: tuple[str, ...] = (),
    log_level: str | None = None,
) -> None:
    """Run declared activities for a task list.

    With MODULES (packages are scanned), only the activities they declare. Without, as simpleflow does,
    a task naming ``pkg.mod.func`` imports ``pkg.mod``; either way only functions and classes declared
    with ``@activity.with_attributes`` run, and a task naming anything else fails saying so.
    """
    from simpleflow.swf import single_task
    from simpleflow.swf.worker import run_worker

    _apply_log_level(log_level)
    if not task_list and poll_data is None:
        raise UsageError("give --task-list (or the task itself with --poll-data)")
    domain = _domain(domain)
    middlewares = _middlewares(middleware_pre, middleware_post)
    if poll_data is not None or one_task:
        options = {"heartbeat": heartbeat, "modules": modules, "middlewares": middlewares}
        try:
            if poll_data is not None:
                single_task.run_given_task(domain, single_task.decode_poll_data(poll_data), task_list, **options)
            else:
                single_task.run_one_task(domain, task_list, **options)
        except single_task.TaskRefused as err:
            click.echo(f"simpleflow: {err}", err=True)
            sys.exit(1)
        return
    run_worker(
        domain,
        task_list,
        nb_processes=nb_processes or 1,
        heartbeat=heartbeat,
        modules=modules,
        middlewares=middlewares,
    )


@cli.command("standalone")
@click.argument("workflow")
@click.option("--domain", "-d", envvar="SWF_DOMAIN", help="SWF domain (default: $SWF_DOMAIN).")
@click.option("--input", "-i", "input", help='JSON: a list of arguments or {"args": [...], "kwargs": {...}}.')
@click.option("--input-file", type=click.Path(), help="Read the input from this JSON file.")
@click.option("--workflow-id", help="Workflow id (default: generated).")
@click.option("--execution-timeout", help="Execution start-to-close timeout, in seconds.")
@click.option("--decision-tasks-timeout", help="Decision task start-to-close timeout, in seconds.")
@click.option("--tags", help="Comma-separated tag list (default: the workflow's).")
@click.option("--nb-workers", "-W", type=int, default=1, show_default=True, help="Activity worker processes.")
@click.option("--nb-deciders", "-D", type=int, default=1, show_default=True, help="Decider processes.")
@click.option("--heartbeat", type=float, default=60, show_default=True, help="Seconds between heartbeats (0: none).")
@click.option("--display-status", type=bool, default=False, help="Also print the execution's status on stderr.")
@click.option(
    "--repair",
    metavar='"WORKFLOW_ID[ RUN_ID]"',
    help="Start a new execution that reuses the results of the activities this (failed) execution completed.",
)
@click.option(
    "--force-activities",
    metavar="REGEX",
    help="With --repair: run again the activities whose id matches REGEX, even if they had completed.",
)
@_middleware_options
@user_errors
def standalone(
    workflow: str,
    domain: str | None,
    input: str | None,
    input_file: str | None,
    workflow_id: str | None,
    execution_timeout: str | None,
    decision_tasks_timeout: str | None,
    tags: str | None,
    nb_workers: int | None,
    nb_deciders: int | None,
    heartbeat: float,
    display_status: bool,
    repair: str | None = None,
    force_activities: str | None = None,
    middleware_pre: tuple[str, ...] = (),
    middleware_post: tuple[str, ...] = (),
) -> None:
    """Run WORKFLOW (a class, or a DAG spec file) on SWF with a decider and workers of its own.

    Prints ``<workflow id> <run id>`` on stdout once started, progress on stderr, and the result as
    JSON as the last line of stdout.
    """
    from simpleflow import dag
    from simpleflow.loader import check_signature, load_workflow
    from simpleflow.swf.standalone import run_standalone

    modules = children = None
    middlewares = _middlewares(middleware_pre, middleware_post)
    if force_activities is not None and repair is None:
        raise UsageError("--force-activities only applies with --repair")
    repair_source = None
    if dag.looks_like_spec(workflow):
        if repair is not None:
            raise UsageError("--repair takes a workflow class, not a spec file")
        compiled, workflow_class = dag.prepare(workflow)
        payload = dag.execution_input(compiled, dag.parse_value(_read_text(input, input_file)))
        modules = compiled["modules"]
        children = [n["target"]["path"] for n in compiled["nodes"] if n["kind"] == "workflow" and n.get("target")]
    else:
        workflow_class = load_workflow(workflow)
        if repair is not None:
            from simpleflow.swf import repair as swf_repair

            repair_source = swf_repair.load_repair_source(
                _domain(domain), repair, force_activities, must_be_closed=workflow_id is None
            )
            workflow_id = workflow_id or repair_source.workflow_id  # the pipeline goes on under its own id
            if input is None and input_file is None:
                input = repair_source.input  # the repaired execution's input, unless another is given
        payload = _read_input(input, input_file)
        check_signature(workflow_class, payload)

    def started(execution: dict[str, str]) -> None:
        click.echo(f"{execution['workflowId']} {execution['runId']}")
        sys.stdout.flush()
        if display_status:
            click.echo("status: OPEN", err=True)

    try:
        outcome = run_standalone(
            _domain(domain),
            workflow_class,
            payload,
            workflow_id=workflow_id,
            nb_workers=nb_workers or 1,
            nb_deciders=nb_deciders or 1,
            heartbeat=heartbeat,
            execution_timeout=execution_timeout,
            decision_tasks_timeout=decision_tasks_timeout,
            tag_list=[t for t in (tags or "").split(",") if t] or None,
            on_started=started,
            middlewares=middlewares,
            repair=repair_source,
            modules=modules,
            children=children,
        )
    except KeyboardInterrupt:
        click.echo("interrupted: every process started was stopped", err=True)
        sys.exit(130)
    if display_status:
        click.echo(f"status: CLOSED ({outcome.close_status})", err=True)
    if outcome.completed:
        click.echo(json.dumps(outcome.result))
        return
    click.echo(f"workflow {outcome.status}: {outcome.reason or ''}".rstrip(), err=True)
    sys.exit(1)


@cli.command("domain.register")
@click.argument("name")
@click.option("--retention-days", type=int, default=30, show_default=True, help="Days SWF keeps closed histories.")
@user_errors
def domain_register(name: str, retention_days: int) -> None:
    """Register the SWF domain NAME (nothing happens if it exists)."""
    from simpleflow.swf import client

    created = client.register_domain(name, retention_days)
    click.echo(f"domain {name} {'registered' if created else 'already exists'}")


@cli.command("workflow.terminate")
@_DOMAIN
@click.argument("workflow_id")
@_RUN_ID
@user_errors
def workflow_terminate(domain: str, workflow_id: str, run_id: str | None) -> None:
    """Terminate an execution (its latest run without RUN_ID)."""
    from simpleflow.swf import executions

    click.echo(f"{workflow_id} {executions.terminate(domain, workflow_id, run_id)} terminated")


@cli.command("workflow.restart")
@_DOMAIN
@click.argument("workflow_id")
@_RUN_ID
@user_errors
def workflow_restart(domain: str, workflow_id: str, run_id: str | None) -> None:
    """Start a new run with the same type, input and task list."""
    from simpleflow.swf import executions

    started = executions.restart(domain, workflow_id, run_id)
    click.echo(f"{started['workflowId']} {started['runId']}")


@cli.command("workflow.signal")
@_DOMAIN
@click.argument("workflow_id")
@click.argument("name")
@click.option("--input", "-i", "input", help='JSON: a list of arguments or {"args": [...], "kwargs": {...}}.')
@click.option("--run-id", help="Run id (default: the open run).")
@user_errors
def workflow_signal(domain: str, workflow_id: str, name: str, input: str | None, run_id: str | None) -> None:
    """Send the signal NAME to an execution."""
    from simpleflow import format
    from simpleflow.loader import parse_input
    from simpleflow.swf import executions

    payload = parse_input(input) if input is not None else None
    executions.signal(domain, workflow_id, name, format.dumps(payload) if payload is not None else None, run_id)
    click.echo(f"signal {name} sent to {workflow_id}")


@cli.command("workflow.cancel")
@_DOMAIN
@click.argument("workflow_id")
@_RUN_ID
@user_errors
def workflow_cancel(domain: str, workflow_id: str, run_id: str | None) -> None:
    """Request the cancellation of an execution (its workflow's should_cancel decides)."""
    from simpleflow.swf import executions

    executions.cancel(domain, workflow_id, run_id)
    click.echo(f"cancel requested for {workflow_id}")


_NB_TASKS = click.option("--nb-tasks", "-n", type=click.IntRange(min=1), help="Show only the first N tasks.")
_STARTED_SINCE = click.option(
    "--started-since",
    "-d",
    type=click.FloatRange(min=0),
    default=30,
    show_default=True,
    help="Executions started in the last DAYS.",
)
_STATUS = click.option(
    "--status",
    "-s",
    type=click.Choice(["open", "closed"], case_sensitive=False),
    default="open",
    show_default=True,
    help="Open or closed executions.",
)


_DATE_FORMATS = ["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S%z", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]


def _utc(value: Any) -> Any:
    """A date given without a zone is taken as UTC."""
    import datetime

    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=datetime.timezone.utc)
    return value


@cli.command("workflow.list")
@_DOMAIN
@_STATUS
@_STARTED_SINCE
@click.option(
    "--status-field",
    is_flag=True,
    help="Add each execution's latest execution context (what the workflow set with set_status), decoded; "
    "one DescribeWorkflowExecution call per execution.",
)
@click.pass_obj
@user_errors
def workflow_list(settings: Settings, domain: str, status: str, started_since: float, status_field: bool) -> None:
    """Executions of DOMAIN: workflow id, workflow type, status (and, with --status-field, the workflow's own)."""
    from simpleflow.swf import inspection

    settings.table(*inspection.list_workflows(domain, status.lower(), started_since, status_field=status_field))


@cli.command("workflow.filter")
@_DOMAIN
@_STATUS
@click.option("--tag", help="Executions with this tag.")
@click.option("--workflow-type-name", help="Executions of this workflow type.")
@click.option("--workflow-type-version", help="... and this version of it (needs --workflow-type-name).")
@click.option("--workflow-id", help="Runs of this workflow id.")
@click.option(
    "--close-status",
    "-c",
    type=click.Choice(
        ["completed", "failed", "canceled", "terminated", "continued_as_new", "timed_out"], case_sensitive=False
    ),
    help="Closed executions that closed so (with --status closed).",
)
@_STARTED_SINCE
@click.option("--from-date", type=click.DateTime(_DATE_FORMATS), help="Started at or after this date (not DAYS).")
@click.option("--to-date", type=click.DateTime(_DATE_FORMATS), help="... and at or before this date.")
@click.pass_obj
@user_errors
def workflow_filter(
    settings: Settings,
    domain: str,
    status: str,
    tag: str | None,
    workflow_type_name: str | None,
    workflow_type_version: str | None,
    workflow_id: str | None,
    close_status: str | None,
    started_since: float,
    from_date: Any,
    to_date: Any,
) -> None:
    """Executions of DOMAIN matching every filter given, with their details."""
    from simpleflow.swf import inspection

    if to_date is not None and from_date is None:
        raise UsageError("--to-date needs --from-date")
    settings.table(
        *inspection.filter_workflows(
            domain,
            status.lower(),
            started_since,
            from_date=_utc(from_date),
            to_date=_utc(to_date),
            tag=tag,
            workflow_id=workflow_id,
            workflow_type_name=workflow_type_name,
            workflow_type_version=workflow_type_version,
            close_status=close_status,
        )
    )


@cli.command("workflow.info")
@_DOMAIN
@click.argument("workflow_id")
@_RUN_ID
@click.pass_obj
@user_errors
def workflow_info(settings: Settings, domain: str, workflow_id: str, run_id: str | None) -> None:
    """Type, task list, ids, tags, execution time and input of an execution (its latest run without RUN_ID)."""
    from simpleflow.swf import inspection

    settings.table(*inspection.workflow_info(domain, workflow_id, run_id))


@cli.command("workflow.tasks")
@_DOMAIN
@click.argument("workflow_id")
@_RUN_ID
@_NB_TASKS
@click.pass_obj
@user_errors
def workflow_tasks(settings: Settings, domain: str, workflow_id: str, run_id: str | None, nb_tasks: int | None) -> None:
    """Tasks of an execution, most recent first: last state and its time, scheduled time."""
    from simpleflow.swf import inspection

    settings.table(*inspection.workflow_tasks(domain, workflow_id, run_id, nb_tasks))


@cli.command("workflow.profile")
@_DOMAIN
@click.argument("workflow_id")
@_RUN_ID
@_NB_TASKS
@click.option("--svg", type=click.Path(dir_okay=False, writable=True), help="Also write a timeline picture here.")
@click.pass_obj
@user_errors
def workflow_profile(
    settings: Settings, domain: str, workflow_id: str, run_id: str | None, nb_tasks: int | None, svg: str | None
) -> None:
    """Where an execution's time went, task by task, longest running first."""
    from simpleflow.swf import inspection

    settings.table(*inspection.workflow_profile(domain, workflow_id, run_id, nb_tasks, svg=svg))


@cli.command("workflow.history")
@click.argument("ids", nargs=-1, required=True, metavar="[DOMAIN] WORKFLOW_ID [RUN_ID]")
@click.option("--domain", "-d", "domain_option", help="SWF domain: then the arguments are WORKFLOW_ID [RUN_ID].")
@click.option(
    "--output-format",
    "--of",
    "-o",
    type=click.Choice(["events", "raw", "cooked"]),
    help="simpleflow's forms: events (SWF's list), raw (simpleflow's event objects), cooked (per-task state). "
    'Default: {"events": [...]}, what workflow.replay reads.',
)
@click.option("--reverse-order", type=bool, default=False, help="Newest event first.")
@user_errors
def workflow_history(
    ids: tuple[str, ...], domain_option: str | None, output_format: str | None, reverse_order: bool
) -> None:
    """An execution's history as JSON.

    Takes ``DOMAIN WORKFLOW_ID [RUN_ID]``, or simpleflow's ``WORKFLOW_ID [RUN_ID]`` with ``--domain``
    or ``$SWF_DOMAIN``.
    """
    from simpleflow.swf import inspection

    domain, workflow_id, run_id = _history_ids(ids, domain_option)
    run_id = RUN_ID.convert(run_id, None, None) if run_id else None
    if output_format is None:
        document = inspection.history_document(domain, workflow_id, run_id)
        if reverse_order:
            document["events"].reverse()
        click.echo(inspection.dump_history(document))
        return
    click.echo(inspection.history_as(output_format, domain, workflow_id, run_id, reverse_order))


def _history_ids(ids: tuple[str, ...], domain_option: str | None) -> tuple[str, str, str | None]:
    """(domain, workflow id, run id) from ours ``DOMAIN WORKFLOW_ID [RUN_ID]`` or simpleflow's form.

    ``--domain`` given: simpleflow's form. Three arguments: ours. One: simpleflow's, with $SWF_DOMAIN.
    Two, without ``--domain``: ours unless $SWF_DOMAIN is set and the first is not a domain of the account.
    """
    if len(ids) > 3 or (domain_option and len(ids) > 2):
        raise UsageError(f"too many arguments: {' '.join(ids)} (expected [DOMAIN] WORKFLOW_ID [RUN_ID])")
    if domain_option:
        return domain_option, ids[0], ids[1] if len(ids) > 1 else None
    if len(ids) == 3:
        return ids[0], ids[1], ids[2]
    env_domain = os.environ.get("SWF_DOMAIN")
    if len(ids) == 1:
        return _domain(env_domain), ids[0], None
    if env_domain and ids[0] != env_domain:
        from simpleflow.swf import client

        try:
            client.check_domain(ids[0])
        except client.UnknownDomain:
            return env_domain, ids[0], ids[1]  # WORKFLOW_ID RUN_ID in $SWF_DOMAIN
    return ids[0], ids[1], None


@cli.command("task.info")
@_DOMAIN
@click.argument("workflow_id")
@click.argument("task_id")
@_RUN_ID
@click.option(
    "--details/--no-details",
    default=None,
    help="With --no-details, only the task's state and times (no input, result or failure details).",
)
@click.pass_obj
@user_errors
def task_info(
    settings: Settings, domain: str, workflow_id: str, task_id: str, run_id: str | None, details: bool | None
) -> None:
    """State, input, and result or failure of the task TASK_ID (an activity, child workflow or timer id)."""
    from simpleflow.swf import inspection

    info = inspection.task_info(domain, workflow_id, task_id, run_id)
    if details is False:
        info = {k: v for k, v in info.items() if k not in ("input", "result", "details", "reason")}
    settings.value(info)


@cli.command("activity.rerun")
@click.argument("ids", nargs=-1, metavar="[DOMAIN WORKFLOW_ID [RUN_ID]]")
@click.option("--domain", "domain_option", envvar="SWF_DOMAIN", help="SWF domain (simpleflow's form).")
@click.option("--workflow-id", help="Workflow id (simpleflow's form).")
@click.option("--run-id", type=RUN_ID, help="Run id (default: the latest run).")
@click.option("--scheduled-id", type=int, help="The eventId of the activity's ActivityTaskScheduled event.")
@click.option("--activity-id", help="The activity id (its last scheduling).")
@click.option("--input", "-i", "input", help="JSON input to use instead of the recorded one.")
@click.option("--module", "-m", "modules", multiple=True, help="Module declaring the activity (repeatable).")
@user_errors
def activity_rerun(
    ids: tuple[str, ...],
    domain_option: str | None,
    workflow_id: str | None,
    run_id: str | None,
    scheduled_id: int | None,
    activity_id: str | None,
    input: str | None,
    modules: tuple[str, ...],
) -> None:
    """Run one activity of an execution again, here, on its recorded input; print its result as JSON.

    ``DOMAIN WORKFLOW_ID [RUN_ID]``, or simpleflow's ``--domain D --workflow-id W [--run-id R]``.
    Without ``--module``, the activity's module is imported from its name; either way only a declared
    activity runs.
    """
    from simpleflow import format
    from simpleflow.swf import inspection

    if ids:
        if workflow_id or len(ids) not in (2, 3):
            raise UsageError("give DOMAIN WORKFLOW_ID [RUN_ID], or --domain and --workflow-id, not both")
        domain, workflow_id = ids[0], ids[1]
        run_id = RUN_ID.convert(ids[2], None, None) if len(ids) == 3 else run_id
    else:
        if not workflow_id:
            raise UsageError("name the execution: DOMAIN WORKFLOW_ID [RUN_ID], or --workflow-id (and --domain)")
        domain = _domain(domain_option)
    outcome = inspection.rerun_activity(
        domain, workflow_id, run_id, scheduled_id=scheduled_id, activity_id=activity_id, input=input, modules=modules
    )
    if outcome.completed:
        click.echo(json.dumps(format.loads(outcome.result)))
        return
    click.echo(f"activity failed: {outcome.reason}", err=True)
    if outcome.details and _debug():
        click.echo(outcome.details, err=True)
    sys.exit(1)


# -- declarative workflows (DAG specs) -------------------------------------------

_SPEC_MODULES = click.option(
    "--module", "-m", "modules", multiple=True, help="Module declaring activities, besides the spec's (repeatable)."
)
_SPEC_INPUT = click.option("--input", "-i", "input", help="JSON: the value $input refers to.")
_SPEC_INPUT_FILE = click.option("--input-file", type=click.Path(), help="Read the input from this JSON file.")


@cli.command("dag.check")
@click.argument("spec")
@_SPEC_MODULES
@user_errors
def dag_check(spec: str, modules: tuple[str, ...]) -> None:
    """Check the DAG spec SPEC (YAML or JSON, or a floto decider spec): one line per problem, exit 2."""
    from simpleflow import dag

    compiled, _ = dag.prepare(spec, modules)
    click.echo(f"{spec}: ok: {compiled['name']} {compiled['version']}, {len(compiled['nodes'])} nodes")


@cli.command("dag.run")
@click.argument("spec")
@click.option("--local", is_flag=True, help="Run in this process (required: dag.start runs on SWF).")
@_SPEC_INPUT
@_SPEC_INPUT_FILE
@_SPEC_MODULES
@click.option("--workflow-id", help="Workflow id (default: generated).")
@click.option("--workers", type=int, default=1, show_default=True, help="Activities run at once.")
@click.option("--real-time", is_flag=True, help="Timers take real time.")
@user_errors
def dag_run(
    spec: str,
    local: bool,
    input: str | None,
    input_file: str | None,
    modules: tuple[str, ...],
    workflow_id: str | None,
    workers: int,
    real_time: bool,
) -> None:
    """Run the DAG spec SPEC in this process; print its result as JSON."""
    from simpleflow import dag

    if not local:
        raise UsageError("dag.run runs a spec in this process: pass --local (dag.start starts it on SWF)")
    value = dag.parse_value(_read_text(input, input_file))
    result = dag.run_local(spec, value, modules, workers=workers, workflow_id=workflow_id, real_time=real_time)
    if result.status == "completed":
        click.echo(json.dumps(result.result))
        return
    click.echo(f"workflow {result.status}: {result.reason or ''}".rstrip(), err=True)
    sys.exit(1)


@cli.command("dag.start")
@click.argument("spec")
@click.option("--domain", envvar="SWF_DOMAIN", help="SWF domain (default: $SWF_DOMAIN).")
@_SPEC_INPUT
@_SPEC_INPUT_FILE
@_SPEC_MODULES
@click.option("--workflow-id", help="Workflow id (default: generated).")
@click.option("--task-list", help="Decision task list (default: the spec's).")
@click.option("--tags", help="Comma-separated tag list.")
@user_errors
def dag_start(
    spec: str,
    domain: str | None,
    input: str | None,
    input_file: str | None,
    modules: tuple[str, ...],
    workflow_id: str | None,
    task_list: str | None,
    tags: str | None,
) -> None:
    """Start the DAG spec SPEC on SWF (deciders serve simpleflow.dag.DagWorkflow); print the ids."""
    from simpleflow import dag

    value = dag.parse_value(_read_text(input, input_file))
    tag_list = [t for t in (tags or "").split(",") if t] or None
    execution = dag.start(
        _domain(domain), spec, value, modules, workflow_id=workflow_id, task_list=task_list, tag_list=tag_list
    )
    click.echo(f"{execution['workflowId']} {execution['runId']}")


@cli.command("dag.show")
@click.argument("spec")
@click.option(
    "--dot", "dot_file", type=click.Path(dir_okay=False, allow_dash=True), help="Write DOT here ('-': stdout)."
)
@click.option("--svg", "svg_file", type=click.Path(dir_okay=False), help="Write an SVG picture here.")
@click.option("--domain", envvar="SWF_DOMAIN", help="With --workflow-id: colour nodes by that execution's states.")
@click.option("--workflow-id", help="Colour nodes by the state of their tasks in this execution.")
@click.option("--run-id", help="The execution's run (default: the latest).")
@_SPEC_MODULES
@user_errors
def dag_show(
    spec: str,
    dot_file: str | None,
    svg_file: str | None,
    domain: str | None,
    workflow_id: str | None,
    run_id: str | None,
    modules: tuple[str, ...],
) -> None:
    """Draw the graph of SPEC (DOT and/or SVG), nodes coloured by state when given an execution."""
    from simpleflow.dag import _graph
    from simpleflow.dag._load import load

    graph = load(spec)
    states = None
    if workflow_id:
        from simpleflow.swf import client, executions

        domain = _domain(domain)
        client.check_domain(domain)
        run_id = executions.resolve_run_id(domain, workflow_id, run_id)
        states = _graph.node_states(graph, client.get_history(domain, workflow_id, run_id))
    if not dot_file and not svg_file:
        dot_file = "-"
    if dot_file:
        text = _graph.to_dot(graph, states)
        if dot_file == "-":
            click.echo(text, nl=False)
        else:
            _write(dot_file, text)
    if svg_file:
        _write(svg_file, _graph.to_svg(graph, states))


def _write(path: str, text: str) -> None:
    try:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as err:
        raise UsageError(f"cannot write {path!r}: {err}") from err


# -- schedules ----------------------------------------------------------------------


@cli.command("schedule.create")
@click.argument("name")
@click.argument("target")
@click.option("--cron", required=True, help="Cron expression, e.g. '0 6 * * *' (every day at 06:00).")
@click.option("--domain", envvar="SWF_DOMAIN", help="SWF domain (default: $SWF_DOMAIN).")
@click.option("--input", "-i", "input", help="JSON input of every execution the schedule starts.")
@click.option(
    "--overlap",
    type=click.Choice(["skip", "allow"]),
    default="skip",
    show_default=True,
    help="A fire while the previous execution is still open: skip it or start anyway.",
)
@click.option(
    "--catch-up",
    "catch_up",
    type=click.Choice(["none", "last", "all"]),
    default="none",
    show_default=True,
    help="Fires missed while no decider ran: none, the last one, or all.",
)
@click.option("--timezone", default="UTC", show_default=True, help="Time zone the cron expression reads in.")
@click.option("--task-list", default=None, help="Decision task list of the schedule (default: schedules).")
@_SPEC_MODULES
@click.option("--local", is_flag=True, help="Run the schedule in this process, on the virtual clock.")
@click.option("--for", "for_seconds", type=float, help="With --local: virtual seconds to run it for.")
@user_errors
def schedule_create(
    name: str,
    target: str,
    cron: str,
    domain: str | None,
    input: str | None,
    overlap: str,
    catch_up: str,
    timezone: str,
    task_list: str | None,
    modules: tuple[str, ...],
    local: bool,
    for_seconds: float | None,
) -> None:
    """Start schedule NAME: TARGET (a workflow class or a DAG spec file) at every fire time of --cron."""
    from simpleflow import schedule

    payload = schedule.schedule_input(
        name, cron, schedule.target_of(target, input, modules), overlap=overlap, catch_up=catch_up, timezone=timezone
    )
    if local:
        if not for_seconds or for_seconds <= 0:
            raise UsageError("--local needs --for SECONDS (how long the schedule runs on the virtual clock)")
        for workflow_id in schedule.run_local(payload, for_seconds):
            click.echo(workflow_id)
        return
    from simpleflow.schedule import _swf

    execution = _swf.create(_domain(domain), payload, task_list=task_list)
    click.echo(f"{execution['workflowId']} {execution['runId']}")


@cli.command("schedule.list")
@click.option("--domain", envvar="SWF_DOMAIN", help="SWF domain (default: $SWF_DOMAIN).")
@click.pass_obj
@user_errors
def schedule_list(settings: Settings, domain: str | None) -> None:
    """The open schedules of a domain."""
    from simpleflow.schedule import _swf
    from simpleflow.swf import client

    domain = _domain(domain)
    client.check_domain(domain)
    settings.table(*_swf.list_schedules(domain))


def _schedule_command(command: str, help_text: str) -> None:
    @cli.command(command, help=help_text)
    @click.argument("name")
    @click.option("--domain", envvar="SWF_DOMAIN", help="SWF domain (default: $SWF_DOMAIN).")
    @user_errors
    def run(name: str, domain: str | None) -> None:
        from simpleflow.schedule import _swf
        from simpleflow.swf import client

        domain = _domain(domain)
        client.check_domain(domain)
        action = command.partition(".")[2]
        if action == "delete":
            _swf.delete(domain, name)
        else:
            _swf.signal(domain, name, action)
        click.echo(f"schedule {name}: {action}")


_schedule_command("schedule.pause", "Pause schedule NAME: its fire times start nothing until resumed.")
_schedule_command("schedule.resume", "Resume schedule NAME.")
_schedule_command("schedule.trigger", "Start schedule NAME's target now, once (overlap rules apply).")
_schedule_command("schedule.delete", "Delete schedule NAME (executions it started go on).")


@cli.command("info")
@click.argument("sections", required=False, default="versions,settings,environment")
@user_errors
def info(sections: str) -> None:
    """Versions, settings and environment: SECTIONS is a comma-separated list of versions, settings, environment."""
    from simpleflow import info as info_module

    click.echo(info_module.report(info_module.parse_sections(sections)))


@cli.command("dev-server")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (a warning off loopback).")
@click.option("--port", type=int, default=4566, show_default=True, help="Port for SWF and S3.")
@click.option("--domain", "domains", multiple=True, help="Register this SWF domain (repeatable).")
@user_errors
def dev_server(host: str, port: int, domains: tuple[str, ...]) -> None:
    """Serve SWF and S3 on one local port, as SWF behaves, until Ctrl-C (needs simpleflow[dev])."""
    from simpleflow import devserver

    problem = devserver.missing()
    if problem:
        raise UsageError(problem)
    try:
        devserver.serve(host, port, domains)
    except OSError as err:
        raise UsageError(f"cannot listen on {host}:{port}: {err.strerror or err}") from None
    except KeyboardInterrupt:
        pass


def load_workflow_or_fail(path: str) -> type:
    from simpleflow.loader import load_workflow

    return load_workflow(path)


def main() -> None:
    cli(prog_name="simpleflow")


if __name__ == "__main__":
    main()
