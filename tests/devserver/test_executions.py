"""Executions on the dev server: children and their policies, continue-as-new, signals and cancel
requests between executions, closing decisions refused while events are unhandled, timers."""

from __future__ import annotations

import time

from tests.devserver.conftest import WORKFLOW, attrs, decision, error_code


def start_child(workflow_id: str, **options) -> dict:
    options.setdefault("workflowType", WORKFLOW)
    return decision("StartChildWorkflowExecution", workflowId=workflow_id, **options)


def test_a_child_starts_and_its_parent_hears_of_its_start_and_its_result(domain):
    parent = domain.start("parent")
    domain.decide([start_child("child", input="x", tagList=["t"])])
    started = attrs(domain.wait_for(parent, "ChildWorkflowExecutionStarted"))
    child = started["workflowExecution"]
    assert child["workflowId"] == "child"
    begun = attrs(domain.history(child)[0])
    assert begun["parentWorkflowExecution"] == parent and begun["tagList"] == ["t"] and begun["input"] == "x"
    initiated = begun["parentInitiatedEventId"]
    assert domain.history(parent)[initiated - 1]["eventType"] == "StartChildWorkflowExecutionInitiated"
    assert domain.describe(parent)["openCounts"]["openChildWorkflowExecutions"] == 1
    # The child's decision task and the parent's (for ChildWorkflowExecutionStarted) are both on "decisions".
    for _ in range(2):
        task = domain.swf.poll_for_decision_task(domain=domain.name, taskList={"name": "decisions"})
        if task["workflowExecution"] == child:
            close = decision("CompleteWorkflowExecution", result="done")
        else:
            close = decision("RecordMarker", markerName="seen")
        domain.swf.respond_decision_task_completed(taskToken=task["taskToken"], decisions=[close])
    completed = attrs(domain.wait_for(parent, "ChildWorkflowExecutionCompleted"))
    assert completed["result"] == "done" and completed["initiatedEventId"] == initiated
    assert completed["workflowExecution"] == child
    assert domain.describe(parent)["openCounts"]["openChildWorkflowExecutions"] == 0
    assert domain.describe(child)["executionInfo"]["parent"] == parent


def test_a_child_of_an_unknown_type_fails_at_once_and_a_running_id_after_its_initiated_event(domain):
    parent = domain.start("parent")
    domain.start("busy")
    unknown = start_child("nope", workflowType={"name": "nope", "version": "1"})
    domain.decide([unknown, start_child("busy")])
    events = domain.history(parent)
    failed = [attrs(e) for e in events if e["eventType"] == "StartChildWorkflowExecutionFailed"]
    initiated = [e for e in events if e["eventType"] == "StartChildWorkflowExecutionInitiated"]
    assert [(f["workflowId"], f["cause"]) for f in failed] == [
        ("nope", "WORKFLOW_TYPE_DOES_NOT_EXIST"),
        ("busy", "WORKFLOW_ALREADY_RUNNING"),
    ]
    assert failed[0]["initiatedEventId"] == 0  # "the StartChildWorkflowExecutionInitiated event doesn't exist"
    assert [attrs(e)["workflowId"] for e in initiated] == ["busy"]
    assert failed[1]["initiatedEventId"] == initiated[0]["eventId"]


def _parent_with_child(domain, child_policy: str) -> tuple[dict, dict]:
    parent = domain.start("parent", childPolicy=child_policy)
    domain.decide([start_child("child")])
    child = attrs(domain.wait_for(parent, "ChildWorkflowExecutionStarted"))["workflowExecution"]
    return parent, child


def test_terminating_a_parent_applies_its_child_policy(domain):
    parent, child = _parent_with_child(domain, "TERMINATE")
    domain.swf.terminate_workflow_execution(domain=domain.name, workflowId="parent", reason="enough")
    ended = domain.history(child)[-1]
    assert ended["eventType"] == "WorkflowExecutionTerminated"
    assert attrs(ended)["cause"] == "CHILD_POLICY_APPLIED"
    assert attrs(domain.history(parent)[-1])["cause"] == "OPERATOR_INITIATED"


def test_request_cancel_and_abandon_policies(swf):
    from tests.devserver.conftest import Domain

    cancelling = Domain(swf)
    _, child = _parent_with_child(cancelling, "REQUEST_CANCEL")
    cancelling.swf.terminate_workflow_execution(domain=cancelling.name, workflowId="parent")
    asked = attrs(cancelling.wait_for(child, "WorkflowExecutionCancelRequested"))
    assert asked["cause"] == "CHILD_POLICY_APPLIED"
    assert cancelling.describe(child)["executionInfo"]["executionStatus"] == "OPEN"

    abandoning = Domain(swf)
    _, child = _parent_with_child(abandoning, "ABANDON")
    abandoning.swf.terminate_workflow_execution(domain=abandoning.name, workflowId="parent")
    assert "WorkflowExecutionCancelRequested" not in abandoning.types(child)
    assert abandoning.describe(child)["executionInfo"]["executionStatus"] == "OPEN"


