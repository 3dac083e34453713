"""``simpleflow workflow.trace``: an execution's OpenTelemetry trace, rebuilt from its SWF history alone."""

from __future__ import annotations

import sys
from typing import Any

import click

from simpleflow.cli.failures import EXIT_FAILURE, Explained, user_errors
from simpleflow.cli.output import cannot_write
from simpleflow.cli.params import RUN_ID
from simpleflow.exceptions import UsageError


@click.command("workflow.trace")
@click.argument("ids", nargs=-1, metavar="[DOMAIN WORKFLOW_ID [RUN_ID]]")
@click.option("--history", "history_file", type=click.File("r"), help="Read the history from this file ('-': stdin).")
@click.option("--workflow-id", help="With --history: the execution's workflow id (its trace id derives from it).")
@click.option("--run-id", type=RUN_ID, help="With --history: the execution's run id.")
@click.option(
    "--output",
    "-o",
    metavar="FILE",
    help="Write OTLP/JSON to FILE ('-': stdout) instead of sending the spans to the configured exporter.",
)
@user_errors
def workflow_trace(
    ids: tuple[str, ...], history_file: Any, workflow_id: str | None, run_id: str | None, output: str | None
) -> None:
    """Rebuild an execution's trace from its history: the execution, its decision tasks, activity attempts,
    child workflows, timers and signals, with the history's timestamps, in the trace its live spans use.

    Give DOMAIN WORKFLOW_ID [RUN_ID] (latest run by default), or --history FILE (what workflow.history
    prints). The spans go to the exporter the OTEL_* variables configure (OTEL_TRACES_EXPORTER=otlp...),
    or, with --output, to a file of OTLP/JSON.
    """
    from simpleflow.telemetry._export import stop_exporting

    try:
        _trace(ids, history_file, workflow_id, run_id, output)
    except KeyboardInterrupt:
        stop_exporting()  # not tried again at exit
        line = "simpleflow: interrupted: the trace was not exported in full (the spans not sent yet are dropped)"
        click.echo(line, err=True)
        sys.exit(130)


def _trace(
    ids: tuple[str, ...], history_file: Any, workflow_id: str | None, run_id: str | None, output: str | None
) -> None:
    """The command's work: read the history, rebuild its spans, write or export them."""
    from simpleflow.telemetry._export import (
        ExportFailed,
        events_of_document,
        export_spans,
        trace_of_history,
        write_otlp_json,
    )
    from simpleflow.telemetry._rebuild import ExecutionIds

    domain = None
    if history_file is not None:
        if ids:
            raise UsageError("give either --history FILE or DOMAIN WORKFLOW_ID [RUN_ID], not both")
        events, document = events_of_document(history_file.read(), history_file.name)
        workflow_id = workflow_id or document.get("workflowId")
        run_id = run_id or document.get("runId")
        domain = document.get("domain") if isinstance(document.get("domain"), str) else None  # older files: none
        if not workflow_id or not run_id:
            raise UsageError("--history: pass --workflow-id and --run-id (a history does not name its execution)")
    else:
        if len(ids) not in (2, 3):
            raise UsageError("give DOMAIN WORKFLOW_ID [RUN_ID], or --history FILE")
        if workflow_id or run_id:
            given = "--workflow-id" if workflow_id else "--run-id"
            raise UsageError(
                f"{given} goes with --history FILE: the arguments DOMAIN WORKFLOW_ID [RUN_ID] name the execution"
            )
        from simpleflow.swf.executions import run_history

        domain, workflow_id = ids[0], ids[1]
        run_id, events = run_history(domain, workflow_id, RUN_ID.convert(ids[2], None, None) if len(ids) > 2 else None)
    spans = trace_of_history(events, ExecutionIds(workflow_id, run_id, domain))
    trace_id = f"{spans[0].trace_id:032x}"
    if output is not None:
        try:
            write_otlp_json(spans, output)
        except OSError as err:
            if output == "-":
                raise  # stdout: a closed pipe ends the command quietly (cli.failures)
            raise cannot_write("--output", output, err) from None
        if output != "-":
            click.echo(f"{len(spans)} spans of trace {trace_id} written to {output}", err=True)
        return
    try:
        sent = export_spans(spans)
    except ExportFailed as err:
        raise Explained(f"{err} of trace {trace_id}", EXIT_FAILURE) from None
    click.echo(f"{sent} spans of trace {trace_id} exported", err=True)


COMMANDS = [workflow_trace]
