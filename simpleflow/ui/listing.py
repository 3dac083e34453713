"""The executions list: one page of SWF's open or closed executions, filtered, newest first.

SWF filters a list call by one of workflow id, type, tag or close status (they are exclusive): the first
one given is sent, and every one given is also applied to the page here (so a page may hold fewer rows
than asked). Pages follow SWF's ``nextPageToken``.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from simpleflow.exceptions import UsageError
from simpleflow.swf import client
from simpleflow.swf.stats import epoch

__all__ = ["CLOSE_STATUSES", "ExecutionRow", "ListFilters", "ListPage", "fetch_page", "row_of"]

CLOSE_STATUSES = ("COMPLETED", "FAILED", "CANCELED", "TERMINATED", "CONTINUED_AS_NEW", "TIMED_OUT")
DEFAULT_DAYS = 30.0


@dataclass(slots=True)
class ListFilters:
    """What a person asked the list for (the query string of ``/executions``)."""

    status: str = "all"  # open, closed or all (both lists, one page each)
    close_status: str | None = None
    type_name: str | None = None
    type_version: str | None = None
    tag: str | None = None
    workflow_id: str | None = None
    days: float | None = DEFAULT_DAYS  # started in the last days (ignored when start_from is given)
    start_from: dt.datetime | None = None
    start_to: dt.datetime | None = None

    @classmethod
    def from_query(cls, query: Any) -> ListFilters:
        """Filters from a query mapping; UsageError names a value that cannot be one."""

        def text(name: str) -> str | None:
            value = (query.get(name) or "").strip()
            return value or None

        status = (text("status") or "all").lower()
        if status not in ("open", "closed", "all"):
            raise UsageError(f"status must be open, closed or all, not {status!r}")
        close_status = (text("close_status") or "").upper() or None
        if close_status is not None and close_status not in CLOSE_STATUSES:
            raise UsageError(f"unknown close status {close_status!r} (one of {', '.join(CLOSE_STATUSES)})")
        if close_status is not None and status == "open":
            raise UsageError("a close status filters closed executions only")
        days: float | None = DEFAULT_DAYS
        if text("days") is not None:
            try:
                days = float(text("days") or "")
            except ValueError:
                days = math.nan
            if math.isnan(days):
                raise UsageError(f"days must be a number, not {text('days')!r}") from None
            if days <= 0:
                days = None  # any start time
        version = text("type_version")
        if version and not text("type_name"):
            raise UsageError("a workflow type version filters only with its type name")
        return cls(
            status="closed" if close_status and status == "all" else status,
            close_status=close_status,
            type_name=text("type_name"),
            type_version=version,
            tag=text("tag"),
            workflow_id=text("workflow_id"),
            days=days,
            start_from=_date(text("start_from"), "start_from"),
            start_to=_date(text("start_to"), "start_to"),
        )

    def query(self) -> dict[str, str]:
        """These filters as a query string's items (for links to the next page)."""
        items = {
            "status": self.status,
            "close_status": self.close_status,
            "type_name": self.type_name,
            "type_version": self.type_version,
            "tag": self.tag,
            "workflow_id": self.workflow_id,
            "days": "0" if self.days is None else f"{self.days:g}",
            "start_from": self.start_from.strftime("%Y-%m-%dT%H:%M") if self.start_from else None,
            "start_to": self.start_to.strftime("%Y-%m-%dT%H:%M") if self.start_to else None,
        }
        return {key: value for key, value in items.items() if value}

    def keep(self, info: dict[str, Any]) -> bool:
        """Whether an execution info (SWF's dict) passes every filter."""
        wtype = info.get("workflowType") or {}
        return (
            (self.workflow_id is None or info["execution"]["workflowId"] == self.workflow_id)
            and (self.type_name is None or wtype.get("name") == self.type_name)
            and (self.type_version is None or wtype.get("version") == self.type_version)
            and (self.tag is None or self.tag in (info.get("tagList") or ()))
            and (self.close_status is None or info.get("closeStatus") == self.close_status)
        )


