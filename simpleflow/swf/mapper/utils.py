"""Small helpers of the object layer: case conversions, dates in days, cached and read-only attributes."""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

T = TypeVar("T", bound=type)


def decapitalize(s: str) -> str:
    """*s* with its first character in lower case (``"DecisionTask"`` -> ``"decisionTask"``)."""
    return s[:1].lower() + s[1:]


def past_day(days: int | float) -> datetime:
    """The local time *days* days ago (naive, as ``datetime.now()``)."""
    return datetime.now() - timedelta(days=days)


def datetime_timestamp(dt: datetime) -> float:
    """The POSIX timestamp of *dt*, a naive datetime read as local time (whole seconds)."""
    return time.mktime(dt.timetuple())


def get_subkey(d: dict[Any, Any], key_path: list[Any]) -> Any | None:
    """``d[k1][k2]...`` along *key_path*, or None as soon as a key is missing."""
    value: Any = d
    for key in key_path:
        if value is None:
            return None
        value = value.get(key)
    return value


_CAMEL_BOUNDARY = re.compile(r"(?<!^)(?=[A-Z])")


def camel_to_underscore(string: str) -> str:
    """SWF's camelCase to snake_case, a word per capital but the first (``"eventId"`` -> ``"event_id"``)."""
    return _CAMEL_BOUNDARY.sub("_", string).lower()


def underscore_to_camel(string: str) -> str:
    """snake_case to CamelCase with a capital first letter (``"request_cancel"`` -> ``"RequestCancel"``)."""
    words = string.split("_")
    return "".join(word[:1].upper() + word[1:] for word in words)


class _CachedProperty(property):
    """A property computed once per instance and kept in ``_<name>_cache``; setting or deleting it updates that."""

    def __init__(
        self, fget: Callable[[Any], Any], fset: Callable | None = None, fdel: Callable | None = None, doc=None
    ):
        cache = f"_{fget.__name__}_cache"
        self._cache_name = cache

        @functools.wraps(fget)
        def get(obj: Any) -> Any:
            try:
                return getattr(obj, cache)
            except AttributeError:
                value = fget(obj)
                setattr(obj, cache, value)
                return value

        def set_(obj: Any, value: Any) -> None:
            fset(obj, value)  # type: ignore[misc]
            setattr(obj, cache, value)

        def delete(obj: Any) -> None:
            fdel(obj)  # type: ignore[misc]
            if hasattr(obj, cache):
                delattr(obj, cache)

        super().__init__(get, set_ if fset else None, delete if fdel else None, doc or fget.__doc__)


cached_property = _CachedProperty


def immutable(cls: T) -> T:
    """Class decorator: the attributes named in *cls*'s own ``__slots__`` are read-only once ``__init__`` returned.

    Raises:
        TypeError: *cls* is not a class, or declares no ``__slots__``.
    """
    if not isinstance(cls, type):
        raise TypeError("@immutable: must be applied to a class")
    if "__slots__" not in vars(cls):
        raise TypeError("@immutable: class must have __slots__")
    slots = vars(cls)["__slots__"]
    frozen = frozenset([slots] if isinstance(slots, str) else slots)
    init = cls.__init__
    setattr_ = cls.__setattr__

    @functools.wraps(init)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        object.__setattr__(self, "_immutable_frozen", True)

    def __setattr__(self: Any, name: str, value: Any) -> None:
        if name in frozen and getattr(self, "_immutable_frozen", False):
            raise AttributeError(f"can't set attribute {name!r} of an immutable {type(self).__name__}")
        setattr_(self, name, value)

    def __delattr__(self: Any, name: str) -> None:
        if name in frozen and getattr(self, "_immutable_frozen", False):
            raise AttributeError(f"can't delete attribute {name!r} of an immutable {type(self).__name__}")
        object.__delattr__(self, name)

    cls.__init__ = __init__  # type: ignore[misc]
    cls.__setattr__ = __setattr__  # type: ignore[method-assign]
    cls.__delattr__ = __delattr__  # type: ignore[method-assign]
    return cls
