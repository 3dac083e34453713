"""Commands that read executions: list and filter them, their details, tasks, time profile and
history; replay histories against the current code; rerun one activity here.

The library is imported inside each command so that ``simpleflow --help`` stays fast.
"""

from __future__ import annotations

import datetime
import gc
import json
import math
import os
import sys
from typing import TYPE_CHECKING, Any

import click

from simpleflow.cli.failures import details_wanted, user_errors
from simpleflow.cli.output import OptionFile
from simpleflow.cli.params import DOMAIN_ARG, RUN_ID, RUN_ID_ARG, given_on_command_line, require_domain
from simpleflow.exceptions import UsageError

if TYPE_CHECKING:
    from simpleflow.cli.output import Output

_NB_TASKS = click.option(
    "--nb-tasks", "-n", type=click.IntRange(min=0), help="Show only the first N tasks (0: all, as in simpleflow 0.36)."
)


def _number_of_days(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    if value is not None and math.isnan(value):  # FloatRange lets NaN through: no comparison fails
        raise click.BadParameter("'nan' is not a number of days")
    return value


_STARTED_SINCE = click.option(
    "--started-since",
    "-d",
    type=click.FloatRange(min=0),
    callback=_number_of_days,
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
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=datetime.timezone.utc)
    return value


def _check_dates(from_date: Any, to_date: Any, started_since: float) -> None:
    """Refuse a --to-date before the earliest start asked for (--from-date, else the last DAYS): nothing fits."""
    if to_date is None:
        return
    if from_date is not None:
        if _utc(to_date) < _utc(from_date):  # a date without a zone is UTC: either form compares
            raise UsageError(f"--to-date {_shown(to_date)} is before --from-date {_shown(from_date)}")
        return
    since = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=started_since)
    if _utc(to_date) < since:
        raise UsageError(
            f"--to-date {_shown(to_date)} is before the last {started_since:g} days (-d): give --from-date too"
        )


def _shown(date: Any) -> str:
    return f"{date:%Y-%m-%d %H:%M:%S%z}"  # %z is empty for a date given without a zone


@click.command("workflow.list")
@DOMAIN_ARG
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
def workflow_list(output: Output, domain: str, status: str, started_since: float, status_field: bool) -> None:
    """Executions of DOMAIN: workflow id, workflow type, status (and, with --status-field, the workflow's own)."""
    from simpleflow.swf import inspection

    headers, rows = inspection.list_workflows(domain, status.lower(), started_since, status_field=status_field)
    _listing(output, headers, rows, status.lower(), f"in {domain} started in the last {started_since:g} days")


def _listing(output: Output, headers: list[str], rows: list[list[Any]], status: str, where: str) -> None:
    """A listing of *status* executions; none: one line on stderr saying so (*where*, and where else to look),
    not an empty line on stdout. A machine format, or ``--header``, says "none" its own way."""
    if rows or output.format in ("json", "prettyjson", "csv") or output.header:
        output.table(headers, rows)
        return
    other = "open" if status == "closed" else "closed"
    click.echo(f"no {status} executions {where} ({other} ones: --status {other})", err=True)


