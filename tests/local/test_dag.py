"""DAG specs on the local host: branches at once, fan-outs, retries, timers, child workflows, floto specs."""

from __future__ import annotations

import json
from pathlib import Path

from simpleflow import dag
from simpleflow.engine import replay
from simpleflow.local import LocalExecution

SPECS = Path(__file__).resolve().parent.parent / "fixtures" / "dag_specs"
EXAMPLES = Path(__file__).resolve().parent.parent.parent / "examples" / "dag"
ACTIVITIES = "tests.fixtures.dag_activities"


def _run(raw_or_path, value=None, **kwargs):
    if isinstance(raw_or_path, dict):
        compiled = dag.compile_spec(dag.parse(raw_or_path), [ACTIVITIES])
    else:
        modules = ["examples.dag.activities"] if "examples" in str(raw_or_path) else [ACTIVITIES]
        compiled, _ = dag.prepare(str(raw_or_path), modules)
    return LocalExecution(dag.workflow_class_for(compiled), dag.execution_input(compiled, value), **kwargs).execute()


def _attrs(event):
    return next(v for k, v in event.items() if k.endswith("EventAttributes"))


def _scheduled_by_decision(events) -> list[list[str]]:
    """Activity ids scheduled by each decision, in order."""
    groups: dict[int, list[str]] = {}
    for event in events:
        if event["eventType"] == "ActivityTaskScheduled":
            a = _attrs(event)
            groups.setdefault(a["decisionTaskCompletedEventId"], []).append(a["activityId"].rpartition("-")[2])
    return list(groups.values())


def test_the_diamonds_two_branches_are_scheduled_together_and_the_join_after_both():
    result = _run(SPECS / "diamond.yaml", {"x": 3})
    assert result.status == "completed", result.reason
    assert result.result == {"a": 4, "d": 13}
    assert _scheduled_by_decision(result.events) == [["a"], ["b", "c"], ["d"]]
    timers = [_attrs(e) for e in result.events if e["eventType"] == "TimerStarted"]
    assert [(t["timerId"], t["startToFireTimeout"]) for t in timers] == [("wait", "1")]


def test_a_fan_out_keeps_at_most_max_parallel_items_open_and_keeps_their_order():
    result = _run(SPECS / "fanout.json", {"text": "abcdefghi"}, workers=4)
    assert result.status == "completed", result.reason
    assert result.result == "0:AB|1:CD|2:EF|3:GH|4:I"
    open_now, most = set(), 0
    by_scheduled = {}
    for event in result.events:
        if event["eventType"] == "ActivityTaskScheduled" and "shout" in _attrs(event)["activityId"]:
            by_scheduled[event["eventId"]] = _attrs(event)["activityId"]
            open_now.add(event["eventId"])
            most = max(most, len(open_now))
        elif event["eventType"] == "ActivityTaskCompleted":
            open_now.discard(_attrs(event)["scheduledEventId"])
    assert most == 2
    assert sorted(by_scheduled.values()) == [f"activity-{ACTIVITIES}.shout-shout-{i}" for i in range(5)]


def test_a_retry_policy_waits_delay_times_backoff_and_retries_under_the_same_id(tmp_path):
    spec = {
        "name": "retry",
        "nodes": {
            "f": {
                "activity": f"{ACTIVITIES}.flaky",
                "args": [str(tmp_path), 2],
                "retry": {"max_attempts": 3, "delay": 5, "backoff": 2},
            }
        },
        "result": "$nodes.f.result",
    }
    result = _run(spec)
    assert result.status == "completed", result.reason
    assert result.result == 3
    ids = {_attrs(e)["activityId"] for e in result.events if e["eventType"] == "ActivityTaskScheduled"}
    assert ids == {f"activity-{ACTIVITIES}.flaky-f"}
    waits = [_attrs(e)["startToFireTimeout"] for e in result.events if e["eventType"] == "TimerStarted"]
    assert waits == ["5", "10"]


def test_a_node_failing_for_good_fails_the_workflow_naming_the_node(tmp_path):
    spec = {
        "name": "fails",
        "nodes": {
            "f": {"activity": f"{ACTIVITIES}.flaky", "args": [str(tmp_path), 5], "retry": 1},
            "after": {"activity": f"{ACTIVITIES}.increment", "args": ["$nodes.f.result"]},
        },
    }
    result = _run(spec)
    assert result.status == "failed"
    assert "node 'f' failed: RuntimeError: attempt 2 fails" in result.reason
    assert (tmp_path / "flaky.attempts").read_text() == "2"
    assert not any("increment" in json.dumps(e) for e in result.events if e["eventType"] == "ActivityTaskScheduled")


def test_a_child_workflow_node_runs_the_child_and_feeds_its_result_on():
    spec = {
        "name": "parent",
        "nodes": {
            "child": {"workflow": f"{ACTIVITIES}.DoubleTwiceWorkflow", "args": ["$input"]},
            "plus": {"activity": f"{ACTIVITIES}.increment", "args": ["$nodes.child.result"]},
        },
        "result": "$nodes.plus.result",
    }
    result = _run(spec, 5, workflow_id="parent-wf")
    assert result.status == "completed", result.reason
    assert result.result == 21
    started = [_attrs(e) for e in result.events if e["eventType"] == "StartChildWorkflowExecutionInitiated"]
    assert [s["workflowId"] for s in started] == ["parent-wf--child"]
    # started as simpleflow starts children: type <module>.<ClassName>
    assert started[0]["workflowType"] == {"name": f"{ACTIVITIES}.DoubleTwiceWorkflow", "version": "t"}


