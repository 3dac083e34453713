"""The dev server's long polls: held until a task comes for them, or for the poll wait (SWF: 60 s).

A server of this module's own holds empty polls for ``WAIT`` seconds (the suite's server: a
short wait), so that an answer well before ``WAIT`` shows the poll was woken.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from tests.moto_server import MotoServer

WAIT = 1.5


@pytest.fixture(scope="module")
def server() -> Iterator[MotoServer]:
    server = MotoServer(poll_wait=WAIT)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def swf(server) -> Any:
    env = server.environ()
    return boto3.client(
        "swf",
        endpoint_url=server.url,
        region_name=env["AWS_DEFAULT_REGION"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )


@pytest.fixture
def domain(swf) -> str:
    name = f"long-{uuid.uuid4().hex[:8]}"
    swf.register_domain(name=name, workflowExecutionRetentionPeriodInDays="1")
    swf.register_workflow_type(
        domain=name,
        name="w",
        version="1",
        defaultTaskList={"name": "shared"},
        defaultExecutionStartToCloseTimeout="60",
        defaultTaskStartToCloseTimeout="30",
        defaultChildPolicy="TERMINATE",
    )
    swf.register_activity_type(
        domain=name,
        name="a",
        version="1",
        defaultTaskList={"name": "acts"},
        defaultTaskStartToCloseTimeout="30",
        defaultTaskScheduleToStartTimeout="30",
        defaultTaskScheduleToCloseTimeout="60",
        defaultTaskHeartbeatTimeout="NONE",
    )
    return name


def start(swf, domain: str) -> None:
    swf.start_workflow_execution(domain=domain, workflowId=uuid.uuid4().hex, workflowType={"name": "w", "version": "1"})


def later(seconds: float, call, *args) -> threading.Thread:
    def run() -> None:
        time.sleep(seconds)
        call(*args)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def timed(poll, **kwargs) -> tuple[float, dict[str, Any]]:
    began = time.monotonic()
    answer = poll(**kwargs)
    return time.monotonic() - began, answer


def test_a_held_decision_poll_answers_as_soon_as_a_task_is_scheduled(swf, domain):
    later(0.2, start, swf, domain)
    seconds, task = timed(swf.poll_for_decision_task, domain=domain, taskList={"name": "shared"})
    assert task.get("taskToken")
    assert 0.15 < seconds < WAIT - 0.2  # held (nothing at first), then woken before the wait ended


def test_a_held_activity_poll_answers_as_soon_as_a_task_is_scheduled(swf, domain):
    start(swf, domain)
    decision = swf.poll_for_decision_task(domain=domain, taskList={"name": "shared"})
    schedule = {
        "decisionType": "ScheduleActivityTask",
        "scheduleActivityTaskDecisionAttributes": {"activityId": "1", "activityType": {"name": "a", "version": "1"}},
    }
    respond = swf.respond_decision_task_completed
    later(0.2, lambda: respond(taskToken=decision["taskToken"], decisions=[schedule]))
    seconds, task = timed(swf.poll_for_activity_task, domain=domain, taskList={"name": "acts"})
    assert task.get("taskToken") and task["activityId"] == "1"
    assert 0.15 < seconds < WAIT - 0.2


def test_a_task_on_another_list_or_domain_does_not_answer_a_held_poll(swf, domain):
    later(0.2, start, swf, domain)
    seconds, task = timed(swf.poll_for_decision_task, domain=domain, taskList={"name": "elsewhere"})
    assert not task.get("taskToken")
    assert seconds >= WAIT - 0.1


def test_a_sticky_task_that_times_out_answers_the_poll_held_on_the_shared_list(swf, domain):
    # No request comes meanwhile: the server finds the SCHEDULE_TO_START timeout by itself.
    start(swf, domain)
    first = swf.poll_for_decision_task(domain=domain, taskList={"name": "shared"})
    swf.respond_decision_task_completed(
        taskToken=first["taskToken"],
        decisions=[
            {"decisionType": "StartTimer", "startTimerDecisionAttributes": {"timerId": "t", "startToFireTimeout": "0"}}
        ],
        taskList={"name": "sticky-gone"},
        taskListScheduleToStartTimeout="1",
    )
    seconds, task = timed(swf.poll_for_decision_task, domain=domain, taskList={"name": "shared"})
    assert task.get("taskToken")
    assert 0.9 < seconds < WAIT  # the timeout (1 s), found while the poll was held
    assert [e["eventType"] for e in task["events"][-3:]] == [
        "DecisionTaskTimedOut",
        "DecisionTaskScheduled",
        "DecisionTaskStarted",
    ]


def test_a_poll_held_past_the_clients_read_timeout_counts_as_an_empty_poll(moto_server, server, domain, monkeypatch):
    from simpleflow.swf import client, connection

    monkeypatch.setenv("AWS_ENDPOINT_URL_SWF", server.url)
    monkeypatch.setattr(connection, "READ_TIMEOUT", 0.3)
    monkeypatch.setenv("SWF_CONNECTION_RETRIES", "0")
    client.reset_clients()
    try:
        began = time.monotonic()
        assert client.poll_activity_task(domain, "slow") is None
        assert client.poll_decision_task(domain, "slow") is None
        assert time.monotonic() - began < 2.5  # two read timeouts, not two held polls
    finally:
        monkeypatch.undo()
        client.reset_clients()
