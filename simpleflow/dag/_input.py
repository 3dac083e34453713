"""What a DagWorkflow execution's input carries: the compiled spec, packed to fit SWF's 32,768 characters.

The compiled spec gives every node each of its keys, defaults included, and its activity's whole
target (name, version, task list, four timeouts): ~400 characters a node, so 55 to 95 nodes filled the
input (by the length of their ids). Packed (``format`` is ``PACKED``):

- each distinct target once, in ``targets`` (the most used first); an activity or workflow node names its own
  by index (``t``, 0 if left out);
- a node's keys only where they differ from their defaults, under short names (``_SHORT``);
- the requirements a node's references imply left out (``r`` holds the others, which come first);
- ``order`` (the walk's) as positions in ``nodes``, and only when it is not their declaration order.

``unpack`` gives back the compiled spec, key for key; a compiled spec itself (``simpleflow.dag/1``, what
executions started before carry) is read as it is. Both are plain data: nothing in them is evaluated or
imported (a target's names go to SWF as a task's type, as in the compiled spec).
"""

from __future__ import annotations

from typing import Any

from simpleflow import format
from simpleflow.dag._spec import FORMAT, KINDS

PACKED = "simpleflow.dag.packed/1"
_SPEC_KEYS = ("name", "version", "task_list", "modules", "execution_timeout", "result", "result_mode", "repeat")


def _defaults() -> dict[str, Any]:
    """A node's keys with their defaults, new lists and mappings each time: each node its own, as compiled."""
    return {"args": [], "kwargs": {}, "retry": None, "timeout": {}, "foreach": None, "max_parallel": None}


_DEFAULTS = _defaults()  # what pack leaves out (never handed out: _defaults() gives each node its own)
_OPTIONAL = ("seconds", "context", "task_list", "version")  # in a node or not: no default
_SHORT = {  # a node's keys packed under their short names, when not their defaults
    "args": "a",
    "kwargs": "kw",
    "retry": "re",
    "timeout": "to",
    "foreach": "f",
    "max_parallel": "p",
    "seconds": "s",
    "context": "c",
    "task_list": "tl",
    "version": "v",
}
_LONG = {short: key for key, short in _SHORT.items()}


class BadInput(ValueError):
    """An execution's input whose spec this version cannot read (one line saying what is wrong)."""


def pack(compiled: dict[str, Any]) -> dict[str, Any]:
    """*compiled* in the packed form; *compiled* itself if unpacking would not give it back whole (a key this
    module does not know of: then the execution's input is larger, never wrong)."""
    keys = [_key(node["target"]) if "target" in node else None for node in compiled["nodes"]]
    targets = _by_use(keys)
    found = {key: node["target"] for node, key in zip(compiled["nodes"], keys) if key is not None}
    packed_targets = [found[key] for key in targets]
    nodes = []
    implied: dict[str, set[str]] = {}  # by node id, for the check below
    for node, target_key in zip(compiled["nodes"], keys):
        short: dict[str, Any] = {"i": node["id"]}
        kind = node["kind"]
        if kind != "activity":
            short["k"] = kind
        if target_key is not None:
            if targets[target_key]:
                short["t"] = targets[target_key]
            if node.get(kind) != (node["target"] or {}).get("name"):
                short["n"] = node.get(kind)
        elif kind in node:
            short["n"] = node[kind]
        for key, default in _DEFAULTS.items():
            if node.get(key, default) != default:
                short[_SHORT[key]] = node[key]
        for key in _OPTIONAL:
            if key in node:
                short[_SHORT[key]] = node[key]
        implied[node["id"]] = _implied(node)
        extra = _explicit(node["requires"], implied[node["id"]])
        if extra:
            short["r"] = extra
        nodes.append(short)
    packed = {key: compiled.get(key) for key in _SPEC_KEYS}
    packed |= {"format": PACKED, "targets": packed_targets, "nodes": nodes}
    ids = [node["id"] for node in compiled["nodes"]]
    if compiled.get("order") != ids:
        positions = {nid: i for i, nid in enumerate(ids)}
        packed["order"] = [positions.get(nid, -1) for nid in compiled.get("order") or ()]
    try:
        whole = _unpacked(packed, implied) == compiled
    except (KeyError, TypeError, IndexError, AttributeError):
        whole = False
    return packed if whole else compiled


def unpack(spec: Any) -> dict[str, Any]:
    """The compiled spec an execution's input carries, packed or not; BadInput when it is neither."""
    if not isinstance(spec, dict):
        raise BadInput(f"the spec is {format.json_type(spec)}, not a mapping")
    compiled = spec.get("format", FORMAT) == FORMAT  # as executions started before packing carry it
    if not compiled and spec.get("format") != PACKED:
        raise BadInput(f"its format is {spec.get('format')!r}, not {PACKED!r} (started by a newer simpleflow?)")
    try:
        return _graph_checked(spec) if compiled else _unpacked(spec)
    except (KeyError, TypeError, IndexError, AttributeError) as err:
        what = "compiled" if compiled else "packed"
        raise BadInput(f"a {what} spec of the wrong shape ({type(err).__name__}: {err})") from None


