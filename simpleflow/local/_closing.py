"""How SWF itself closes a local run, beside the closing decisions: its execution timeout, the child policy.

SWF's API reference: executionStartToCloseTimeout is "the total duration for this workflow execution";
"exceeding this limit causes the workflow execution to time out" (WorkflowExecutionTimedOut, timeoutType
START_TO_CLOSE, with the childPolicy), and "you can use NONE to specify unlimited duration" (for a child or a
continued run; a start from outside takes none). Each run counts from its own WorkflowExecutionStarted. Its
open tasks are dropped with it: a worker's late answer is refused.
The child policy is "the policy to use for the child workflow executions if this execution gets terminated
by explicitly calling the TerminateWorkflowExecution action or due to an expired timeout": TERMINATE
(WorkflowExecutionTerminated, cause CHILD_POLICY_APPLIED), REQUEST_CANCEL (WorkflowExecutionCancelRequested,
the same cause) or ABANDON. A closed parent hears of nothing more; a parent still open hears of its child's
close (ChildWorkflowExecution{Completed,Failed,Canceled,TimedOut,Terminated}).
A run whose history reaches SWF's limit is terminated too (``history_full``), as on the dev server.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from simpleflow import format
from simpleflow.constants import DEFAULT_CHILD_POLICY, EVENT_LIMIT_EXCEEDED, MAX_HISTORY_EVENTS
from simpleflow.history import CLOSING_EVENTS, attributes
from simpleflow.local._timeouts import START_TO_CLOSE, seconds
from simpleflow.runtime.outcome import CANCELED, COMPLETED, FAILED, TERMINATED, TIMED_OUT, limit_reason

if TYPE_CHECKING:
    from simpleflow.local._run_host import RunHost

CHILD_POLICY_APPLIED = "CHILD_POLICY_APPLIED"


def deadline_of(started: dict[str, Any]) -> float | None:
    """When the run its WorkflowExecutionStarted *started* opens times out (None: no limit)."""
    limit = seconds(attributes(started).get("executionStartToCloseTimeout"))
    return None if limit is None else started["eventTimestamp"] + limit


class ClosingMixin:
    """The closings SWF applies to a run on its own (RunHost's)."""

    deadline: float | None  # when the run times out on the family's clock (None: never)
    # Its parent's child policy asked it to cancel: the family goes on deciding for it once the root closed.
    asked_by_policy: bool = False
    at_limit: bool = False  # terminated as its history reached SWF's limit (history_full)

    def past_deadline(self: RunHost) -> bool:
        """Whether the run is open past its execution timeout."""
        return self.closed is None and self.deadline is not None and self.family.now() >= self.deadline

    def time_out(self: RunHost) -> None:
        """Its executionStartToCloseTimeout passed (``Family.catch_up`` applies what fell due before, in order):
        WorkflowExecutionTimedOut, then its child policy. A decision task an event called for is scheduled
        first, as SWF scheduled it at that event."""
        if self.awake:
            self.awake = False
            self._schedule_decision(at=self.events[-1]["eventTimestamp"])
            if self.closed is not None:  # that event filled its history (history_full)
                return
        policy = self.child_policy
        self._drop_open_work()
        attrs = {"timeoutType": START_TO_CLOSE, "childPolicy": policy}
        # At its deadline (the loop may see it a little later), never before an event already there.
        self._add("WorkflowExecutionTimedOut", attrs, at=max(self.deadline, self.events[-1]["eventTimestamp"]))
        self.close(TIMED_OUT)
        self._apply_child_policy(policy)

    def terminate(self: RunHost, cause: str) -> None:
        """SWF terminates the run (its parent's child policy, its history's limit): WorkflowExecutionTerminated,
        then its own policy."""
        policy = self.child_policy
        self._drop_open_work()
        self._add("WorkflowExecutionTerminated", {"childPolicy": policy, "cause": cause})
        self.close(TERMINATED, reason=limit_reason(cause))
        self._apply_child_policy(policy)

    def history_full(self: RunHost, event_type: str) -> bool:
        """Whether *event_type* cannot be recorded (``_add`` drops it): the history is at SWF's limit, or this
        event would reach it, and the run is terminated instead.

        SWF's quotas page: "Maximum workflow execution history size – 25,000 events. This is a hard quota and
        can't be changed."; its API reference, WorkflowExecutionTerminatedEventAttributes: cause "If set,
        indicates that the workflow execution was automatically terminated, and specifies the cause", one of
        CHILD_POLICY_APPLIED | EVENT_LIMIT_EXCEEDED | OPERATOR_INITIATED. Neither says whether the terminating
        event counts. A history never holds more than its limit here: the 25,000th event is the run's closing
        one, WorkflowExecutionTerminated in place of any other event (a closing event of its own there stays),
        so a run that never closes always ends at event 25,000, whatever its events before. The rest of what
        was under way (the decision's other events, what it starts elsewhere) is dropped, as for a
        termination from outside. The dev server does the same (``simpleflow.devserver._limit``).
        """
        if len(self.events) < MAX_HISTORY_EVENTS - 1:
            return False
        if len(self.events) >= MAX_HISTORY_EVENTS or self.closed is not None:
            return True  # the run closed at its limit: nothing more is recorded
        if event_type in CLOSING_EVENTS:
            return False
        self.at_limit = True
        self.terminate(EVENT_LIMIT_EXCEEDED)
        return True

    @property
    def child_policy(self: RunHost) -> str:
        return attributes(self.events[0]).get("childPolicy") or DEFAULT_CHILD_POLICY

    def _drop_open_work(self: RunHost) -> None:
        """Its activities are given up (their answers dropped) and its timers never fire."""
        self.activities.give_up()
        self._timers.clear()

    def _apply_child_policy(self: RunHost, policy: str) -> None:
        for child in [m for m in self.family.members if m.parent is self and m.closed is None]:
            if policy == "TERMINATE":
                child.terminate(CHILD_POLICY_APPLIED)
            elif policy == "REQUEST_CANCEL":
                child.asked_by_policy = True
                child.request_cancel(cause=CHILD_POLICY_APPLIED)

    def _child_closed(self: RunHost, child: RunHost) -> None:
        """A child run closed (for good, not continued as new): the event SWF gives its parent, if still open."""
        if self.closed is not None:
            return
        outcome = child.closed
        initiated = child.parent_initiated_event_id
        workflow_type = attributes(self.events[initiated - 1])["workflowType"]
        common = {
            "initiatedEventId": initiated,
            "workflowType": workflow_type,
            "workflowExecution": {"workflowId": child.workflow_id, "runId": child.run_id},
        }
        if outcome.status == COMPLETED:
            self._add("ChildWorkflowExecutionCompleted", dict(common, result=format.dumps(outcome.result)))
        elif outcome.status == FAILED:
            self._add("ChildWorkflowExecutionFailed", dict(common, reason=outcome.reason, details=outcome.details))
        elif outcome.status == CANCELED:
            self._add("ChildWorkflowExecutionCanceled", dict(common, details=outcome.details))
        elif outcome.status == TIMED_OUT:
            timeout_type = attributes(child.events[-1]).get("timeoutType")
            self._add("ChildWorkflowExecutionTimedOut", dict(common, timeoutType=timeout_type))
        else:
            self._add("ChildWorkflowExecutionTerminated", common)
