"""The fold checks each event as it folds it in: what is not an SWF event is named in one line, as a pass
of its own (``validate_events``) names it."""

from __future__ import annotations

import copy

import pytest

from simpleflow.engine import WorkflowRun
from simpleflow.history import History, MalformedHistory, validate_events
from simpleflow.local.replay import check_history
from tests.fixtures import engine_workflows as wf
from tests.history_builder import HistoryBuilder


def _history() -> list[dict]:
    b = HistoryBuilder(input={"args": [2], "kwargs": {}})
    b.decision()
    first = b.schedule_activity("activity-tests.fixtures.engine_workflows.inc-1", "tests.fixtures.engine_workflows.inc")
    b.complete_activity(first, result=1)
    b.decision()
    b.start_timer("t-1", 5, control={"k": 1})
    b.fire_timer("t-1")
    b.record_marker("m", details={"x": 1})
    b.signal("go", input={"v": 1})
    b.decision_started()
    return b.events


def _at(events: list[dict], event_type: str) -> dict:
    return next(e for e in events if e["eventType"] == event_type)


def _attrs(event: dict) -> dict:
    return next(v for k, v in event.items() if k.endswith("EventAttributes"))


def _replace_third(events):
    events[2] = ["not", "an", "event"]


def _id_as_text(events):
    events[3]["eventId"] = "4"


def _id_repeated(events):
    events[4]["eventId"] = events[3]["eventId"]


def _type_empty(events):
    events[3]["eventType"] = ""


def _scheduled_attributes_a_list(events):
    event = _at(events, "ActivityTaskScheduled")
    event["activityTaskScheduledEventAttributes"] = []


def _started_attributes_a_string(events):
    event = _at(events, "DecisionTaskStarted")
    event["decisionTaskStartedEventAttributes"] = "x"


def _input_an_int(events):
    _attrs(_at(events, "ActivityTaskScheduled"))["input"] = 5


def _activity_id_an_int(events):
    _attrs(_at(events, "ActivityTaskScheduled"))["activityId"] = 7


def _result_a_dict(events):
    _attrs(_at(events, "ActivityTaskCompleted"))["result"] = {"v": 2}


def _context_a_list(events):
    _attrs(_at(events, "DecisionTaskCompleted"))["executionContext"] = [1]


def _timer_control_a_list(events):
    _attrs(_at(events, "TimerStarted"))["control"] = [1]


def _marker_name_a_number(events):
    _attrs(_at(events, "MarkerRecorded"))["markerName"] = 3.5


def _activity_type_a_number(events):
    _attrs(_at(events, "ActivityTaskScheduled"))["activityType"] = 3


def _task_list_a_string(events):
    _attrs(_at(events, "ActivityTaskScheduled"))["taskList"] = "bench"


def _activity_id_missing(events):
    del _attrs(_at(events, "ActivityTaskScheduled"))["activityId"]


def _scheduled_attributes_missing(events):
    del _at(events, "ActivityTaskScheduled")["activityTaskScheduledEventAttributes"]


def _activity_type_without_name(events):
    _attrs(_at(events, "ActivityTaskScheduled"))["activityType"] = {"version": "1"}


def _timer_id_missing(events):
    del _attrs(_at(events, "TimerStarted"))["timerId"]


def _unknown_type_cause_an_int(events):
    events.append(
        {"eventId": events[-1]["eventId"] + 1, "eventType": "NoSuchEvent", "noSuchEventEventAttributes": {"cause": 1}}
    )


def _signal_after_completion(events):
    last = events[-1]["eventId"]
    events.append({"eventId": last + 1, "eventType": "WorkflowExecutionCompleted"})
    events.append(
        {
            "eventId": last + 2,
            "eventType": "WorkflowExecutionSignaled",
            "workflowExecutionSignaledEventAttributes": {"signalName": "late"},
        }
    )


