"""Cancelling what the run started: ``future.cancel()`` on an activity, a child workflow or a timer.

Once the workflow cancelled a task's future, its command is resolved here instead of by its kind's
resolver (_resolvers): a pure function of the task's history record and of the cancel requests the
history holds for it. The request is a decision (RequestCancelActivityTask, RequestCancelExternal-
WorkflowExecution, CancelTimer) owed until the history records it; a task never scheduled is
cancelled at once, without one, and so is a task between attempts (a failed attempt waiting for its
retry), with a CancelTimer of its retry timer if SWF started it.

Replays agree because the request leaves its trace: ``was_requested`` finds it in the history, so a
full replay that reaches ``cancel()`` when the task has since finished still answers True, as the
run that asked did, and asks nothing again.
"""

from __future__ import annotations

from typing import Any

from simpleflow import exceptions, format, futures
from simpleflow.engine import _decisions as decisions
from simpleflow.engine._commands import ACTIVITY, CHILD_WORKFLOW, TIMER, Command
from simpleflow.engine._resolvers import CANCELLED, FAILED, FINISHED, PENDING, RUNNING, Resolution, attempt_error
from simpleflow.history import OPEN, History, State, TimerRecord

# The kinds of command ``future.cancel()`` asks SWF to cancel.
CANCELLABLE = frozenset({ACTIVITY, CHILD_WORKFLOW, TIMER})

_CHILD_CLOSED_BADLY = ("failed", "timed_out", "canceled", "terminated")


def was_requested(history: History, command: Command) -> bool:
    """The history holds a cancel request of this run for the command's task (answered or refused)."""
    if command.kind == ACTIVITY:
        record = history.activities.get(command.id)
        return record is not None and record.cancel_asked
    if command.kind == CHILD_WORKFLOW:
        return bool(_child_requests(history, command))
    record = history.timers.get(command.id)
    return record is not None and (record.state is State.CANCELED or record.cancel_failed_event_id is not None)


def resolve(history: History, command: Command) -> Resolution:
    """What the history says of a task whose future the workflow cancelled."""
    if command.kind == ACTIVITY:
        return _activity(history, command)
    if command.kind == CHILD_WORKFLOW:
        return _child(history, command)
    return _timer(history.timers.get(command.id), command)


def _activity(history: History, command: Command) -> Resolution:
    record = history.activities.get(command.id)
    if record is None:  # never scheduled: nothing to ask SWF
        return Resolution(CANCELLED, answered=True)
    state = record.state
    last = record.last_event_id
    asked = record.cancel_asked
    if state is State.COMPLETED:  # finished before the request reached it: its real outcome
        return Resolution(FINISHED, format.loads(record.result), answered=True, last_event_id=last)
    if state is State.CANCELED:
        return Resolution(CANCELLED, answered=True, last_event_id=last)
    if state in OPEN:
        if not asked:
            return Resolution(decision=decisions.request_cancel_activity(command.id))
        # Asked (or refused, the task still open): it ends cancelled or with its own outcome.
        return Resolution(PENDING if state is State.SCHEDULED else RUNNING, answered=True)
    if asked and state in (State.FAILED, State.TIMED_OUT):  # failed after the request: for good, no retry
        return Resolution(FAILED, attempt_error(command, record), answered=True, final=True, last_event_id=last)
    # A failed attempt waiting for its retry (or a refused schedule): the retry is dropped.
    return _between_attempts(history, command, last)


def _between_attempts(history: History, command: Command, last: int) -> Resolution:
    """A task whose failed attempt waits for its retry: cancelled at once, its retry dropped.

    Nothing runs, so nothing can refuse: the future ends cancelled now. A retry timer SWF started
    for it (a ``RetryPolicy`` wait, or ``on_task_failure``'s ``retry_later``) is cancelled with
    ``CancelTimer``; one only owed so far is never started.
    """
    timer_id = command.retry_timer
    timer = history.timers.get(timer_id) if timer_id is not None else None
    if timer is not None and timer.state is State.STARTED and timer.cancel_failed_event_id is None:
        return Resolution(CANCELLED, decision=decisions.cancel_timer(timer_id), last_event_id=last)
    return Resolution(CANCELLED, answered=True, last_event_id=last)


