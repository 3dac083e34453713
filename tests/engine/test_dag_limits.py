"""DAG specs refuse what cannot work before walking it, and checking a large graph stays linear."""

from __future__ import annotations

import random

import pytest

from simpleflow import dag
from simpleflow.dag import _spec
from simpleflow.exceptions import UsageError

INC = "tests.fixtures.dag_activities.increment"


def _problems(raw) -> list[str]:
    return dag._load.parse_all(raw)[1]


def _laughs(levels: int, width: int = 9) -> list:
    """What nested YAML anchors load as: each level a list of *width* references to the level below."""
    value: list = ["lol"] * width
    for _ in range(levels - 1):
        value = [value] * width
    return value


def test_a_spec_whose_shared_values_expand_past_the_bound_is_refused_in_one_line():
    # 1,100 references to one list of 1,100 strings: a few kilobytes of YAML, 1.2 million values once walked.
    shared = ["lol"] * 1100
    raw = {"name": "laughs", "nodes": {"a": {"activity": INC, "args": [[shared] * 1100]}}}
    problems = _problems(raw)
    assert problems == [
        "spec: too large: more than 1,000,000 values, each YAML alias counted where it is used "
        "(anchors repeated inside anchors multiply)"
    ]
    with pytest.raises(dag.SpecError):
        dag.parse(raw)


def test_a_billion_laughs_is_counted_without_being_expanded():
    from simpleflow.dag import _bounds

    raw = {"name": "laughs", "nodes": {"a": {"activity": INC, "args": [_laughs(9)]}}}  # 387 million strings
    assert _bounds.size_problem(raw).startswith("spec: too large: more than 1,000,000 values")


def test_shared_values_within_the_bound_are_accepted():
    retry = {"max_attempts": 3, "delay": 1, "backoff": 2}  # an anchor reused by every node, as YAML users do
    nodes = {f"n{i}": {"activity": INC, "args": [_laughs(5)], "retry": retry} for i in range(3)}
    assert _problems({"name": "ok", "nodes": nodes}) == []


def test_a_spec_nested_too_deep_or_containing_itself_is_refused():
    deep: list = []
    for _ in range(150):
        deep = [deep]
    assert _problems({"name": "deep", "nodes": {"a": {"activity": INC, "args": deep}}}) == [
        "spec: lists and mappings nested more than 100 deep"
    ]
    looped: list = []
    looped.append(looped)  # what `a: &x [*x]` loads as
    assert _problems({"name": "loop", "nodes": {"a": {"activity": INC, "args": looped}}}) == [
        "spec: a value contains itself (a YAML alias inside its own anchor)"
    ]


def test_spec_text_nested_past_the_parsers_recursion_is_one_line():
    for text, source in (("[" * 5000 + "]" * 5000, "deep.json"), ("a: " + "[" * 5000 + "]" * 5000, "deep.yaml")):
        with pytest.raises(UsageError, match=f"^{source}: nested too deep to read$"):
            dag.load_text(text, source)


class _CountedList(list):
    """A node's requirements, counting how often they are read."""

    reads = 0

    def __iter__(self):
        _CountedList.reads += 1
        return super().__iter__()


def test_the_topological_sort_reads_each_nodes_requirements_a_bounded_number_of_times():
    n = 2000
    requires = {f"n{i}": _CountedList([f"n{i - 1}"] if i else []) for i in range(n)}
    _CountedList.reads = 0
    order = _spec.topological(requires)
    assert order == [f"n{i}" for i in range(n)]
    assert _CountedList.reads <= 3 * n  # a wave-by-wave rescan reads them n * n / 2 times


def _reference_order(requires: dict[str, list[str]]) -> list[str]:
    """The order's definition, wave by wave: the nodes whose requirements are all placed, in declaration order."""
    order: list[str] = []
    remaining = list(requires)
    while True:
        ready = [n for n in remaining if all(d in order for d in requires[n])]
        if not ready:
            return order
        order += ready
        remaining = [n for n in remaining if n not in ready]


@pytest.mark.parametrize("seed", range(20))
def test_the_topological_order_is_waves_in_declaration_order(seed):
    rng = random.Random(seed)
    ids = [f"n{i}" for i in range(rng.randint(1, 40))]
    rng.shuffle(ids)
    rank = {nid: i for i, nid in enumerate(sorted(ids, key=lambda s: int(s[1:])))}
    requires = {
        nid: [d for d in ids if rank[d] < rank[nid] and rng.random() < 0.15] + (["n0"] * (rng.random() < 0.1))
        for nid in ids
    }
    requires = {nid: [d for d in deps if d != nid] for nid, deps in requires.items()}
    if seed % 4 == 0 and len(ids) > 2:  # a cycle: its nodes (and those after them) are left out
        requires[ids[0]].append(ids[-1])
        requires[ids[-1]].append(ids[0])
    assert _spec.topological(requires) == _reference_order(requires)


def test_a_long_chain_declared_last_node_first_is_checked_without_recursing():
    n = 3000
    nodes = {f"n{i}": {"activity": INC, "args": [f"$nodes.n{i - 1}.result" if i else 1]} for i in reversed(range(n))}
    spec = dag.parse({"name": "chain", "nodes": nodes})
    assert spec.order == [f"n{i}" for i in range(n)]
    nodes["n0"]["args"] = [f"$nodes.n{n - 1}.result"]
    problems = _problems({"name": "chain", "nodes": nodes})
    assert problems == [
        "node 'n2999': cycle n2999 -> n2998 -> n2997 -> n2996 -> n2995 -> ... "
        "-> n3 -> n2 -> n1 -> n0 -> n2999 (3000 nodes)"
    ]