def _graph_checked(compiled: dict[str, Any]) -> dict[str, Any]:
    """*compiled* if its nodes have distinct ids, require only nodes it has, and ``order`` lists each once.

    The walk trusts them (whoever starts an execution writes its input): a node left out of ``order`` was a
    KeyError, and one listed many times, each time counting its requirements again, cost their product.
    """
    nodes = compiled["nodes"]
    if not isinstance(nodes, list) or not all(isinstance(node, dict) for node in nodes):
        raise TypeError("nodes must be a list of mappings")
    ids = [node["id"] for node in nodes]
    if not all(isinstance(nid, str) for nid in ids):
        raise TypeError("a node's id must be a string")
    known = set(ids)
    if len(known) != len(ids):
        raise KeyError("two nodes have one id")
    for node in nodes:
        requires = node["requires"]
        if not isinstance(requires, list) or not all(isinstance(r, str) for r in requires):
            raise TypeError(f"node {node['id']!r}: requires must be a list of node ids")
        unknown = [r for r in requires if r not in known]
        if unknown:
            raise KeyError(f"node {node['id']!r} requires unknown node {unknown[0]!r}")
    order = compiled.get("order") or None  # none: the walk takes the nodes in their declaration order
    if order is not None and not (isinstance(order, list) and len(order) == len(ids) and _is_ids(order, known)):
        raise IndexError("order must list each node once")
    return compiled


def _is_ids(order: list[Any], known: set[str]) -> bool:
    """Whether *order*, as long as *known*, lists each of its ids (so each once)."""
    return all(isinstance(nid, str) for nid in order) and set(order) == known


def _unpacked(spec: dict[str, Any], implied: dict[str, set[str]] | None = None) -> dict[str, Any]:
    targets = spec["targets"]
    if not isinstance(targets, list) or not all(isinstance(t, dict) for t in targets):
        raise TypeError("targets must be a list of mappings")
    nodes = [_node(short, targets, implied) for short in spec["nodes"]]
    ids = [node["id"] for node in nodes]
    order = spec.get("order")
    if order is not None and not all(isinstance(i, int) and 0 <= i < len(ids) for i in order):
        raise IndexError("order must be positions in nodes")
    graph = _graph_checked({"nodes": nodes, "order": ids if order is None else [ids[i] for i in order]})
    return {key: spec[key] for key in _SPEC_KEYS} | {"format": FORMAT} | graph


def _node(short: dict[str, Any], targets: list[dict[str, Any]], implied: dict[str, set[str]] | None) -> dict[str, Any]:
    """A compiled node from its packed form (*implied*: each node's implied requirements, if known)."""
    kind = short.get("k", "activity")
    if kind not in KINDS or not isinstance(short["i"], str):
        raise TypeError(f"a node needs an id (a string) and a kind in {KINDS}")
    node: dict[str, Any] = {"id": short["i"], "kind": kind, **_defaults()}
    for key, value in short.items():
        if key in _LONG:
            node[_LONG[key]] = value
    if kind == "timer" and "seconds" not in node:
        raise KeyError(f"node {short['i']!r}: a timer needs its seconds (s)")
    if kind != "timer":
        index = short.get("t", 0)
        if not isinstance(index, int) or not 0 <= index < len(targets):
            raise IndexError(f"node {short['i']!r}: no target {index!r}")
        node["target"] = targets[index]
        node[kind] = short.get("n", node["target"].get("name"))
    elif "n" in short:
        node[kind] = short["n"]
    extra = short.get("r") or []
    if not isinstance(extra, list) or not all(isinstance(r, str) for r in extra):
        raise TypeError(f"node {short['i']!r}: r must be a list of node ids")
    reads = implied[node["id"]] if implied is not None else _implied(node)
    node["requires"] = extra + sorted(reads - set(extra))
    return node


def _key(target: Any) -> Any:
    """*target* as a key: its items (plain values), else its JSON."""
    try:
        return tuple(sorted(target.items()))
    except (AttributeError, TypeError):
        return format.dumps(target)


def _by_use(keys: list[Any]) -> dict[Any, int]:
    """Each distinct key's index: the most used first (0, which a node leaves out), ties in order of appearance."""
    counts: dict[Any, int] = {}
    for key in keys:
        if key is not None:
            counts[key] = counts.get(key, 0) + 1
    ranked = sorted(counts, key=lambda key: -counts[key])  # stable: ties keep their first appearance's order
    return {key: index for index, key in enumerate(ranked)}


def _implied(node: dict[str, Any]) -> set[str]:
    """The nodes whose results *node* reads: the requirements its references imply (as ``normal_form`` adds them)."""
    found: set[str] = set()
    pending = [node["args"], node["kwargs"], node.get("foreach")]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            if value.startswith("$nodes."):  # $nodes.ID.result[.path] (checked when the spec was: _refs.parse)
                parts = value.split(".", 3)
                if len(parts) > 2 and parts[2] == "result" and parts[1] != node["id"]:
                    found.add(parts[1])
        elif isinstance(value, list):
            pending.extend(value)
        elif isinstance(value, dict):
            pending.extend(value.values())
    return found


def _explicit(requires: list[str], implied: set[str]) -> list[str]:
    """A head of *requires* that, followed by the rest of *implied* sorted, gives *requires* back: the shortest
    one whose rest is sorted, else all of them (a node's requirements are ``normal_form``'s: a head as written,
    then the implied ones sorted)."""
    start, end = len(requires), len(requires)  # the longest tail of implied ids in order
    while start and requires[start - 1] in implied and (start == end or requires[start - 1] < requires[start]):
        start -= 1
    head = requires[:start]
    return head if head + sorted(implied - set(head)) == requires else list(requires)
