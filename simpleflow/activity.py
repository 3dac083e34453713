"""Activities: the functions (or classes) a worker runs, and their registry.

``@activity.with_attributes(...)`` wraps a function or a class into an
``Activity`` and registers it by name. Workers run only registered
activities: a task naming anything else is refused, never imported.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from typing import Any

import venusian

from simpleflow.heartbeat import heartbeat, last_heartbeat_details
from simpleflow.retry import RetryPolicy, check_retry

__all__ = [
    "PRIORITY_NOT_SET",
    "Activity",
    "find",
    "heartbeat",
    "last_heartbeat_details",
    "registered",
    "scan",
    "with_attributes",
]


class FromSettings:
    """A default read from simpleflow.settings when the activity is declared (as simpleflow does)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def resolve(self) -> Any:
        from simpleflow import settings

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


def _timeout(value: int | str | None) -> str | None:
    return None if value is None else str(value)


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
        self.task_start_to_close_timeout = _timeout(_resolve(start_to_close_timeout))
        self.task_schedule_to_close_timeout = _timeout(_resolve(schedule_to_close_timeout))
        self.task_schedule_to_start_timeout = _timeout(_resolve(schedule_to_start_timeout))
        self.task_heartbeat_timeout = _timeout(_resolve(heartbeat_timeout))
        self.meta = meta if meta is not None else {}
        self.register()

    @property
    def callable(self) -> Callable | type:
        return self._callable

    @property
    def name(self) -> str:
        if self._name is not None:
            return self._name
        func = self._callable
        short = getattr(func, "name", None) or getattr(func, "__qualname__", None) or type(func).__name__
        self._name = f"{func.__module__}.{short}"  # fixed from now on: task ids are made of it
        return self._name

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


def scan(module_or_package: str) -> None:
    """Import *module_or_package* and every module under it, registering their activities.

    Raises:
        UsageError: a module is unknown, or raised or did not parse on import (its file and line said).
    """
    from simpleflow.errors import import_failure

    try:
        module = importlib.import_module(module_or_package)
        if hasattr(module, "__path__"):
            venusian.Scanner().scan(module, categories=(VENUSIAN_CATEGORY,))
    except Exception as err:
        raise import_failure(module_or_package, err) from err
