"""DAG specs as data: checks (one line per problem naming the node), references, floto's form."""

from __future__ import annotations

import json

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
FLOTO_STYLE = "tests.fixtures.dag_activities.floto_style"  # takes floto's context


def test_a_cycle_is_refused_naming_its_nodes():
    problems = problems_of(
        _spec(
            a={"activity": INC, "args": [1], "requires": ["c"]},
            b={"activity": INC, "args": ["$nodes.a.result"]},
            c={"activity": INC, "args": [1], "requires": ["b"]},
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
            h={"activity": INC, "args": ["$context"]},  # (it passed, and every run failed at node h)
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
        "node 'h': input: $context is only available in a node with a context (floto's specs)",
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
    for index in ("--1", "9" * 5000):  # not indexes: a BadReference (failing its node), not int()'s ValueError
        with pytest.raises(_refs.BadReference, match="no '"):
            _refs.resolve(f"$input.x.{index}", scope)


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


def _floto_spec(*tasks):
    return {"type": "floto.specs.DeciderSpec", "activity_tasks": list(tasks)}


def _floto_task(id_, **more):
    return {"type": "floto.specs.task.ActivityTask", "id_": id_, "name": FLOTO_STYLE, **more}


def test_node_ids_that_would_name_one_task_are_refused_naming_both():
    problems = problems_of(
        _spec(
            **{
                "x/y": {"activity": INC, "args": [1]},
                "x-y": {"activity": INC, "args": [100]},
                "a b": {"timer": 1},
                "a|b": {"timer": 2},
                "f": {"activity": INC, "foreach": [1, 2], "args": ["$item"]},
                "f-1": {"activity": INC, "args": [3]},  # f's item 1 is task ...-f-1
            }
        )
    )
    assert problems == [
        "node 'x-y': node 'x/y' has the same SWF id 'x-y' (':', '/', '|' and whitespace become '-'): rename one",
        "node 'a|b': node 'a b' has the same SWF id 'a-b' (':', '/', '|' and whitespace become '-'): rename one",
        "node 'f-1': its SWF id is that of item 1 of fan-out node 'f' (items are <node id>-<index>): rename one",
    ]
    floto = _floto_spec(_floto_task("A:v1:x"), _floto_task("A-v1-x"), _floto_task("A-v1-x"))
    spec, problems = dag._load.parse_all(floto)
    clash = (
        "node 'A-v1-x': node 'A:v1:x' has the same SWF id 'A-v1-x' (':', '/', '|' and whitespace become '-'): "
        "rename one"
    )
    assert problems == ["node 'A-v1-x': declared twice (activity_tasks[2])", clash]
    spec, problems = dag._load.parse_all(_floto_spec(_floto_task("A:v1:x"), _floto_task("A-v1-x")))
    assert problems == [clash]


def test_ids_that_stay_distinct_in_swf_are_accepted_and_timer_ids_swf_or_the_engine_would_refuse_are_not():
    distinct = {
        "x-y": {"activity": INC, "args": [1]},
        "X-Y": {"activity": INC, "args": [2]},  # SWF's ids are case-sensitive
        "f": {"activity": INC, "foreach": [1, 2], "args": ["$item"]},
        "f-01": {"activity": INC, "args": [3]},  # items are f-0, f-1: no leading zero
        "f-x": {"activity": INC, "args": [4]},
        "f-2": {"activity": INC, "foreach": [1], "args": ["$item"]},  # its items are f-2-0...
        "k" * 300: {"activity": INC, "args": [5]},  # the engine shortens it with an md5 of the whole
        "k" * 299 + "j": {"activity": INC, "args": [6]},
    }
    assert problems_of(_spec(**distinct)) == []
    assert problems_of(_spec(**{"t" * 257: {"timer": 1}, "_simpleflow_wake_up_timer": {"timer": 1}})) == [
        f"node {'t' * 257!r}: a timer's id is longer than SWF allows (257 > 256)",
        "node '_simpleflow_wake_up_timer': timer ids starting with '_simpleflow_' or '__simpleflow_' are the engine's",
    ]


def test_durations_that_are_not_whole_seconds_are_refused_naming_the_node_and_field():
    raw = _spec(
        t={"timer": 2.5},
        a={
            "activity": INC,
            "args": [1],
            "timeout": {"start_to_close": 0.4, "heartbeat": 10.0},
            "retry": {"delay": 0.5},
        },
        b={"activity": INC, "args": [1], "timeout": 3.7},
        w={"timer": 2.0},  # a whole number written as a float is whole
    )
    raw["execution_timeout"] = 100.5
    assert problems_of(raw) == [
        "node 't': timer must be a whole number of seconds, not 2.5",
        "node 'a': retry: delay must be a whole number of seconds, not 0.5",
        "node 'a': timeout start_to_close must be a whole number of seconds, not 0.4",
        "node 'b': timeout start_to_close must be a whole number of seconds, not 3.7",
        "spec: execution_timeout must be a whole number of seconds, not 100.5",
    ]
    floto_timer = {"type": "floto.specs.task.Timer", "id_": "T", "delay_in_seconds": 1.5}
    assert problems_of(_floto_spec(floto_timer)) == ["node 'T': timer must be a whole number of seconds, not 1.5"]
    spec = dag.normalize(
        _spec(w={"timer": 2.0}, a={"activity": INC, "timeout": 60.0, "retry": {"max_attempts": 2, "delay": 5.0}})
    )
    assert spec.nodes["w"]["seconds"] == 2 and spec.nodes["a"]["timeout"] == {"start_to_close": 60}
    assert spec.nodes["a"]["retry"]["delay"] == 5 and isinstance(spec.nodes["a"]["retry"]["delay"], int)


def test_a_negative_retry_count_is_refused_naming_the_specs_own_key():
    assert problems_of(_spec(a={"activity": INC, "args": [1], "retry": -1})) == [
        "node 'a': retry must be a number of retries >= 0, not -1"
    ]


def test_a_floto_task_key_floto_does_not_know_is_refused_rather_than_lost():
    assert problems_of(_floto_spec(_floto_task("A", inputs={"foo": 1}))) == [
        "node 'A': unknown key 'inputs' for a floto ActivityTask"
    ]
    timer = {"type": "floto.specs.task.Timer", "id_": "T", "delay_in_second": 1}
    assert "node 'T': unknown key 'delay_in_second' for a floto Timer" in problems_of(_floto_spec(timer))


def test_a_floto_repeat_workflow_that_is_not_a_boolean_is_refused():
    spec = dict(_floto_spec(_floto_task("A")), repeat_workflow="no")  # would read as true: repeat for ever
    assert problems_of(spec) == ["spec: repeat_workflow must be true or false, not 'no'"]


def test_a_retry_names_the_errors_it_never_retries_on(tmp_path):
    from simpleflow.dag import _execute

    assert "node 'a': retry: non_retryable_errors must be a list of error names, not 'TypeError'" in problems_of(
        _spec(a={"activity": INC, "args": [1], "retry": {"max_attempts": 3, "non_retryable_errors": "TypeError"}})
    )
    spec = tmp_path / "spec.json"
    retry = {"max_attempts": 3, "non_retryable_errors": ["TypeError"]}  # a data error: tried once
    spec.write_text(json.dumps(_spec(a={"activity": INC, "args": ["$input.x"], "retry": retry})))
    outcome = _execute.run_local(str(spec), {"x": "s"}, ["tests.fixtures.dag_activities"])
    assert outcome.status == "failed"
    assert [e["eventType"] for e in outcome.events].count("ActivityTaskScheduled") == 1


def test_a_floto_spec_lists_every_problem_its_conversion_and_its_check_find():
    spec = _floto_spec(
        _floto_task("A", inputs={"foo": 1}),  # a conversion problem...
        _floto_task("B", retry_strategy={"type": "x.Backoff"}),
        {"type": "floto.specs.task.Generator", "id_": "G"},  # ...whose id stays known: C requires it
        _floto_task("C", requires=["G", "ghost"]),  # then the converted spec's own...
        {"type": "floto.specs.task.Timer", "id_": "T", "delay_in_seconds": 2.5},
        _floto_task("D", name="nowhere.to_be_found"),  # ...and the unknown activity compiling finds
    )
    assert problems_of(spec) == [
        "node 'A': unknown key 'inputs' for a floto ActivityTask",
        "node 'B': unknown retry strategy 'Backoff' (floto's InstantRetry is supported)",
        "node 'G': floto task type 'Generator' is not supported",
        "node 'T': timer must be a whole number of seconds, not 2.5",
        "node 'C': requires unknown node 'ghost'",
        "node 'D': unknown activity 'nowhere.to_be_found' (not declared in the modules)",
    ]
