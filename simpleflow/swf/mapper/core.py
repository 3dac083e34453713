"""``ConnectedSWFObject``: SWF's API calls with the original layer's names, over ``simpleflow.swf.client``.

Each method is one SWF call, one page (as boto's layer1 named them: ``list_open_workflow_executions``,
``describe_domain``...), through this process's botocore client: its retries, timeouts and endpoint
(``AWS_ENDPOINT_URL``). A None argument is left out of the request. Faults come as botocore's
``ClientError``, SWF's code in ``response["Error"]["Code"]``, an unknown domain included.
"""

from __future__ import annotations

import logging
import os
from datetime import datetime, timezone
from typing import Any

from botocore.exceptions import ClientError

from simpleflow.swf import client
from simpleflow.swf.mapper.settings import SETTINGS
from simpleflow.utils import remove_none

__all__ = ["DEFAULT_AWS_REGION", "RETRIES", "SETTINGS", "ConnectedSWFObject", "convert_timestamp"]

logger = logging.getLogger("simpleflow")

DEFAULT_AWS_REGION = "us-east-1"
# The tries of each call (botocore's standard retries, simpleflow's SWF_CONNECTION_RETRIES).
RETRIES = client.DEFAULT_RETRIES


def convert_timestamp(dt: float | datetime | None) -> datetime | None:
    """A date argument as botocore takes it: a datetime as is, a POSIX timestamp as that instant (in UTC).

    Raises:
        TypeError: *dt* is neither.
    """
    if dt is None or isinstance(dt, datetime):
        return dt
    if isinstance(dt, (int, float)) and not isinstance(dt, bool):
        # An aware datetime: botocore reads a naive one as UTC, which a local time is not.
        return datetime.fromtimestamp(dt, tz=timezone.utc)
    raise TypeError(f"Invalid timestamp type: {type(dt).__name__}")


def _type(name: str, version: str) -> dict[str, str]:
    return {"name": name, "version": version}


def _execution(workflow_id: str, run_id: str | None) -> dict[str, Any]:
    return {"workflowId": workflow_id, "runId": run_id}


