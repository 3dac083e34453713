"""The object layer's events and history (``from_event_list``, ``filter``, ``compile``), over built histories."""

from __future__ import annotations

import datetime

import pytest

from simpleflow.swf.mapper.models.event import (
    ActivityTaskEvent,
    ChildWorkflowExecutionEvent,
    CompiledEvent,
    DecisionTaskEvent,
    Event,
    EventFactory,
    MarkerEvent,
    TimerEvent,
    WorkflowExecutionEvent,
)
from simpleflow.swf.mapper.models.event.compiler import InconsistentStateError, TransitionError
from simpleflow.swf.mapper.models.history import History
from tests.history_builder import HistoryBuilder

UTC = datetime.timezone.utc


def one_activity_history() -> HistoryBuilder:
    """Started, a decision, one activity completed, a decision that completes the execution."""
    h = HistoryBuilder(input={"args": [1]})
    h.decision()
    scheduled = h.schedule_activity("activity-a-1", "a", input={"args": [2]}, control={"note": "c"})
    h.complete_activity(scheduled, result=3)
    h.decision()
    h.complete_workflow(result=3)
    return h


def test_each_event_is_its_kinds_class_with_the_state_and_the_name_of_its_swf_type():
    cases = {
        "WorkflowExecutionStarted": (WorkflowExecutionEvent, "WorkflowExecution", "started"),
        "WorkflowExecutionCancelRequested": (WorkflowExecutionEvent, "WorkflowExecution", "cancel_requested"),
        "CompleteWorkflowExecutionFailed": (WorkflowExecutionEvent, "WorkflowExecution", "complete_failed"),
        "DecisionTaskTimedOut": (DecisionTaskEvent, "DecisionTask", "timed_out"),
        "ScheduleActivityTaskFailed": (ActivityTaskEvent, "ActivityTask", "schedule_failed"),
        "ActivityTaskCancelRequested": (ActivityTaskEvent, "ActivityTask", "cancel_requested"),
        "RequestCancelActivityTaskFailed": (ActivityTaskEvent, "ActivityTask", "request_cancel_failed"),
        "StartTimerFailed": (TimerEvent, "Timer", "start_failed"),
        "RecordMarkerFailed": (MarkerEvent, "Marker", "record_failed"),
        "StartChildWorkflowExecutionInitiated": (
            ChildWorkflowExecutionEvent,
            "ChildWorkflowExecution",
            "start_initiated",
        ),
        "SignalExternalWorkflowExecutionInitiated": (Event, "ExternalWorkflowExecution", "signal_execution_initiated"),
        "ExternalWorkflowExecutionSignaled": (Event, "ExternalWorkflowExecution", "execution_signaled"),
        "LambdaFunctionScheduled": (Event, "LambdaFunction", "scheduled"),
    }
    built = []
    for number, event_type in enumerate(cases, 1):
        key = event_type[0].lower() + event_type[1:] + "EventAttributes"
        built.append(EventFactory({"eventId": number, "eventType": event_type, "eventTimestamp": 0.0, key: {}}))
    # Every event keeps its own name once others were built (0.36 kept the latest one on the class).
    for event, (event_type, (cls, kind, state)) in zip(built, cases.items()):
        assert isinstance(event, cls)
        assert (event.type, event.state, event.name) == (kind, state, event_type)


def test_event_attributes_are_snake_case_and_input_and_control_come_back_as_values():
    history = History.from_event_list(one_activity_history().events)
    started, scheduled = history[0], history.filter(type="ActivityTask", state="scheduled")[0]
    assert started.input == {"args": [1]}
    assert started.child_policy == "TERMINATE" and started.workflow_type == {"name": "wf", "version": "1"}
    assert (scheduled.activity_id, scheduled.input, scheduled.control) == ("activity-a-1", {"args": [2]}, {"note": "c"})
    assert scheduled.decision_task_completed_event_id == 4
    completed = history.filter(type="ActivityTask", state="completed")[0]
    assert (completed.result, completed.input, completed.control) == ("3", {}, None)  # result stays SWF's text
    assert completed.raw["eventType"] == "ActivityTaskCompleted"


def test_timestamps_are_aware_utc_datetimes_whether_swf_gave_a_number_or_a_datetime():
    paris = datetime.timezone(datetime.timedelta(hours=1))
    from_number = Event(1, "started", 0, {None: {}})
    from_datetime = Event(2, "started", datetime.datetime(2024, 1, 1, 1, 0, tzinfo=paris), {None: {}})
    assert from_number.timestamp == datetime.datetime(1970, 1, 1, tzinfo=UTC)
    assert from_datetime.timestamp == datetime.datetime(2024, 1, 1, 0, 0, tzinfo=UTC)
    assert from_datetime.timestamp.utcoffset() == datetime.timedelta(0)


