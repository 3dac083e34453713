"""Retry policies: how many attempts a task gets, how long to wait between them, which errors end it.

``retry=RetryPolicy(...)`` on an activity, a child workflow (``Workflow.retry``) or one task
(``task.propagate_attribute("retry", policy)``) stands beside the integer form (``retry=3``:
three retries, at once). Everything here is a pure function of the policy, the task id and the
attempt number, so every replay of a history computes the same waits.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from simpleflow.format import MAX_DURATION

__all__ = ["RetryPolicy", "check_retry", "recorded_error_names"]


def _seconds(value: Any, name: str) -> float:
    if isinstance(value, datetime.timedelta):
        value = value.total_seconds()
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise TypeError(f"RetryPolicy: {name} must be a number of seconds or a timedelta, not {value!r}")
    if value < 0:
        raise ValueError(f"RetryPolicy: {name} must be >= 0 seconds, not {value!r}")
    if value > MAX_DURATION:  # the wait is an SWF timer: a longer one is refused with the whole decision task
        raise ValueError(
            f"RetryPolicy: {name} must be at most {MAX_DURATION} seconds (SWF's longest timer), not {value!r}"
        )
    return float(value)


def _error_name(error: Any) -> str:
    if isinstance(error, str) and error.strip():
        return error.strip()
    if isinstance(error, type) and issubclass(error, BaseException):
        module = error.__module__  # spelled as simpleflow.runtime.outcome.qualified_name records it
        return error.__name__ if module in ("builtins", "__main__") else f"{module}.{error.__name__}"
    raise TypeError(f"RetryPolicy: non_retryable_errors takes exception classes or their names, not {error!r}")


@dataclass(frozen=True)
class RetryPolicy:
    """How a failed task is tried again.

    Attempt ``n`` (the first is 1) failed: the task is scheduled again under the same id after
    ``interval(n, task_id)`` seconds, waited through an SWF timer, unless ``n`` reached
    ``maximum_attempts``, the error is one of ``non_retryable_errors``, or the attempt timed
    out and ``retry_timeouts`` is False. The workflow's ``on_task_failure``, when it decides
    anything, overrides the policy.
    """

    maximum_attempts: int | None = 3
    """Attempts in all, the first included (1: never retried); None: no limit but the execution's timeout."""

    initial_interval: float | datetime.timedelta = 1.0
    """Seconds to wait after the first failed attempt (0: retries at once, without a timer)."""

    backoff_coefficient: float = 2.0
    """Each wait is the previous one times this (>= 1; 1: a constant wait)."""

    maximum_interval: float | datetime.timedelta | None = None
    """No wait is longer (default: 100 times ``initial_interval``, at most SWF's longest timer, 99,999,999 s)."""

    non_retryable_errors: Iterable[type[BaseException] | str] = ()
    """Error types that fail the task at once: classes, or names as the failure records them
    (``"ValueError"`` or a qualified ``"myapp.errors.Invalid"``)."""

    retry_timeouts: bool = True
    """Whether a timed-out attempt is retried (as the integer form does); False: a timeout is final."""

    jitter: float = 0.0
    """Up to this fraction of each wait is taken off (0 to 1), by a hash of the task id and the
    attempt number: tasks failing together spread their retries, and replays agree."""

    _names: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._validate()

    def _validate(self) -> None:
        attempts = self.maximum_attempts
        if attempts is not None and (isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 1):
            raise ValueError(
                f"RetryPolicy: maximum_attempts must be a whole number >= 1 (or None for no limit), not {attempts!r}"
            )
        initial = _seconds(self.initial_interval, "initial_interval")
        coefficient = self.backoff_coefficient
        if isinstance(coefficient, bool) or not isinstance(coefficient, (int, float)) or not coefficient >= 1:
            raise ValueError(f"RetryPolicy: backoff_coefficient must be a number >= 1, not {coefficient!r}")
        if not math.isfinite(coefficient):
            raise ValueError(f"RetryPolicy: backoff_coefficient must be finite, not {coefficient!r}")
        if self.maximum_interval is None:
            maximum = min(100 * initial, MAX_DURATION)
        else:
            maximum = _seconds(self.maximum_interval, "maximum_interval")
            if maximum < initial:
                raise ValueError(
                    f"RetryPolicy: maximum_interval ({maximum:g} s) is shorter than initial_interval ({initial:g} s)"
                )
        if not isinstance(self.retry_timeouts, bool):
            raise TypeError(f"RetryPolicy: retry_timeouts must be True or False, not {self.retry_timeouts!r}")
        jitter = self.jitter
        if isinstance(jitter, bool) or not isinstance(jitter, (int, float)) or not 0 <= jitter <= 1:
            raise ValueError(f"RetryPolicy: jitter must be a fraction between 0 and 1, not {jitter!r}")
        errors = self.non_retryable_errors
        if isinstance(errors, (str, type)):  # one error given alone
            errors = (errors,)
        try:
            names = tuple(_error_name(e) for e in errors)
        except TypeError as err:
            if not isinstance(errors, Iterable):
                raise TypeError(f"RetryPolicy: non_retryable_errors must be a list, not {errors!r}") from err
            raise
        # Kept normalized: seconds as floats, error names as a tuple (the policy stays hashable).
        object.__setattr__(self, "initial_interval", initial)
        object.__setattr__(self, "maximum_interval", maximum)
        object.__setattr__(self, "backoff_coefficient", float(coefficient))
        object.__setattr__(self, "jitter", float(jitter))
        object.__setattr__(self, "non_retryable_errors", names)
        object.__setattr__(self, "_names", frozenset(names))

    # -- what a failed attempt leads to --------------------------------------------------------

    def allows_another(self, attempt: int) -> bool:
        """Attempt *attempt* (1 is the first) failed: the policy has attempts left."""
        return self.maximum_attempts is None or attempt < self.maximum_attempts

    def is_non_retryable(self, error_names: Iterable[str]) -> bool:
        """One of *error_names* (see ``recorded_error_names``) is a non-retryable error of this policy.

        A qualified name (``myapp.errors.Invalid``, a class given) matches the recorded qualified name,
        or its last part when the failure recorded no qualified name (a reason alone).
        """
        recorded = frozenset(error_names)
        if not self._names.isdisjoint(recorded):
            return True
        if any("." in name for name in recorded):
            return False
        return any("." in name and name.rpartition(".")[2] in recorded for name in self._names)

    def interval(self, attempt: int, task_id: str = "") -> int:
        """Whole seconds to wait after attempt *attempt* failed, before the next one.

        ``initial_interval * backoff_coefficient ** (attempt - 1)``, capped at ``maximum_interval``,
        less the jitter of (*task_id*, *attempt*), rounded up to a second (SWF's timers count whole
        seconds). Computed by repeated multiplication, which IEEE 754 fixes exactly, so every
        machine gets the same number.
        """
        if attempt < 1:
            raise ValueError(f"attempt numbers start at 1, not {attempt}")
        wait = self.initial_interval
        cap = self.maximum_interval
        for _ in range(attempt - 1):
            if wait >= cap:
                break
            wait *= self.backoff_coefficient
        wait = min(wait, cap)
        if self.jitter and wait:
            wait -= wait * self.jitter * _unit_hash(task_id, attempt)
        return math.ceil(wait)


