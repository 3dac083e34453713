"""Activities replaced for a test, and every activity call recorded.

``Activities.lookup`` is what the local host asks for the activity a task names (its ``lookup``): it gives a
stand-in whose callable records the call and runs the replacement given with ``override``, else the
declared activity itself (through ``call_activity``, as a worker calls it). The workflow's code is untouched:
it still submits the declared activity, under its name, so its task ids and decisions are the ones it takes
on SWF.
"""

from __future__ import annotations

import difflib
import inspect
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from simpleflow import activity as activity_registry
from simpleflow import exceptions
from simpleflow.exceptions import TaskFailed, UsageError
from simpleflow.runtime.outcome import FAILED, Outcome, call_activity, task_signature


@dataclass(slots=True)
class ActivityCall:
    """One call of an activity during a test: its arguments and what came of it.

    Attributes:
        activity: the activity's name.
        args, kwargs: what the task passed it.
        result: what it returned (None when it raised, or when its task failed all the same).
        error: what it raised, if it did; or, when its task failed after it returned (a result JSON cannot
            encode or that could not be stored as a jumbo field, a middleware's error), that failure as the
            history records it (a ``TaskFailed``, its ``reason`` and ``details`` those of ActivityTaskFailed);
            or, when the attempt timed out, a ``simpleflow.exceptions.TimeoutError`` (its ``timeout_type``
            SWF's), as the workflow's future holds it, whatever the attempt returned too late; or, when its run
            closed while it ran, an ``AttemptAbandoned`` (the history records nothing of the attempt).
        replaced: a replacement given with ``override`` answered, not the activity itself.
        activity_id, workflow_id: the task's and its execution's ids.
    """

    activity: str
    args: list[Any]
    kwargs: dict[str, Any]
    result: Any = None
    error: BaseException | None = None
    replaced: bool = False
    activity_id: str = ""
    workflow_id: str = ""


@dataclass(slots=True)
class Override:
    """An activity's replacement: what answers its tasks, and the calls it answered."""

    name: str
    replacement: Any
    calls: list[ActivityCall] = field(default_factory=list)

    def answer(self, args: list[Any], kwargs: dict[str, Any]) -> Any:
        replacement = self.replacement
        if isinstance(replacement, BaseException):
            raise replacement
        if isinstance(replacement, type) and issubclass(replacement, BaseException):
            raise replacement(f"{self.name} raised {replacement.__name__} (replaced in a test)")
        if callable(replacement):
            return replacement(*args, **kwargs)
        return replacement


def activity_name(target: Any, what: str = "override") -> str:
    """The name tasks of *target* carry: an activity's ``name``, the name of the activity declared on a
    function (or class), a string as is (``Activities.check_names`` then asks the registry for it).

    Raises:
        UsageError: *target* is a function no activity is declared on (or several are), or neither an
            activity, a function nor a name.
    """
    if isinstance(target, str):
        return target
    if isinstance(target, activity_registry.Activity):
        return target.name
    if callable(target):
        names = sorted(name for name, act in activity_registry.registered().items() if act.callable is target)
        if len(names) == 1:
            return names[0]
        path = _path(target)
        if names:
            raise UsageError(f"{what}: {path} is the function of several activities ({', '.join(names)}): give one")
        raise UsageError(
            f"{what}: {path} is not an activity (no @activity.with_attributes declares it): "
            "give an activity, its function or its name"
        )
    raise UsageError(f"{what}: cannot tell which activity {target!r} is: give an activity, its function or its name")


def unknown_name(name: str, what: str = "override") -> UsageError:
    """One line for a name no activity is declared under: the names closest to it, then the others.

    Each activity is looked for by its name and by its function's (or class's) path, so a function's path
    finds the name it is declared under (``@activity.with_attributes(name=...)``).
    """
    registered = activity_registry.registered()
    by_key = {_path(act.callable): act_name for act_name, act in registered.items()}
    by_key.update((act_name, act_name) for act_name in registered)  # a name wins over a path spelled the same
    matches = difflib.get_close_matches(name, list(by_key), n=6, cutoff=0.6)
    close = list(dict.fromkeys(by_key[key] for key in matches))[:3]
    declared = sorted(registered)
    shown = close + [other for other in declared if other not in close]
    listed = ", ".join(shown[:_LISTED]) + (f" and {len(shown) - _LISTED} more" if len(shown) > _LISTED else "")
    hint = ""
    if close:
        on = f" (declared on {matches[0]})" if matches[0] != close[0] else ""
        hint = f"did you mean {close[0]!r}{on}? "
    return UsageError(f"{what}: no activity named {name!r} ({hint}declared: {listed or 'none'})")


