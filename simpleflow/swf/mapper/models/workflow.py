"""``WorkflowType`` and ``WorkflowExecution`` as models."""

from __future__ import annotations

import collections
import time
from collections.abc import Callable
from typing import Any

from simpleflow.swf.mapper import exceptions
from simpleflow.swf.mapper.constants import REGISTERED
from simpleflow.swf.mapper.exceptions import (
    AlreadyExistsError,
    DoesNotExistError,
    WorkflowExecutionAlreadyStartedError,
)
from simpleflow.swf.mapper.models import _fields
from simpleflow.swf.mapper.models._faults import swf_faults
from simpleflow.swf.mapper.models.base import BaseModel, ModelDiff
from simpleflow.swf.mapper.models.domain import Domain
from simpleflow.swf.mapper.models.history.base import History
from simpleflow.swf.mapper.utils import immutable

_POLICIES = ("TERMINATE", "REQUEST_CANCEL", "ABANDON")
CHILD_POLICIES = collections.namedtuple("CHILD_POLICY", " ".join(_POLICIES))(*_POLICIES)


class WorkflowTypeDoesNotExist(DoesNotExistError):
    """The workflow type is not registered."""


class WorkflowExecutionDoesNotExist(DoesNotExistError):
    """No such execution (or it is closed, for calls that need it open)."""


def _dates(local: Any, upstream: Any, *names: str) -> list[tuple[str, Any, Any]]:
    # A date the model was not given (0.0) is unknown, not different.
    return [(name, getattr(local, name), upstream.get(_camel(name))) for name in names if getattr(local, name)]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word.capitalize() for word in rest)


