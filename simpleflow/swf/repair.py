"""``standalone --repair``: read the execution to repair, once, into a repair source."""

from __future__ import annotations

import logging
import re

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
    workflow_type: str | None = None,
) -> RepairSource:
    """The completed activities of the execution *target* names (its latest run without a run id).

    Args:
        must_be_closed: refuse an open execution (the new one is to take its workflow id).
        workflow_type: the type name the repair starts under; an execution of another type is refused.

    Raises:
        UsageError: a bad --repair or --force-activities, an unknown execution, an open one, a completed
            one, one of another workflow type.
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
    _check_repairable(info, workflow_type, force_activities is not None)
    events = jumbo.decode_events(client.get_history(domain, workflow_id, run_id))
    source = repair_source_from_events(events, workflow_id, run_id, force_activities)
    if not settings.get(jumbo.BUCKET_ENV).strip():
        # Without jumbo fields a marker holds at most SWF's 32,768 characters: such tasks run again.
        source, dropped = fit_repair_source(source, MAX_DETAILS_LENGTH)
        for task_id in dropped:
            log.warning("repair: %s runs again, its result is too large for a marker without %s", task_id, _BUCKET)
    return source


def _check_repairable(info: dict, workflow_type: str | None, forced: bool) -> None:
    """Refuse a completed execution when no activity is *forced* to run again (nothing would run), and one of
    another workflow type (its task ids would hand another workflow's results to this one's tasks).

    Raises:
        UsageError: either.
    """
    execution = info["execution"]
    if info.get("closeStatus") == "COMPLETED" and not forced:
        raise UsageError(
            f"execution {execution['workflowId']!r} run {execution['runId']!r} completed: there is nothing to "
            "repair (--force-activities names activities to run again)"
        )
    repaired_type = info["workflowType"]["name"]
    if workflow_type is not None and repaired_type != workflow_type:
        raise UsageError(
            f"execution {execution['workflowId']!r} is a {repaired_type!r} workflow: "
            f"a {workflow_type!r} workflow cannot repair it"
        )
