"""Activities: the functions (or classes) a worker runs, their registry, and what a running one calls.

``@activity.with_attributes(...)`` wraps a function or a class into an
``Activity`` and registers it by name. Workers run only registered
activities: a task naming anything else is refused, never imported.

Inside a running activity, ``heartbeat`` sends progress out and ``last_heartbeat_details`` reads the
previous attempt's back. The host running the activity (the SWF worker's child, the local host's thread)
installs a ``Beat`` for the call with ``beating``; ``heartbeat`` sends through it. When an attempt times out,
SWF's ActivityTaskTimedOut carries the details of its last heartbeat: the engine hands them to the next
attempt in its task input (``HEARTBEAT_DETAILS_KEY``, stripped before the activity is called) and
``last_heartbeat_details`` reads them.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import venusian

from simpleflow import format, settings
from simpleflow.exceptions import TaskCanceled
from simpleflow.retry import RetryPolicy, check_retry

__all__ = [
    "ATTEMPT_KEY",
    "HEARTBEAT_DETAILS_KEY",
    "PRIORITY_NOT_SET",
    "Activity",
    "Beat",
    "beating",
    "find",
    "heartbeat",
    "last_heartbeat_details",
    "registered",
    "with_attributes",
]


class FromSettings:
    """A default read from simpleflow.settings when the activity is declared (as simpleflow does)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def resolve(self) -> Any:
        return settings.get(self.name)

    def __repr__(self) -> str:
        return f"settings.{self.name}"


def _resolve(value: Any) -> Any:
    return value.resolve() if isinstance(value, FromSettings) else value


DEFAULT_VERSION: Any = FromSettings("ACTIVITY_DEFAULT_VERSION")
DEFAULT_TASK_LIST: Any = FromSettings("ACTIVITY_DEFAULT_TASK_LIST")
START_TO_CLOSE: Any = FromSettings("ACTIVITY_START_TO_CLOSE_TIMEOUT")
SCHEDULE_TO_CLOSE: Any = FromSettings("ACTIVITY_SCHEDULE_TO_CLOSE_TIMEOUT")
SCHEDULE_TO_START: Any = FromSettings("ACTIVITY_SCHEDULE_TO_START_TIMEOUT")
HEARTBEAT: Any = FromSettings("ACTIVITY_HEARTBEAT_TIMEOUT")
VENUSIAN_CATEGORY = "simpleflow.activity"


class _NotSet:
    def __repr__(self) -> str:
        return "<Priority Not Set>"


PRIORITY_NOT_SET: Any = _NotSet()

_registry: dict[str, Activity] = {}
_registry_lock = threading.Lock()


def _timeout(value: int | str | None, field: str, callable: Any) -> str | None:
    if value is None:
        return None
    try:
        return format.duration(value)
    except ValueError as err:
        raise ValueError(f"activity {getattr(callable, '__qualname__', callable)!r}: {field} {err}") from None


class Activity:
    """A function or class runnable as an SWF activity.

    A class is instantiated with the task's arguments, then its ``execute()``
    is called. The name defaults to ``<module>.<qualname>``.
    """

    def __init__(
        self,
        callable: Callable | type,
        name: str | None = None,
        version: str | None = DEFAULT_VERSION,
        task_list: str | None = DEFAULT_TASK_LIST,
        retry: int | RetryPolicy = 0,
        raises_on_failure: bool = False,
        start_to_close_timeout: int | str | None = START_TO_CLOSE,
        schedule_to_close_timeout: int | str | None = SCHEDULE_TO_CLOSE,
        schedule_to_start_timeout: int | str | None = SCHEDULE_TO_START,
        heartbeat_timeout: int | str | None = HEARTBEAT,
        task_priority: Any = PRIORITY_NOT_SET,
        idempotent: bool | None = None,
        meta: dict[str, Any] | str | None = None,
    ) -> None:
        self._callable = callable
        self._name = name
        self.version = _resolve(version)
        self.task_list = _resolve(task_list)
        self.task_priority = task_priority
        self.retry = check_retry(retry, f"activity {self.name!r}")
        self.raises_on_failure = raises_on_failure
        self.idempotent = idempotent
        self.task_start_to_close_timeout = _timeout(
            _resolve(start_to_close_timeout), "start_to_close_timeout", callable
        )
        self.task_schedule_to_close_timeout = _timeout(
            _resolve(schedule_to_close_timeout), "schedule_to_close_timeout", callable
        )
        self.task_schedule_to_start_timeout = _timeout(
            _resolve(schedule_to_start_timeout), "schedule_to_start_timeout", callable
        )
        self.task_heartbeat_timeout = _timeout(_resolve(heartbeat_timeout), "heartbeat_timeout", callable)
        self.meta = meta if meta is not None else {}
        self.register()

    @property
    def callable(self) -> Callable | type:
        return self._callable

    # ``name`` and ``task_name`` are computed once and then read as plain attributes (every submit reads
    # them): fixed from the first read on, since task ids are made of them.
    @functools.cached_property
    def name(self) -> str:
        if self._name is not None:
            return self._name
        func = self._callable
        short = getattr(func, "name", None) or getattr(func, "__qualname__", None) or type(func).__name__
        return f"{func.__module__}.{short}"

    @functools.cached_property
    def task_name(self) -> str:
        """``activity-<name>``, the name its tasks' ids start with (one string for all of them)."""
        return sys.intern(f"activity-{self.name}")

    @property
    def context(self) -> dict[str, Any] | None:
        return getattr(self._callable, "context", None)

    def register(self) -> None:
        with _registry_lock:
            _registry[self.name] = self

    def execute(self, *args: Any, **kwargs: Any) -> Any:
        """Run the activity here, in this process."""
        func = self._callable
        if isinstance(func, type) and hasattr(func, "execute"):
            return func(*args, **kwargs).execute()
        return func(*args, **kwargs)

    __call__ = execute

    def propagate_attribute(self, attr: str, val: Any) -> None:
        setattr(self, attr, val)

    def __repr__(self) -> str:
        return f"Activity(name={self.name}, version={self.version}, task_list={self.task_list})"


