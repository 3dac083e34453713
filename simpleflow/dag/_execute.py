"""Running a spec file: locally, on SWF, or with ``standalone`` (the command line's library side)."""

from __future__ import annotations

import os
from typing import Any

from simpleflow import format
from simpleflow.dag._compile import compile_spec
from simpleflow.dag._load import execution_input, input_of, parse_all, read
from simpleflow.dag._workflow import workflow_class_for
from simpleflow.exceptions import DataError, UsageError

SPEC_SUFFIXES = (".yaml", ".yml", ".json")


def looks_like_spec(target: str) -> bool:
    """Whether a command's WORKFLOW argument names a spec file rather than a workflow class.

    A Python file (``mywf.py``) is no spec: the loader refuses it, suggesting the dotted form of its class.
    """
    if target.endswith(".py"):
        return False
    return target.endswith(SPEC_SUFFIXES) or os.path.sep in target or os.path.isfile(target)


def parse_value(text: str | None, source: str = "--input") -> Any:
    """``--input`` of a spec: any JSON value, what ``$input`` refers to (*source* names it in errors).

    None (no input given) is ``null``; an empty or blank *text* is refused, as :func:`parse_input` does.
    """
    if text is None:
        return None
    if not text.strip():
        raise UsageError(f"{source} is {'empty' if not text else 'blank'}: give a JSON value (null for none)")
    try:
        return format.parse_bounded(text)
    except DataError:
        raise UsageError(f"{source} is {format.TOO_DEEP}") from None
    except ValueError as err:
        raise UsageError(f"{source} is not valid JSON: {err}") from None


def prepare(path: str, modules: tuple[str, ...] | list[str] = ()) -> tuple[dict[str, Any], type]:
    """The compiled spec at *path* and the workflow class that runs it (SpecError lists every problem)."""
    spec, problems = parse_all(read(path))
    compiled = compile_spec(spec, modules, problems)  # every problem at once: the spec's and unknown names
    return compiled, workflow_class_for(compiled)


def check(path: str, modules: tuple[str, ...] | list[str] = ()) -> tuple[dict[str, Any], type]:
    """``prepare``, and whether SWF would take the spec's executions: their input holds the spec, packed (see
    ``_input``), which past SWF's limit needs a jumbo fields bucket, on SWF and locally alike.

    Raises:
        UsageError: the spec is wrong, or its executions' input would be refused (the line says how many nodes).
    """
    from simpleflow import jumbo
    from simpleflow.swf import starter

    compiled, workflow_class = prepare(path, modules)
    try:
        starter.check_input(workflow_class, input_of(compiled, None))
    except jumbo.JumboFieldTooLarge as err:
        raise UsageError(f"{path}: {len(compiled['nodes'])} nodes: its executions' {err}") from None
    return compiled, workflow_class


def run_local(
    path: str,
    input: Any,
    modules: tuple[str, ...] | list[str] = (),
    *,
    workers: int = 1,
    workflow_id: str | None = None,
    real_time: bool = False,
) -> Any:
    """Run the spec at *path* in this process; the LocalResult."""
    return local_execution(
        path, input, modules, workers=workers, workflow_id=workflow_id, real_time=real_time
    ).execute()


def local_execution(
    path: str,
    input: Any,
    modules: tuple[str, ...] | list[str] = (),
    *,
    workers: int = 1,
    workflow_id: str | None = None,
    real_time: bool = False,
) -> Any:
    """The spec at *path* as a ``LocalExecution``, not yet run (its ``stuck_children`` tell more once it ran)."""
    from simpleflow.local import LocalExecution
    from simpleflow.swf import starter

    compiled, workflow_class = prepare(path, modules)
    payload = execution_input(compiled, input)
    starter.check_input(workflow_class, payload)  # an input SWF would refuse, refused here too
    return LocalExecution(workflow_class, payload, workers=workers, workflow_id=workflow_id, real_time=real_time)


def start(
    domain: str,
    path: str,
    input: Any,
    modules: tuple[str, ...] | list[str] = (),
    *,
    workflow_id: str | None = None,
    task_list: str | None = None,
    tag_list: list[str] | None = None,
) -> dict[str, str]:
    """Start the spec at *path* on SWF (a decider serving ``simpleflow.dag.DagWorkflow`` runs it)."""
    from simpleflow.swf import starter

    compiled, workflow_class = prepare(path, modules)
    return starter.start_workflow(
        domain,
        workflow_class,
        execution_input(compiled, input),
        workflow_id=workflow_id,
        task_list=task_list,
        tag_list=tag_list,
    )
