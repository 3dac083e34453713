"""Sticky task lists: a run's next decision task goes back to the decider process that holds it.

Each decider process owns a decision task list of its own, named after the shared one. When it
answers a decision task of a run it keeps in its cache, it asks SWF (``RespondDecisionTaskCompleted``'s
``taskList`` and ``taskListScheduleToStartTimeout``) to schedule the execution's next decision task
there. If the process does not start it within the timeout (it died, is stopping or is overloaded),
SWF records ``DecisionTaskTimedOut`` (``SCHEDULE_TO_START``), reverts the override and schedules a new
decision task on the shared list, where any decider takes it and replays in full.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import socket
import threading
from collections.abc import Iterator
from typing import Any

from simpleflow.history import CLOSING_DECISIONS  # after them the execution has no next decision task: no override

__all__ = ["CLOSING_DECISIONS", "MAX_TASK_LIST_LENGTH", "Turns", "closes_execution", "override", "sticky_task_list"]

MAX_TASK_LIST_LENGTH = 256

# SWF refuses ':', '/', '|', control characters and the literal "arn" in a task list name.
_FORBIDDEN = re.compile(r"[:/|\s\x00-\x1f\x7f-\x9f]")


def sticky_task_list(shared: str, host: str | None = None, pid: int | None = None, token: str | None = None) -> str:
    """``<shared>-sticky-<host>-<pid>-<random hex>``: unique to one decider, within SWF's 256 characters.

    A shared list too long to keep whole is replaced by a digest of it (still one name per list).
    """
    host = _FORBIDDEN.sub("-", host if host is not None else socket.gethostname())[:64]
    pid = os.getpid() if pid is None else pid
    token = token if token is not None else secrets.token_hex(4)
    suffix = f"-sticky-{host}-{pid}-{token}"
    if len(shared) + len(suffix) > MAX_TASK_LIST_LENGTH:
        shared = hashlib.md5(shared.encode()).hexdigest()  # noqa: S324 - a name, not a secret
    return shared + suffix


def closes_execution(decisions: list[dict[str, Any]]) -> bool:
    """Whether *decisions* close the execution (SWF requires the closing decision to be the last)."""
    return bool(decisions) and decisions[-1]["decisionType"] in CLOSING_DECISIONS


def override(
    decisions: list[dict[str, Any]], sticky_list: str | None, shared_list: str, timeout: int, keep: bool
) -> dict[str, Any]:
    """The task list arguments of one ``RespondDecisionTaskCompleted``.

    Args:
        decisions: the answer's decisions.
        sticky_list: this decider's own list (None: no stickiness, no arguments ever).
        shared_list: the list the decider serves, where the execution goes back to.
        timeout: seconds the next decision task may wait on the sticky list.
        keep: the decider keeps the run (cached, not stopping).

    SWF's override holds until it is replaced or times out, so an execution the decider no longer
    keeps is sent back to the shared list by name rather than by leaving the override out.
    """
    if sticky_list is None or closes_execution(decisions):
        return {}
    if keep:
        return {"taskList": {"name": sticky_list}, "taskListScheduleToStartTimeout": str(timeout)}
    return {"taskList": {"name": shared_list}}


class Turns:
    """One decision at a time, tasks from the sticky list before those from the shared list.

    A sticky task waits on a short schedule-to-start timeout; a shared task polled meanwhile waits
    for its turn instead (its start-to-close timeout is the workflow's, minutes).
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._busy = False
        self._sticky_waiting = 0

    @contextlib.contextmanager
    def turn(self, sticky: bool) -> Iterator[None]:
        with self._cond:
            if sticky:
                self._sticky_waiting += 1
            try:
                while self._busy or (not sticky and self._sticky_waiting):
                    self._cond.wait()
            finally:
                if sticky:
                    self._sticky_waiting -= 1
            self._busy = True
        try:
            yield
        finally:
            with self._cond:
                self._busy = False
                self._cond.notify_all()
