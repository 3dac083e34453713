"""Activity tasks on the dev server: ids taken again once closed, every timeout on time, cancellation."""

from __future__ import annotations

import time

from tests.devserver.conftest import attrs, decision, error_code, schedule


def test_an_activity_id_is_taken_again_once_its_task_closed_but_not_while_it_is_open(domain):
    execution = domain.start()
    domain.decide([schedule("job")])
    task = domain.poll_activity()
    domain.swf.respond_activity_task_failed(taskToken=task["taskToken"], reason="boom")
    domain.decide([schedule("job"), schedule("job")])  # the retry goes out; a second one while it is open does not
    events = domain.history(execution)
    refused = [attrs(e) for e in events if e["eventType"] == "ScheduleActivityTaskFailed"]
    assert [r["cause"] for r in refused] == ["ACTIVITY_ID_ALREADY_IN_USE"]
    assert [attrs(e)["activityId"] for e in events if e["eventType"] == "ActivityTaskScheduled"] == ["job", "job"]


def test_the_scheduled_event_gives_the_task_timeouts_its_type_defaults_included(domain):
    """ActivityTaskScheduledEventAttributes: the timeouts of the task, whether the decision or the type set them."""
    execution = domain.start()
    domain.decide([schedule("job", startToCloseTimeout="30")])
    scheduled = next(e for e in domain.history(execution) if e["eventType"] == "ActivityTaskScheduled")
    timeouts = {k: v for k, v in attrs(scheduled).items() if k.endswith("Timeout")}
    assert timeouts == {
        "scheduleToStartTimeout": "600",
        "scheduleToCloseTimeout": "600",
        "startToCloseTimeout": "30",
        "heartbeatTimeout": "NONE",
    }
    assert attrs(scheduled)["taskList"] == {"name": "work"}


def test_a_task_no_worker_takes_times_out_schedule_to_start_on_time_without_a_request(domain):
    execution = domain.start()
    domain.decide([schedule("late", scheduleToStartTimeout="1")])
    due = time.time() + 1
    time.sleep(1.6)  # nobody calls meanwhile: the server's clock acts
    events = domain.history(execution)
    timed_out = next(e for e in events if e["eventType"] == "ActivityTaskTimedOut")
    assert attrs(timed_out)["timeoutType"] == "SCHEDULE_TO_START" and attrs(timed_out)["startedEventId"] == 0
    after = events[events.index(timed_out) + 1]
    assert after["eventType"] == "DecisionTaskScheduled"
    assert after["eventTimestamp"].timestamp() - due < 0.5  # recorded when due, not when the history was read
    assert domain.describe(execution)["openCounts"]["openActivityTasks"] == 0


def test_a_started_task_times_out_start_to_close_and_its_late_answer_is_refused(domain):
    execution = domain.start()
    domain.decide([schedule("slow", startToCloseTimeout="1")])
    task = domain.poll_activity()
    timed_out = domain.wait_for(execution, "ActivityTaskTimedOut")
    assert attrs(timed_out)["timeoutType"] == "START_TO_CLOSE"
    late = error_code(lambda: domain.swf.respond_activity_task_completed(taskToken=task["taskToken"], result="x"))
    assert late == "UnknownResourceFault"
    assert "ActivityTaskCompleted" not in domain.types(execution)


def test_schedule_to_close_counts_from_the_scheduling_whatever_the_start(domain):
    execution = domain.start()
    domain.decide([schedule("bounded", scheduleToCloseTimeout="1", startToCloseTimeout="30")])
    time.sleep(0.5)
    domain.poll_activity()
    timed_out = domain.wait_for(execution, "ActivityTaskTimedOut")
    assert attrs(timed_out)["timeoutType"] == "SCHEDULE_TO_CLOSE"


