"""Inspection rows (workflow.info / tasks / profile, task.info, activity.rerun) from SWF histories."""

from __future__ import annotations

import copy
from datetime import datetime, timezone

import pytest

from simpleflow.constants import WAKE_UP_TIMER
from simpleflow.swf import stats
from tests.history_builder import HistoryBuilder

T0 = 1000.0


def at(seconds: float) -> datetime:
    return datetime.fromtimestamp(T0 + seconds, tz=timezone.utc)


def mixed_history() -> HistoryBuilder:
    """a completes; b fails, waits on a timer, is retried and completes; c is still running at the end."""
    b = HistoryBuilder(start=T0, input={"args": [1], "kwargs": {}}, tag_list=["env=test"])
    b.decision()  # 1-3 s
    a = b.schedule_activity("activity-a-1", "pkg.a", input={"args": [1], "kwargs": {}})  # 4
    b.tick(2)
    b.start_activity(a)  # 6
    b.tick(10)
    b.complete_activity(a, result=42)  # 16
    b.decision()  # 17-19
    first_b = b.schedule_activity("activity-b-1", "pkg.b", input={"args": ["first"], "kwargs": {}})  # 20
    b.start_activity(first_b)  # 21
    b.tick(5)
    b.fail_activity(first_b, reason="Error: boom", details={"error": "ValueError"})  # 26
    b.decision()  # 27-29
    b.start_timer("timer-1", 5)  # 30
    b.tick(5)
    b.fire_timer("timer-1")  # 35
    b.decision()  # 36-38
    second_b = b.schedule_activity("activity-b-1", "pkg.b", input={"args": ["second"], "kwargs": {}})  # 39
    b.start_activity(second_b)  # 40
    b.tick(4)
    b.complete_activity(second_b, result="ok")  # 44
    b.decision()  # 45-47
    c = b.schedule_activity("activity-c-1", "pkg.c")  # 48
    b.tick(3)
    b.start_activity(c)  # 51
    b.decision_started()  # 52-53
    return b


def test_task_rows_have_one_row_per_task_most_recent_first():
    headers, rows = stats.task_rows(mixed_history().events)
    assert headers == ["Tasks", "Last State", "Last State Time", "Scheduled Time", "Id"]
    # The name first (simpleflow 0.36.0's column: an activity's type, a timer's id), the id last.
    assert [[row[0], row[1], row[4]] for row in rows] == [
        ["pkg.c", "started", "activity-c-1"],
        ["timer-1", "fired", "timer-1"],
        ["pkg.b", "completed", "activity-b-1"],
        ["pkg.a", "completed", "activity-a-1"],
    ]


def test_task_rows_show_the_last_attempt_of_a_retried_task():
    _, rows = stats.task_rows(mixed_history().events)
    retried = next(row for row in rows if row[4] == "activity-b-1")
    assert retried[2] == at(44)  # completion of the second attempt
    assert retried[3] == at(39)  # scheduling of the second attempt, not of the first (20)


def test_nb_tasks_keeps_the_most_recent_rows():
    _, rows = stats.task_rows(mixed_history().events, nb_tasks=2)
    assert [row[4] for row in rows] == ["activity-c-1", "timer-1"]


def test_profile_rows_measure_waiting_and_running_time_longest_first():
    headers, rows = stats.profile_rows(mixed_history().events)
    assert headers == [
        "Task",
        "Last State",
        "Scheduled",
        "Time Scheduled",
        "Start",
        "Time Running",
        "End",
        "Percentage of total time",
    ]
    by_task = {row[0]: row for row in rows}
    assert [row[0] for row in rows] == ["activity-a-1", "timer-1", "activity-b-1", "activity-c-1"]
    assert by_task["activity-a-1"] == ["activity-a-1", "completed", at(4), 2.0, at(6), 10.0, at(16), 18.87]
    assert by_task["activity-b-1"][2:7] == [at(39), 1.0, at(40), 4.0, at(44)]
    assert by_task["timer-1"][3] == 0.0 and by_task["timer-1"][5] == 5.0


def test_a_running_task_is_profiled_up_to_the_last_event_with_no_end():
    _, rows = stats.profile_rows(mixed_history().events)
    running = next(row for row in rows if row[0] == "activity-c-1")
    assert running[1] == "started"
    assert running[5] == 2.0  # started at 51, history ends at 53
    assert running[6] is None


