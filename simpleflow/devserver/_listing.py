"""The executions a list or count call selects, in the order SWF gives them.

SWF's API reference (ListClosedWorkflowExecutions): closeStatusFilter: "only workflow executions that
match this close status are listed"; executionFilter: "only workflow executions matching the workflow ID
specified in the filter are returned"; typeFilter: "only executions of the type specified in the filter
are returned" (the version may be left out); tagFilter: "only executions that have the matching tag are
listed"; startTimeFilter / closeTimeFilter: "the workflow executions are included in the returned
results based on whether their start [close] times are within the range specified by this filter. Also,
if this parameter is specified, the returned results are ordered by their start [close] times."
reverseOrder: "By default the results are returned in descending order of the start or the close time
of the executions." moto ignores the execution, type and time filters and drops executions its close
status filter should keep.
"""

from __future__ import annotations

import datetime
from typing import Any


def _seconds(value: Any) -> float:
    if isinstance(value, datetime.datetime):
        return value.timestamp()
    return float(value)


def _in_range(when: float | None, window: dict[str, Any]) -> bool:
    if when is None:
        return False
    if "oldestDate" in window and when < _seconds(window["oldestDate"]):
        return False
    return not ("latestDate" in window and when > _seconds(window["latestDate"]))


def select(executions: list[Any], params: dict[str, Any], closed: bool) -> list[Any]:
    """The executions of a domain that ListOpen/ListClosed (or a count) with *params* gives, in its order."""
    by_close = closed and params.get("closeTimeFilter") is not None
    window = params.get("closeTimeFilter" if by_close else "startTimeFilter") or {}
    workflow_id = (params.get("executionFilter") or {}).get("workflowId")
    type_filter = params.get("typeFilter") or {}
    tag = (params.get("tagFilter") or {}).get("tag")
    status = (params.get("closeStatusFilter") or {}).get("status")

    def keep(wfe: Any) -> bool:
        if wfe.open == closed:
            return False
        if not _in_range(wfe.close_timestamp if by_close else wfe.start_timestamp, window):
            return False
        if workflow_id is not None and wfe.workflow_id != workflow_id:
            return False
        if type_filter and wfe.workflow_type.name != type_filter.get("name"):
            return False
        if type_filter.get("version") is not None and wfe.workflow_type.version != type_filter["version"]:
            return False
        if tag is not None and tag not in (wfe.tag_list or ()):
            return False
        return status is None or wfe.close_status == status

    found = [wfe for wfe in executions if keep(wfe)]
    found.sort(
        key=lambda wfe: (wfe.close_timestamp if by_close else wfe.start_timestamp) or 0.0,
        reverse=not params.get("reverseOrder"),
    )
    return found
