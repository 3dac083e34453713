"""The in-process host: SWF's part played locally, over an in-memory history.

It feeds the engine the events SWF would append, carries out the engine's
decisions itself (runs activities in this process, fires timers on a virtual
clock, delivers signals, runs child workflows) and appends the resulting
events, until the workflow closes. Because the engine is the one the SWF
host uses, a local run takes the same decisions, with the same task ids,
as a run on SWF.
"""

from __future__ import annotations

import concurrent.futures
import heapq
import itertools
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from simpleflow import activity as activity_registry
from simpleflow import format
from simpleflow.engine import ExecutionInfo, WorkflowRun
from simpleflow.outcome import ActivityOutcome, failure, run_activity

logger = logging.getLogger(__name__)


# Events after which SWF schedules a decision task.
_WAKING_EVENTS = frozenset({
    "ActivityTaskCompleted", "ActivityTaskFailed", "ActivityTaskTimedOut", "ActivityTaskCanceled",
    "ScheduleActivityTaskFailed", "TimerFired", "StartTimerFailed", "RecordMarkerFailed", "CancelTimerFailed",
    "WorkflowExecutionSignaled", "WorkflowExecutionCancelRequested", "ChildWorkflowExecutionStarted",
    "ChildWorkflowExecutionCompleted", "ChildWorkflowExecutionFailed", "ChildWorkflowExecutionTimedOut",
    "ChildWorkflowExecutionCanceled", "ChildWorkflowExecutionTerminated", "StartChildWorkflowExecutionFailed",
    "ExternalWorkflowExecutionSignaled", "SignalExternalWorkflowExecutionFailed",
})  # fmt: skip


@dataclass
class LocalResult:
    """How a local execution ended: ``status`` is completed, failed, canceled or continued_as_new."""

    status: str
    result: Any = None
    reason: str | None = None
    details: str | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    workflow_id: str = ""
    run_id: str = ""


@dataclass(order=True)
class _Timer:
    fire_at: float
    seq: int
    timer_id: str = field(compare=False)
    started_event_id: int = field(compare=False)


@dataclass(order=True)
class _Signal:
    at: float
    seq: int
    name: str = field(compare=False)
    input: Any = field(compare=False)


