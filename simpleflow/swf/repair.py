"""``standalone --repair``: read the execution to repair, once, into a repair source."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from simpleflow import jumbo, settings
from simpleflow.constants import MAX_DETAILS_LENGTH
from simpleflow.engine import RepairSource, fit_repair_source, repair_source_from_events
from simpleflow.exceptions import UsageError
from simpleflow.swf import client, executions

log = logging.getLogger(__name__)
_BUCKET = jumbo.BUCKET_ENV


def parse_target(text: str) -> tuple[str, str | None]:
    """``"WORKFLOW_ID"`` or ``"WORKFLOW_ID RUN_ID"`` (as simpleflow's --repair takes it).

    Raises:
        UsageError: empty, or more than two words.
    """
    parts = (text or "").split()
    if not parts or len(parts) > 2:
        raise UsageError(f'--repair {text!r}: expected "WORKFLOW_ID" or "WORKFLOW_ID RUN_ID"')
    return parts[0], parts[1] if len(parts) == 2 else None


def load_repair_source(
    domain: str,
    target: str,
    force_activities: str | None = None,
    *,
    must_be_closed: bool = False,
    workflow_type: tuple[str, str] | None = None,
    note: Callable[[str], None] = log.warning,
) -> RepairSource:
    """The completed activities of the execution *target* names (its latest run without a run id).

    Args:
        must_be_closed: refuse an open execution (the new one is to take its workflow id).
        workflow_type: the type (name, version) the repair starts under; an execution of another name is
            refused, one of another version (the workflow bumped since) is repaired, with a *note*.

    Raises:
        UsageError: a bad --repair or --force-activities, an unknown execution, an open one, a completed
            one, one of another workflow type, one that continued as new.
    """
    workflow_id, run_id = parse_target(target)
    if force_activities is not None:
        try:
            re.compile(force_activities)
        except re.error as err:
            raise UsageError(f"--force-activities {force_activities!r} is not a regular expression: {err}") from err
    client.check_domain(domain)
    info = executions.describe(domain, workflow_id, run_id)["executionInfo"]
    run_id = info["execution"]["runId"]
    if must_be_closed and info["executionStatus"] != "CLOSED":
        raise UsageError(
            f"execution {workflow_id!r} run {run_id!r} is still open: terminate it first, "
            "or give the repair another --workflow-id"
        )
    _check_repairable(info, force_activities is not None)
    other_version = _check_type(info, workflow_type) if workflow_type is not None else None
    history = client.get_history(domain, workflow_id, run_id)
    _refuse_continued(info, history)
    if other_version:  # said once nothing refuses the repair
        note(other_version)
    events = jumbo.decode_events(history)
    source = repair_source_from_events(events, workflow_id, run_id, force_activities)
    if not settings.get(jumbo.BUCKET_ENV).strip():
        # Without jumbo fields a marker holds at most SWF's 32,768 characters: such tasks run again.
        source, dropped = fit_repair_source(source, MAX_DETAILS_LENGTH)
        for task_id in dropped:
            log.warning("repair: %s runs again, its result is too large for a marker without %s", task_id, _BUCKET)
    return source


def _check_repairable(info: dict, forced: bool) -> None:
    """Refuse a completed execution when no activity is *forced* to run again (nothing would run).

    Raises:
        UsageError: it completed and nothing is forced.
    """
    execution = info["execution"]
    if info.get("closeStatus") == "COMPLETED" and not forced:
        raise UsageError(
            f"execution {execution['workflowId']!r} run {execution['runId']!r} completed: there is nothing to "
            "repair (--force-activities names activities to run again)"
        )


def _check_type(info: dict, workflow_type: tuple[str, str]) -> str | None:
    """Refuse an execution of another workflow name (its task ids would hand another workflow's results to
    this one's tasks); the note for one of another version (the same workflow, bumped since, still repairs it).

    Raises:
        UsageError: another name.
    """
    workflow_id = info["execution"]["workflowId"]
    name, version = info["workflowType"]["name"], info["workflowType"]["version"]
    if name != workflow_type[0]:
        raise UsageError(
            f"execution {workflow_id!r} is a {name!r} workflow: a {workflow_type[0]!r} workflow cannot repair it"
        )
    if version == workflow_type[1]:
        return None
    return (
        f"execution {workflow_id!r} ran version {version!r} of {name!r}: the repair runs version {workflow_type[1]!r}"
    )


def _refuse_continued(info: dict, history: list[dict]) -> None:
    """Refuse a run that continued as new: its work went on in the next run, which is the one to repair.

    Raises:
        UsageError: it closed as continued-as-new.
    """
    if info.get("closeStatus") != "CONTINUED_AS_NEW":
        return
    execution = info["execution"]
    attributes = (history[-1] if history else {}).get("workflowExecutionContinuedAsNewEventAttributes") or {}
    new_run = attributes.get("newExecutionRunId", "?")
    raise UsageError(
        f"execution {execution['workflowId']!r} run {execution['runId']!r} continued as new in run {new_run!r}: "
        f"repair that run instead (--repair '{execution['workflowId']} {new_run}')"
    )