class ConnectedSWFObject:
    """An object that talks to SWF: ``region`` and ``boto3_client`` (this process's SWF client by default).

    ``~/.swf`` or ``settings.set(...)`` (region, keys), else ``region=``, else ``AWS_DEFAULT_REGION``, choose the
    region; ``boto3_client=`` gives a client of one's own.
    """

    __slots__ = ["_client", "connection", "region"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.region = (
            SETTINGS.get("region") or kwargs.get("region") or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_AWS_REGION
        )
        self._client = kwargs.get("boto3_client")

    @property
    def boto3_client(self) -> Any:
        """The SWF client calls go through (looked up at each call, so a forked child uses its own)."""
        given = getattr(self, "_client", None)
        if given is not None:
            return given
        region = getattr(self, "region", None)
        keys = SETTINGS.get("aws_access_key_id"), SETTINGS.get("aws_secret_access_key")
        credentials = keys if all(keys) else None
        default_region = os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_AWS_REGION
        if credentials is None and region in (None, default_region):
            return client.swf_client()
        return client.swf_client(region, credentials)  # type: ignore[arg-type]

    @boto3_client.setter
    def boto3_client(self, value: Any) -> None:
        self._client = value

    def _call(self, operation: str, **params: Any) -> dict[str, Any]:
        method = getattr(self.boto3_client, operation)
        try:
            return method(**remove_none(params))
        except client.UnknownDomain as err:
            # simpleflow's client says this in one line for its command line; this layer's users catch
            # SWF's own fault, as SWF words it.
            error = {"Code": "UnknownResourceFault", "Message": f"Unknown domain: {err.domain}"}
            name = "".join(word.capitalize() for word in operation.split("_"))
            raise ClientError({"Error": error}, name) from None

    # Domains

    def list_domains(self, registration_status: str, maximum_page_size=None, next_page_token=None, reverse_order=None):
        return self._call(
            "list_domains",
            registrationStatus=registration_status,
            maximumPageSize=maximum_page_size,
            nextPageToken=next_page_token,
            reverseOrder=reverse_order,
        )

    def describe_domain(self, name: str):
        return self._call("describe_domain", name=name)

    def register_domain(self, name: str, workflow_execution_retention_period_in_days: str, description=None):
        return self._call(
            "register_domain",
            name=name,
            workflowExecutionRetentionPeriodInDays=str(workflow_execution_retention_period_in_days),
            description=description,
        )

    def deprecate_domain(self, name: str):
        return self._call("deprecate_domain", name=name)

    # Types

    def list_workflow_types(
        self, domain: str, registration_status: str, maximum_page_size=None, name=None, next_page_token=None,
        reverse_order=None,
    ):  # fmt: skip
        return self._call(
            "list_workflow_types",
            domain=domain,
            registrationStatus=registration_status,
            name=name,
            nextPageToken=next_page_token,
            maximumPageSize=maximum_page_size,
            reverseOrder=reverse_order,
        )

    def describe_workflow_type(self, domain: str, name: str, version: str):
        return self._call("describe_workflow_type", domain=domain, workflowType=_type(name, version))

    def register_workflow_type(
        self, domain: str, name: str, version: str, task_list=None, default_child_policy=None,
        default_execution_start_to_close_timeout=None, default_task_start_to_close_timeout=None, description=None,
    ):  # fmt: skip
        return self._call(
            "register_workflow_type",
            domain=domain,
            name=name,
            version=version,
            defaultTaskList={"name": task_list} if task_list is not None else None,
            defaultChildPolicy=default_child_policy,
            defaultExecutionStartToCloseTimeout=default_execution_start_to_close_timeout,
            defaultTaskStartToCloseTimeout=default_task_start_to_close_timeout,
            description=description,
        )

    def deprecate_workflow_type(self, domain: str, name: str, version: str):
        return self._call("deprecate_workflow_type", domain=domain, workflowType=_type(name, version))

    def list_activity_types(
        self, domain: str, registration_status: str, name=None, maximum_page_size=None, next_page_token=None,
        reverse_order=None,
    ):  # fmt: skip
        return self._call(
            "list_activity_types",
            domain=domain,
            registrationStatus=registration_status,
            name=name,
            maximumPageSize=maximum_page_size,
            nextPageToken=next_page_token,
            reverseOrder=reverse_order,
        )

    def describe_activity_type(self, domain: str, name: str, version: str):
        return self._call("describe_activity_type", domain=domain, activityType=_type(name, version))

    def register_activity_type(
        self, domain: str, name: str, version: str, task_list=None, default_task_schedule_to_close_timeout=None,
        default_task_schedule_to_start_timeout=None, default_task_start_to_close_timeout=None,
        default_task_heartbeat_timeout=None, description=None,
    ):  # fmt: skip
        return self._call(
            "register_activity_type",
            domain=domain,
            name=name,
            version=version,
            defaultTaskList={"name": task_list} if task_list is not None else None,
            defaultTaskScheduleToCloseTimeout=default_task_schedule_to_close_timeout,
            defaultTaskScheduleToStartTimeout=default_task_schedule_to_start_timeout,
            defaultTaskStartToCloseTimeout=default_task_start_to_close_timeout,
            defaultTaskHeartbeatTimeout=default_task_heartbeat_timeout,
            description=description,
        )

    def deprecate_activity_type(self, domain: str, name: str, version: str):
        return self._call("deprecate_activity_type", domain=domain, activityType=_type(name, version))

    # Executions

    def list_open_workflow_executions(
        self, domain: str, oldest_date, latest_date=None, tag=None, workflow_id=None, workflow_name=None,
        workflow_version=None, maximum_page_size=None, next_page_token=None, reverse_order=None,
    ):  # fmt: skip
        return self._call(
            "list_open_workflow_executions",
            domain=domain,
            startTimeFilter={
                "oldestDate": convert_timestamp(oldest_date),
                "latestDate": convert_timestamp(latest_date),
            },
            typeFilter={"name": workflow_name, "version": workflow_version} if workflow_name else None,
            tagFilter={"tag": tag} if tag else None,
            executionFilter={"workflowId": workflow_id} if workflow_id else None,
            nextPageToken=next_page_token,
            maximumPageSize=maximum_page_size,
            reverseOrder=reverse_order,
        )

    def list_closed_workflow_executions(
        self, domain: str, start_latest_date=None, start_oldest_date=None, close_latest_date=None,
        close_oldest_date=None, close_status=None, tag=None, workflow_id=None, workflow_name=None,
        workflow_version=None, maximum_page_size=None, next_page_token=None, reverse_order=None,
    ):  # fmt: skip
        start = close = None
        if start_oldest_date is not None:
            start = {
                "oldestDate": convert_timestamp(start_oldest_date),
                "latestDate": convert_timestamp(start_latest_date),
            }
        if close_oldest_date is not None:
            close = {
                "oldestDate": convert_timestamp(close_oldest_date),
                "latestDate": convert_timestamp(close_latest_date),
            }
        return self._call(
            "list_closed_workflow_executions",
            domain=domain,
            startTimeFilter=start,
            closeTimeFilter=close,
            closeStatusFilter={"status": close_status} if close_status else None,
            typeFilter={"name": workflow_name, "version": workflow_version} if workflow_name else None,
            tagFilter={"tag": tag} if tag else None,
            executionFilter={"workflowId": workflow_id} if workflow_id else None,
            nextPageToken=next_page_token,
            maximumPageSize=maximum_page_size,
            reverseOrder=reverse_order,
        )

    def describe_workflow_execution(self, domain: str, run_id: str, workflow_id: str):
        return self._call("describe_workflow_execution", domain=domain, execution=_execution(workflow_id, run_id))

    def get_workflow_execution_history(
        self, domain: str, run_id: str, workflow_id: str, maximum_page_size=None, next_page_token=None,
        reverse_order=None,
    ):  # fmt: skip
        return self._call(
            "get_workflow_execution_history",
            domain=domain,
            execution=_execution(workflow_id, run_id),
            maximumPageSize=maximum_page_size,
            nextPageToken=next_page_token,
            reverseOrder=reverse_order,
        )

    def start_workflow_execution(
        self, domain: str, workflow_id: str, workflow_name: str, workflow_version: str, task_list=None,
        child_policy=None, execution_start_to_close_timeout=None, input=None, tag_list=None,
        task_start_to_close_timeout=None,
    ):  # fmt: skip
        return self._call(
            "start_workflow_execution",
            domain=domain,
            workflowId=workflow_id,
            workflowType=_type(workflow_name, workflow_version),
            taskList={"name": task_list} if task_list else None,
            childPolicy=child_policy,
            executionStartToCloseTimeout=execution_start_to_close_timeout,
            input=input if input is not None else "",
            tagList=tag_list,
            taskStartToCloseTimeout=task_start_to_close_timeout,
        )

    def signal_workflow_execution(self, domain: str, signal_name: str, workflow_id: str, input=None, run_id=None):
        return self._call(
            "signal_workflow_execution",
            domain=domain,
            signalName=signal_name,
            workflowId=workflow_id,
            input=input,
            runId=run_id,
        )

    def request_cancel_workflow_execution(self, domain: str, workflow_id: str, run_id=None):
        return self._call("request_cancel_workflow_execution", domain=domain, workflowId=workflow_id, runId=run_id)

    def terminate_workflow_execution(
        self, domain: str, workflow_id: str, run_id=None, child_policy=None, details=None, reason=None
    ):
        return self._call(
            "terminate_workflow_execution",
            domain=domain,
            workflowId=workflow_id,
            runId=run_id,
            childPolicy=child_policy,
            details=details,
            reason=reason,
        )

    # Tasks

    def poll_for_decision_task(
        self, domain: str, task_list: str, identity=None, maximum_page_size=None, next_page_token=None,
        reverse_order=None, start_at_previous_started_event: bool = False,
    ) -> dict[str, Any]:  # fmt: skip
        return self._call(
            "poll_for_decision_task",
            domain=domain,
            taskList={"name": task_list},
            identity=identity,
            maximumPageSize=maximum_page_size,
            nextPageToken=next_page_token,
            reverseOrder=reverse_order,
            startAtPreviousStartedEvent=start_at_previous_started_event,
        )

    def poll_for_activity_task(self, domain: str, task_list: str, identity=None) -> dict[str, Any]:
        return self._call("poll_for_activity_task", domain=domain, taskList={"name": task_list}, identity=identity)

    def record_activity_task_heartbeat(self, task_token: str, details=None):
        return self._call("record_activity_task_heartbeat", taskToken=task_token, details=details)

    def respond_decision_task_completed(self, task_token: str, decisions: list[dict[str, Any]] | None,
                                        execution_context=None):  # fmt: skip
        return self._call(
            "respond_decision_task_completed",
            taskToken=task_token,
            decisions=[dict(decision) for decision in decisions or ()],
            executionContext=execution_context,
        )

    def respond_activity_task_completed(self, task_token: str, result=None):
        return self._call("respond_activity_task_completed", taskToken=task_token, result=result)

    def respond_activity_task_failed(self, task_token: str, reason=None, details=None):
        return self._call("respond_activity_task_failed", taskToken=task_token, reason=reason, details=details)

    def respond_activity_task_canceled(self, task_token: str, details=None):
        return self._call("respond_activity_task_canceled", taskToken=task_token, details=details)