def _date(text: str | None, name: str) -> dt.datetime | None:
    if text is None:
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{name} must be a date like 2024-05-01 or 2024-05-01T13:00, not {text!r}") from None
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


@dataclass(slots=True)
class ExecutionRow:
    """One execution as the list shows it."""

    workflow_id: str
    run_id: str
    type_name: str
    type_version: str
    status: str  # OPEN or CLOSED
    close_status: str | None
    started: float | None  # epoch seconds
    closed: float | None
    duration: float | None  # closed - started, or now - started while open
    tags: list[str] = field(default_factory=list)
    parent_workflow_id: str | None = None
    parent_run_id: str | None = None
    cancel_requested: bool = False


@dataclass(slots=True)
class ListPage:
    """The rows of one page of one list (open or closed), and the token of the next page."""

    status: str
    rows: list[ExecutionRow]
    next_token: str | None


def row_of(info: dict[str, Any], now: float) -> ExecutionRow:
    """A list row from SWF's execution info."""
    started = epoch(info["startTimestamp"]) if info.get("startTimestamp") is not None else None
    closed = epoch(info["closeTimestamp"]) if info.get("closeTimestamp") is not None else None
    end = closed if closed is not None else now
    parent = info.get("parent") or {}
    wtype = info.get("workflowType") or {}
    return ExecutionRow(
        workflow_id=info["execution"]["workflowId"],
        run_id=info["execution"]["runId"],
        type_name=wtype.get("name", ""),
        type_version=wtype.get("version", ""),
        status=info.get("executionStatus", ""),
        close_status=info.get("closeStatus"),
        started=started,
        closed=closed,
        duration=max(end - started, 0.0) if started is not None else None,
        tags=list(info.get("tagList") or ()),
        parent_workflow_id=parent.get("workflowId"),
        parent_run_id=parent.get("runId"),
        cancel_requested=bool(info.get("cancelRequested")),
    )


def _request(domain: str, status: str, filters: ListFilters, page_size: int, token: str | None) -> dict[str, Any]:
    now = dt.datetime.now(dt.timezone.utc)
    if filters.start_from is not None:
        time_filter: dict[str, Any] = {"oldestDate": filters.start_from}
    else:
        time_filter = {"oldestDate": client.oldest_start(filters.days, now)}
    if filters.start_to is not None:
        time_filter["latestDate"] = filters.start_to
    kwargs: dict[str, Any] = {"domain": domain, "startTimeFilter": time_filter, "maximumPageSize": page_size}
    if filters.workflow_id is not None:
        kwargs["executionFilter"] = {"workflowId": filters.workflow_id}
    elif filters.type_name is not None:
        kwargs["typeFilter"] = {"name": filters.type_name}
        if filters.type_version is not None:
            kwargs["typeFilter"]["version"] = filters.type_version
    elif filters.tag is not None:
        kwargs["tagFilter"] = {"tag": filters.tag}
    elif filters.close_status is not None and status == "closed":
        kwargs["closeStatusFilter"] = {"status": filters.close_status}
    if token:
        kwargs["nextPageToken"] = token
    return kwargs


def fetch_page(domain: str, status: str, filters: ListFilters, page_size: int, token: str | None = None) -> ListPage:
    """One page of *domain*'s open or closed executions that pass *filters*, newest first."""
    swf = client.swf_client()
    call = swf.list_open_workflow_executions if status == "open" else swf.list_closed_workflow_executions
    response = call(**_request(domain, status, filters, page_size, token))
    now = dt.datetime.now(dt.timezone.utc).timestamp()
    rows = [row_of(info, now) for info in response.get("executionInfos", ()) if filters.keep(info)]
    rows.sort(key=lambda row: row.started or 0.0, reverse=True)  # SWF's order; the test server's is oldest first
    return ListPage(status, rows, response.get("nextPageToken") or None)
