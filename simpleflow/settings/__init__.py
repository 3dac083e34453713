"""simpleflow's settings: defaults, a settings module, environment variables.

A setting's value is, by precedence: an environment variable of its name; else the
attribute of that name in the module named by ``SIMPLEFLOW_SETTINGS_MODULE``; else the
default in :mod:`simpleflow.settings.default`. An empty environment variable counts as
unset. Values are read at each use, so a change of
the environment (a test's ``monkeypatch.setenv``) is seen at once. ``configure()`` and
``put_setting()`` set values from code, above everything else.

Read a setting as ``settings.NAME`` or ``settings.get("NAME")``.
"""

from __future__ import annotations

import importlib
import os
from pprint import pformat
from typing import Any

from simpleflow.exceptions import UsageError
from simpleflow.settings import _parse
from simpleflow.settings import default as _defaults
from simpleflow.settings._parse import level_name

__all__ = [
    "MODULE_ENV",
    "READ_BY",
    "check",
    "configure",
    "get",
    "level_name",
    "names",
    "print_settings",
    "put_setting",
    "source",
    "values",
]

MODULE_ENV = "SIMPLEFLOW_SETTINGS_MODULE"

_PARSERS: dict[str, _parse.Parser] = {
    "LOG_LEVEL": _parse.as_level,
    "SIMPLEFLOW_LOG_FORMAT": _parse.one_of("text", "json"),
    "SWF_CONNECTION_RETRIES": _parse.whole_number(0, "retries after a first try"),
    "SIMPLEFLOW_IDENTITY": _parse.as_json_object_text,
    "SWF_MAX_OPEN_ACTIVITY_COUNT": _parse.or_none(_parse.whole_number(1, "unset: SWF's 1,000")),
    "SIMPLEFLOW_DECIDER_CACHE_RUNS": _parse.whole_number(0, "0: no cache"),
    "SIMPLEFLOW_DECIDER_CACHE_EVENTS": _parse.or_none(_parse.whole_number(0, "unset: no limit")),
    "SIMPLEFLOW_DECIDER_CACHE_MB": _parse.number("a number of MB, 0 or more"),
    "SIMPLEFLOW_DECIDER_STICKY_TIMEOUT": _parse.as_seconds,
    "SIMPLEFLOW_ON_NONDETERMINISM": _parse.one_of("wait", "fail"),
    "SIMPLEFLOW_POLL_BACKOFF_BASE": _parse.number("a number of seconds, more than 0", positive=True),
    "SIMPLEFLOW_POLL_BACKOFF_MAX": _parse.number("a number of seconds, more than 0", positive=True),
    "SIMPLEFLOW_TELEMETRY_EXIT_TIMEOUT": _parse.as_wait,
    "SIMPLEFLOW_JUMBO_FIELDS_BUCKET": _parse.as_bucket_location,
    "SIMPLEFLOW_JUMBO_FIELDS_CACHE": _parse.as_bool,
    "SIMPLEFLOW_JUMBO_FIELDS_CACHE_DIR": _parse.as_str,
    "SIMPLEFLOW_JUMBO_FIELDS_CACHE_SIZE": _parse.as_size,
    "SIMPLEFLOW_JUMBO_FIELDS_MEMORY_CACHE_SIZE": _parse.as_size,
    "SIMPLEFLOW_S3_SSE": _parse.as_bool,
    "ACTIVITY_SIGTERM_WAIT_SEC": _parse.as_wait,
    "SIMPLEFLOW_WORKER_TASKS_PER_CHILD": _parse.whole_number(0, "0: no limit"),
    "SIMPLEFLOW_WORKER_CHILD_MAX_MEMORY": _parse.as_size,
}

