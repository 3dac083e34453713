"""The ``simpleflow`` click group: its global options, and every command registered on it.

Output formats (tabulate) and simpleflow's log formatter are imported when a command runs, not for
``simpleflow --help``, so that it stays fast.
"""

from __future__ import annotations

import sys

import click

from simpleflow import __version__
from simpleflow.cli import control, dag, devserver, info, inspection, running, schedule, trace, ui
from simpleflow.cli.failures import OneLineGroup, interrupted
from simpleflow.cli.logs import configure_logging
from simpleflow.exceptions import UsageError

__all__ = ["cli", "main"]


@click.group(cls=OneLineGroup, context_settings={"help_option_names": ["-h", "--help"]})
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
    from simpleflow.cli import output

    fmt, forced_header = output.FORMAT_ALIASES.get(fmt, (fmt, None))
    if not output.is_format(fmt):
        valid = ", ".join(sorted({*output.FORMATS, *output.FORMAT_ALIASES}))
        from_environment = ctx.get_parameter_source("fmt") is click.core.ParameterSource.ENVIRONMENT
        hint = "SIMPLEFLOW_FORMAT" if from_environment else "--format"
        raise click.BadParameter(f"unknown format {fmt!r} (one of: {valid})", param_hint=hint)
    log.color_mode = color
    try:
        configure_logging()
        from simpleflow import telemetry  # here: simpleflow --help stays fast

        telemetry.setup_from_environment()  # OpenTelemetry imported only when OTEL_*_EXPORTER name exporters
    except (UsageError, ValueError) as err:  # a bad LOG_LEVEL, SIMPLEFLOW_SETTINGS_MODULE, OTEL_* variable
        click.echo(f"simpleflow: error: {err}", err=True)
        sys.exit(2)
    ctx.obj = output.Output(header if forced_header is None else forced_header, fmt)


for _module in (running, control, inspection, dag, schedule, info, ui, devserver, trace):
    for _command in _module.COMMANDS:
        cli.add_command(_command)


def main() -> None:
    """Run the command line as ``simpleflow``."""
    try:
        cli(prog_name="simpleflow")
    except KeyboardInterrupt:  # between click's steps (the group catches it within them)
        interrupted()
