"""Timers and signals as span events, and the links between the runs of a continued execution (local host)."""

from __future__ import annotations

from examples.continue_as_new import CountdownWorkflow
from examples.signals import SignalsWorkflow
from simpleflow.local.host import LocalExecution
from simpleflow.telemetry import execution_ids
from simpleflow.telemetry._rebuild import ExecutionIds, rebuild_trace
from tests.fixtures import telemetry_workflows as tw


def test_signals_received_and_sent_are_events_of_the_decision_tasks(otel):
    outcome = LocalExecution(SignalsWorkflow, {"args": []}, signals=[(3600, "approve", {"args": ["alice"]})]).execute()
    assert outcome.completed, outcome.reason
    trace_id, _ = execution_ids(outcome.workflow_id, outcome.run_id)
    events = [
        (e.name, dict(e.attributes))
        for s in otel.finished()
        if s.context.trace_id == trace_id and s.name == "decision_task"
        for e in s.events
    ]
    received = [attrs["simpleflow.signal.name"] for name, attrs in events if name == "signal.received"]
    sent = [attrs["simpleflow.signal.name"] for name, attrs in events if name == "signal.sent"]
    assert received.count("approve") == 1  # once, whatever the decision tasks that replayed it
    assert "approved" in sent


def test_a_timer_started_says_its_seconds_as_a_number_live_and_rebuilt(otel):
    outcome = LocalExecution(tw.ParentWorkflow, {"args": [1]}).execute()
    trace_id, _ = execution_ids(outcome.workflow_id, outcome.run_id)
    live = [dict(e.attributes) for s in otel.finished() if s.context.trace_id == trace_id for e in s.events]
    rebuilt = [
        e.attributes
        for s in rebuild_trace(outcome.events, ExecutionIds(outcome.workflow_id, outcome.run_id))
        for e in s.events
    ]
    started = {"simpleflow.timer.id": "pause", "simpleflow.timer.seconds": 1}  # was: "1"
    assert started in live and started in rebuilt


def test_a_continued_run_is_a_trace_linked_to_the_run_it_continues(otel):
    outcome = LocalExecution(CountdownWorkflow, {"args": [3], "kwargs": {"batch": 2}}).execute()
    assert outcome.result["total"] == 6 and outcome.previous is not None
    roots = {s.context.trace_id: s for s in otel.finished() if s.parent is None}
    first, second = outcome.previous, outcome
    first_ids, second_ids = (
        execution_ids(first.workflow_id, first.run_id),
        execution_ids(second.workflow_id, second.run_id),
    )
    assert roots[first_ids[0]].attributes["simpleflow.outcome"] == "continued_as_new"
    [link] = roots[second_ids[0]].links
    assert (link.context.trace_id, link.context.span_id) == first_ids
    assert link.attributes["simpleflow.link"] == "continued"
