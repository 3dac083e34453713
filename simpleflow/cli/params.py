"""Arguments and options several commands share, and the reading of what they give.

The library modules are imported inside the functions that need them, so that ``simpleflow --help``
stays fast.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

import click

from simpleflow.exceptions import UsageError

__all__ = [
    "DOMAIN_ARG",
    "DOMAIN_NAME",
    "PORT",
    "POSITIVE_INT",
    "RECORD",
    "RETENTION_DAYS",
    "RecordFile",
    "RUN_ID",
    "RUN_ID_ARG",
    "SECONDS",
    "SIGNAL",
    "SPEC_MODULES",
    "MAX_PROCESSES",
    "PROCESSES",
    "Count",
    "DomainName",
    "ProcessCount",
    "RunId",
    "Seconds",
    "Signal",
    "load_middlewares",
    "middleware_options",
    "input_source",
    "parse_signal",
    "parse_tags",
    "record_problem",
    "read_input",
    "given_on_command_line",
    "read_text",
    "require_domain",
    "write_record",
]


class RunId(click.ParamType):
    """A run id; one copied from a URL (``%3D`` for ``=``...) is unquoted, as simpleflow does."""

    name = "run_id"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        return unquote(value) if isinstance(value, str) and "%" in value else value


class Seconds(click.ParamType):
    """A duration in seconds: a finite number, zero or more (``nan``, ``inf``, ``-5`` are refused)."""

    name = "seconds"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return finite_seconds(value)
        except ValueError as err:
            self.fail(str(err), param, ctx)


class Count(click.IntRange):
    """A whole number in a range (click's IntRange, whose wrong value is "not a valid integer")."""

    name = "integer"


class DomainName(click.ParamType):
    """The name of a domain to register, as SWF takes it (``simpleflow.format.domain_name``): refused here
    in one line rather than by botocore or SWF in their words."""

    name = "domain"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from simpleflow.format import domain_name

        try:
            return domain_name(value)
        except ValueError as err:
            self.fail(str(err), param, ctx)


def _usable_cpus() -> int:
    """The CPUs this process may run on (its affinity mask where the system has one)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


# The most processes one option may start: 64 per CPU this process may use. Each is a Python
# interpreter of its own (some 30-60 MB with botocore), that spends most of its time in a long poll:
# far more than one per CPU is sound, but past 64 the processes cost more memory than a machine usually
# has per CPU (a -N 100000 typo filled 24 GB and brought the OOM killer down on other processes).
# Per CPU rather than one fixed number: a large host may run many more than a small one.
PROCESSES_PER_CPU = 64
MAX_PROCESSES = PROCESSES_PER_CPU * _usable_cpus()


class ProcessCount(Count):
    """A number of processes to start: at least *min*, at most ``MAX_PROCESSES``."""

    def __init__(self, min: int = 1) -> None:
        super().__init__(min=min)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        count = super().convert(value, param, ctx)
        if count > MAX_PROCESSES:
            self.fail(
                f"{count} is more than {MAX_PROCESSES} processes "
                f"({PROCESSES_PER_CPU} per CPU this process may use, {_usable_cpus()} here)",
                param,
                ctx,
            )
        return count

    def _describe_range(self) -> str:
        return f"{self.min}<=x<={MAX_PROCESSES}"


class Signal(click.ParamType):
    """A signal to send: ``NAME=JSON`` or ``NAME@SECONDS=JSON``, read as :func:`parse_signal` reads it."""

    name = "signal"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str):
            return value
        try:
            return parse_signal(value)
        except UsageError as err:  # its words already name --signal
            raise click.UsageError(str(err), ctx) from None


RUN_ID = RunId()
SECONDS = Seconds()
SIGNAL = Signal()
DOMAIN_NAME = DomainName()
POSITIVE_INT = Count(min=1)
PROCESSES = ProcessCount(min=1)
PORT = Count(min=0, max=65535)
# SWF's RegisterDomain: "The maximum workflow execution retention period is 90 days"; 0 keeps no history.
RETENTION_DAYS = Count(min=0, max=90)
RUN_ID_ARG = click.argument("run_id", required=False, type=RUN_ID)
# DOMAIN as simpleflow takes it: an argument that $SWF_DOMAIN fills when it is the only one missing.
DOMAIN_ARG = click.argument("domain", envvar="SWF_DOMAIN")
INPUT_FILE = click.option(
    "--input-file", type=click.Path(allow_dash=True), help="Read the input from this JSON file ('-': standard input)."
)
SPEC_MODULES = click.option(
    "--module", "-m", "modules", multiple=True, help="Module declaring activities, besides the spec's (repeatable)."
)


def given_on_command_line(parameter: str) -> bool:
    """Whether the command line gave *parameter* of the running command (not its default, nor an
    environment variable)."""
    from click.core import ParameterSource

    return click.get_current_context().get_parameter_source(parameter) is ParameterSource.COMMANDLINE


def require_domain(domain: str | None) -> str:
    """*domain*, or a UsageError when neither ``--domain`` nor $SWF_DOMAIN gave one."""
    if not domain:
        raise UsageError("no SWF domain: pass --domain or set SWF_DOMAIN")
    return domain


def parse_tags(tags: str | None) -> list[str] | None:
    """A comma-separated tag list as a list (None when empty).

    Raises:
        UsageError: SWF would refuse it ("Maximum number of 5 items", each of "Maximum length of 256"): refused
            on either host before anything starts, as SWF's start would be.
    """
    found = [t for t in (tags or "").split(",") if t]
    if len(found) > 5:
        raise UsageError(f"--tags: {len(found)} tags, SWF takes 5 at most")
    for tag in found:
        if len(tag) > 256:
            raise UsageError(f"--tags: a tag of {len(tag)} characters ({tag[:20]}...), SWF takes 256 at most")
    return found or None


def read_text(input: str | None, input_file: str | None) -> str | None:
    """The text of ``--input`` or of the file ``--input-file`` names (at most one of them)."""
    if input is not None and input_file is not None:
        raise UsageError("give --input or --input-file, not both")
    if input_file == "-":  # click.File's convention, which simpleflow 0.36.0's option followed: standard input
        try:
            return sys.stdin.buffer.read().decode("utf-8")
        except UnicodeDecodeError as err:
            raise UsageError(f"--input-file -: not UTF-8 text (byte {err.start}: {err.reason})") from None
    if input_file is not None:
        try:
            with open(input_file, encoding="utf-8") as f:
                return f.read()
        except OSError as err:
            raise UsageError(f"cannot read --input-file: {err}") from err
        except UnicodeDecodeError as err:
            raise UsageError(f"--input-file {input_file}: not UTF-8 text (byte {err.start}: {err.reason})") from None
    return input


def input_source(input_file: str | None) -> str:
    """How errors name where an input came from: ``--input``, or ``--input-file FILE``."""
    return "--input" if input_file is None else f"--input-file {input_file}"


def read_input(input: str | None, input_file: str | None) -> dict[str, Any]:
    """A workflow's input from ``--input`` or ``--input-file``: ``{"args": [...], "kwargs": {...}}``."""
    from simpleflow.runtime.loader import parse_input

    return parse_input(read_text(input, input_file), input_source(input_file))


def finite_seconds(value: Any) -> float:
    """*value* as a number of seconds; ValueError unless it is finite and not negative."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{value!r} is not a number of seconds") from None
    if not math.isfinite(seconds):
        raise ValueError(f"{value!r} is not a finite number of seconds")
    if seconds < 0:
        raise ValueError(f"{value!r} is a negative number of seconds")
    return seconds


def parse_signal(text: str) -> tuple[float, str, Any]:
    """``NAME=JSON`` or ``NAME@SECONDS=JSON`` (a signal sent at that virtual time); ``NAME`` alone: no input.

    A NAME written as a JSON string (``"a=b@c"=JSON``) may hold '=' and '@'.
    """
    name, rest = _signal_name(text)
    when, sep, payload = rest.partition("=")
    if not name:
        raise UsageError(f"--signal {text!r}: a signal needs a name: NAME=JSON or NAME@SECONDS=JSON")
    at = 0.0
    if when:  # "@SECONDS"
        try:
            at = finite_seconds(when[1:])
        except ValueError as err:
            raise UsageError(f"--signal {text!r}: the delay {err}") from None
    from simpleflow.format import swf_name  # here: --help imports no library module

    try:  # as workflow.signal checks it: a name SWF would refuse there is refused here too
        swf_name(name, "--signal: signal name")
    except ValueError as err:
        raise UsageError(str(err)) from None
    if not sep:
        return at, name, None
    from simpleflow.runtime.loader import parse_input

    # The input ``workflow.signal --input JSON`` sends on SWF, so that a run gets the same on both hosts.
    return at, name, parse_input(payload, source=f"--signal {name}'s value")


def _signal_name(text: str) -> tuple[str, str]:
    """The signal name *text* starts with (up to '@' or '=', or a whole JSON string), and what follows it."""
    if not text.startswith('"'):
        name = text.partition("=")[0].partition("@")[0]
        return name, text[len(name) :]
    import json

    try:
        name, end = json.JSONDecoder().raw_decode(text)
    except ValueError:
        raise UsageError(
            f"--signal {text!r}: a NAME starting with '\"' is a JSON string, as in '\"a=b\"=JSON'"
        ) from None
    if text[end : end + 1] not in ("", "@", "="):
        raise UsageError(f"--signal {text!r}: a quoted NAME is followed by @SECONDS or =JSON, not {text[end:]!r}")
    return name, text[end:]


def middleware_options(func: Callable) -> Callable:
    """``--middleware-pre-execution PATH`` and ``--middleware-post-execution PATH``, both repeatable."""
    func = click.option(
        "--middleware-post-execution",
        "middleware_post",
        multiple=True,
        metavar="PATH",
        help="Function (package.module.function) called after each activity with its context and result.",
    )(func)
    return click.option(
        "--middleware-pre-execution",
        "middleware_pre",
        multiple=True,
        metavar="PATH",
        help="Function (package.module.function) called before each activity with its context (repeatable).",
    )(func)


def load_middlewares(pre: tuple[str, ...], post: tuple[str, ...]) -> Any:
    """The imported middleware functions (simpleflow.runtime.middleware.Middlewares); UsageError if a path is wrong."""
    from simpleflow.runtime import middleware

    return middleware.load(pre, post)


def record_problem(path: str) -> str | None:
    """Why ``--record`` could not write *path* at the end of a run (None: it can), said before the run starts."""
    if not path:
        return "an empty path"
    if os.path.isdir(path):
        return "is a directory"
    if os.path.exists(path):
        return None if os.access(path, os.W_OK) else "is not writable"
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        return f"no folder {folder}" if not os.path.exists(folder) else f"{folder} is not a folder"
    return None if os.access(folder, os.W_OK | os.X_OK) else f"cannot create a file in {folder}"


class RecordFile(click.ParamType):
    """``--record FILE``: a file this process can write, checked before anything runs (it is written after)."""

    name = "file"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        problem = record_problem(value) if isinstance(value, str) else None
        if problem is not None:
            self.fail(f"{value}: {problem}", param, ctx)
        return value


RECORD = click.option(
    "--record",
    type=RecordFile(),
    metavar="FILE",
    help="Write the execution's history to FILE once it closed (what workflow.replay reads: a regression test).",
)


def write_record(
    path: str, events: list[dict[str, Any]], workflow_id: str, run_id: str, domain: str | None = None
) -> None:
    """``--record FILE``: the history (jumbo fields as their text) written where the operator said, naming the
    execution (and its *domain*, when it ran on SWF) as ``workflow.history`` does."""
    from simpleflow import jumbo
    from simpleflow.history import document_text

    text = document_text(jumbo.decode_events(events, copy=True), workflow_id=workflow_id, run_id=run_id, domain=domain)
    try:
        with open(path, "w", encoding="utf-8") as out:
            out.write(text)
    except OSError as err:
        raise UsageError(f"--record {path}: cannot write the history: {err.strerror or err}") from err
