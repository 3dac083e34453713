"""Commands for declarative workflows (DAG specs): check, run here, start on SWF, draw.

The library is imported inside each command so that ``simpleflow --help`` stays fast.
"""

from __future__ import annotations

import click

from simpleflow.cli import runs
from simpleflow.cli.failures import details_wanted, user_errors
from simpleflow.cli.output import OptionFile
from simpleflow.cli.params import (
    INPUT_FILE,
    POSITIVE_INT,
    RECORD,
    SPEC_MODULES,
    given_on_command_line,
    input_source,
    parse_tags,
    read_text,
    require_domain,
)
from simpleflow.exceptions import UsageError

_SPEC_INPUT = click.option("--input", "-i", "input", help="JSON: the value $input refers to.")


@click.command("dag.check")
@click.argument("spec")
@SPEC_MODULES
@user_errors
def dag_check(spec: str, modules: tuple[str, ...]) -> None:
    """Check the DAG spec SPEC (YAML or JSON, or a floto decider spec): one line per problem, exit 2."""
    from simpleflow import dag

    compiled, _ = dag.check(spec, modules)
    click.echo(f"{spec}: ok: {compiled['name']} {compiled['version']}, {len(compiled['nodes'])} nodes")


@click.command("dag.run")
@click.argument("spec")
@click.option("--local", is_flag=True, help="Run in this process (required: dag.start runs on SWF).")
@_SPEC_INPUT
@INPUT_FILE
@SPEC_MODULES
@click.option("--workflow-id", help="Workflow id (default: generated).")
@click.option("--workers", type=POSITIVE_INT, default=1, show_default=True, help="Activities run at once.")
@click.option("--real-time", is_flag=True, help="Timers take real time.")
@RECORD
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
    record: str | None = None,
) -> None:
    """Run the DAG spec SPEC in this process; print its result as JSON.

    A --record file replays with ``workflow.replay simpleflow.dag.DagWorkflow FILE`` (the spec is in its input).
    """
    from simpleflow import dag, settings

    if not local:
        raise UsageError("dag.run runs a spec in this process: pass --local (dag.start starts it on SWF)")
    settings.check("decider", "worker")  # what this run reads: a bad value is one line now, not a failed task
    value = dag.parse_value(read_text(input, input_file), input_source(input_file))
    try:
        execution = dag.local_execution(
            spec, value, modules, workers=workers, workflow_id=workflow_id, real_time=real_time
        )
        result = execution.execute()
    except KeyboardInterrupt:
        runs.interrupted_locally(record)
    runs.tell_stuck_children(execution)
    runs.finish_recorded(result, record, lambda: result.events, details_wanted())


@click.command("dag.start")
@click.argument("spec")
@click.option("--domain", envvar="SWF_DOMAIN", help="SWF domain (default: $SWF_DOMAIN).")
@_SPEC_INPUT
@INPUT_FILE
@SPEC_MODULES
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

    value = dag.parse_value(read_text(input, input_file), input_source(input_file))
    execution = dag.start(
        require_domain(domain),
        spec,
        value,
        modules,
        workflow_id=workflow_id,
        task_list=task_list,
        tag_list=parse_tags(tags),
    )
    click.echo(f"{execution['workflowId']} {execution['runId']}")


@click.command("dag.show")
@click.argument("spec")
@click.option(
    "--dot", "dot_file", type=click.Path(dir_okay=False, allow_dash=True), help="Write DOT here ('-': stdout)."
)
@click.option("--svg", "svg_file", type=click.Path(dir_okay=False), help="Write an SVG picture here.")
@click.option("--domain", envvar="SWF_DOMAIN", help="With --workflow-id: colour nodes by that execution's states.")
@click.option("--workflow-id", help="Colour nodes by the state of their tasks in this execution.")
@click.option("--run-id", help="The execution's run (default: the latest).")
@SPEC_MODULES
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
    from simpleflow import dag

    if not workflow_id and (run_id or given_on_command_line("domain")):
        raise UsageError("--domain and --run-id apply with --workflow-id (the execution whose states colour the nodes)")
    graph = dag.load(spec)
    states = None
    if workflow_id:
        from simpleflow.swf import client, executions

        domain = require_domain(domain)
        client.check_domain(domain)
        events = executions.run_history(domain, workflow_id, run_id)[1]
        dag.check_ran(graph, spec, workflow_id, events)
        states = dag.node_states(graph, events)
    if not dot_file and not svg_file:
        dot_file = "-"
    if dot_file:
        text = dag.to_dot(graph, states)
        if dot_file == "-":
            click.echo(text, nl=False)
        else:
            OptionFile("--dot", dot_file).write(text)
    if svg_file:
        OptionFile("--svg", svg_file).write(dag.to_svg(graph, states))


COMMANDS = [dag_check, dag_run, dag_start, dag_show]
