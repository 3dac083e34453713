"""What the history says of each task: one small typed record per activity, child workflow, timer, marker,
signal or request, and the ``State`` it is in.

The fold (``_fold``) keeps these records up to date one event at a time; the engine's resolvers read them.
A record is what SWF's events said last: its ``state`` and the fields of the events that brought it there.
``as_dict()`` gives it in the original simpleflow's shape (its history's per-task dicts, with the keys its
events set, in that order), for hooks and ``workflow.history``.

Slots, not dicts: a cached run holds one record per task for as long as it is cached (the decider's run
cache budgets them; ``bench/decider_memory.py`` measures the bytes per cached event).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any, ClassVar


class State(str, Enum):
    """The state a task is in, spelled as simpleflow's history spells it (``State.COMPLETED == "completed"``)."""

    # activities and child workflows
    SCHEDULED = "scheduled"
    SCHEDULE_FAILED = "schedule_failed"
    START_INITIATED = "start_initiated"
    START_FAILED = "start_failed"
    STARTED = "started"
    COMPLETED = "completed"
    FAILED = "failed"
    TIMED_OUT = "timed_out"
    CANCELED = "canceled"
    TERMINATED = "terminated"
    # timers (also STARTED, START_FAILED, CANCELED)
    FIRED = "fired"
    # markers (also FAILED)
    RECORDED = "recorded"
    # signals received
    SIGNALED = "signaled"
    # signals sent to another execution
    SIGNAL_EXECUTION_INITIATED = "signal_execution_initiated"
    EXECUTION_SIGNALED = "execution_signaled"
    SIGNAL_EXECUTION_FAILED = "signal_execution_failed"
    # cancel requests sent to another execution (also FAILED)
    INITIATED = "initiated"
    REQUESTED = "requested"

    def __str__(self) -> str:
        return self.value


OPEN = frozenset({State.SCHEDULED, State.STARTED})  # an activity SWF still holds
# An attempt that ended without a result: the retry rules decide what comes next.
FAILED_ATTEMPT = frozenset({State.FAILED, State.TIMED_OUT, State.CANCELED, State.TERMINATED})
_CLOSED = frozenset({State.COMPLETED, State.FAILED, State.TIMED_OUT, State.CANCELED, State.TERMINATED})


def _put(out: dict[str, Any], record: Any, names: tuple[str, ...]) -> None:
    for name in names:
        out[name] = getattr(record, name)


@dataclass(slots=True, eq=False)
class ActivityRecord:
    """An activity task: its latest attempt's events, and ``retry``, simpleflow's count of failed attempts.

    ``closed_id``/``closed_timestamp`` are the event that closed the latest attempt (``state`` says which:
    completed, failed, timed out or canceled). ``retry`` is None before the first failure, then 0, 1, ...
    (simpleflow's count). A compacted record (``History.compact``) keeps only ``COMPACT_FIELDS``.
    """

    kind: ClassVar[str] = "activity"
    COMPACT_FIELDS: ClassVar[tuple[str, ...]] = ("id", "state", "name", "result", "last_event_id", "retry")

    id: str
    first_event_id: int
    state: State = State.SCHEDULED
    last_event_id: int = 0
    name: str | None = None
    version: str | None = None
    scheduled_id: int | None = None
    scheduled_timestamp: Any = None
    input: str | None = None
    task_list: str | None = None
    control: str | None = None
    decision_task_completed_event_id: int | None = None
    started_id: int | None = None
    started_timestamp: Any = None
    identity: str | None = None
    closed_id: int | None = None
    closed_timestamp: Any = None
    result: str | None = None
    reason: str | None = None
    details: str | None = None
    timeout_type: str | None = None
    retry: int | None = None
    cause: str | None = None  # why SWF refused to schedule it (SCHEDULE_FAILED)
    activity_type: dict[str, str] | None = None  # the type SWF refused to schedule
    schedule_failed_id: int | None = None
    cancel_requested_id: int | None = None
    request_cancel_failed_id: int | None = None
    request_cancel_failed_cause: str | None = None

    @property
    def cancel_asked(self) -> bool:
        """A cancel request for it reached SWF (recorded, or refused)."""
        return self.cancel_requested_id is not None or self.request_cancel_failed_id is not None

    def compact(self) -> None:
        """Let go of every field but ``COMPACT_FIELDS`` (all that resolving a completed task reads)."""
        keep = self.COMPACT_FIELDS
        for name in _ACTIVITY_FIELDS:
            if name not in keep:
                setattr(self, name, None)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.kind, "id": self.id, "first_event_id": self.first_event_id}
        out["state"] = self.state.value
        if self.scheduled_id is not None:
            _put(out, self, ("name", "version", "scheduled_id", "scheduled_timestamp", "input", "task_list"))
            _put(out, self, ("control", "decision_task_completed_event_id"))
        if self.schedule_failed_id is not None:
            _put(out, self, ("cause", "activity_type", "schedule_failed_id"))
        out["last_event_id"] = self.last_event_id
        if self.started_id is not None:
            _put(out, self, ("started_id", "started_timestamp", "identity"))
        if self.closed_id is not None and self.state in _CLOSED:
            out[f"{self.state.value}_id"] = self.closed_id
            out[f"{self.state.value}_timestamp"] = self.closed_timestamp
            closing = {State.COMPLETED: ("result",), State.FAILED: ("reason", "details")}
            closing[State.TIMED_OUT] = ("timeout_type", "details")
            closing[State.CANCELED] = ("details",)
            _put(out, self, closing[self.state])
        if self.retry is not None:
            out["retry"] = self.retry
        if self.cancel_requested_id is not None:
            out["cancel_requested_id"] = self.cancel_requested_id
        if self.request_cancel_failed_id is not None:
            _put(out, self, ("request_cancel_failed_id", "request_cancel_failed_cause"))
        return out


