"""workflow.trace of what a history leaves open: a decision task, an attempt or a child that has started
and not closed is a span ending at the history's last event, ``simpleflow.outcome`` ``open``, as the root
of an open execution is."""

from __future__ import annotations

from simpleflow.history import attributes
from simpleflow.telemetry._ids import stable_span_id
from simpleflow.telemetry._rebuild import ExecutionIds, rebuild_trace
from simpleflow.telemetry._records import to_ns
from tests.telemetry.test_rebuild import recorded_history


def cut_after(events, event_type, nth=1):
    """The history up to its *nth* event of *event_type* (an execution still open there)."""
    found = [i for i, event in enumerate(events) if event["eventType"] == event_type]
    return events[: found[nth - 1] + 1]


def open_spans(events, workflow_id, run_id):
    spans = rebuild_trace(events, ExecutionIds(workflow_id, run_id))
    last = to_ns(events[-1]["eventTimestamp"])
    out = [
        (s.name, s.span_id, s.end_ns == last, s.error) for s in spans if s.attributes["simpleflow.outcome"] == "open"
    ]
    return spans[0].trace_id, out


def test_a_started_attempt_a_started_child_and_an_unanswered_decision_task_are_open_spans():
    events, workflow_id, run_id = recorded_history()
    for cut, name, kind, started_of in [
        ("ActivityTaskStarted", "activity tests.telemetry.add", "activity", lambda e: e["eventId"]),
        ("DecisionTaskStarted", "decision_task", "decision", lambda e: e["eventId"]),
        (
            "ChildWorkflowExecutionStarted",
            "child_workflow tests.fixtures.telemetry_workflows.ChildWorkflow",
            "child",
            lambda e: attributes(e)["initiatedEventId"],
        ),
    ]:
        history = cut_after(events, cut)
        trace_id, spans = open_spans(history, workflow_id, run_id)
        root = f"workflow {attributes(events[0])['workflowType']['name']}"
        expected = stable_span_id(trace_id, kind, started_of(history[-1]))
        assert sorted(spans) == sorted([(root, spans[0][1], True, None), (name, expected, True, None)]), cut


def test_an_attempt_running_when_the_execution_was_terminated_ends_with_it_open():
    events, workflow_id, run_id = recorded_history()
    history = cut_after(events, "ActivityTaskStarted", 2)  # flaky's first attempt
    terminated = {"eventId": len(history) + 1, "eventType": "WorkflowExecutionTerminated"}
    terminated["eventTimestamp"] = history[-1]["eventTimestamp"] + 5
    terminated["workflowExecutionTerminatedEventAttributes"] = {"childPolicy": "TERMINATE"}
    spans = rebuild_trace([*history, terminated], ExecutionIds(workflow_id, run_id))
    [attempt] = [s for s in spans if s.attributes["simpleflow.outcome"] == "open"]
    assert attempt.name == "activity tests.telemetry.flaky"
    assert (attempt.start_ns, attempt.end_ns) == (
        to_ns(history[-1]["eventTimestamp"]),
        to_ns(terminated["eventTimestamp"]),
    )
    assert spans[0].attributes["simpleflow.outcome"] == "terminated"
    assert len({s.span_id for s in spans}) == len(spans)
