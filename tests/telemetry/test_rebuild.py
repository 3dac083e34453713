"""workflow.trace: an execution's trace rebuilt from its history alone."""

from __future__ import annotations

import json

import pytest

from simpleflow.history import attributes
from simpleflow.local.host import LocalExecution
from simpleflow.telemetry import execution_ids
from simpleflow.telemetry._rebuild import ExecutionIds, rebuild_trace
from simpleflow.telemetry._records import error_type_of_failure, to_ns
from tests.fixtures import telemetry_workflows as tw
from tests.swf_e2e_helpers import simpleflow_here
from tests.telemetry.helpers import by_trace, run_on_swf, swf_hosts


def recorded_history():
    outcome = LocalExecution(tw.ParentWorkflow, {"args": [1]}).execute()
    return outcome.events, outcome.workflow_id, outcome.run_id


def test_rebuilt_spans_take_their_times_from_the_events():
    events, workflow_id, run_id = recorded_history()
    spans = rebuild_trace(events, ExecutionIds(workflow_id, run_id))
    by_id = {e["eventId"]: e for e in events}
    at = {e["eventId"]: to_ns(e["eventTimestamp"]) for e in events}

    root = spans[0]
    assert (root.trace_id, root.span_id, root.parent_span_id) == (*execution_ids(workflow_id, run_id), None)
    assert (root.start_ns, root.end_ns) == (
        at[1],
        at[next(e["eventId"] for e in events if e["eventType"] == "WorkflowExecutionCompleted")],
    )
    decisions = [s for s in spans if s.name == "decision_task"]
    completed = [e for e in events if e["eventType"] == "DecisionTaskCompleted"]
    assert len(decisions) == len(completed)
    for span, event in zip(decisions, completed):
        started = attributes(event)["startedEventId"]
        assert (span.start_ns, span.end_ns) == (at[started], at[event["eventId"]])
        assert span.attributes["simpleflow.decision.started_event_id"] == started
    attempts = [s for s in spans if s.name.startswith("activity ")]
    closed = [e for e in events if e["eventType"] in ("ActivityTaskCompleted", "ActivityTaskFailed")]
    assert [(s.start_ns, s.end_ns) for s in attempts] == [
        (at[attributes(e)["startedEventId"]], at[e["eventId"]]) for e in closed
    ]
    assert [(s.attributes["simpleflow.activity.attempt"], s.attributes["simpleflow.outcome"]) for s in attempts] == [
        (1, "completed"),
        (1, "failed"),
        (2, "completed"),
    ]
    assert attempts[1].attributes["error.type"] == "ValueError"
    fired = next(e for e in events if e["eventType"] == "TimerFired")
    [timer_event] = [ev for s in decisions for ev in s.events if ev.name == "timer.fired"]
    assert timer_event.time_ns == at[fired["eventId"]]
    [child] = [s for s in spans if s.name.startswith("child_workflow ")]
    child_started = next(e for e in events if e["eventType"] == "ChildWorkflowExecutionStarted")
    execution = attributes(child_started)["workflowExecution"]
    assert child.start_ns == at[child_started["eventId"]]
    assert (child.links[0].trace_id, child.links[0].span_id) == execution_ids(
        execution["workflowId"], execution["runId"]
    )
    assert by_id[1]["eventType"] == "WorkflowExecutionStarted"


def test_the_trace_of_an_swf_execution_has_the_ids_its_live_spans_had(otel, swf_domain):
    with swf_hosts(swf_domain):
        execution = run_on_swf(swf_domain, tw.ParentWorkflow, [1])
    trace_id, _ = execution_ids(execution["workflowId"], execution["runId"])
    live = {
        (s.name, s.context.span_id, s.parent.span_id if s.parent else None) for s in by_trace(otel.finished())[trace_id]
    }

    result = simpleflow_here("workflow.trace", swf_domain, execution["workflowId"], execution["runId"], "--output", "-")
    assert result.returncode == 0, result.stderr
    request = json.loads(result.stdout)
    [resource] = request["resourceSpans"]
    [scope] = resource["scopeSpans"]
    rebuilt = {
        (s["name"], int(s["spanId"], 16), int(s["parentSpanId"], 16) if "parentSpanId" in s else None)
        for s in scope["spans"]
    }
    assert {s["traceId"] for s in scope["spans"]} == {f"{trace_id:032x}"}
    assert rebuilt == live


def test_a_task_the_worker_fails_itself_has_one_error_type_live_and_rebuilt(otel, swf_domain):
    with swf_hosts(swf_domain):
        execution = run_on_swf(swf_domain, tw.OversizeWorkflow, [])
    trace_id, _ = execution_ids(execution["workflowId"], execution["runId"])
    live = {
        s.context.span_id: s.attributes.get("error.type")
        for s in by_trace(otel.finished())[trace_id]
        if s.name.startswith("activity ")
    }
    result = simpleflow_here("workflow.trace", swf_domain, execution["workflowId"], execution["runId"], "--output", "-")
    assert result.returncode == 0, result.stderr
    [scope] = json.loads(result.stdout)["resourceSpans"][0]["scopeSpans"]
    rebuilt = {
        int(s["spanId"], 16): next(
            (a["value"]["stringValue"] for a in s.get("attributes", ()) if a["key"] == "error.type"), None
        )
        for s in scope["spans"]
        if s["name"].startswith("activity ")
    }
    assert list(live.values()) == ["simpleflow.runtime.outcome.FieldTooLarge"]
    assert rebuilt == live