def test_a_history_indexes_slices_and_iterates_like_a_list_of_events():
    history = History.from_event_list(one_activity_history().events)
    assert len(history) == 11 and history.first.id == 1 and history.last.id == 11
    assert isinstance(history[1:3], History) and [e.id for e in history[1:3]] == [2, 3]
    assert len(history[45:99]) == 0
    with pytest.raises(IndexError):
        history[42]
    with pytest.raises(TypeError):
        history["2"]
    assert [e.id for e in history] == [e.id for e in history] == list(range(1, 12))  # iterates again
    assert [next(history).id, next(history).id] == [1, 2]
    assert [e.id for e in history.latest(2)] == [10, 11] and len(history.latest(50)) == 11
    assert [e.id for e in history.reversed][:2] == [11, 10]
    assert history.finished and not history[:-1].finished


def test_filter_keeps_the_events_with_all_the_values_asked_and_skips_those_without_the_attribute():
    history = History.from_event_list(one_activity_history().events)
    assert [e.id for e in history.filter(type="DecisionTask", state="completed")] == [4, 10]
    assert [e.state for e in history.filter(type="ActivityTask")] == ["scheduled", "started", "completed"]
    assert [e.id for e in history.filter(activity_id="activity-a-1")] == [5]
    assert history.filter(type="Timer") == []


def test_compile_keeps_one_event_per_thing_in_its_latest_state():
    h = HistoryBuilder()
    h.decision()
    first = h.schedule_activity("activity-a-1", "a")
    second = h.schedule_activity("activity-b-1", "b")  # two activities scheduled by one decision
    h.start_timer("wait", 10)
    h.record_marker("note", {"n": 1})
    h.fail_activity(first)
    h.complete_activity(second, result=2)
    h.decision()
    retry = h.schedule_activity("activity-a-1", "a")  # the failed one again, under the same id
    h.fire_timer("wait")
    h.signal("go", {"x": 1})
    done = h.complete_activity(retry, result=1)
    h.decision()
    h.complete_workflow(result=None)
    compiled = History.from_event_list(h.events).compile()
    things = [(e.type, e.state) for e in compiled]
    assert things == [
        ("WorkflowExecution", "completed"),
        ("DecisionTask", "completed"),
        ("ActivityTask", "failed"),
        ("ActivityTask", "completed"),
        ("Timer", "fired"),
        ("Marker", "recorded"),
        ("DecisionTask", "completed"),
        ("ActivityTask", "completed"),
        ("DecisionTask", "completed"),
    ]
    assert all(isinstance(e, CompiledEvent) for e in compiled)
    # Each attempt is a thing; it keeps what its earlier events said (the activity id, its input).
    retried = compiled.filter(type="ActivityTask", activity_id="activity-a-1")
    no_arguments = {"args": [], "kwargs": {}}
    assert [(e.state, e.input) for e in retried] == [("failed", no_arguments), ("completed", no_arguments)]
    assert (compiled[-2].id, compiled[-2].result, compiled[-2].scheduled_event_id) == (done, "1", retry)


def test_compile_follows_children_signals_and_cancel_requests_sent_and_failed_timer_cancels():
    h = HistoryBuilder()
    h.decision()
    child = h.start_child_workflow("child-1", "child_wf")
    signal = h.add(
        "SignalExternalWorkflowExecutionInitiated", workflowId="other", signalName="s", decisionTaskCompletedEventId=4
    )
    cancel = h.request_cancel_external("other")
    h.start_timer("t", 5)
    h.decision()
    h.cancel_timer_failed("t")
    h.start_child(child)
    h.add("ExternalWorkflowExecutionSignaled", initiatedEventId=signal, workflowExecution={"workflowId": "other"})
    h.external_cancel_requested(cancel)
    h.complete_child(child, result=1)
    h.fire_timer("t")
    compiled = History.from_event_list(h.events).compile()
    assert [(e.type, e.state) for e in compiled] == [
        ("WorkflowExecution", "started"),
        ("DecisionTask", "completed"),
        ("ChildWorkflowExecution", "completed"),
        ("ExternalWorkflowExecution", "execution_signaled"),
        ("ExternalWorkflowExecution", "execution_cancel_requested"),
        ("Timer", "fired"),  # its cancel failed first: it went on and fired
        ("DecisionTask", "completed"),
    ]


def test_compile_refuses_a_history_whose_events_cannot_follow_each_other():
    h = one_activity_history()
    h.add("ActivityTaskStarted", scheduledEventId=5, identity="late")  # the activity already completed
    with pytest.raises(TransitionError, match="from completed to started"):
        History.from_event_list(h.events).compile()
    orphan = HistoryBuilder()
    orphan.add("ActivityTaskCompleted", scheduledEventId=99, startedEventId=98, result="1")
    with pytest.raises(InconsistentStateError):
        History.from_event_list(orphan.events).compile()


def test_compiled_is_the_compiled_history_computed_once_and_distinct_groups_runs_of_one_type():
    history = History.from_event_list(one_activity_history().events)
    assert history.compiled is history.compiled
    assert [e.type for e in history.compiled] == ["WorkflowExecution", "DecisionTask", "ActivityTask", "DecisionTask"]
    assert [[e.id for e in run] for run in history.distinct] == [[1, 11], [2, 3, 4], [5, 6, 7], [8, 9, 10]]