def test_a_child_that_times_out_is_reported_to_its_parent(domain):
    parent = domain.start("parent")
    domain.decide([start_child("short", executionStartToCloseTimeout="1")])
    timed_out = attrs(domain.wait_for(parent, "ChildWorkflowExecutionTimedOut", timeout=5))
    assert timed_out["timeoutType"] == "START_TO_CLOSE"
    child = timed_out["workflowExecution"]
    assert domain.describe(child)["executionInfo"]["closeStatus"] == "TIMED_OUT"


def test_continue_as_new_closes_the_run_and_starts_the_next_under_the_same_id(domain):
    first = domain.start("loop", input="1", tagList=["a"])
    domain.decide([decision("ContinueAsNewWorkflowExecution", input="2", tagList=["b"])])
    closing = domain.history(first)[-1]
    assert closing["eventType"] == "WorkflowExecutionContinuedAsNew"
    second = {"workflowId": "loop", "runId": attrs(closing)["newExecutionRunId"]}
    begun = attrs(domain.history(second)[0])
    assert (begun["continuedExecutionRunId"], begun["input"], begun["tagList"]) == (first["runId"], "2", ["b"])
    assert domain.describe(first)["executionInfo"]["closeStatus"] == "CONTINUED_AS_NEW"
    assert domain.describe(second)["executionInfo"]["executionStatus"] == "OPEN"


def test_a_child_that_continues_as_new_is_reported_to_its_parent_by_its_last_run(domain):
    parent = domain.start("parent")
    domain.decide([start_child("looping")])
    initiated = attrs(domain.wait_for(parent, "ChildWorkflowExecutionStarted"))["initiatedEventId"]
    answered = {"continued": False, "parent": 0}
    last_run = None
    while not (answered["continued"] and last_run):
        task = domain.swf.poll_for_decision_task(domain=domain.name, taskList={"name": "decisions"})
        execution = task["workflowExecution"]
        if execution["workflowId"] == "parent":
            domain.swf.respond_decision_task_completed(taskToken=task["taskToken"], decisions=[])
        elif not answered["continued"]:
            domain.swf.respond_decision_task_completed(
                taskToken=task["taskToken"], decisions=[decision("ContinueAsNewWorkflowExecution", input="again")]
            )
            answered["continued"] = True
        else:
            last_run = execution
            domain.swf.respond_decision_task_completed(
                taskToken=task["taskToken"], decisions=[decision("CompleteWorkflowExecution", result="last")]
            )
    completed = attrs(domain.wait_for(parent, "ChildWorkflowExecutionCompleted"))
    assert completed["workflowExecution"] == last_run and completed["initiatedEventId"] == initiated
    assert attrs(domain.history(last_run)[0])["parentWorkflowExecution"] == parent


def test_signals_and_cancel_requests_sent_by_a_decision_reach_their_target(domain):
    target = domain.start("target")
    sender = domain.start("sender", taskList={"name": "sender"})
    domain.decide([], task_list="decisions")  # the target's first decision task
    domain.decide(
        [
            decision("SignalExternalWorkflowExecution", workflowId="target", signalName="hello", input="hi"),
            decision("RequestCancelExternalWorkflowExecution", workflowId="target"),
            decision("SignalExternalWorkflowExecution", workflowId="nobody", signalName="hello"),
        ],
        task_list="sender",
    )
    events = domain.history(target)
    signaled = next(attrs(e) for e in events if e["eventType"] == "WorkflowExecutionSignaled")
    asked = next(attrs(e) for e in events if e["eventType"] == "WorkflowExecutionCancelRequested")
    assert (signaled["signalName"], signaled["input"], signaled["externalWorkflowExecution"]) == ("hello", "hi", sender)
    assert asked["externalWorkflowExecution"] == sender
    assert domain.describe(target)["executionInfo"]["cancelRequested"] is True
    sent = [e["eventType"] for e in domain.history(sender)]
    assert "ExternalWorkflowExecutionSignaled" in sent and "ExternalWorkflowExecutionCancelRequested" in sent
    failed = next(attrs(e) for e in domain.history(sender) if e["eventType"] == "SignalExternalWorkflowExecutionFailed")
    assert failed["cause"] == "UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION"