def _path(target: Any) -> str:
    """The dotted path of a function or class."""
    return f"{getattr(target, '__module__', '?')}.{getattr(target, '__qualname__', repr(target))}"


_LISTED = 8  # declared names shown in that line (a project may declare hundreds)
_VARIADIC = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
_EMPTY = inspect.Parameter.empty


def check_replacement(act: activity_registry.Activity, replacement: Any) -> None:
    """Refuse a callable *replacement* that cannot take every call of *act* (one it cannot take would fail each
    attempt with a TypeError, retried).

    A call of the activity gives its required parameters and may give its optional ones: the replacement must take
    each such call, by position (its own names may differ: ``lambda p, s: ...`` is the usual stand-in, and a
    workflow calling by name then fails that test with the TypeError). Not checked when either takes
    ``*args``/``**kwargs`` or has no signature to inspect.

    Raises:
        UsageError: one line naming both signatures and the first parameter that does not fit.
    """
    if not callable(replacement) or (isinstance(replacement, type) and issubclass(replacement, BaseException)):
        return  # a value, or an exception to raise
    wanted = task_signature(act)  # without the context a worker adds: the task does not pass it
    if wanted is None:
        return
    try:
        given = inspect.signature(replacement)
    except (TypeError, ValueError):
        return
    if any(p.kind in _VARIADIC for p in [*wanted.parameters.values(), *given.parameters.values()]):
        return
    problem = _unfit(wanted, given)
    if problem is not None:
        callable_name = getattr(replacement, "__qualname__", type(replacement).__qualname__)
        raise UsageError(
            f"override: replacement {callable_name}{given} cannot take the arguments of {act.name}{wanted} ({problem})"
        )


def _unfit(wanted: inspect.Signature, given: inspect.Signature) -> str | None:
    """Why *given* (no ``*args``/``**kwargs``) cannot take some call of *wanted* (neither), or None if it takes all."""
    by_position = [p for p in given.parameters.values() if p.kind in _POSITIONAL]
    by_name = {p.name: p for p in given.parameters.values() if p.kind is not inspect.Parameter.POSITIONAL_ONLY}
    # Each parameter of the activity, and the replacement's that a call giving it fills (None: none).
    positional = [p for p in wanted.parameters.values() if p.kind in _POSITIONAL]
    pairs = [(p, by_position[i] if i < len(by_position) else None) for i, p in enumerate(positional)]
    pairs += [(p, by_name.get(p.name)) for p in wanted.parameters.values() if p.kind not in _POSITIONAL]
    filled = [q.name for _, q in pairs if q is not None]
    for q in given.parameters.values():
        if q.default is _EMPTY and q.name not in filled:
            return f"it requires {q.name!r}, which no call gives"
    for p, q in pairs:
        if q is None:
            return f"it has no parameter for {p.name!r}"
        if filled.count(q.name) > 1:
            return f"a call may give its {q.name!r} twice, by position and by name"
        if p.default is not _EMPTY and q.default is _EMPTY:
            return f"it requires {q.name!r}, which a call may leave out"
    return None


class AttemptAbandoned(Exception):
    """What the call of an activity attempt still running when its run closed shows: the run gave the attempt
    up (SWF forgets a closed run's tasks) and its history records nothing of it, whatever it returned later."""