class LocalExecution:
    """One workflow execution carried out in this process."""

    def __init__(
        self,
        workflow_class: type,
        input: dict[str, Any],
        *,
        workers: int = 1,
        workflow_id: str | None = None,
        tag_list: list[str] | None = None,
        signals: list[tuple[float, str, Any]] = (),
        parent: LocalExecution | None = None,
        parent_initiated_event_id: int | None = None,
        real_time: bool = False,
        continued_from: str | None = None,
    ) -> None:
        self.workflow_class = workflow_class
        self.input = input
        self.workers = max(1, workers)
        self.workflow_id = workflow_id or f"local-{workflow_class.name or workflow_class.__name__}-{uuid.uuid4().hex[:8]}"
        self.run_id = uuid.uuid4().hex
        self.tag_list = tag_list
        self.parent = parent
        self.real_time = real_time
        self.events: list[dict[str, Any]] = []
        self._wake = False  # an event SWF would schedule a decision task for was added
        self._fed = 0  # events already given to the engine
        self._offset = 0.0  # virtual seconds the clock jumped ahead (timers)
        self._t0 = time.time()
        self._timers: list[_Timer] = []
        self._seq = itertools.count()
        self._signals: list[_Signal] = [_Signal(at, next(self._seq), name, value) for at, name, value in signals]
        heapq.heapify(self._signals)
        self._running: dict[concurrent.futures.Future, tuple[int, int]] = {}  # job -> scheduled, started ids
        self._scheduled: dict[str, int] = {}  # activity id -> scheduled event id
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None
        self._children: dict[int, LocalExecution] = {}
        self.run = WorkflowRun(workflow_class, ExecutionInfo(domain="local", workflow_id=self.workflow_id,
                                                             run_id=self.run_id))  # fmt: skip
        parent_execution = {"workflowId": parent.workflow_id, "runId": parent.run_id} if parent else None
        self._add("WorkflowExecutionStarted", {
            "input": format.dumps(input),
            "workflowType": {"name": workflow_class.name, "version": workflow_class.version},
            "taskList": {"name": workflow_class.task_list or "default"},
            "tagList": tag_list or [],
            "childPolicy": workflow_class.child_policy or "TERMINATE",
            "executionStartToCloseTimeout": str(workflow_class.execution_timeout or ""),
            "taskStartToCloseTimeout": str(workflow_class.decision_tasks_timeout or ""),
            "parentWorkflowExecution": parent_execution,
            "parentInitiatedEventId": parent_initiated_event_id or 0,
            "continuedExecutionRunId": continued_from,
        })  # fmt: skip
        self.closed: LocalResult | None = None

    # -- the loop -------------------------------------------------------------

    def execute(self) -> LocalResult:
        """Run the execution to its end."""
        try:
            self._schedule_decision()
            while self.closed is None:
                decisions = self._decide()
                self._carry_out(decisions)
                if self.closed is not None:
                    break
                if not self._wait_for_news():
                    self._close("failed", reason="workflow is stuck: it waits for a result, timer or signal "
                                                 "that can never come")  # fmt: skip
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)
            self.run.close()
        return self.closed

    def _decide(self) -> list[dict[str, Any]]:
        started = self._add("DecisionTaskStarted", {"scheduledEventId": self.events[-1]["eventId"]})
        new = self.events[self._fed :]
        self._fed = len(self.events)
        decisions = self.run.advance(new)
        self._add("DecisionTaskCompleted", {"scheduledEventId": started - 1, "startedEventId": started})
        return decisions

    def _schedule_decision(self) -> None:
        self._add("DecisionTaskScheduled", {"taskList": {"name": self.workflow_class.task_list or "default"}})

    def _wait_for_news(self) -> bool:
        """Let time pass until an event SWF would wake the decider for; False when none ever can come."""
        while not self._wake:
            if self._running:
                self._collect_activities(block=True)
            elif self._timers or self._signals:
                self._advance_clock()
            else:
                return False
        self._wake = False
        self._schedule_decision()
        return True

    # -- decisions --------------------------------------------------------------

    def _carry_out(self, decisions: list[dict[str, Any]]) -> None:
        completed_id = self.events[-1]["eventId"]
        for decision in decisions:
            kind = decision["decisionType"]
            attrs = decision[kind[0].lower() + kind[1:] + "DecisionAttributes"]
            getattr(self, f"_do_{kind}")(attrs, completed_id)
            if self.closed is not None:
                return
        if self._running and self.workers == 1:
            self._collect_activities(block=True)

    def _do_ScheduleActivityTask(self, a: dict[str, Any], completed_id: int) -> None:  # noqa: N802
        scheduled = self._add("ActivityTaskScheduled", dict(a, decisionTaskCompletedEventId=completed_id))
        self._scheduled[a["activityId"]] = scheduled
        act = activity_registry.find(a["activityType"]["name"])
        context = {"workflow_id": self.workflow_id, "run_id": self.run_id, "activity_id": a["activityId"],
                   "input": a.get("input")}  # fmt: skip
        if act is None:
            job: Callable[[], ActivityOutcome] = lambda: failure(
                LookupError(f"activity {a['activityType']['name']!r} is not declared"))  # fmt: skip
        else:
            job = lambda: run_activity(act, a.get("input"), context)  # noqa: E731
        if self._pool is None:
            self._pool = concurrent.futures.ThreadPoolExecutor(self.workers, thread_name_prefix="simpleflow-activity")
        started = self._add("ActivityTaskStarted", {"scheduledEventId": scheduled, "identity": "local"})
        if self.workers == 1:
            # One worker: run it now, in order, as a single SWF worker would (and without a thread hop).
            done: concurrent.futures.Future = concurrent.futures.Future()
            done.set_result(job())
            self._running[done] = (scheduled, started)
        else:
            self._running[self._pool.submit(job)] = (scheduled, started)

    def _collect_activities(self, block: bool) -> None:
        if block:
            done, _ = concurrent.futures.wait(self._running, return_when=concurrent.futures.FIRST_COMPLETED)
        else:
            done = [f for f in self._running if f.done()]
        for job in [f for f in self._running if f in done]:
            scheduled, started = self._running.pop(job)
            outcome: ActivityOutcome = job.result()
            ids = {"scheduledEventId": scheduled, "startedEventId": started}
            if outcome.status == "completed":
                self._add("ActivityTaskCompleted", dict(ids, result=outcome.result))
            else:
                self._add("ActivityTaskFailed", dict(ids, reason=outcome.reason, details=outcome.details))

    def _do_RequestCancelActivityTask(self, a: dict[str, Any], completed_id: int) -> None:  # noqa: N802
        self._add("ActivityTaskCancelRequested", {"activityId": a["activityId"],
                                                  "decisionTaskCompletedEventId": completed_id})  # fmt: skip

    def _do_StartTimer(self, a: dict[str, Any], completed_id: int) -> None:  # noqa: N802
        started = self._add("TimerStarted", dict(a, decisionTaskCompletedEventId=completed_id))
        fire_at = self._now() + float(a["startToFireTimeout"])
        heapq.heappush(self._timers, _Timer(fire_at, next(self._seq), a["timerId"], started))

    def _do_CancelTimer(self, a: dict[str, Any], completed_id: int) -> None:  # noqa: N802
        for timer in self._timers:
            if timer.timer_id == a["timerId"]:
                self._timers.remove(timer)
                heapq.heapify(self._timers)
                self._add("TimerCanceled", {"timerId": a["timerId"], "startedEventId": timer.started_event_id,
                                            "decisionTaskCompletedEventId": completed_id})  # fmt: skip
                return
        self._add("CancelTimerFailed", {"timerId": a["timerId"], "cause": "TIMER_ID_UNKNOWN",
                                        "decisionTaskCompletedEventId": completed_id})  # fmt: skip

    def _do_RecordMarker(self, a: dict[str, Any], completed_id: int) -> None:  # noqa: N802
        self._add("MarkerRecorded", dict(a, decisionTaskCompletedEventId=completed_id))

    def _do_CompleteWorkflowExecution(self, a: dict[str, Any], completed_id: int) -> None:  # noqa: N802
        self._add("WorkflowExecutionCompleted", dict(a, decisionTaskCompletedEventId=completed_id))
        self._close("completed", result=format.loads(a.get("result")))

    def _do_FailWorkflowExecution(self, a: dict[str, Any], completed_id: int) -> None:  # noqa: N802
        self._add("WorkflowExecutionFailed", dict(a, decisionTaskCompletedEventId=completed_id))
        self._close("failed", reason=a.get("reason"), details=a.get("details"))

    def _do_CancelWorkflowExecution(self, a: dict[str, Any], completed_id: int) -> None:  # noqa: N802
        self._add("WorkflowExecutionCanceled", dict(a, decisionTaskCompletedEventId=completed_id))
        self._close("canceled", details=a.get("details"))

    def _do_ContinueAsNewWorkflowExecution(self, a: dict[str, Any], completed_id: int) -> None:  # noqa: N802
        self._add("WorkflowExecutionContinuedAsNew", dict(a, decisionTaskCompletedEventId=completed_id,
                                                          newExecutionRunId="next"))  # fmt: skip
        self._close("continued_as_new", result=format.loads(a.get("input")))

    def _do_StartChildWorkflowExecution(self, a: dict[str, Any], completed_id: int) -> None:  # noqa: N802
        initiated = self._add("StartChildWorkflowExecutionInitiated",
                              dict(a, decisionTaskCompletedEventId=completed_id))  # fmt: skip
        child_class = self._child_class(a)
        if child_class is None:
            self._add("StartChildWorkflowExecutionFailed", {
                "workflowId": a["workflowId"], "workflowType": a["workflowType"], "cause": "WORKFLOW_TYPE_DOES_NOT_EXIST",
                "initiatedEventId": initiated, "decisionTaskCompletedEventId": completed_id})  # fmt: skip
            return
        child = LocalExecution(child_class, format.loads(a.get("input")) or {}, workers=self.workers,
                               workflow_id=a["workflowId"], tag_list=a.get("tagList"), parent=self,
                               parent_initiated_event_id=initiated, real_time=self.real_time)  # fmt: skip
        self._children[initiated] = child
        execution = {"workflowId": child.workflow_id, "runId": child.run_id}
        self._add("ChildWorkflowExecutionStarted", {"initiatedEventId": initiated, "workflowExecution": execution,
                                                    "workflowType": a["workflowType"]})  # fmt: skip
        result = child.execute()
        common = {"initiatedEventId": initiated, "workflowExecution": execution, "workflowType": a["workflowType"]}
        if result.status == "completed":
            self._add("ChildWorkflowExecutionCompleted", dict(common, result=format.dumps(result.result)))
        elif result.status == "failed":
            self._add("ChildWorkflowExecutionFailed", dict(common, reason=result.reason, details=result.details))
        elif result.status == "canceled":
            self._add("ChildWorkflowExecutionCanceled", dict(common, details=result.details))
        else:
            self._add("ChildWorkflowExecutionTerminated", common)

    def _child_class(self, a: dict[str, Any]) -> type | None:
        from simpleflow.loader import load_workflow

        path = ((format.loads(a.get("input")) or {}).get("__extra") or {}).get("class")
        try:
            return load_workflow(path) if path else None
        except Exception:
            return None

    def _do_SignalExternalWorkflowExecution(self, a: dict[str, Any], completed_id: int) -> None:  # noqa: N802
        initiated = self._add("SignalExternalWorkflowExecutionInitiated",
                              dict(a, decisionTaskCompletedEventId=completed_id))  # fmt: skip
        target = self._find_execution(a["workflowId"])
        if target is None:
            self._add("SignalExternalWorkflowExecutionFailed", {
                "workflowId": a["workflowId"], "runId": a.get("runId"), "cause": "UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION",
                "initiatedEventId": initiated, "decisionTaskCompletedEventId": completed_id})  # fmt: skip
            return
        target.deliver_signal(a["signalName"], a.get("input"), sender=self)
        self._add("ExternalWorkflowExecutionSignaled", {"initiatedEventId": initiated, "workflowExecution": {
            "workflowId": target.workflow_id, "runId": target.run_id}})  # fmt: skip

    def _find_execution(self, workflow_id: str) -> LocalExecution | None:
        if workflow_id == self.workflow_id:
            return self
        if self.parent is not None and self.parent.workflow_id == workflow_id:
            return self.parent
        for child in self._children.values():
            if child.workflow_id == workflow_id and child.closed is None:
                return child
        return None

    def deliver_signal(self, name: str, input_text: str | None, sender: LocalExecution | None = None) -> None:
        """A signal from outside (or from a parent/child): appended now, a decision follows."""
        external = {"workflowId": sender.workflow_id, "runId": sender.run_id} if sender and sender is not self else None
        self._add("WorkflowExecutionSignaled", {"signalName": name, "input": input_text,
                                                "externalWorkflowExecution": external})  # fmt: skip
        if sender is not self and self.closed is None and self._fed and self.events[-2]["eventType"] != "DecisionTaskScheduled":
            self._schedule_decision()

    # -- clock and events ---------------------------------------------------

    def _now(self) -> float:
        return time.time() + self._offset

    def _advance_clock(self) -> None:
        """Jump (or, with real time, sleep) to the next timer or scheduled signal."""
        next_timer = self._timers[0].fire_at if self._timers else float("inf")
        next_signal = self._signals[0].at + self._t0 if self._signals else float("inf")
        target = min(next_timer, next_signal)
        wait = target - self._now()
        if wait > 0:
            if self.real_time:
                time.sleep(wait)
            else:
                self._offset += wait
        now = self._now()
        while self._signals and self._signals[0].at + self._t0 <= now:
            signal = heapq.heappop(self._signals)
            self._add("WorkflowExecutionSignaled", {"signalName": signal.name, "input": format.dumps(signal.input)})
        while self._timers and self._timers[0].fire_at <= now:
            timer = heapq.heappop(self._timers)
            self._add("TimerFired", {"timerId": timer.timer_id, "startedEventId": timer.started_event_id})

    def _add(self, event_type: str, attrs: dict[str, Any]) -> int:
        if event_type in _WAKING_EVENTS:
            self._wake = True
        event_id = len(self.events) + 1
        key = event_type[0].lower() + event_type[1:] + "EventAttributes"
        self.events.append({"eventId": event_id, "eventType": event_type, "eventTimestamp": self._now(), key: attrs})
        return event_id

    def _close(self, status: str, **fields: Any) -> None:
        self.closed = LocalResult(status, events=self.events, workflow_id=self.workflow_id, run_id=self.run_id,
                                  **fields)  # fmt: skip
