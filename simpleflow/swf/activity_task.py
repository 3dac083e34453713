"""One activity task's exchanges with SWF: its fields within SWF's limits, its heartbeats, its answer.

A field over SWF's limit goes to S3 as a jumbo field when ``SIMPLEFLOW_JUMBO_FIELDS_BUCKET`` is set;
without it, a reason (one line for humans) is cut to its limit and failure details are shortened but
stay JSON, while an oversize result is an error (:class:`FieldTooLarge`), never a truncated payload.
"""

from __future__ import annotations

import logging
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from simpleflow import format, jumbo
from simpleflow.constants import (
    MAX_DETAILS_LENGTH,
    MAX_HEARTBEAT_DETAILS_LENGTH,
    MAX_REASON_LENGTH,
    MAX_RESULT_LENGTH,
)
from simpleflow.runtime.outcome import reason_of
from simpleflow.swf import client

__all__ = ["JUMBO_FIELDS_ENV", "FieldTooLarge", "decode_field", "encode_field", "fail", "heartbeat", "respond"]

log = logging.getLogger(__name__)

JUMBO_FIELDS_ENV = "SIMPLEFLOW_JUMBO_FIELDS_BUCKET"
LIMITS = {
    "result": MAX_RESULT_LENGTH,
    "details": MAX_DETAILS_LENGTH,
    "reason": MAX_REASON_LENGTH,
    "heartbeat_details": MAX_HEARTBEAT_DETAILS_LENGTH,
}
_MAX_DETAILS_MESSAGE = 2000


class FieldTooLarge(Exception):
    """A field is over SWF's size limit and no jumbo-field store is configured."""

    def __init__(self, kind: str, size: int, limit: int) -> None:
        super().__init__(
            f"the activity {kind} is {size} characters long, over SWF's limit of {limit}: "
            f"set {JUMBO_FIELDS_ENV} to store large fields in S3"
        )
        self.kind = kind
        self.size = size
        self.limit = limit


def encode_field(kind: str, text: str | None) -> str | None:
    """The form of an outgoing *kind* field (result, details, reason, heartbeat_details) that SWF will accept.

    Raises:
        FieldTooLarge: an oversize result or details, and no jumbo-field store.
    """
    if text is None:
        return None
    limit = LIMITS[kind]
    if len(text) <= limit:
        return text
    try:
        return jumbo.encode(text, kind)
    except jumbo.JumboFieldTooLarge:
        if kind == "reason":
            return text[:limit]
        raise FieldTooLarge(kind, len(text), limit) from None


def decode_field(text: str | None) -> str | None:
    """The content of an incoming field (a task's input), read back from S3 if it is a jumbo field."""
    return jumbo.decode(text)


def _fit_details(details: dict[str, Any]) -> str:
    try:
        return encode_field("details", format.dumps(details))  # type: ignore[return-value]
    except FieldTooLarge:
        pass
    # Details must stay valid JSON: keep the last traceback lines (the raising frames) that fit.
    short = dict(details, truncated=True, message=str(details.get("message", ""))[:_MAX_DETAILS_MESSAGE])
    cap = _MAX_DETAILS_MESSAGE
    lines = [line if len(line) <= cap else line[:cap] + "...\n" for line in short.get("traceback") or []]
    short["traceback"] = []
    base = len(format.dumps(short))
    kept: list[str] = []
    for line in reversed(lines):
        base += len(format.dumps(line)) + 1
        if base > MAX_DETAILS_LENGTH:
            break
        kept.insert(0, line)
    short["traceback"] = kept
    return format.dumps(short)


def respond(call: str, token: str, **kwargs: Any) -> bool:
    """Answer SWF for a task (*call*: ``respond_activity_task_completed``...); False when SWF refused the answer."""
    try:
        getattr(client.swf_client(), call)(taskToken=token, **kwargs)
    except ClientError as err:
        # Typically the task timed out or its execution closed meanwhile: SWF has moved on.
        log.warning("%s refused: %s", call, err)
        return False
    return True


def fail(token: str, details: dict[str, Any]) -> bool:
    """Answer SWF that the task failed, with a reason and JSON *details* that fit its limits."""
    return respond(
        "respond_activity_task_failed",
        token,
        reason=encode_field("reason", reason_of(details)),
        details=_fit_details(details),
    )


def heartbeat(token: str, details: str | None = None) -> str:
    """Record a heartbeat: 'ok', 'cancel' (SWF asks to cancel) or 'gone' (the task no longer exists)."""
    extra = {} if details is None else {"details": details}
    try:
        response = client.swf_client().record_activity_task_heartbeat(taskToken=token, **extra)
    except ClientError as err:
        if client.error_code(err) == "UnknownResourceFault":
            log.warning("heartbeat: task is gone (%s)", err)
            return "gone"
        log.warning("heartbeat failed: %s", err)
        return "ok"
    except (BotoCoreError, OSError) as err:  # the network: the next beat tries again, the activity goes on
        log.warning("heartbeat failed: %s", err)
        return "ok"
    return "cancel" if response.get("cancelRequested") else "ok"
