"""The original's process names over our supervision: ``Supervisor``, ``NamedMixin``, ``with_state``.

``Supervisor(payload, arguments, nb_children, background)`` runs *payload* in *nb_children*
forked processes and starts a new one when one dies (our supervisor, :mod:`simpleflow.swf.process`:
children die with it, SIGTERM reaches them with a grace period). Unlike 0.36's, a child that exits
with status 0 has finished on purpose and is not started again.

``NamedMixin`` with ``@with_state("running")`` names the process after its class and state
(``simpleflow Worker(task_list=tl)[running]``): with ``setproctitle`` installed, the whole title ``ps``
shows; without it (it is not a dependency), the kernel's short name (15 bytes, ``ps -o comm``, ``top``)
on Linux. ``SIMPLEFLOW_DISABLE_SETPROCTITLE`` set turns naming off.
"""

from __future__ import annotations

import functools
import logging
import multiprocessing
import os
import signal
import sys
import threading
import types
from collections.abc import Callable, Sequence
from typing import Any

from simpleflow.swf.process import DEFAULT_GRACE_PERIOD, die_with_parent, supervise

__all__ = ["NamedMixin", "Supervisor", "reset_signal_handlers", "with_state"]

logger = logging.getLogger(__name__)

_PR_SET_NAME = 15


def _set_title(title: str) -> None:
    try:
        from setproctitle import setproctitle  # optional: the full title, where installed
    except ImportError:
        setproctitle = None
    if setproctitle is not None:
        setproctitle(title)
        return
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_NAME, title.encode()[:15], 0, 0, 0)
        except (OSError, AttributeError):
            pass


def with_state(state: str) -> Callable[[Callable], Callable]:
    """Decorate a method of a ``NamedMixin``: calling it sets the object's state (and the process name) first."""

    def wrapper(method: Callable) -> Callable:
        @functools.wraps(method)
        def wrapped(self: Any, *args: Any, **kwargs: Any) -> Any:
            logger.debug("entering state %s: %s(args=%r, kwargs=%r)", state, method.__name__, args, kwargs)
            self.state = state
            return method(self, *args, **kwargs)

        return wrapped

    return wrapper


class NamedMixin:
    """Names the process ``simpleflow <Class>(<prop>=<value>, ...)[<state>]`` whenever ``state`` changes.

    The properties shown are those listed in ``_named_mixin_properties``.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.state = kwargs.get("state", "initializing")

    @property
    def state(self) -> str:
        return self._state

    @state.setter
    def state(self, value: str) -> None:
        self._state = value
        self.set_process_name()

    @property
    def process_name(self) -> str:
        properties = ", ".join(f"{prop}={getattr(self, prop)}" for prop in getattr(self, "_named_mixin_properties", []))
        return f"simpleflow {type(self).__name__}({properties})[{self.state}]"

    def set_process_name(self) -> None:
        if os.environ.get("SIMPLEFLOW_DISABLE_SETPROCTITLE"):
            return
        _set_title(self.process_name)


def reset_signal_handlers(func: Callable) -> Callable:
    """Decorate a process's payload: SIGTERM, SIGINT and SIGCHLD get their default handlers back first."""

    @functools.wraps(func)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGCHLD):
            signal.signal(signum, signal.SIG_DFL)
        return func(*args, **kwargs)

    return wrapped


class Supervisor(NamedMixin):
    """``payload(*arguments)`` in *nb_children* processes (default: one per CPU), restarted when they die.

    ``start()`` runs it (in a process of its own with *background*, which dies with this one);
    ``terminate()`` stops the children (SIGTERM, then SIGKILL after the grace period).
    """

    def __init__(
        self,
        payload: Callable[..., Any],
        arguments: Sequence[Any] | None = None,
        nb_children: int | None = None,
        background: bool = False,
        grace_period: float = DEFAULT_GRACE_PERIOD,
    ) -> None:
        self._nb_children = (os.cpu_count() or 1) if nb_children is None else nb_children
        self._payload = payload
        self._payload_friendly_name = self.payload_friendly_name()
        self._named_mixin_properties = ["_payload_friendly_name", "_nb_children"]
        self._args = tuple(arguments) if arguments is not None else ()
        self._background = background
        self._grace_period = grace_period
        self._stop = threading.Event()
        self._process: Any = None
        super().__init__()

    def payload_friendly_name(self) -> str:
        payload = self._payload
        if isinstance(payload, types.MethodType):
            return f"{type(payload.__self__).__name__}.{payload.__name__}"
        if isinstance(payload, types.FunctionType):
            return payload.__name__
        raise TypeError(f"invalid payload type {type(payload)}")

    @with_state("running")
    def start(self) -> None:
        """Run the children: here until they stop, or in a background process (then return at once)."""
        logger.info("starting %s", self._payload_friendly_name)
        if not self._background:
            self.target()
            return
        context = multiprocessing.get_context("fork")
        self._process = context.Process(target=self._background_main, args=(os.getpid(),), name="simpleflow-supervisor")
        self._process.start()

    def _background_main(self, parent_pid: int) -> None:
        die_with_parent(parent_pid, signal.SIGTERM, self._grace_period)
        self.target()

    def target(self) -> None:
        """The supervisor's loop: returns once the children stopped (``terminate``, SIGTERM, SIGINT)."""
        if self._nb_children < 1:
            return
        supervise(
            self._payload,
            self._args,
            self._nb_children,
            name=f"simpleflow-{self._payload_friendly_name}",
            grace_period=self._grace_period,
            stop_event=self._stop,
        )

    @with_state("stopping")
    def terminate(self) -> None:
        """Stop the children: SIGTERM now, SIGKILL to those still there after the grace period."""
        if self._process is not None and self._process.is_alive():
            os.kill(self._process.pid, signal.SIGTERM)
            self._process.join(self._grace_period + 5)
            return
        self._stop.set()

    @property
    def pid(self) -> int | None:
        """The background supervisor's pid (None when it runs in this process)."""
        return self._process.pid if self._process is not None else None
