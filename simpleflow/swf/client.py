"""A thin layer over botocore's SWF client: plain dicts in and out, every page followed to the end.

The clients (one per process, their timeouts and retries, :func:`page_reads`) are made in ``connection.py``
and their names are imported from here too. A call on an unknown domain raises :class:`UnknownDomain`,
whose message is the one line a user needs; :func:`check_domain` raises :class:`DeprecatedDomain` before an
execution is started in a deprecated one.
"""

from __future__ import annotations

import datetime
import getpass
import json
import logging
import os
import re
import socket
import sys
from collections.abc import Callable, Iterator
from typing import Any

from botocore.exceptions import ClientError, ReadTimeoutError

from simpleflow import format, settings
from simpleflow.constants import MAX_IDENTITY_LENGTH
from simpleflow.exceptions import PicklesAsIs, UsageError
from simpleflow.swf.connection import (  # noqa: F401 - the clients' settings, importable from here as before
    CONNECT_TIMEOUT,
    DEFAULT_REGION,
    DEFAULT_RETRIES,
    PAGE_ATTEMPTS,
    PAGE_CONNECT_TIMEOUT,
    PAGE_READ_TIMEOUT,
    POOL_CONNECTIONS,
    READ_TIMEOUT,
    UnknownDomain,
    page_reads,
    reset_clients,
    s3_client,
    swf_client,
)
from simpleflow.utils import answered_before, note_answers

__all__ = [
    "DeprecatedDomain",
    "UnknownDomain",
    "answered_before",
    "check_domain",
    "ensure_activity_type",
    "ensure_workflow_type",
    "error_code",
    "get_history",
    "identity",
    "latest_run_id",
    "list_executions",
    "note_answers",
    "oldest_start",
    "page_reads",
    "poll_activity_task",
    "poll_decision_task",
    "register_domain",
    "reset_clients",
    "s3_client",
    "swf_client",
]

log = logging.getLogger(__name__)

DEFAULT_LIST_DAYS = 90


class DeprecatedDomain(PicklesAsIs, UsageError):
    """The SWF domain is deprecated: SWF starts no new execution and registers no new type in it."""

    def __init__(self, domain: str, message: str | None = None) -> None:
        super().__init__(
            message
            or f"domain '{domain}' is DEPRECATED: SWF starts no new execution in it; use another domain "
            f"(simpleflow domain.register NAME)"
        )
        self.domain = domain


def error_code(error: BaseException) -> str | None:
    """SWF's fault name of a botocore ClientError (``UnknownResourceFault``, ...), else None."""
    if isinstance(error, ClientError):
        return error.response.get("Error", {}).get("Code")
    return None


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, as in some containers
        return str(os.getuid())


def identity(strict: bool = True) -> str:
    """Who polls, as SWF records it: a JSON object of hostname, pid, user, exe.

    ``SIMPLEFLOW_IDENTITY`` (a JSON object) adds or overrides keys; a null value removes one; when it
    is not a JSON object, *strict* raises and otherwise ignores it (simpleflow's ``swf_identity``).
    SWF allows 256 characters: ``exe`` is dropped first when the whole is too long.
    """
    ident: dict[str, Any] = {
        "hostname": socket.gethostname(),
        "pid": os.getpid(),
        "user": _user(),
        "exe": sys.executable,
    }
    extra = settings.get("SIMPLEFLOW_IDENTITY")
    if extra:
        try:
            overrides = json.loads(extra)
        except ValueError as err:
            if strict:
                raise UsageError(f"SIMPLEFLOW_IDENTITY is not valid JSON: {err}") from None
            overrides = {}
        if not isinstance(overrides, dict):
            if strict:
                raise UsageError(f"SIMPLEFLOW_IDENTITY must be a JSON object, not {type(overrides).__name__}")
            overrides = {}
        ident.update(overrides)
    ident = {key: value for key, value in ident.items() if value is not None}
    text = format.dumps(ident)
    if len(text) > MAX_IDENTITY_LENGTH and "exe" in ident:
        del ident["exe"]
        text = format.dumps(ident)
    if len(text) > MAX_IDENTITY_LENGTH:
        raise UsageError(f"the SWF identity is {len(text)} characters long, over {MAX_IDENTITY_LENGTH}: {text[:80]}...")
    return text


_default_identity = identity


def _pages(call: Callable[..., dict[str, Any]], **kwargs: Any) -> Iterator[dict[str, Any]]:
    while True:
        page = call(**kwargs)
        yield page
        token = page.get("nextPageToken")
        if not token:
            return
        kwargs["nextPageToken"] = token


def _strip(response: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in response.items() if k not in ("ResponseMetadata", "nextPageToken")}