class _StandIn:
    """What the local host runs for one attempt: the activity's name, a callable that records the call, and
    the call once made."""

    __slots__ = ("call", "callable", "given_up", "lock", "name")

    def __init__(self, name: str, callable: Callable[..., Any], lock: threading.Lock) -> None:
        self.name = name
        self.callable = callable
        self.lock = lock  # the calls' (the attempt's thread records its end as the host gives it up)
        self.call: ActivityCall | None = None
        self.given_up: BaseException | None = None  # the host gave it up: what its call shows, whatever it returns

    def answered(self, outcome: Outcome) -> None:
        """The host's answer for the attempt (what its history records): a call that returned, and whose task
        failed all the same, carries that failure rather than a result the workflow never got."""
        call = self.call
        if call is not None and call.error is None and outcome.status == FAILED:
            call.result = None
            # As the workflow's future holds it (simpleflow.engine: named by the task's id).
            call.error = TaskFailed(call.activity_id or self.name, outcome.reason, outcome.details)

    def timed_out(self, timeout_type: str) -> None:
        """The host timed the attempt out (ActivityTaskTimedOut): its call shows the timeout, as the workflow's
        future holds it, not what the attempt returns (or returned) too late."""
        self._give_up(exceptions.TimeoutError(timeout_type, None))

    def abandoned(self) -> None:
        """The run closed while the attempt ran (it timed out, was terminated...): its call shows that, not what
        the attempt returns (or returned) after."""
        self._give_up(AttemptAbandoned("the run closed before the attempt answered: its history records nothing"))

    def _give_up(self, error: BaseException) -> None:
        with self.lock:
            self.given_up = error
            if self.call is not None:
                self.call.result, self.call.error = None, error

    def ended(self, call: ActivityCall, result: Any = None, error: BaseException | None = None) -> None:
        """The attempt's call returned *result* or raised *error* (dropped if the host gave it up first)."""
        with self.lock:
            if self.given_up is None:
                call.result, call.error = result, error


class Activities:
    """The replacements of one test environment, and the calls of every activity run in it."""

    def __init__(self) -> None:
        self._overrides: dict[str, Override] = {}
        self._lock = threading.Lock()
        self.calls: list[ActivityCall] = []

    def override(self, target: Any, replacement: Any) -> Override:
        """Answer the tasks of *target* (an activity, its function or its name) with *replacement*: a callable
        given the task's arguments, an exception (class or instance) to raise, or any other value to return.

        Raises:
            UsageError: *target* is not an activity, nor the function or name of one (a name is checked now
                if an activity is declared under it, else by ``check_names`` before anything runs), or
                *replacement* is a callable no call of the activity fits (``check_replacement``).
        """
        name = activity_name(target)
        declared = activity_registry.find(name)
        if declared is not None:
            check_replacement(declared, replacement)
        override = Override(name, replacement)
        with self._lock:
            self._overrides[name] = override
        return override

    def check_names(self) -> None:
        """Refuse a replacement given under a name no activity is declared under (a typo: the real activity
        would run). Called before an execution starts or goes on, once its workflow's modules are imported.

        Raises:
            UsageError: one line naming the first such name and the names declared, or a replacement no call of
                the activity declared since fits.
        """
        with self._lock:
            overrides = list(self._overrides.values())
        for override in overrides:
            declared = activity_registry.find(override.name)
            if declared is None:
                raise unknown_name(override.name)
            check_replacement(declared, override.replacement)

    def calls_of(self, target: Any) -> list[ActivityCall]:
        """The calls of *target* (an activity, its function or its name).

        Raises:
            UsageError: *target* is not an activity, nor the function or name of one.
        """
        name = activity_name(target, "calls")
        if activity_registry.find(name) is None:
            raise unknown_name(name, "calls")
        with self._lock:
            return [call for call in self.calls if call.activity == name]

    def lookup(self, name: str) -> _StandIn | None:
        """The local host's lookup: a stand-in for the activity *name* (None when it is neither declared here
        nor replaced: the task fails as a worker fails it)."""
        override = self._overrides.get(name)
        original = activity_registry.find(name)
        if override is None and original is None:
            return None

        def run(*args: Any, **kwargs: Any) -> Any:
            context = getattr(run, "context", None) or {}
            call = ActivityCall(
                name,
                list(args),
                dict(kwargs),
                replaced=override is not None,
                activity_id=context.get("activity_id", ""),
                workflow_id=context.get("workflow_id", ""),
            )
            with self._lock:
                stand_in.call = call
                call.error = stand_in.given_up  # given up before it was called (None: not)
                self.calls.append(call)
                if override is not None:
                    override.calls.append(call)
            try:
                if override is not None:
                    result = override.answer(list(args), dict(kwargs))
                else:
                    result = call_activity(original, list(args), dict(kwargs), context)
            except BaseException as error:
                stand_in.ended(call, error=error)
                raise
            stand_in.ended(call, result)
            return result

        stand_in = _StandIn(name, run, self._lock)
        return stand_in
