"""Requests the dev server refuses as SWF does: ValidationException (HTTP 400) before anything is recorded,
for what breaks SWF's model (lengths, counts, ranges, enums, names, durations); a decision whose duration
SWF takes in no form fails alone, with its ``...Failed`` event."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.devserver.conftest import WORKFLOW, attrs, decision, error_code, schedule


def refusal(call: Any) -> tuple[int, str, str]:
    """HTTP status, error code and message of a refused call."""
    try:
        call()
    except ClientError as err:
        return err.response["ResponseMetadata"]["HTTPStatusCode"], err.response["Error"]["Code"], str(err)
    raise AssertionError("the call was accepted")


def test_a_workflow_id_longer_than_256_characters_is_refused_in_swf_words(domain):
    long_id = "w" * 300
    status, code, message = refusal(lambda: domain.start(long_id))
    assert (status, code) == (400, "ValidationException")
    assert message.endswith(
        f"1 validation error detected: Value '{long_id[:128]}...' at 'workflowId' failed to satisfy constraint: "
        "Member must have length less than or equal to 256"
    )
    assert (
        domain.swf.count_open_workflow_executions(domain=domain.name, startTimeFilter={"oldestDate": 0})["count"] == 0
    )


@pytest.mark.parametrize(
    ("options", "where"),
    [
        ({"workflowId": "customer:42"}, "'workflowId'"),
        ({"workflowId": "a/b"}, "'workflowId'"),
        ({"workflowId": "arn"}, "'workflowId'"),
        ({"workflowId": "tab\there"}, "'workflowId'"),
        ({"tagList": list("abcdef")}, "'tagList'"),
        ({"tagList": ["t" * 257]}, "'tagList.1.member'"),
        ({"input": "x" * 40_000}, "'input'"),
        ({"childPolicy": "NOPE"}, "'childPolicy'"),
        ({"taskList": {"name": "a|b"}}, "'taskList.name'"),
        ({"executionStartToCloseTimeout": "abc"}, "'executionStartToCloseTimeout'"),
        ({"executionStartToCloseTimeout": "NONE"}, "'executionStartToCloseTimeout'"),  # "you cannot specify NONE"
        ({"taskStartToCloseTimeout": "5m"}, "'taskStartToCloseTimeout'"),
        ({"taskStartToCloseTimeout": "30.0"}, "'taskStartToCloseTimeout'"),
        ({"taskPriority": "high"}, "'taskPriority'"),  # "integers that range from Java's Integer.MIN_VALUE..."
        ({"taskPriority": "2147483648"}, "'taskPriority'"),
    ],
)
def test_a_start_that_breaks_swf_model_is_refused_and_leaves_no_execution(domain, options, where):
    options.setdefault("workflowId", "w1")
    workflow_id = options.pop("workflowId")
    status, code, message = refusal(lambda: domain.start(workflow_id, **options))
    assert (status, code) == (400, "ValidationException") and f"at {where} failed to satisfy constraint" in message
    assert (
        domain.swf.count_open_workflow_executions(domain=domain.name, startTimeFilter={"oldestDate": 0})["count"] == 0
    )


def test_durations_as_swf_writes_them_are_taken(domain):
    execution = domain.start("ok", executionStartToCloseTimeout="60", taskStartToCloseTimeout="NONE", tagList=["t"] * 5)
    assert domain.describe(execution)["executionConfiguration"]["executionStartToCloseTimeout"] == "60"


def test_other_requests_are_checked_against_their_own_shapes(domain):
    execution = domain.start()
    domain.decide([schedule("job", heartbeatTimeout="60")])
    token = domain.poll_activity()["taskToken"]
    swf, name = domain.swf, domain.name
    refused = {
        "heartbeat details": lambda: swf.record_activity_task_heartbeat(taskToken=token, details="d" * 2049),
        "activity result": lambda: swf.respond_activity_task_completed(taskToken=token, result="r" * 32_769),
        "failure reason": lambda: swf.respond_activity_task_failed(taskToken=token, reason="r" * 257),
        "terminate reason": lambda: swf.terminate_workflow_execution(
            domain=name, workflowId=execution["workflowId"], reason="r" * 1000
        ),
        "signal name": lambda: swf.signal_workflow_execution(
            domain=name, workflowId=execution["workflowId"], signalName="s" * 300
        ),
        "domain name": lambda: swf.register_domain(name="a:b", workflowExecutionRetentionPeriodInDays="1"),
        "type version": lambda: swf.register_activity_type(domain=name, name="a2", version="v" * 65),
        "type default": lambda: swf.register_activity_type(
            domain=name, name="a3", version="1", defaultTaskStartToCloseTimeout="5m"
        ),
        "page size": lambda: swf.list_domains(registrationStatus="REGISTERED", maximumPageSize=1001),
    }
    codes = {what: refusal(call)[:2] for what, call in refused.items()}
    assert codes == dict.fromkeys(refused, (400, "ValidationException"))
    # Nothing of them was recorded: the task is still open and takes a heartbeat and its result.
    assert swf.record_activity_task_heartbeat(taskToken=token, details="d" * 2048)["cancelRequested"] is False
    swf.respond_activity_task_completed(taskToken=token, result="r" * 32_768)
    assert domain.wait_for(execution, "ActivityTaskCompleted")


def test_an_answer_breaking_swf_model_is_refused_whole_and_its_task_can_still_be_answered(domain):
    execution = domain.start()
    task = domain.swf.poll_for_decision_task(domain=domain.name, taskList={"name": "decisions"})
    answer = [decision("StartTimer", timerId="t", startToFireTimeout="60"), schedule("x" * 257)]
    code = error_code(lambda: domain.swf.respond_decision_task_completed(taskToken=task["taskToken"], decisions=answer))
    assert code == "ValidationException"
    override = {"taskList": {"name": "sticky"}, "taskListScheduleToStartTimeout": "5m"}
    status, code, message = refusal(
        lambda: domain.swf.respond_decision_task_completed(taskToken=task["taskToken"], decisions=[], **override)
    )
    assert (status, code) == (400, "ValidationException") and "'taskListScheduleToStartTimeout'" in message
    assert domain.types(execution) == ["WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted"]
    domain.swf.respond_decision_task_completed(taskToken=task["taskToken"], decisions=answer[:1])
    assert domain.types(execution)[-2:] == ["DecisionTaskCompleted", "TimerStarted"]


def test_a_decision_with_a_duration_swf_takes_in_no_form_fails_alone_and_a_decision_task_follows(domain):
    execution = domain.start()
    domain.decide(
        [
            schedule("bad", startToCloseTimeout="5m"),
            decision("StartTimer", timerId="never", startToFireTimeout="NONE"),  # a timer has no NONE
            decision("StartTimer", timerId="tick", startToFireTimeout="60"),
            decision(
                "StartChildWorkflowExecution", workflowId="kid", workflowType=WORKFLOW, taskStartToCloseTimeout="1h"
            ),
        ]
    )
    events = domain.history(execution)
    assert [e["eventType"] for e in events[3:]] == [
        "DecisionTaskCompleted",
        "ScheduleActivityTaskFailed",
        "StartTimerFailed",
        "TimerStarted",
        "StartChildWorkflowExecutionFailed",
        "DecisionTaskScheduled",
    ]
    completed = events[3]["eventId"]
    activity, timer, child = (attrs(events[i]) for i in (4, 5, 7))
    assert activity == {
        "activityType": {"name": "a", "version": "1"},
        "activityId": "bad",
        "cause": "OPERATION_NOT_PERMITTED",
        "decisionTaskCompletedEventId": completed,
    }
    assert timer == {"timerId": "never", "cause": "OPERATION_NOT_PERMITTED", "decisionTaskCompletedEventId": completed}
    assert (child["workflowId"], child["cause"], child["initiatedEventId"]) == ("kid", "OPERATION_NOT_PERMITTED", 0)
    counts = domain.describe(execution)["openCounts"]
    assert (counts["openActivityTasks"], counts["openTimers"], counts["openDecisionTasks"]) == (0, 1, 1)
    domain.decide([decision("ContinueAsNewWorkflowExecution", executionStartToCloseTimeout="abc")])
    assert domain.types(execution)[-2:] == ["ContinueAsNewWorkflowExecutionFailed", "DecisionTaskScheduled"]
    assert domain.describe(execution)["executionInfo"]["executionStatus"] == "OPEN"


@pytest.mark.parametrize("days", ["-1", "91", "99999", "abc", "1.5"])
def test_a_retention_swf_does_not_take_is_refused_and_no_domain_registered(swf, days):
    """RegisterDomain: "NONE or 0 (zero)" keeps no history; "The maximum ... retention period is 90 days"."""
    name = f"retention-{days}"
    status, code, message = refusal(lambda: swf.register_domain(name=name, workflowExecutionRetentionPeriodInDays=days))
    assert (status, code) == (400, "ValidationException")
    assert message.endswith(
        f"Value '{days}' at 'workflowExecutionRetentionPeriodInDays' failed to satisfy constraint: "
        "Member must be NONE or a whole number of days from 0 to 90"
    )
    assert error_code(lambda: swf.describe_domain(name=name)) == "UnknownResourceFault"


@pytest.mark.parametrize("days", ["0", "90", "NONE"])
def test_a_retention_from_0_to_90_days_or_none_is_taken(swf, days):
    name = f"retention-ok-{days}-{uuid.uuid4().hex[:6]}"
    swf.register_domain(name=name, workflowExecutionRetentionPeriodInDays=days)
    assert swf.describe_domain(name=name)["configuration"]["workflowExecutionRetentionPeriodInDays"] == days


def test_an_execution_timeout_over_one_year_is_refused_at_registration_and_at_start(domain):
    """ "there is a one-year max limit on the time that a workflow execution can run" (StartWorkflowExecution,
    RegisterWorkflowType); "greater than one year, the registration will fail" (developer guide)."""
    over = str(365 * 24 * 3600 + 1)
    status, code, message = refusal(
        lambda: domain.swf.register_workflow_type(
            domain=domain.name, name="long", version="1", defaultExecutionStartToCloseTimeout=over
        )
    )
    assert (status, code) == (400, "ValidationException")
    assert message.endswith(
        f"Value '{over}' at 'defaultExecutionStartToCloseTimeout' failed to satisfy constraint: "
        "Member must be at most one year (31536000 seconds)"
    )
    assert error_code(lambda: domain.start("long", executionStartToCloseTimeout=over)) == "ValidationException"
    opened = domain.swf.count_open_workflow_executions(domain=domain.name, startTimeFilter={"oldestDate": 0})
    assert opened["count"] == 0
    execution = domain.start("year", executionStartToCloseTimeout=str(365 * 24 * 3600))
    assert domain.describe(execution)["executionConfiguration"]["executionStartToCloseTimeout"] == "31536000"


def test_a_task_priority_swf_takes_in_no_form_fails_its_decision_alone(domain):
    """Priorities: "Valid values are integers that range from Java's Integer.MIN_VALUE (-2147483648) to
    Integer.MAX_VALUE (2147483647)"; a decision outside its constraints fails with OPERATION_NOT_PERMITTED."""
    execution = domain.start(taskPriority="-5")
    domain.decide([schedule("bad", taskPriority="1.5"), schedule("good", taskPriority="2147483647")])
    events = domain.history(execution)
    failed = next(attrs(e) for e in events if e["eventType"] == "ScheduleActivityTaskFailed")
    assert (failed["activityId"], failed["cause"]) == ("bad", "OPERATION_NOT_PERMITTED")
    scheduled = [attrs(e) for e in events if e["eventType"] == "ActivityTaskScheduled"]
    assert [(a["activityId"], a["taskPriority"]) for a in scheduled] == [("good", "2147483647")]
    register = domain.swf.register_activity_type
    refused = error_code(lambda: register(domain=domain.name, name="p", version="1", defaultTaskPriority="urgent"))
    assert refused == "ValidationException"
