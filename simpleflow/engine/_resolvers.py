"""One resolver per kind of command: what its history record says of its future, and what is owed.

A resolver is a pure function of (the command's history record, the command)
returning a ``Resolution``: the state and value its future takes, the
decision owed to SWF if any, whether the history answered the decision owed
so far. It changes nothing itself: the run applies the resolution (and the
retry policy to a failed attempt).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from simpleflow import exceptions, format
from simpleflow.engine import _decisions as decisions
from simpleflow.engine._commands import (
    ACTIVITY,
    CACHED,
    CANCEL_TIMER,
    CANCEL_WORKFLOW,
    CHILD_WORKFLOW,
    MARKER,
    SIGNAL,
    TIMER,
    WAIT_SIGNAL,
    Command,
)
from simpleflow.engine._ids import workflow_type_name
from simpleflow.history import (
    OPEN,
    ActivityRecord,
    CancelSentRecord,
    ChildWorkflowRecord,
    History,
    MarkerRecord,
    Record,
    RetriableRecord,
    SignalRecord,
    SignalSentRecord,
    State,
    TimerRecord,
)

# Future states a resolution gives (FAILED: finished with an exception).
PENDING = "PENDING"
RUNNING = "RUNNING"
FINISHED = "FINISHED"
FAILED = "FAILED"
CANCELLED = "CANCELLED"

# ``Resolution.decision`` for an activity or child workflow: the command's own decision (schedule, start), again.
COMMAND_DECISION: Any = object()

# ScheduleActivityTaskFailed causes worth scheduling again (after registering the type, for the first).
RESCHEDULABLE = frozenset(
    {"ACTIVITY_TYPE_DOES_NOT_EXIST", "OPEN_ACTIVITIES_LIMIT_EXCEEDED", "ACTIVITY_CREATION_RATE_EXCEEDED"}
)


@dataclass(slots=True)
class Resolution:
    """What a command's history record means for it."""

    state: str | None = None  # PENDING, RUNNING, FINISHED, FAILED, CANCELLED; None: the future stays as it is
    value: Any = None  # the result (FINISHED) or the exception (FAILED)
    decision: dict[str, Any] | None = None  # a decision now owed (or COMMAND_DECISION)
    answered: bool = False  # the history answered the decision owed so far: it is dropped
    failed_attempt: RetriableRecord | None = None  # the record of a failed attempt: the retry policy decides
    final: bool = False  # a failure no retry can mend: ``raises_on_failure`` applies at once
    register: tuple[str, str, str] | None = None  # (kind, name, version) SWF does not know
    last_event_id: int = 0  # the record's latest event (a value newer than the last decision is news)


# Shared resolutions of the frequent cases without a value (never mutated: a resolution is only read).
_OWES_COMMAND_DECISION = Resolution(decision=COMMAND_DECISION)
_PENDING = Resolution(PENDING, answered=True)
_RUNNING = Resolution(RUNNING, answered=True)


def _attempt_error(command: Command, record: RetriableRecord) -> BaseException:
    state = record.state
    if state is State.TIMED_OUT:
        return exceptions.TimeoutError(record.timeout_type, None)
    if state is State.CANCELED:  # a child workflow's (an activity's cancellation is no failed attempt)
        return exceptions.TaskCanceled(record.details)
    if state is State.TERMINATED:
        return exceptions.TaskTerminated()
    return exceptions.TaskFailed(command.id, record.reason, record.details)


attempt_error = _attempt_error  # the error a failed, timed out, canceled or terminated attempt leaves (_cancel)


