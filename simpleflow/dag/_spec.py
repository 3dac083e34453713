"""DAG specs: parsed from plain data, checked, and put in the normal form executions carry.

A spec is a mapping (from YAML or JSON) with ``name``, ``version``, ``task_list``,
``modules`` (where its activities are declared), ``nodes`` and ``result``. Checking
collects every problem, one line each naming the node, before anything runs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from simpleflow.dag import _bounds, _ids, _refs
from simpleflow.exceptions import PicklesAsIs, UsageError
from simpleflow.format import MAX_DURATION

FORMAT = "simpleflow.dag/1"
KINDS = ("activity", "workflow", "timer")
NODE_KEYS = frozenset(
    {*KINDS, "args", "kwargs", "input", "requires", "retry", "timeout", "foreach", "max_parallel", "task_list"}
    | {"version", "id", "context"}
)
SPEC_KEYS = frozenset(
    {"name", "version", "task_list", "modules", "nodes", "result", "execution_timeout", "repeat", "result_mode"}
    | {"format", "description"}
)
RETRY_KEYS = frozenset({"max_attempts", "delay", "backoff", "non_retryable_errors"})
TIMEOUT_KEYS = frozenset({"start_to_close", "schedule_to_close", "schedule_to_start", "heartbeat", "execution"})


class SpecError(PicklesAsIs, UsageError):
    """A spec that cannot run; ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(problems[0] if len(problems) == 1 else f"{len(problems)} problems: " + "; ".join(problems))
        self.problems = problems


@dataclass
class Spec:
    """A checked spec in normal form (``data`` is what an execution's input carries)."""

    data: dict[str, Any]
    order: list[str] = field(default_factory=list)  # node ids, every node after its requirements

    @property
    def name(self) -> str:
        return self.data["name"]

    @property
    def nodes(self) -> dict[str, dict[str, Any]]:
        return {n["id"]: n for n in self.data["nodes"]}


