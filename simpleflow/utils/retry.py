"""``@with_delay(nb_times, delay, on_exceptions, except_on)``: call a function again when it raises."""

from __future__ import annotations

import functools
import logging
import random
import time
from collections.abc import Callable, Sequence
from typing import Any

logger = logging.getLogger("simpleflow")


def constant(value: float) -> Callable[..., float]:
    """A delay function that always waits *value* seconds."""
    return lambda *args, **kwargs: value


def exponential(value: int) -> float:
    """A delay that roughly doubles with each retry (*value* is the retry count), at least one second."""
    return random.random() * (2**value) + 1  # noqa: S311 - jitter, not cryptography


_ONE_SECOND = constant(1)


def _as_tuple(exceptions: Any) -> tuple[type[BaseException], ...]:
    if exceptions is None:
        return ()
    if isinstance(exceptions, type):
        return (exceptions,)
    return tuple(exceptions) if isinstance(exceptions, Sequence) else (exceptions,)


def with_delay(
    nb_times: int = 1,
    delay: Callable[[int], float] = _ONE_SECOND,
    on_exceptions: Any = Exception,
    except_on: Any = None,
    log_with: Callable[..., Any] | None = None,
) -> Callable[[Callable], Callable]:
    """Retry the decorated function up to *nb_times* calls in all, waiting ``delay(n)`` after each failure.

    As in simpleflow 0.36, the wait follows every failure, the last one too (before the error
    propagates): *nb_times* calls wait *nb_times* times.

    Args:
        nb_times: calls in all before the error propagates.
        delay: seconds to wait, from the number of retries so far.
        on_exceptions: exception class(es) that trigger a retry.
        except_on: exception class(es) never retried.
        log_with: called as ``log_with(message, error, seconds)`` before each wait (default: logger.info).
    """
    retry_on, never = _as_tuple(on_exceptions), _as_tuple(except_on)
    log = log_with or logger.info

    def decorate(func: Callable) -> Callable:
        @functools.wraps(func)
        def call(*args: Any, **kwargs: Any) -> Any:
            retries = 0
            while True:
                try:
                    return func(*args, **kwargs)
                except never:
                    raise
                except retry_on as error:
                    seconds = delay(retries)
                    log('error "%r": retrying in %.2f seconds', error, seconds)
                    time.sleep(seconds)
                    retries += 1
                    if retries >= nb_times:
                        raise

        return call

    return decorate
