"""Task ids, computed exactly as simpleflow computes them.

An execution started by simpleflow can be continued by this engine (and the
reverse) only if both give each submitted task the same id.
"""

from __future__ import annotations

import hashlib
import sys
import zlib
from typing import Any

from simpleflow import constants, format

MAX_ID_LENGTH = 256


def arguments_hash(args: tuple | list, kwargs: dict[str, Any]) -> str:
    """md5 of the compact, key-sorted JSON of {"args": ..., "kwargs": ...}."""
    return hashlib.md5(format.dumps({"args": list(args), "kwargs": kwargs}).encode()).hexdigest()  # noqa: S324


def run_id_hash(run_id: str | None) -> str:
    if not run_id:  # simpleflow's hex_hash of an empty string
        return "0"
    return f"{zlib.adler32(run_id.encode()) & 0xFFFFFFFF:x}"


def workflow_type_name(workflow_class: type) -> str:
    """The SWF type name simpleflow starts a child workflow under: ``<module>.<ClassName>``, or the
    ``child_type_name`` the class itself sets (a stand-in for a DAG spec's run: the spec's type, as
    ``dag.start`` starts it; its input then names the class, ``__extra.class``)."""
    return workflow_class.__dict__.get("child_type_name") or f"{workflow_class.__module__}.{workflow_class.__name__}"


def task_id(name: str, suffix: Any) -> str:
    """``<name>-<suffix>``, shortened to 256 characters with an md5 of the whole."""
    full = f"{name}-{suffix}"
    if len(full) > MAX_ID_LENGTH:
        full = full[:223] + "-" + hashlib.md5(full.encode()).hexdigest()  # noqa: S324
    return sys.intern(full)  # the history's record of the task holds the same string (History interns it)


def child_suffix(workflow_id: str | None, run_id: str | None, suffix: Any) -> str:
    """Child workflow ids are global in a domain: they embed the parent's ids."""
    return f"{workflow_id}--{run_id_hash(run_id)}--{suffix}"


POLICY_TIMER_PREFIX = constants.RETRY_POLICY_TIMER_PREFIX


def policy_timer_id(task_id: str, attempt: int) -> str:
    """The id of the timer a ``RetryPolicy`` waits on before attempt *attempt* of *task_id*.

    Unique per attempt, so a history says which waits were decided; a task id too long for SWF's
    256 characters is replaced by its md5.
    """
    timer_id = f"{POLICY_TIMER_PREFIX}{attempt}_{task_id}"
    if len(timer_id) > MAX_ID_LENGTH:
        timer_id = f"{POLICY_TIMER_PREFIX}{attempt}_{hashlib.md5(task_id.encode()).hexdigest()}"  # noqa: S324
    return timer_id