_ACTIVITY_FIELDS = tuple(ActivityRecord.__slots__)


@dataclass(slots=True, eq=False)
class ChildWorkflowRecord:
    """A child workflow: its latest start's events, and ``retry`` as an activity's (canceled and terminated
    children count as failed attempts)."""

    kind: ClassVar[str] = "child_workflow"

    id: str  # the child's workflow id
    first_event_id: int
    state: State = State.START_INITIATED
    last_event_id: int = 0
    name: str | None = None
    version: str | None = None
    run_id: str | None = None
    input: str | None = None
    control: str | None = None
    task_list: str | None = None
    initiated_event_id: int | None = None
    decision_task_completed_event_id: int | None = None
    started_id: int | None = None
    started_timestamp: Any = None
    closed_id: int | None = None
    closed_timestamp: Any = None
    result: str | None = None
    reason: str | None = None
    details: str | None = None
    timeout_type: str | None = None
    retry: int | None = None
    cause: str | None = None  # why SWF refused to start it (START_FAILED)

    @property
    def workflow_id(self) -> str:
        return self.id

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.kind, "id": self.id, "first_event_id": self.first_event_id}
        out["state"] = self.state.value
        if self.initiated_event_id is not None:
            out["workflow_id"] = self.id
            _put(out, self, ("name", "version", "input", "control", "task_list", "initiated_event_id"))
            out["decision_task_completed_event_id"] = self.decision_task_completed_event_id
        elif self.cause is not None:  # refused before any start was initiated
            _put(out, self, ("cause", "name", "version"))
        out["last_event_id"] = self.last_event_id
        if self.started_id is not None:
            _put(out, self, ("started_id", "started_timestamp"))
        if self.run_id is not None:
            out["run_id"] = self.run_id
        if self.closed_id is not None and self.state in _CLOSED:
            out[f"{self.state.value}_id"] = self.closed_id
            out[f"{self.state.value}_timestamp"] = self.closed_timestamp
            closing = {State.COMPLETED: ("result",), State.FAILED: ("reason", "details")}
            closing[State.TIMED_OUT], closing[State.CANCELED] = ("timeout_type",), ("details",)
            _put(out, self, closing.get(self.state, ()))
        if self.retry is not None:
            out["retry"] = self.retry
        return out


RetriableRecord = ActivityRecord | ChildWorkflowRecord  # a task with attempts (retried, counted)


