"""An execution's start and close, as SWF's API reference describes them.

moto's start records a few of WorkflowExecutionStarted's attributes, it reports a fixed start time
(2014-12-31) in DescribeWorkflowExecution, its terminate and timeout leave ``closeTimestamp`` unset,
and a closing execution tells no parent and applies no child policy. Here the execution records every
attribute SWF gives (parent, continued run, tags), keeps its real times, and each close goes through
:meth:`LifecycleMixin._close`, which ends its timers, reports to its parent and applies its child policy.
"""

from __future__ import annotations

from typing import Any

from moto.core.utils import unix_time
from moto.swf.models.timeout import Timeout

from simpleflow.devserver import _runtime
from simpleflow.devserver._events import ids, record, workflow_type
from simpleflow.devserver._tasks import seconds


class LifecycleMixin:
    """Start, close, timeouts on time, and the execution's descriptions."""

    def start(self) -> None:
        self.start_timestamp = unix_time()
        parent = self.parent_execution
        record(
            self,
            "WorkflowExecutionStarted",
            {
                "input": self.input,
                "executionStartToCloseTimeout": self.execution_start_to_close_timeout,
                "taskStartToCloseTimeout": self.task_start_to_close_timeout,
                "childPolicy": self.child_policy,
                "taskList": {"name": self.task_list},
                "taskPriority": self.task_priority,
                "workflowType": workflow_type(self),
                "tagList": self.tag_list or None,
                "continuedExecutionRunId": self.continued_execution_run_id,
                "parentWorkflowExecution": ids(parent) if parent is not None else None,
                "parentInitiatedEventId": self.parent_initiated_event_id,
            },
            timestamp=self.start_timestamp,
        )
        self.watch(self.deadlines())
        self.schedule_decision_task()

    # -- timeouts, on time ---------------------------------------------------------

    def watch(self, deadlines: list[tuple[float, str]]) -> None:
        """Have the server's clock look for this execution's timeouts at each deadline."""
        clock = _runtime.current().clock
        for due, _ in deadlines:
            clock.call_at(due, self.check_timeouts)

    def check_timeouts(self) -> None:
        if self.open:
            self._process_timeouts()
            self.wake_decision_pollers()  # a decision task that timed out leaves the scheduled one startable

    def deadlines(self) -> list[tuple[float, str]]:
        limit = seconds(self.execution_start_to_close_timeout)
        if limit is None or self.start_timestamp is None:
            return []
        return [(self.start_timestamp + limit, "START_TO_CLOSE")]

    def first_timeout(self) -> Timeout | None:
        if not self.open:
            return None
        due = [Timeout(self, at, kind) for at, kind in self.deadlines()]
        return next((t for t in due if t.reached), None)

    # -- closing -------------------------------------------------------------------

    def complete(self, event_id: int, result: Any = None) -> None:
        record(self, "WorkflowExecutionCompleted", {"result": result, "decisionTaskCompletedEventId": event_id})
        self._close("COMPLETED", result=result)

    def fail(self, event_id: int, details: Any = None, reason: str | None = None) -> None:
        attrs = {"reason": reason, "details": details, "decisionTaskCompletedEventId": event_id}
        record(self, "WorkflowExecutionFailed", attrs)
        self._close("FAILED", reason=reason, details=details)

    def cancel(self, event_id: int, details: Any = None) -> None:
        record(self, "WorkflowExecutionCanceled", {"details": details, "decisionTaskCompletedEventId": event_id})
        self._close("CANCELED", details=details)

    def terminate(
        self,
        child_policy: str | None = None,
        details: Any = None,
        reason: str | None = None,
        cause: str = "OPERATOR_INITIATED",
    ) -> None:
        # SWF's API reference (TerminateWorkflowExecution): "The child policy, registered with the workflow
        # type or specified when starting this execution, is applied to any open child workflow executions
        # of this workflow execution"; its childPolicy parameter overrides it.
        policy = child_policy or self.child_policy
        attrs = {"reason": reason, "details": details, "childPolicy": policy, "cause": cause}
        record(self, "WorkflowExecutionTerminated", attrs)
        self.close_cause = cause
        self._close("TERMINATED", child_policy=policy)

    def timeout(self, timeout: Timeout) -> None:
        self.timeout_type = timeout.kind
        attrs = {"timeoutType": timeout.kind, "childPolicy": self.child_policy}
        record(self, "WorkflowExecutionTimedOut", attrs, timestamp=timeout.timestamp)
        self._close("TIMED_OUT", timeoutType=timeout.kind)

    def _close(self, status: str, child_policy: str | None = None, **details: Any) -> None:
        """Close the run with *status*; *details* are what its parent hears (result, reason...)."""
        self.execution_status = "CLOSED"
        self.close_details = details
        self.close_status = status
        self.close_timestamp = unix_time()
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        self.open_counts["openTimers"] = 0
        if status != "CONTINUED_AS_NEW":
            self.report_to_parent()
        if status in ("TERMINATED", "TIMED_OUT"):
            self.apply_child_policy(child_policy or self.child_policy)

    # -- descriptions ----------------------------------------------------------------

    def to_medium_dict(self) -> dict[str, Any]:
        info = self.to_list_dict()
        info.pop("closeStatus", None)
        info.pop("closeTimestamp", None)
        return info

    def to_list_dict(self) -> dict[str, Any]:
        info: dict[str, Any] = {
            "execution": ids(self),
            "workflowType": workflow_type(self),
            "startTimestamp": self.start_timestamp,
            "executionStatus": self.execution_status,
            "cancelRequested": self.cancel_requested,
        }
        if self.tag_list:
            info["tagList"] = self.tag_list
        parent = self.parent_execution
        if parent is not None:
            info["parent"] = ids(parent)
        if self.close_status:
            info["closeStatus"] = self.close_status
            info["closeTimestamp"] = self.close_timestamp
        return info
