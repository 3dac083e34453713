"""The dev server spoken to directly, as a decider and a worker would: decisions answered by hand."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import boto3
import pytest

WORKFLOW = {"name": "w", "version": "1"}
ACTIVITY = {"name": "a", "version": "1"}


@pytest.fixture
def swf(moto_server) -> Any:
    return boto3.client("swf")


class Domain:
    """A fresh domain with a workflow type ``w`` (decisions on "decisions") and an activity type ``a``."""

    def __init__(self, swf: Any) -> None:
        self.swf = swf
        self.name = f"ds-{uuid.uuid4().hex[:8]}"
        swf.register_domain(name=self.name, workflowExecutionRetentionPeriodInDays="1")
        swf.register_workflow_type(
            domain=self.name,
            **WORKFLOW,
            defaultTaskList={"name": "decisions"},
            defaultExecutionStartToCloseTimeout="600",
            defaultTaskStartToCloseTimeout="600",
            defaultChildPolicy="TERMINATE",
        )
        swf.register_activity_type(
            domain=self.name,
            **ACTIVITY,
            defaultTaskList={"name": "work"},
            defaultTaskScheduleToStartTimeout="600",
            defaultTaskScheduleToCloseTimeout="600",
            defaultTaskStartToCloseTimeout="600",
            defaultTaskHeartbeatTimeout="NONE",
        )

    def start(self, workflow_id: str | None = None, **options: Any) -> dict[str, str]:
        workflow_id = workflow_id or uuid.uuid4().hex
        options.setdefault("workflowType", WORKFLOW)
        run = self.swf.start_workflow_execution(domain=self.name, workflowId=workflow_id, **options)
        return {"workflowId": workflow_id, "runId": run["runId"]}

    def decide(self, decisions: list[dict[str, Any]], task_list: str = "decisions", **answer: Any) -> dict[str, Any]:
        """Poll a decision task, answer it with *decisions*; the task."""
        task = self.swf.poll_for_decision_task(domain=self.name, taskList={"name": task_list})
        assert task.get("taskToken"), "no decision task"
        self.swf.respond_decision_task_completed(taskToken=task["taskToken"], decisions=decisions, **answer)
        return task

    def poll_activity(self, task_list: str = "work") -> dict[str, Any]:
        return self.swf.poll_for_activity_task(domain=self.name, taskList={"name": task_list})

    def history(self, execution: dict[str, str]) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = []
        page: dict[str, Any] = {}
        while True:
            token = {"nextPageToken": page["nextPageToken"]} if page.get("nextPageToken") else {}
            page = self.swf.get_workflow_execution_history(domain=self.name, execution=execution, **token)
            events += page["events"]
            if not page.get("nextPageToken"):
                return events

    def types(self, execution: dict[str, str]) -> list[str]:
        return [e["eventType"] for e in self.history(execution)]

    def describe(self, execution: dict[str, str]) -> dict[str, Any]:
        return self.swf.describe_workflow_execution(domain=self.name, execution=execution)

    def wait_for(self, execution: dict[str, str], event_type: str, timeout: float = 5.0) -> dict[str, Any]:
        """The first *event_type* event of the execution, once it is there."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [e for e in self.history(execution) if e["eventType"] == event_type]
            if found:
                return found[0]
            time.sleep(0.05)
        raise AssertionError(f"no {event_type} within {timeout}s: {self.types(execution)}")


@pytest.fixture
def domain(swf) -> Domain:
    return Domain(swf)


def attrs(event: dict[str, Any]) -> dict[str, Any]:
    return next(v for k, v in event.items() if k.endswith("EventAttributes"))


def decision(kind: str, **attributes: Any) -> dict[str, Any]:
    return {"decisionType": kind, kind[0].lower() + kind[1:] + "DecisionAttributes": attributes}


def schedule(activity_id: str, **timeouts: str) -> dict[str, Any]:
    return decision("ScheduleActivityTask", activityId=activity_id, activityType=ACTIVITY, **timeouts)


def error_code(call: Callable[[], Any]) -> str:
    from botocore.exceptions import ClientError

    try:
        call()
    except ClientError as err:
        return err.response["Error"]["Code"]
    raise AssertionError("no error")