def get_history(domain: str, workflow_id: str, run_id: str, *, reverse_order: bool = False) -> list[dict[str, Any]]:
    """Every event of an execution's history (all pages), oldest first unless *reverse_order*."""
    events: list[dict[str, Any]] = []
    for page in _pages(
        swf_client().get_workflow_execution_history,
        domain=domain,
        execution={"workflowId": workflow_id, "runId": run_id},
        reverseOrder=reverse_order,
    ):
        events.extend(page.get("events", ()))
    return events


def get_history_after(
    domain: str, workflow_id: str, run_id: str, last_event_id: int, page_size: int = 100
) -> list[dict[str, Any]]:
    """The events of an execution's history past *last_event_id*, oldest first: only the pages that hold them.

    Pages of *page_size* events are read newest first (SWF's reverseOrder: "When set to true, returns the
    events in reverse order. By default the results are returned in ascending order of the eventTimeStamp of
    the events.") until an event already held is reached: a history read again every few seconds costs one
    small call while it grew by less than a page.
    """
    newest: list[dict[str, Any]] = []
    for page in _pages(
        swf_client().get_workflow_execution_history,
        domain=domain,
        execution={"workflowId": workflow_id, "runId": run_id},
        reverseOrder=True,
        maximumPageSize=page_size,
    ):
        for event in page.get("events", ()):
            if event["eventId"] <= last_event_id:
                return newest[::-1]
            newest.append(event)
    return newest[::-1]


def _workflow_type(info: dict[str, Any]) -> tuple[str, str]:
    wtype = info.get("workflowType") or {}
    return wtype.get("name", ""), wtype.get("version", "")


