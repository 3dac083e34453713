"""A node's arguments checked against its activity's (or child workflow's) signature before anything runs:
a call that cannot fit is one line naming the node, the activity and the problem."""

from __future__ import annotations

from tests.engine.test_dag_spec import problems_of

ACTS = "tests.fixtures.dag_activities"
SIGNATURE = {"add": "(x, y)", "increment": "(x)", "split": "(text, size=2)"}


def _refused(node_id: str, name: str, problems: str) -> str:
    return f"node {node_id!r}: activity '{ACTS}.{name}' {problems} (signature {SIGNATURE[name]})"


def test_an_argument_the_activity_does_not_take_or_a_missing_one_is_refused_naming_node_and_activity():
    nodes = {
        "a": {"activity": f"{ACTS}.increment", "args": ["$input"]},
        "b": {"activity": f"{ACTS}.add", "kwargs": {"x": "$nodes.a.result", "z": 1}},
        "c": {"activity": f"{ACTS}.increment"},
        "d": {"activity": f"{ACTS}.increment", "args": ["$nodes.a.result", 2]},
        "e": {"activity": f"{ACTS}.split", "args": ["$input.text"], "kwargs": {"text": "abc"}},
    }
    assert problems_of({"name": "t", "nodes": nodes}) == [
        _refused("b", "add", "takes no argument 'z'; needs argument 'y'"),
        _refused("c", "increment", "needs argument 'x'"),
        _refused("d", "increment", "takes 1 positional argument, not 2"),
        _refused("e", "split", "is given 'text' twice (by position and by name)"),
    ]


def test_references_fill_the_place_they_are_written_at_and_a_fan_out_calls_once_per_item():
    nodes = {
        "a": {"activity": f"{ACTS}.split", "input": "$input"},
        "b": {"activity": f"{ACTS}.add", "kwargs": {"x": "$nodes.a.result.0", "y": "$input"}},
        "c": {"activity": f"{ACTS}.increment", "foreach": "$nodes.a.result", "input": "$index"},
        "d": {"activity": f"{ACTS}.add", "foreach": [1, 2], "args": ["$item", "$index"]},
        "e": {"activity": f"{ACTS}.split", "input": {"text": "$input", "size": 3}},
    }
    assert problems_of({"name": "t", "nodes": nodes}) == []


def test_variadic_parameters_take_any_argument_and_by_position_or_by_name_only_is_enforced():
    nodes = {
        "any": {"activity": f"{ACTS}.gather", "args": [1, 2, 3], "kwargs": {"whatever": "$input"}},
        "ok": {"activity": f"{ACTS}.placed", "args": [1], "kwargs": {"second": 2, "third": 3}},
        "bad": {"activity": f"{ACTS}.placed", "args": [1, 2, 3], "kwargs": {"first": 1}},
    }
    assert problems_of({"name": "t", "nodes": nodes}) == [
        f"node 'bad': activity '{ACTS}.placed' takes 2 positional arguments, not 3; takes 'first' by position only; "
        "needs argument 'third' (signature (first, /, second, *, third, fourth=4))"
    ]


def test_the_context_the_engine_passes_itself_fills_the_context_parameter_and_nothing_else():
    floto = {"type": "floto.specs.DeciderSpec", "modules": [ACTS]}
    fits = {"type": "floto.specs.task.ActivityTask", "id_": "F", "name": f"{ACTS}.floto_style", "input": {"a": 1}}
    needs_x = {"type": "floto.specs.task.ActivityTask", "id_": "I", "name": f"{ACTS}.increment"}
    assert problems_of(dict(floto, activity_tasks=[fits])) == []
    refused = [_refused("I", "increment", "needs argument 'x'")]  # floto's context fills no 'x'
    assert problems_of(dict(floto, activity_tasks=[fits, needs_x])) == refused
    # Without floto's context, nothing passes one: the node must.
    native = {"name": "t", "nodes": {"n": {"activity": f"{ACTS}.floto_style"}}}
    assert problems_of(native) == [
        f"node 'n': activity '{ACTS}.floto_style' needs argument 'context' (signature (context, label='floto'))"
    ]


def test_a_child_workflow_node_is_checked_against_its_run_method():
    workflow = f"{ACTS}.DoubleTwiceWorkflow"
    nodes = {
        "ok": {"workflow": workflow, "args": [2]},
        "bad": {"workflow": workflow, "kwargs": {"y": 2}},
    }
    assert problems_of({"name": "t", "nodes": nodes}) == [
        f"node 'bad': workflow {workflow!r} takes no argument 'y'; needs argument 'x' (signature (x))"
    ]


def test_arguments_beside_a_context_that_takes_their_place_are_refused_not_dropped():
    nodes = {
        "a": {"activity": f"{ACTS}.floto_style", "context": True, "kwargs": {"label": "mine"}},
        "w": {"workflow": f"{ACTS}.DoubleTwiceWorkflow", "context": True, "args": [2]},
        "ok": {"activity": f"{ACTS}.floto_style", "context": True},
    }
    assert problems_of({"name": "t", "nodes": nodes}) == [
        "node 'a': its kwargs would be dropped: floto's context is passed in their place",
        "node 'w': its args would be dropped: floto's context is passed in their place",
    ]