def test_profile_percentages_of_sequential_tasks_stay_within_the_total():
    _, rows = stats.profile_rows(mixed_history().events)
    percentages = [row[7] for row in rows]
    assert all(0 < p <= 100 for p in percentages)
    total = 53.0
    assert sum(percentages) == pytest.approx(100 * sum(row[5] for row in rows) / total, abs=0.05)
    assert sum(percentages) <= 100


def test_datetime_timestamps_give_the_same_rows_as_float_ones():
    events = mixed_history().events
    as_datetimes = copy.deepcopy(events)
    for event in as_datetimes:
        event["eventTimestamp"] = datetime.fromtimestamp(event["eventTimestamp"], tz=timezone.utc)
    assert stats.profile_rows(as_datetimes) == stats.profile_rows(events)
    naive = copy.deepcopy(as_datetimes)
    for event in naive:
        event["eventTimestamp"] = event["eventTimestamp"].replace(tzinfo=None)  # read as UTC
    assert stats.task_rows(naive) == stats.task_rows(events)


def test_iso_string_timestamps_as_the_aws_cli_prints_them_give_the_same_rows():
    events = mixed_history().events
    as_text = copy.deepcopy(events)
    for event in as_text:
        when = datetime.fromtimestamp(event["eventTimestamp"], tz=timezone.utc)
        event["eventTimestamp"] = when.isoformat().replace("+00:00", "Z")
    assert stats.profile_rows(as_text) == stats.profile_rows(events)


def test_events_in_reverse_order_give_the_same_rows():
    events = mixed_history().events
    assert stats.task_rows(events[::-1]) == stats.task_rows(events)


def test_a_task_swf_refused_to_schedule_is_listed_but_not_profiled():
    b = HistoryBuilder(start=T0)
    b.decision()
    b.schedule_activity_failed("activity-x-1", "pkg.x")
    _, rows = stats.task_rows(b.events)
    assert rows == [["pkg.x", "schedule_failed", at(4), None, "activity-x-1"]]
    assert stats.profile_rows(b.events)[1] == []


def test_child_workflows_are_tasks_keyed_by_workflow_id():
    b = HistoryBuilder(start=T0)
    b.decision()
    child = b.start_child_workflow("child-1", "pkg.ChildWorkflow")
    b.tick(3)
    b.fail_child(child, reason="Error: child")
    _, rows = stats.task_rows(b.events)
    assert [row[:2] + row[4:] for row in rows] == [["pkg.ChildWorkflow", "failed", "child-1"]]
    info = stats.task_info(b.events, "child-1")
    assert info["type"] == "child_workflow"
    assert info["reason"] == "Error: child"
    assert info["run_id"] == "child-run-id"


def test_the_internal_wake_up_timer_is_not_a_task():
    b = HistoryBuilder(start=T0)
    b.decision()
    b.start_timer(WAKE_UP_TIMER, 0)
    b.fire_timer(WAKE_UP_TIMER)
    assert stats.task_rows(b.events)[1] == []


def test_task_info_of_a_retried_task_shows_its_last_attempt():
    info = stats.task_info(mixed_history().events, "activity-b-1")
    assert info["state"] == "completed"
    assert info["attempts"] == 2
    assert info["input"] == {"args": ["second"], "kwargs": {}}
    assert info["result"] == "ok"
    assert "reason" not in info
    assert info["identity"] == "worker"


def test_task_info_of_a_failed_task_has_reason_and_decoded_details():
    b = HistoryBuilder(start=T0)
    b.decision()
    failed = b.schedule_activity("activity-f-1", "pkg.f")
    b.fail_activity(failed, reason="Error: nope", details={"error": "KeyError"})
    info = stats.task_info(b.events, "activity-f-1")
    assert info["state"] == "failed"
    assert info["reason"] == "Error: nope"
    assert info["details"] == {"error": "KeyError"}
    assert "result" not in info
    assert info["timestamp"] == at(6)


def test_task_info_of_a_timed_out_task_has_its_timeout_type():
    b = HistoryBuilder(start=T0)
    b.decision()
    late = b.schedule_activity("activity-l-1", "pkg.l")
    b.timeout_activity(late, "SCHEDULE_TO_START")
    info = stats.task_info(b.events, "activity-l-1")
    assert (info["state"], info["timeout_type"], info["started"]) == ("timed_out", "SCHEDULE_TO_START", None)


