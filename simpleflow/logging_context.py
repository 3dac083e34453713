"""simpleflow 0.36's ``simpleflow.logging_context``: ``set``, ``get``, ``reset`` and the ``ContextFilter``
that adds them to log records.

The code is :mod:`simpleflow.telemetry.log_context`.
"""

from __future__ import annotations

from simpleflow.telemetry.log_context import (
    ENV_KEYS,
    KEYS,
    ContextFilter,
    get,
    pop,
    push,
    reset,
    scope,
    set,
    values,
)

__all__ = ["ENV_KEYS", "KEYS", "ContextFilter", "get", "pop", "push", "reset", "scope", "set", "values"]
