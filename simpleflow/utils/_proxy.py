"""A lazy proxy: stands for a value computed on first use (``format.decode`` of a jumbo field).

``LazyProxy(factory)`` calls ``factory()`` the first time the value is needed (an attribute, an
operator, ``str()``, ``==``...), once, and then behaves as that value: ``isinstance(proxy, str)`` is
true for a proxied string, ``proxy.__wrapped__`` is the value itself. It does what simpleflow 0.36's
``lazy_object_proxy.Proxy`` did for its users, without the dependency. ``json_dumps`` and
``format.dumps`` write the wrapped value, of this proxy and of ``lazy_object_proxy``'s.
"""

from __future__ import annotations

import operator
import sys
import threading
from collections.abc import Callable
from typing import Any

__all__ = ["LazyProxy", "is_proxy", "unwrap"]

_UNSET: Any = object()


def _value_itself(value: Any) -> Any:
    return value


class LazyProxy:
    """The value of ``factory()``, computed on first use."""

    __slots__ = ("_proxy_factory", "_proxy_value", "_proxy_lock")

    def __init__(self, factory: Callable[[], Any]) -> None:
        object.__setattr__(self, "_proxy_factory", factory)
        object.__setattr__(self, "_proxy_value", _UNSET)
        object.__setattr__(self, "_proxy_lock", threading.Lock())

    @property
    def __wrapped__(self) -> Any:
        value = object.__getattribute__(self, "_proxy_value")
        if value is _UNSET:
            with object.__getattribute__(self, "_proxy_lock"):
                value = object.__getattribute__(self, "_proxy_value")
                if value is _UNSET:
                    value = object.__getattribute__(self, "_proxy_factory")()
                    object.__setattr__(self, "_proxy_value", value)
                    object.__setattr__(self, "_proxy_factory", None)  # what it held can go
        return value

    @property  # type: ignore[misc]
    def __class__(self) -> type:  # isinstance(proxy, str) for a proxied string
        return type(self.__wrapped__)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.__wrapped__, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self.__wrapped__, name, value)

    def __delattr__(self, name: str) -> None:
        delattr(self.__wrapped__, name)

    def __dir__(self) -> list[str]:
        return dir(self.__wrapped__)

    def __repr__(self) -> str:
        return repr(self.__wrapped__)

    def __str__(self) -> str:
        return str(self.__wrapped__)

    def __bytes__(self) -> bytes:
        return bytes(self.__wrapped__)

    def __format__(self, spec: str) -> str:
        return format(self.__wrapped__, spec)

    def __hash__(self) -> int:
        return hash(self.__wrapped__)

    def __bool__(self) -> bool:
        return bool(self.__wrapped__)

    def __copy__(self) -> Any:
        import copy

        return copy.copy(self.__wrapped__)

    def __deepcopy__(self, memo: dict) -> Any:
        import copy

        return copy.deepcopy(self.__wrapped__, memo)

    def __reduce_ex__(self, protocol: int) -> Any:  # pickled as the value itself
        return _value_itself, (self.__wrapped__,)


def _forward(name: str, function: Callable[..., Any]) -> None:
    def method(self: LazyProxy, *args: Any) -> Any:
        return function(self.__wrapped__, *args)

    method.__name__ = name
    setattr(LazyProxy, name, method)


def _forward_reflected(name: str, function: Callable[[Any, Any], Any]) -> None:
    def method(self: LazyProxy, other: Any) -> Any:
        return function(other, self.__wrapped__)

    method.__name__ = name
    setattr(LazyProxy, name, method)


for _name in ("eq", "ne", "lt", "le", "gt", "ge", "contains", "getitem", "setitem", "delitem"):
    _forward(f"__{_name}__", getattr(operator, f"__{_name}__"))
_forward("__len__", len)
_forward("__iter__", iter)
_forward("__reversed__", reversed)
_forward("__call__", lambda value, *args: value(*args))
_forward("__int__", int)
_forward("__float__", float)
_forward("__index__", operator.index)
_forward("__round__", round)
_forward("__neg__", operator.neg)
_forward("__pos__", operator.pos)
_forward("__abs__", abs)
_forward("__invert__", operator.invert)
_BINARY = ("add", "sub", "mul", "matmul", "truediv", "floordiv", "mod", "pow", "lshift", "rshift", "and", "or", "xor")
for _name in _BINARY:
    _function = getattr(operator, f"__{_name}__")
    _forward(f"__{_name}__", _function)
    _forward_reflected(f"__r{_name}__", _function)
_forward("__divmod__", divmod)
_forward_reflected("__rdivmod__", divmod)


_FOREIGN_MODULES = tuple(f"lazy_object_proxy{sub}" for sub in ("", ".cext", ".slots", ".simple"))


def is_proxy(obj: Any) -> bool:
    """Whether *obj* is a lazy proxy, ours or ``lazy_object_proxy``'s (never computes its value).

    ``lazy_object_proxy`` is not imported here: a proxy of it exists only if its user imported it.
    """
    kind = type(obj)
    if kind is LazyProxy:
        return True
    for name in _FOREIGN_MODULES:
        module = sys.modules.get(name)
        foreign = getattr(module, "Proxy", None) if module is not None else None
        if isinstance(foreign, type) and issubclass(kind, foreign):
            return True
    return False


def unwrap(obj: Any) -> Any:
    """The value a lazy proxy stands for; anything else as is."""
    return obj.__wrapped__ if is_proxy(obj) else obj