def test_the_heartbeat_clock_starts_with_the_task_and_keeps_its_last_details(domain):
    execution = domain.start()
    domain.decide([schedule("beating", heartbeatTimeout="1")])
    time.sleep(1.3)  # longer than the heartbeat timeout in the list: no worker yet, no timeout
    task = domain.poll_activity()
    for step in range(3):
        time.sleep(0.4)
        answer = domain.swf.record_activity_task_heartbeat(taskToken=task["taskToken"], details=f"step {step}")
        assert answer["cancelRequested"] is False
    timed_out = domain.wait_for(execution, "ActivityTaskTimedOut")
    assert (attrs(timed_out)["timeoutType"], attrs(timed_out)["details"]) == ("HEARTBEAT", "step 2")
    assert timed_out["eventTimestamp"].timestamp() - time.time() < 0.1


def test_cancelling_a_task_no_worker_took_cancels_it_at_once(domain):
    execution = domain.start()
    domain.decide([schedule("queued")])
    domain.swf.signal_workflow_execution(domain=domain.name, workflowId=execution["workflowId"], signalName="stop")
    domain.decide([decision("RequestCancelActivityTask", activityId="queued")])
    types = domain.types(execution)
    assert types[-3:] == ["ActivityTaskCancelRequested", "ActivityTaskCanceled", "DecisionTaskScheduled"]
    assert not domain.poll_activity().get("taskToken")  # it is gone from the task list


def test_a_started_task_hears_of_its_cancellation_through_its_heartbeat(domain):
    execution = domain.start()
    domain.decide([schedule("running")])
    task = domain.poll_activity()
    # A signal (no input: SWF's is optional) gives the workflow a decision task to ask the cancellation in.
    domain.swf.signal_workflow_execution(domain=domain.name, workflowId=execution["workflowId"], signalName="stop")
    domain.decide([decision("RequestCancelActivityTask", activityId="running")])
    answer = domain.swf.record_activity_task_heartbeat(taskToken=task["taskToken"])
    assert answer["cancelRequested"] is True
    domain.swf.respond_activity_task_canceled(taskToken=task["taskToken"], details="stopped at row 3")
    events = domain.history(execution)
    canceled = next(attrs(e) for e in events if e["eventType"] == "ActivityTaskCanceled")
    requested = next(e for e in events if e["eventType"] == "ActivityTaskCancelRequested")
    assert canceled["details"] == "stopped at row 3"
    assert canceled["latestCancelRequestedEventId"] == requested["eventId"]
    assert events[-1]["eventType"] == "DecisionTaskScheduled"


def test_cancelling_an_activity_that_is_not_open_fails_with_its_cause(domain):
    execution = domain.start()
    domain.decide([decision("RequestCancelActivityTask", activityId="never")])
    failed = domain.wait_for(execution, "RequestCancelActivityTaskFailed")
    assert attrs(failed)["cause"] == "ACTIVITY_ID_UNKNOWN"
    assert domain.types(execution)[-1] == "DecisionTaskScheduled"


def test_a_token_of_the_other_kind_of_task_is_an_unknown_task_and_changes_nothing(domain):
    execution = domain.start()
    swf = domain.swf
    decision_token = swf.poll_for_decision_task(domain=domain.name, taskList={"name": "decisions"})["taskToken"]
    for call in (
        lambda: swf.respond_activity_task_completed(taskToken=decision_token, result="r"),
        lambda: swf.respond_activity_task_failed(taskToken=decision_token),
        lambda: swf.respond_activity_task_canceled(taskToken=decision_token),
        lambda: swf.record_activity_task_heartbeat(taskToken=decision_token),
    ):
        assert error_code(call) == "UnknownResourceFault"
    swf.respond_decision_task_completed(taskToken=decision_token, decisions=[schedule("job")])
    activity_token = domain.poll_activity()["taskToken"]
    assert error_code(lambda: swf.respond_decision_task_completed(taskToken=activity_token)) == "UnknownResourceFault"
    swf.respond_activity_task_completed(taskToken=activity_token, result="done")
    assert domain.types(execution)[-3:] == ["ActivityTaskStarted", "ActivityTaskCompleted", "DecisionTaskScheduled"]