def test_a_child_node_of_a_parent_with_a_long_id_gets_an_id_swf_takes_ending_with_its_node():
    spec = {
        "name": "parent",
        "nodes": {"child": {"workflow": f"{ACTIVITIES}.DoubleTwiceWorkflow", "args": ["$input"]}},
        "result": "$nodes.child.result",
    }
    parent_id = "p" * 250  # a spec's children nest: each level adds "--<node id>" to the id
    result = _run(spec, 5, workflow_id=parent_id)
    assert result.status == "completed", result.reason
    assert result.result == 20
    (started,) = [_attrs(e) for e in result.events if e["eventType"] == "StartChildWorkflowExecutionInitiated"]
    child_id = started["workflowId"]
    assert len(child_id) == 256
    assert child_id.startswith("p" * 100) and child_id.endswith("--child")


def test_floto_hello_world_runs_with_its_instant_retry():
    result = _run(EXAMPLES / "floto_hello_world.json")
    assert result.status == "completed", result.reason
    assert result.result is None  # floto: the leaves' results, none here
    scheduled = [_attrs(e) for e in result.events if e["eventType"] == "ActivityTaskScheduled"]
    assert [(s["activityId"], s["activityType"], s["taskList"]["name"]) for s in scheduled] == [
        (
            "activity-simple_activity-simple_activity-v2-floto_test-2be88ca424",
            {"name": "simple_activity", "version": "v2"},
            "hello_world_atl",
        )
    ]


def test_floto_timer_example_waits_then_gives_the_next_activity_its_context():
    result = _run(EXAMPLES / "floto_timer.json", {"day": "2026-12-01"})
    assert result.status == "completed", result.reason
    timers = [_attrs(e) for e in result.events if e["eventType"] == "TimerStarted"]
    assert [(t["timerId"], t["startToFireTimeout"]) for t in timers] == [("Timer30", "30")]
    inputs = [json.loads(_attrs(e)["input"]) for e in result.events if e["eventType"] == "ActivityTaskScheduled"]
    # A (no requirement) sees the workflow input; B (after the timer, which has no result) its own task input.
    assert inputs[0]["kwargs"] == {"context": {"workflow": {"day": "2026-12-01"}}}
    assert inputs[1]["kwargs"] == {"context": {"activity_task": {"foo": "bar"}}}
    assert result.result == {
        "ActivityB:v1:floto_test:f6e5d4c3b2": {"saw": ["activity_task"], "your": "result_activity_b"}
    }


def test_floto_repeat_workflow_continues_as_new_with_the_same_spec():
    raw = json.loads((EXAMPLES / "floto_timer.json").read_text())
    raw["repeat_workflow"] = True
    compiled = dag.compile_spec(dag.parse(raw), ["examples.dag.activities"])
    execution = LocalExecution(dag.workflow_class_for(compiled), dag.execution_input(compiled), cancel_at=100)
    result = execution.execute()
    assert result.status == "canceled"  # it repeats until told to stop
    runs, previous = 0, result.previous
    while previous is not None:
        assert previous.status == "continued_as_new"
        assert previous.result["kwargs"]["spec"] == dag.execution_input(compiled)["kwargs"]["spec"]  # packed
        runs, previous = runs + 1, previous.previous
    assert runs == 3  # 30 s of timer per run: three runs done within 100 virtual seconds


def test_the_execution_carries_its_spec_so_replays_never_read_the_file(tmp_path):
    path = tmp_path / "spec.json"
    path.write_text((SPECS / "fanout.json").read_text())
    result = dag.run_local(str(path), {"text": "abcd"})
    assert result.status == "completed", result.reason
    path.write_text("{not even json")  # the file changes (or goes) while executions run
    events = result.events
    for end, event in enumerate(events):
        if event["eventType"] != "DecisionTaskStarted":
            continue
        decisions = replay(dag.DagWorkflow, events[: end + 1])  # a decider restarted at this point
        before = {_attrs(e)["activityId"] for e in events[:end] if e["eventType"] == "ActivityTaskScheduled"}
        after = [_attrs(e)["activityId"] for e in events[end:] if e["eventType"] == "ActivityTaskScheduled"]
        decided = [
            d["scheduleActivityTaskDecisionAttributes"]["activityId"]
            for d in decisions
            if d["decisionType"] == "ScheduleActivityTask"
        ]
        assert decided == after[: len(decided)] and not before & set(decided)
        assert decisions, "every decision task gets an answer"


def test_a_reference_the_data_does_not_hold_fails_the_workflow_naming_the_node():
    spec = {"name": "missing", "nodes": {"a": {"activity": f"{ACTIVITIES}.increment", "args": ["$input.x"]}}}
    result = _run(spec, {"y": 1})
    assert result.status == "failed"
    assert result.reason.endswith("node 'a': $input.x: no 'x' in dict value")
    assert not [e for e in result.events if e["eventType"] == "ActivityTaskScheduled"]


def test_an_empty_fan_out_gives_an_empty_list():
    spec = {
        "name": "empty",
        "nodes": {"each": {"activity": f"{ACTIVITIES}.increment", "foreach": "$input", "args": ["$item"]}},
        "result": "$nodes.each.result",
    }
    result = _run(spec, [])
    assert result.status == "completed", result.reason
    assert result.result == []