# The settings each long-running command's processes read: ``check`` reads them all in the process the user
# started, so that a bad value is one line there, not a crash in each child it forks (or a thread's traceback).
_READ_BY_ALL = (
    "LOG_LEVEL",
    "SIMPLEFLOW_LOG_FORMAT",
    "SWF_CONNECTION_RETRIES",
    "SIMPLEFLOW_IDENTITY",
    "SIMPLEFLOW_POLL_BACKOFF_BASE",
    "SIMPLEFLOW_POLL_BACKOFF_MAX",
    "SIMPLEFLOW_TELEMETRY_EXIT_TIMEOUT",
    "SIMPLEFLOW_JUMBO_FIELDS_BUCKET",
    "SIMPLEFLOW_JUMBO_FIELDS_CACHE",
    "SIMPLEFLOW_JUMBO_FIELDS_CACHE_DIR",
    "SIMPLEFLOW_JUMBO_FIELDS_CACHE_SIZE",
    "SIMPLEFLOW_JUMBO_FIELDS_MEMORY_CACHE_SIZE",
    "SIMPLEFLOW_S3_SSE",
)
READ_BY: dict[str, tuple[str, ...]] = {
    "decider": (
        *_READ_BY_ALL,
        "SWF_MAX_OPEN_ACTIVITY_COUNT",
        "SIMPLEFLOW_DECIDER_CACHE_RUNS",
        "SIMPLEFLOW_DECIDER_CACHE_MB",
        "SIMPLEFLOW_DECIDER_CACHE_EVENTS",
        "SIMPLEFLOW_DECIDER_STICKY_TIMEOUT",
        "SIMPLEFLOW_ON_NONDETERMINISM",
    ),
    "worker": (
        *_READ_BY_ALL,
        "ACTIVITY_SIGTERM_WAIT_SEC",
        "SIMPLEFLOW_WORKER_TASKS_PER_CHILD",
        "SIMPLEFLOW_WORKER_CHILD_MAX_MEMORY",
    ),
}

_overrides: dict[str, Any] = {}


def _is_setting_name(name: str) -> bool:
    return not name.startswith("_") and any(c.isalpha() for c in name) and name.upper() == name


def _settings_module() -> Any:
    name = os.environ.get(MODULE_ENV, "").strip()
    if not name:
        return None
    from simpleflow.runtime.user_path import use_current_directory

    use_current_directory()  # found as every module the operator names is (simpleflow.runtime.loader)
    try:
        return importlib.import_module(name)
    except Exception as err:  # ImportError, or the module raising while it is imported
        raise UsageError(f"{MODULE_ENV}={name!r}: cannot import it: {type(err).__name__}: {err}") from None


def names() -> list[str]:
    """Every setting's name: the defaults', the settings module's, and those set by ``configure``."""
    found = {n for n in vars(_defaults) if _is_setting_name(n)}
    module = _settings_module()
    if module is not None:
        found.update(n for n in vars(module) if _is_setting_name(n))
    found.update(_overrides)
    return sorted(found)


def source(name: str) -> str:
    """Where *name*'s value comes from: ``configure``, ``environment``, ``module`` or ``default``."""
    if name in _overrides:
        return "configure"
    if os.environ.get(name, "").strip():
        return "environment"
    module = _settings_module()
    if module is not None and hasattr(module, name):
        return "module"
    if hasattr(_defaults, name):
        return "default"
    raise KeyError(name)


def get(name: str, default: Any = None) -> Any:
    """The value of setting *name* (parsed to its type), or *default* when nothing sets it.

    Raises:
        ValueError: the value given (an environment variable...) does not parse; names the setting.
        UsageError: ``SIMPLEFLOW_SETTINGS_MODULE`` names a module that cannot be imported.
    """
    if name in _overrides:
        raw = _overrides[name]
    elif os.environ.get(name, "").strip():
        raw = os.environ[name]
    else:
        module = _settings_module()
        if module is not None and hasattr(module, name):
            raw = getattr(module, name)
        elif hasattr(_defaults, name):
            raw = getattr(_defaults, name)
        else:
            return default
    parser = _PARSERS.get(name)
    return parser(name, raw) if parser is not None else raw


def check(*kinds: str) -> None:
    """Read every setting the processes of *kinds* (``READ_BY``'s keys: "decider", "worker") read.

    Raises:
        ValueError: the first that does not parse, named (see ``get``).
    """
    for kind in kinds:
        for name in READ_BY[kind]:
            get(name)


def values() -> dict[str, Any]:
    """Every setting and its current value."""
    return {name: get(name) for name in names()}


def put_setting(key: str, value: Any) -> None:
    """Set *key* from code (above the environment and the settings module)."""
    _overrides[key] = value


def configure(dct: dict[str, Any]) -> None:
    """``put_setting`` for each item of *dct*."""
    for key, value in dct.items():
        put_setting(key, value)


def print_settings() -> None:
    """Print ``NAME=value`` lines, sorted by name (what ``simpleflow info settings`` shows)."""
    for name, value in values().items():
        print(f"{name}={pformat(value)}")


def __getattr__(name: str) -> Any:
    # settings.STEP_BUCKET reads the setting now (PEP 562), so the environment keeps precedence.
    if _is_setting_name(name):
        value = get(name, _Missing)
        if value is not _Missing:
            return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class _Missing:
    pass
