"""``WorkflowTypeQuerySet`` and ``WorkflowExecutionQuerySet``: a domain's workflow types and executions."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from simpleflow.swf.mapper.constants import MAX_WORKFLOW_AGE, REGISTERED
from simpleflow.swf.mapper.exceptions import AlreadyExistsError, DoesNotExistError, InvalidKeywordArgumentError
from simpleflow.swf.mapper.models._faults import swf_faults
from simpleflow.swf.mapper.models.domain import Domain
from simpleflow.swf.mapper.models.workflow import CHILD_POLICIES, WorkflowExecution, WorkflowType
from simpleflow.swf.mapper.querysets import _dates
from simpleflow.swf.mapper.querysets.base import BaseQuerySet
from simpleflow.swf.mapper.utils import get_subkey


class BaseWorkflowQuerySet(BaseQuerySet):
    """A queryset of one domain's workflow types or executions."""

    _infos = "typeInfo"
    _infos_plural = "typeInfos"

    def __init__(self, domain: Domain, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        Domain.check(domain)
        self.domain = domain

    @property
    def domain(self) -> Domain | None:
        return getattr(self, "_domain", None)

    @domain.setter
    def domain(self, value: Domain) -> None:
        if not isinstance(value, Domain):
            raise TypeError(f"domain property has to be of swf.model.domain.Domain type, not {type(value)!r}")
        self._domain = value

    def _list(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        raise NotImplementedError

    def _list_items(self, *args: Any, callback: Callable[..., Any] | None = None, **kwargs: Any) -> Iterator[dict]:
        """The infos of every page of ``_list(*args, **kwargs)``; *callback* as ``WorkflowExecution.history_events``."""
        response: dict[str, Any] = {"nextPageToken": None}
        loop_number = 0
        if callback:
            callback(loop_number=loop_number, response=response)
        while "nextPageToken" in response:
            response = self._list(*args, next_page_token=response["nextPageToken"], **kwargs)
            yield from response[self._infos_plural]
            loop_number += 1
            if callback:
                callback(loop_number=loop_number, response=response)
        if callback:
            callback(loop_number=loop_number, response=None)


_TYPE_CONFIGURATION = {
    "child_policy": "defaultChildPolicy",
    "execution_timeout": "defaultExecutionStartToCloseTimeout",
    "decision_tasks_timeout": "defaultTaskStartToCloseTimeout",
}


class WorkflowTypeQuerySet(BaseWorkflowQuerySet):
    """``WorkflowTypeQuerySet(domain).get(name, version)``, ``.filter(...)``, ``.all()``, ``.create(...)``."""

    _infos = "typeInfo"
    _infos_plural = "typeInfos"

    def to_WorkflowType(self, domain: Domain, workflow_info: dict[str, Any], **kwargs: Any) -> WorkflowType:  # noqa: N802
        """The model of one of SWF's ``typeInfo`` (``kwargs``: more of the model's attributes)."""
        return WorkflowType(
            domain,
            workflow_info["workflowType"]["name"],
            workflow_info["workflowType"]["version"],
            status=workflow_info["status"],
            creation_date=workflow_info.get("creationDate") or 0.0,
            deprecation_date=workflow_info.get("deprecationDate") or 0.0,
            description=workflow_info.get("description"),
            **kwargs,
        )

    def get(self, name: str, version: str, *args: Any, **kwargs: Any) -> WorkflowType:
        """The type as SWF describes it (``DoesNotExistError`` if unknown); *kwargs* replace attributes read."""
        with swf_faults():
            response = self.describe_workflow_type(self.domain.name, name, version)
        config = response["configuration"]
        values: dict[str, Any] = {"task_list": get_subkey(config, ["defaultTaskList", "name"])}
        values.update({attribute: config.get(key) for attribute, key in _TYPE_CONFIGURATION.items()})
        values.update({key: value for key, value in kwargs.items() if key in values and value is not None})
        if values["child_policy"] is None:
            del values["child_policy"]
        return self.to_WorkflowType(self.domain, response[self._infos], **values)

    def get_or_create(
        self,
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
    ) -> WorkflowType:
        """The type as SWF has it, registered first with these values if SWF does not have it."""
        try:
            return self.get(name, version)
        except DoesNotExistError:
            try:
                return self.create(
                    name,
                    version,
                    status=status,
                    creation_date=creation_date,
                    deprecation_date=deprecation_date,
                    task_list=task_list,
                    child_policy=child_policy,
                    execution_timeout=execution_timeout,
                    decision_tasks_timeout=decision_tasks_timeout,
                    description=description,
                )
            except AlreadyExistsError:  # another process registered it meanwhile
                return self.get(name, version)

    def _list(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return self.list_workflow_types(*args, **kwargs)

    def filter(
        self,
        domain: Domain | None = None,
        registration_status: str = REGISTERED,
        name: str | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> list[WorkflowType]:
        """The types of this registration status (and *name*), of *domain* or the queryset's."""
        domain = domain or self.domain
        infos = self._list_items(domain.name, registration_status, name=name)
        # The name is also checked here: SWF filters by it, some servers (moto) do not.
        return [self.to_WorkflowType(domain, i) for i in infos if name is None or i["workflowType"]["name"] == name]

    def all(self, registration_status: str = REGISTERED, *args: Any, **kwargs: Any) -> list[WorkflowType]:
        """Every type of this registration status."""
        return self.filter(registration_status=registration_status)

    def create(
        self,
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
    ) -> WorkflowType:
        """Register a type and return its model (``AlreadyExistsError`` if it exists)."""
        workflow_type = WorkflowType(
            self.domain,
            name,
            version,
            status=status,
            creation_date=creation_date,
            deprecation_date=deprecation_date,
            task_list=task_list,
            child_policy=child_policy,
            execution_timeout=execution_timeout,
            decision_tasks_timeout=decision_tasks_timeout,
            description=description,
        )
        workflow_type.save()
        return workflow_type


_STATUS_ARGUMENTS = {
    WorkflowExecution.STATUS_OPEN: {"oldest_date", "latest_date"},
    WorkflowExecution.STATUS_CLOSED: {
        "start_oldest_date",
        "start_latest_date",
        "close_oldest_date",
        "close_latest_date",
        "close_status",
    },
}


class WorkflowExecutionQuerySet(BaseWorkflowQuerySet):
    """``WorkflowExecutionQuerySet(domain).filter(status=..., workflow_type_name=...)``, ``.get(...)``, ``.all()``."""

    _infos = "executionInfo"
    _infos_plural = "executionInfos"

    def _is_valid_status_param(self, status: str, param: str) -> bool:
        return param in _STATUS_ARGUMENTS.get(status, set())

    def _validate_status_parameters(self, status: str, params: Any) -> list[str]:
        """The arguments in *params* that executions of *status* are not filtered by."""
        return [param for param in params if not self._is_valid_status_param(status, param)]

    def list_workflow_executions(self, status: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """One page of the open or closed executions (``start_oldest_date`` is the open ones' ``oldest_date``)."""
        if status == WorkflowExecution.STATUS_OPEN:
            kwargs["oldest_date"] = kwargs.pop("start_oldest_date")
            return self.list_open_workflow_executions(*args, **kwargs)
        if status == WorkflowExecution.STATUS_CLOSED:
            return self.list_closed_workflow_executions(*args, **kwargs)
        raise ValueError(f"Unknown status provided: {status}")

    def get_workflow_type(self, execution_info: dict[str, Any]) -> WorkflowType:
        """The type of an ``executionInfo``, as SWF describes it."""
        workflow_type = execution_info["workflowType"]
        return WorkflowTypeQuerySet(self.domain).get(workflow_type["name"], workflow_type["version"])

    def to_WorkflowExecution(self, domain: Domain, execution_info: dict[str, Any], **kwargs: Any) -> WorkflowExecution:  # noqa: N802
        """The model of one of SWF's ``executionInfo`` (``kwargs``: more of the model's attributes)."""
        workflow_type = WorkflowType(
            self.domain, execution_info["workflowType"]["name"], execution_info["workflowType"]["version"]
        )
        return WorkflowExecution(
            domain,
            get_subkey(execution_info, ["execution", "workflowId"]),
            run_id=get_subkey(execution_info, ["execution", "runId"]),
            workflow_type=workflow_type,
            status=execution_info.get("executionStatus"),
            close_status=execution_info.get("closeStatus"),
            tag_list=execution_info.get("tagList"),
            start_timestamp=execution_info.get("startTimestamp"),
            close_timestamp=execution_info.get("closeTimestamp"),
            cancel_requested=execution_info.get("cancelRequested"),
            parent=execution_info.get("parent"),
            **kwargs,
        )

    def get(self, workflow_id: str, run_id: str, *args: Any, **kwargs: Any) -> WorkflowExecution:
        """The execution as SWF describes it (``DoesNotExistError`` if unknown)."""
        with swf_faults():
            response = self.describe_workflow_execution(self.domain.name, run_id, workflow_id)
        config = response["executionConfiguration"]
        return self.to_WorkflowExecution(
            self.domain,
            response[self._infos],
            task_list=get_subkey(config, ["taskList", "name"]),
            child_policy=config.get("childPolicy"),
            execution_timeout=config.get("executionStartToCloseTimeout"),
            decision_tasks_timeout=config.get("taskStartToCloseTimeout"),
            latest_activity_task_timestamp=response.get("latestActivityTaskTimestamp"),
            latest_execution_context=response.get("latestExecutionContext"),
            open_counts=response["openCounts"],
        )

    def filter(
        self,
        status: str = WorkflowExecution.STATUS_OPEN,
        tag: str | None = None,
        workflow_id: str | None = None,
        workflow_type_name: str | None = None,
        workflow_type_version: str | None = None,
        callback: Callable[..., Any] | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> list[WorkflowExecution]:
        """The executions of *status* that meet every criterion given (every page).

        Open executions take ``oldest_date`` (default: every one SWF still lists) and ``latest_date``
        (start times); closed ones ``start_oldest_date``, ``start_latest_date`` or ``close_oldest_date``,
        ``close_latest_date``, and ``close_status`` (``WorkflowExecution.CLOSE_STATUS_*``). A date is a
        datetime, a number of days ago, or a POSIX timestamp. Another argument raises
        ``InvalidKeywordArgumentError``.
        """
        invalid = self._validate_status_parameters(status, kwargs)
        if invalid:
            raise InvalidKeywordArgumentError(f"Invalid keyword arguments supplied: {', '.join(invalid)}")
        if status == WorkflowExecution.STATUS_OPEN:
            start = (
                _dates.when(kwargs.pop("oldest_date", MAX_WORKFLOW_AGE)),
                _dates.when(kwargs.pop("latest_date", None)),
            )
            close: tuple = (None, None)
        else:
            close = (
                _dates.when(kwargs.pop("close_oldest_date", None)),
                _dates.when(kwargs.pop("close_latest_date", None)),
            )
            if close[1] is not None and close[0] is None:  # SWF's time filter needs its oldest date
                close = (_dates.when(MAX_WORKFLOW_AGE), close[1])
            # SWF takes a start or a close time filter, not both: every execution by start time by default.
            default_oldest = None if any(close) else MAX_WORKFLOW_AGE
            start = (
                _dates.when(kwargs.pop("start_oldest_date", default_oldest)),
                _dates.when(kwargs.pop("start_latest_date", None)),
            )
        criteria = {
            "workflow_id": workflow_id,
            "workflow_name": workflow_type_name,
            "workflow_version": workflow_type_version,
            "tag": tag,
            "close_status": _dates.close_status(kwargs.pop("close_status", None)),
        }
        request = _dates.one_filter(criteria)
        if status == WorkflowExecution.STATUS_OPEN:
            del request["close_status"]
            request["latest_date"] = start[1]
        else:
            request.update(start_latest_date=start[1], close_oldest_date=close[0], close_latest_date=close[1])
        infos = self._list_items(
            *args,
            domain=self.domain.name,
            status=status,
            start_oldest_date=start[0],
            callback=callback,
            **request,
        )
        return [
            self.to_WorkflowExecution(self.domain, info)
            for info in infos
            if _dates.matches(info, criteria, start, close)
        ]

    def _list(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return self.list_workflow_executions(*args, **kwargs)

    def all(
        self,
        status: str = WorkflowExecution.STATUS_OPEN,
        start_oldest_date: int = MAX_WORKFLOW_AGE,
        *args: Any,
        **kwargs: Any,
    ) -> list[WorkflowExecution]:
        """Every execution of *status* started in the last *start_oldest_date* days."""
        oldest = _dates.when(start_oldest_date)
        return [
            self.to_WorkflowExecution(self.domain, info)
            for info in self._list_items(status, self.domain.name, start_oldest_date=oldest)
        ]
