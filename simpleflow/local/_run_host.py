"""SWF's part for one run, played in this process over an in-memory history.

A ``RunHost`` feeds the engine the events SWF would append, carries out the engine's decisions itself (runs
activities here, starts timers on its family's clock, delivers signals, starts child runs: _children) and
appends the resulting events. Because the engine is the one the SWF host uses, a local run takes the same
decisions, with the same task ids, as a run on SWF. What runs share (the clock, the loop, finding another
run) is its :class:`~simpleflow.local._family.Family`'s.
"""

from __future__ import annotations

import concurrent.futures
import heapq
import itertools
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from simpleflow import format, jumbo
from simpleflow.constants import DEFAULT_EXECUTION_TIMEOUT, MAX_HISTORY_EVENTS
from simpleflow.engine import (
    ON_NONDETERMINISM_FAIL,
    Abandoned,
    ExecutionInfo,
    Handoff,
    RepairSource,
    WorkflowRun,
    answer_decision_task,
    decode_events,
    encode_decisions,
)
from simpleflow.history import WAKING_EVENTS, decision_attributes_key, make_event
from simpleflow.local._activities import LocalActivities, without_none
from simpleflow.local._children import ChildrenMixin
from simpleflow.local._closing import ClosingMixin, deadline_of
from simpleflow.local._family import NEWS, NONE_CAN_COME, PAUSED, Family
from simpleflow.runtime.observed import DecisionTasks
from simpleflow.runtime.outcome import (
    CANCELED,
    COMPLETED,
    CONTINUED_AS_NEW,
    FAILED,
    Outcome,
)


@dataclass(order=True)
class _Timer:
    fire_at: float
    seq: int
    timer_id: str = field(compare=False)
    started_event_id: int = field(compare=False)


