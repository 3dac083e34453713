"""DAG specs as data: checks (one line per problem naming the node), references, floto's form."""

from __future__ import annotations

import pytest

from simpleflow import dag
from simpleflow.dag import _floto, _refs


def problems_of(raw, modules=("tests.fixtures.dag_activities",)) -> list[str]:
    """What the check of the spec *raw* says, one line per problem (empty when it is fine)."""
    spec, problems = dag._load.parse_all(raw)
    try:
        dag.compile_spec(spec, modules, problems)
    except dag.SpecError as err:
        return err.problems
    return []


def _spec(**nodes):
    return {"name": "t", "nodes": nodes}


INC = "tests.fixtures.dag_activities.increment"


def test_a_cycle_is_refused_naming_its_nodes():
    problems = problems_of(
        _spec(
            a={"activity": INC, "requires": ["c"]},
            b={"activity": INC, "args": ["$nodes.a.result"]},
            c={"activity": INC, "requires": ["b"]},
        )
    )
    assert problems == ["node 'a': cycle a -> c -> b -> a"]


def test_unknown_nodes_activities_and_bad_retry_policies_are_each_one_line_naming_the_node():
    problems = problems_of(
        _spec(
            a={"activity": "nowhere.to_be_found", "retry": {"max_attempts": 0, "backoff": 0.5}},
            b={"activity": INC, "args": ["$nodes.ghost.result"], "requires": ["phantom"]},
            c={"timer": "soon"},
            d={"activity": INC, "args": ["$item"]},
            e={"activity": INC, "foreach": "$nodes.a.result", "max_parallel": 0, "args": ["$item"]},
            f={"activity": INC, "workflow": "x.Y"},
            g={"activity": INC, "args": ["$env.HOME"], "colour": "red"},
        )
    )
    assert problems == [
        "node 'a': retry: max_attempts must be a whole number >= 1, not 0",
        "node 'a': retry: backoff must be a number >= 1, not 0.5",
        "node 'c': timer must be a number of seconds >= 0, not 'soon'",
        "node 'e': max_parallel must be a whole number >= 1, not 0",
        "node 'f': needs exactly one of activity, workflow or timer (has ['activity', 'workflow'])",
        "node 'g': unknown key 'colour'",
        "node 'b': input refers to unknown node 'ghost' ($nodes.ghost.result)",
        "node 'b': requires unknown node 'phantom'",
        "node 'd': input: $item is only available inside a foreach",
        "node 'g': input: '$env.HOME': unknown root $env (expected one of $input, $nodes, $item, $index, $context)",
        "node 'a': unknown activity 'nowhere.to_be_found' (not declared in the modules)",
    ]


def test_references_imply_requirements_and_the_order_puts_each_node_after_them():
    spec = dag.normalize(
        _spec(
            d={"activity": INC, "args": ["$nodes.b.result", "$nodes.c.result"]},
            b={"activity": INC, "args": ["$nodes.a.result"]},
            c={"activity": INC, "args": ["$nodes.a.result"]},
            a={"activity": INC, "args": ["$input"]},
        )
    )
    assert spec.nodes["d"]["requires"] == ["b", "c"]
    assert spec.order == ["a", "b", "c", "d"]


def test_references_read_plain_data_only():
    scope = {"input": {"x": [10, {"y": "deep"}]}, "nodes": {"a": {"k": 1}}, "item": "it", "index": 2}
    assert _refs.resolve(["$input.x.1.y", "$nodes.a.result.k", "$item", "$index", "$$input", 5], scope) == [
        "deep",
        1,
        "it",
        2,
        "$input",
        5,
    ]
    assert _refs.resolve({"nested": ["$input.x.0"]}, scope) == {"nested": [10]}
    with pytest.raises(_refs.BadReference, match="no '__class__'"):
        _refs.resolve("$input.__class__", scope)  # no attribute is ever read, nothing evaluated
    with pytest.raises(_refs.BadReference, match="is not a key or an index"):
        _refs.resolve("$input.x[0]", scope)


def test_a_floto_decider_spec_becomes_a_dag_with_its_ids_retries_and_timer():
    raw = {
        "type": "floto.specs.DeciderSpec",
        "task_list": "deciders",
        "default_activity_task_list": "atl",
        "repeat_workflow": True,
        "activity_tasks": [
            {
                "type": "floto.specs.task.ActivityTask",
                "id_": "A:v1:x",
                "name": "A",
                "version": "v1",
                "retry_strategy": {"type": "floto.specs.retry_strategy.InstantRetry", "retries": 3},
            },
            {
                "type": "floto.specs.task.Timer",
                "id_": "T",
                "delay_in_seconds": 30,
                "requires": [{"id_": "A:v1:x", "type": "floto.specs.task.ActivityTask"}],
            },
            {
                "type": "floto.specs.task.ActivityTask",
                "id_": "B",
                "name": "B",
                "version": "v1",
                "input": {"k": 1},
                "requires": [{"id_": "T", "type": "floto.specs.task.Timer"}],
                "task_list": "other",
            },
        ],
    }
    converted, problems = _floto.to_dag(raw)
    assert problems == []
    spec = dag.normalize(converted)
    nodes = spec.nodes
    assert spec.order == ["A:v1:x", "T", "B"]
    assert nodes["A:v1:x"]["retry"] == {"max_attempts": 4, "delay": 0, "backoff": 1}
    assert nodes["A:v1:x"]["task_list"] == "atl" and nodes["B"]["task_list"] == "other"
    assert nodes["T"] == dict(nodes["T"], kind="timer", seconds=30, requires=["A:v1:x"])
    assert nodes["B"]["context"] == {"k": 1}
    assert spec.data["repeat"] is True and spec.data["result_mode"] == "floto"


def test_a_floto_spec_with_an_unknown_strategy_or_task_type_is_refused():
    _, problems = _floto.to_dag(
        {
            "activity_tasks": [
                {"type": "floto.specs.task.Generator", "id_": "g", "name": "G", "version": "1"},
                {"id_": "a", "name": "A", "version": "1", "retry_strategy": {"type": "x.Backoff", "retries": 1}},
            ]
        }
    )
    assert problems == [
        "node 'g': floto task type 'Generator' is not supported",
        "node 'a': unknown retry strategy 'Backoff' (floto's InstantRetry is supported)",
    ]


def test_a_spec_needs_a_name_swf_accepts_as_a_workflow_type():
    assert problems_of({"name": "etl:daily", "nodes": {"t": {"timer": 1}}}) == [
        "spec: name 'etl:daily' cannot be an SWF workflow type name (no ':', '/' or '|')"
    ]
    assert problems_of({"nodes": {"t": {"timer": 1}}}) == ["spec: 'name' (a string) is required"]
