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
from simpleflow.runtime.outcome import task_signature
from simpleflow.workflow import Workflow

_POSITIONAL_ONLY = inspect.Parameter.POSITIONAL_ONLY
_POSITIONAL_OR_KEYWORD = inspect.Parameter.POSITIONAL_OR_KEYWORD
_KEYWORD_ONLY = inspect.Parameter.KEYWORD_ONLY
_VAR_POSITIONAL = inspect.Parameter.VAR_POSITIONAL
_VAR_KEYWORD = inspect.Parameter.VAR_KEYWORD


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
    signature = task_signature(act)
    names = list(node["kwargs"])
    if "context" in node:
        target["takes_context"] = signature is not None and "context" in signature.parameters
        if target["takes_context"]:
            names = ["context"]  # the engine passes floto's context in place of the node's kwargs
            _refuse_dropped(node, "kwargs", problems)
    _check_call(node, f"activity {act.name!r}", signature, len(node["args"]), names, problems)
    return target


def _check_call(
    node: dict[str, Any],
    what: str,
    signature: inspect.Signature | None,
    count: int,
    names: list[str],
    problems: list[str],
) -> None:
    """One line for *node* when the call it makes of *what* (*count* arguments by position, *names* by name)
    does not fit *signature* (None: not inspectable, not checked)."""
    misfits = _arguments_problems(signature, count, names) if signature is not None else []
    if misfits:
        shown = signature.replace(return_annotation=inspect.Signature.empty)
        problems.append(f"node {node['id']!r}: {what} {'; '.join(misfits)} (signature {shown})")


def _arguments_problems(signature: inspect.Signature, count: int, names: list[str]) -> list[str]:
    """What keeps a call giving *count* arguments by position and *names* by name from fitting *signature*.

    A spec knows the shape of a node's call before it runs (a reference stands for one value, at its place).
    """
    params = list(signature.parameters.values())
    var_positional = any(p.kind is _VAR_POSITIONAL for p in params)
    var_keyword = any(p.kind is _VAR_KEYWORD for p in params)
    positional = [p for p in params if p.kind in (_POSITIONAL_ONLY, _POSITIONAL_OR_KEYWORD)]
    problems = []
    if count > len(positional) and not var_positional:
        problems.append(
            f"takes {len(positional)} positional argument{'' if len(positional) == 1 else 's'}, not {count}"
        )
    by_position = {p.name for p in positional[:count]}
    by_name = {p.name for p in params if p.kind in (_POSITIONAL_OR_KEYWORD, _KEYWORD_ONLY)}
    only_by_position = {p.name for p in positional if p.kind is _POSITIONAL_ONLY}
    for name in names:
        if name in by_name and name in by_position:
            problems.append(f"is given {name!r} twice (by position and by name)")
        elif name in only_by_position and not var_keyword:
            problems.append(f"takes {name!r} by position only")
        elif name not in by_name and not var_keyword:
            problems.append(f"takes no argument {name!r}")
    for p in params:
        given = p.name in by_position or (p.name in names and (p.kind is not _POSITIONAL_ONLY or not var_keyword))
        if p.default is p.empty and p.kind not in (_VAR_POSITIONAL, _VAR_KEYWORD) and not given:
            problems.append(f"needs argument {p.name!r}")
    return problems


def _find_loaded_workflow(name: str) -> type | None:
    """A Workflow subclass already imported whose type name is *name* (floto names types, not classes)."""
    stack = list(Workflow.__subclasses__())
    while stack:
        cls = stack.pop()
        if getattr(cls, "name", None) == name:
            return cls
        stack.extend(cls.__subclasses__())
    return None


def _run_signature(cls: type) -> inspect.Signature | None:
    """The parameters of *cls*'s ``run`` a child execution's input fills (after ``self``)."""
    try:
        signature = inspect.signature(cls.run)
    except (TypeError, ValueError):
        return None
    return signature.replace(parameters=list(signature.parameters.values())[1:])


def _refuse_dropped(node: dict[str, Any], key: str, problems: list[str]) -> None:
    """A problem when *node* gives *key* beside ``context``, which the engine passes in its place."""
    if node[key]:
        problems.append(f"node {node['id']!r}: its {key} would be dropped: floto's context is passed in their place")


def _workflow_call(node: dict[str, Any]) -> tuple[int, list[str]]:
    """The shape of the call a workflow node makes: floto's context alone by position, else its own input."""
    return (1 if "context" in node else len(node["args"])), list(node["kwargs"])


def _workflow_target(node: dict[str, Any], problems: list[str]) -> dict[str, Any] | None:
    name = node["workflow"]
    cls = _find_loaded_workflow(name)
    if cls is None:
        try:
            cls = load_workflow(name)
        except UsageError as err:
            problems.append(f"node {node['id']!r}: unknown workflow {name!r} ({err})")
            return None
    _check_call(node, f"workflow {name!r}", _run_signature(cls), *_workflow_call(node), problems)
    if "context" in node:
        _refuse_dropped(node, "args", problems)
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