def _is_number(value: Any) -> bool:
    """A finite int or float (JSON's Infinity and NaN, YAML's .inf and .nan are not)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return isinstance(value, int) or math.isfinite(value)  # isfinite would overflow on a huge int


def _seconds_problem(where: str, value: Any, *, positive: bool = False) -> str | None:
    """Why *value* is not a duration SWF accepts (whole seconds, at most 8 digits), or None.

    SWF takes durations as whole seconds: 0.4 would reach it as "0" (no time at all) where the
    local host waits 0.4 s, so a fraction is refused rather than rounded either way.
    """
    if not _is_number(value) or value < 0 or (positive and value == 0):
        return f"{where} must be a number of seconds {'> 0' if positive else '>= 0'}, not {value!r}"
    if value > MAX_DURATION:
        return f"{where}: {value!r} seconds is longer than SWF allows ({MAX_DURATION:,})"
    if value != int(value):
        return f"{where} must be a whole number of seconds, not {value!r}"
    return None


def module_problem(name: Any) -> str | None:
    """Why *name* cannot be imported as a module of activities, or None."""
    if not isinstance(name, str):
        return f"a module name must be a string, not {name!r}"
    if not name.strip():
        return "a module name cannot be empty"
    if name.startswith("."):
        return f"{name!r} is relative: give the module's full dotted name"
    return None


def _node_items(raw: Any, problems: list[str]) -> list[tuple[str, Any]]:
    if isinstance(raw, dict):
        return [(str(key), value) for key, value in raw.items()]
    if isinstance(raw, list):
        items = []
        for i, node in enumerate(raw):
            if not isinstance(node, dict) or not isinstance(node.get("id"), str) or not node["id"]:
                problems.append(f"nodes[{i}]: a node in a list needs an 'id'")
                continue
            items.append((node["id"], node))
        return items
    problems.append("spec: 'nodes' must be a mapping of node id to node (or a list of nodes with an 'id')")
    return []


def _normal_retry(node_id: str, raw: Any, problems: list[str]) -> dict[str, Any] | None:
    where = f"node {node_id!r}: retry"
    if raw is None:
        return None
    if isinstance(raw, int) and not isinstance(raw, bool):
        if raw < 0:
            problems.append(f"{where} must be a number of retries >= 0, not {raw!r}")
            return None
        raw = {"max_attempts": raw + 1}  # ``retry: N``: N more attempts, at once
    if not isinstance(raw, dict):
        problems.append(f"{where} must be a number of retries or {{max_attempts, delay, backoff}}")
        return None
    unknown = sorted(set(raw) - RETRY_KEYS)
    if unknown:
        problems.append(f"{where}: unknown key {unknown[0]!r} (expected {', '.join(sorted(RETRY_KEYS))})")
    attempts = raw.get("max_attempts", 1)
    delay = raw.get("delay", 0)
    backoff = raw.get("backoff", 1)
    if not isinstance(attempts, int) or isinstance(attempts, bool) or attempts < 1:
        problems.append(f"{where}: max_attempts must be a whole number >= 1, not {attempts!r}")
    problem = _seconds_problem(f"{where}: delay", delay)
    if problem:
        problems.append(problem)
    else:
        delay = int(delay)
    if not _is_number(backoff) or backoff < 1:
        problems.append(f"{where}: backoff must be a number >= 1, not {backoff!r}")
    normal = {"max_attempts": attempts, "delay": delay, "backoff": backoff}
    errors = raw.get("non_retryable_errors")
    if errors is not None:  # RetryPolicy's: the error names (or qualified names) a failure never retries on
        if not isinstance(errors, list) or not all(isinstance(e, str) and e for e in errors):
            problems.append(f"{where}: non_retryable_errors must be a list of error names, not {errors!r}")
        else:
            normal["non_retryable_errors"] = errors
    return normal


def _normal_timeout(node_id: str, raw: Any, problems: list[str]) -> dict[str, Any]:
    if raw is None:
        return {}
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        raw = {"start_to_close": raw}
    if not isinstance(raw, dict):
        problems.append(f"node {node_id!r}: timeout must be seconds or a mapping of {', '.join(sorted(TIMEOUT_KEYS))}")
        return {}
    out = {}
    for key, value in raw.items():
        if key not in TIMEOUT_KEYS:
            problems.append(f"node {node_id!r}: timeout: unknown key {key!r}")
        elif problem := _seconds_problem(f"node {node_id!r}: timeout {key}", value, positive=True):
            problems.append(problem)
        else:
            out[key] = int(value)
    return out


def _normal_node(node_id: str, raw: Any, problems: list[str]) -> dict[str, Any] | None:
    if not isinstance(raw, dict):
        problems.append(f"node {node_id!r}: must be a mapping (with activity, workflow or timer)")
        return None
    unknown = sorted(set(raw) - NODE_KEYS)
    for key in unknown:
        problems.append(f"node {node_id!r}: unknown key {key!r}")
    kinds = [k for k in KINDS if k in raw]
    if len(kinds) != 1:
        problems.append(f"node {node_id!r}: needs exactly one of activity, workflow or timer (has {kinds or 'none'})")
        return None
    kind = kinds[0]
    node: dict[str, Any] = {"id": node_id, "kind": kind}
    target = raw[kind]
    if kind == "timer":
        problem = _seconds_problem(f"node {node_id!r}: timer", target)
        if problem:
            problems.append(problem)
        node["seconds"] = 0 if problem else int(target)
    elif not isinstance(target, str) or not target:
        problems.append(f"node {node_id!r}: {kind} must be a name, not {target!r}")
    else:
        node[kind] = target
    args, kwargs = raw.get("args"), raw.get("kwargs")
    if "input" in raw:
        if args is not None or kwargs is not None:
            problems.append(f"node {node_id!r}: give input, or args/kwargs, not both")
        value = raw["input"]
        if isinstance(value, list):
            args = value
        elif isinstance(value, dict):
            kwargs = value
        elif value is not None:
            args = [value]
    if args is not None and not isinstance(args, list):
        problems.append(f"node {node_id!r}: args must be a list")
        args = None
    if kwargs is not None and not isinstance(kwargs, dict):
        problems.append(f"node {node_id!r}: kwargs must be a mapping")
        kwargs = None
    if kind == "timer" and (args or kwargs):
        problems.append(f"node {node_id!r}: a timer takes no input")
    node["args"] = args or []
    node["kwargs"] = kwargs or {}
    requires = raw.get("requires") or []
    if isinstance(requires, str):
        requires = [requires]
    if not isinstance(requires, list) or not all(isinstance(r, str) for r in requires):
        problems.append(f"node {node_id!r}: requires must be a list of node ids")
        requires = []
    node["requires"] = list(requires)
    node["retry"] = _normal_retry(node_id, raw.get("retry"), problems)
    node["timeout"] = _normal_timeout(node_id, raw.get("timeout"), problems)
    if kind == "timer" and (node["retry"] or node["timeout"]):
        problems.append(f"node {node_id!r}: a timer takes no retry or timeout")
    foreach = raw.get("foreach")
    if foreach is not None:
        if kind == "timer":
            problems.append(f"node {node_id!r}: a timer cannot fan out (foreach)")
        elif not _refs.is_reference(foreach) and not isinstance(foreach, list):
            problems.append(f"node {node_id!r}: foreach must be a reference (e.g. $nodes.a.result) or a list")
    node["foreach"] = foreach
    max_parallel = raw.get("max_parallel")
    if max_parallel is not None:
        if foreach is None:
            problems.append(f"node {node_id!r}: max_parallel needs foreach")
        elif not isinstance(max_parallel, int) or isinstance(max_parallel, bool) or max_parallel < 1:
            problems.append(f"node {node_id!r}: max_parallel must be a whole number >= 1, not {max_parallel!r}")
    node["max_parallel"] = max_parallel
    if "context" in raw:
        node["context"] = raw["context"]  # floto's context (see simpleflow.dag._floto); True: no task input
    for key in ("task_list", "version"):
        if raw.get(key) is not None:
            if not isinstance(raw[key], str):
                problems.append(f"node {node_id!r}: {key} must be a string")
            else:
                node[key] = raw[key]
    return node


def _check_references(node: dict[str, Any], ids: set[str], problems: list[str]) -> set[str]:
    """The nodes *node* reads results of (its implied requirements); problems for bad references."""
    where = f"node {node['id']!r}"
    found: set[str] = set()
    values = [("input", node["args"]), ("input", node["kwargs"])]
    if node.get("foreach") is not None:
        values.append(("foreach", node["foreach"]))
    for what, value in values:
        for text, ref in _refs.references(value):
            if isinstance(ref, _refs.BadReference):
                problems.append(f"{where}: {what}: {ref}")
            elif ref.root == "nodes":
                if ref.node not in ids:
                    problems.append(f"{where}: {what} refers to unknown node {ref.node!r} ({text})")
                elif ref.node == node["id"]:
                    problems.append(f"{where}: {what} refers to its own result ({text})")
                else:
                    found.add(ref.node)
            elif ref.root in ("item", "index") and (what == "foreach" or node.get("foreach") is None):
                problems.append(f"{where}: {what}: {text} is only available inside a foreach")
            elif ref.root == "context" and "context" not in node:  # (the run set it only for such a node)
                problems.append(f"{where}: {what}: {text} is only available in a node with a context (floto's specs)")
    return found


def _cycle(requires: dict[str, list[str]]) -> list[str] | None:
    """A cycle of the graph (node ids, first repeated at the end), or None.

    A depth-first search kept on an explicit stack: a 10,000-node chain is 10,000 levels deep.
    """
    state: dict[str, int] = {}  # 1: on the path, 2: done
    for root in requires:
        if root in state:
            continue
        state[root] = 1
        path = [root]
        pending = [iter(requires[root])]
        while pending:
            dep = next(pending[-1], None)
            if dep is None:
                state[path.pop()] = 2
                pending.pop()
            elif state.get(dep) == 1:
                return path[path.index(dep) :] + [dep]
            elif dep not in state:
                state[dep] = 1
                path.append(dep)
                pending.append(iter(requires.get(dep, ())))
    return None


def topological(requires: dict[str, list[str]]) -> list[str]:
    """Node ids, each after its requirements, ties in declaration order; nodes on a cycle are left out.

    In waves: the nodes whose requirements are all placed, in declaration order, then the nodes
    the last wave completed. Each requirement is counted down once, so the sort is linear.
    """
    index = {nid: i for i, nid in enumerate(requires)}
    missing = {nid: len(deps) for nid, deps in requires.items()}
    dependents: dict[str, list[str]] = {}
    for nid, deps in requires.items():
        for dep in deps:
            dependents.setdefault(dep, []).append(nid)
    order: list[str] = []
    wave = [nid for nid, count in missing.items() if count == 0]
    while wave:
        order.extend(wave)
        ready = []
        for done in wave:
            for nid in dependents.get(done, ()):
                missing[nid] -= 1
                if missing[nid] == 0:
                    ready.append(nid)
        wave = sorted(ready, key=index.__getitem__)
    return order


def _execution_timeout(value: Any, problems: list[str]) -> int | None:
    if value is None:
        return None
    problem = _seconds_problem("spec: execution_timeout", value, positive=True)
    if problem:
        problems.append(problem)
        return None
    return int(value)


def normalize(raw: Any) -> Spec:
    """Check the spec *raw* (plain data) and return it in normal form; SpecError lists every problem."""
    spec, problems = normal_form(raw)
    if problems:
        raise SpecError(problems)
    return spec


def normal_form(raw: Any) -> tuple[Spec, list[str]]:
    """The spec *raw* in normal form (as far as it goes) and every problem found in it."""
    problems: list[str] = []
    if not isinstance(raw, dict):
        return Spec({"name": None, "nodes": []}), ["spec: must be a mapping with name, version, nodes..."]
    problem = _bounds.size_problem(raw)  # before anything walks it (aliases may stand for millions of values)
    if problem:
        return Spec({"name": None, "nodes": []}), [problem]
    for key in sorted(set(raw) - SPEC_KEYS):
        problems.append(f"spec: unknown key {key!r}")
    name = raw.get("name")
    if not isinstance(name, str) or not name:
        problems.append("spec: 'name' (a string) is required")
    elif len(name) > 256 or any(c in name for c in ":/|") or name != name.strip() or name == "arn":
        # SWF's rule for a workflow type name
        problems.append(f"spec: name {name!r} cannot be an SWF workflow type name (no ':', '/' or '|')")
    version = raw.get("version", "1")
    if _is_number(version):
        version = str(version)
    if not isinstance(version, str):
        problems.append("spec: 'version' must be a string")
    task_list = raw.get("task_list")
    if task_list is not None and not isinstance(task_list, str):
        problems.append("spec: 'task_list' must be a string")
    modules = raw.get("modules") or []
    if isinstance(modules, str):
        modules = [modules]
    if not isinstance(modules, list) or not all(isinstance(m, str) for m in modules):
        problems.append("spec: 'modules' must be a list of module names")
        modules = None  # unusable: compiling reports no activity as unknown for it
    elif any(map(module_problem, modules)):
        problems.extend(f"spec: modules: {p}" for p in map(module_problem, modules) if p)
        modules = None
    items = _node_items(raw.get("nodes"), problems)
    if not items and "nodes" in raw and not problems:
        problems.append("spec: 'nodes' is empty")
    nodes: list[dict[str, Any]] = []
    seen: set[str] = set()
    for node_id, value in items:
        if not node_id:
            problems.append("spec: a node id cannot be empty ('')")
            continue
        if node_id in seen:
            problems.append(f"node {node_id!r}: declared twice")
            continue
        seen.add(node_id)
        node = _normal_node(node_id, value, problems)
        if node is not None:
            nodes.append(node)
    problems.extend(_ids.clash_problems(nodes))
    ids = {n["id"] for n in nodes} | seen
    for node in nodes:
        implied = _check_references(node, ids, problems)
        for dep in node["requires"]:
            if dep not in ids:
                problems.append(f"node {node['id']!r}: requires unknown node {dep!r}")
            elif dep == node["id"]:
                problems.append(f"node {node['id']!r}: requires itself")
        node["requires"] = [d for d in node["requires"] if d in ids and d != node["id"]]
        node["requires"] += sorted(implied - set(node["requires"]))
    result = raw.get("result")
    for text, ref in _refs.references(result):
        if isinstance(ref, _refs.BadReference):
            problems.append(f"result: {ref}")
        elif ref.root == "nodes" and ref.node not in ids:
            problems.append(f"result refers to unknown node {ref.node!r} ({text})")
        elif ref.root in ("item", "index", "context"):
            problems.append(f"result: {text} is only available inside a node")
    requires = {n["id"]: n["requires"] for n in nodes}
    cycle = _cycle(requires)
    if cycle:
        shown = cycle if len(cycle) <= 12 else [*cycle[:5], "...", *cycle[-5:]]
        more = f" ({len(cycle) - 1} nodes)" if len(cycle) > 12 else ""
        problems.append(f"node {cycle[0]!r}: cycle {' -> '.join(shown)}{more}")
    result_mode = raw.get("result_mode", "value")
    if result_mode not in ("value", "floto"):
        problems.append("spec: result_mode must be 'value' or 'floto'")
    data = {
        "format": FORMAT,
        "name": name,
        "version": version,
        "task_list": task_list,
        "modules": None if modules is None else list(modules),
        "execution_timeout": _execution_timeout(raw.get("execution_timeout"), problems),
        "nodes": nodes,
        "result": result,
        "result_mode": result_mode,
        "repeat": bool(raw.get("repeat", False)),
    }
    return Spec(data, topological(requires)), problems
