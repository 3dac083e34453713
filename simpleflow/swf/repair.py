"""``standalone --repair``: read the execution to repair, once, into a repair source."""

from __future__ import annotations

import re

from simpleflow import jumbo
from simpleflow.engine._repair import RepairSource, source_from_events
from simpleflow.exceptions import UsageError
from simpleflow.swf import client, executions


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
    domain: str, target: str, force_activities: str | None = None, *, must_be_closed: bool = False
) -> RepairSource:
    """The completed activities of the execution *target* names (its latest run without a run id).

    Args:
        must_be_closed: refuse an open execution (the new one is to take its workflow id).

    Raises:
        UsageError: a bad --repair or --force-activities, an unknown execution, an open one.
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
    events = jumbo.decode_events(client.get_history(domain, workflow_id, run_id))
    return source_from_events(events, workflow_id, run_id, force_activities)