_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def oldest_start(days: float | None, now: datetime.datetime | None = None) -> datetime.datetime:
    """The oldest start time of executions "started in the last *days* days" (None: any), 1970 at the
    earliest: a span longer than that, infinite included, means any start time (not an overflow)."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    if days is None or not days < (now - _EPOCH).total_seconds() / 86400:
        return _EPOCH
    return now - datetime.timedelta(days=days)


def list_executions(
    domain: str,
    status: str = "open",
    *,
    started_since_days: float | None = DEFAULT_LIST_DAYS,
    workflow_id: str | None = None,
    workflow_name: str | None = None,
    workflow_version: str | None = None,
    tag: str | None = None,
    close_status: str | None = None,
    reverse_order: bool = False,
    from_date: datetime.datetime | None = None,
    to_date: datetime.datetime | None = None,
) -> list[dict[str, Any]]:
    """Execution infos (SWF's dicts) of *domain*, open or closed, started in the last days, all pages.

    SWF takes one filter at most among workflow id, type, tag and close status ("mutually exclusive.
    You can specify at most one of these in a request", ListOpen/ListClosedWorkflowExecutions): the
    first one given is sent, and every one given is applied to the answer here. *from_date* chooses the
    earliest start instead of *started_since_days*; *to_date*, the latest.
    """
    if status not in ("open", "closed"):
        raise ValueError(f"status must be 'open' or 'closed', not {status!r}")
    if close_status and status != "closed":
        raise ValueError("close_status filters closed executions only")
    # simpleflow's --from-date in place of the days; --to-date bounds either
    time_filter: dict[str, Any] = {"oldestDate": oldest_start(started_since_days) if from_date is None else from_date}
    if to_date is not None:
        time_filter["latestDate"] = to_date
    kwargs: dict[str, Any] = {"domain": domain, "startTimeFilter": time_filter, "reverseOrder": reverse_order}
    if workflow_id is not None:
        kwargs["executionFilter"] = {"workflowId": workflow_id}
    elif workflow_name is not None:
        kwargs["typeFilter"] = {"name": workflow_name}
        if workflow_version is not None:
            kwargs["typeFilter"]["version"] = workflow_version
    elif tag is not None:
        kwargs["tagFilter"] = {"tag": tag}
    elif close_status is not None:
        kwargs["closeStatusFilter"] = {"status": close_status}

    client = swf_client()
    call = client.list_open_workflow_executions if status == "open" else client.list_closed_workflow_executions
    infos: list[dict[str, Any]] = []
    for page in _pages(call, **kwargs):
        infos.extend(page.get("executionInfos", ()))

    def keep(info: dict[str, Any]) -> bool:
        name, version = _workflow_type(info)
        return (
            (workflow_id is None or info["execution"]["workflowId"] == workflow_id)
            and (workflow_name is None or name == workflow_name)
            and (workflow_version is None or version == workflow_version)
            and (tag is None or tag in info.get("tagList", ()))
            and (close_status is None or info.get("closeStatus") == close_status)
        )

    return [info for info in infos if keep(info)]


def latest_run_id(domain: str, workflow_id: str) -> str | None:
    """The run id of *workflow_id*'s open execution, else of its latest closed one, else None."""
    for status in ("open", "closed"):
        infos = list_executions(domain, status, started_since_days=None, workflow_id=workflow_id)
        if infos:
            latest = max(infos, key=lambda info: info.get("startTimestamp") or 0)
            return latest["execution"]["runId"]
    return None


def poll_decision_task(
    domain: str,
    task_list: str,
    identity: str | None = None,
    *,
    start_at_previous_started_event: bool = False,
    reverse_order: bool = False,
) -> dict[str, Any] | None:
    """Poll a decision task; None when there is none. ``events`` holds the events of every page."""
    kwargs: dict[str, Any] = {
        "domain": domain,
        "taskList": {"name": task_list},
        "identity": identity if identity is not None else _default_identity(),
        "reverseOrder": reverse_order,
    }
    if start_at_previous_started_event:
        kwargs["startAtPreviousStartedEvent"] = True
    task: dict[str, Any] | None = None
    try:
        for page in _pages(swf_client().poll_for_decision_task, **kwargs):
            if task is None:
                if not page.get("taskToken"):
                    return None
                task = _strip(page)
                task["events"] = list(page.get("events", ()))
            else:
                task["events"].extend(page.get("events", ()))
    except ReadTimeoutError:
        if task is None:
            return None
        raise
    return task


def poll_activity_task(domain: str, task_list: str, identity: str | None = None) -> dict[str, Any] | None:
    """Poll an activity task; None when there is none."""
    try:
        response = swf_client().poll_for_activity_task(
            domain=domain,
            taskList={"name": task_list},
            identity=identity if identity is not None else _default_identity(),
        )
    except ReadTimeoutError:
        return None
    if not response.get("taskToken"):
        return None
    return _strip(response)


def check_domain(domain: str, *, to_start: bool = False) -> dict[str, Any]:
    """SWF's description of *domain*; raises :class:`UnknownDomain` when it does not exist.

    With *to_start* (an execution is to be started there), also :class:`DeprecatedDomain` when it is
    deprecated: SWF's DeprecateDomain reference says such a domain "cannot be used to create new workflow
    executions or register new types" (its executions go on, and can be inspected).
    """
    description = _strip(swf_client().describe_domain(name=domain))
    if to_start and _status(description) == "DEPRECATED":
        raise DeprecatedDomain(domain)
    return description


def _status(description: dict[str, Any]) -> str | None:
    return (description.get("domainInfo") or {}).get("status")


def register_domain(name: str, retention_days: int = 30, description: str | None = None) -> bool:
    """Register domain *name*; False when it already exists (:class:`DeprecatedDomain`: it exists, deprecated)."""
    kwargs: dict[str, Any] = {"name": name, "workflowExecutionRetentionPeriodInDays": str(retention_days)}
    if description:
        kwargs["description"] = description
    try:
        swf_client().register_domain(**kwargs)
    except ClientError as err:
        if error_code(err) != "DomainAlreadyExistsFault":
            raise
        # "You may get this fault if you are registering a domain that is either already registered or
        # deprecated" (SWF's API reference): a deprecated one is no domain to use.
        if _status(check_domain(name)) == "DEPRECATED":
            message = f"domain '{name}' exists but is DEPRECATED (SWF starts no execution in it): register another name"
            raise DeprecatedDomain(name, message) from None
        return False
    return True


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(word[:1].upper() + word[1:] for word in rest)


def _type_defaults(defaults: dict[str, Any]) -> dict[str, Any]:
    """boto3 arguments from *defaults*: snake_case keys allowed, numbers made strings, a task list name wrapped."""
    out: dict[str, Any] = {}
    for key, value in defaults.items():
        if value is None:
            continue
        key = _camel(key) if "_" in key else key
        if key == "defaultTaskList" and isinstance(value, str):
            value = {"name": value}
        elif key == "defaultTaskPriority" or re.fullmatch(r"default\w*Timeout", key):
            value = str(value)
        out[key] = value
    return out


def _ensure_type(register: Callable[..., Any], domain: str, name: str, version: str, defaults: dict) -> bool:
    try:
        register(domain=domain, name=name, version=version, **_type_defaults(defaults))
    except ClientError as err:
        if error_code(err) == "TypeAlreadyExistsFault":
            return False
        raise
    return True


def ensure_workflow_type(domain: str, name: str, version: str, **defaults: Any) -> bool:
    """Register a workflow type unless it exists; True when registered now.

    *defaults* are RegisterWorkflowType's arguments, in boto3's or snake case:
    ``default_task_list="decider"``, ``default_execution_start_to_close_timeout=3600``...
    """
    return _ensure_type(swf_client().register_workflow_type, domain, name, version, defaults)


def ensure_activity_type(domain: str, name: str, version: str, **defaults: Any) -> bool:
    """Register an activity type unless it exists; True when registered now (see :func:`ensure_workflow_type`)."""
    return _ensure_type(swf_client().register_activity_type, domain, name, version, defaults)
