"""Workflow.get_event_details: simpleflow 0.36's keys for signals, markers and timers."""

from __future__ import annotations

import datetime
import json

from simpleflow import Workflow
from simpleflow.engine import ON_NONDETERMINISM_REPORT, ExecutionInfo, WorkflowRun, replay
from tests.history_builder import HistoryBuilder

# The history is built by hand: timers and a marker the code never starts. Its decisions are not what is tested
# (a decider would refuse them): reported, not refused.
INFO = ExecutionInfo(domain="d", workflow_id="wf-id", run_id="run-id", on_nondeterminism=ON_NONDETERMINISM_REPORT)
UTC = datetime.timezone.utc


class ReadsEventDetails(Workflow):
    name = "wf"
    version = "1"
    task_list = "tl"

    def run(self):
        seen = {}
        for kind, names in (("timer", ["t1", "t2", "t3", "t4"]), ("marker", ["m1", "m2"]), ("signal", ["s1"])):
            for name in names:
                seen[name] = self.get_event_details(kind, name)
        kept = {name: details for name, details in seen.items() if details}
        type(self).seen = kept  # read by the test
        return {name: sorted(details) for name, details in kept.items()}


def _history() -> HistoryBuilder:
    b = HistoryBuilder()
    b.decision()
    b.start_timer("t1", 5, control={"k": 1})
    b.start_timer("t2", 7)
    b.start_timer("t3", 9)
    b.decision_started()
    b.fire_timer("t1")
    b.decision()
    b.cancel_timer("t2")
    b.cancel_timer_failed("t3")
    decision = b._decision_id(None)
    b.add("StartTimerFailed", timerId="t4", cause="TIMER_ID_ALREADY_IN_USE", decisionTaskCompletedEventId=decision)
    b.record_marker("m1", {"a": 1})
    b.add("RecordMarkerFailed", markerName="m2", cause="OPERATION_NOT_PERMITTED", decisionTaskCompletedEventId=decision)
    b.signal("s1", {"args": [1]}, external_workflow_id="other", external_run_id="r")
    b.attributes(len(b.events))["externalInitiatedEventId"] = 3
    b.decision_started()
    return b


# The keys simpleflow 0.36's history gives for these events (read from its records of the same history).
ORIGINAL_KEYS = {
    "t1": {"type", "id", "state", "start_to_fire_timeout", "control", "started_event_id", "started_event_timestamp",
           "decision_task_completed_event_id", "fired_event_id", "fired_event_timestamp"},
    "t2": {"type", "id", "state", "start_to_fire_timeout", "control", "started_event_id", "started_event_timestamp",
           "decision_task_completed_event_id", "canceled_event_id", "canceled_event_timestamp",
           "cancel_decision_task_completed_event_id"},
    "t3": {"type", "id", "state", "start_to_fire_timeout", "control", "started_event_id", "started_event_timestamp",
           "decision_task_completed_event_id", "cancel_failed_event_id", "cancel_failed_event_timestamp"},
    "t4": {"type", "id", "state", "cause", "decision_task_completed_event_id", "start_failed_event_id",
           "start_failed_event_timestamp"},
    "m1": {"type", "name", "state", "details", "event_id", "timestamp"},
    "s1": {"type", "name", "state", "external_initiated_event_id", "external_run_id", "external_workflow_id",
           "input", "event_id", "timestamp"},
}  # fmt: skip


def test_event_details_carry_simpleflow_s_keys_and_values():
    b = _history()
    [complete] = [
        d for d in replay(ReadsEventDetails, b.events, INFO) if d["decisionType"] == "CompleteWorkflowExecution"
    ]
    keys = {
        name: set(found)
        for name, found in json.loads(complete["completeWorkflowExecutionDecisionAttributes"]["result"]).items()
    }
    assert set(keys) == set(ORIGINAL_KEYS)  # m2 failed to record: no details, as in simpleflow
    for name, expected in ORIGINAL_KEYS.items():
        assert expected <= keys[name], (name, expected - keys[name])


def test_event_details_values_are_decoded_and_timestamps_are_utc_datetimes():
    b = _history()
    workflow_run = WorkflowRun(ReadsEventDetails, INFO)
    workflow_run.advance(b.events)
    seen = ReadsEventDetails.seen
    assert seen["t1"]["control"] == {"k": 1} and seen["t1"]["start_to_fire_timeout"] == 5
    assert seen["t1"]["fired_event_timestamp"] == datetime.datetime.fromtimestamp(b.events[9]["eventTimestamp"], UTC)
    assert seen["t2"]["cancel_decision_task_completed_event_id"] == b.attributes(14)["decisionTaskCompletedEventId"]
    assert seen["t4"]["decision_task_completed_event_id"] == b.attributes(16)["decisionTaskCompletedEventId"]
    assert seen["m1"]["details"] == {"a": 1} and seen["m1"]["timestamp"].tzinfo is not None
    assert seen["s1"]["input"] == {"args": [1]} and seen["s1"]["external_initiated_event_id"] == 3
    assert seen["t3"]["state"] == "started"  # ours: the timer still runs when SWF refused to cancel it
