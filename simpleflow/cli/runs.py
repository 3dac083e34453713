"""The end of a run, as a command tells it: each task failure on stderr, then the result or the failure.

Shared by ``workflow.start --local``, ``dag.run`` and ``standalone`` so that a run reads the same on either
host: a task that failed is never silent (its id, error and the line that raised it), a workflow that
failed names the line of its code that raised, and a run that completed although some of its tasks
failed says so in its last line (its result may stand on values those tasks never computed).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any, NoReturn

import click

__all__ = [
    "closed_line",
    "finish",
    "finish_recorded",
    "interrupted_locally",
    "interrupted_start",
    "say_interrupted",
    "started_anyway",
    "task_failure_lines",
    "tell_stuck_children",
]


def task_failure_lines(outcome: Any) -> list[str]:
    """One line per failed task attempt of *outcome*'s runs (those it continued first)."""
    from simpleflow.history import task_failures

    lines: list[str] = []
    for run in _runs(outcome):
        lines += [failure.line for failure in task_failures(run.events, decode=_decode)]
    return lines


def finish(outcome: Any, details_wanted: bool = False, failures_shown: bool = False) -> None:
    """Print how *outcome* (an ``Outcome``) ended and exit: the result as JSON on stdout (exit 0), or the
    failure on stderr (exit 1). Task failures go to stderr first unless *failures_shown* (written as they
    came)."""
    from simpleflow.history import failed_for_good, where_raised

    if not failures_shown:
        for line in task_failure_lines(outcome):
            click.echo(line, err=True)
    if outcome.completed:
        click.echo(json.dumps(outcome.result))
        failed = failed_for_good(outcome.events)
        if failed:
            sys.stdout.flush()
            shown = ", ".join(failed[:3]) + (f" and {len(failed) - 3} more" if len(failed) > 3 else "")
            click.echo(
                f"warning: the workflow completed, but {len(failed)} of its tasks failed ({shown}): "
                "its result may depend on them",
                err=True,
            )
        return
    where = where_raised(outcome.details) if outcome.details else ""
    line = closed_line("workflow", outcome.status, outcome.reason)
    if where and where not in line:
        line += f" ({where})"
    click.echo(line, err=True)
    if outcome.details and details_wanted:
        click.echo(outcome.details, err=True)
    sys.exit(1)


def closed_line(what: str, status: str, reason: str | None) -> str:
    """``<what> <status>: <reason>``: how a run that did not complete closed, in one line."""
    from simpleflow.constants import WORKFLOW_FAILED_PREFIX  # here: ``simpleflow --help`` imports no library module

    reason = reason or ""
    # The reason of a run that called ``self.fail(reason)`` starts by saying it failed (0.36.0's does too): this
    # line says so already.
    if status == "failed" and reason.startswith(WORKFLOW_FAILED_PREFIX):
        reason = reason[len(WORKFLOW_FAILED_PREFIX) :]
    return f"{what} {status}: {reason}".rstrip().rstrip(":")


def finish_recorded(
    outcome: Any,
    record: str | None,
    events: Callable[[], list[dict[str, Any]]],
    details_wanted: bool = False,
    failures_shown: bool = False,
    domain: str | None = None,
) -> None:
    """:func:`finish`, after writing *events()* (the history) to ``--record`` *record* if given (with the SWF
    *domain* the run was on; none for a local run).

    A history that cannot be written does not hide how the run ended: the result (or the failure) is
    printed all the same, then the problem, and the exit code is the failure's (1) or the problem's.
    """
    if record is None:
        finish(outcome, details_wanted, failures_shown)
        return
    from simpleflow.cli.failures import explain
    from simpleflow.cli.params import write_record

    try:
        write_record(record, events(), outcome.workflow_id, outcome.run_id, domain)
    except Exception as err:
        problem, code = explain(err)
    else:
        finish(outcome, details_wanted, failures_shown)
        return
    if not problem.startswith("--record"):
        problem = f"--record {record}: cannot get the history: {problem}"
    try:
        finish(outcome, details_wanted, failures_shown)
    finally:
        sys.stdout.flush()
        click.echo(f"simpleflow: error: {problem}", err=True)
    sys.exit(code)


def tell_stuck_children(execution: Any) -> None:
    """One line on stderr for each child run of a local *execution* (a ``LocalExecution``) that failed as stuck:
    the root's own status does not say it."""
    from simpleflow.local import stuck_child_line

    for child in execution.stuck_children:
        click.echo(stuck_child_line(child), err=True)


def say_interrupted(what: str) -> None:
    """The one line on stderr of a command Ctrl-C (or SIGTERM) stopped: ``simpleflow: interrupted: <what>``, as
    every such line reads (``workflow.trace``'s, the generic one); the caller exits (130 for Ctrl-C)."""
    click.echo(f"simpleflow: interrupted: {what}", err=True)


def interrupted_locally(record: str | None) -> NoReturn:
    """Ctrl-C stopped a local run (``--local``): one line on stderr, exit 130 as ``standalone`` does."""
    line = "the local run was stopped before it closed (its activities left unfinished)"
    if record is not None:
        line += f"; nothing was recorded to {record}"
    say_interrupted(line)
    sys.exit(130)


def started_anyway(domain: str, workflow_id: str) -> dict[str, str] | str:
    """The open execution *workflow_id* names (its start was sent, its answer not read), or the line saying none
    was found, or that it could not be looked up."""
    from simpleflow.cli.failures import explain
    from simpleflow.swf import client

    try:
        infos = client.list_executions(domain, "open", started_since_days=1, workflow_id=workflow_id)
    except Exception as err:
        return (
            f"the start of execution {workflow_id} was sent and may have reached SWF (it could not be looked up: "
            f"{explain(err)[0]}): check with: simpleflow workflow.info {domain} {workflow_id}; terminate it with: "
            f"simpleflow workflow.terminate {domain} {workflow_id}"
        )
    if not infos:
        return f"no execution was started (none is open with workflow id {workflow_id})"
    return dict(infos[0]["execution"])


def interrupted_start(domain: str, workflow_id: str) -> NoReturn:
    """Ctrl-C while the start of execution *workflow_id* was in flight (sent, its answer not read): one line on
    stderr saying whether it started, found by its workflow id, and how to check it; exit 130."""
    found = started_anyway(domain, workflow_id)
    if isinstance(found, dict):
        found = (
            f"execution {workflow_id} was started (run {found['runId']}): check it with: "
            f"simpleflow workflow.info {domain} {workflow_id}"
        )
    say_interrupted(found)
    sys.exit(130)


def _runs(outcome: Any) -> list[Any]:
    chain = []
    while outcome is not None:
        chain.append(outcome)
        outcome = outcome.previous
    return chain[::-1]


def _decode(value: Any) -> Any:
    from simpleflow import jumbo

    return jumbo.decode(value) if isinstance(value, str) else value
