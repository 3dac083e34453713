"""The local host: inline driving, workers, and agreement with a thread-driven run."""

from __future__ import annotations

import time

from simpleflow import Workflow, activity, futures
from simpleflow.local import LocalExecution, _children
from simpleflow.local._family import STUCK
from tests.fixtures import engine_workflows as wf


def _shape(events):
    """What must not depend on how the host drives the engine: event types and task ids, in order."""
    out = []
    for event in events:
        attrs = next((v for k, v in event.items() if k.endswith("EventAttributes")), {})
        out.append((event["eventType"], attrs.get("activityId") or attrs.get("timerId"), attrs.get("result")))
    return out


def test_inline_driving_gives_the_events_of_a_thread_driven_run():
    inline = LocalExecution(wf.Dataflow, {"args": [3], "kwargs": {}})
    threaded = LocalExecution(wf.Dataflow, {"args": [3], "kwargs": {}})
    threaded.run.handoff.driver = None  # every decision goes through advance(), one thread hand-off each
    a, b = inline.execute(), threaded.execute()
    assert (a.status, a.result) == (b.status, b.result) == ("completed", [6, 5])
    assert _shape(a.events) == _shape(b.events)


def test_a_long_chain_runs_without_falling_back_to_full_replays():
    execution = LocalExecution(wf.Chain, {"args": [300], "kwargs": {}})
    result = execution.execute()
    assert (result.status, result.result) == ("completed", 300)
    assert execution.run.fallbacks == 0
    decisions = sum(e["eventType"] == "DecisionTaskCompleted" for e in result.events)
    assert decisions == 301


@activity.with_attributes(task_list="tl", version="1")
def nap(x):
    time.sleep(0.1)
    return x


class Naps(Workflow):
    name = "naps"
    version = "1"
    task_list = "tl"

    def run(self, n):
        fs = [self.submit(nap, i) for i in range(n)]
        futures.wait(*fs)
        return sum(f.result for f in fs)


def test_workers_run_independent_activities_at_once():
    started = time.monotonic()
    result = LocalExecution(Naps, {"args": [20], "kwargs": {}}, workers=10).execute()
    elapsed = time.monotonic() - started
    assert (result.status, result.result) == ("completed", sum(range(20)))
    assert elapsed < 1.5  # one by one: 2 s of naps


def test_a_stuck_workflow_fails_instead_of_hanging():
    class WaitsForever(Workflow):
        name = "forever"
        version = "1"

        def run(self):
            return self.submit(self.wait_signal("never")).result

    result = LocalExecution(WaitsForever, {"args": [], "kwargs": {}}).execute()
    assert result.status == "failed" and "stuck" in result.reason


class WaitsForConfirm(Workflow):
    name = "waits_for_confirm"
    version = "1"

    def run(self):
        futures.wait(self.submit(self.wait_signal("ready")))
        return self.submit(self.wait_signal("confirm")).result


def _signals(*names):
    return [(60, name, {"args": [], "kwargs": {}}) for name in names]


def test_a_run_stuck_on_a_signal_names_it_and_the_signals_it_got_that_nothing_waits_for():
    result = LocalExecution(WaitsForConfirm, {}, signals=_signals("ready", "confirmed", "cancel-all")).execute()
    assert result.reason == (
        "workflow is stuck: it waits for signal 'confirm', which can never come "
        "(it received 'cancel-all', 'confirmed', which no wait_signal asks for)"
    )
    result = LocalExecution(WaitsForConfirm, {}).execute()
    assert result.reason == "workflow is stuck: it waits for signal 'ready', which can never come"


def test_a_run_stuck_on_its_child_names_the_signal_the_child_waits_for():
    from tests.fixtures.signal_workflows import ParentOfWaiter

    result = LocalExecution(ParentOfWaiter, {"args": [], "kwargs": {}}).execute()
    assert result.status == "failed"
    assert result.reason.startswith(f"{STUCK}; its child 'workflow-"), result.reason
    assert result.reason.endswith("waits for signal 'go'"), result.reason


def test_a_child_whose_class_cannot_load_fails_its_parent_instead_of_starting_it_for_ever():
    class Inner(Workflow):  # defined in a function: no import finds it
        name = "inner_child"
        version = "1"

        def run(self):
            return 1

    class Outer(Workflow):
        name = "outer_parent"
        version = "1"

        def run(self):
            return self.submit(Inner).result

    began = time.monotonic()
    result = LocalExecution(Outer, {"args": [], "kwargs": {}}).execute()
    assert time.monotonic() - began < 5
    assert result.status == "failed"
    assert f"{_children.CANNOT_LOAD}" in result.reason and "Inner" in result.reason, result.reason
    failed = [e for e in result.events if e["eventType"] == "StartChildWorkflowExecutionFailed"]
    assert len(failed) == 2  # refused once, tried again once (as after a registration on SWF), then given up
