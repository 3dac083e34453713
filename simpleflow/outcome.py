"""Running one activity and describing how it ended, as SWF's worker responses say it.

Shared by the local host and the SWF activity worker, so a failure reads the
same wherever the activity ran.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from typing import Any

from simpleflow import constants, format, jumbo
from simpleflow.activity import Activity


@dataclass
class ActivityOutcome:
    """``completed`` with a JSON ``result``, or ``failed`` with ``reason`` and JSON ``details``."""

    status: str
    result: str | None = None
    reason: str | None = None
    details: str | None = None


def failure(error: BaseException, tb: str | None = None) -> ActivityOutcome:
    """The failed outcome of *error*: reason "<Type>: <message>", details with the traceback."""
    error_type = type(error)
    message = str(error)
    reason = f"{error_type.__name__}: {message}" if message else error_type.__name__
    if len(reason) > constants.MAX_REASON_LENGTH:
        reason = reason[: constants.MAX_REASON_LENGTH - 4] + " ..."
    details = format.dumps({
        "error": error_type.__name__,
        "error_type": f"{error_type.__module__}.{error_type.__qualname__}",
        "message": message,
        "traceback": tb if tb is not None else "".join(traceback.format_exception(error)),
    })  # fmt: skip
    return ActivityOutcome("failed", reason=reason, details=details)


def decode_input(text: str | None) -> tuple[list[Any], dict[str, Any]]:
    value = format.loads(text) if text else {}
    if isinstance(value, list):
        return value, {}
    if not isinstance(value, dict):
        return [value], {}
    return list(value.get("args") or []), dict(value.get("kwargs") or {})


def run_activity(activity: Activity, input_text: str | None, context: dict[str, Any] | None = None) -> ActivityOutcome:
    """Run *activity* on the task's JSON input, here; never raises."""
    try:
        args, kwargs = decode_input(jumbo.decode(input_text))
        func = activity.callable
        if context is not None:
            try:
                func.context = context
            except (AttributeError, TypeError):
                pass
        # An oversize result goes to S3, or fails the task saying what to set: never truncated.
        return ActivityOutcome("completed", result=jumbo.encode(format.dumps(activity.execute(*args, **kwargs)),
                                                                "result"))  # fmt: skip
    except Exception as error:
        return failure(error)
