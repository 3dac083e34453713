"""Log formatting and terminal colours, under simpleflow's published names.

``simpleflow.log`` holds the ANSI colour codes (``RED GREEN YELLOW BLUE ORANGE
END``), ``colorize(level_or_colour, message)``, ``color_mode`` (set by the
CLI's ``--color auto|always|never``) and ``SimpleflowFormatter``, which writes
``<iso date> <level> [process=<name>, pid=<pid>]: <message>``.
"""

from __future__ import annotations

import logging
import sys
from datetime import datetime

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