def _child_requests(history: History, command: Command) -> list[dict[str, Any]]:
    """This run's cancel requests to the child's current start (a retried child starts again)."""
    record = history.child_workflows.get(command.id)
    if record is None:
        return []
    since = record.initiated_event_id or 0
    return [r for r in history.external_cancels.get(command.id, ()) if r.initiated_event_id > since]


def _child(history: History, command: Command) -> Resolution:
    record = history.child_workflows.get(command.id)
    if record is None:  # never started: nothing to ask SWF
        return Resolution(CANCELLED, answered=True)
    state = record.state
    last = record.last_event_id
    if state is State.START_FAILED:
        return Resolution(FAILED, exceptions.TaskFailed(command.id, record.cause), answered=True)
    requests = _child_requests(history, command)
    if not requests:
        if state in (State.START_INITIATED, State.STARTED):
            return Resolution(decision=decisions.request_cancel_external_workflow(command.id, record.run_id))
        if state is State.COMPLETED:
            return Resolution(FINISHED, format.loads(record.result), answered=True, last_event_id=last)
        return _between_attempts(history, command, last)  # a failed attempt: its retry is dropped
    request = requests[-1]
    if state is State.CANCELED:
        return Resolution(CANCELLED, answered=True, last_event_id=last)
    if request.state is State.FAILED:
        reason = f"RequestCancelExternalWorkflowExecutionFailed: {request.cause}"
        return Resolution(FAILED, exceptions.TaskFailed(command.id, reason), answered=True, final=True)
    if state is State.COMPLETED:  # the child did not accept the cancellation (its should_cancel said no)
        reason = "the child workflow completed instead of being canceled"
        error = exceptions.TaskFailed(command.id, reason, record.result)
        return Resolution(FAILED, error, answered=True, final=True, last_event_id=last)
    if state in _CHILD_CLOSED_BADLY:
        return Resolution(FAILED, attempt_error(command, record), answered=True, final=True, last_event_id=last)
    return Resolution(PENDING if state is State.START_INITIATED else RUNNING, answered=True)


def _timer(record: TimerRecord | None, command: Command) -> Resolution:
    if record is None:  # never started
        return Resolution(CANCELLED, answered=True)
    state = record.state
    if state is State.STARTED:
        if record.cancel_failed_event_id is not None:  # SWF refused: it fires in its time
            return Resolution(RUNNING, answered=True)
        return Resolution(decision=decisions.cancel_timer(command.id))
    if state is State.FIRED:
        return Resolution(FINISHED, None, answered=True)
    if state is State.CANCELED:
        return Resolution(CANCELLED, answered=True)
    return Resolution(FAILED, exceptions.TaskFailed(command.id, record.cause), answered=True)


def cancel_future(tracker: Any, future: futures.Future) -> bool | None:
    """``future.cancel()`` in the run of *tracker* (its ``CommandTracker``): ask SWF to stop the task behind it.

    Returns:
        False if the task had finished, True if it is cancelled or its cancellation asked; None when
        *future* is no cancellable task of this run (it is then only marked cancelled).
    """
    command = tracker.command_of(future)
    if command is None:
        for waiting in tracker.waiting_submits:
            if waiting.future is future:  # never submitted: it takes no id, no counter
                tracker.waiting_submits.remove(waiting)
                future.set_cancelled()
                return True
        return None
    if command.kind not in CANCELLABLE:
        return None
    if command.cancelled_by_workflow:
        return True
    if command.future._state == futures.FINISHED and not was_requested(tracker.history, command):
        return False
    command.cancelled_by_workflow = True
    tracker.resolve(command)
    return True
