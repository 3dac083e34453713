"""Commands for cron schedules: create (on SWF, or here on the virtual clock), list, pause, resume,
trigger, delete.

The library is imported inside each command so that ``simpleflow --help`` stays fast.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from simpleflow.cli import runs
from simpleflow.cli.failures import EXIT_FAILURE, user_errors
from simpleflow.cli.params import SECONDS, SPEC_MODULES, require_domain
from simpleflow.exceptions import UsageError

if TYPE_CHECKING:
    from simpleflow.cli.output import Output


@click.command("schedule.create")
@click.argument("name")
@click.argument("target")
@click.option(
    "--cron", required=True, help="Cron expression of 5 fields, e.g. '0 6 * * *' (every day at 06:00), or @daily..."
)
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
@SPEC_MODULES
@click.option("--local", is_flag=True, help="Run the schedule in this process, on the virtual clock.")
@click.option("--for", "for_seconds", type=SECONDS, help="With --local: virtual seconds to run it for.")
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
    """Start schedule NAME: TARGET (a workflow class or a DAG spec file) at every fire time of --cron.

    With --local, runs it here on the virtual clock for --for seconds and prints the id of each run as it
    starts; a run that did not complete says why on stderr, and the command then exits 1 (a run still open
    when --for ends is said so on stderr, and is no failure).
    """
    from simpleflow import schedule

    if for_seconds is not None and not local:
        raise UsageError("--for applies with --local only (on SWF, a schedule runs until schedule.delete)")
    payload = schedule.schedule_input(
        name, cron, schedule.target_of(target, input, modules), overlap=overlap, catch_up=catch_up, timezone=timezone
    )
    if local:
        if not for_seconds or for_seconds <= 0:
            raise UsageError("--local needs --for SECONDS (how long the schedule runs on the virtual clock)")
        from simpleflow import settings

        settings.check("decider", "worker")  # what its runs read: a bad value is one line now, not failed tasks
        try:  # each run's id as it starts (click.echo flushes): those printed outlive a Ctrl-C
            fires = schedule.run_local_fires(payload, for_seconds, on_start=click.echo)
        except KeyboardInterrupt:
            runs.interrupted_locally(None)
        failed = [fire for fire in fires if fire.status not in ("completed", "open")]
        for fire in failed:  # each run that did not complete says why, once, after the ids
            click.echo(runs.closed_line(f"run {fire.workflow_id}", fire.status, fire.reason), err=True)
        for fire in fires:  # not a failure: its time ran past --for
            if fire.status == "open":
                click.echo(f"run {fire.workflow_id} still open when --for ended", err=True)
        if failed:
            click.echo(f"{len(failed)} of the {len(fires)} runs the schedule started did not complete", err=True)
            sys.exit(1)
        return
    execution = schedule.create(require_domain(domain), payload, task_list=task_list)
    click.echo(f"{execution['workflowId']} {execution['runId']}")


@click.command("schedule.list")
@click.argument("domain_arg", metavar="[DOMAIN]", required=False)
@click.option("--domain", envvar="SWF_DOMAIN", help="SWF domain (default: $SWF_DOMAIN).")
@click.pass_obj
@user_errors
def schedule_list(output: Output, domain_arg: str | None, domain: str | None) -> None:
    """The open schedules of DOMAIN (or --domain, as the other schedule commands take it)."""
    from simpleflow import schedule
    from simpleflow.swf import client

    domain = require_domain(domain_arg or domain)
    client.check_domain(domain)
    headers, rows = schedule.list_schedules(domain)
    if rows or output.format in ("json", "prettyjson", "csv") or output.header:
        output.table(headers, rows)  # a machine format says "none" its own way
        return
    click.echo(f"no schedules in {domain}", err=True)  # as workflow.list says it


def _schedule_action(command: str, help_text: str) -> click.Command:
    """``schedule.<action> NAME``: pause, resume, trigger or delete a schedule."""

    @click.command(command, help=help_text)
    @click.argument("name")
    @click.option("--domain", envvar="SWF_DOMAIN", help="SWF domain (default: $SWF_DOMAIN).")
    @user_errors
    def run(name: str, domain: str | None) -> None:
        from simpleflow import schedule
        from simpleflow.swf import client

        domain = require_domain(domain)
        client.check_domain(domain)
        action = command.partition(".")[2]
        if action == "delete":
            schedule.delete(domain, name)
        elif action == "trigger":
            workflow_id, open_runs = schedule.trigger(domain, name)
            if workflow_id is None:  # as a fire then: --overlap skip starts nothing while a run is open
                runs = ", ".join(open_runs)
                click.echo(f"schedule {name}: trigger not taken: {runs} still open (--overlap skip)", err=True)
                sys.exit(EXIT_FAILURE)
            click.echo(f"schedule {name}: trigger: starts {workflow_id}")
            return
        elif not schedule.set_paused(domain, name, action == "pause"):  # nothing sent: it is so already
            click.echo(f"schedule {name}: {action}: already {'paused' if action == 'pause' else 'active'}")
            return
        click.echo(f"schedule {name}: {action}")

    return run


COMMANDS = [
    schedule_create,
    schedule_list,
    _schedule_action("schedule.pause", "Pause schedule NAME: its fire times start nothing until resumed."),
    _schedule_action("schedule.resume", "Resume schedule NAME."),
    _schedule_action(
        "schedule.trigger",
        "Start schedule NAME's target now, once; with --overlap skip, not while a run it started is open "
        "(then says so and exits 1).",
    ),
    _schedule_action("schedule.delete", "Delete schedule NAME (executions it started go on)."),
]
