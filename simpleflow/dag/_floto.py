"""floto's JSON decider specs, read as DAG specs.

A floto ``DeciderSpec`` lists ``activity_tasks`` (``ActivityTask``, ``Timer``,
``ChildWorkflow``) with ``requires`` edges and ``InstantRetry`` strategies, plus
``default_activity_task_list`` and ``repeat_workflow``. Activities receive floto's
``context`` (the workflow input for tasks without requirements, else their
requirements' results by id, and the task's own input as ``activity_task``) when
they take a ``context`` argument; the workflow's result is its leaf tasks'
results by id, as floto records it.
"""

from __future__ import annotations

from typing import Any


def is_floto(raw: Any) -> bool:
    return isinstance(raw, dict) and (
        str(raw.get("type", "")).startswith("floto.") or ("activity_tasks" in raw and "nodes" not in raw)
    )


def _kind(task: dict[str, Any]) -> str:
    return str(task.get("type") or "floto.specs.task.ActivityTask").rpartition(".")[2]


def _task_id(task: dict[str, Any], index: int) -> str:
    if task.get("id_") or task.get("activity_id"):
        return str(task.get("id_") or task["activity_id"])
    if _kind(task) == "ChildWorkflow":
        return f"{task.get('workflow_type_name')}:{task.get('workflow_type_version')}"
    return f"{task.get('name')}:{task.get('version')}" if task.get("name") else f"task{index}"


# The keys floto's task classes serialize (``id_``; ``activity_id`` in its older specs): another key is a typo
# whose value would be lost without a word (an ``inputs`` for ``input``...).
_COMMON_KEYS = frozenset({"type", "id_", "activity_id", "requires", "domain"})
_TASK_KEYS = {
    "ActivityTask": _COMMON_KEYS | {"name", "version", "input", "retry_strategy", "task_list"},
    "Timer": _COMMON_KEYS | {"delay_in_seconds"},
    "ChildWorkflow": _COMMON_KEYS
    | {"workflow_type_name", "workflow_type_version", "input", "retry_strategy", "task_list"},
}


def _unknown_keys(task: dict[str, Any], kind: str, where: str) -> list[str]:
    known = _TASK_KEYS.get(kind)
    if known is None:
        return []
    return [f"node {where!r}: unknown key {key!r} for a floto {kind}" for key in task if key not in known]


def _requires(task: dict[str, Any]) -> list[str]:
    found = []
    for req in task.get("requires") or []:
        found.append(str(req.get("id_")) if isinstance(req, dict) else str(req))
    return found


def _retry(task: dict[str, Any], where: str, problems: list[str]) -> dict[str, Any] | None:
    strategy = task.get("retry_strategy")
    if not strategy:
        return None
    kind = str(strategy.get("type", "floto.specs.retry_strategy.InstantRetry")).rpartition(".")[2]
    retries = strategy.get("retries")
    if kind != "InstantRetry":
        problems.append(f"node {where!r}: unknown retry strategy {kind!r} (floto's InstantRetry is supported)")
        return None
    if not isinstance(retries, int) or isinstance(retries, bool) or retries < 0:
        problems.append(f"node {where!r}: InstantRetry retries must be a whole number >= 0, not {retries!r}")
        return None
    return {"max_attempts": retries + 1}  # floto resubmits while failures <= retries


def to_dag(raw: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The DAG spec (plain data) a floto decider spec describes, and the problems found converting it."""
    problems: list[str] = []
    tasks = raw.get("activity_tasks")
    if not isinstance(tasks, list) or not tasks:
        return {}, ["spec: floto spec has no activity_tasks"]
    default_task_list = raw.get("default_activity_task_list")
    nodes: dict[str, dict[str, Any]] = {}
    for index, task in enumerate(tasks):
        if not isinstance(task, dict):
            problems.append(f"activity_tasks[{index}]: must be an object")
            continue
        node_id = _task_id(task, index)
        if node_id in nodes:
            problems.append(f"node {node_id!r}: declared twice (activity_tasks[{index}])")
            continue
        kind = _kind(task)
        problems += _unknown_keys(task, kind, node_id)
        node: dict[str, Any] = {"requires": _requires(task)}
        if kind == "Timer":
            node["timer"] = task.get("delay_in_seconds")
        elif kind == "ActivityTask":
            node["activity"] = task.get("name")
            if task.get("version") is not None:
                node["version"] = str(task["version"])
            node["task_list"] = task.get("task_list") or default_task_list
            node["context"] = task["input"] if task.get("input") is not None else True
            node["retry"] = _retry(task, node_id, problems)
        elif kind == "ChildWorkflow":
            node["workflow"] = task.get("workflow_type_name")
            if task.get("workflow_type_version") is not None:
                node["version"] = str(task["workflow_type_version"])
            if task.get("task_list"):
                node["task_list"] = task["task_list"]
            node["context"] = task["input"] if task.get("input") is not None else True
            node["retry"] = _retry(task, node_id, problems)
        else:
            problems.append(f"node {node_id!r}: floto task type {kind!r} is not supported")
            node["timer"] = 0  # a stand-in, never run (the spec is refused): its id stays known to the tasks after it
        nodes[node_id] = {k: v for k, v in node.items() if v is not None}
    repeat = raw.get("repeat_workflow", False)
    if not isinstance(repeat, bool):  # "no" would read as true, and repeat for ever
        problems.append(f"spec: repeat_workflow must be true or false, not {repeat!r}")
    spec = {
        "name": raw.get("name") or raw.get("task_list") or "floto",
        "version": str(raw.get("version") or "1"),
        "task_list": raw.get("task_list"),
        "nodes": nodes,
        "result_mode": "floto",
        "repeat": repeat is True,
    }
    if raw.get("modules"):
        spec["modules"] = raw["modules"]
    return spec, problems
