"""From a checked spec to what an execution carries: every node's activity or workflow resolved.

Compiling happens where the spec is read (the command line, a test), with the user's
modules imported. The decider then needs nothing but the execution's input: it never
imports a module named in a spec, and a running execution keeps the spec it started with.
"""

from __future__ import annotations

import inspect
from typing import Any

from simpleflow import activity
from simpleflow.dag._spec import Spec, SpecError, module_problem
from simpleflow.exceptions import UsageError
from simpleflow.runtime.loader import load_workflow, scan_activities, workflow_path
from simpleflow.workflow import Workflow


def _import_modules(modules: list[str], problems: list[str]) -> bool:
    """Import every module of activities; whether all of them imported (else a problem for each)."""
    imported = True
    for module in modules:
        try:
            scan_activities(module)
        except UsageError as err:  # its own line: the module's file and line, or "unknown module"
            problems.append(str(err))
            imported = False
        except ImportError as err:
            problems.append(f"spec: cannot import module {module!r}: {err}")
            imported = False
    return imported


def _activity_target(node: dict[str, Any], problems: list[str]) -> dict[str, Any] | None:
    act = activity.find(node["activity"])
    if act is None:
        problems.append(f"node {node['id']!r}: unknown activity {node['activity']!r} (not declared in the modules)")
        return None
    timeout = node["timeout"]
    target = {
        "name": act.name,
        "version": node.get("version") or act.version,
        "task_list": node.get("task_list") or act.task_list,
        "start_to_close": timeout.get("start_to_close", act.task_start_to_close_timeout),
        "schedule_to_close": timeout.get("schedule_to_close", act.task_schedule_to_close_timeout),
        "schedule_to_start": timeout.get("schedule_to_start", act.task_schedule_to_start_timeout),
        "heartbeat": timeout.get("heartbeat", act.task_heartbeat_timeout),
    }
    if node.get("version") and act.version and node["version"] != act.version:
        problems.append(
            f"node {node['id']!r}: activity {act.name!r} is declared with version {act.version!r}, "
            f"not {node['version']!r}"
        )
    if "context" in node:
        try:
            takes_context = "context" in inspect.signature(act.callable).parameters
        except (TypeError, ValueError):
            takes_context = False
        target["takes_context"] = takes_context
    return target


def _find_loaded_workflow(name: str) -> type | None:
    """A Workflow subclass already imported whose type name is *name* (floto names types, not classes)."""
    stack = list(Workflow.__subclasses__())
    while stack:
        cls = stack.pop()
        if getattr(cls, "name", None) == name:
            return cls
        stack.extend(cls.__subclasses__())
    return None


def _workflow_target(node: dict[str, Any], problems: list[str]) -> dict[str, Any] | None:
    name = node["workflow"]
    cls = _find_loaded_workflow(name)
    if cls is None:
        try:
            cls = load_workflow(name)
        except UsageError as err:
            problems.append(f"node {node['id']!r}: unknown workflow {name!r} ({err})")
            return None
    timeout = node["timeout"]
    return {
        "name": cls.name,
        "version": node.get("version") or cls.version,
        "task_list": node.get("task_list") or cls.task_list,
        "path": workflow_path(cls),
        "execution_timeout": timeout.get("execution", cls.execution_timeout),
        "decision_tasks_timeout": cls.decision_tasks_timeout,
    }


def compile_spec(
    spec: Spec, modules: list[str] | tuple[str, ...] = (), problems: list[str] | None = None
) -> dict[str, Any]:
    """The spec's data with a ``target`` on every activity and workflow node; SpecError lists what is unknown.

    *modules* (the command line's ``--module``) are imported (scanned) besides the spec's own ``modules``.
    *problems* already found in the spec are reported together with these. When a module cannot be
    imported (or the spec's ``modules`` is unusable), activities are not looked up: each would be unknown.
    """
    problems = list(problems or [])
    data = dict(spec.data)
    bad_options = [f"--module: {p}" for p in map(module_problem, modules) if p]
    problems += bad_options
    wanted = [m for m in modules if not module_problem(m)]
    data["modules"] = list(dict.fromkeys([*(data.get("modules") or []), *wanted]))
    imported = _import_modules(data["modules"], problems)
    find_activities = imported and not bad_options and spec.data.get("modules", []) is not None
    nodes = []
    for node in data.get("nodes", []):
        node = dict(node)
        if node["kind"] not in node and node["kind"] != "timer":
            pass  # its name was already reported wrong
        elif node["kind"] == "activity" and not find_activities:
            pass  # the modules' problem is the one to fix
        elif node["kind"] == "activity":
            node["target"] = _activity_target(node, problems)
        elif node["kind"] == "workflow":
            node["target"] = _workflow_target(node, problems)
        nodes.append(node)
    if problems:
        raise SpecError(problems)
    data["nodes"] = nodes
    data["order"] = spec.order
    return data
