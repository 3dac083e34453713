"""DAG specs resume as Python workflows do, deciding exactly what a full replay decides.

Random specs (branches, joins, timers, fan-outs with ``max_parallel``, retries with and
without waits) run on a simulated SWF where activities close in a random order, fail or
time out; at every decision task the resumed run's decisions are compared with a full
replay's. Without failures, the resumed run must never have fallen back to one.
"""

from __future__ import annotations

import random

import pytest

from simpleflow import dag
from simpleflow.engine import ExecutionInfo, WorkflowRun, replay
from tests.swf_simulator import SimulatedSWF

INFO = ExecutionInfo(workflow_id="wf-id", run_id="run-id")
ACTIVITIES = "tests.fixtures.dag_activities"


def _random_spec(rng: random.Random, size: int) -> dict:
    nodes: dict[str, dict] = {}
    for i in range(size):
        earlier = list(nodes)
        deps = rng.sample(earlier, k=min(len(earlier), rng.choice((0, 1, 1, 2, 3))))
        roll = rng.random()
        if roll < 0.15:
            node: dict = {"timer": rng.choice((0, 1, 5))}
            if deps:
                node["requires"] = deps
        elif roll < 0.35:
            node = {"activity": f"{ACTIVITIES}.shout", "foreach": list("abcdefg"[: rng.randint(0, 7)])}
            node["args"] = ["$item", "$index"]
            if rng.random() < 0.6:
                node["max_parallel"] = rng.randint(1, 3)
            if deps:
                node["requires"] = deps
        else:
            node = {"activity": f"{ACTIVITIES}.increment", "args": [i]}
            values = [d for d in deps if nodes[d].get("activity") == f"{ACTIVITIES}.increment"]
            if values:
                node["activity"] = f"{ACTIVITIES}.add"
                node["args"] = [f"$nodes.{values[0]}.result", i]
            others = [d for d in deps if d not in values[:1]]
            if others:
                node["requires"] = others
        if "activity" in node and rng.random() < 0.5:
            node["retry"] = {"max_attempts": rng.randint(2, 4), "delay": rng.choice((0, 1, 3)), "backoff": 2}
        nodes[f"n{i}"] = node
    return {"name": "random", "nodes": nodes}


def _drive(compiled: dict, seed: int, **rates) -> tuple[SimulatedSWF, WorkflowRun]:
    workflow_class = dag.workflow_class_for(compiled)
    swf = SimulatedSWF(dag.execution_input(compiled), seed, **rates)
    resumed = WorkflowRun(workflow_class, INFO)
    try:
        for round_ in range(400):
            if swf.closed is not None:
                break
            got = resumed.advance(swf.start_decision())
            assert got == replay(workflow_class, swf.events, INFO), f"round {round_}: resumed run differs"
            swf.answer(got)
            if swf.closed is None and not swf.progress() and not got:
                break
    finally:
        resumed.close()
    return swf, resumed


@pytest.mark.parametrize("seed", range(90))
def test_a_resumed_spec_decides_as_a_full_replay(seed):
    rng = random.Random(seed)
    compiled = dag.compile_spec(dag.parse(_random_spec(rng, rng.randint(3, 20))), [ACTIVITIES])
    fail_rate, timeout_rate = ((0.0, 0.0), (0.1, 0.05), (0.3, 0.05))[seed % 3]
    swf, resumed = _drive(compiled, seed, fail_rate=fail_rate, timeout_rate=timeout_rate)
    assert swf.closed in ("completed", "failed")
    if not fail_rate:
        assert resumed.fallbacks == 0  # only a failed attempt, a retry or a cut response replays in full


def _large_fan_outs(rng: random.Random) -> dict:
    """Fan-outs of up to 260 items: more than one response holds (99 decisions), beside retried nodes."""
    nodes: dict[str, dict] = {}
    for i in range(rng.randint(2, 6)):
        deps = rng.sample(list(nodes), k=min(len(nodes), rng.choice((0, 1, 2))))
        if rng.random() < 0.5:
            node = {
                "activity": f"{ACTIVITIES}.shout",
                "foreach": ["x"] * rng.randint(50, 260),
                "args": ["$item", "$index"],
            }
        else:
            node = {"activity": f"{ACTIVITIES}.increment", "args": [i]}
        if rng.random() < 0.5:
            node["retry"] = {"max_attempts": 3, "delay": rng.choice((0, 2)), "backoff": 2}
        if deps:
            node["requires"] = deps
        nodes[f"n{i}"] = node
    return {"name": "large", "nodes": nodes}


@pytest.mark.parametrize("seed", range(9, 15))
def test_a_resumed_spec_with_responses_cut_in_several_decides_as_a_full_replay(seed):
    compiled = dag.compile_spec(dag.parse(_large_fan_outs(random.Random(seed))), [ACTIVITIES])
    swf, _ = _drive(compiled, seed, fail_rate=(0.0, 0.05, 0.2)[seed % 3], timeout_rate=0.02)
    assert swf.closed in ("completed", "failed")


def test_a_spec_chain_resumes_at_every_decision():
    nodes = {"n0": {"activity": f"{ACTIVITIES}.increment", "args": [0]}}
    for i in range(1, 40):
        nodes[f"n{i}"] = {"activity": f"{ACTIVITIES}.increment", "args": [f"$nodes.n{i - 1}.result"]}
    compiled = dag.compile_spec(dag.parse({"name": "chain", "nodes": nodes, "result": "$nodes.n39.result"}), [])
    swf, resumed = _drive(compiled, 1, fail_rate=0.0, timeout_rate=0.0)
    assert swf.closed == "completed"
    assert swf.events[-1]["workflowExecutionCompletedEventAttributes"]["result"] == "40"
    assert resumed.fallbacks == 0  # each of its 40 decisions was a full replay before
