"""Futures: the value of a task that may not have run yet.

A future is PENDING (not scheduled), RUNNING (scheduled or started),
FINISHED (with a result or an exception) or CANCELLED. Reading ``result``
of an unfinished future inside a replay suspends the workflow until the
history holds the value; outside a replay it raises ``ExecutionBlocked``.
Reading ``result`` of a cancelled future raises ``CancelledError``.

Inside a replay, looking at a future's state without waiting for it
(``done``, ``running``, ``state``...) makes the workflow's path depend on
*when* it was replayed; the engine notes it and replays such a workflow in
full on the next decision instead of resuming it (see simpleflow.engine).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, NamedTuple

from simpleflow import exceptions
from simpleflow.exceptions import CancelledError

if TYPE_CHECKING:
    from simpleflow.engine import WorkflowExecutor

__all__ = [
    "ALL_COMPLETED",
    "CANCELLED",
    "CANCELLED_AND_NOTIFIED",
    "FINISHED",
    "FIRST_COMPLETED",
    "FIRST_EXCEPTION",
    "PENDING",
    "CancelledError",
    "DoneAndNotDone",
    "RUNNING",
    "Future",
    "get_result_or_raise",
    "wait",
]

PENDING = "PENDING"
RUNNING = "RUNNING"
CANCELLED = "CANCELLED"
CANCELLED_AND_NOTIFIED = "CANCELLED_AND_NOTIFIED"  # simpleflow's name; futures here are never in it
FINISHED = "FINISHED"

# simpleflow's (and concurrent.futures') wait modes, published for code that names them.
FIRST_COMPLETED = "FIRST_COMPLETED"
FIRST_EXCEPTION = "FIRST_EXCEPTION"
ALL_COMPLETED = "ALL_COMPLETED"

_DESCRIPTION = {
    PENDING: "pending",
    RUNNING: "running",
    CANCELLED: "cancelled",
    CANCELLED_AND_NOTIFIED: "cancelled",
    FINISHED: "finished",
}

# The replay running on this thread, if any (set by simpleflow.engine).
_replay_context = threading.local()


def current_executor() -> WorkflowExecutor | None:
    """The executor of the workflow code running on this thread (None outside a workflow's ``run``)."""
    return getattr(_replay_context, "run", None)


def set_current_executor(executor: WorkflowExecutor | None) -> None:
    """Called by the engine: *executor* runs workflow code on this thread from now on (None: none does)."""
    _replay_context.run = executor


_current_run = current_executor  # the older private name


def _observed_unsettled(future: Future) -> None:
    """The workflow looked at a future that may still change: note it."""
    run = _current_run()
    if run is not None:
        run.note_unsettled_read(future)


def _block_until_done(future: Future) -> None:
    run = _current_run()
    if run is None:
        raise exceptions.ExecutionBlocked()
    run.wait_for(future)


class Future:
    """The state and eventual value of a task.

    Only its own methods change it: the engine calls ``set_pending``,
    ``set_running``, ``set_finished``, ``set_exception``, ``set_cancelled`` and
    ``copy_from`` as the history tells it what became of the task (as
    ``concurrent.futures.Future.set_result`` and friends are meant for executors).
    Inside a replay, ``cancel`` hands the request to the engine, which asks SWF to cancel the
    task the future stands for (its activity, child workflow or timer).
    """

    # Reading ``result`` once cancelled raises CancelledError (a container's result may list its parts instead).
    _cancelled_result_raises = True

    # A new future's state, read from the class until a setter gives the future its own: no ``__init__`` to
    # call (a future is made for each submit).
    _state: str = PENDING
    _result: Any = None
    _exception: BaseException | None = None

    def __repr__(self) -> str:
        exc = f" exception={self._exception!r}" if self._exception else ""
        return f"<Future at {hex(id(self))} state={_DESCRIPTION[self._state]}{exc}>"

    def _settled(self) -> bool:
        """True once the state can no longer change (finished or cancelled)."""
        return self._state in (FINISHED, CANCELLED)

    @property
    def result(self) -> Any:
        """The task's value; None for a failed task (see ``exception``).

        Raises:
            ExecutionBlocked: outside a replay, while the future is not done (inside a replay, the
                workflow waits instead: its run is suspended until the history holds the value).
            CancelledError: the future is cancelled.
        """
        if not self._settled():
            _block_until_done(self)
        if self._state == CANCELLED and self._cancelled_result_raises:
            raise CancelledError(f"{self!r} was cancelled")
        return self._result

    @property
    def exception(self) -> BaseException | None:
        """The error the task ended with, or None (also for a cancelled future: ``cancelled`` says so).

        Raises:
            ExecutionBlocked: outside a replay, while the future is not done (inside one, it waits).
        """
        if not self._settled():
            _block_until_done(self)
        return self._exception

    def wait(self) -> Any:
        """Wait until done and return the result.

        Raises:
            ExecutionBlocked: as ``result``.
        """
        return self.result

    @property
    def state(self) -> str:
        """PENDING, RUNNING, FINISHED or CANCELLED. Does not wait (a replay notes the look)."""
        if not self._settled():
            _observed_unsettled(self)
        return self._state

    @property
    def done(self) -> bool:
        """Finished or cancelled. Does not wait."""
        settled = self._settled()
        if not settled:
            _observed_unsettled(self)
        return settled

    @property
    def finished(self) -> bool:
        """Finished, with a result or an exception. Does not wait."""
        if not self._settled():
            _observed_unsettled(self)
        return self._state == FINISHED

    @property
    def cancelled(self) -> bool:
        """Cancelled. Does not wait."""
        if not self._settled():
            _observed_unsettled(self)
        return self._state == CANCELLED

    @property
    def running(self) -> bool:
        """Scheduled or started, not done yet. Does not wait."""
        if not self._settled():
            _observed_unsettled(self)
        return self._state == RUNNING

    @property
    def pending(self) -> bool:
        """Not scheduled yet (or waiting to be scheduled again). Does not wait."""
        if not self._settled():
            _observed_unsettled(self)
        return self._state == PENDING

    def cancel(self) -> bool:
        """Cancel the task: in a workflow, SWF is asked to cancel it if it runs (see docs/cancelling.md).

        A task not scheduled yet is cancelled at once; one that runs stays RUNNING until the
        history says how it ended (cancelled, or its own outcome if it finished first).

        Returns:
            False if it had already finished (it stays finished), True otherwise.
        """
        run = _current_run()
        if run is not None:
            answer = run.cancel_future(self)
            if answer is not None:  # None: not a task of the run (a future made by hand)
                return answer
        if self._state == FINISHED:
            return False
        self._state = CANCELLED
        return True

    # Called by the engine (and by custom futures built on this one).
    def set_pending(self) -> None:
        """Back to PENDING, without a value: the task waits to be scheduled (again, for a retry)."""
        self._state = PENDING
        self._result = None
        self._exception = None

    def set_running(self) -> None:
        """RUNNING: the task is scheduled or started."""
        self._state = RUNNING

    def set_finished(self, result: Any) -> None:
        """FINISHED with *result*."""
        self._state = FINISHED
        self._result = result

    def set_exception(self, exception: BaseException | None) -> None:
        """FINISHED with *exception* (None: a failure the workflow chose to ignore)."""
        self._state = FINISHED
        self._exception = exception

    def set_cancelled(self) -> None:
        """CANCELLED."""
        self._state = CANCELLED

    def copy_from(self, other: Future) -> None:
        """Take *other*'s state, result and exception (one task submitted twice shares one outcome)."""
        self._state, self._result, self._exception = other._state, other._result, other._exception


class DoneAndNotDone(NamedTuple):
    """What ``wait`` returns when given ``return_when``: the futures done, and the others (each in the order given,
    a future given twice once)."""

    done: list[Future]
    not_done: list[Future]


def wait(*fs: Future, return_when: str | None = None) -> Any:
    """Wait for the futures *fs*: for all of them, or (with *return_when*) for the first to settle.

    Without *return_when*, every future is waited for and their results are returned, in order (a failed
    or cancelled one raises as its ``result`` does). With it, as ``concurrent.futures.wait``: a
    ``DoneAndNotDone(done, not_done)`` of lists, in the order of *fs*, and no result is read. As
    ``concurrent.futures.wait`` (which returns sets), a future given twice counts once, at its first place:

    - ``FIRST_COMPLETED``: ``done`` holds the first future to settle (finished, failed or cancelled), *first*
      in the history's event order: when several settled before the workflow got there (in one decision task, or
      while it did something else), the one whose event came first, whichever decider replays it. Every other
      future is in ``not_done``, even one settled since: wait again to take them one at a time.
    - ``FIRST_EXCEPTION``: the futures taken as ``FIRST_COMPLETED`` would, one after the other, until one
      finished with an exception (it is the last of ``done``) or all are done.
    - ``ALL_COMPLETED``: all of them, settled (``not_done`` is empty).

    Inside a workflow, the run is suspended while none is settled and resumed as soon as one is.

    Raises:
        ExecutionBlocked: outside a replay, when the wait would have to wait.
        ValueError: *return_when* is none of those.
    """
    if return_when is None:
        return [f.result for f in fs]
    fs = _distinct(fs)
    if return_when == FIRST_COMPLETED:
        done = _first_settled(fs)
    elif return_when == ALL_COMPLETED:
        for future in fs:
            if not future._settled():
                _block_until_done(future)
        done = list(fs)
    elif return_when == FIRST_EXCEPTION:
        done = _until_exception(fs)
    else:
        raise ValueError(f"return_when must be FIRST_COMPLETED, FIRST_EXCEPTION or ALL_COMPLETED, not {return_when!r}")
    return DoneAndNotDone(done, [f for f in fs if not any(f is d for d in done)])


def _distinct(fs: tuple[Future, ...]) -> tuple[Future, ...]:
    """*fs* with each future once (by identity), at its first place."""
    by_id: dict[int, Future] = {}
    for future in fs:
        by_id.setdefault(id(future), future)
    return tuple(by_id.values())


def _first_settled(fs: tuple[Future, ...] | list[Future]) -> list[Future]:
    """The first of *fs* to settle, in the history's order (with any other future settled by its event)."""
    if not fs:
        return []
    run = _current_run()
    if run is not None:
        return run.wait_first(list(fs))
    settled = [f for f in fs if f._settled()]  # no history to order them: the first given
    if not settled:
        raise exceptions.ExecutionBlocked()
    return settled[:1]


def _until_exception(fs: tuple[Future, ...]) -> list[Future]:
    """The futures of *fs* in the order they settle, up to the first finished with an exception."""
    done: list[Future] = []
    rest = list(fs)
    while rest:
        first = _first_settled(rest)
        done += first
        rest = [f for f in rest if not any(f is d for d in first)]
        if any(f._state == FINISHED and f._exception is not None for f in first):
            break
    return done


def get_result_or_raise(future: Future) -> Any:
    """The result of *future* (simpleflow's older spelling of ``future.result``)."""
    return future.result
