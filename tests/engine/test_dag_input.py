"""A DAG execution's input: the spec packed to fit SWF's limit, and the compiled spec that executions started
before packing carry."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from simpleflow import dag, format
from simpleflow.dag._input import PACKED, BadInput, pack, unpack
from simpleflow.engine import ExecutionInfo, WorkflowRun, replay
from simpleflow.local import LocalExecution
from tests.engine.test_dag_resume import _large_fan_outs, _random_spec

ROOT = Path(__file__).resolve().parent.parent.parent
INFO = ExecutionInfo(workflow_id="wf-id", run_id="run-id")
ACTIVITIES = "tests.fixtures.dag_activities"
DAG = "simpleflow.dag.DagWorkflow"
# Recorded with simpleflow before packing (simpleflow/dag as at eb5cebe), on tests/swf_simulator.py (seed 8:
# failed attempts, a retry timer, a timer node, a fan-out two at a time): the history of an execution whose input
# holds the compiled spec, and the decisions that simpleflow made at each decision task (after how many events).
OLD = json.loads((ROOT / "tests" / "fixtures" / "dag_old_input_history.json").read_text())


def _spec_files() -> list[Path]:
    folders = (ROOT / "tests" / "fixtures" / "dag_specs", ROOT / "examples" / "dag")
    return sorted(p for folder in folders for p in folder.iterdir() if p.suffix in (".yaml", ".json"))


def _compiled(raw: dict, modules=(ACTIVITIES,)) -> dict:
    return dag.compile_spec(dag.parse(raw), list(modules))


def _as_carried(value: dict) -> dict:
    return format.loads(format.dumps(value))  # what a decider reads: the input's JSON


def _old_class() -> type:
    started = OLD["events"][0]["workflowExecutionStartedEventAttributes"]
    spec = json.loads(started["input"])["kwargs"]["spec"]
    assert spec["format"] == "simpleflow.dag/1" and all("target" in n for n in spec["nodes"] if n["kind"] != "timer")
    return dag.workflow_class_for(spec)


def test_an_execution_started_with_the_compiled_spec_in_its_input_replays_as_it_was_decided():
    workflow_class = _old_class()
    assert OLD["closed"] == "completed" and len(OLD["decisions"]) > 5
    for seen, decided in OLD["decisions"]:
        assert replay(workflow_class, OLD["events"][:seen], INFO) == decided, f"after event {seen}"


@pytest.mark.parametrize("takeover", range(0, 9, 2))
def test_a_decider_of_this_version_resumes_such_an_execution_where_the_old_one_left_it(takeover):
    # A deploy: the old decider made the first decisions, a new one takes the next decision task and
    # keeps the run (the engine's resumed walk, not a replay per decision task).
    workflow_class = _old_class()
    run = WorkflowRun(workflow_class, INFO)
    try:
        given = 0
        for seen, decided in OLD["decisions"][takeover:]:
            assert run.advance(OLD["events"][given:seen]) == decided, f"after event {seen}"
            given = seen
    finally:
        run.close()


def test_both_forms_run_to_the_same_tasks_and_result():
    compiled = _compiled(json.loads((ROOT / "tests" / "fixtures" / "dag_specs" / "fanout.json").read_text()))
    workflow_class = dag.workflow_class_for(compiled)
    packed = LocalExecution(workflow_class, dag.execution_input(compiled, {"text": "abcdefg"})).execute()
    old = LocalExecution(workflow_class, {"args": [], "kwargs": {"spec": compiled, "input": {"text": "abcdefg"}}})
    old = old.execute()
    assert (packed.status, packed.result) == (old.status, old.result) == ("completed", "0:AB|1:CD|2:EF|3:G")
    ids = [[e.get(k) for k in ("eventType", "activityTaskScheduledEventAttributes")] for e in packed.events[1:]]
    assert ids == [[e.get(k) for k in ("eventType", "activityTaskScheduledEventAttributes")] for e in old.events[1:]]


@pytest.mark.parametrize("path", _spec_files(), ids=lambda p: p.name)
def test_every_spec_file_packs_and_unpacks_to_its_compiled_spec(path):
    compiled, _ = dag.prepare(str(path), ["examples.dag.activities", ACTIVITIES])
    packed = pack(compiled)
    assert packed["format"] == PACKED
    assert unpack(_as_carried(packed)) == _as_carried(compiled)


@pytest.mark.parametrize("seed", range(40))
def test_random_specs_pack_and_unpack_to_their_compiled_spec(seed):
    rng = random.Random(seed)
    raw = _random_spec(rng, rng.randint(1, 30)) if seed % 4 else _large_fan_outs(rng)
    for node in list(raw["nodes"].values())[::3]:  # requirements beside references, in any order
        node["requires"] = list(reversed(node.get("requires") or [])) + [*raw["nodes"]][:1]
        node["requires"] = [r for r in node["requires"] if r in raw["nodes"] and raw["nodes"][r] is not node]
    raw["nodes"] = dict(reversed(raw["nodes"].items()))  # declared after what they require: order is not theirs
    compiled = _compiled(raw)
    packed = pack(compiled)
    assert packed["format"] == PACKED
    assert unpack(_as_carried(packed)) == _as_carried(compiled)


def test_a_long_chain_is_packed_to_a_tenth_of_its_compiled_spec():
    nodes = {f"n{i}": {"activity": f"{ACTIVITIES}.increment", "args": [f"$nodes.n{i - 1}.result"]} for i in range(200)}
    nodes["n0"]["args"] = ["$input"]
    compiled = _compiled({"name": "chain", "nodes": nodes})
    old, packed = len(format.dumps(compiled)), len(format.dumps(pack(compiled)))
    assert old > 32768 > packed and packed * 9 < old


def test_a_spec_that_fits_whole_travels_whole_and_only_a_larger_one_packed():
    """A decider deployed before packing reads only the compiled form: what fitted then is never packed."""

    def chain(n: int) -> dict:
        increment = f"{ACTIVITIES}.increment"
        nodes = {f"n{i}": {"activity": increment, "args": [f"$nodes.n{i - 1}.result"]} for i in range(n)}
        nodes["n0"]["args"] = ["$input"]
        return _compiled({"name": "chain", "nodes": nodes})

    small, large = chain(20), chain(200)
    assert dag.execution_input(small, 1)["kwargs"]["spec"] == small
    assert dag.execution_input(large, 1)["kwargs"]["spec"]["format"] == PACKED


@pytest.mark.parametrize(
    "spec, why",
    [
        ({"format": "simpleflow.dag.packed/9", "nodes": []}, "its format is 'simpleflow.dag.packed/9', not"),
        ({"format": PACKED, "nodes": [{"i": "a"}], "targets": []}, "IndexError: node 'a': no target 0"),
        ({"format": PACKED, "nodes": [{"i": 1, "k": "timer"}], "targets": []}, "TypeError: a node needs an id"),
        ({"format": PACKED, "nodes": [{"i": "p", "k": "timer"}], "targets": []}, "a timer needs its seconds"),
        ({"format": PACKED, "nodes": [{"i": "p", "k": "timer", "s": 1, "r": ["q"]}], "targets": []}, "node 'q'"),
        ({"format": PACKED, "nodes": [{"i": "a", "a": ["$nodes.b.result"]}], "targets": [{}]}, "unknown node 'b'"),
        ("text", "the spec is a string, not a mapping"),
        ({"format": "simpleflow.dag/1", "nodes": [{"id": "a", "requires": []}], "order": ["b"]}, "order must list"),
    ],
)
def test_an_input_whose_spec_this_version_cannot_read_fails_the_execution_in_one_line(spec, why):
    with pytest.raises(BadInput, match=why):
        unpack(spec)
    result = LocalExecution(dag.workflow_class_for({"name": "x", "version": "1"}), {"kwargs": {"spec": spec}}).execute()
    assert result.status == "failed", result.status
    assert "the execution's input holds no DAG spec this simpleflow reads" in result.reason
    assert why.split(":")[0] in result.reason and "\n" not in result.reason


def test_the_web_view_draws_the_spec_a_packed_input_carries():
    from simpleflow.ui.view import dag_spec_of

    compiled, _ = dag.prepare(str(ROOT / "tests" / "fixtures" / "dag_specs" / "diamond.yaml"))
    packed, old = dag.execution_input(compiled, {"x": 1}), {"kwargs": {"spec": compiled}}
    assert dag_spec_of(_as_carried(packed), DAG) == dag_spec_of(_as_carried(old), DAG) == _as_carried(compiled)
    assert dag_spec_of({"kwargs": {"spec": {"format": PACKED, "nodes": "x"}}}, DAG) is None


def test_a_compiled_spec_with_a_key_packing_does_not_know_travels_whole():
    # A key added to compiled nodes but not to the packed form would be lost on the way: the input is then larger,
    # never wrong.
    compiled = _compiled(json.loads((ROOT / "tests" / "fixtures" / "dag_specs" / "fanout.json").read_text()))
    compiled["nodes"][0]["new_key"] = 1
    assert pack(compiled) is compiled
    result = LocalExecution(dag.workflow_class_for(compiled), dag.execution_input(compiled, {"text": "ab"})).execute()
    assert (result.status, result.result) == ("completed", "0:AB")


def _packed_chain(count: int, **extra) -> dict:
    nodes = [{"i": f"n{i}", **({"r": [f"n{i - 1}"]} if i else {})} for i in range(count)]
    return {"format": PACKED, "name": "w", "version": "1", "targets": [{"name": "a"}], "nodes": nodes, **extra}


@pytest.mark.parametrize(
    "spec",
    [
        _packed_chain(3, order=[2]),  # a node left out, that another requires: a KeyError in the walk
        _packed_chain(3, order=[0, 1, 2, 2]),
        _packed_chain(3, order=[0, 1, 1]),
        {"format": "simpleflow.dag/1", "nodes": [{"id": "a", "requires": []}], "order": ["a", "a"]},
        {"format": "simpleflow.dag/1", "nodes": [{"id": "a", "requires": ["b"]}], "order": ["a"]},
        {"format": "simpleflow.dag/1", "nodes": [{"id": "a", "requires": []}, {"id": "a", "requires": []}]},
    ],
    ids=["left-out", "twice", "twice-for-another", "compiled-twice", "compiled-unknown", "compiled-same-id"],
)
def test_a_spec_whose_order_or_requirements_do_not_fit_its_nodes_is_bad_input(spec):
    with pytest.raises(BadInput, match="order must list each node once|requires unknown node|two nodes have one id"):
        unpack(spec)


def test_a_node_listed_again_and_again_in_order_costs_no_walk_of_its_requirements_each_time():
    """An execution's input is written by whoever starts it: a node requiring many, listed many times in
    ``order``, had the walk count its requirements at each listing (their product: minutes of a decider)."""
    many = 2_000
    spec = _packed_chain(many)
    spec["nodes"].append({"i": "last", "r": [f"n{i}" for i in range(many)]})
    spec["order"] = [*range(many + 1), *[many] * 200_000]
    with pytest.raises(BadInput, match="order must list each node once"):
        unpack(spec)


def test_the_web_view_draws_no_spec_whose_order_lists_a_node_again_and_again():
    """Without ``format``, the spec was drawn unchecked: a node with many requirements, listed a thousand times
    in ``order``, kept the web view drawing for minutes."""
    from simpleflow.ui.view import dag_spec_of

    nodes = [{"id": f"n{i}", "kind": "timer", "seconds": 1, "requires": []} for i in range(300)]
    nodes.append({"id": "last", "kind": "timer", "seconds": 1, "requires": [n["id"] for n in nodes]})
    spec = {"name": "w", "version": "1", "nodes": nodes, "order": [n["id"] for n in nodes] + ["last"] * 1000}
    assert dag_spec_of({"kwargs": {"spec": spec}}, DAG) is None
    assert dag_spec_of({"kwargs": {"spec": {**spec, "format": "simpleflow.dag/1"}}}, DAG) is None


def test_the_web_view_does_not_draw_a_graph_whose_edges_cross_too_many_rows():
    """Each node requiring all those before it: 40 KB of input took the web view 6 s to draw (and 150 KB 80 s, a
    46 MB picture), the drawing's work growing with the rows each edge crosses."""
    from simpleflow.ui.view import dag_picture, dag_spec_of

    nodes = [
        {"id": f"n{i}", "kind": "timer", "seconds": 1, "requires": [f"n{j}" for j in range(i)]} for i in range(100)
    ]
    spec = dag_spec_of(
        {"kwargs": {"spec": {"name": "w", "version": "1", "nodes": nodes, "order": [n["id"] for n in nodes]}}}, DAG
    )
    svg, note = dag_picture(spec, [])
    assert svg is None and note.startswith(
        "the DAG is too large to draw here (100 nodes and edges taking 161,800 places"
    )
    chain = [
        {"id": f"n{i}", "kind": "timer", "seconds": 1, "requires": [f"n{i - 1}"] if i else []} for i in range(2000)
    ]
    spec = {"name": "w", "version": "1", "nodes": chain, "order": [n["id"] for n in chain]}
    svg, note = dag_picture(dag_spec_of({"kwargs": {"spec": spec}}, DAG), [])
    assert note is None and svg.count('class="node"') == 2000