@dataclass(slots=True, eq=False)
class TimerRecord:
    """A timer: started, then fired or canceled (or refused: START_FAILED)."""

    kind: ClassVar[str] = "timer"

    id: str
    state: State = State.STARTED
    last_event_id: int = 0
    start_to_fire_timeout: str | None = None
    control: str | None = None
    started_event_id: int | None = None
    started_timestamp: Any = None
    decision_task_completed_event_id: int | None = None
    closed_event_id: int | None = None  # the event that fired, canceled or refused it
    closed_timestamp: Any = None
    cause: str | None = None
    cancel_decision_task_completed_event_id: int | None = None  # the decision that canceled it
    cancel_failed_event_id: int | None = None  # SWF refused to cancel it (it keeps its state)
    cancel_failed_timestamp: Any = None
    cancel_failed_cause: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.kind, "id": self.id, "state": self.state.value}
        if self.started_event_id is not None:
            _put(out, self, ("start_to_fire_timeout", "control", "started_event_id", "started_timestamp"))
            out["decision_task_completed_event_id"] = self.decision_task_completed_event_id
        out["last_event_id"] = self.last_event_id
        if self.closed_event_id is not None and self.state is not State.STARTED:
            out[f"{self.state.value}_event_id"] = self.closed_event_id
            out[f"{self.state.value}_timestamp"] = self.closed_timestamp
        if self.cause is not None:
            out["cause"] = self.cause
        if self.state is State.CANCELED:
            out["cancel_decision_task_completed_event_id"] = self.cancel_decision_task_completed_event_id
        elif self.state is State.START_FAILED and self.started_event_id is None:
            out["decision_task_completed_event_id"] = self.decision_task_completed_event_id
        if self.cancel_failed_event_id is not None:
            _put(out, self, ("cancel_failed_event_id", "cancel_failed_timestamp", "cancel_failed_cause"))
        return out


@dataclass(slots=True, eq=False)
class MarkerRecord:
    """One RecordMarker decision's outcome (RECORDED, or FAILED with a cause)."""

    kind: ClassVar[str] = "marker"

    name: str
    state: State
    details: str | None
    cause: str | None
    event_id: int
    timestamp: Any

    @property
    def last_event_id(self) -> int:
        return self.event_id

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.kind, "name": self.name, "state": self.state.value}
        _put(out, self, ("details", "cause", "event_id", "last_event_id", "timestamp"))
        return out


@dataclass(slots=True, eq=False)
class SignalRecord:
    """A signal the execution received; ``input`` decoded from JSON."""

    kind: ClassVar[str] = "signal"

    name: str
    input: Any
    external_workflow_id: str | None
    external_run_id: str | None
    event_id: int
    timestamp: Any
    state: State = State.SIGNALED
    external_initiated_event_id: int | None = None  # the sender's SignalExternalWorkflowExecutionInitiated

    @property
    def last_event_id(self) -> int:
        return self.event_id

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.kind, "name": self.name, "state": self.state.value}
        _put(out, self, ("input", "external_workflow_id", "external_run_id", "external_initiated_event_id"))
        _put(out, self, ("event_id", "last_event_id", "timestamp"))
        return out


@dataclass(slots=True, eq=False)
class SignalSentRecord:
    """A signal the execution sent to another one; ``input`` decoded from JSON."""

    kind: ClassVar[str] = "external_workflow"

    name: str
    workflow_id: str | None
    run_id: str | None
    input: Any
    control: str | None
    initiated_event_id: int
    last_event_id: int
    state: State = State.SIGNAL_EXECUTION_INITIATED
    cause: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.kind, "name": self.name, "state": self.state.value}
        _put(out, self, ("workflow_id", "run_id", "input", "control", "initiated_event_id", "last_event_id"))
        if self.state is not State.SIGNAL_EXECUTION_INITIATED:
            out["cause"] = self.cause
        return out


@dataclass(slots=True, eq=False)
class CancelSentRecord:
    """A cancel request the execution sent to another one (a child or any)."""

    kind: ClassVar[str] = "external_cancel"

    workflow_id: str | None
    run_id: str | None
    control: str | None
    initiated_event_id: int
    last_event_id: int
    state: State = State.INITIATED
    cause: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.kind, "state": self.state.value}
        _put(out, self, ("workflow_id", "run_id", "control", "initiated_event_id", "last_event_id"))
        if self.state is not State.INITIATED:
            out["cause"] = self.cause
        return out


@dataclass(slots=True, frozen=True)
class ClosingFailure:
    """SWF refused a decision that would have closed the execution (e.g. UNHANDLED_DECISION)."""

    type: str  # the event type: CompleteWorkflowExecutionFailed, ...
    cause: str | None


@dataclass(slots=True, frozen=True)
class CancelFailure:
    """SWF refused the execution's CancelWorkflowExecution decision."""

    cause: str | None
    decision_task_completed_event_id: int | None
