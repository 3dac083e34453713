"""What a schedule starts: a workflow class or a DAG spec file, resolved where the schedule is created."""

from __future__ import annotations

from typing import Any

from simpleflow.exceptions import UsageError

OVERLAP = ("skip", "allow")
CATCH_UP = ("none", "last", "all")


def target_of(target: str, input_text: str | None, modules: tuple[str, ...] | list[str] = ()) -> dict[str, Any]:
    """``{"target": ..., "input": ...}`` for a workflow class path or a spec file, with its input."""
    from simpleflow import dag
    from simpleflow.runtime.loader import check_signature, load_workflow, parse_input, workflow_path

    if dag.looks_like_spec(target):
        compiled, workflow_class = dag.prepare(target, modules)
        payload = dag.execution_input(compiled, dag.parse_value(input_text))
    else:
        if modules:  # it would be ignored: a workflow class imports what it needs itself
            raise UsageError(f"--module applies to a DAG spec target; {target!r} is a workflow class")
        workflow_class = load_workflow(target)
        payload = parse_input(input_text)
        check_signature(workflow_class, payload)
    return {
        "target": {
            "name": workflow_class.name,
            "version": workflow_class.version,
            "task_list": workflow_class.task_list,
            "path": workflow_path(workflow_class),
            "execution_timeout": workflow_class.execution_timeout,
            "decision_tasks_timeout": workflow_class.decision_tasks_timeout,
        },
        "input": {"args": payload.get("args") or [], "kwargs": payload.get("kwargs") or {}},
    }


def schedule_input(
    name: str,
    cron: str,
    target: dict[str, Any],
    *,
    overlap: str = "skip",
    catch_up: str = "none",
    timezone: str = "UTC",
    fires_per_run: int | None = None,
    events_per_run: int | None = None,
    state: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The input of a ScheduleWorkflow execution (UsageError on a bad cron, zone or option)."""
    from simpleflow.schedule._cron import check

    if not name or any(c in name for c in ":/| \t\n") or len(name) > 200:
        raise UsageError(f"schedule name {name!r}: use letters, digits, '-', '_' or '.' (at most 200)")
    check(cron, timezone)
    if overlap not in OVERLAP:
        raise UsageError(f"--overlap must be one of {', '.join(OVERLAP)}, not {overlap!r}")
    if catch_up not in CATCH_UP:
        raise UsageError(f"--catch-up must be one of {', '.join(CATCH_UP)}, not {catch_up!r}")
    schedule = dict(target, name=name, cron=cron, timezone=timezone, overlap=overlap, catch_up=catch_up)
    if fires_per_run:
        schedule["fires_per_run"] = fires_per_run
    if events_per_run:  # (tests: the default is ScheduleWorkflow's EVENTS_PER_RUN)
        schedule["events_per_run"] = events_per_run
    return {"args": [schedule], "kwargs": {"state": state} if state else {}}
