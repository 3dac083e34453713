"""Commands that run simpleflow's processes on SWF: deciders, activity workers, and ``standalone``
(an execution with a decider and workers of its own).

The library is imported inside each command so that ``simpleflow --help`` stays fast.
"""

from __future__ import annotations

import signal
import sys
from typing import Any

import click

from simpleflow.cli import runs
from simpleflow.cli.failures import details_wanted, user_errors
from simpleflow.cli.logs import LOG_FORMAT, LOG_LEVEL, apply_log_format, apply_log_level
from simpleflow.cli.params import (
    INPUT_FILE,
    PROCESSES,
    RECORD,
    SECONDS,
    SPEC_MODULES,
    input_source,
    load_middlewares,
    middleware_options,
    parse_tags,
    read_input,
    read_text,
    require_domain,
)
from simpleflow.exceptions import UsageError


@click.command("decider.start")
@click.argument("workflows", nargs=-1)
@click.option("--domain", "-d", envvar="SWF_DOMAIN", help="SWF domain (default: $SWF_DOMAIN).")
@click.option("--task-list", "-t", help="Decision task list to poll (default: the task list of the WORKFLOWS).")
@click.option(
    "--nb-processes", "-N", type=PROCESSES, default=1, show_default=True, help="Decider processes (at most 64 per CPU)."
)
@LOG_LEVEL
@LOG_FORMAT
@user_errors
def decider_start(
    workflows: tuple[str, ...],
    domain: str | None,
    task_list: str | None,
    nb_processes: int | None,
    log_level: str | None,
    log_format: str | None = None,
) -> None:
    """Decide for WORKFLOWS (package.module.Class ...) on a task list.

    Executions of other types on that task list (child workflows...) are decided too when their type
    name (or the class path in their input) names a Workflow subclass, as simpleflow does.
    """
    from simpleflow import settings
    from simpleflow.runtime.loader import load_workflow, use_current_directory
    from simpleflow.swf import client
    from simpleflow.swf.decider import run_decider
    from simpleflow.swf.process import attended, supervise

    apply_log_level(log_level)
    apply_log_format(log_format)
    settings.check("decider")  # a value that does not parse: one line now, not in each child or thread
    domain = require_domain(domain)
    use_current_directory()  # the project's packages, WORKFLOWS given or not (docs/security.md)
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
    with attended():  # a stop is said at once: it may wait up to a minute for a poll in flight
        if nb_processes <= 1:
            run_decider(domain, task_list, list(workflows))
        else:
            supervise(run_decider, (domain, task_list, list(workflows)), nb_processes, name=f"decider[{task_list}]")


@click.command("worker.start")
@click.argument("modules", nargs=-1)
@click.option("--domain", "-d", envvar="SWF_DOMAIN", help="SWF domain (default: $SWF_DOMAIN).")
@click.option("--task-list", "-t", help="Activity task list to poll (not needed with --poll-data).")
@click.option(
    "--nb-processes", "-N", type=PROCESSES, default=1, show_default=True, help="Worker processes (at most 64 per CPU)."
)
@click.option("--heartbeat", type=SECONDS, default=60, show_default=True, help="Seconds between heartbeats (0: none).")
@click.option("--one-task", is_flag=True, help="Poll until one task comes, run it, answer SWF and exit.")
@click.option(
    "--poll-data",
    metavar="BASE64_JSON",
    help="Run the task of this PollForActivityTask response (base64 of its JSON) instead of polling; then exit.",
)
@middleware_options
@LOG_LEVEL
@LOG_FORMAT
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
    log_format: str | None = None,
) -> None:
    """Run declared activities for a task list.

    With MODULES (packages are scanned), only the activities they declare. Without, as simpleflow does,
    a task naming ``pkg.mod.func`` imports ``pkg.mod``; either way only functions and classes declared
    with ``@activity.with_attributes`` run, and a task naming anything else fails saying so.
    """
    from simpleflow import settings
    from simpleflow.runtime.loader import use_current_directory
    from simpleflow.swf import single_task
    from simpleflow.swf.process import attended
    from simpleflow.swf.worker import run_worker

    apply_log_level(log_level)
    apply_log_format(log_format)
    settings.check("worker")  # a value that does not parse: one line now, not in each child
    use_current_directory()  # MODULES, or the module a task names without them: the same path in every form
    if not task_list and poll_data is None:
        raise UsageError("give --task-list (or the task itself with --poll-data)")
    domain = require_domain(domain)
    middlewares = load_middlewares(middleware_pre, middleware_post)
    if poll_data is not None or one_task:
        options = {"heartbeat": heartbeat, "modules": modules, "middlewares": middlewares}
        try:
            if poll_data is not None:
                single_task.run_given_task(domain, single_task.decode_poll_data(poll_data), task_list, **options)
            else:
                with attended():
                    single_task.run_one_task(domain, task_list, **options)
        except single_task.TaskRefused as err:
            click.echo(f"simpleflow: {err}", err=True)
            sys.exit(1)
        return
    with attended():  # a stop is said at once: it may wait up to a minute for a poll in flight
        run_worker(
            domain,
            task_list,
            nb_processes=nb_processes or 1,
            heartbeat=heartbeat,
            modules=modules,
            middlewares=middlewares,
        )


