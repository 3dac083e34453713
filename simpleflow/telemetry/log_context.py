"""Which workflow and task a log line belongs to: a context for log records, and the filter that adds it.

``set("workflow_id", "w-1")`` puts a value in the context of the running code; every record that goes
through a handler with :class:`ContextFilter` then carries it as an attribute (``record.workflow_id``,
usable in a format string as ``%(workflow_id)s``), ``""`` when unset. ``scope(...)`` sets values for a
``with`` block and puts the previous ones back after it.

The context is a :mod:`contextvars` variable, so two threads (a decider's pollers) never see each
other's values. As in simpleflow 0.36, each value of :data:`ENV_KEYS` is also exported as an
environment variable (``_SWF_CONTEXT_WORKFLOW_ID``...), which programs started from here inherit, and
a process starts with the values its parent exported.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import os
from collections.abc import Iterator
from typing import Any

__all__ = ["ENV_KEYS", "KEYS", "ContextFilter", "get", "pop", "push", "reset", "scope", "set", "values"]

# simpleflow 0.36's keys and the environment variables they are exported as.
ENV_KEYS = {
    "activity_id": "_SWF_CONTEXT_ACTIVITY_ID",
    "domain": "_SWF_CONTEXT_DOMAIN",
    "event_id": "_SWF_CONTEXT_EVENT_ID",
    "task_list": "_SWF_CONTEXT_TASK_LIST",
    "task_type": "_SWF_CONTEXT_TASK_TYPE",
    "workflow_id": "_SWF_CONTEXT_WORKFLOW_ID",
}
# Every key a record carries. A key without an environment variable lives in this process only: the run
# id and workflow type of the execution, the attempt of the activity (1, 2...), and, when tracing is on,
# the hex ids of the trace and of the span of the decision task or activity attempt (simpleflow.telemetry).
KEYS: tuple[str, ...] = (*ENV_KEYS, "run_id", "workflow_type", "attempt", "trace_id", "span_id")


def _inherited() -> dict[str, str]:
    return {key: os.environ[env] for key, env in ENV_KEYS.items() if os.environ.get(env)}


_context: contextvars.ContextVar[dict[str, str]] = contextvars.ContextVar("simpleflow_logging_context")
_at_start = _inherited()


def _current() -> dict[str, str]:
    return _context.get(_at_start)


def _check(key: str) -> None:
    if key not in KEYS:
        raise KeyError(key)


def set(key: str, value: Any) -> None:
    """Set *key* (one of :data:`KEYS`) to ``str(value)`` for the running code.

    Raises:
        KeyError: *key* is not a known key.
    """
    _check(key)
    text = str(value)
    _context.set({**_current(), key: text})
    if key in ENV_KEYS:
        os.environ[ENV_KEYS[key]] = text


def get(key: str) -> str:
    """The value of *key* in the running code's context, ``""`` when unset.

    Raises:
        KeyError: *key* is not a known key.
    """
    _check(key)
    return _current().get(key, "")


def values() -> dict[str, str]:
    """Every key set in the running code's context, with its value."""
    return dict(_current())


def reset() -> None:
    """Unset every key (and empty the exported environment variables)."""
    _context.set({})
    for env in ENV_KEYS.values():
        os.environ[env] = ""


@contextlib.contextmanager
def scope(*, export: bool = True, **fields: Any) -> Iterator[None]:
    """Set *fields* (None values are left out) for the ``with`` block; the previous context comes back after.

    *export*: also export them as environment variables (``ENV_KEYS``) for the block, for the programs
    started from it; False in a process whose threads serve several tasks at once (the worker).

    Raises:
        KeyError: a field is not a known key.
    """
    for key in fields:
        _check(key)
    before = _current()
    added = {key: str(value) for key, value in fields.items() if value is not None}
    token = _context.set({**before, **added})
    exported = {ENV_KEYS[key]: os.environ.get(ENV_KEYS[key]) for key in added if key in ENV_KEYS and export}
    for key, value in added.items():
        if key in ENV_KEYS and export:
            os.environ[ENV_KEYS[key]] = value
    try:
        yield
    finally:
        _context.reset(token)
        for env, value in exported.items():
            if value is None:
                os.environ.pop(env, None)
            else:
                os.environ[env] = value


def push(fields: dict[str, Any]) -> contextvars.Token:
    """Set *fields* (keys of :data:`KEYS`; None values left out) for the running code, without exporting
    them as environment variables: ``scope``'s quick form for the hosts' hot paths. ``pop`` undoes it."""
    return _context.set({**_current(), **{key: str(value) for key, value in fields.items() if value is not None}})


def pop(token: contextvars.Token) -> None:
    """Put back the context ``push`` replaced."""
    _context.reset(token)


class ContextFilter(logging.Filter):
    """Adds the context's keys to each record (``""`` for those unset); never drops a record.

    A value the call gave itself (``logger.info(..., extra={"workflow_id": ...})``) is kept.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        current = _current()
        for key in KEYS:
            if not hasattr(record, key):
                setattr(record, key, current.get(key, ""))
        return True
