"""Build SWF execution histories in the shape boto3's GetWorkflowExecutionHistory returns them.

Each event is a plain dict: ``eventId``, ``eventType``, ``eventTimestamp`` (a float epoch here) and a
``<lowerCamelEventType>EventAttributes`` dict whose ids chain the way SWF chains them.
"""

from __future__ import annotations

import json
from typing import Any

_DEFAULT_INPUT: dict[str, Any] = {"args": [], "kwargs": {}}


def _encode(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def attributes_key(event_type: str) -> str:
    """The attributes key of an event type: ``TimerFired`` -> ``timerFiredEventAttributes``."""
    return event_type[0].lower() + event_type[1:] + "EventAttributes"


class HistoryBuilder:
    """A growing SWF history; every helper appends events and returns the id of the last one it added.

    Timestamps: the first event is at ``start``; each following event is 1.0 second after the previous
    one, unless :meth:`tick` was called in between, in which case it is exactly ``tick``'s total later.
    """

    def __init__(
        self,
        workflow_name: str = "wf",
        version: str = "1",
        input: Any = None,
        task_list: str = "tl",
        start: float = 1_700_000_000.0,
        workflow_id: str = "wf-id",
        run_id: str = "run-id",
        tag_list: list[str] | None = None,
    ) -> None:
        self.workflow_name = workflow_name
        self.version = version
        self.task_list = task_list
        self.workflow_id = workflow_id
        self.run_id = run_id
        self.events: list[dict] = []
        self.clock: float = start
        self._ticked = True  # the first event sits at `start` itself
        self._last_decision_completed: int | None = None
        self._activities: dict[int, dict[str, Any]] = {}  # scheduled id -> {"activity_id", "started"}
        self._timers: dict[str, int] = {}  # timer id -> TimerStarted id of its latest start
        self._children: dict[int, dict[str, Any]] = {}  # initiated id -> {"workflow_id", "type", "started"}
        attrs: dict[str, Any] = {
            "input": _encode(_DEFAULT_INPUT if input is None else input),
            "executionStartToCloseTimeout": "3600",
            "taskStartToCloseTimeout": "300",
            "childPolicy": "TERMINATE",
            "taskList": {"name": task_list},
            "workflowType": {"name": workflow_name, "version": version},
        }
        if tag_list:
            attrs["tagList"] = list(tag_list)
        self.add("WorkflowExecutionStarted", **attrs)

    # -- basics -------------------------------------------------------------------------------------

    def tick(self, seconds: float) -> None:
        """Move the clock forward: the next event is stamped ``seconds`` (summed over calls) after the last one."""
        self._ticked = True
        self.clock += seconds

    def add(self, event_type: str, **attrs: Any) -> int:
        """Append one event of ``event_type`` with ``attrs`` as its attributes; return its eventId."""
        if not self._ticked:
            self.clock += 1.0
        self._ticked = False
        event_id = len(self.events) + 1
        self.events.append(
            {
                "eventId": event_id,
                "eventType": event_type,
                "eventTimestamp": self.clock,
                attributes_key(event_type): attrs,
            }
        )
        return event_id

    def attributes(self, event_id: int) -> dict[str, Any]:
        """The attributes dict of the event ``event_id``."""
        event = self.events[event_id - 1]
        return event[attributes_key(event["eventType"])]

    def to_json(self) -> str:
        """The history as GetWorkflowExecutionHistory's JSON body: ``{"events": [...]}``."""
        return json.dumps({"events": self.events})

    def _decision_id(self, decision_id: int | None) -> int:
        if decision_id is not None:
            return decision_id
        if self._last_decision_completed is None:
            raise ValueError("no DecisionTaskCompleted yet: call decision() before adding what a decision caused")
        return self._last_decision_completed

    # -- decision tasks -----------------------------------------------------------------------------

    def decision_started(self) -> int:
        """DecisionTaskScheduled then DecisionTaskStarted (the task being answered now); return the Started id."""
        scheduled = self.add("DecisionTaskScheduled", taskList={"name": self.task_list}, startToCloseTimeout="300")
        return self.add("DecisionTaskStarted", scheduledEventId=scheduled, identity="decider")

    def decision(self) -> int:
        """A whole decision task (Scheduled, Started, Completed); return the Completed id."""
        return self.decision_completed(self.decision_started())

    def decision_timed_out_unstarted(
        self, task_list: str = "tl-sticky", timeout: str = "5", started_id: bool = True
    ) -> int:
        """A decision task scheduled on an override task list that no decider started in time.

        DecisionTaskScheduled on *task_list* with its scheduleToStartTimeout, then DecisionTaskTimedOut
        (SCHEDULE_TO_START; SWF reports startedEventId 0, ``started_id=False`` leaves it out).
        Return the TimedOut id; SWF then schedules a new task on the original list (``decision_started``).
        """
        scheduled = self.add(
            "DecisionTaskScheduled",
            taskList={"name": task_list},
            startToCloseTimeout="300",
            scheduleToStartTimeout=timeout,
        )
        attrs: dict[str, Any] = {"timeoutType": "SCHEDULE_TO_START", "scheduledEventId": scheduled}
        if started_id:
            attrs["startedEventId"] = 0
        return self.add("DecisionTaskTimedOut", **attrs)

    def decision_timed_out(self, started: int) -> int:
        """DecisionTaskTimedOut (START_TO_CLOSE) of the decision task started at ``started`` (its decider died)."""
        return self.add(
            "DecisionTaskTimedOut", timeoutType="START_TO_CLOSE", scheduledEventId=started - 1, startedEventId=started
        )

    def decision_completed(self, started: int) -> int:
        """DecisionTaskCompleted for the decision task started at ``started``; return its id."""
        completed = self.add("DecisionTaskCompleted", scheduledEventId=started - 1, startedEventId=started)
        self._last_decision_completed = completed
        return completed

    # -- activities ---------------------------------------------------------------------------------

    def schedule_activity(
        self,
        activity_id: str,
        name: str,
        version: str = "1",
        input: Any = None,
        task_list: str = "tl",
        decision_id: int | None = None,
        control: Any = None,
    ) -> int:
        """ActivityTaskScheduled; ``input`` (default: no args) and ``control`` are JSON-encoded."""
        attrs: dict[str, Any] = {
            "activityType": {"name": name, "version": version},
            "activityId": activity_id,
            "input": _encode(_DEFAULT_INPUT if input is None else input),
            "scheduleToStartTimeout": "300",
            "scheduleToCloseTimeout": "600",
            "startToCloseTimeout": "300",
            "heartbeatTimeout": "300",
            "taskList": {"name": task_list},
            "decisionTaskCompletedEventId": self._decision_id(decision_id),
        }
        if control is not None:
            attrs["control"] = _encode(control)
        scheduled = self.add("ActivityTaskScheduled", **attrs)
        self._activities[scheduled] = {"activity_id": activity_id, "started": None}
        return scheduled

    def _activity(self, scheduled_id: int) -> dict[str, Any]:
        try:
            return self._activities[scheduled_id]
        except KeyError:
            raise ValueError(f"event {scheduled_id} is not an ActivityTaskScheduled of this history") from None

    def start_activity(self, scheduled_id: int, identity: str = "worker") -> int:
        """ActivityTaskStarted for the activity scheduled at ``scheduled_id``."""
        activity = self._activity(scheduled_id)
        started = self.add("ActivityTaskStarted", identity=identity, scheduledEventId=scheduled_id)
        activity["started"] = started
        return started

    def _ensure_started(self, scheduled_id: int) -> int:
        activity = self._activity(scheduled_id)
        if activity["started"] is None:
            self.start_activity(scheduled_id)
        return activity["started"]

    def complete_activity(self, scheduled_id: int, result: Any = None) -> int:
        """ActivityTaskCompleted with the JSON-encoded ``result`` (adds ActivityTaskStarted first if needed)."""
        started = self._ensure_started(scheduled_id)
        return self.add(
            "ActivityTaskCompleted", result=_encode(result), scheduledEventId=scheduled_id, startedEventId=started
        )

    def fail_activity(self, scheduled_id: int, reason: str = "Error: boom", details: Any = None) -> int:
        """ActivityTaskFailed (adds ActivityTaskStarted first if needed); ``details`` is JSON-encoded when given."""
        started = self._ensure_started(scheduled_id)
        attrs: dict[str, Any] = {"reason": reason, "scheduledEventId": scheduled_id, "startedEventId": started}
        if details is not None:
            attrs["details"] = _encode(details)
        return self.add("ActivityTaskFailed", **attrs)

    def timeout_activity(self, scheduled_id: int, timeout_type: str = "START_TO_CLOSE") -> int:
        """ActivityTaskTimedOut; a SCHEDULE_TO_START timeout needs no start, the others add one if missing."""
        activity = self._activity(scheduled_id)
        if timeout_type == "SCHEDULE_TO_START":
            started = activity["started"] or 0  # SWF reports 0 for a task that never started
        else:
            started = self._ensure_started(scheduled_id)
        return self.add(
            "ActivityTaskTimedOut", timeoutType=timeout_type, scheduledEventId=scheduled_id, startedEventId=started
        )

    def schedule_activity_failed(
        self, activity_id: str, name: str, version: str = "1", cause: str = "ACTIVITY_TYPE_DOES_NOT_EXIST"
    ) -> int:
        """ScheduleActivityTaskFailed: SWF refused the last decision's ScheduleActivityTask."""
        return self.add(
            "ScheduleActivityTaskFailed",
            activityType={"name": name, "version": version},
            activityId=activity_id,
            cause=cause,
            decisionTaskCompletedEventId=self._decision_id(None),
        )

    def cancel_activity(self, scheduled_id: int) -> int:
        """ActivityTaskCancelRequested then ActivityTaskCanceled; return the Canceled id."""
        activity = self._activity(scheduled_id)
        requested = self.add(
            "ActivityTaskCancelRequested",
            decisionTaskCompletedEventId=self._decision_id(None),
            activityId=activity["activity_id"],
        )
        attrs: dict[str, Any] = {"scheduledEventId": scheduled_id, "latestCancelRequestedEventId": requested}
        if activity["started"] is not None:
            attrs["startedEventId"] = activity["started"]
        return self.add("ActivityTaskCanceled", **attrs)

    def request_cancel_activity(self, scheduled_id: int) -> int:
        """ActivityTaskCancelRequested for the activity scheduled at ``scheduled_id``, decided by the last decision."""
        return self.add(
            "ActivityTaskCancelRequested",
            decisionTaskCompletedEventId=self._decision_id(None),
            activityId=self._activity(scheduled_id)["activity_id"],
        )

    def activity_canceled(self, scheduled_id: int, requested_id: int, details: Any = None) -> int:
        """ActivityTaskCanceled (the worker answered RespondActivityTaskCanceled) after the request ``requested_id``."""
        activity = self._activity(scheduled_id)
        attrs: dict[str, Any] = {"scheduledEventId": scheduled_id, "latestCancelRequestedEventId": requested_id}
        if activity["started"] is not None:
            attrs["startedEventId"] = activity["started"]
        if details is not None:
            attrs["details"] = _encode(details)
        return self.add("ActivityTaskCanceled", **attrs)

    def request_cancel_activity_failed(self, activity_id: str, cause: str = "ACTIVITY_ID_UNKNOWN") -> int:
        """RequestCancelActivityTaskFailed: SWF refused the last decision's RequestCancelActivityTask."""
        return self.add(
            "RequestCancelActivityTaskFailed",
            activityId=activity_id,
            cause=cause,
            decisionTaskCompletedEventId=self._decision_id(None),
        )

    # -- timers and markers -------------------------------------------------------------------------

    def start_timer(self, timer_id: str, seconds: float, control: Any = None) -> int:
        """TimerStarted for ``seconds`` (SWF's startToFireTimeout is a string of whole seconds)."""
        attrs: dict[str, Any] = {
            "timerId": timer_id,
            "startToFireTimeout": str(int(seconds)),
            "decisionTaskCompletedEventId": self._decision_id(None),
        }
        if control is not None:
            attrs["control"] = _encode(control)
        started = self.add("TimerStarted", **attrs)
        self._timers[timer_id] = started
        return started

    def _timer(self, timer_id: str) -> int:
        try:
            return self._timers[timer_id]
        except KeyError:
            raise ValueError(f"timer {timer_id!r} was never started in this history") from None

    def fire_timer(self, timer_id: str) -> int:
        """TimerFired for the latest start of ``timer_id``."""
        return self.add("TimerFired", timerId=timer_id, startedEventId=self._timer(timer_id))

    def cancel_timer(self, timer_id: str) -> int:
        """TimerCanceled for the latest start of ``timer_id``, decided by the last decision."""
        return self.add(
            "TimerCanceled",
            timerId=timer_id,
            startedEventId=self._timer(timer_id),
            decisionTaskCompletedEventId=self._decision_id(None),
        )

    def cancel_timer_failed(self, timer_id: str, cause: str = "TIMER_ID_UNKNOWN") -> int:
        """CancelTimerFailed: SWF refused the last decision's CancelTimer."""
        return self.add(
            "CancelTimerFailed", timerId=timer_id, cause=cause, decisionTaskCompletedEventId=self._decision_id(None)
        )

    def record_marker(self, name: str, details: Any = None) -> int:
        """MarkerRecorded; ``details`` is JSON-encoded (``null`` when None)."""
        return self.add(
            "MarkerRecorded",
            markerName=name,
            details=_encode(details),
            decisionTaskCompletedEventId=self._decision_id(None),
        )

    # -- signals and workflow life ------------------------------------------------------------------

    def signal(
        self,
        name: str,
        input: Any = None,
        external_workflow_id: str | None = None,
        external_run_id: str | None = None,
    ) -> int:
        """WorkflowExecutionSignaled; ``input`` is JSON-encoded; the sender is set when its ids are given."""
        attrs: dict[str, Any] = {"signalName": name, "input": _encode(input)}
        if external_workflow_id is not None:
            attrs["externalWorkflowExecution"] = {"workflowId": external_workflow_id, "runId": external_run_id or ""}
        return self.add("WorkflowExecutionSignaled", **attrs)

    def cancel_requested(self, external_workflow_id: str | None = None, external_initiated_id: int = 0) -> int:
        """WorkflowExecutionCancelRequested: from outside (no cause), or from the workflow execution named."""
        if external_workflow_id is None:
            return self.add("WorkflowExecutionCancelRequested")
        return self.add(
            "WorkflowExecutionCancelRequested",
            externalWorkflowExecution={"workflowId": external_workflow_id, "runId": "parent-run"},
            externalInitiatedEventId=external_initiated_id,
        )

    # -- cancel requests to other executions ------------------------------------------------------

    def request_cancel_external(self, workflow_id: str, run_id: str | None = None) -> int:
        """RequestCancelExternalWorkflowExecutionInitiated, decided by the last decision; return its id."""
        attrs: dict[str, Any] = {"workflowId": workflow_id, "decisionTaskCompletedEventId": self._decision_id(None)}
        if run_id is not None:
            attrs["runId"] = run_id
        return self.add("RequestCancelExternalWorkflowExecutionInitiated", **attrs)

    def external_cancel_requested(self, initiated_id: int) -> int:
        """ExternalWorkflowExecutionCancelRequested: the request initiated at ``initiated_id`` was delivered."""
        initiated = self.attributes(initiated_id)
        execution = {"workflowId": initiated["workflowId"], "runId": initiated.get("runId", "")}
        return self.add(
            "ExternalWorkflowExecutionCancelRequested", initiatedEventId=initiated_id, workflowExecution=execution
        )

    def request_cancel_external_failed(
        self, initiated_id: int, cause: str = "UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION"
    ) -> int:
        """RequestCancelExternalWorkflowExecutionFailed for the request initiated at ``initiated_id``."""
        initiated = self.attributes(initiated_id)
        attrs: dict[str, Any] = {
            "workflowId": initiated["workflowId"],
            "cause": cause,
            "initiatedEventId": initiated_id,
            "decisionTaskCompletedEventId": initiated["decisionTaskCompletedEventId"],
        }
        if "runId" in initiated:
            attrs["runId"] = initiated["runId"]
        return self.add("RequestCancelExternalWorkflowExecutionFailed", **attrs)

    def complete_workflow(self, result: Any = None) -> int:
        """WorkflowExecutionCompleted with the JSON-encoded ``result``, decided by the last decision."""
        return self.add(
            "WorkflowExecutionCompleted", result=_encode(result), decisionTaskCompletedEventId=self._decision_id(None)
        )

    def fail_workflow(self, reason: str, details: Any = None) -> int:
        """WorkflowExecutionFailed; ``details`` is JSON-encoded when given."""
        attrs: dict[str, Any] = {"reason": reason, "decisionTaskCompletedEventId": self._decision_id(None)}
        if details is not None:
            attrs["details"] = _encode(details)
        return self.add("WorkflowExecutionFailed", **attrs)

    # -- child workflows ----------------------------------------------------------------------------

    def start_child_workflow(
        self,
        workflow_id: str,
        name: str,
        version: str = "1",
        input: Any = None,
        task_list: str = "tl",
        decision_id: int | None = None,
        control: Any = None,
    ) -> int:
        """StartChildWorkflowExecutionInitiated; return its id (the ``initiatedEventId`` of what follows)."""
        attrs: dict[str, Any] = {
            "workflowId": workflow_id,
            "workflowType": {"name": name, "version": version},
            "input": _encode(_DEFAULT_INPUT if input is None else input),
            "executionStartToCloseTimeout": "3600",
            "taskStartToCloseTimeout": "300",
            "childPolicy": "TERMINATE",
            "taskList": {"name": task_list},
            "decisionTaskCompletedEventId": self._decision_id(decision_id),
        }
        if control is not None:
            attrs["control"] = _encode(control)
        initiated = self.add("StartChildWorkflowExecutionInitiated", **attrs)
        self._children[initiated] = {"workflow_id": workflow_id, "type": attrs["workflowType"], "started": None}
        return initiated

    def _child(self, initiated_id: int) -> dict[str, Any]:
        try:
            return self._children[initiated_id]
        except KeyError:
            raise ValueError(f"event {initiated_id} is not a StartChildWorkflowExecutionInitiated") from None

    def _child_common(self, initiated_id: int) -> dict[str, Any]:
        child = self._child(initiated_id)
        if child["started"] is None:
            self.start_child(initiated_id)
        return {
            "workflowExecution": {"workflowId": child["workflow_id"], "runId": child["run_id"]},
            "workflowType": child["type"],
            "initiatedEventId": initiated_id,
            "startedEventId": child["started"],
        }

    def start_child(self, initiated_id: int, run_id: str = "child-run-id") -> int:
        """ChildWorkflowExecutionStarted for the child initiated at ``initiated_id``."""
        child = self._child(initiated_id)
        started = self.add(
            "ChildWorkflowExecutionStarted",
            workflowExecution={"workflowId": child["workflow_id"], "runId": run_id},
            workflowType=child["type"],
            initiatedEventId=initiated_id,
        )
        child["started"] = started
        child["run_id"] = run_id
        return started

    def complete_child(self, initiated_id: int, result: Any = None) -> int:
        """ChildWorkflowExecutionCompleted with the JSON-encoded ``result`` (starts the child first if needed)."""
        attrs = self._child_common(initiated_id)
        return self.add("ChildWorkflowExecutionCompleted", result=_encode(result), **attrs)

    def fail_child(self, initiated_id: int, reason: str = "Error: boom", details: Any = None) -> int:
        """ChildWorkflowExecutionFailed (starts the child first if needed)."""
        attrs = self._child_common(initiated_id)
        attrs["reason"] = reason
        if details is not None:
            attrs["details"] = _encode(details)
        return self.add("ChildWorkflowExecutionFailed", **attrs)

    def cancel_child(self, initiated_id: int, details: Any = None) -> int:
        """ChildWorkflowExecutionCanceled (starts the child first if needed)."""
        attrs = self._child_common(initiated_id)
        if details is not None:
            attrs["details"] = _encode(details)
        return self.add("ChildWorkflowExecutionCanceled", **attrs)

    def terminate_child(self, initiated_id: int) -> int:
        """ChildWorkflowExecutionTerminated (starts the child first if needed)."""
        return self.add("ChildWorkflowExecutionTerminated", **self._child_common(initiated_id))

    def timeout_child(self, initiated_id: int) -> int:
        """ChildWorkflowExecutionTimedOut (starts the child first if needed)."""
        attrs = self._child_common(initiated_id)
        return self.add("ChildWorkflowExecutionTimedOut", timeoutType="START_TO_CLOSE", **attrs)

    def start_child_failed(
        self, workflow_id: str, name: str, version: str = "1", cause: str = "WORKFLOW_TYPE_DOES_NOT_EXIST"
    ) -> int:
        """StartChildWorkflowExecutionFailed, refused by SWF at once (so no Initiated event, as SWF reports 0)."""
        return self.add(
            "StartChildWorkflowExecutionFailed",
            workflowType={"name": name, "version": version},
            cause=cause,
            workflowId=workflow_id,
            initiatedEventId=0,
            decisionTaskCompletedEventId=self._decision_id(None),
        )