@click.command("standalone")
@click.argument("workflow")
@click.option("--domain", "-d", envvar="SWF_DOMAIN", help="SWF domain (default: $SWF_DOMAIN).")
@click.option(
    "--input",
    "-i",
    "input",
    help='JSON: a list of arguments or {"args": [...], "kwargs": {...}}; for a DAG spec, the value $input refers to.',
)
@INPUT_FILE
@click.option("--workflow-id", help="Workflow id (default: generated).")
@click.option("--execution-timeout", help="Execution start-to-close timeout, in seconds.")
@click.option("--decision-tasks-timeout", help="Decision task start-to-close timeout, in seconds.")
@click.option("--tags", help="Comma-separated tag list (default: the workflow's).")
# At least one of each: the execution's task list is a new one of its own, which no process started
# apart polls (as in simpleflow 0.36.0, whose standalone made it from the workflow id and a uuid): with
# no worker or no decider of its own, the execution would wait until its timeout.
@click.option(
    "--nb-workers",
    "-W",
    type=PROCESSES,
    default=1,
    show_default=True,
    help="Activity worker processes (they alone poll the execution's own task list).",
)
@click.option(
    "--nb-deciders",
    "-D",
    type=PROCESSES,
    default=1,
    show_default=True,
    help="Decider processes (they alone poll the execution's own task list).",
)
@click.option("--heartbeat", type=SECONDS, default=60, show_default=True, help="Seconds between heartbeats (0: none).")
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
@click.option(
    "--terminate-on-interrupt",
    is_flag=True,
    help="On Ctrl-C (or SIGTERM), terminate the execution too (by default it stays open on SWF).",
)
@SPEC_MODULES
@RECORD
@middleware_options
@LOG_FORMAT
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
    nb_workers: int,
    nb_deciders: int,
    heartbeat: float,
    display_status: bool,
    repair: str | None = None,
    force_activities: str | None = None,
    terminate_on_interrupt: bool = False,
    modules: tuple[str, ...] = (),
    record: str | None = None,
    middleware_pre: tuple[str, ...] = (),
    middleware_post: tuple[str, ...] = (),
    log_format: str | None = None,
) -> None:
    """Run WORKFLOW (a class, or a DAG spec file) on SWF with a decider and workers of its own.

    With a spec, --module imports (scans) more modules declaring its activities, as for dag.run (a floto
    spec names none); the workers run those too.

    Prints ``<workflow id> <run id>`` on stdout once started, progress on stderr (each task failure,
    what the execution waits on), and the result as JSON as the last line of stdout. Interrupted, it
    stops every process it started; the execution stays open (the message says how to close it) unless
    --terminate-on-interrupt.
    """
    from simpleflow import dag, settings
    from simpleflow.runtime.loader import check_signature, load_workflow
    from simpleflow.swf.standalone import run_standalone

    apply_log_format(log_format)
    settings.check("decider", "worker")  # its deciders' and workers': one line now, not in each of them
    worker_modules = children = None
    middlewares = load_middlewares(middleware_pre, middleware_post)
    if force_activities is not None and repair is None:
        raise UsageError("--force-activities only applies with --repair")
    repair_source = None
    if dag.looks_like_spec(workflow):
        if repair is not None:
            raise UsageError("--repair takes a workflow class, not a spec file")
        compiled, workflow_class = dag.prepare(workflow, modules)
        payload = dag.execution_input(compiled, dag.parse_value(read_text(input, input_file), input_source(input_file)))
        worker_modules = compiled["modules"]  # the spec's and --module's
        children = [n["target"]["path"] for n in compiled["nodes"] if n["kind"] == "workflow" and n.get("target")]
    else:
        if modules:  # it would be ignored: a workflow class imports what it needs itself
            raise UsageError(f"--module applies to a DAG spec; {workflow!r} is a workflow class")
        workflow_class = load_workflow(workflow)
        if repair is not None:
            from simpleflow.swf import repair as swf_repair

            repair_source = swf_repair.load_repair_source(
                require_domain(domain),
                repair,
                force_activities,
                must_be_closed=workflow_id is None,
                workflow_type=(workflow_class.name, workflow_class.version),
                note=lambda line: click.echo(f"note: {line}", err=True),
            )
            workflow_id = workflow_id or repair_source.workflow_id  # the pipeline goes on under its own id
            if input is None and input_file is None:
                input = repair_source.input  # the repaired execution's input, unless another is given
        payload = read_input(input, input_file)
        check_signature(workflow_class, payload)

    opened: dict[str, str] = {}

    def started(execution: dict[str, str]) -> None:
        opened.update(execution)
        click.echo(f"{execution['workflowId']} {execution['runId']}")
        sys.stdout.flush()
        if display_status:
            click.echo("status: OPEN", err=True)

    try:
        outcome = run_standalone(
            require_domain(domain),
            workflow_class,
            payload,
            workflow_id=workflow_id,
            nb_workers=nb_workers,
            nb_deciders=nb_deciders,
            heartbeat=heartbeat,
            execution_timeout=execution_timeout,
            decision_tasks_timeout=decision_tasks_timeout,
            tag_list=parse_tags(tags),
            on_started=started,
            middlewares=middlewares,
            repair=repair_source,
            modules=worker_modules,
            children=children,
        )
    except KeyboardInterrupt as stop:
        # Every process it started has stopped (run_standalone's exit): what the execution is now stays so.
        sent = getattr(stop, "start_sent", None)
        closed = _interrupted(require_domain(domain), opened, terminate_on_interrupt, sent)
        if closed is not None:
            try:
                _finish(closed, display_status, record, require_domain(domain))
            except SystemExit:
                pass  # the exit status is the interrupt's
        sys.exit(128 + getattr(stop, "signum", signal.SIGINT))
    except Exception as err:
        if not opened:
            raise
        raise _left_open(err, require_domain(domain), opened) from err
    _finish(outcome, display_status, record, require_domain(domain))


