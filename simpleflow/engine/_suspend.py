"""A function run on its own thread that can suspend itself and be resumed.

This is how a replayed ``Workflow.run`` waits for a result that is not in the
history yet: its thread parks until new events settle the future, instead of
the whole replay being thrown away and redone on the next decision task. Only
one of the two threads (host or run) executes at a time, so the workflow code
stays single-threaded and deterministic.

Each step of the run sees the context variables of the thread that resumed it (the decision
task's logging context: which execution, which event), as if it ran on that thread.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable

# A run's thread stack: enough for workflow code recursing as deep as Python's default recursion
# limit allows, even through C calls (512 KiB is not), yet an eighth of Linux's usual 8 MiB of
# address space for each run a decider keeps parked.
RUN_THREAD_STACK_SIZE = 1024 * 1024

_stack_size_lock = threading.Lock()  # threading.stack_size is process-wide: set and restored around one start


class Abandoned(BaseException):
    """Raised inside a suspended run that will never be resumed, to unwind it.

    A BaseException, so that user code catching ``Exception`` lets it through.
    """


class Suspendable:
    """Runs *target* on a daemon thread (of *stack_size* bytes of stack), one step at a time."""

    def __init__(
        self, target: Callable[[], None], name: str = "simpleflow-run", stack_size: int = RUN_THREAD_STACK_SIZE
    ) -> None:
        self._target = target
        self._name = name
        self._stack_size = stack_size  # 0: the interpreter's default
        self._go = threading.Lock()
        self._go.acquire()
        self._back = threading.Lock()
        self._back.acquire()
        self._thread: threading.Thread | None = None
        self.abandoned = False  # ``abandon`` was called: the target must not go on (read at every submit)
        self._caller: contextvars.Context | None = None
        self.finished = False

    def _take_caller_context(self) -> None:
        caller, self._caller = self._caller, None
        if caller is not None:
            for var, value in caller.items():
                var.set(value)

    def _main(self) -> None:
        try:
            self._take_caller_context()
            self._target()
        except Abandoned:
            pass
        finally:
            self.finished = True
            self._back.release()

    def resume(self) -> None:
        """Run the target until it suspends itself or returns."""
        if self.finished:
            return
        self._caller = contextvars.copy_context()
        if self._thread is None:
            self._thread = threading.Thread(target=self._main, name=self._name, daemon=True)
            with _stack_size_lock:
                previous = threading.stack_size(self._stack_size)
                try:
                    self._thread.start()
                finally:
                    threading.stack_size(previous)
        else:
            self._go.release()
        self._back.acquire()

    def suspend(self) -> None:
        """Called on the run's own thread: hand control back until resumed."""
        if self.abandoned:
            raise Abandoned()
        self._back.release()
        self._go.acquire()
        if self.abandoned:
            raise Abandoned()
        self._take_caller_context()

    def abandon(self) -> None:
        """Unwind a suspended target (it sees ``Abandoned``) and wait until its thread ends."""
        if self._thread is None or self.finished:
            self.finished = True
            return
        self.abandoned = True
        self._go.release()
        self._back.acquire()
