"""Small helpers: those simpleflow publishes in ``simpleflow.utils`` (JSON, imports, names, exceptions), and
those its rooms share (the cyclic collector held off, trusted directories, endpoints that answered, lazy
proxies, loopback hosts)."""

from __future__ import annotations

import datetime
import importlib
import json
import types
import uuid
import zlib
from typing import Any

from simpleflow.utils import retry
from simpleflow.utils._endpoints import answered_before, note_answers
from simpleflow.utils._gc import collector_paused
from simpleflow.utils._loopback import is_loopback, loopback_host_allowed
from simpleflow.utils._paths import shown_path
from simpleflow.utils._proxy import LazyProxy, is_proxy
from simpleflow.utils._trust import untrusted_reason

__all__ = [
    "format_exc",
    "format_exc_type",
    "full_class_name",
    "full_object_name",
    "hex_hash",
    "import_from_module",
    "import_object_from_module",
    "issubclass_",
    "json_dumps",
    "json_loads_or_raw",
    "remove_none",
    "retry",
    "serialize_complex_object",
    # shared by simpleflow's rooms
    "LazyProxy",
    "answered_before",
    "collector_paused",
    "is_loopback",
    "is_proxy",
    "loopback_host_allowed",
    "note_answers",
    "shown_path",
    "untrusted_reason",
]


def issubclass_(arg1: Any, arg2: type) -> bool:
    """``issubclass`` that answers False instead of raising for a non-class."""
    return isinstance(arg1, type) and issubclass(arg1, arg2)


def hex_hash(s: str | None) -> str:
    """A short, stable hex digest of *s* (adler32); ``"0"`` for an empty string."""
    if not s:
        return "0"
    return format(zlib.adler32(s.encode("utf-8")) & 0xFFFFFFFF, "x")


def format_exc(exc: BaseException | None) -> str:
    """``Type: message`` for *exc*, as the last line of a traceback reads."""
    name = type(exc).__name__
    try:
        text = str(exc) if exc is not None else ""
    except Exception:
        text = f"<unprintable {name} object>"
    return f"{name}: {text}" if text else name


def format_exc_type(exc_type: type) -> str:
    """The qualified name of an exception class (builtins without their module)."""
    module = exc_type.__module__
    if module in ("__main__", "builtins", "__builtin__", "exceptions"):
        return exc_type.__name__
    return f"{module}.{exc_type.__name__}"


def import_object_from_module(module_name: str, *object_names: str) -> Any:
    """Import *module_name* (``builtins`` if empty) and follow the attributes *object_names*."""
    found: Any = importlib.import_module(module_name or "builtins")
    for name in object_names:
        found = getattr(found, name)
    return found


def import_from_module(path: str) -> Any:
    """The object at the dotted *path* (``package.module.Name``, or a builtin ``Name``)."""
    module_name, _, name = path.rpartition(".")
    return import_object_from_module(module_name, name)


def full_class_name(klass: type) -> str:
    return klass.__qualname__ if klass.__module__ is None else f"{klass.__module__}.{klass.__qualname__}"


def full_object_name(obj: Any) -> str:
    """``module.QualName`` of a class, or of an object's class."""
    return full_class_name(obj if isinstance(obj, type) else type(obj))


def remove_none(obj: Any) -> Any:
    """*obj* without its None values, recursively through dicts, lists, tuples and sets."""
    if isinstance(obj, dict):
        return type(obj)((k, remove_none(v)) for k, v in obj.items() if v is not None)
    if isinstance(obj, (list, tuple, set)):
        return type(obj)(remove_none(v) for v in obj if v is not None)
    return obj


def serialize_complex_object(obj: Any) -> Any:
    """``json.dumps``'s ``default``: dates (ISO 8601, milliseconds, ``Z`` for UTC), sets, UUIDs, futures...

    A lazy proxy (``format.decode``'s, or ``lazy_object_proxy``'s) is written as the value it stands for.
    """
    from simpleflow.futures import Future

    if is_proxy(obj):
        return obj.__wrapped__
    if isinstance(obj, bytes):
        return obj.decode("utf-8", errors="replace")
    if isinstance(obj, datetime.datetime):
        text = obj.isoformat(timespec="milliseconds" if obj.microsecond else "seconds")
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    if isinstance(obj, datetime.date):
        return obj.isoformat()
    if isinstance(obj, datetime.time):
        return obj.isoformat(timespec="milliseconds" if obj.microsecond else "seconds")
    if isinstance(obj, (set, frozenset, types.GeneratorType)):
        return list(obj)
    if isinstance(obj, uuid.UUID):
        return str(obj)
    if isinstance(obj, Future):
        return obj.result
    raise TypeError(f"Type {type(obj).__name__} couldn't be serialized")


def json_dumps(obj: Any, pretty: bool = False, compact: bool = True, **kwargs: Any) -> str:
    """JSON text of *obj*: compact with sorted keys by default, indented with ``pretty=True``."""
    kwargs.setdefault("default", serialize_complex_object)
    if pretty:
        kwargs.update(indent=4, sort_keys=True, separators=(",", ": "))
    elif compact:
        kwargs.update(sort_keys=True, separators=(",", ":"))
    return json.dumps(obj, **kwargs)


def json_loads_or_raw(data: str | None) -> Any:
    """The JSON value of *data*, or *data* itself when it is not JSON (None when empty)."""
    if not data:
        return None
    try:
        return json.loads(data)
    except ValueError:
        return data
