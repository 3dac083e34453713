"""The date arguments of ``WorkflowExecutionQuerySet.filter`` and the filters SWF takes one at a time.

The original layer documents its date arguments in days and passes most of them to SWF as POSIX
timestamps: a number below ``DAYS_LIMIT`` is read as days ago, a larger one as a timestamp, a datetime
as itself, so that both forms mean what their writer meant. SWF takes one of the workflow id, type, tag
and close status filters per request (they are "mutually exclusive", says its API reference): the first
given is sent, and all are applied to what comes back (which also covers servers that ignore some).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from botocore.utils import parse_to_aware_datetime

# 10**8 seconds after 1970 is March 1973; 10**8 days is 270,000 years.
DAYS_LIMIT = 10**8


def when(value: Any) -> datetime | None:
    """A date argument as an aware datetime (see the module's docstring)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return parse_to_aware_datetime(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value < DAYS_LIMIT:
            return datetime.now(timezone.utc) - timedelta(days=value)
        return datetime.fromtimestamp(value, tz=timezone.utc)
    raise TypeError(f"Invalid date: {value!r} (a datetime, a number of days or a POSIX timestamp)")


# 0.36's constant for executions that continued as new, and SWF's name of that close status.
_CLOSE_STATUS_ALIASES = {"CLOSE_STATUS_CONTINUED_AS_NEW": "CONTINUED_AS_NEW"}


def close_status(value: str | None) -> str | None:
    """A close status as SWF names it."""
    return _CLOSE_STATUS_ALIASES.get(value, value) if value else value


def one_filter(criteria: dict[str, Any]) -> dict[str, Any]:
    """*criteria* (workflow_id, workflow_name/version, tag, close_status) with only the first given kept."""
    kept: dict[str, Any] = dict.fromkeys(criteria)
    for names in (("workflow_id",), ("workflow_name", "workflow_version"), ("tag",), ("close_status",)):
        if criteria.get(names[0]):
            kept.update({name: criteria.get(name) for name in names})
            return kept
    return kept


def _within(stamp: Any, oldest: datetime | None, latest: datetime | None) -> bool:
    if oldest is None and latest is None:
        return True
    if stamp is None:
        return False
    stamp = parse_to_aware_datetime(stamp)
    return (oldest is None or stamp >= oldest) and (latest is None or stamp <= latest)


def matches(info: dict[str, Any], criteria: dict[str, Any], start: tuple, close: tuple) -> bool:
    """Whether an ``executionInfo`` meets every criterion and the start and close (oldest, latest) windows."""
    wtype = info.get("workflowType") or {}
    return (
        (not criteria.get("workflow_id") or info["execution"]["workflowId"] == criteria["workflow_id"])
        and (not criteria.get("workflow_name") or wtype.get("name") == criteria["workflow_name"])
        and (not criteria.get("workflow_version") or wtype.get("version") == criteria["workflow_version"])
        and (not criteria.get("tag") or criteria["tag"] in (info.get("tagList") or ()))
        and (not criteria.get("close_status") or info.get("closeStatus") == criteria["close_status"])
        and _within(info.get("startTimestamp"), *start)
        and _within(info.get("closeTimestamp"), *close)
    )