def with_attributes(
    name: str | None = None,
    version: str = DEFAULT_VERSION,
    task_list: str = DEFAULT_TASK_LIST,
    task_priority: Any = PRIORITY_NOT_SET,
    retry: int | RetryPolicy = 0,
    raises_on_failure: bool = False,
    start_to_close_timeout: int | str | None = START_TO_CLOSE,
    schedule_to_close_timeout: int | str | None = SCHEDULE_TO_CLOSE,
    schedule_to_start_timeout: int | str | None = SCHEDULE_TO_START,
    heartbeat_timeout: int | str | None = HEARTBEAT,
    idempotent: bool | None = None,
    meta: dict[str, Any] | str | None = None,
) -> Callable[[Callable | type], Activity]:
    """Declare a function or a class as an activity (and register it by name)."""

    def wrap(func: Callable | type) -> Activity:
        act = Activity(
            func,
            name,
            version,
            task_list,
            retry,
            raises_on_failure,
            start_to_close_timeout,
            schedule_to_close_timeout,
            schedule_to_start_timeout,
            heartbeat_timeout,
            task_priority=task_priority,
            idempotent=idempotent,
            meta=meta,
        )
        # Lets a venusian scan of a package find (and import) every activity in it.
        venusian.attach(act, lambda scanner, obj_name, obj: obj.register(), category=VENUSIAN_CATEGORY)
        return act

    return wrap


# simpleflow's own activities, declared when first asked for: a worker given only the user's
# modules still runs the tasks steps schedule. Only these fixed modules are ever imported by name.
_BUILTIN_ACTIVITY_MODULES = ("simpleflow.step.tasks",)


def find(name: str) -> Activity | None:
    """The registered activity called *name*, or None."""
    found = _registry.get(name)
    if found is None and name.rpartition(".")[0] in _BUILTIN_ACTIVITY_MODULES:
        importlib.import_module(name.rpartition(".")[0])
        found = _registry.get(name)
    return found


def registered() -> dict[str, Activity]:
    """A copy of the registry: activity name -> Activity."""
    with _registry_lock:
        return dict(_registry)


# -- inside a running activity: heartbeats ------------------------------------------------------

# The task input's key for the previous attempt's last heartbeat details (absent on a first attempt, so an
# input without it is what simpleflow 0.36 reads and writes).
HEARTBEAT_DETAILS_KEY = "__last_heartbeat_details"
# The task input's key for the attempt's number, from 2 on (a first attempt's input has no such key): the
# worker's log records and spans say which attempt runs. simpleflow 0.36 workers ignore it.
ATTEMPT_KEY = "__attempt"


@dataclass
class Beat:
    """How the running activity heartbeats.

    Attributes:
        send: records a heartbeat with these details (JSON text or None); returns True when the activity
            should stop (its cancellation was requested, or the task is gone: it timed out or its run closed).
        last_details: the previous attempt's last heartbeat details, decoded (None: there are none).
    """

    send: Callable[[str | None], bool]
    last_details: Any = None


_current = threading.local()


@contextlib.contextmanager
def beating(beat: Beat) -> Iterator[None]:
    """Make *beat* the running activity's for this thread while the block runs."""
    previous = getattr(_current, "beat", None)
    _current.beat = beat
    try:
        yield
    finally:
        _current.beat = previous


def heartbeat(details: Any = None) -> None:
    """Tell SWF the activity is alive, with *details* (any JSON value: the progress to resume from).

    Over SWF's 2,048 characters the details go to S3 as a jumbo field (SIMPLEFLOW_JUMBO_FIELDS_BUCKET).
    Outside a running activity (a plain call in a test) it does nothing.

    Raises:
        TaskCanceled: the task's cancellation was requested, or SWF no longer knows the task (it timed out,
            or its execution closed: nothing the activity returns is answered then); the activity should stop
            (and may re-raise).
    """
    beat = getattr(_current, "beat", None)
    if beat is None:
        return
    if beat.send(None if details is None else format.dumps(details)):
        raise TaskCanceled("cancellation requested")


def last_heartbeat_details() -> Any:
    """The details of the last heartbeat of the previous attempt, which timed out; None on a first attempt."""
    beat = getattr(_current, "beat", None)
    return None if beat is None else beat.last_details
