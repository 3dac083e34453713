"""The command line's logging: one handler on stderr, the level from LOG_LEVEL or ``--log-level``.

The settings, the engine's replay filter and simpleflow's formatter are imported when logging is set
up, after the arguments are parsed, so that ``simpleflow --help`` stays fast.
"""

from __future__ import annotations

import logging
import os
import sys

import click

from simpleflow.exceptions import UsageError

__all__ = ["LOG_FORMAT", "LOG_LEVEL", "apply_log_format", "apply_log_level", "configure_logging"]

LOG_LEVEL = click.option(
    "--log-level",
    "-l",
    help="Log level (DEBUG, INFO, WARNING..., or logging's number: 10, 20...); the LOG_LEVEL variable does the same.",
)
LOG_FORMAT = click.option(
    "--log-format",
    type=click.Choice(["text", "json"], case_sensitive=False),
    help="Log lines as text, or as JSON objects with the execution's and task's fields, for log shippers "
    "(default: $SIMPLEFLOW_LOG_FORMAT, else text).",
)


def configure_logging() -> None:
    """Log to stderr at LOG_LEVEL, a replayed workflow's lines once; boto3, botocore, urllib3 no finer than WARNING."""
    from simpleflow import settings
    from simpleflow.engine import ReplayLogFilter
    from simpleflow.log import JsonFormatter, SimpleflowFormatter, json_logs, settings_handlers
    from simpleflow.telemetry.log_context import ContextFilter

    level = settings.get("LOG_LEVEL")
    handler = logging.StreamHandler(sys.stderr)
    if json_logs():
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(SimpleflowFormatter(stream=sys.stderr))
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler, *settings_handlers()]  # SIMPLEFLOW_SYSLOG_TARGET's
    for each in root.handlers:
        each.addFilter(ReplayLogFilter())
    root.setLevel(getattr(logging, level, logging.WARNING))
    for noisy in ("botocore", "boto3", "urllib3"):
        logging.getLogger(noisy).setLevel(max(root.level, logging.WARNING))


def apply_log_level(log_level: str | None) -> None:
    """``--log-level``: set LOG_LEVEL for this process and those it starts, and log at that level."""
    if log_level:
        from simpleflow.settings import level_name

        level = level_name(log_level)
        if level is None:
            names = "DEBUG, INFO, WARNING, ERROR or CRITICAL, or their numbers, 10 to 50"
            raise UsageError(f"--log-level {log_level!r} is not a log level ({names})")
        os.environ["LOG_LEVEL"] = level  # the processes started from here log so too
        configure_logging()


def apply_log_format(log_format: str | None) -> None:
    """``--log-format``: set SIMPLEFLOW_LOG_FORMAT for this process and those it starts, and log so."""
    if log_format:
        os.environ["SIMPLEFLOW_LOG_FORMAT"] = log_format
        configure_logging()
