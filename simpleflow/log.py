"""Log formatting and terminal colours, under simpleflow's published names.

``simpleflow.log`` holds the ANSI colour codes (``RED GREEN YELLOW BLUE ORANGE
END``), ``colorize(level_or_colour, message)``, ``color_mode`` (set by the
CLI's ``--color auto|always|never``) and ``SimpleflowFormatter``, which writes
``<iso date> <level> [process=<name>, pid=<pid>]: <message>``.

``JsonFormatter`` writes one JSON object a line for log shippers (``--log-format json``): the time, level,
logger, message, process and pid, and the :mod:`simpleflow.telemetry.log_context` fields set for the record
(workflow id, run id, workflow type, activity id and attempt, trace and span ids when tracing is on).

``SIMPLEFLOW_SYSLOG_TARGET=host:port`` adds a syslog handler (UDP) whose lines read
``<workflow id>: <task type>#<event id> <LEVEL> pid=<pid> <message>`` (``SyslogFormatter``, the
workflow part from :mod:`simpleflow.telemetry.log_context`), as in simpleflow 0.36.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import sys
from datetime import datetime, timezone

from simpleflow import settings
from simpleflow.telemetry import log_context as logging_context

RED = "\033[91m"
GREEN = "\033[92m"
YELLOW = "\033[93m"
BLUE = "\033[94m"
ORANGE = "\033[38;5;214m"
END = "\033[0m"


class ColorModes:
    AUTO = "auto"
    ALWAYS = "always"
    NEVER = "never"


color_mode = ColorModes.AUTO

_LEVEL_COLOURS = {
    "CRITICAL": RED,
    "ERROR": RED,
    "WARNING": YELLOW,
    "INFO": GREEN,
    "DEBUG": BLUE,
    "NOTSET": END,
}
_NAMED_COLOURS = {"RED": RED, "GREEN": GREEN, "YELLOW": YELLOW, "BLUE": BLUE, "ORANGE": ORANGE}


def _colours_wanted(stream=None) -> bool:
    if color_mode == ColorModes.ALWAYS:
        return True
    if color_mode == ColorModes.NEVER:
        return False
    stream = stream or sys.stdout
    return bool(getattr(stream, "isatty", lambda: False)())


def colorize(level: str, message: str, stream=None) -> str:
    """*message* in the colour of *level* (a log level name or a colour name), when colours are on."""
    colour = _LEVEL_COLOURS.get(level) or _NAMED_COLOURS.get(level)
    if colour is None or not _colours_wanted(stream):
        return message
    return f"{colour}{message}{END}"


class SimpleflowFormatter(logging.Formatter):
    """``2026-01-31T12:00:00 INFO [process=MainProcess, pid=42]: message`` (level coloured on a terminal)."""

    def __init__(self, *args, stream=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._stream = stream

    def format(self, record: logging.LogRecord) -> str:
        date = datetime.fromtimestamp(record.created).replace(microsecond=0).isoformat()
        level = colorize(record.levelname, record.levelname, self._stream or sys.stderr)
        text = f"{date} {level} [process={record.processName}, pid={record.process}]: {record.getMessage()}"
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            text = f"{text}\n{record.exc_text}"
        if record.stack_info:
            text = f"{text}\n{self.formatStack(record.stack_info)}"
        return text


def json_logs() -> bool:
    """Whether log records are written as JSON: the ``SIMPLEFLOW_LOG_FORMAT`` setting (``--log-format``, the
    variable in any case, or a settings module), the one source every reader of it asks."""
    return settings.get("SIMPLEFLOW_LOG_FORMAT") == "json"


class JsonFormatter(logging.Formatter):
    """One JSON object a line: ``time`` (UTC, ISO 8601), ``level``, ``logger``, ``message``, ``process``, ``pid``,
    every :data:`simpleflow.logging_context.KEYS` field the record carries (empty ones left out), ``exception``."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.processName,
            "pid": record.process,
        }
        current = logging_context.values()
        for key in logging_context.KEYS:
            value = getattr(record, key, None) or current.get(key)
            if value:
                out[key] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            out["exception"] = record.exc_text
        return json.dumps(out, ensure_ascii=False, default=str)


class SyslogFormatter(logging.Formatter):
    """``<workflow id>: <task type>#<event id> <LEVEL> pid=<pid> <message>`` (the workflow part when known)."""

    def format(self, record: logging.LogRecord) -> str:
        parts = []
        workflow_id = logging_context.get("workflow_id")[:64]
        if workflow_id:
            parts.append(f"{workflow_id}:")
            parts.append(f"{logging_context.get('task_type')}#{logging_context.get('event_id')}")
        parts += [record.levelname, f"pid={record.process}", record.getMessage()]
        return " ".join(parts)


SYSLOG_TARGET = "SIMPLEFLOW_SYSLOG_TARGET"


def syslog_address(target: str) -> tuple[str, int]:
    """``(host, port)`` of a ``host:port`` syslog target.

    Raises:
        ValueError: *target* is not ``host:port`` with a port number.
    """
    host, sep, port = target.strip().rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"{SYSLOG_TARGET}={target!r}: expected host:port (e.g. localhost:514)")
    return host, int(port)


def settings_handlers() -> list[logging.Handler]:
    """The handlers the settings ask for beside the console: syslog for ``SIMPLEFLOW_SYSLOG_TARGET``.

    Raises:
        ValueError: the target is not ``host:port``.
    """
    target = settings.get(SYSLOG_TARGET)
    if not target:
        return []
    handler = logging.handlers.SysLogHandler(address=syslog_address(str(target)))
    handler.setFormatter(SyslogFormatter())
    handler.addFilter(logging_context.ContextFilter())
    return [handler]