@immutable
class WorkflowType(BaseModel):
    """A workflow type of *domain*: ``WorkflowType(domain, name, version, task_list=..., ...)``.

    *execution_timeout* and *decision_tasks_timeout* are the defaults of its executions (seconds);
    *child_policy* one of ``CHILD_POLICIES``; dates are SWF's when read from it.
    """

    __slots__ = [
        "child_policy",
        "creation_date",
        "decision_tasks_timeout",
        "deprecation_date",
        "description",
        "domain",
        "execution_timeout",
        "name",
        "status",
        "task_list",
        "version",
    ]

    def __init__(
        self,
        domain: Domain,
        name: str,
        version: str,
        status: str = REGISTERED,
        creation_date: Any = 0.0,
        deprecation_date: Any = 0.0,
        task_list: str | None = None,
        child_policy: str = CHILD_POLICIES.TERMINATE,
        execution_timeout: str = "300",
        decision_tasks_timeout: str = "300",
        description: str | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        self.domain = domain
        self.name = name
        self.version = version
        self.status = status
        self.creation_date = creation_date
        self.deprecation_date = deprecation_date
        self.task_list = task_list
        self.execution_timeout = execution_timeout
        self.decision_tasks_timeout = decision_tasks_timeout
        self.description = description
        self.set_child_policy(child_policy)
        super().__init__(*args, **kwargs)

    def set_child_policy(self, policy: str) -> None:
        """Set the child policy (ValueError unless it is one of ``CHILD_POLICIES``)."""
        if policy not in CHILD_POLICIES:
            raise ValueError(f"invalid child policy value: {policy}")
        self.child_policy = policy

    def _diff(self, ignore_fields: list[str] | None = None) -> ModelDiff:
        with swf_faults(message="Remote WorkflowType does not exist"):
            description = self.describe_workflow_type(self.domain.name, self.name, self.version)
        info, config = description["typeInfo"], description["configuration"]
        return ModelDiff(
            ("name", self.name, info["workflowType"]["name"]),
            ("version", self.version, info["workflowType"]["version"]),
            ("status", self.status, info["status"]),
            *_dates(self, info, "creation_date", "deprecation_date"),
            ("task_list", self.task_list, (config.get("defaultTaskList") or {}).get("name")),
            ("child_policy", self.child_policy, config.get("defaultChildPolicy")),
            ("execution_timeout", self.execution_timeout, config.get("defaultExecutionStartToCloseTimeout")),
            ("decision_tasks_timeout", self.decision_tasks_timeout, config.get("defaultTaskStartToCloseTimeout")),
            ("description", self.description, info.get("description")),
            ignore_fields=ignore_fields,
        )

    @property
    def exists(self) -> bool:
        """Whether SWF has this type; a fault other than an unknown type raises ``ResponseError``."""
        try:
            with swf_faults(WorkflowTypeDoesNotExist, when_unknown=exceptions.is_unknown("WorkflowType")):
                self.describe_workflow_type(self.domain.name, self.name, self.version)
        except WorkflowTypeDoesNotExist:
            return False
        return True

    def save(self) -> None:
        """Register the type (``AlreadyExistsError`` if it is, ``DoesNotExistError`` if the domain is unknown)."""
        already = (AlreadyExistsError, f"Workflow type {self.name} already exists amazon-side")
        with swf_faults(others=None, codes={"TypeAlreadyExistsFault": already}):
            self.register_workflow_type(
                self.domain.name,
                self.name,
                self.version,
                task_list=self.task_list,
                default_child_policy=str(self.child_policy),
                default_execution_start_to_close_timeout=str(self.execution_timeout),
                default_task_start_to_close_timeout=str(self.decision_tasks_timeout),
                description=self.description,
            )

    def delete(self) -> None:
        """Deprecate the type (``DoesNotExistError`` if it is unknown or already deprecated)."""
        with swf_faults(codes={"TypeDeprecatedFault": DoesNotExistError}):
            self.deprecate_workflow_type(self.domain.name, self.name, self.version)

    def upstream(self) -> WorkflowType:
        """SWF's version of this type."""
        from simpleflow.swf.mapper.querysets.workflow import WorkflowTypeQuerySet

        return WorkflowTypeQuerySet(self.domain).get(self.name, self.version)

    def start_execution(
        self,
        workflow_id: str | None = None,
        task_list: str | None = None,
        child_policy: str | None = None,
        execution_timeout: str | None = None,
        input: Any = None,
        tag_list: str | list[str] | None = None,
        decision_tasks_timeout: str | None = None,
    ) -> WorkflowExecution:
        """Start an execution of this type (*input* written as JSON, ``{}`` if None); its model.

        *workflow_id* defaults to ``<name>-<version>-<unix time>``; the type's task list and child
        policy apply when not given. ``WorkflowExecutionAlreadyStartedError`` if that id is open.
        """
        workflow_id = workflow_id or f"{self.name}-{self.version}-{int(time.time())}"
        child_policy = child_policy or self.child_policy
        if child_policy not in CHILD_POLICIES:
            raise ValueError(f"invalid child policy value: {child_policy}")
        if tag_list is not None and not isinstance(tag_list, list):
            tag_list = [tag_list]
        if tag_list and len(tag_list) > 5:
            raise ValueError("You cannot have more than 5 tags in StartWorkflowExecution.")
        started = (WorkflowExecutionAlreadyStartedError, "")
        with swf_faults(None, others=None, codes={"WorkflowExecutionAlreadyStartedFault": started}):
            response = self.start_workflow_execution(
                self.domain.name,
                workflow_id,
                self.name,
                self.version,
                task_list=task_list or self.task_list,
                child_policy=child_policy,
                execution_start_to_close_timeout=execution_timeout,
                input=_fields.input(input if input is not None else {}),
                tag_list=tag_list,
                task_start_to_close_timeout=decision_tasks_timeout,
            )
        return WorkflowExecution(self.domain, workflow_id, run_id=response["runId"])

    def __repr__(self) -> str:
        return (
            f"<{self.__class__.__name__} domain={self.domain.name} name={self.name} version={self.version}"
            f" status={self.status}>"
        )


_UNKNOWN_EXECUTION = exceptions.is_unknown(("WorkflowExecution", "workflowId"))


@immutable
class WorkflowExecution(BaseModel):
    """An execution: ``WorkflowExecution(domain, workflow_id, run_id=...)``, or as a queryset reads it.

    ``status`` is ``STATUS_OPEN`` or ``STATUS_CLOSED``, ``close_status`` one of the ``CLOSE_STATUS_*``;
    timestamps are SWF's datetimes.
    """

    STATUS_OPEN = "OPEN"
    STATUS_CLOSED = "CLOSED"

    CLOSE_STATUS_COMPLETED = "COMPLETED"
    CLOSE_STATUS_FAILED = "FAILED"
    CLOSE_STATUS_CANCELED = "CANCELED"
    CLOSE_STATUS_TERMINATED = "TERMINATED"
    # SWF's value (0.36 had "CLOSE_STATUS_CONTINUED_AS_NEW", which SWF never returns nor takes).
    CLOSE_STATUS_CONTINUED_AS_NEW = "CONTINUED_AS_NEW"
    CLOSE_TIMED_OUT = "TIMED_OUT"

    kind = "execution"

    __slots__ = [
        "cancel_requested",
        "child_policy",
        "close_status",
        "close_timestamp",
        "decision_tasks_timeout",
        "domain",
        "execution_timeout",
        "input",
        "latest_activity_task_timestamp",
        "latest_execution_context",
        "open_counts",
        "parent",
        "run_id",
        "start_timestamp",
        "status",
        "tag_list",
        "task_list",
        "workflow_id",
        "workflow_type",
    ]

    def __init__(
        self,
        domain: Domain,
        workflow_id: str,
        run_id: str | None = None,
        status: str = STATUS_OPEN,
        workflow_type: WorkflowType | None = None,
        task_list: str | None = None,
        child_policy: str | None = None,
        close_status: str | None = None,
        execution_timeout: str | None = None,
        input: Any = None,
        tag_list: list[str] | None = None,
        decision_tasks_timeout: str | None = None,
        close_timestamp: Any = None,
        start_timestamp: Any = None,
        cancel_requested: bool | None = None,
        latest_execution_context: str | None = None,
        latest_activity_task_timestamp: Any = None,
        open_counts: dict[str, int] | None = None,
        parent: dict[str, str] | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        Domain.check(domain)
        self.domain = domain
        self.workflow_id = workflow_id
        self.run_id = run_id
        self.status = status
        self.workflow_type = workflow_type
        self.task_list = task_list
        self.child_policy = child_policy
        self.close_status = close_status
        self.execution_timeout = execution_timeout
        self.input = input
        self.tag_list = tag_list or []
        self.decision_tasks_timeout = decision_tasks_timeout
        self.close_timestamp = close_timestamp
        self.start_timestamp = start_timestamp
        self.cancel_requested = cancel_requested
        self.latest_execution_context = latest_execution_context
        self.latest_activity_task_timestamp = latest_activity_task_timestamp
        self.open_counts = open_counts or {}
        self.parent = parent or {}
        super().__init__(*args, **kwargs)

    def _diff(self, ignore_fields: list[str] | None = None) -> ModelDiff:
        with swf_faults(message="Remote WorkflowExecution does not exist"):
            description = self.describe_workflow_execution(self.domain.name, self.run_id, self.workflow_id)
        info, config = description["executionInfo"], description["executionConfiguration"]
        return ModelDiff(
            ("workflow_id", self.workflow_id, info["execution"]["workflowId"]),
            ("run_id", self.run_id, info["execution"]["runId"]),
            ("status", self.status, info["executionStatus"]),
            ("task_list", self.task_list, (config.get("taskList") or {}).get("name")),
            ("child_policy", self.child_policy, config.get("childPolicy")),
            ("execution_timeout", self.execution_timeout, config.get("executionStartToCloseTimeout")),
            ("tag_list", self.tag_list, info.get("tagList") or []),
            ("decision_tasks_timeout", self.decision_tasks_timeout, config.get("taskStartToCloseTimeout")),
            ignore_fields=ignore_fields,
        )

    @property
    def exists(self) -> bool:
        """Whether SWF has this execution; a fault other than an unknown execution raises ``ResponseError``."""
        try:
            with swf_faults(WorkflowExecutionDoesNotExist, when_unknown=_UNKNOWN_EXECUTION):
                self.describe_workflow_execution(self.domain.name, self.run_id, self.workflow_id)
        except WorkflowExecutionDoesNotExist:
            return False
        return True

    def upstream(self) -> WorkflowExecution:
        """SWF's version of this execution."""
        from simpleflow.swf.mapper.querysets.workflow import WorkflowExecutionQuerySet

        return WorkflowExecutionQuerySet(self.domain).get(self.workflow_id, self.run_id)

    def history(self, callback: Callable[..., Any] | None = None, **kwargs: Any) -> History:
        """The execution's whole history (every page); see ``history_events`` for the arguments."""
        return History.from_event_list(self.history_events(callback, **kwargs))

    def history_events(self, callback: Callable[..., Any] | None = None, **kwargs: Any) -> list[dict[str, Any]]:
        """The execution's events as SWF gives them, every page.

        *kwargs* go to GetWorkflowExecutionHistory (``maximum_page_size``, ``reverse_order``; ``domain``, a
        model or a name, in place of the execution's). *callback* is called as ``callback(loop_number=n,
        response=...)`` before the first page (n=0, ``{"nextPageToken": None}``), after each page with it,
        and once at the end with ``response=None``.
        """
        domain = kwargs.pop("domain", self.domain)
        domain = domain if isinstance(domain, str) else domain.name
        events: list[dict[str, Any]] = []
        response: dict[str, Any] = {"nextPageToken": None}
        loop_number = 0
        if callback:
            callback(loop_number=loop_number, response=response)
        while "nextPageToken" in response:
            response = self.get_workflow_execution_history(
                domain=domain,
                run_id=self.run_id,
                workflow_id=self.workflow_id,
                next_page_token=response["nextPageToken"],
                **kwargs,
            )
            events.extend(response["events"])
            loop_number += 1
            if callback:
                callback(loop_number=loop_number, response=response)
        if callback:
            callback(loop_number=loop_number, response=None)
        return events

    def signal(
        self,
        signal_name: str,
        input: Any = None,
        workflow_id: str | None = None,
        run_id: str | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        """Signal this execution (or, given *workflow_id*, another one) with *input* (JSON, ``{}`` if None)."""
        with swf_faults(WorkflowExecutionDoesNotExist, when_unknown=_UNKNOWN_EXECUTION):
            self.signal_workflow_execution(
                self.domain.name,
                signal_name,
                workflow_id or self.workflow_id,
                input=_fields.input(input if input is not None else {}),
                run_id=run_id if workflow_id else self.run_id,
            )

    def request_cancel(self, *args: Any, **kwargs: Any) -> None:
        """Ask the execution to cancel itself (its decider sees ``WorkflowExecutionCancelRequested``)."""
        with swf_faults(WorkflowExecutionDoesNotExist):
            self.request_cancel_workflow_execution(self.domain.name, self.workflow_id, run_id=self.run_id)

    def terminate(self, child_policy: str | None = None, details: str | None = None, reason: str | None = None):
        """Terminate the execution (``WorkflowExecutionDoesNotExist`` if it is not open)."""
        with swf_faults(WorkflowExecutionDoesNotExist, when_unknown=_UNKNOWN_EXECUTION):
            self.terminate_workflow_execution(
                self.domain.name,
                self.workflow_id,
                run_id=self.run_id,
                child_policy=child_policy,
                details=_fields.details(details),
                reason=_fields.reason(reason),
            )

    def __repr__(self) -> str:
        return f"<{self.__class__.__name__} workflow_id={self.workflow_id} run_id={self.run_id} status={self.status}>"


__all__ = [
    "CHILD_POLICIES",
    "WorkflowExecution",
    "WorkflowExecutionDoesNotExist",
    "WorkflowType",
    "WorkflowTypeDoesNotExist",
]