def test_request_cancel_workflow_execution_records_the_request_and_a_decision_task(domain):
    execution = domain.start("cancel-me")
    domain.decide([])
    domain.swf.request_cancel_workflow_execution(domain=domain.name, workflowId="cancel-me")
    assert domain.types(execution)[-2:] == ["WorkflowExecutionCancelRequested", "DecisionTaskScheduled"]
    domain.decide([decision("CancelWorkflowExecution", details="as asked")])
    assert domain.describe(execution)["executionInfo"]["closeStatus"] == "CANCELED"
    code = error_code(lambda: domain.swf.request_cancel_workflow_execution(domain=domain.name, workflowId="cancel-me"))
    assert code == "UnknownResourceFault"


def test_a_close_decision_is_refused_while_events_came_in_since_the_task_started(domain):
    execution = domain.start("busy")
    task = domain.swf.poll_for_decision_task(domain=domain.name, taskList={"name": "decisions"})
    domain.swf.signal_workflow_execution(domain=domain.name, workflowId="busy", signalName="news")
    domain.swf.respond_decision_task_completed(
        taskToken=task["taskToken"], decisions=[decision("CompleteWorkflowExecution", result="too soon")]
    )
    failed = attrs(domain.wait_for(execution, "CompleteWorkflowExecutionFailed"))
    assert failed["cause"] == "UNHANDLED_DECISION"
    domain.decide([decision("CompleteWorkflowExecution", result="now")])  # the task scheduled for the signal
    assert domain.describe(execution)["executionInfo"]["closeStatus"] == "COMPLETED"


def test_timers_fire_on_time_and_a_cancelled_one_is_timer_canceled(domain):
    execution = domain.start()
    started = time.time()
    domain.decide(
        [
            decision("StartTimer", timerId="soon", startToFireTimeout="1"),
            decision("StartTimer", timerId="later", startToFireTimeout="600"),
            decision("StartTimer", timerId="soon", startToFireTimeout="5"),
        ]
    )
    assert domain.describe(execution)["openCounts"]["openTimers"] == 2
    fired = domain.wait_for(execution, "TimerFired")
    assert 1.0 <= fired["eventTimestamp"].timestamp() - started < 1.6
    domain.decide([decision("CancelTimer", timerId="later"), decision("CancelTimer", timerId="gone")])
    types = domain.types(execution)
    assert "TimerCanceled" in types and "TimerCancelled" not in types
    events = domain.history(execution)
    refused = [attrs(e) for e in events if e["eventType"] in ("StartTimerFailed", "CancelTimerFailed")]
    assert [(r["timerId"], r["cause"]) for r in refused] == [
        ("soon", "TIMER_ID_ALREADY_IN_USE"),
        ("gone", "TIMER_ID_UNKNOWN"),
    ]
    assert domain.describe(execution)["openCounts"]["openTimers"] == 0


def test_describe_gives_the_real_start_time_and_a_signal_needs_no_input(domain):
    before = time.time()
    execution = domain.start()
    info = domain.describe(execution)["executionInfo"]
    assert before - 1 < info["startTimestamp"].timestamp() <= time.time()
    domain.swf.signal_workflow_execution(domain=domain.name, workflowId=execution["workflowId"], signalName="bare")
    signaled = attrs(domain.wait_for(execution, "WorkflowExecutionSignaled"))
    assert signaled == {"signalName": "bare"}


def test_a_child_terminated_from_outside_is_reported_to_its_parent_and_a_completing_parent_leaves_children(domain):
    parent = domain.start("parent", childPolicy="TERMINATE")
    domain.decide([start_child("first"), start_child("second")])
    domain.wait_for(parent, "ChildWorkflowExecutionStarted")
    domain.swf.terminate_workflow_execution(domain=domain.name, workflowId="first")
    terminated = attrs(domain.wait_for(parent, "ChildWorkflowExecutionTerminated"))
    assert terminated["workflowExecution"]["workflowId"] == "first"
    # The child policy is for a parent "terminated [...] or due to an expired timeout": one that completes
    # leaves its children running.
    task = domain.swf.poll_for_decision_task(domain=domain.name, taskList={"name": "decisions"})
    while task["workflowExecution"]["workflowId"] != "parent":
        domain.swf.respond_decision_task_completed(taskToken=task["taskToken"], decisions=[])
        task = domain.swf.poll_for_decision_task(domain=domain.name, taskList={"name": "decisions"})
    domain.swf.respond_decision_task_completed(
        taskToken=task["taskToken"], decisions=[decision("CompleteWorkflowExecution")]
    )
    second = {
        "workflowId": "second",
        "runId": domain.swf.list_open_workflow_executions(
            domain=domain.name, startTimeFilter={"oldestDate": 0}, executionFilter={"workflowId": "second"}
        )["executionInfos"][0]["execution"]["runId"],
    }
    assert domain.describe(parent)["executionInfo"]["closeStatus"] == "COMPLETED"
    assert domain.describe(second)["executionInfo"]["executionStatus"] == "OPEN"