@click.command("workflow.filter")
@DOMAIN_ARG
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
    output: Output,
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

    if from_date is not None and given_on_command_line("started_since"):
        raise UsageError("give --started-since (-d) or --from-date, not both")
    if tag is not None and not tag.strip():
        raise UsageError("--tag is empty: give the tag to look for")
    _check_dates(from_date, to_date, started_since)
    headers, rows = inspection.filter_workflows(
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
    _listing(output, headers, rows, status.lower(), f"in {domain} match the filters given")


@click.command("workflow.info")
@DOMAIN_ARG
@click.argument("workflow_id")
@RUN_ID_ARG
@click.pass_obj
@user_errors
def workflow_info(output: Output, domain: str, workflow_id: str, run_id: str | None) -> None:
    """Type, task list, ids, tags, execution time and input of an execution (its latest run without RUN_ID)."""
    from simpleflow.swf import inspection

    output.table(*inspection.workflow_info(domain, workflow_id, run_id))


@click.command("workflow.tasks")
@DOMAIN_ARG
@click.argument("workflow_id")
@RUN_ID_ARG
@_NB_TASKS
@click.pass_obj
@user_errors
def workflow_tasks(output: Output, domain: str, workflow_id: str, run_id: str | None, nb_tasks: int | None) -> None:
    """Tasks of an execution, most recent first: last state and its time, scheduled time."""
    from simpleflow.swf import inspection

    output.table(*inspection.workflow_tasks(domain, workflow_id, run_id, nb_tasks))


@click.command("workflow.profile")
@DOMAIN_ARG
@click.argument("workflow_id")
@RUN_ID_ARG
@_NB_TASKS
@click.option("--svg", type=click.Path(dir_okay=False, writable=True), help="Also write a timeline picture here.")
@click.pass_obj
@user_errors
def workflow_profile(
    output: Output, domain: str, workflow_id: str, run_id: str | None, nb_tasks: int | None, svg: str | None
) -> None:
    """Where an execution's time went, task by task, longest running first."""
    from simpleflow.swf import inspection

    picture = None if svg is None else OptionFile("--svg", svg)
    output.table(*inspection.workflow_profile(domain, workflow_id, run_id, nb_tasks, svg=picture))


@click.command("workflow.history")
@click.argument("ids", nargs=-1, required=True, metavar="[DOMAIN] WORKFLOW_ID [RUN_ID]")
@click.option("--domain", "-d", "domain_option", help="SWF domain: then the arguments are WORKFLOW_ID [RUN_ID].")
@click.option(
    "--output-format",
    "--of",
    "-o",
    type=click.Choice(["events", "raw", "cooked"]),
    help="simpleflow's forms: events (SWF's list), raw (simpleflow's event objects), cooked (per-task state). "
    'Default: {"events": [...]}, what workflow.replay reads; raw in simpleflow\'s form (WORKFLOW_ID [RUN_ID] with '
    "--domain or $SWF_DOMAIN), as there.",
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

    domain, workflow_id, run_id, theirs = _history_ids(ids, domain_option)
    run_id = RUN_ID.convert(run_id, None, None) if run_id else None
    if output_format is None and theirs:
        output_format = "raw"  # simpleflow's form means simpleflow's default
    if output_format is None:
        document = inspection.history_document(domain, workflow_id, run_id)
        if reverse_order:
            document["events"].reverse()
        click.echo(inspection.dump_history(document))
        return
    click.echo(inspection.history_as(output_format, domain, workflow_id, run_id, reverse_order))


def _history_ids(ids: tuple[str, ...], domain_option: str | None) -> tuple[str, str, str | None, bool]:
    """(domain, workflow id, run id, whether it is simpleflow's form) from ours ``DOMAIN WORKFLOW_ID [RUN_ID]``
    or simpleflow's ``WORKFLOW_ID [RUN_ID]`` (with ``--domain`` or $SWF_DOMAIN).

    ``--domain`` given: simpleflow's form. Three arguments: ours. One: simpleflow's, with $SWF_DOMAIN.
    Two, without ``--domain``: ours unless $SWF_DOMAIN is set and the first is not a domain of the account.
    """
    if len(ids) > 3 or (domain_option and len(ids) > 2):
        raise UsageError(f"too many arguments: {' '.join(ids)} (expected [DOMAIN] WORKFLOW_ID [RUN_ID])")
    if domain_option:
        return domain_option, ids[0], ids[1] if len(ids) > 1 else None, True
    if len(ids) == 3:
        return ids[0], ids[1], ids[2], False
    env_domain = os.environ.get("SWF_DOMAIN")
    if len(ids) == 1:
        return require_domain(env_domain), ids[0], None, True
    if env_domain and ids[0] != env_domain:
        from simpleflow.swf import client

        try:
            client.check_domain(ids[0])
        except client.UnknownDomain:
            return env_domain, ids[0], ids[1], True  # WORKFLOW_ID RUN_ID in $SWF_DOMAIN
    return ids[0], ids[1], None, False


@click.command("workflow.replay")
@click.argument("workflow")
@click.argument("histories", nargs=-1, required=True, metavar="DIR_OR_FILES...")
@click.option("--workflow-id", help="The execution's workflow id (child workflow ids embed it).")
@click.option("--run-id", help="The execution's run id (child workflow ids embed it).")
@user_errors
def workflow_replay(workflow: str, histories: tuple[str, ...], workflow_id: str | None, run_id: str | None) -> None:
    """Replay recorded histories against today's code.

    One file (``-`` for stdin): print, as JSON, the decisions the code takes on it; exit 1, naming the first
    mismatch, when the history does not fit the code. Several files, or folders (their ``*.json``): print
    ``<file>: ok`` for each, or the first decision that differs (the history's, the code's and its line);
    exit 1 if any differs.
    """
    from simpleflow.runtime.loader import load_workflow

    workflow_class = load_workflow(workflow)
    if len(histories) == 1 and (histories[0] == "-" or not os.path.isdir(histories[0])):
        _replay_one(workflow_class, histories[0], workflow_id, run_id)
        return
    from simpleflow.testing import IDS_AS_OPTIONS, check_file, history_files

    differ = False
    for path in history_files(*histories):
        report = check_file(workflow_class, path, workflow_id=workflow_id, run_id=run_id, give_ids=IDS_AS_OPTIONS)
        differ = differ or not report.ok
        for line in report.lines():
            click.echo(line)
    if differ:
        sys.exit(1)


def _replay_one(workflow_class: type, source: str, workflow_id: str | None, run_id: str | None) -> None:
    from simpleflow.testing import IDS_AS_OPTIONS, load_history, parse_history, replay_report

    if source == "-":
        events, recorded_workflow_id, recorded_run_id = parse_history(sys.stdin.buffer.read())
    else:
        events, recorded_workflow_id, recorded_run_id = load_history(source)
    # A one-shot process: the events live until it exits, and are never taken apart. Held by a list that
    # holds itself (no reference count of theirs reaches zero) and frozen with all imported so far (no pass
    # of the cyclic collector walks them, the exit's included), their memory goes back whole at the exit.
    held: list[Any] = [events]
    held.append(held)
    gc.freeze()
    ids = (workflow_id or recorded_workflow_id, run_id or recorded_run_id)
    report = replay_report(workflow_class, events, source, ids, IDS_AS_OPTIONS)
    click.echo(json.dumps(report.decisions, indent=2, default=str))
    if not report.ok:
        click.echo(f"simpleflow: history does not fit the code: {report.difference.reason}", err=True)
        for line in report.lines()[1:3] + report.note_lines():  # the history's decision, the code's (its line)
            click.echo(line, err=True)
        sys.exit(1)


@click.command("task.info")
@DOMAIN_ARG
@click.argument("workflow_id")
@click.argument("task_id")
@RUN_ID_ARG
@click.option(
    "--details/--no-details",
    default=True,
    help="With --no-details, without the failure details column.",
)
@click.pass_obj
@user_errors
def task_info(output: Output, domain: str, workflow_id: str, task_id: str, run_id: str | None, details: bool) -> None:
    """The task TASK_ID (an activity, child workflow or timer id) as one row: state, input, result or failure.

    Its columns: simpleflow 0.36.0's (type, id, name, version, state, timestamp, input, result, reason), then
    details, then ours (scheduled, started, closed, attempts...).
    """
    from simpleflow.swf import inspection

    info = inspection.task_info(domain, workflow_id, task_id, run_id)
    output.table(*inspection.task_table(info, details, more=True))


@click.command("activity.rerun")
@click.argument("ids", nargs=-1, metavar="[DOMAIN WORKFLOW_ID [RUN_ID]]")
@click.option("--domain", "domain_option", envvar="SWF_DOMAIN", help="SWF domain (simpleflow's form).")
@click.option("--workflow-id", help="Workflow id (simpleflow's form).")
@click.option("--run-id", type=RUN_ID, help="Run id (default: the latest run).")
@click.option("--scheduled-id", type=int, help="The eventId of the activity's ActivityTaskScheduled event.")
@click.option("--activity-id", help="The activity id (its last scheduling).")
@click.option("--input", "-i", "input", help="JSON input to use instead of the recorded one.")
@click.option("--module", "-m", "modules", multiple=True, help="Module declaring the activity (required; repeatable).")
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
    Only an activity declared in a --module module runs, and --module is required: a module the history
    names is never imported on its word (anyone who can start executions writes those names, and
    importing a module runs its code). Without it, the error names the activity's module.
    """
    from simpleflow import format
    from simpleflow.swf import inspection

    if ids:
        if workflow_id:
            raise UsageError("give DOMAIN WORKFLOW_ID [RUN_ID], or --domain and --workflow-id, not both")
        if len(ids) not in (2, 3):
            raise UsageError(f"name the execution: DOMAIN WORKFLOW_ID [RUN_ID] ({len(ids)} given: {' '.join(ids)})")
        domain, workflow_id = ids[0], ids[1]
        run_id = RUN_ID.convert(ids[2], None, None) if len(ids) == 3 else run_id
    else:
        if not workflow_id:
            raise UsageError("name the execution: DOMAIN WORKFLOW_ID [RUN_ID], or --workflow-id (and --domain)")
        domain = require_domain(domain_option)
    outcome = inspection.rerun_activity(
        domain, workflow_id, run_id, scheduled_id=scheduled_id, activity_id=activity_id, input=input, modules=modules
    )
    if outcome.completed:
        click.echo(json.dumps(format.loads(outcome.result)))
        return
    click.echo(f"activity failed: {outcome.reason}", err=True)
    if outcome.details and details_wanted():
        click.echo(outcome.details, err=True)
    sys.exit(1)


COMMANDS = [
    workflow_list,
    workflow_filter,
    workflow_info,
    workflow_tasks,
    workflow_profile,
    workflow_history,
    workflow_replay,
    task_info,
    activity_rerun,
]