def resolve_activity(record: ActivityRecord | None, command: Command) -> Resolution:
    if record is None:
        return _OWES_COMMAND_DECISION
    activity = command.task.activity
    state = record.state
    last = record.last_event_id
    if state is State.COMPLETED:
        # The common case of a full replay, kept short: most of a long history is completed tasks.
        return Resolution(FINISHED, format.loads(record.result), answered=True, last_event_id=last)
    if state is State.SCHEDULE_FAILED:
        cause = record.cause
        if cause in RESCHEDULABLE:
            register = None
            if cause == "ACTIVITY_TYPE_DOES_NOT_EXIST":
                register = ("activity", activity.name, activity.version)
            return Resolution(decision=COMMAND_DECISION, register=register)
        # Scheduling again would be refused again (a deprecated type, an id in use...).
        error = exceptions.TaskFailed(command.id, f"ScheduleActivityTaskFailed: {cause}")
        return Resolution(FAILED, error, answered=True, final=True)
    if state in OPEN:
        return _PENDING if state is State.SCHEDULED else _RUNNING
    failed = state in (State.FAILED, State.TIMED_OUT)
    resolution = Resolution(answered=command.retry_timer is None or not failed, last_event_id=last)
    if state is State.CANCELED:
        resolution.state = CANCELLED
    elif failed:
        resolution.state, resolution.value = FAILED, _attempt_error(command, record)
        resolution.failed_attempt = record
    return resolution


def resolve_child_workflow(record: ChildWorkflowRecord | None, command: Command) -> Resolution:
    if record is None:
        return _OWES_COMMAND_DECISION
    state = record.state
    if state is State.START_FAILED:
        if record.cause == "WORKFLOW_TYPE_DOES_NOT_EXIST":
            workflow = command.task.workflow
            register = ("workflow", workflow_type_name(workflow), workflow.version)
            return Resolution(decision=COMMAND_DECISION, register=register)
        error = exceptions.TaskFailed(command.id, record.cause)
        return Resolution(FAILED, error, answered=True, final=True)
    # As in simpleflow, a canceled or terminated child is a failed attempt (retry, on_task_failure,
    # then raises_on_failure fails the parent).
    failed = state in (State.FAILED, State.TIMED_OUT, State.CANCELED, State.TERMINATED)
    resolution = Resolution(answered=command.retry_timer is None or not failed)
    resolution.last_event_id = record.last_event_id
    if state is State.START_INITIATED:
        resolution.state = PENDING
    elif state is State.STARTED:
        resolution.state = RUNNING
    elif state is State.COMPLETED:
        resolution.state, resolution.value = FINISHED, format.loads(record.result)
    elif failed:
        resolution.state, resolution.value = FAILED, _attempt_error(command, record)
        resolution.failed_attempt = record
    return resolution


def resolve_timer(record: TimerRecord | None, command: Command) -> Resolution:
    if record is None:
        task = command.task
        control = format.dumps(task.control) if task.control is not None else None
        return Resolution(decision=decisions.start_timer(command.id, task.timeout, control))
    state = record.state
    if state is State.STARTED:
        return _RUNNING
    if state is State.FIRED:
        return Resolution(FINISHED, None, answered=True)
    if state is State.CANCELED:
        return Resolution(CANCELLED, answered=True)
    return Resolution(FAILED, exceptions.TaskFailed(command.id, record.cause), answered=True)


def resolve_cancel_timer(record: TimerRecord | None, command: Command) -> Resolution:
    if record is None:
        return Resolution(FINISHED, None)  # nothing to cancel
    if record.state is State.STARTED:
        if record.cancel_failed_event_id is not None:  # SWF refused it: asking again would loop forever
            return Resolution(FAILED, exceptions.TaskFailed(command.id, record.cancel_failed_cause), answered=True)
        return Resolution(decision=decisions.cancel_timer(command.id))
    return Resolution(FINISHED, None, answered=True)


def resolve_marker(record: MarkerRecord | None, command: Command) -> Resolution:
    if record is None:
        return Resolution(decision=decisions.record_marker(command.task.name, _marker_details(command)))
    return Resolution(FINISHED, format.loads(record.details), answered=True)


def resolve_cached(record: MarkerRecord | None, command: Command) -> Resolution:
    return Resolution(answered=record is not None)


def resolve_wait_signal(record: SignalRecord | None, command: Command) -> Resolution:
    return Resolution() if record is None else Resolution(FINISHED, record.input)