def _unit_hash(task_id: str, attempt: int) -> float:
    """A number in [0, 1) fixed by the task id and the attempt number (never a random source)."""
    digest = hashlib.sha256(f"{task_id}\x00{attempt}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def check_retry(value: Any, where: str) -> Any:
    """*value* if it is a valid ``retry`` (a number of retries or a ``RetryPolicy``).

    Raises:
        TypeError: it is neither (*where* names the activity or workflow in the message).
    """
    if isinstance(value, RetryPolicy) or (isinstance(value, int) and not isinstance(value, bool) and value >= 0):
        return value
    raise TypeError(
        f"{where}: retry must be a number of retries (an int, 0 or more) or a simpleflow.RetryPolicy, not {value!r}"
    )


# A reason as the outcome of an activity words it (``<error>: <message>``), or as the engine words a
# workflow's own exception (``Cannot replay the workflow: <error>(<message>)``, simpleflow.engine._closing).
_REASON_ERROR = re.compile(r"^(?:Cannot replay the workflow: )?([A-Za-z_][\w.]*)(?:[:(]|$)")


def recorded_error_names(reason: str | None, details: str | None) -> frozenset[str]:
    """The error type names a failure's history record gives (what ``non_retryable_errors`` matches).

    The details' ``error`` and ``error_type`` (simpleflow.runtime.outcome: the exception's class name and its
    qualified name; a child workflow that failed from an activity's error carries that error's), or
    else the name the reason starts with.
    """
    names: set[str] = set()
    decoded = _details_object(details)
    if decoded is not None:
        names.update(v for k in ("error", "error_type") if isinstance(v := decoded.get(k), str) and v)
    if not names and reason:
        found = _REASON_ERROR.match(reason)
        if found:
            names.add(found.group(1))
    return frozenset(names)


def is_data_error(details: str | None) -> bool:
    """A failure's details say its error was a ``DataError`` (``data_error``: simpleflow.runtime.outcome): the
    same data fails the same way on any try, so it is never retried, whatever ``retry`` says."""
    decoded = _details_object(details)
    return decoded is not None and decoded.get("data_error") is True


def _details_object(details: str | None) -> dict[str, Any] | None:
    try:
        decoded = json.loads(details) if details else None
    except (TypeError, ValueError):
        return None
    return decoded if isinstance(decoded, dict) else None