def trace_file(folder, events, workflow_id, run_id, output):
    """``workflow.trace --history`` of *events*, written to a file in *folder*, spans to *output*: the
    command's answer and the history file."""
    history = folder / "history.json"
    history.write_text(json.dumps({"events": events}))
    ids = ("--workflow-id", workflow_id, "--run-id", run_id)
    return simpleflow_here("workflow.trace", "--history", str(history), *ids, "--output", str(output)), history


def test_a_history_file_becomes_an_otlp_json_file(tmp_path):
    events, workflow_id, run_id = recorded_history()
    output = tmp_path / "trace.json"
    result, _ = trace_file(tmp_path, events, workflow_id, run_id, output)
    assert result.returncode == 0, result.stderr
    request = json.loads(output.read_text())
    spans = request["resourceSpans"][0]["scopeSpans"][0]["spans"]
    assert request["resourceSpans"][0]["resource"]["attributes"][0]["key"] == "service.name"
    for span in spans:  # OTLP/JSON: hex ids, enums as integers, 64-bit integers as decimal strings
        assert len(span["traceId"]) == 32 and len(span["spanId"]) == 16
        assert span["kind"] == 1
        assert span["startTimeUnixNano"].isdigit() and int(span["endTimeUnixNano"]) >= int(span["startTimeUnixNano"])
        for attribute in span["attributes"]:
            [(kind, value)] = attribute["value"].items()
            assert kind in ("stringValue", "intValue", "boolValue", "doubleValue")
            if kind == "intValue":
                assert isinstance(value, str) and value.lstrip("-").isdigit()
    failed = next(s for s in spans if s["name"] == "activity tests.telemetry.flaky" and "status" in s)
    assert failed["status"] == {"code": 2, "message": "ValueError"}


def test_a_history_file_without_the_execution_ids_is_refused_in_one_line(tmp_path):
    events, _, _ = recorded_history()
    history = tmp_path / "history.json"
    history.write_text(json.dumps({"events": events}))
    result = simpleflow_here("workflow.trace", "--history", str(history), "--output", str(tmp_path / "out.json"))
    assert result.returncode == 2
    assert "--workflow-id and --run-id" in result.stderr
    assert not (tmp_path / "out.json").exists()


def test_execution_ids_given_both_as_arguments_and_as_options_are_refused(tmp_path):
    for option in ("--workflow-id", "--run-id"):
        result = simpleflow_here("workflow.trace", "demo", "wf", option, "x", "--output", str(tmp_path / "out.json"))
        said = f"simpleflow: error: {option} goes with --history FILE: the arguments DOMAIN WORKFLOW_ID [RUN_ID] name"
        assert (result.returncode, result.stderr) == (2, f"{said} the execution\n")  # was: ignored


def _scheduled_type_a_number(events):
    next(e for e in events if e["eventType"] == "ActivityTaskScheduled")["activityTaskScheduledEventAttributes"][
        "activityType"
    ] = 3


def _second_id_as_text(events):
    events[1]["eventId"] = "2"


def _third_stamped_yesterday(events):
    events[2]["eventTimestamp"] = "yesterday"


def _fourth_stamped_infinity(events):
    events[3]["eventTimestamp"] = float("inf")


def test_a_history_file_that_is_not_an_swf_history_is_refused_in_one_line_naming_the_event(tmp_path):
    events, workflow_id, run_id = recorded_history()
    scheduled = next(e["eventId"] for e in events if e["eventType"] == "ActivityTaskScheduled")
    for corrupt, message in [
        (
            _scheduled_type_a_number,
            f"history event {scheduled} (ActivityTaskScheduled): activityType is an int, not an object",
        ),
        (_second_id_as_text, "history event #2 has no eventId (a whole number)"),
        (
            _third_stamped_yesterday,
            f"history event 3 ({events[2]['eventType']}): eventTimestamp 'yesterday' is not a time",
        ),
        (_fourth_stamped_infinity, f"history event 4 ({events[3]['eventType']}): eventTimestamp inf is not a time"),
    ]:
        broken = json.loads(json.dumps(events))
        corrupt(broken)
        output = tmp_path / "out.json"
        result, history = trace_file(tmp_path, broken, workflow_id, run_id, output)
        assert result.returncode == 2, result.stderr
        [line] = result.stderr.splitlines()
        assert line.startswith(f"simpleflow: error: {history}: {message}")
        assert not output.exists()


def test_an_output_that_cannot_be_written_is_one_line_naming_it(tmp_path):
    events, workflow_id, run_id = recorded_history()
    for output, reason in [(tmp_path, "Is a directory"), (tmp_path / "no" / "x.json", "No such file or directory")]:
        result, _ = trace_file(tmp_path, events, workflow_id, run_id, output)
        assert (result.returncode, result.stderr) == (
            2,
            f"simpleflow: error: --output {output}: cannot write it: {reason}\n",
        )


@pytest.mark.parametrize(
    ("details", "reason", "expected"),
    [
        ({"error_type": "shop.errors.Refused"}, "Refused: no", "shop.errors.Refused"),
        (None, "ValueError: bad input 3", "ValueError"),
        ('{"error": "KeyError"}', None, "KeyError"),
        # free text from a failure's data (a workflow's own fail, a child closed by another decider) would be a
        # new metric series per value
        (None, "order 12345 could not be charged", "unknown"),
        ('{"error": "order 12345 failed"}', None, "unknown"),
        ({"error_type": "x" * 300}, None, "unknown"),
        (None, None, "unknown"),
    ],
)
def test_error_type_is_a_qualified_name_or_unknown(details, reason, expected):
    assert error_type_of_failure(details, reason) == expected