def resolve_signal(record: SignalSentRecord | None, command: Command) -> Resolution:
    if record is None:
        task = command.task
        payload = format.dumps({"args": list(task.args), "kwargs": task.kwargs, "__propagate": task.propagate})
        decision = decisions.signal_external_workflow(task.workflow_id, task.run_id, task.name, payload)
        return Resolution(decision=decision)
    if record.state is State.EXECUTION_SIGNALED:
        return Resolution(FINISHED, record.input, answered=True)
    if record.state is State.SIGNAL_EXECUTION_FAILED:
        return Resolution(FAILED, exceptions.TaskFailed(command.task.name, record.cause), answered=True)
    return Resolution(RUNNING, answered=True)


def resolve_cancel_workflow(record: CancelSentRecord | None, command: Command) -> Resolution:
    task = command.task
    if record is None:
        return Resolution(decision=decisions.request_cancel_external_workflow(task.workflow_id, task.run_id))
    if record.state is State.REQUESTED:
        return Resolution(FINISHED, None, answered=True)
    if record.state is State.FAILED:
        reason = f"RequestCancelExternalWorkflowExecutionFailed: {record.cause}"
        return Resolution(FAILED, exceptions.TaskFailed(task.workflow_id, reason), answered=True)
    return Resolution(RUNNING, answered=True)


# -- each kind's history record ---------------------------------------------------


def _marker_details(command: Command) -> str | None:
    details = command.task.details
    return format.dumps(details) if details is not None else None


def _marker_record(history: History, command: Command) -> MarkerRecord | None:
    """The last recorded marker of the command's name and details."""
    details = _marker_details(command)
    found = None
    for marker in history.markers.get(command.task.name, ()):
        if marker.state is State.RECORDED and marker.details == details:
            found = marker
    return found


def _cached_record(history: History, command: Command) -> MarkerRecord | None:
    for marker in history.markers.get(command.id, ()):
        if marker.state is State.RECORDED:
            return marker
    return None


def _wait_signal_record(history: History, command: Command) -> SignalRecord | None:
    """The signal the command waits for: the latest of its name, or its nth arrival."""
    task = command.task
    nth = getattr(task, "nth", None)
    if nth is None:
        return history.signals.get(task.signal_name)
    received = history.signal_lists.get(task.signal_name, ())
    return received[nth - 1] if len(received) >= nth else None


def _signal_record(history: History, command: Command) -> SignalSentRecord | None:
    """The last signal sent to the command's workflow under its name."""
    task = command.task
    found = None
    for sent in history.signaled_workflows.get(task.name, ()):
        if sent.workflow_id == task.workflow_id and (task.run_id is None or sent.run_id == task.run_id):
            found = sent
    return found


def _cancel_workflow_record(history: History, command: Command) -> CancelSentRecord | None:
    """The last cancel request sent to the command's execution."""
    task = command.task
    found = None
    for sent in history.external_cancels.get(task.workflow_id, ()):
        if task.run_id is None or sent.run_id == task.run_id:
            found = sent
    return found


Resolver = Callable[[Any, Command], Resolution]

# kind -> (its history record, its resolver)
RESOLVERS: dict[str, tuple[Callable[[History, Command], Record | None], Resolver]] = {
    ACTIVITY: (lambda history, command: history.activities.get(command.id), resolve_activity),
    CHILD_WORKFLOW: (lambda history, command: history.child_workflows.get(command.id), resolve_child_workflow),
    TIMER: (lambda history, command: history.timers.get(command.id), resolve_timer),
    CANCEL_TIMER: (lambda history, command: history.timers.get(command.id), resolve_cancel_timer),
    MARKER: (_marker_record, resolve_marker),
    CACHED: (_cached_record, resolve_cached),
    WAIT_SIGNAL: (_wait_signal_record, resolve_wait_signal),
    SIGNAL: (_signal_record, resolve_signal),
    CANCEL_WORKFLOW: (_cancel_workflow_record, resolve_cancel_workflow),
}
