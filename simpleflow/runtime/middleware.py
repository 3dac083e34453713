"""Middleware: functions called around every activity a worker (or the local host) runs.

A *pre-execution* middleware is called as ``func(context)`` before the activity,
a *post-execution* one as ``func(context, result=result)`` after it returned
(not when it raised). ``context`` is the dict the activity itself receives
(name, version, workflow_id, run_id, activity_id, input, domain_name,
activity_task_list). They run in the activity's process, in the order given;
one that raises fails the task as the activity would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from simpleflow.exceptions import UsageError


@dataclass(frozen=True)
class Middlewares:
    """The pre- and post-execution functions, in call order."""

    pre: tuple[Callable[..., Any], ...] = ()
    post: tuple[Callable[..., Any], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.pre or self.post)

    def before(self, context: dict[str, Any]) -> None:
        for func in self.pre:
            func(context)

    def after(self, context: dict[str, Any], result: Any) -> None:
        for func in self.post:
            func(context, result=result)


NONE = Middlewares()


def import_function(path: str, option: str = "middleware") -> Callable[..., Any]:
    """The callable at ``package.module.function``; UsageError (one line) when it does not resolve.

    Args:
        path: the dotted path.
        option: how the error names where the path came from.

    Raises:
        UsageError: not a dotted path, unknown module, no such attribute, not callable.
    """
    module_name, _, attribute = (path or "").rpartition(".")
    if not module_name or not attribute:
        raise UsageError(f"{option} {path!r} is not a dotted path like 'package.module.function'")
    from simpleflow.runtime.loader import import_user_module

    try:
        module = import_user_module(module_name)
    except ModuleNotFoundError as err:
        if err.name and module_name.startswith(err.name):
            raise UsageError(f"{option} {path!r}: no module named {err.name!r}") from err
        raise UsageError(f"{option} {path!r}: cannot import {module_name!r}: {err}") from err
    except Exception as err:  # the module itself fails on import
        raise UsageError(f"{option} {path!r}: importing {module_name!r} raised {type(err).__name__}: {err}") from err
    func = getattr(module, attribute, None)
    if func is None:
        raise UsageError(f"{option} {path!r}: module {module_name!r} has no attribute {attribute!r}")
    if not callable(func):
        raise UsageError(f"{option} {path!r} is not a function ({type(func).__name__})")
    return func


def _callable_as(func: Callable[..., Any], post: bool, path: str, option: str) -> Callable[..., Any]:
    """*func* if it takes the call a middleware gets: ``func(context)``, or ``func(context, result=...)``.

    Raises:
        UsageError: it does not (every task would fail on it).
    """
    import inspect

    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError):  # a builtin without a signature: its call will tell
        return func
    call = "func(context, result=result)" if post else "func(context)"
    try:
        signature.bind(None, result=None) if post else signature.bind(None)
    except TypeError as err:
        raise UsageError(f"{option} {path!r} cannot be called as {call}: {err}") from None
    return func


def middleware_function(path: str, option: str, post: bool = False) -> Callable[..., Any]:
    """The middleware at the dotted *path*, checked against the call it gets.

    Raises:
        UsageError: the path does not resolve to a callable, or to one that takes that call.
    """
    return _callable_as(import_function(path, option), post, path, option)


def load(pre: Iterable[str] = (), post: Iterable[str] = ()) -> Middlewares:
    """Import the middleware functions named by dotted paths.

    Raises:
        UsageError: a path that does not resolve to a callable, or to one that cannot take the middleware's call.
    """
    return Middlewares(
        tuple(middleware_function(p, "--middleware-pre-execution") for p in pre),
        tuple(middleware_function(p, "--middleware-post-execution", post=True) for p in post),
    )


def from_option(value: Middlewares | Mapping[str, Iterable[str]] | None, what: str = "middlewares") -> Middlewares:
    """Middlewares given as an object or as simpleflow's ``{"pre": [paths], "post": [paths]}``.

    Raises:
        UsageError: *value* (*what* names it) is neither, has another key, or a list that is not of dotted paths
            to callables.
    """
    if value is None:
        return NONE
    if isinstance(value, Middlewares):
        return value
    shape = '{"pre": [paths], "post": [paths]} or a Middlewares'
    if not isinstance(value, Mapping):
        raise UsageError(f"{what} must be {shape}, not {type(value).__name__} {value!r}")
    unknown = sorted(str(key) for key in value if key not in ("pre", "post"))
    if unknown:
        raise UsageError(f"{what} has no key {unknown[0]!r}: it takes {shape}")
    pre, post = (_functions(value.get(key) or (), f"{what}[{key!r}]", key == "post") for key in ("pre", "post"))
    return Middlewares(pre, post)


def _functions(paths: Any, what: str, post: bool) -> tuple[Callable[..., Any], ...]:
    if isinstance(paths, (str, bytes)) or not isinstance(paths, Iterable):
        raise UsageError(f"{what} must be a list of dotted paths, not {type(paths).__name__} {paths!r}")
    for path in paths:
        if not isinstance(path, str):
            raise UsageError(f"{what}: {path!r} is not a dotted path like 'package.module.function'")
    return tuple(middleware_function(path, what, post) for path in paths)
