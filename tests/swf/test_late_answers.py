"""A worker's answer to a task SWF no longer holds (it timed out, or its execution closed) is expected: said
at INFO in one line; any other refusal stays a WARNING."""

from __future__ import annotations

import logging

import boto3

from simpleflow.swf import activity_task
from tests.devserver.conftest import Domain, schedule


def _task_in_hand(domain: Domain) -> tuple[dict[str, str], str]:
    execution = domain.start()
    domain.decide([schedule("a1")])
    task = domain.poll_activity()
    assert task.get("taskToken"), "no activity task"
    return execution, task["taskToken"]


def test_an_answer_to_a_task_whose_execution_closed_is_dropped_at_info(moto_server, caplog):
    domain = Domain(boto3.client("swf"))
    execution, token = _task_in_hand(domain)
    domain.swf.terminate_workflow_execution(domain=domain.name, workflowId=execution["workflowId"])

    with caplog.at_level(logging.INFO, logger=activity_task.log.name):
        assert activity_task.respond("respond_activity_task_completed", token, result='"late"') is False

    [record] = caplog.records
    assert record.levelno == logging.INFO
    assert record.getMessage().startswith(
        "respond_activity_task_completed: answer dropped: the task had timed out or its execution had closed ("
    )


def test_another_refusal_stays_a_warning(moto_server, caplog):
    domain = Domain(boto3.client("swf"))
    _, token = _task_in_hand(domain)

    with caplog.at_level(logging.INFO, logger=activity_task.log.name):
        assert activity_task.respond("respond_activity_task_completed", token, result="x" * 40000) is False

    [record] = caplog.records
    assert record.levelno == logging.WARNING
    assert record.getMessage().startswith("respond_activity_task_completed refused: ")
