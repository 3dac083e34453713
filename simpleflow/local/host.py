"""The in-process host: SWF's part played locally, over an in-memory history.

It feeds the engine the events SWF would append, carries out the engine's
decisions itself (runs activities in this process, fires timers on a virtual
clock, delivers signals, runs child workflows) and appends the resulting
events, until the workflow closes. Because the engine is the one the SWF
host uses, a local run takes the same decisions, with the same task ids,
as a run on SWF.

Child workflows run beside their parent, as on SWF: the root execution
drives a *family* (itself, its children, their children, the runs that
continue them) over one virtual clock, so parents and children can signal
each other while both are open. A run that continues as new is followed by
its next run, whose result is the execution's.
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
from simpleflow import format, jumbo
from simpleflow.engine import ExecutionInfo, WorkflowRun, format_reason
from simpleflow.engine import _decisions as engine_decisions
from simpleflow.engine._repair import RepairSource
from simpleflow.engine._suspend import Abandoned
from simpleflow.middleware import NONE, Middlewares
from simpleflow.outcome import ActivityOutcome, failed, named_failure, run_activity

logger = logging.getLogger(__name__)


_STUCK = "workflow is stuck: it waits for a result, timer or signal that can never come"

# Events after which SWF schedules a decision task.
_WAKING_EVENTS = frozenset(
    {
        "ActivityTaskCompleted",
        "ActivityTaskFailed",
        "ActivityTaskTimedOut",
        "ActivityTaskCanceled",
        "ScheduleActivityTaskFailed",
        "TimerFired",
        "StartTimerFailed",
        "RecordMarkerFailed",
        "CancelTimerFailed",
        "WorkflowExecutionSignaled",
        "WorkflowExecutionCancelRequested",
        "ChildWorkflowExecutionStarted",
        "ChildWorkflowExecutionCompleted",
        "ChildWorkflowExecutionFailed",
        "ChildWorkflowExecutionTimedOut",
        "ChildWorkflowExecutionCanceled",
        "ChildWorkflowExecutionTerminated",
        "StartChildWorkflowExecutionFailed",
        "ExternalWorkflowExecutionSignaled",
        "SignalExternalWorkflowExecutionFailed",
    }
)


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
    previous: LocalResult | None = None  # the run this one continued (continue-as-new)


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
    name: str | None = field(compare=False)  # None: a cancel request
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
        cancel_at: float | None = None,
        middlewares: Middlewares = NONE,
        repair: RepairSource | None = None,
        _root: LocalExecution | None = None,
    ) -> None:
        self.workflow_class = workflow_class
        self.input = input
        self.workers = max(1, workers)
        short = workflow_class.name or workflow_class.__name__
        self.workflow_id = workflow_id or f"local-{short}-{uuid.uuid4().hex[:8]}"
        self.run_id = uuid.uuid4().hex
        self.tag_list = tag_list
        self.parent = parent
        self.real_time = real_time
        self.events: list[dict[str, Any]] = []
        # The family's driver: the root execution holds the clock, the scheduled signals and every run.
        self._root: LocalExecution = _root or (parent._root if parent is not None else self)
        self.middlewares = middlewares if self._root is self else self._root.middlewares
        self._family: list[LocalExecution] = []
        self._current = self  # (root) the run of the root workflow now open
        self._next_run: LocalExecution | None = None
        self._parent_initiated_event_id = parent_initiated_event_id
        self._wake = False  # an event SWF would schedule a decision task for was added
        self._fed = 0  # events already given to the engine
        self._offset = 0.0  # virtual seconds the clock jumped ahead (timers)
        self._t0 = time.time()
        self._timers: list[_Timer] = []
        self._seq = itertools.count()
        self._signals: list[_Signal] = [_Signal(at, next(self._seq), name, value) for at, name, value in signals]
        if cancel_at is not None:
            self._signals.append(_Signal(cancel_at, next(self._seq), None, None))
        heapq.heapify(self._signals)
        if self._root is not self:
            self._offset, self._t0 = self._root._offset, self._root._t0
        self._root._family.append(self)
        self._running: dict[concurrent.futures.Future, tuple[int, int]] = {}  # job -> scheduled, started ids
        self._scheduled: dict[str, int] = {}  # activity id -> scheduled event id
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None
        self._children: dict[int, LocalExecution] = {}
        self.run = WorkflowRun(
            workflow_class,
            ExecutionInfo(domain="local", workflow_id=self.workflow_id, run_id=self.run_id, repair=repair),
        )
        self.run.driver = self._drive_inline
        self._open_decision = 0  # DecisionTaskStarted id of the decision task open now
        self._delivered = False  # the run, driving itself, already completed the open decision task
        parent_execution = {"workflowId": parent.workflow_id, "runId": parent.run_id} if parent else None
        self._add(
            "WorkflowExecutionStarted",
            {
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
            },
        )
        self._wake = True  # the first decision task
        self.closed: LocalResult | None = None

    # -- the loop -------------------------------------------------------------

    def execute(self) -> LocalResult:
        """Run the execution (its children and the runs continuing it too) to its end; the last run's result."""
        if self._root is not self:
            raise RuntimeError("only the root execution of a family is executed; its children run within it")
        try:
            while self._current.closed is None:
                if self._step_family():
                    continue
                if not self._wait_for_news():
                    self._current._close("failed", reason=_STUCK)
        finally:
            for member in self._family:
                if member._pool is not None:
                    member._pool.shutdown(wait=True, cancel_futures=True)
                member.run.close()
        return self._current.closed

    def _step_family(self) -> bool:
        """Give a decision task to each open run an event woke up; False when none was."""
        stepped = False
        for member in list(self._family):
            if member.closed is None and member._wake:
                member._wake = False
                member._schedule_decision()
                member._carry_out(member._decide())
                stepped = True
        return stepped

    def _decide(self) -> list[dict[str, Any]]:
        decisions = self._encoded(lambda: self.run.advance(self._decoded(self._start_decision())))
        if self.closed is not None:  # the run, driving itself, closed meanwhile
            return []
        if self._delivered:  # driving itself, the run completed and carried out its last decision task
            self._delivered = False
            return []
        self._complete_decision()
        return decisions

    def _start_decision(self) -> list[dict[str, Any]]:
        """Start the decision task just scheduled; return the events the engine has not seen."""
        self._open_decision = self._add("DecisionTaskStarted", {"scheduledEventId": self.events[-1]["eventId"]})
        new = self.events[self._fed :]
        self._fed = len(self.events)
        return new

    def _complete_decision(self) -> None:
        started = self._open_decision
        self._add("DecisionTaskCompleted", {"scheduledEventId": started - 1, "startedEventId": started})

    @staticmethod
    def _decoded(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        # The engine reads jumbo fields' text; this history keeps their references, as SWF's would.
        return jumbo.decode_events(events, copy=True)

    @staticmethod
    def _encoded(decide: Callable[[], list[dict[str, Any]]]) -> list[dict[str, Any]]:
        # The same jumbo-field rules as on SWF: a local run predicts an SWF run.
        try:
            return jumbo.encode_decisions(decide())
        except jumbo.JumboFieldTooLarge as err:  # as the SWF decider does
            return [engine_decisions.fail_workflow(format_reason(f"Cannot schedule: {err}"), None)]

    def _alone(self) -> bool:
        return all(m is self or m.closed is not None for m in self._root._family)

    def _drive_inline(self) -> bool:
        """Called by the engine on the run's own thread while ``run`` waits: go on as the loop would.

        A run alone in its family (no open child, parent or next run) needs no thread hand-off per
        decision: its waiting thread carries out the decisions, lets time pass and feeds it the new
        events itself. It hands back (False) as soon as anything needs the family loop.
        """
        if not self._alone():
            return False
        decisions = self._encoded(self.run.decide_now)
        self._complete_decision()
        self._carry_out(decisions)
        if self.closed is None and self._alone() and not self._root._wait_for_news():
            self._close("failed", reason=_STUCK)
        if self.closed is not None:
            raise Abandoned()  # unwinds run(); the loop sees this execution closed
        if not self._alone():  # a child started: the family loop takes over from here
            self._delivered = True
            return False
        self._wake = False
        self._schedule_decision()
        return self.run.feed_inline(self._decoded(self._start_decision()))

    def _schedule_decision(self) -> None:
        self._add("DecisionTaskScheduled", {"taskList": {"name": self.workflow_class.task_list or "default"}})

    def _wait_for_news(self) -> bool:
        """(Root) let time pass until an event wakes a run of the family; False when none ever can come."""
        while True:
            open_runs = [m for m in self._family if m.closed is None]
            if any(m._wake for m in open_runs):
                return True
            jobs = [job for m in open_runs for job in m._running]
            if jobs:
                # The clock runs while activities do: a timer or signal due meanwhile comes first.
                due = min(
                    [self._signals[0].at + self._t0]
                    if self._signals
                    else [] + [m._timers[0].fire_at for m in open_runs if m._timers],
                    default=None,
                )
                timeout = None if due is None else max(0.0, due - self._now())
                done, _ = concurrent.futures.wait(jobs, timeout=timeout, return_when=concurrent.futures.FIRST_COMPLETED)
                if not done:
                    self._advance_clock()
                for member in open_runs:
                    if member._running:
                        member._collect_activities(block=False)
            elif self._signals or any(m._timers for m in open_runs):
                self._advance_clock()
            else:
                return False

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
        # The context a worker gives (simpleflow.swf.worker), this host standing for the domain and task list.
        context = {
            "name": a["activityType"]["name"],
            "version": a["activityType"]["version"],
            "workflow_id": self.workflow_id,
            "run_id": self.run_id,
            "activity_id": a["activityId"],
            "input": a.get("input"),
            "domain_name": "local",
            "activity_task_list": a["taskList"]["name"],
        }
        if act is None:
            message = f"activity '{a['activityType']['name']}' is not declared in this process"
            job: Callable[[], ActivityOutcome] = lambda: failed(named_failure("ActivityNotDeclared", message))  # noqa: E731
        else:
            job = lambda: run_activity(act, a.get("input"), context, self.middlewares)  # noqa: E731
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
        self._add(
            "ActivityTaskCancelRequested", {"activityId": a["activityId"], "decisionTaskCompletedEventId": completed_id}
        )

    def _do_StartTimer(self, a: dict[str, Any], completed_id: int) -> None:  # noqa: N802
        started = self._add("TimerStarted", dict(a, decisionTaskCompletedEventId=completed_id))
        fire_at = self._now() + float(a["startToFireTimeout"])
        heapq.heappush(self._timers, _Timer(fire_at, next(self._seq), a["timerId"], started))

    def _do_CancelTimer(self, a: dict[str, Any], completed_id: int) -> None:  # noqa: N802
        for timer in self._timers:
            if timer.timer_id == a["timerId"]:
                self._timers.remove(timer)
                heapq.heapify(self._timers)
                self._add(
                    "TimerCanceled",
                    {
                        "timerId": a["timerId"],
                        "startedEventId": timer.started_event_id,
                        "decisionTaskCompletedEventId": completed_id,
                    },
                )
                return
        self._add(
            "CancelTimerFailed",
            {"timerId": a["timerId"], "cause": "TIMER_ID_UNKNOWN", "decisionTaskCompletedEventId": completed_id},
        )

    def _do_RecordMarker(self, a: dict[str, Any], completed_id: int) -> None:  # noqa: N802
        self._add("MarkerRecorded", dict(a, decisionTaskCompletedEventId=completed_id))

    def _do_CompleteWorkflowExecution(self, a: dict[str, Any], completed_id: int) -> None:  # noqa: N802
        self._add("WorkflowExecutionCompleted", dict(a, decisionTaskCompletedEventId=completed_id))
        self._close("completed", result=format.loads(jumbo.decode(a.get("result"))))

    def _do_FailWorkflowExecution(self, a: dict[str, Any], completed_id: int) -> None:  # noqa: N802
        self._add("WorkflowExecutionFailed", dict(a, decisionTaskCompletedEventId=completed_id))
        self._close("failed", reason=a.get("reason"), details=a.get("details"))

    def _do_CancelWorkflowExecution(self, a: dict[str, Any], completed_id: int) -> None:  # noqa: N802
        self._add("WorkflowExecutionCanceled", dict(a, decisionTaskCompletedEventId=completed_id))
        self._close("canceled", details=a.get("details"))

    def _do_ContinueAsNewWorkflowExecution(self, a: dict[str, Any], completed_id: int) -> None:  # noqa: N802
        input = format.loads(a.get("input")) or {}
        workflow_class = self._class_of(input) or self.workflow_class
        nxt = LocalExecution(
            workflow_class,
            input,
            workers=self.workers,
            workflow_id=self.workflow_id,
            tag_list=a.get("tagList", self.tag_list),
            parent=self.parent,
            parent_initiated_event_id=self._parent_initiated_event_id,
            real_time=self.real_time,
            continued_from=self.run_id,
            _root=self._root,
        )
        self._add(
            "WorkflowExecutionContinuedAsNew",
            dict(a, decisionTaskCompletedEventId=completed_id, newExecutionRunId=nxt.run_id),
        )
        self._next_run = nxt
        if self._root._current is self:
            self._root._current = nxt
        self._close("continued_as_new", result=input)
        nxt.previous_result = self.closed

    def _do_StartChildWorkflowExecution(self, a: dict[str, Any], completed_id: int) -> None:  # noqa: N802
        initiated = self._add(
            "StartChildWorkflowExecutionInitiated", dict(a, decisionTaskCompletedEventId=completed_id)
        )
        child_class = self._class_of(format.loads(a.get("input")) or {})
        if child_class is None:
            self._add(
                "StartChildWorkflowExecutionFailed",
                {
                    "workflowId": a["workflowId"],
                    "workflowType": a["workflowType"],
                    "cause": "WORKFLOW_TYPE_DOES_NOT_EXIST",
                    "initiatedEventId": initiated,
                    "decisionTaskCompletedEventId": completed_id,
                },
            )
            return
        if any(m.workflow_id == a["workflowId"] and m.closed is None for m in self._root._family):
            self._add(
                "StartChildWorkflowExecutionFailed",
                {
                    "workflowId": a["workflowId"],
                    "workflowType": a["workflowType"],
                    "cause": "WORKFLOW_ALREADY_RUNNING",
                    "initiatedEventId": initiated,
                    "decisionTaskCompletedEventId": completed_id,
                },
            )
            return
        # The child runs beside this execution, driven by the family loop; its closing comes back here.
        child = LocalExecution(
            child_class,
            format.loads(a.get("input")) or {},
            workers=self.workers,
            workflow_id=a["workflowId"],
            tag_list=a.get("tagList"),
            parent=self,
            parent_initiated_event_id=initiated,
            real_time=self.real_time,
        )
        self._children[initiated] = child
        execution = {"workflowId": child.workflow_id, "runId": child.run_id}
        self._add(
            "ChildWorkflowExecutionStarted",
            {"initiatedEventId": initiated, "workflowExecution": execution, "workflowType": a["workflowType"]},
        )

    def _child_closed(self, child: LocalExecution) -> None:
        """A child run closed (for good, not continued as new): the event SWF gives its parent."""
        result = child.closed
        initiated = child._parent_initiated_event_id
        started = self.events[initiated - 1]
        workflow_type = started["startChildWorkflowExecutionInitiatedEventAttributes"]["workflowType"]
        common = {
            "initiatedEventId": initiated,
            "workflowType": workflow_type,
            "workflowExecution": {"workflowId": child.workflow_id, "runId": child.run_id},
        }
        if result.status == "completed":
            self._add("ChildWorkflowExecutionCompleted", dict(common, result=format.dumps(result.result)))
        elif result.status == "failed":
            self._add("ChildWorkflowExecutionFailed", dict(common, reason=result.reason, details=result.details))
        elif result.status == "canceled":
            self._add("ChildWorkflowExecutionCanceled", dict(common, details=result.details))
        else:
            self._add("ChildWorkflowExecutionTerminated", common)

    def _class_of(self, input: dict[str, Any]) -> type | None:
        from simpleflow.loader import load_workflow

        path = (input.get("__extra") or {}).get("class") if isinstance(input, dict) else None
        try:
            return load_workflow(path) if path else None
        except Exception:
            return None

    def _do_SignalExternalWorkflowExecution(self, a: dict[str, Any], completed_id: int) -> None:  # noqa: N802
        initiated = self._add(
            "SignalExternalWorkflowExecutionInitiated", dict(a, decisionTaskCompletedEventId=completed_id)
        )
        target = self._find_execution(a["workflowId"], a.get("runId"))
        if target is None:
            self._add(
                "SignalExternalWorkflowExecutionFailed",
                {
                    "workflowId": a["workflowId"],
                    "runId": a.get("runId"),
                    "cause": "UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION",
                    "initiatedEventId": initiated,
                    "decisionTaskCompletedEventId": completed_id,
                },
            )
            return
        target.deliver_signal(a["signalName"], a.get("input"), sender=self)
        self._add(
            "ExternalWorkflowExecutionSignaled",
            {
                "initiatedEventId": initiated,
                "workflowExecution": {"workflowId": target.workflow_id, "runId": target.run_id},
            },
        )

    def _find_execution(self, workflow_id: str, run_id: str | None = None) -> LocalExecution | None:
        """The open run of *workflow_id* in this family (SWF looks the whole domain up)."""
        for member in self._root._family:
            if member.workflow_id == workflow_id and member.closed is None and run_id in (None, "", member.run_id):
                return member
        return None

    def deliver_signal(self, name: str, input_text: str | None, sender: LocalExecution | None = None) -> None:
        """A signal from outside (or from a workflow of the family): appended now, a decision task follows."""
        external = {"workflowId": sender.workflow_id, "runId": sender.run_id} if sender else None
        self._add(
            "WorkflowExecutionSignaled",
            {"signalName": name, "input": input_text, "externalWorkflowExecution": external},
        )

    def request_cancel(self) -> None:
        """A cancel request from outside (``workflow.cancel``): the workflow's ``should_cancel`` decides."""
        self._add("WorkflowExecutionCancelRequested", {})

    # -- clock and events ---------------------------------------------------

    def _now(self) -> float:
        return time.time() + self._root._offset

    def _advance_clock(self) -> None:
        """(Root) jump (or, with real time, sleep) to the family's next timer, scheduled signal or cancel request."""
        open_runs = [m for m in self._family if m.closed is None]
        next_timer = min((m._timers[0].fire_at for m in open_runs if m._timers), default=float("inf"))
        next_signal = self._signals[0].at + self._t0 if self._signals else float("inf")
        wait = min(next_timer, next_signal) - self._now()
        if wait > 0:
            if self.real_time:
                time.sleep(wait)
            else:
                self._offset += wait
        now = self._now()
        while self._signals and self._signals[0].at + self._t0 <= now:
            signal = heapq.heappop(self._signals)
            target = self._current
            if target.closed is not None:
                continue
            if signal.name is None:
                target.request_cancel()
            else:
                target._add(
                    "WorkflowExecutionSignaled", {"signalName": signal.name, "input": format.dumps(signal.input)}
                )
        for member in open_runs:
            while member._timers and member._timers[0].fire_at <= now:
                timer = heapq.heappop(member._timers)
                member._add("TimerFired", {"timerId": timer.timer_id, "startedEventId": timer.started_event_id})

    def _add(self, event_type: str, attrs: dict[str, Any]) -> int:
        if event_type in _WAKING_EVENTS:
            self._wake = True
        event_id = len(self.events) + 1
        key = event_type[0].lower() + event_type[1:] + "EventAttributes"
        self.events.append({"eventId": event_id, "eventType": event_type, "eventTimestamp": self._now(), key: attrs})
        return event_id

    def _close(self, status: str, **fields: Any) -> None:
        self.closed = LocalResult(
            status,
            events=self.events,
            workflow_id=self.workflow_id,
            run_id=self.run_id,
            previous=getattr(self, "previous_result", None),
            **fields,
        )
        if self.parent is not None and status != "continued_as_new":
            self.parent._child_closed(self)
