"""Patching: changing a workflow's code while executions of the old code are still open.

``Workflow.patched(change_id)`` answers whether this execution takes the new
path at this line of ``run``. A history that already holds the marker
``simpleflow.patch:<change id>`` says yes; otherwise the history decides: if it
holds a decision the code before this line does not account for, the
execution went past this line under the old code (its decision task
completed without the marker), so the answer is no and it keeps its old
path. Otherwise the line is reached for the first time: the answer is yes and
the marker is recorded with the decisions of the same decision task.

The rule is deterministic: once the answer is yes, every decision that
follows this line sorts after the marker, so no later history can hold one
without the other; once it is no, the decision that says so stays in the
history. An execution that went past the line without leaving anything the
history shows may take the new path: nothing recorded contradicts it.

Bookkeeping is not evidence: the wake-up timer, patch markers (of any change)
and signals the engine propagates are never counted.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from typing import Any, Protocol

from simpleflow import constants, format
from simpleflow.engine._commands import (
    ACTIVITY,
    CANCEL_TIMER,
    CANCEL_WORKFLOW,
    CHILD_WORKFLOW,
    MARKER,
    SIGNAL,
    TIMER,
    Command,
)
from simpleflow.engine._fit import Unfit
from simpleflow.engine._ids import policy_timer_id
from simpleflow.engine._repair import MARKER_PREFIX as REPAIR_PREFIX
from simpleflow.history import History, SignalSentRecord, State

MARKER_PREFIX = "simpleflow.patch:"
MAX_CHANGE_ID = 256 - len(MARKER_PREFIX)  # SWF's markerName holds 256 characters
_CACHED_PREFIX = "simpleflow.cached:"
_ENGINE_PREFIX = "simpleflow."  # markers simpleflow keeps for itself (patches, @cached, repairs, ...)


class Accounts(Protocol):
    """What the code has done so far in this replay (the run's ``CommandTracker``)."""

    commands: Mapping[tuple[str, str], Command]

    def named(self, kind: str, name: str) -> Collection[Command]: ...

    def cached_count(self, name: str) -> int: ...


def marker_name(change_id: Any) -> str:
    """The marker of *change_id*.

    Raises:
        TypeError: *change_id* is not a string.
        ValueError: it is empty or longer than SWF's marker name allows once prefixed.
    """
    if not isinstance(change_id, str):
        raise TypeError(f"a patch change id must be a string, not {type(change_id).__name__}")
    if not change_id:
        raise ValueError("a patch change id must not be empty")
    if len(change_id) > MAX_CHANGE_ID:
        raise ValueError(
            f"patch change id is {len(change_id)} characters, more than {MAX_CHANGE_ID} "
            f"(SWF's 256 for a marker name, less {MARKER_PREFIX!r})"
        )
    return MARKER_PREFIX + change_id


def marker_details(change_id: str) -> str:
    return format.dumps({"change_id": change_id})


def recorded(history: History, change_id: str) -> bool:
    """The history holds the marker of *change_id*."""
    return any(r.state is State.RECORDED for r in history.markers.get(MARKER_PREFIX + change_id, ()))


def recorded_ids(history: History) -> list[str]:
    """The change ids whose markers the history holds, in name order."""
    return sorted(
        name[len(MARKER_PREFIX) :]
        for name, records in history.markers.items()
        if name.startswith(MARKER_PREFIX) and any(r.state is State.RECORDED for r in records)
    )


def unaccounted(history: History, accounts: Accounts) -> str | None:
    """The first decision in *history* the code so far does not account for, described; None if none.

    A decision counts when SWF recorded an event for it: a task scheduled (or refused), a timer
    started, a marker, a signal sent, a cancellation asked (of an activity, a timer, a child or
    any execution), the run closed by its own decision.
    """
    commands = accounts.commands
    for task_id in history.activities:
        if (ACTIVITY, task_id) not in commands:
            return f"activity {task_id!r}"
    for workflow_id in history.child_workflows:
        if (CHILD_WORKFLOW, workflow_id) not in commands:
            return f"child workflow {workflow_id!r}"
    for timer_id in history.timers:
        if not _timer_accounted(timer_id, commands):
            return f"timer {timer_id!r}"
    for found in unasked_cancellations(history, accounts):
        return found
    for name, records in history.markers.items():
        if not _markers_accounted(name, records, accounts):
            return f"marker {name!r}"
    for name, records in history.signaled_workflows.items():
        if name in history.signal_lists:
            continue  # the engine may have propagated a signal this execution received
        sent = accounts.named(SIGNAL, name)
        for record in records:
            if not any(_signals(c, record) for c in sent):
                return f"signal {name!r} to {record.workflow_id!r}"
    if history.closed in _CLOSED_BY_RUN or history.closing_decision_failures:
        return "the run's closing decision"
    return None


def untaken(history: History, accounts: Accounts) -> list[Unfit]:
    """The workflow's own decisions in *history* the code so far never takes, each with its event.

    An activity or child workflow it never submits, a timer it never starts, a marker the history records
    more often than the code does. simpleflow's own are not the code's: its wake-up and retry timers
    (a retry's wait follows its task), its markers (patches, ``@cached`` and ``now()``, repairs).
    """
    commands = accounts.commands
    found = [
        Unfit(
            f"{kind} {task_id!r} ({record.name}) is in the history but the code never submits it",
            kind,
            task_id,
            record.first_event_id,
        )
        for kind, records in ((ACTIVITY, history.activities), (CHILD_WORKFLOW, history.child_workflows))
        for task_id, record in records.items()
        if (kind, task_id) not in commands
    ]
    for timer_id, record in history.timers.items():
        if timer_id == constants.WAKE_UP_TIMER or timer_id.startswith(_ENGINE_TIMER_PREFIXES):
            continue
        if (TIMER, timer_id) not in commands:
            text = f"timer {timer_id!r} is in the history but the code never starts it"
            found.append(Unfit(text, TIMER, timer_id, record.started_event_id or record.closed_event_id or 0))
    for name, records in history.markers.items():
        if name.startswith(_ENGINE_PREFIX):
            continue
        # A marker refused (RecordMarkerFailed) is decided again: only the recorded ones count.
        kept = [r for r in records if r.state is State.RECORDED]
        given = len(accounts.named(MARKER, name))
        if len(kept) > given:
            text = (
                "is in the history but the code never records it"
                if not given
                else f"is recorded {len(kept)} times in the history, the code records it {_times(given)}"
            )
            found.append(Unfit(f"marker {name!r} {text}", MARKER, name, kept[given].event_id))
    return found


def unasked_cancellations(history: History, accounts: Accounts) -> Iterator[str]:
    """The cancel requests in *history* the code so far has not asked, described (of the tasks it submitted).

    ``future.cancel()`` asks RequestCancelActivityTask, CancelTimer (of the timer, or of the retry
    timer of a task between attempts) and RequestCancelExternalWorkflowExecution (of a child);
    ``self.cancel_timer`` and ``self.cancel_workflow`` ask CancelTimer and RequestCancelExternal-
    WorkflowExecution by id.
    """
    commands = accounts.commands
    for task_id, record in history.activities.items():
        # The event that asked to cancel it: most activities have none, ruled out before any lookup.
        asked = record.cancel_requested_id or record.request_cancel_failed_id
        if asked and _asked_by_code(history, asked):
            command = commands.get((ACTIVITY, task_id))
            if command is not None and not command.cancelled_by_workflow:
                yield f"the cancellation of activity {task_id!r}"
    for timer_id, record in history.timers.items():
        if record.state is State.CANCELED or record.cancel_failed_event_id is not None:
            if _timer_accounted(timer_id, commands) and not _timer_cancel_accounted(timer_id, commands):
                yield f"the cancellation of timer {timer_id!r}"
    for workflow_id, records in history.external_cancels.items():
        child = commands.get((CHILD_WORKFLOW, workflow_id))
        if child is not None and child.cancelled_by_workflow:
            continue  # future.cancel() on the child asked it
        by_id = accounts.named(CANCEL_WORKFLOW, workflow_id)
        if any(not any(c.task.run_id in (None, r.run_id) for c in by_id) for r in records):
            yield f"the cancellation of workflow {workflow_id!r}"


def _times(count: int) -> str:
    return "once" if count == 1 else f"{count} times"


_ENGINE_TIMER_PREFIXES = (constants.RETRY_TIMER_PREFIX, constants.RETRY_POLICY_TIMER_PREFIX)
_CLOSED_BY_RUN = frozenset({"WorkflowExecutionCompleted", "WorkflowExecutionFailed", "WorkflowExecutionContinuedAsNew"})


def _asked_by_code(history: History, asked: int) -> bool:
    """An activity's cancel request (its event id *asked*: recorded, or refused) is the workflow's code's,
    not of an accepted cancel request of the execution (which cancels every open activity)."""
    return history.cancel_requested_id is None or asked < history.cancel_requested_id


def _retry_wait_of(timer_id: str, commands: Mapping[tuple[str, str], Command]) -> Command | None:
    """The task whose retry waits on *timer_id* (``on_task_failure``'s or a ``RetryPolicy``'s), if any."""
    if timer_id.startswith(constants.RETRY_TIMER_PREFIX):
        task_id = timer_id[len(constants.RETRY_TIMER_PREFIX) :]
        return commands.get((ACTIVITY, task_id)) or commands.get((CHILD_WORKFLOW, task_id))
    if timer_id.startswith(constants.RETRY_POLICY_TIMER_PREFIX):  # "<prefix><attempt>_<task id or its md5>"
        attempt, _, task_id = timer_id[len(constants.RETRY_POLICY_TIMER_PREFIX) :].partition("_")
        command = commands.get((ACTIVITY, task_id)) or commands.get((CHILD_WORKFLOW, task_id))
        if command is not None or not (attempt.isascii() and attempt.isdigit()):  # int() refuses '²'
            return command
        for (kind, key), command in commands.items():
            if kind in (ACTIVITY, CHILD_WORKFLOW) and policy_timer_id(key, int(attempt)) == timer_id:
                return command
    return None


def _timer_accounted(timer_id: str, commands: Mapping[tuple[str, str], Command]) -> bool:
    if timer_id == constants.WAKE_UP_TIMER:
        return True
    if timer_id.startswith((constants.RETRY_TIMER_PREFIX, constants.RETRY_POLICY_TIMER_PREFIX)):
        return _retry_wait_of(timer_id, commands) is not None  # a retry's wait belongs to its task
    return (TIMER, timer_id) in commands


def _timer_cancel_accounted(timer_id: str, commands: Mapping[tuple[str, str], Command]) -> bool:
    if (CANCEL_TIMER, timer_id) in commands:  # self.cancel_timer(timer_id)
        return True
    command = commands.get((TIMER, timer_id)) or _retry_wait_of(timer_id, commands)
    return command is not None and command.cancelled_by_workflow  # future.cancel() on the timer or the task


def _markers_accounted(name: str, records: list[dict[str, Any]], accounts: Accounts) -> bool:
    if name.startswith(_CACHED_PREFIX):  # "<function>:<n>": the n-th call of the function
        function, _, count = name.rpartition(":")
        return not (count.isascii() and count.isdigit()) or int(count) <= accounts.cached_count(function)
    if name.startswith(REPAIR_PREFIX):
        for record in records:
            value = format.loads(record.details)
            if isinstance(value, dict) and (ACTIVITY, value.get("task_id")) not in accounts.commands:
                return False
        return True
    if name.startswith(_ENGINE_PREFIX):
        return True
    # A marker refused (RecordMarkerFailed) is decided again: only the recorded ones count.
    return sum(r.state is State.RECORDED for r in records) <= len(accounts.named(MARKER, name))


def _signals(command: Command, record: SignalSentRecord) -> bool:
    task = command.task
    return task.workflow_id == record.workflow_id and (task.run_id is None or task.run_id == record.run_id)