@pytest.mark.parametrize(
    ("corrupt", "message"),
    [
        (_replace_third, "history event #3 is a list, not an SWF event object"),
        (_id_as_text, "history event #4 has no eventId (a whole number)"),
        (_id_repeated, "history event #5: eventId 4 does not follow 4"),
        (_type_empty, "history event #4 has no eventType"),
        (_scheduled_attributes_a_list, "(ActivityTaskScheduled): its attributes are not an object"),
        (_started_attributes_a_string, "(DecisionTaskStarted): its attributes are not an object"),
        (_input_an_int, "(ActivityTaskScheduled): input is an int, not a string"),
        (_activity_id_an_int, "(ActivityTaskScheduled): activityId is an int, not a string"),
        (_result_a_dict, "(ActivityTaskCompleted): result is a dict, not a string"),
        (_context_a_list, "(DecisionTaskCompleted): executionContext is a list, not a string"),
        (_timer_control_a_list, "(TimerStarted): control is a list, not a string"),
        (_marker_name_a_number, "(MarkerRecorded): markerName is a float, not a string"),
        (_unknown_type_cause_an_int, "(NoSuchEvent): cause is an int, not a string"),
        (_activity_id_missing, "(ActivityTaskScheduled) has no activityId, which SWF always gives"),
        (_scheduled_attributes_missing, "(ActivityTaskScheduled) has no activityTaskScheduledEventAttributes"),
        (_activity_type_without_name, "(ActivityTaskScheduled): activityType has no name string"),
        (_timer_id_missing, "(TimerStarted) has no timerId, which SWF always gives"),
        (_activity_type_a_number, "(ActivityTaskScheduled): activityType is an int, not an object"),
        (_task_list_a_string, "(ActivityTaskScheduled): taskList is a str, not an object"),
        (
            _signal_after_completion,
            "history event #18 (WorkflowExecutionSignaled) follows event 17 (WorkflowExecutionCompleted), "
            "which closed the execution: SWF adds no event after it",
        ),
    ],
)
def test_the_fold_names_the_first_event_that_is_not_an_swf_event(corrupt, message):
    events = _history()
    corrupt(events)
    with pytest.raises(MalformedHistory) as folded:
        History().extend(copy.deepcopy(events))
    assert message in str(folded.value)
    with pytest.raises(MalformedHistory) as alone:
        validate_events(copy.deepcopy(events))
    assert str(alone.value) == str(folded.value)
    with pytest.raises(MalformedHistory) as replayed:
        check_history(wf.Chain, copy.deepcopy(events))
    assert str(replayed.value) == str(folded.value)


def test_a_well_formed_history_folds_as_it_did_unchecked():
    events = _history()
    checked, one_by_one = History(), History()
    checked.extend(events)
    for event in events:
        one_by_one.apply(event)
    for name in ("activities", "timers", "signals"):
        mine, theirs = getattr(checked, name), getattr(one_by_one, name)
        assert {k: r.as_dict() for k, r in mine.items()} == {k: r.as_dict() for k, r in theirs.items()}
    assert [m.as_dict() for m in checked.markers["m"]] == [m.as_dict() for m in one_by_one.markers["m"]]
    assert checked.event_count == len(events)


def test_events_folded_later_are_counted_after_those_folded_before():
    events = _history()
    history = History()
    history.extend(events[:5])
    late = copy.deepcopy(events[5:])
    late[1]["eventId"] = 2
    with pytest.raises(MalformedHistory, match=r"history event #7: eventId 2 does not follow 6"):
        history.extend(late)
    assert history.event_count == 5  # the events of the refused extend are not kept


def test_an_event_folded_after_the_run_closed_is_named():
    events = _history()
    last = events[-1]["eventId"]
    history = History()
    history.extend(events + [{"eventId": last + 1, "eventType": "WorkflowExecutionCompleted"}])
    with pytest.raises(MalformedHistory, match=rf"^history event #{last + 2} \(DecisionTaskScheduled\) follows "):
        history.extend([{"eventId": last + 2, "eventType": "DecisionTaskScheduled"}])
    assert history.event_count == last + 1


def test_a_run_fed_a_malformed_history_raises_it_rather_than_deciding():
    events = _history()
    _result_a_dict(events)
    run = WorkflowRun(wf.Chain)
    try:
        with pytest.raises(MalformedHistory, match="result is a dict"):
            run.advance(events)
    finally:
        run.close()


def test_an_activity_event_naming_no_scheduled_task_is_named_not_blamed_on_the_code():
    """The fold passes over it (a compacted history no longer knows the tasks it let go); a replay of a whole
    history names it rather than report the code as not fitting."""
    events = _history()
    completed = _at(events, "ActivityTaskCompleted")
    _attrs(completed)["scheduledEventId"] = 999
    message = (
        f"history event {completed['eventId']} (ActivityTaskCompleted): its scheduledEventId 999 names no "
        "ActivityTaskScheduled event before it"
    )
    History().extend(copy.deepcopy(events))  # tolerated by the fold
    with pytest.raises(MalformedHistory) as alone:
        validate_events(copy.deepcopy(events))
    assert str(alone.value) == message
    with pytest.raises(MalformedHistory) as replayed:
        check_history(wf.Chain, copy.deepcopy(events))
    assert str(replayed.value) == message
    check_history(wf.Chain, _history())  # untouched, the same history raises nothing