def test_task_info_of_an_unknown_task_names_the_known_ones():
    with pytest.raises(stats.UnknownTaskError) as caught:
        stats.task_info(mixed_history().events, "activity-zzz-1")
    assert isinstance(caught.value, KeyError)
    message = str(caught.value)
    assert "activity-zzz-1" in message and "activity-a-1" in message


def test_a_payload_that_is_not_json_is_left_as_text():
    b = HistoryBuilder(start=T0)
    b.decision()
    done = b.schedule_activity("activity-j-1", "pkg.j")
    b.add("ActivityTaskStarted", scheduledEventId=done, identity="w")
    b.add("ActivityTaskCompleted", scheduledEventId=done, startedEventId=done + 1, result="jumbo:s3://b/k 42")
    assert stats.task_info(b.events, "activity-j-1")["result"] == "jumbo:s3://b/k 42"


def test_find_activity_input_by_activity_id_takes_the_last_scheduling():
    name, version, activity_input = stats.find_activity_input(mixed_history().events, activity_id="activity-b-1")
    assert (name, version) == ("pkg.b", "1")
    assert activity_input == {"args": ["second"], "kwargs": {}}


def test_find_activity_input_by_scheduled_event_id():
    events = mixed_history().events
    first_b = next(
        e["eventId"]
        for e in events
        if e["eventType"] == "ActivityTaskScheduled"
        and e["activityTaskScheduledEventAttributes"]["activityId"] == "activity-b-1"
    )
    assert stats.find_activity_input(events, scheduled_id=first_b)[2] == {"args": ["first"], "kwargs": {}}


def test_find_activity_input_refuses_bad_selectors():
    events = mixed_history().events
    with pytest.raises(ValueError, match="not an ActivityTaskScheduled"):
        stats.find_activity_input(events, scheduled_id=1)
    with pytest.raises(ValueError, match="give a scheduled event id or an activity id"):
        stats.find_activity_input(events)
    with pytest.raises(stats.UnknownTaskError):
        stats.find_activity_input(events, activity_id="activity-nope-1")


def test_workflow_info_row_from_a_description():
    b = mixed_history()
    description = {
        "executionInfo": {
            "execution": {"workflowId": "wf-id", "runId": "run-id"},
            "workflowType": {"name": "pkg.MyWorkflow", "version": "2"},
            "startTimestamp": datetime.fromtimestamp(T0, tz=timezone.utc),
            "executionStatus": "OPEN",
            "tagList": ["env=test", "team=x"],
        },
        "executionConfiguration": {"taskList": {"name": "queue"}},
    }
    headers, row = stats.workflow_info_row(description, b.events, domain="dom")
    info = dict(zip(headers, row))
    assert info == {
        "domain": "dom",
        "workflow_type.name": "pkg.MyWorkflow",
        "workflow_type.version": "2",
        "task_list": "queue",
        "workflow_id": "wf-id",
        "run_id": "run-id",
        "tag_list": "env=test,team=x",
        "execution_time": 53.0,  # still open: up to the last event
        "input": {"args": [1], "kwargs": {}},
        "status": "OPEN",
        "close_status": None,
        "result": None,
        "reason": None,
    }


def test_workflow_info_execution_time_stops_at_the_close():
    b = HistoryBuilder(start=T0, task_list="from-history")
    b.decision()
    b.tick(9)
    b.complete_workflow(result=1)  # at 12 s
    list_item = {"execution": {"workflowId": "w", "runId": "r"}, "workflowType": {"name": "wf", "version": "1"}}
    headers, row = stats.workflow_info_row(list_item, b.events)
    info = dict(zip(headers, row))
    assert info["execution_time"] == 12.0
    assert info["task_list"] == "from-history"  # a list item has no configuration: read from the history
    assert info["domain"] is None
    # a list item says no status: the closing event does
    assert (info["status"], info["close_status"], info["result"], info["reason"]) == ("CLOSED", "COMPLETED", 1, None)


def test_workflow_info_says_why_an_execution_that_did_not_complete_closed():
    b = HistoryBuilder(start=T0)
    b.decision()
    b.fail_workflow(reason="boom")
    description = {
        "executionInfo": {
            "execution": {"workflowId": "w", "runId": "r"},
            "workflowType": {"name": "wf", "version": "1"},
            "executionStatus": "CLOSED",
            "closeStatus": "FAILED",
        }
    }
    info = dict(zip(*stats.workflow_info_row(description, b.events)))
    assert (info["status"], info["close_status"], info["result"], info["reason"]) == ("CLOSED", "FAILED", None, "boom")
