"""One activity task's exchanges with SWF: its fields within SWF's limits, its heartbeats, its answer.

A field over SWF's limit goes to S3 as a jumbo field when ``SIMPLEFLOW_JUMBO_FIELDS_BUCKET`` is set;
without it (or while S3 does not take it), a reason (one line for humans) is cut to its limit and
failure details are shortened but stay JSON, while an oversize result is an error
(:class:`FieldTooLarge`), never a truncated payload.

S3 may be out of reach when the task's input is read or its result stored: ``TaskWindow.retry`` tries
again, with back-off, for as long as the task has time (its start-to-close timeout), heartbeating
meanwhile when the task has a heartbeat timeout, so that a short outage costs a few seconds, not the
work; past that the worker fails the task with a reason naming the bucket and the error, rather than
let SWF time it out.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from simpleflow import format, jumbo
from simpleflow.constants import (
    MAX_DETAILS_LENGTH,
    MAX_HEARTBEAT_DETAILS_LENGTH,
    MAX_REASON_LENGTH,
    MAX_RESULT_LENGTH,
)
from simpleflow.runtime.outcome import FieldTooLarge, reason_of
from simpleflow.swf import client

__all__ = [
    "JUMBO_FIELDS_ENV",
    "CancelRequested",
    "FieldTooLarge",
    "TaskGone",
    "TaskWindow",
    "decode_field",
    "encode_field",
    "fail",
    "heartbeat",
    "respond",
]

JUMBO_FIELDS_ENV = jumbo.BUCKET_ENV  # the variable that names the jumbo-field store

log = logging.getLogger(__name__)

LIMITS = {
    "result": MAX_RESULT_LENGTH,
    "details": MAX_DETAILS_LENGTH,
    "reason": MAX_REASON_LENGTH,
    "heartbeat_details": MAX_HEARTBEAT_DETAILS_LENGTH,
}
_MAX_DETAILS_MESSAGE = 2000
# A task whose start-to-close timeout is NONE still gets this long for S3 to come back, in seconds.
UNBOUNDED_TASK_WINDOW = 600.0
# Back-off between tries while S3 is out of reach: from this, doubling, up to that (jittered).
RETRY_BACKOFF = (0.5, 8.0)
T = TypeVar("T")


def encode_field(kind: str, text: str | None) -> str | None:
    """The form of an outgoing *kind* field (result, details, reason, heartbeat_details) that SWF will accept.

    Raises:
        FieldTooLarge: an oversize result or details, and no jumbo-field store.
        JumboFieldNotStored: S3 did not take an oversize result, details or heartbeat details (a reason
            is cut instead).
    """
    if text is None:
        return None
    limit = LIMITS[kind]
    if len(text) <= limit:
        return text
    try:
        return jumbo.encode(text, kind)
    except (jumbo.JumboFieldTooLarge, jumbo.JumboFieldNotStored) as err:
        if kind == "reason":  # one line for humans: its start says it, cut as the local host cuts it
            return format.format_reason(text)
        if isinstance(err, jumbo.JumboFieldNotStored):
            raise
        raise FieldTooLarge(kind, len(text), limit) from None


def decode_field(text: str | None) -> str | None:
    """The content of an incoming field (a task's input), read back from S3 if it is a jumbo field."""
    return jumbo.decode(text)


def _fit_details(details: dict[str, Any]) -> str:
    try:
        return encode_field("details", format.dumps(details))  # type: ignore[return-value]
    except (FieldTooLarge, jumbo.JumboFieldNotStored):  # for humans: shortened rather than lost
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
        if client.error_code(err) == "UnknownResourceFault":
            # A late answer, as SWF expects some: it timed the task out (or the execution closed) meanwhile.
            message = err.response.get("Error", {}).get("Message")
            log.info("%s: answer dropped: the task had timed out or its execution had closed (%s)", call, message)
        else:
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


class TaskGone(Exception):
    """A heartbeat found that SWF no longer knows the task (it timed out, or its execution closed)."""


class CancelRequested(Exception):
    """A heartbeat was answered that the task is asked to cancel."""


@dataclass(slots=True)
class TaskWindow:
    """The time an activity task has left to be answered, and the heartbeats that keep it alive meanwhile.

    Attributes:
        token: the task's token.
        deadline: ``time.monotonic()`` by which its answer must be sent.
        beat_every: seconds between heartbeats while waiting (None: the task has no heartbeat timeout).
        details: the details the heartbeats carry (the activity's last progress).
    """

    token: str
    deadline: float
    beat_every: float | None = None
    details: str | None = None
    _next_beat: float = field(default=0.0, repr=False)

    @classmethod
    def start(
        cls, token: str, start_to_close: str | None, heartbeat_timeout: str | None, heartbeat_every: float | None
    ) -> TaskWindow:
        """The window of a task received now: *start_to_close* and *heartbeat_timeout* as SWF takes them
        (seconds, ``NONE`` or None), *heartbeat_every* the worker's own heartbeat period (None: none).

        A little of the window (a tenth, at most 5 s) is kept to send the failure in.
        """
        now = time.monotonic()
        window = _seconds(start_to_close) or UNBOUNDED_TASK_WINDOW
        deadline = now + window - min(5.0, window / 10)
        beat = _seconds(heartbeat_timeout)
        every = min(p for p in (heartbeat_every, beat / 3 if beat else None) if p) if beat else heartbeat_every
        return cls(token, deadline, every or None, None, now + (every or 0))

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def retry(self, what: str, action: Callable[[], T], log_name: str) -> T:
        """``action()``, tried again with back-off while it fails on a transient S3 error and the window lasts.

        *what* ("its input cannot be read from S3") and *log_name* name the try and the task in the one
        warning line logged per failed try (no traceback).

        Raises:
            Exception: the action's error, when it is not transient (``jumbo.transient_s3_error``) or
                still there once no time is left.
            TaskGone, CancelRequested: a heartbeat sent while waiting was answered so.
        """
        from simpleflow.swf.poller import Backoff

        backoff = Backoff(*RETRY_BACKOFF)
        while True:
            try:
                return action()
            except Exception as err:
                if not jumbo.transient_s3_error(err):
                    raise
                # JumboFieldNotStored names the bucket already; a read error is botocore's own.
                said = (
                    str(err) if isinstance(err, jumbo.JumboFieldNotStored) else f"{what}: {type(err).__name__}: {err}"
                )
                left = self.left()
                if left <= 0:
                    log.error("task %s: %s; no time left to try again", log_name, said)
                    raise
                wait = min(backoff.next(), left)  # the last try at the deadline: the time is the task's
                log.warning("task %s: %s; trying again in %.1fs (%.0fs left)", log_name, said, wait, left)
                self.pause(wait)

    def pause(self, seconds: float) -> None:
        """Sleep *seconds*, heartbeating every ``beat_every`` seconds meanwhile.

        Raises:
            TaskGone, CancelRequested: as a heartbeat was answered.
        """
        end = time.monotonic() + seconds
        while True:
            now = time.monotonic()
            if self.beat_every and now >= self._next_beat:
                answer = heartbeat(self.token, self.details)
                if answer == "gone":
                    raise TaskGone(self.token)
                if answer == "cancel":
                    raise CancelRequested(self.token)
                self._next_beat = now + self.beat_every
            if now >= end:
                return
            until = min(end, self._next_beat) if self.beat_every else end
            time.sleep(max(0.0, until - now))


def _seconds(value: str | None) -> float | None:
    """A timeout as SWF takes it (a number of seconds, or ``NONE``) in seconds; None when there is none."""
    try:
        seconds = float(value) if value is not None else 0.0
    except ValueError:  # NONE
        return None
    return seconds if seconds > 0 else None
