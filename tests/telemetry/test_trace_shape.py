"""One workflow, on the local host and on SWF (the test server): the same traces."""

from __future__ import annotations

from simpleflow.local.host import LocalExecution
from simpleflow.telemetry import execution_ids
from tests.fixtures import telemetry_workflows as tw
from tests.telemetry.helpers import by_trace, check_ids, run_on_swf, shape, swf_hosts

CHILD_TYPE = "tests.fixtures.telemetry_workflows.ChildWorkflow"  # simpleflow starts children under the class path


def local_traces(otel) -> tuple[dict[int, list], str, str]:
    outcome = LocalExecution(tw.ParentWorkflow, {"args": [1]}).execute()
    assert outcome.result == 31
    return by_trace(otel.finished()), outcome.workflow_id, outcome.run_id


def test_a_local_run_and_an_swf_run_give_the_same_traces(otel, swf_domain):
    local, local_wid, local_rid = local_traces(otel)
    otel.spans.clear()
    with swf_hosts(swf_domain):
        execution = run_on_swf(swf_domain, tw.ParentWorkflow, [1])
    swf = by_trace(otel.finished())

    assert len(local) == len(swf) == 2  # the parent's trace and the child's
    local_shapes = sorted(shape(spans) for spans in local.values())
    swf_shapes = sorted(shape(spans) for spans in swf.values())
    assert local_shapes == swf_shapes
    parent = next(spans for spans in swf.values() if any(s.name == "workflow telemetry_parent" for s in spans))
    check_ids(parent, execution["workflowId"], execution["runId"])
    check_ids(
        next(spans for spans in local.values() if any(s.name == "workflow telemetry_parent" for s in spans)),
        local_wid,
        local_rid,
    )
    names = sorted(span.name for span in parent)
    assert names == sorted(
        ["workflow telemetry_parent", f"child_workflow {CHILD_TYPE}"]
        + ["activity tests.telemetry.add", "activity tests.telemetry.flaky", "activity tests.telemetry.flaky"]
        + ["decision_task"] * names.count("decision_task")
    )

    # The child's trace is its own, linked both ways with its parent's.
    child = next(spans for spans in swf.values() if spans is not parent)
    child_root = next(span for span in child if span.parent is None)
    link = child_root.links[0].context
    assert (link.trace_id, link.span_id) == execution_ids(execution["workflowId"], execution["runId"])
    child_span = next(span for span in parent if span.name.startswith("child_workflow"))
    assert (child_span.links[0].context.trace_id, child_span.links[0].context.span_id) == (
        child_root.context.trace_id,
        child_root.context.span_id,
    )
    timers = [e.name for span in parent for e in span.events]
    assert timers == ["timer.started", "timer.fired"]  # each once: no replay reports an event again
