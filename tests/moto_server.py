"""A real moto server process on 127.0.0.1, playing SWF and S3 for the tests.

By default the server runs with a few patches that bring moto's SWF closer to
real SWF where the tests need it (see :func:`patch_moto`); ``MotoServer(stock=True)``
runs moto untouched (the benchmark compares against the peer on stock moto).
Run as a script, this file is that launcher: ``python tests/moto_server.py [--stock] -H HOST -p PORT``.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from typing import Any

# How long the launcher holds an empty poll (SWF: 60 s, patch 10). The test suite's default is short:
# a decider or worker it stops ends with its poll in flight; the benchmarks ask for long ones.
POLL_WAIT = 0.05
# How often held polls have the server look for due timeouts (moto finds them only when asked).
TIMEOUT_SWEEP = 0.1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def patch_moto(poll_wait: float = POLL_WAIT) -> None:
    """Patch moto's SWF, in the server process, where it differs from real SWF.

    Each patch is a test workaround: the code under test follows real SWF.
    """
    import moto.swf.models as models
    from moto.swf.exceptions import SWFUnknownResourceFault
    from moto.swf.models.workflow_execution import WorkflowExecution

    # 1. Empty polls: moto calls ``sleep(1)`` before answering "no task" (no long polling): a task
    #    scheduled during that second waits for the next poll. Real SWF holds the poll open and
    #    answers the moment a task is scheduled: patch 10 does that, moto's sleep goes.
    models.sleep = lambda seconds: None

    # 2. Activity ids: moto keeps every task ever scheduled in an execution and refuses a new
    #    ScheduleActivityTask whose id any of them had (ACTIVITY_ID_ALREADY_IN_USE). Real SWF
    #    refuses only an id still open, so a failed task can be retried under the same id (as
    #    simpleflow does). Hide the closed namesakes from moto's check, for the check only.
    original_schedule = WorkflowExecution.schedule_activity_task

    def schedule_activity_task(self, event_id, attributes):
        activity_id = attributes.get("activityId")
        hidden = [t for t in self.activity_tasks if t.activity_id == activity_id and not t.open]
        for task in hidden:
            task.activity_id = None
        try:
            return original_schedule(self, event_id, attributes)
        finally:
            for task in hidden:
                task.activity_id = activity_id

    WorkflowExecution.schedule_activity_task = schedule_activity_task

    # 3. A heartbeat or answer for a task that timed out (or failed) is an HTTP 500 on moto (an
    #    internal ValueError); real SWF answers UnknownResourceFault: the task is gone.
    original_find = models.SWFBackend._find_activity_task_from_token

    def find_activity_task(self, task_token):
        try:
            return original_find(self, task_token)
        except ValueError:
            raise SWFUnknownResourceFault("activity, the task is closed") from None

    models.SWFBackend._find_activity_task_from_token = find_activity_task

    # 4. SignalExternalWorkflowExecution: moto raises NotImplementedError for the decision (which
    #    leaves the execution without decision tasks). SWF's API reference: the decision records
    #    SignalExternalWorkflowExecutionInitiated; once delivered, the target gets
    #    WorkflowExecutionSignaled (with externalWorkflowExecution and externalInitiatedEventId)
    #    and the sender ExternalWorkflowExecutionSignaled, which schedules a decision task; a
    #    target that is not open gives SignalExternalWorkflowExecutionFailed with the cause
    #    UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION. Steps' ``step.<name>`` signals go to their own execution.
    from moto.swf.models import history_event

    history_event.SUPPORTED_HISTORY_EVENT_TYPES += (
        "SignalExternalWorkflowExecutionInitiated",
        "ExternalWorkflowExecutionSignaled",
        "SignalExternalWorkflowExecutionFailed",
    )
    original_handle = WorkflowExecution.handle_decisions

    def signal_external(self, event_id, attributes):
        initiated = self._add_event(
            "SignalExternalWorkflowExecutionInitiated",
            decision_task_completed_event_id=event_id,
            workflow_id=attributes["workflowId"],
            run_id=attributes.get("runId"),
            signal_name=attributes["signalName"],
            input=attributes.get("input"),
            control=attributes.get("control"),
        )
        target = self.domain.get_workflow_execution(
            attributes["workflowId"], run_id=attributes.get("runId"), raise_if_none=False, raise_if_closed=True
        )
        if target is None or not target.open:
            self._add_event(
                "SignalExternalWorkflowExecutionFailed",
                decision_task_completed_event_id=event_id,
                initiated_event_id=initiated.event_id,
                workflow_id=attributes["workflowId"],
                run_id=attributes.get("runId"),
                cause="UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION",
                control=attributes.get("control"),
            )
        else:
            target._add_event(
                "WorkflowExecutionSignaled",
                signal_name=attributes["signalName"],
                input=attributes.get("input"),
                external_workflow_execution={"workflowId": self.workflow_id, "runId": self.run_id},
                external_initiated_event_id=initiated.event_id,
            )
            target.schedule_decision_task()
            self._add_event(
                "ExternalWorkflowExecutionSignaled",
                initiated_event_id=initiated.event_id,
                workflow_execution={"workflowId": target.workflow_id, "runId": target.run_id},
            )
        # One scheduled decision task at most (the target may be this very execution).
        if not any(task.state == "SCHEDULED" for task in self.decision_tasks):
            self.should_schedule_decision_next = True

    # 5. Activity cancellation: moto raises NotImplementedError for RequestCancelActivityTask, always answers
    #    a heartbeat with cancelRequested false and has no RespondActivityTaskCanceled. SWF's developer guide
    #    (Cancelling activity tasks): "If the activity task has not yet been acquired by an activity worker,
    #    the service will cancel the task. [...] If the task has already been assigned to an activity worker,
    #    then the activity worker will be requested to cancel the task" (ActivityTaskCancelRequested, then
    #    RecordActivityTaskHeartbeat answers cancelRequested true). RespondActivityTaskCanceled: "These
    #    details (if provided) appear in the ActivityTaskCanceled event added to the workflow history" (a
    #    decision task follows). An activity id that is not open gives RequestCancelActivityTaskFailed with
    #    the cause ACTIVITY_ID_UNKNOWN, which also schedules a decision task.
    history_event.SUPPORTED_HISTORY_EVENT_TYPES += (
        "ActivityTaskCancelRequested",
        "ActivityTaskCanceled",
        "RequestCancelActivityTaskFailed",
    )

    def request_cancel_activity(self, event_id, attributes):
        activity_id = attributes["activityId"]
        task = next((t for t in self.activity_tasks if t.activity_id == activity_id and t.open), None)
        if task is None:
            self._add_event(
                "RequestCancelActivityTaskFailed",
                activity_id=activity_id,
                cause="ACTIVITY_ID_UNKNOWN",
                decision_task_completed_event_id=event_id,
            )
            self.should_schedule_decision_next = True
            return
        requested = self._add_event(
            "ActivityTaskCancelRequested", activity_id=activity_id, decision_task_completed_event_id=event_id
        )
        task.cancel_requested_event_id = requested.event_id
        if task.state == "SCHEDULED":
            _activity_canceled(self, task, None)
            self.should_schedule_decision_next = True

    def _activity_canceled(execution, task, details):
        execution._add_event(
            "ActivityTaskCanceled",
            scheduled_event_id=task.scheduled_event_id,
            started_event_id=task.started_event_id,
            latest_cancel_requested_event_id=getattr(task, "cancel_requested_event_id", None),
            details=details,
        )
        task.state = "CANCELED"
        execution.open_counts["openActivityTasks"] -= 1

    from moto.swf.responses import SWFResponse

    def record_activity_task_heartbeat(self):
        token = self._params["taskToken"]
        self.swf_backend.record_activity_task_heartbeat(token, details=self._params.get("details"))
        task = self.swf_backend._find_activity_task_from_token(token)
        return json.dumps({"cancelRequested": getattr(task, "cancel_requested_event_id", None) is not None})

    def respond_activity_task_canceled(self):
        backend = self.swf_backend
        backend._process_timeouts()
        task = backend._find_activity_task_from_token(self._params["taskToken"])
        execution = task.workflow_execution
        _activity_canceled(execution, task, self._params.get("details"))
        execution.schedule_decision_task()
        return ""

    SWFResponse.record_activity_task_heartbeat = record_activity_task_heartbeat
    SWFResponse.respond_activity_task_canceled = respond_activity_task_canceled

    extra_decisions = {
        "SignalExternalWorkflowExecution": signal_external,
        "RequestCancelActivityTask": request_cancel_activity,
    }

    def handle_decisions(self, event_id, decisions):
        others = []
        for decision in decisions:
            handler = extra_decisions.get(decision["decisionType"])
            if handler is None:
                others.append(decision)
                continue
            if others:
                original_handle(self, event_id, others)
                self.open_counts["openDecisionTasks"] += 1  # the original decrements it once per call
                others = []
            kind = decision["decisionType"]
            handler(self, event_id, decision[kind[0].lower() + kind[1:] + "DecisionAttributes"])
        original_handle(self, event_id, others)

    WorkflowExecution.handle_decisions = handle_decisions

    # 6. Heartbeat timeouts: moto starts a task's heartbeat clock when the task is scheduled, so a task
    #    that waits in its task list longer than its heartbeatTimeout times out before any worker got it.
    #    SWF's API reference (ActivityTaskScheduledEventAttributes.heartbeatTimeout): "The maximum time
    #    before which the worker processing this task must report progress by calling
    #    RecordActivityTaskHeartbeat." The clock is the processing worker's: it starts with the task.
    from moto.swf.models.activity_task import ActivityTask

    original_start = ActivityTask.start

    def start_activity_task(self, started_event_id):
        original_start(self, started_event_id)
        self.reset_heartbeat_clock()

    ActivityTask.start = start_activity_task
    _patch_activity_timeouts()

    _patch_task_list_override()
    _patch_start_at_previous_started_event()
    _patch_child_workflows(extra_decisions)
    _patch_list_filters()
    _patch_close_timestamps()
    lock = _serialize_requests()
    _patch_long_polls(lock, poll_wait)


def _patch_task_list_override() -> None:
    """7. RespondDecisionTaskCompleted's ``taskList`` and ``taskListScheduleToStartTimeout`` (moto ignores both).

    SWF's API reference: taskList is "The task list to use for the future decision tasks of this
    workflow execution. This list overrides the original task list you specified while starting the
    workflow execution." taskListScheduleToStartTimeout "Specifies a timeout (in seconds) for the
    task list override. When this parameter is missing, the task list override is permanent. This
    parameter makes it possible to temporarily override the task list. If a decision task scheduled
    on the override task list is not started within the timeout, the decision task will time out.
    Amazon SWF will revert the override and schedule a new decision task to the original task list."

    Read literally: the override holds for every decision task scheduled after the answer, until a
    later answer names another list (naming the original one ends it) or a task on it times out
    (DecisionTaskTimedOut, timeoutType SCHEDULE_TO_START, then DecisionTaskScheduled on the original
    list). A task already scheduled when the answer comes stays where it is. Polls match a decision
    task by the list it was scheduled on (moto matches the execution's list).
    """
    import threading

    import moto.swf.models as models
    from moto.core.utils import unix_time
    from moto.swf.models.decision_task import DecisionTask
    from moto.swf.models.timeout import Timeout
    from moto.swf.models.workflow_execution import WorkflowExecution
    from moto.swf.responses import SWFResponse

    answer = threading.local()  # the override named by the RespondDecisionTaskCompleted being handled

    def schedule_decision_task(self) -> None:
        tasks = self.decision_tasks
        if any(t.state == "STARTED" for t in tasks) and any(t.state == "SCHEDULED" for t in tasks):
            return  # as moto: one started and one scheduled at most
        task_list, timeout = getattr(self, "decision_task_list_override", None) or (self.task_list, None)
        evt = self._add_event(
            "DecisionTaskScheduled",
            start_to_close_timeout=self.task_start_to_close_timeout,
            schedule_to_start_timeout=timeout,
            task_list=task_list,
        )
        task = DecisionTask(self, evt.event_id)
        task.task_list = task_list
        task.schedule_to_start_timeout = timeout
        task.scheduled_timestamp = unix_time()
        self.domain.add_to_decision_task_list(task_list, task)
        self.open_counts["openDecisionTasks"] += 1

    WorkflowExecution._schedule_decision_task = schedule_decision_task

    original_first_timeout = DecisionTask.first_timeout

    def first_timeout(self):
        timeout = getattr(self, "schedule_to_start_timeout", None)
        if self.state == "SCHEDULED" and timeout and self.workflow_execution.open:
            due = Timeout(self, self.scheduled_timestamp + float(timeout), "SCHEDULE_TO_START")
            return due if due.reached else None
        return original_first_timeout(self)

    DecisionTask.first_timeout = first_timeout

    original_timeout_decision_task = WorkflowExecution.timeout_decision_task

    def timeout_decision_task(self, timeout) -> None:
        if timeout.kind != "SCHEDULE_TO_START":
            return original_timeout_decision_task(self, timeout)
        task = timeout.obj
        task.timeout(timeout)
        self._add_event(  # startedEventId is 0 on SWF (the task never started); moto leaves zeros out
            "DecisionTaskTimedOut",
            event_timestamp=timeout.timestamp,
            scheduled_event_id=task.scheduled_event_id,
            timeout_type="SCHEDULE_TO_START",
        )
        self.open_counts["openDecisionTasks"] -= 1
        self.decision_task_list_override = None  # reverted: _process_timeouts schedules on the original list
        return None

    WorkflowExecution.timeout_decision_task = timeout_decision_task

    original_complete = WorkflowExecution.complete_decision_task

    def complete_decision_task(self, task_token, decisions=None, execution_context=None) -> None:
        self.validate_decisions(decisions or [])  # a refused answer changes nothing, the override included
        override = getattr(answer, "override", None)
        if override is not None:
            task_list, timeout = override
            self.decision_task_list_override = None if task_list == self.task_list else (task_list, timeout)
        original_complete(self, task_token, decisions=decisions, execution_context=execution_context)

    WorkflowExecution.complete_decision_task = complete_decision_task

    original_respond = SWFResponse.respond_decision_task_completed

    def respond_decision_task_completed(self) -> str:
        params = self._params
        name = (params.get("taskList") or {}).get("name")
        answer.override = None if not name else (name, params.get("taskListScheduleToStartTimeout"))
        try:
            return original_respond(self)
        finally:
            answer.override = None

    SWFResponse.respond_decision_task_completed = respond_decision_task_completed

    def poll_for_decision_task(self, domain_name, task_list, identity=None):
        self._process_timeouts()
        domain = self._get_domain(domain_name)
        candidates = []
        for wfe in domain.workflow_executions:
            if not wfe.open:
                continue
            tasks = wfe.decision_tasks
            if any(t.state == "STARTED" for t in tasks):
                continue  # one started decision task per execution
            list_of = lambda t, wfe=wfe: getattr(t, "task_list", wfe.task_list)  # noqa: E731
            candidates += [t for t in tasks if t.state == "SCHEDULED" and list_of(t) == task_list]
        if candidates:
            task = min(candidates, key=lambda t: t.scheduled_at)
            task.workflow_execution.start_decision_task(task.task_token, identity=identity)
            return task
        models.sleep(1)
        return None

    models.SWFBackend.poll_for_decision_task = poll_for_decision_task


def _patch_start_at_previous_started_event() -> None:
    """8. PollForDecisionTask's ``startAtPreviousStartedEvent`` (moto ignores it and sends every event).

    SWF's API reference: "When set to true, returns the events with eventTimestamp greater than or
    equal to eventTimestamp of the most recent DecisionTaskStarted event", the one before the task
    being handed out (its previousStartedEventId). moto stamps a lazily found timeout with the time it
    was due, which can be earlier than events recorded before it, so the cut is made by event id.
    """
    import json

    from moto.swf.responses import SWFResponse

    original_poll = SWFResponse.poll_for_decision_task

    def poll_for_decision_task(self) -> str:
        body = original_poll(self)
        if not self._params.get("startAtPreviousStartedEvent"):
            return body
        task = json.loads(body)
        previous = task.get("previousStartedEventId")
        if task.get("taskToken") and previous:
            task["events"] = [e for e in task["events"] if e["eventId"] >= previous]
        return json.dumps(task)

    SWFResponse.poll_for_decision_task = poll_for_decision_task


# StartChildWorkflowExecutionFailed's cause when neither the decision nor the workflow type gives a value.
_UNDEFINED_CAUSES = {
    "childPolicy": "DEFAULT_CHILD_POLICY_UNDEFINED",
    "taskList": "DEFAULT_TASK_LIST_UNDEFINED",
    "executionStartToCloseTimeout": "DEFAULT_EXECUTION_START_TO_CLOSE_TIMEOUT_UNDEFINED",
    "taskStartToCloseTimeout": "DEFAULT_TASK_START_TO_CLOSE_TIMEOUT_UNDEFINED",
}


def _patch_child_workflows(extra_decisions: dict[str, Any]) -> None:
    """12. Child workflow executions (moto raises NotImplementedError for StartChildWorkflowExecution).

    SWF's API reference (StartChildWorkflowExecutionDecisionAttributes, and the history events of the
    same names): the decision records ``StartChildWorkflowExecutionInitiated``; the child starts with
    ``parentWorkflowExecution`` and ``parentInitiatedEventId`` in its ``WorkflowExecutionStarted``
    (and ``parent`` in its execution info), and the parent gets ``ChildWorkflowExecutionStarted``,
    which schedules a decision task. When the child closes, the parent gets
    ``ChildWorkflowExecution{Completed,Failed,TimedOut,Canceled,Terminated}`` (with the
    ``initiatedEventId`` and ``startedEventId``) and a decision task. A workflow id already open gives
    ``StartChildWorkflowExecutionFailed`` with the cause ``WORKFLOW_ALREADY_RUNNING``, an unknown type
    ``WORKFLOW_TYPE_DOES_NOT_EXIST``. Not done here: the parent's child policy when it closes first.
    """
    from types import SimpleNamespace

    from moto.core.utils import unix_time
    from moto.swf.exceptions import SWFDefaultUndefinedFault, SWFUnknownResourceFault
    from moto.swf.models import history_event
    from moto.swf.models.workflow_execution import WorkflowExecution

    history_event.SUPPORTED_HISTORY_EVENT_TYPES += (
        "StartChildWorkflowExecutionInitiated",
        "StartChildWorkflowExecutionFailed",
        "ChildWorkflowExecutionStarted",
        "ChildWorkflowExecutionCompleted",
        "ChildWorkflowExecutionFailed",
        "ChildWorkflowExecutionTimedOut",
        "ChildWorkflowExecutionCanceled",
        "ChildWorkflowExecutionTerminated",
    )

    def start_child(self, event_id, attributes):
        wtype_ref = attributes["workflowType"]
        task_list = (attributes.get("taskList") or {}).get("name")
        initiated = self._add_event(
            "StartChildWorkflowExecutionInitiated",
            decision_task_completed_event_id=event_id,
            workflow_id=attributes["workflowId"],
            workflow_type=SimpleNamespace(**wtype_ref),
            control=attributes.get("control"),
            input=attributes.get("input"),
            execution_start_to_close_timeout=attributes.get("executionStartToCloseTimeout"),
            task_list=task_list,
            task_start_to_close_timeout=attributes.get("taskStartToCloseTimeout"),
            child_policy=attributes.get("childPolicy"),
            tag_list=attributes.get("tagList"),
        )
        cause = None
        try:
            wtype = self.domain.get_type("workflow", wtype_ref["name"], wtype_ref["version"])
        except SWFUnknownResourceFault:
            cause = "WORKFLOW_TYPE_DOES_NOT_EXIST"
        if cause is None and self.domain.get_workflow_execution(attributes["workflowId"], raise_if_none=False):
            cause = "WORKFLOW_ALREADY_RUNNING"
        if cause is None:
            try:
                child = WorkflowExecution(
                    self.domain,
                    wtype,
                    attributes["workflowId"],
                    tag_list=attributes.get("tagList"),
                    workflow_input=attributes.get("input"),
                    task_list=task_list,
                    execution_start_to_close_timeout=attributes.get("executionStartToCloseTimeout"),
                    task_start_to_close_timeout=attributes.get("taskStartToCloseTimeout"),
                    child_policy=attributes.get("childPolicy"),
                )
            except SWFDefaultUndefinedFault as err:  # neither the decision nor the type gives it
                cause = _UNDEFINED_CAUSES.get(err.message, "DEFAULT_CHILD_POLICY_UNDEFINED")
        if cause is not None:
            self._add_event(
                "StartChildWorkflowExecutionFailed",
                decision_task_completed_event_id=event_id,
                initiated_event_id=initiated.event_id,
                workflow_id=attributes["workflowId"],
                workflow_type=SimpleNamespace(**wtype_ref),
                cause=cause,
                control=attributes.get("control"),
            )
            self.should_schedule_decision_next = True
            return
        child.parent = {"workflowId": self.workflow_id, "runId": self.run_id}
        child.parent_link = (self, initiated.event_id)
        self.domain.add_workflow_execution(child)
        child.start()
        started = self._add_event(
            "ChildWorkflowExecutionStarted",
            initiated_event_id=initiated.event_id,
            workflow_execution=child.to_short_dict(),
            workflow_type=wtype,
        )
        child.parent_link = (self, initiated.event_id, started.event_id)
        self.open_counts["openChildWorkflowExecutions"] += 1
        self.should_schedule_decision_next = True

    extra_decisions["StartChildWorkflowExecution"] = start_child

    original_start = WorkflowExecution.start

    def start(self) -> None:
        link = getattr(self, "parent_link", None)
        if link is None:
            return original_start(self)
        self.start_timestamp = unix_time()
        self._add_event(
            "WorkflowExecutionStarted",
            child_policy=self.child_policy,
            execution_start_to_close_timeout=self.execution_start_to_close_timeout,
            parent_workflow_execution=self.parent,
            parent_initiated_event_id=link[1],
            task_list=self.task_list,
            task_start_to_close_timeout=self.task_start_to_close_timeout,
            workflow_type=self.workflow_type,
            tag_list=self.tag_list,
            input=self.input,
        )
        self.schedule_decision_task()
        return None

    WorkflowExecution.start = start

    def tell_parent(child, event_type: str, **attributes: Any) -> None:
        link = getattr(child, "parent_link", None)
        if link is None or len(link) < 3 or child.open:
            return
        parent, initiated_id, started_id = link
        child.parent_link = None  # told once
        if not parent.open:
            return
        parent._add_event(
            event_type,
            initiated_event_id=initiated_id,
            started_event_id=started_id,
            workflow_execution=child.to_short_dict(),
            workflow_type=child.workflow_type,
            **attributes,
        )
        parent.open_counts["openChildWorkflowExecutions"] -= 1
        parent.schedule_decision_task()

    closes = {
        "complete": "ChildWorkflowExecutionCompleted",
        "fail": "ChildWorkflowExecutionFailed",
        "cancel": "ChildWorkflowExecutionCanceled",
        "terminate": "ChildWorkflowExecutionTerminated",
        "timeout": "ChildWorkflowExecutionTimedOut",
    }

    def closing_attributes(child) -> dict[str, Any]:
        last = child._events[-1].event_attributes
        keys = {"result": "result", "reason": "reason", "details": "details", "timeoutType": "timeout_type"}
        return {snake: last[camel] for camel, snake in keys.items() if camel in last}

    for method_name, event_type in closes.items():
        method = getattr(WorkflowExecution, method_name)

        def closing(self, *args: Any, _method: Any = method, _event: str = event_type, **kwargs: Any) -> Any:
            was_open = self.open
            out = _method(self, *args, **kwargs)
            if was_open and not self.open:
                attributes = closing_attributes(self)
                if _event == "ChildWorkflowExecutionTerminated":
                    attributes = {}  # SWF's event carries no reason or details
                tell_parent(self, _event, **attributes)
            return out

        setattr(WorkflowExecution, method_name, closing)


def _patch_list_filters() -> None:
    """13. ListOpen/ClosedWorkflowExecutions' filters, as SWF applies them.

    moto ignores ``executionFilter`` and ``typeFilter`` (and answers HTTP 500 to a typeFilter without
    a version), and its ``closeStatusFilter`` drops executions it should keep (it compares a dict to a
    string while removing from the list it iterates). SWF's API reference: executionFilter "If
    specified, only workflow executions matching the workflow ID specified in the filter are
    returned"; typeFilter's version is optional ("version: Version of the workflow type"); the
    filters are exclusive. The filters are taken out of moto's hands and applied to its answer, then
    ``maximumPageSize`` (still without a token: the test server never pages).
    """
    from moto.swf.exceptions import SWFValidationException
    from moto.swf.responses import SWFResponse

    def filtered(original: Any) -> Any:
        def call(self) -> str:
            params = self._params  # moto parses the body at each read: the filters go from the body
            chosen = {key: params.pop(key) for key in FILTERS if params.get(key) is not None}
            if len(chosen) > 1:
                raise SWFValidationException(f"{' and '.join(sorted(chosen))} are mutually exclusive")
            size = int(params.pop("maximumPageSize", 0) or 0)
            self.body = json.dumps(params)
            body = json.loads(original(self))
            infos = [info for info in body.get("executionInfos", []) if _matches(info, chosen)]
            body["executionInfos"] = infos[:size] if size else infos
            return json.dumps(body)

        return call

    FILTERS = ("executionFilter", "typeFilter", "tagFilter", "closeStatusFilter")

    def _matches(info: dict, chosen: dict) -> bool:
        if "executionFilter" in chosen and info["execution"]["workflowId"] != chosen["executionFilter"]["workflowId"]:
            return False
        if "typeFilter" in chosen:
            wanted, wtype = chosen["typeFilter"], info["workflowType"]
            if wtype["name"] != wanted["name"] or wanted.get("version") not in (None, wtype["version"]):
                return False
        if "tagFilter" in chosen and chosen["tagFilter"]["tag"] not in info.get("tagList", []):
            return False
        return "closeStatusFilter" not in chosen or info.get("closeStatus") == chosen["closeStatusFilter"]["status"]

    SWFResponse.list_open_workflow_executions = filtered(SWFResponse.list_open_workflow_executions)
    SWFResponse.list_closed_workflow_executions = filtered(SWFResponse.list_closed_workflow_executions)


def _patch_activity_timeouts() -> None:
    """15. Activity timeouts: moto enforces only the heartbeat timeout; SWF enforces all four. SWF's API
    reference (ScheduleActivityTaskDecisionAttributes): startToCloseTimeout "The maximum duration a worker may
    take to process this activity task", scheduleToCloseTimeout "The maximum duration for this activity
    task"; past either, the task times out (ActivityTaskTimedOut, timeoutType START_TO_CLOSE or
    SCHEDULE_TO_CLOSE) and a decision task is scheduled. Counted here, as moto counts the heartbeat timeout,
    in whole seconds: start-to-close from the start (patch 6's clock), schedule-to-close from the scheduling.
    """
    import datetime

    from moto.core.utils import unix_time
    from moto.swf.models.activity_task import ActivityTask
    from moto.swf.models.timeout import Timeout

    original_start, original_first = ActivityTask.start, ActivityTask.first_timeout

    def start(self, started_event_id: int) -> None:
        original_start(self, started_event_id)
        self.started_timestamp = unix_time()

    def first_timeout(self) -> Any:
        if not self.open or not self.workflow_execution.open:
            return None
        due = [t for t in [original_first(self)] if t is not None]
        at = self.scheduled_at  # moto's utcnow(): naive, in UTC
        scheduled = (at.replace(tzinfo=datetime.timezone.utc) if at.tzinfo is None else at).timestamp()
        limits = (
            ("scheduleToCloseTimeout", "SCHEDULE_TO_CLOSE", scheduled),
            ("startToCloseTimeout", "START_TO_CLOSE", getattr(self, "started_timestamp", None)),
        )
        for key, kind, since in limits:
            limit = self.timeouts.get(key)
            if since is not None and limit not in (None, "NONE"):
                timeout = Timeout(self, since + int(limit), kind)
                if timeout.reached:
                    due.append(timeout)
        return min(due, key=lambda t: t.timestamp, default=None)

    ActivityTask.start = start
    ActivityTask.first_timeout = first_timeout


def _patch_close_timestamps() -> None:
    """14. An execution terminated or timed out: moto closes it without a ``closeTimestamp``. SWF's API
    reference (WorkflowExecutionInfo.closeTimestamp): "The time when the workflow execution was closed.
    Set only if the execution status is CLOSED."
    """
    from moto.core.utils import unix_time
    from moto.swf.models.workflow_execution import WorkflowExecution

    original_terminate, original_timeout = WorkflowExecution.terminate, WorkflowExecution.timeout

    def terminate(self, *args: Any, **kwargs: Any) -> None:
        original_terminate(self, *args, **kwargs)
        self.close_timestamp = unix_time()

    def timeout(self, timeout: Any) -> None:
        original_timeout(self, timeout)
        self.close_timestamp = timeout.timestamp

    WorkflowExecution.terminate = terminate
    WorkflowExecution.timeout = timeout


def _serialize_requests() -> None:
    """9. One SWF request at a time: moto's server is threaded and its SWF models take no lock.

    Two polls at once could both start the same scheduled task (one decision task handed to two
    deciders, two DecisionTaskStarted events), and the lazy timeouts could be recorded twice. SWF
    hands a task to one poller only. Every SWF request (and every timer firing) holds one lock; a
    held poll (patch 10) lets go of it while it waits. Returns the lock.
    """
    import functools
    import threading

    from moto.swf.models.workflow_execution import WorkflowExecution
    from moto.swf.responses import SWFResponse

    lock = threading.RLock()

    def locked(method):
        @functools.wraps(method)
        def call(*args, **kwargs):
            with lock:
                return method(*args, **kwargs)

        return call

    for name, member in list(vars(SWFResponse).items()):
        if callable(member) and not name.startswith("_"):
            setattr(SWFResponse, name, locked(member))
    WorkflowExecution._fire_timer = locked(WorkflowExecution._fire_timer)
    return lock


def _patch_long_polls(lock: Any, wait: float) -> None:
    """10. Long polls: an empty poll is held until a task comes for it, or for *wait* seconds (SWF: 60).

    SWF's API reference (PollForDecisionTask): "This action initiates a long poll, where the service
    holds the HTTP connection open and responds as soon a task becomes available. If no decision task
    is available in the specified task list before the timeout of 60 seconds expires, an empty result
    is returned." PollForActivityTask reads the same ("The maximum time the service holds on to the
    request before responding is 60 seconds"); clients should set their socket timeout to at least
    70 s. moto answers at once (after patch 1), so a poller that finds nothing polls again and again.

    A held poll waits on a condition of patch 9's lock (released while it waits), one per (kind,
    domain, task list); it is woken when a task of that kind is scheduled on that list in that domain,
    or a scheduled decision task becomes startable (its execution's started one completed or timed
    out), and polls again. moto finds timeouts only when a request comes: while polls are held, a
    thread has the server look for them every ``TIMEOUT_SWEEP`` seconds (unless a request just did),
    so a sticky task's SCHEDULE_TO_START or a heartbeat timeout is not left waiting for a request.
    """
    import threading
    import time

    import moto.swf.models as models
    from moto.swf.models.domain import Domain
    from moto.swf.models.workflow_execution import WorkflowExecution

    held: dict[tuple[str, str, str], list] = {}  # (kind, domain, task list) -> [condition, polls held]
    backends: dict[int, list] = {}  # id -> [backend, polls held], swept while polls are held
    swept = {"at": 0.0}  # when timeouts were last looked for

    def wake(kind: str, domain: str, task_list: str) -> None:
        with lock:
            entry = held.get((kind, domain, task_list))
            if entry is not None:
                entry[0].notify_all()

    def wake_decisions(execution: Any) -> None:
        for task in execution.decision_tasks:
            if task.state == "SCHEDULED":
                wake("decision", execution.domain.name, getattr(task, "task_list", execution.task_list))

    original_process_timeouts = models.SWFBackend._process_timeouts

    def process_timeouts(self) -> None:
        swept["at"] = time.monotonic()
        original_process_timeouts(self)

    models.SWFBackend._process_timeouts = process_timeouts

    def sweep_while_held() -> None:
        while True:
            time.sleep(TIMEOUT_SWEEP)
            with lock:
                if time.monotonic() - swept["at"] < TIMEOUT_SWEEP:
                    continue
                for backend, _ in list(backends.values()):
                    backend._process_timeouts()  # what it schedules wakes the polls

    sweeper: list[threading.Thread] = []

    def hold(kind: str, poll: Any) -> Any:
        def held_poll(self, domain_name: str, task_list: str, identity: str | None = None) -> Any:
            deadline = time.monotonic() + wait
            key = (kind, domain_name, task_list)
            with lock:
                while True:
                    task = poll(self, domain_name, task_list, identity=identity)
                    remaining = deadline - time.monotonic()
                    if task is not None or remaining <= 0:
                        return task
                    if not sweeper:
                        sweeper.append(threading.Thread(target=sweep_while_held, name="sweeper", daemon=True))
                        sweeper[0].start()
                    entry = held.setdefault(key, [threading.Condition(lock), 0])
                    backend = backends.setdefault(id(self), [self, 0])
                    entry[1] += 1
                    backend[1] += 1
                    try:
                        entry[0].wait(remaining)
                    finally:
                        entry[1] -= 1
                        backend[1] -= 1
                        if not entry[1]:
                            del held[key]
                        if not backend[1]:
                            del backends[id(self)]

        return held_poll

    models.SWFBackend.poll_for_decision_task = hold("decision", models.SWFBackend.poll_for_decision_task)
    models.SWFBackend.poll_for_activity_task = hold("activity", models.SWFBackend.poll_for_activity_task)

    add_activity = Domain.add_to_activity_task_list
    add_decision = Domain.add_to_decision_task_list

    def add_to_activity_task_list(self, task_list: str, obj: Any) -> None:
        add_activity(self, task_list, obj)
        wake("activity", self.name, task_list)

    def add_to_decision_task_list(self, task_list: str, obj: Any) -> None:
        add_decision(self, task_list, obj)
        wake("decision", self.name, task_list)

    Domain.add_to_activity_task_list = add_to_activity_task_list
    Domain.add_to_decision_task_list = add_to_decision_task_list

    for name in ("complete_decision_task", "timeout_decision_task"):  # a scheduled one may now start
        method = getattr(WorkflowExecution, name)

        def then_wake(self, *args: Any, _method: Any = method, **kwargs: Any) -> Any:
            try:
                return _method(self, *args, **kwargs)
            finally:
                wake_decisions(self)

        setattr(WorkflowExecution, name, then_wake)


class MotoServer:
    """Starts ``moto.server`` as a child process; ``url`` is its endpoint.

    *stock*: run moto as released, without :func:`patch_moto`'s workarounds.
    """

    def __init__(self, stock: bool = False, poll_wait: float = POLL_WAIT) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.stock = stock
        self.poll_wait = poll_wait
        self.process: subprocess.Popen | None = None

    def command(self) -> list[str]:
        address = ["-H", "127.0.0.1", "-p", str(self.port)]
        if self.stock:
            return [sys.executable, "-m", "moto.server", *address]
        return [sys.executable, os.path.abspath(__file__), "--poll-wait", str(self.poll_wait), *address]

    def start(self, timeout: float = 30.0) -> None:
        self.process = subprocess.Popen(self.command(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"moto server exited with {self.process.returncode}")
            try:
                urllib.request.urlopen(f"{self.url}/moto-api/", timeout=1).read()
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"moto server did not answer on {self.url} within {timeout}s")

    def reset(self) -> None:
        """Forget every domain, execution and bucket."""
        req = urllib.request.Request(f"{self.url}/moto-api/reset", method="POST")
        urllib.request.urlopen(req, timeout=5).read()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def environ(self) -> dict[str, str]:
        """Environment that points boto3 (in this process or a child) at the server."""
        return {
            "AWS_ENDPOINT_URL": self.url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SECURITY_TOKEN": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
        }

    def apply_environ(self) -> None:
        os.environ.update(self.environ())


def _keep_connections_alive() -> None:
    """11. HTTP/1.1: werkzeug's development server speaks HTTP/1.0 and closes each connection after
    its answer, so every request of a client opens a new TCP connection; SWF's endpoint keeps them
    open (botocore reuses its pooled connections)."""
    from werkzeug.serving import WSGIRequestHandler

    WSGIRequestHandler.protocol_version = "HTTP/1.1"


def main(argv: list[str]) -> None:
    """``[--stock] [--poll-wait SECONDS] MOTO_SERVER_ARGS...``: a patched (or stock) moto server."""
    stock = "--stock" in argv
    argv = [a for a in argv if a != "--stock"]
    wait = POLL_WAIT
    if "--poll-wait" in argv:
        i = argv.index("--poll-wait")
        wait = float(argv[i + 1])
        del argv[i : i + 2]
    if not stock:
        patch_moto(wait)
        _keep_connections_alive()
    from moto.server import main as moto_main

    moto_main(argv)


if __name__ == "__main__":
    main(sys.argv[1:])