def _finish(outcome: Any, display_status: bool, record: str | None, domain: str) -> None:
    """What ``standalone`` prints of its closed execution (*outcome*): its result, or its failure, and exits."""
    if display_status:
        click.echo(f"status: CLOSED ({outcome.close_status})", err=True)

    def history() -> list[dict[str, Any]]:
        from simpleflow.swf import inspection

        return inspection.history_document(domain, outcome.workflow_id, outcome.run_id)["events"]

    # each failure was written as it came
    runs.finish_recorded(outcome, record, history, details_wanted(), failures_shown=True, domain=domain)


def _interrupted(domain: str, execution: dict[str, str], terminate: bool, sent: str | None = None) -> Any:
    """Say on stderr what an interrupted ``standalone`` did: its processes stopped, and what the execution is now
    (described once they stopped: a decision in hand may have closed it). Returns its outcome if it is closed.
    *sent*: the workflow id of a start sent whose answer was not read (the execution may have started)."""
    from simpleflow.cli.failures import explain
    from simpleflow.swf.standalone import latest_run

    stopped = "every process started was stopped"
    if not execution and sent is not None:
        found = runs.started_anyway(domain, sent)
        if isinstance(found, str):
            runs.say_interrupted(f"{stopped}; {found}")
            return None
        execution = found
    if not execution:
        runs.say_interrupted(f"{stopped}; no execution was started")
        return None
    workflow_id = execution["workflowId"]
    try:
        execution, outcome = latest_run(domain, execution)
    except Exception as err:
        runs.say_interrupted(f"{stopped}; {_open_hint(domain, execution, explain(err)[0])}")
        return None
    if outcome is not None:
        runs.say_interrupted(f"{stopped}; execution {workflow_id} is closed: {outcome.status}")
        return outcome
    runs.say_interrupted(f"{stopped}; {_open_line(domain, execution, terminate)}")
    return None


def _open_hint(domain: str, execution: dict[str, str], why: str) -> str:
    workflow_id, run_id = execution["workflowId"], execution["runId"]
    return (
        f"execution {workflow_id} may still be open on SWF (its state could not be read: {why}): "
        f"close it with: simpleflow workflow.terminate {domain} {workflow_id} {run_id}"
    )


def _open_line(domain: str, execution: dict[str, str], terminate: bool) -> str:
    """What becomes of the execution an interrupted ``standalone`` leaves open: terminated, or left so."""
    workflow_id, run_id = execution["workflowId"], execution["runId"]
    if terminate:
        from simpleflow.cli.failures import explain
        from simpleflow.swf import executions

        try:
            executions.terminate(domain, workflow_id, run_id, reason="standalone interrupted")
        except Exception as err:
            return f"execution {workflow_id} could not be terminated: {explain(err)[0]}"
        return f"execution {workflow_id} terminated"
    return (
        f"execution {workflow_id} is still open on SWF (no decider or worker serves its task list): "
        f"close it with: simpleflow workflow.terminate {domain} {workflow_id} {run_id}"
    )


def _left_open(error: Exception, domain: str, execution: dict[str, str]) -> Exception:
    """A failure once the execution started (SWF gone, every process dead...): its line, then what may have
    become of the execution, as an interrupt says it; its exit code is the failure's."""
    from simpleflow.cli.failures import Explained, explain

    line, code = explain(error)
    workflow_id, run_id = execution["workflowId"], execution["runId"]
    return Explained(
        f"{line}; every process started was stopped; execution {workflow_id} may still be open on SWF: "
        f"close it with: simpleflow workflow.terminate {domain} {workflow_id} {run_id}",
        code,
    )


@click.command("binaries.download")
@click.argument("locations", nargs=-1)
@user_errors
def binaries_download(locations: tuple[str, ...]) -> None:
    """Download programs from S3 into $SIMPLEFLOW_BINARIES_DIRECTORY: LOCATIONS are NAME=s3://bucket/key."""
    from simpleflow.runtime.binaries import download_specs

    for path in download_specs(locations):
        click.echo(path)


COMMANDS = [decider_start, worker_start, standalone, binaries_download]