def test_a_deprecated_domain_starts_no_execution_and_registers_no_type_but_runs_and_shows_its_own(domain):
    """SWF's DeprecateDomain: "cannot be used to create new workflow executions or register new types"."""
    running = domain.start("before")
    swf, name = domain.swf, domain.name
    swf.deprecate_domain(name=name)
    assert error_code(lambda: domain.start("after")) == "DomainDeprecatedFault"
    new_type = {"domain": name, "name": "w2", "version": "1"}
    assert error_code(lambda: swf.register_workflow_type(**new_type)) == "DomainDeprecatedFault"
    assert error_code(lambda: swf.register_activity_type(**new_type)) == "DomainDeprecatedFault"
    # "Executions that were started before the domain was deprecated continues to run", and can be seen.
    domain.decide([decision("CompleteWorkflowExecution", result="done")])
    assert domain.describe(running)["executionInfo"]["closeStatus"] == "COMPLETED"
    listed = swf.list_closed_workflow_executions(domain=name, startTimeFilter={"oldestDate": 0})["executionInfos"]
    assert [info["execution"]["workflowId"] for info in listed] == ["before"]
    swf.undeprecate_domain(name=name)
    # The domain deprecated its types, which UndeprecateDomain leaves deprecated (SWF's reference names none).
    assert error_code(lambda: domain.start("again")) == "TypeDeprecatedFault"
    swf.undeprecate_workflow_type(domain=name, workflowType=WORKFLOW)
    assert domain.start("again")["workflowId"] == "again"


def test_a_history_read_in_reverse_order_comes_newest_first_in_pages_that_skip_no_event(domain):
    # SWF's API reference, reverseOrder: "When set to true, returns the events in reverse order."
    execution = domain.start()
    for name in ("a", "b", "c"):
        domain.swf.signal_workflow_execution(domain=domain.name, workflowId=execution["workflowId"], signalName=name)
    read = {"domain": domain.name, "execution": execution, "reverseOrder": True, "maximumPageSize": 2}
    first = domain.swf.get_workflow_execution_history(**read)
    domain.swf.signal_workflow_execution(domain=domain.name, workflowId=execution["workflowId"], signalName="late")
    second = domain.swf.get_workflow_execution_history(**read, nextPageToken=first["nextPageToken"])
    third = domain.swf.get_workflow_execution_history(**read, nextPageToken=second["nextPageToken"])
    ids = [e["eventId"] for page in (first, second, third) for e in page["events"]]
    assert ids == [5, 4, 3, 2, 1] and "nextPageToken" not in third  # the event added meanwhile is not in them


def test_task_priorities_are_kept_and_the_types_defaults_fill_in(domain):
    """StartWorkflowExecution's taskPriority: "If not set, then the default task priority for the workflow type is
    used"; ScheduleActivityTask's "overrides the defaultTaskPriority specified when registering the activity type"."""
    swf, name, typed = domain.swf, domain.name, {"name": "ranked", "version": "1"}
    swf.register_workflow_type(domain=name, **typed, defaultTaskList={"name": "ranked"}, defaultTaskPriority="3")
    swf.register_activity_type(domain=name, **typed, defaultTaskList={"name": "work"}, defaultTaskPriority="7")
    assert swf.describe_activity_type(domain=name, activityType=typed)["configuration"]["defaultTaskPriority"] == "7"
    options = {"workflowType": typed, "executionStartToCloseTimeout": "60", "childPolicy": "TERMINATE"}
    by_default = domain.start(**options, taskStartToCloseTimeout="60")
    given = domain.start(**options, taskStartToCloseTimeout="60", taskPriority="9")
    for execution, priority in ((by_default, "3"), (given, "9")):
        assert attrs(domain.history(execution)[0])["taskPriority"] == priority
        assert domain.describe(execution)["executionConfiguration"]["taskPriority"] == priority
    timeouts = dict.fromkeys(("scheduleToStartTimeout", "scheduleToCloseTimeout", "startToCloseTimeout"), "60")
    activity = {"activityType": typed, "heartbeatTimeout": "NONE", **timeouts}
    domain.decide(
        [
            decision("ScheduleActivityTask", activityId="plain", **activity),
            decision("ScheduleActivityTask", activityId="urgent", taskPriority="-1", **activity),
        ],
        task_list="ranked",
    )
    scheduled = [attrs(e) for e in domain.history(by_default) if e["eventType"] == "ActivityTaskScheduled"]
    assert [(a["activityId"], a["taskPriority"]) for a in scheduled] == [("plain", "7"), ("urgent", "-1")]
