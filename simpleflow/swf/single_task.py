"""Workers for one task: ``worker.start --one-task`` and ``worker.start --poll-data``.

``--one-task`` polls until a task comes, runs it as a worker does (declared
activities only, in a child process, heartbeating) and answers SWF, then
returns: a container or batch job per task. ``--poll-data`` skips the poll: it
runs the task of a PollForActivityTask response someone else polled (a job
scheduler handing the task over), given as base64 of its JSON, and answers
SWF with its task token.

The poll data is untrusted input: it is decoded as JSON only, checked for the
fields a task needs, and names an activity that must be declared in the
worker's modules like any polled task.
"""

from __future__ import annotations

import base64
import binascii
import logging
import threading
from collections.abc import Iterable
from typing import Any

from simpleflow import format
from simpleflow.exceptions import DataError, UsageError
from simpleflow.runtime.middleware import NONE, Middlewares
from simpleflow.swf.worker import Worker

log = logging.getLogger(__name__)

# What a PollForActivityTask response must hold for a task to run: (path, expected type).
_REQUIRED = (
    (("taskToken",), str),
    (("activityId",), str),
    (("activityType", "name"), str),
    (("workflowExecution", "workflowId"), str),
    (("workflowExecution", "runId"), str),
)
_OPTIONAL = ((("activityType", "version"), str), (("input",), str), (("startedEventId",), int))


class TaskRefused(Exception):
    """SWF did not accept the answer for the task (unknown or expired token, closed execution...)."""


def decode_poll_data(text: str) -> dict[str, Any]:
    """The task in ``--poll-data``: base64 (standard or URL-safe, line breaks allowed) of a JSON object.

    Raises:
        UsageError: not base64, not JSON, not an object, a required field missing or of the wrong type.
    """
    compact = "".join((text or "").split())
    if not compact:
        raise UsageError("--poll-data is empty")
    compact += "=" * (-len(compact) % 4)
    try:
        if "-" in compact or "_" in compact:
            raw = base64.urlsafe_b64decode(compact.encode("ascii"))
        else:
            raw = base64.b64decode(compact.encode("ascii"), validate=True)
    except (binascii.Error, ValueError) as err:
        raise UsageError(f"--poll-data is not valid base64: {err}") from None
    try:
        data = format.parse_bounded(raw.decode("utf-8"))
    except DataError:
        raise UsageError(f"--poll-data is {format.TOO_DEEP}") from None
    except (UnicodeDecodeError, ValueError) as err:
        raise UsageError(f"--poll-data does not decode to JSON: {err}") from None
    if not isinstance(data, dict):
        raise UsageError(f"--poll-data must hold a JSON object (a PollForActivityTask response), not {_kind(data)}")
    for path, expected in _REQUIRED:
        value = _get(data, path)
        if value is None:
            raise UsageError(f"--poll-data has no {'.'.join(path)!r} (a PollForActivityTask response has it)")
        if not isinstance(value, expected) or value == "":
            raise UsageError(f"--poll-data: {'.'.join(path)!r} must be a non-empty string, not {_kind(value)}")
    for path, expected in _OPTIONAL:
        value = _get(data, path)
        if value is not None and not isinstance(value, expected):
            raise UsageError(f"--poll-data: {'.'.join(path)!r} must be a {expected.__name__}, not {_kind(value)}")
    return data


def _get(data: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = data
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), type(value).__name__
    )


def run_given_task(
    domain: str,
    task: dict[str, Any],
    task_list: str | None = None,
    *,
    heartbeat: float | None = 60,
    modules: Iterable[str] = (),
    middlewares: Middlewares = NONE,
) -> None:
    """Run the task of a (decoded) PollForActivityTask response and answer SWF.

    Raises:
        TaskRefused: SWF did not accept the answer.
    """
    worker = Worker(domain, task_list or "", heartbeat=heartbeat, modules=modules, middlewares=middlewares)
    worker.prepare()
    log.info("task %s: given on the command line (%s)", task["activityId"], task["activityType"]["name"])
    if not worker.handle(task):
        raise TaskRefused(f"task {task['activityId']}: SWF did not accept the answer (see the log above)")


def run_one_task(
    domain: str,
    task_list: str,
    *,
    heartbeat: float | None = 60,
    modules: Iterable[str] = (),
    middlewares: Middlewares = NONE,
    stop: threading.Event | None = None,
) -> bool:
    """Poll until a task comes (or SIGTERM/SIGINT, or *stop*), run it and answer SWF (``Worker.run_one``).

    Returns:
        True when a task was run, False when stopped before one came.

    Raises:
        TaskRefused: SWF did not accept the answer.
    """
    worker = Worker(domain, task_list, heartbeat=heartbeat, modules=modules, middlewares=middlewares)
    worker.prepare()
    done = worker.run_one(stop)
    if done is None:
        return False
    task, answered = done
    if not answered:
        raise TaskRefused(f"task {task['activityId']}: SWF did not accept the answer (see the log above)")
    return True