class RunHost(ChildrenMixin, ClosingMixin):
    """One run of a workflow execution, carried out in this process.

    Args:
        family: the runs it shares a clock and a loop with; it joins it.
        workflow_class, input: what runs, on what (``{"args": [...], "kwargs": {...}}``).
        workers: activities run at once (1: each runs as soon as scheduled, in order, on this thread).
        workflow_id, tag_list: as SWF's StartWorkflowExecution takes them.
        parent, parent_initiated_event_id: the run that started this one as its child, and the event.
        run_id: this run's id (a new one by default).
        previous: the outcome of the run this one continues (continue-as-new).
        repair: what an earlier execution completed, to reuse (``standalone --repair``'s engine part).
        workflow_type: the type SWF would record (a child's, as its parent's decision names it); default the class's.
        execution_timeout: its executionStartToCloseTimeout (seconds; None: the class's ``execution_timeout``);
            past it, the run times out as on SWF (none, empty or ``NONE``: no limit).
    """

    def __init__(
        self,
        family: Family,
        workflow_class: type,
        input: dict[str, Any],
        *,
        workers: int = 1,
        workflow_id: str | None = None,
        tag_list: list[str] | None = None,
        parent: RunHost | None = None,
        parent_initiated_event_id: int | None = None,
        run_id: str | None = None,
        previous: Outcome | None = None,
        repair: RepairSource | None = None,
        workflow_type: dict[str, str] | None = None,
        execution_timeout: str | int | None = None,
        task_list: str | None = None,
    ) -> None:
        self.family = family
        self.workflow_class = workflow_class
        # SWF (StartChildWorkflowExecution, ContinueAsNewWorkflowExecution): "A task list for this workflow
        # execution must be specified either as a default for the workflow type or through this parameter."
        self.task_list = task_list or workflow_class.task_list or "default"
        self.input = input
        self.workers = max(1, workers)
        short = workflow_class.name or workflow_class.__name__
        self.workflow_id = workflow_id or f"local-{short}-{uuid.uuid4().hex[:8]}"
        self.run_id = run_id or uuid.uuid4().hex
        self.tag_list = tag_list
        self.parent = parent
        self.parent_initiated_event_id = parent_initiated_event_id
        self.previous = previous
        self.events: list[dict[str, Any]] = []
        self.closed: Outcome | None = None
        self.awake = False  # an event SWF would schedule a decision task for was added
        self._fed = 0  # events already given to the engine
        self._timers: list[_Timer] = []
        self._seq = itertools.count()
        self._open_decision = 0  # DecisionTaskStarted id of the decision task open now
        self._after_decisions: list[Callable[[], None]] = []  # what the decision being carried out starts after
        self.workflow_type = workflow_type or {"name": workflow_class.name, "version": workflow_class.version}
        if execution_timeout in (None, ""):  # as on SWF: the class's, else the type's default
            execution_timeout = workflow_class.execution_timeout or DEFAULT_EXECUTION_TIMEOUT
        self.activities = LocalActivities(
            self._add,
            self.workers,
            self.workflow_id,
            self.run_id,
            family.middlewares,
            self.workflow_type["name"],
            family.now,
            family.lookup,
        )
        family.join(self)
        self._observed = DecisionTasks(  # telemetry and log fields, as the SWF decider's
            domain="local",
            task_list=self.task_list,
            workflow_type=self.workflow_type["name"],
            workflow_id=self.workflow_id,
            run_id=self.run_id,
            clock=family.now,
        )
        self.run = WorkflowRun(
            workflow_class,
            ExecutionInfo(
                domain="local",
                workflow_id=self.workflow_id,
                run_id=self.run_id,
                repair=repair,
                on_nondeterminism=ON_NONDETERMINISM_FAIL,  # no other code can come to this run: fail it
            ),
            driver=self._drive_inline,
        )
        parent_execution = {"workflowId": parent.workflow_id, "runId": parent.run_id} if parent else None
        self._add(
            "WorkflowExecutionStarted",
            {
                "input": format.dumps(input),
                "workflowType": self.workflow_type,
                "taskList": {"name": self.task_list},
                "tagList": tag_list or [],
                "childPolicy": workflow_class.child_policy or "TERMINATE",
                "executionStartToCloseTimeout": str(execution_timeout or ""),
                "taskStartToCloseTimeout": str(workflow_class.decision_tasks_timeout or ""),
                "parentWorkflowExecution": parent_execution,
                "parentInitiatedEventId": parent_initiated_event_id or 0,
                "continuedExecutionRunId": previous.run_id if previous is not None else None,
            },
        )
        if family.members == [self]:  # the root's first run: "seconds after the start" count from its event
            family.started_at(self.events[-1]["eventTimestamp"])
        self.deadline = self.activities.deadline = deadline_of(self.events[0])  # each run counts from its start
        self.awake = True  # the first decision task

    # -- what the family drives --------------------------------------------------

    @property
    def running_activities(self) -> list[concurrent.futures.Future]:
        return self.activities.running

    def collect_activities(self, block: bool) -> None:
        """Append the results of its activities that ended (with *block*, wait for one first)."""
        self.activities.collect(block)

    def next_timer(self) -> float | None:
        """When its next timer fires (None: no timer runs)."""
        return self._timers[0].fire_at if self._timers else None

    def fire_timers(self, now: float) -> None:
        """The timers due at *now* fire, each at its instant (the loop may see it late; never before the last
        event)."""
        while self._timers and self._timers[0].fire_at <= now:
            timer = heapq.heappop(self._timers)
            attrs = {"timerId": timer.timer_id, "startedEventId": timer.started_event_id}
            self._add("TimerFired", attrs, at=max(timer.fire_at, self.events[-1]["eventTimestamp"]))

    def take_decision_task(self) -> None:
        """The decision task an event woke it up for: scheduled, decided, its decisions carried out."""
        if self.past_deadline():  # its time ran out while another run's activities ran
            self.family.catch_up()
            return
        self.awake = False
        self._schedule_decision()
        self._carry_out(self._decide())

    def shut_down(self) -> None:
        """Release its activity threads and its run (the family's loop ended)."""
        self.activities.shut_down()
        self.run.close()

    def deliver_signal(self, name: str, input_text: str | None, sender: RunHost | None = None) -> None:
        """A signal (from outside, or from a run of the family): appended now, a decision task follows."""
        attrs: dict[str, Any] = {"signalName": name, "input": input_text}
        if sender is not None:
            attrs["externalWorkflowExecution"] = {"workflowId": sender.workflow_id, "runId": sender.run_id}
        self._add("WorkflowExecutionSignaled", attrs)

    def request_cancel(
        self, sender: RunHost | None = None, initiated_event_id: int = 0, cause: str | None = None
    ) -> None:
        """A cancel request from outside (``workflow.cancel``), from a run of the family (a parent cancelling
        its child), or SWF's (*cause*: a parent's child policy): the workflow's ``should_cancel`` decides."""
        attrs: dict[str, Any] = {}
        if sender is not None:
            attrs["externalWorkflowExecution"] = {"workflowId": sender.workflow_id, "runId": sender.run_id}
            attrs["externalInitiatedEventId"] = initiated_event_id
        if cause is not None:
            attrs["cause"] = cause
        self._add("WorkflowExecutionCancelRequested", attrs)

    def close(self, status: str, **fields: Any) -> Outcome:
        """Close the run: its outcome (a parent hears of a child closed for good). Its running activities are
        given up, however it closed: SWF forgets a closed run's tasks, so their next heartbeat stops them."""
        self.activities.give_up()
        self.closed = Outcome(
            status,
            events=self.events,
            workflow_id=self.workflow_id,
            run_id=self.run_id,
            previous=self.previous,
            **fields,
        )
        if self.parent is not None and status != CONTINUED_AS_NEW:
            self.parent._child_closed(self)
        return self.closed

    # -- decision tasks ------------------------------------------------------------

    def _decide(self) -> list[dict[str, Any]]:
        # The same jumbo-field rules as on SWF (a local run predicts an SWF run); this history keeps the
        # fields' references, as SWF's would, and the engine reads their text.
        new = self._start_decision()
        if new is None:
            return []
        try:
            with self._observed.scope():
                decisions = answer_decision_task(self.run, new, copy_events=True)
        except BaseException as err:
            self._observed.failed(err)
            raise
        if self.closed is not None:  # the run, driven inline, closed meanwhile
            return []
        if self.run.handoff.take_answered():  # driven inline, it completed and carried out this decision task
            return []
        self._complete_decision()
        self._observed.done(self.run, decisions)
        return decisions

    def _schedule_decision(self, at: float | None = None) -> None:
        attrs = {"taskList": {"name": self.task_list}}
        self._add("DecisionTaskScheduled", attrs, at=at)

    def _start_decision(self) -> list[dict[str, Any]] | None:
        """Start the decision task just scheduled; return the events the engine has not seen (None: the run
        closed instead, its history full)."""
        self._open_decision = self._add("DecisionTaskStarted", {"scheduledEventId": self.events[-1]["eventId"]})
        if self.closed is not None:
            return None
        new = self.events[self._fed :]
        self._fed = len(self.events)
        self._observed.begin(new, self._open_decision, self.run)
        return new

    def _complete_decision(self) -> None:
        started = self._open_decision
        attrs: dict[str, Any] = {"scheduledEventId": started - 1, "startedEventId": started}
        context = self.run.execution_context
        if context is not None:  # the workflow's status, as SWF records it (Workflow.set_status)
            attrs["executionContext"] = context
        self._add("DecisionTaskCompleted", attrs)

    def _drive_inline(self, handoff: Handoff) -> bool:
        """The run's driver, called on the run's own thread while ``run`` waits: go on as the loop would.

        A run alone in its family (no open child, parent or next run) needs no thread hand-off per
        decision: its waiting thread carries out the decisions, lets time pass and feeds it the new
        events itself. It hands back (False) as soon as anything needs the family loop (the states it
        hands back in: simpleflow.engine.Handoff).
        """
        if not self.family.alone(self):
            return False
        decisions = encode_decisions(handoff.decide)
        self._complete_decision()
        self._observed.done(self.run, decisions)
        self._carry_out(decisions)
        news = NEWS
        if self.closed is None and self.family.alone(self) and not self.family.interrupted:
            news = self.family.wait_for_news()
            if news is NONE_CAN_COME and self.closed is None:
                self.family.fail_stuck(self)
        if self.closed is not None or self.family.interrupted:
            raise Abandoned()  # unwinds run(); the loop sees this run closed (or Ctrl-C stopped the family)
        if news is PAUSED or not self.family.alone(self):  # the family loop takes over (a child started...)
            handoff.answered = True
            return False
        self.awake = False
        self._schedule_decision()
        new = self._start_decision()
        if new is None:
            raise Abandoned()
        return handoff.feed(decode_events(new, copy=True))

    # -- decisions ---------------------------------------------------------------

    def _carry_out(self, decisions: list[dict[str, Any]]) -> None:
        """Record the decisions' events, then what they start elsewhere (children, signals, cancel requests), then
        start the activities: SWF records a decision's events as its task completes and starts the rest after,
        as the dev server does; ActivityTaskStarted is when "the scheduled activity task was dispatched to a
        worker" (SWF's API reference, HistoryEvent), a poll that comes after."""
        completed_id = self.events[-1]["eventId"]
        self._after_decisions = []
        for decision in decisions:
            if self.closed is not None:  # a closing decision, or DecisionTaskCompleted filled the history
                break
            kind = decision["decisionType"]
            getattr(self, f"_do_{kind}")(decision[decision_attributes_key(kind)], completed_id)
        for step in self._after_decisions:
            if self.at_limit:  # its history filled up: nothing it started elsewhere starts (history_full)
                break
            step()
        if self.closed is not None:
            return
        self.activities.dispatch()
        if self.workers == 1:  # one worker: this decision's activities end (or time out) before the next
            self.activities.collect(block=True, every=True)
        if self.past_deadline():  # its activities ran past it: what fell due meanwhile comes first
            self.family.catch_up()

    def _do_ScheduleActivityTask(self, a: dict[str, Any], completed_id: int) -> None:  # noqa: N802
        self.activities.schedule(a, completed_id)

    def _do_RequestCancelActivityTask(self, a: dict[str, Any], completed_id: int) -> None:  # noqa: N802
        self.activities.request_cancel(a, completed_id)

    def _do_StartTimer(self, a: dict[str, Any], completed_id: int) -> None:  # noqa: N802
        started = self._add("TimerStarted", dict(a, decisionTaskCompletedEventId=completed_id))
        fire_at = self.family.now() + float(a["startToFireTimeout"])
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
        self.close(COMPLETED, result=format.loads(jumbo.decode(a.get("result"))))

    def _do_FailWorkflowExecution(self, a: dict[str, Any], completed_id: int) -> None:  # noqa: N802
        self._add("WorkflowExecutionFailed", dict(a, decisionTaskCompletedEventId=completed_id))
        self.close(FAILED, reason=a.get("reason"), details=a.get("details"))

    def _do_CancelWorkflowExecution(self, a: dict[str, Any], completed_id: int) -> None:  # noqa: N802
        self._add("WorkflowExecutionCanceled", dict(a, decisionTaskCompletedEventId=completed_id))
        self.close(CANCELED, details=a.get("details"))

    def _do_SignalExternalWorkflowExecution(self, a: dict[str, Any], completed_id: int) -> None:  # noqa: N802
        initiated = self._add(
            "SignalExternalWorkflowExecutionInitiated", dict(a, decisionTaskCompletedEventId=completed_id)
        )
        send = lambda target: target.deliver_signal(a["signalName"], a.get("input"), sender=self)  # noqa: E731
        self._after_decisions.append(lambda: self._reach(a, initiated, completed_id, _SIGNAL, send))

    def _do_RequestCancelExternalWorkflowExecution(self, a: dict[str, Any], completed_id: int) -> None:  # noqa: N802
        initiated = self._add(
            "RequestCancelExternalWorkflowExecutionInitiated", dict(a, decisionTaskCompletedEventId=completed_id)
        )
        ask = lambda target: target.request_cancel(sender=self, initiated_event_id=initiated)  # noqa: E731
        self._after_decisions.append(lambda: self._reach(a, initiated, completed_id, _CANCEL, ask))

    def _reach(
        self, a: dict[str, Any], initiated: int, completed_id: int, kind: tuple[str, str], act: Callable[[Any], None]
    ) -> None:
        """Deliver a decision's signal or cancel request (*act* on its target) once the decision is recorded, as
        the dev server does; the sender hears how it went (*kind*: its failed and done events) unless it closed."""
        target = self.family.find_open(a["workflowId"], a.get("runId"))
        if target is not None:
            act(target)
        if self.closed is not None:
            return
        failed, done = kind
        if target is None:
            attrs = {"workflowId": a["workflowId"], "runId": a.get("runId"), "control": a.get("control")}
            attrs.update(cause="UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION", decisionTaskCompletedEventId=completed_id)
            self._add(failed, without_none(dict(attrs, initiatedEventId=initiated)))
            return
        execution = {"workflowId": target.workflow_id, "runId": target.run_id}
        self._add(done, {"initiatedEventId": initiated, "workflowExecution": execution})

    # -- events ------------------------------------------------------------------

    def _add(self, event_type: str, attrs: dict[str, Any], at: float | None = None) -> int:
        """Append an event, at the family's time (or *at*); its id (0: not recorded, the history is full)."""
        if len(self.events) >= MAX_HISTORY_EVENTS - 1 and self.history_full(event_type):
            return 0
        if event_type in WAKING_EVENTS:
            self.awake = True
        event_id = len(self.events) + 1
        self.events.append(make_event(event_id, event_type, self.family.now() if at is None else at, attrs))
        return event_id


# What the sender of a signal or cancel request hears: failed, done.
_SIGNAL = ("SignalExternalWorkflowExecutionFailed", "ExternalWorkflowExecutionSignaled")
_CANCEL = ("RequestCancelExternalWorkflowExecutionFailed", "ExternalWorkflowExecutionCancelRequested")
