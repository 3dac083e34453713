"""The history builder makes SWF-shaped histories whose ids chain as SWF chains them."""

from __future__ import annotations

import json

from tests.history_builder import HistoryBuilder, attributes_key


def _attrs(builder: HistoryBuilder, event_id: int) -> dict:
    return builder.attributes(event_id)


def test_first_event_is_the_start_with_the_encoded_input():
    b = HistoryBuilder(workflow_name="my.wf", input={"args": [1], "kwargs": {}}, tag_list=["a"])
    (event,) = b.events
    assert event["eventType"] == "WorkflowExecutionStarted"
    attrs = event["workflowExecutionStartedEventAttributes"]
    assert json.loads(attrs["input"]) == {"args": [1], "kwargs": {}}
    assert attrs["workflowType"] == {"name": "my.wf", "version": "1"}
    assert attrs["tagList"] == ["a"]
    assert event["eventTimestamp"] == 1_700_000_000.0


def test_activity_ids_chain_to_their_decision_and_schedule():
    b = HistoryBuilder()
    decision = b.decision()
    scheduled = b.schedule_activity("act-1", "pkg.func", input={"args": [2], "kwargs": {}})
    completed = b.complete_activity(scheduled, result=4)
    started = completed - 1
    assert _attrs(b, scheduled)["decisionTaskCompletedEventId"] == decision
    assert _attrs(b, scheduled)["activityType"] == {"name": "pkg.func", "version": "1"}
    assert b.events[started - 1]["eventType"] == "ActivityTaskStarted"
    assert _attrs(b, started)["scheduledEventId"] == scheduled
    assert _attrs(b, completed) == {"result": "4", "scheduledEventId": scheduled, "startedEventId": started}
    decision_completed = _attrs(b, decision)
    assert decision_completed["startedEventId"] == decision - 1
    assert decision_completed["scheduledEventId"] == decision - 2


def test_timer_events_point_at_the_latest_start():
    b = HistoryBuilder()
    b.decision()
    first = b.start_timer("t", 10)
    b.fire_timer("t")
    b.decision()
    second = b.start_timer("t", 5)
    canceled = b.cancel_timer("t")
    assert first != second
    assert _attrs(b, canceled)["startedEventId"] == second
    assert _attrs(b, second)["startToFireTimeout"] == "5"


def test_every_event_has_its_attributes_key_and_increasing_ids():
    b = HistoryBuilder()
    b.decision()
    a = b.schedule_activity("a", "f")
    b.fail_activity(a)
    c = b.schedule_activity("c", "f")
    b.timeout_activity(c, "SCHEDULE_TO_START")
    d = b.schedule_activity("d", "f")
    b.cancel_activity(d)
    b.schedule_activity_failed("e", "g")
    b.record_marker("m", {"x": 1})
    b.signal("sig", {"y": 2}, external_workflow_id="other")
    child = b.start_child_workflow("child", "cwf")
    b.complete_child(child, result=[1])
    b.cancel_requested()
    b.decision()
    b.fail_workflow("reason", details="why")
    assert [e["eventId"] for e in b.events] == list(range(1, len(b.events) + 1))
    for event in b.events:
        assert isinstance(event[attributes_key(event["eventType"])], dict), event
    timed_out = next(e for e in b.events if e["eventType"] == "ActivityTaskTimedOut")
    assert timed_out["activityTaskTimedOutEventAttributes"]["startedEventId"] == 0
    assert json.loads(b.to_json())["events"] == b.events


def test_clock_advances_one_second_per_event_unless_ticked():
    b = HistoryBuilder(start=100.0)
    b.decision_started()
    assert [e["eventTimestamp"] for e in b.events] == [100.0, 101.0, 102.0]
    b.tick(30)
    b.add("DecisionTaskCompleted", scheduledEventId=2, startedEventId=3)
    assert b.events[-1]["eventTimestamp"] == 132.0
    assert b.clock == 132.0
