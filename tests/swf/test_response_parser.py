"""The SWF client's response parser gives what botocore's gives, value for value and key for key, faster."""

from __future__ import annotations

import json
import os
import time

import botocore.session
import pytest
from botocore.parsers import create_parser

from simpleflow.swf.response_parser import FastParserFactory
from tests.history_builder import HistoryBuilder


def _events() -> list[dict]:
    b = HistoryBuilder(input={"args": [1], "kwargs": {}}, tag_list=["a", "b"])
    b.decision()
    first = b.schedule_activity("a-1", "pkg.a", input={"args": [1], "kwargs": {}})
    b.start_activity(first)
    b.fail_activity(first, reason="boom", details={"x": 1})
    b.decision()
    second = b.schedule_activity("a-1", "pkg.a")
    b.timeout_activity(second)
    b.decision()
    b.start_timer("t", 5, control={"c": 1})
    b.fire_timer("t")
    b.record_marker("m", details=[1, 2])
    b.signal("go", input={"v": 1})
    b.decision()
    b.request_cancel_external("other")
    b.cancel_requested()
    events = b.events
    events[1]["noSuchMember"] = {"ignored": True}  # not in the shape: dropped
    events[2]["eventTimestamp"] = 1_700_000_000  # an integer epoch
    events[3]["eventTimestamp"] = "2023-11-14T22:13:20Z"  # a text timestamp
    next(v for k, v in events[4].items() if k.endswith("Attributes"))["identity"] = None  # null: left out
    return events


def _parse_both(operation: str, body: dict) -> tuple[dict, dict]:
    shape = botocore.session.get_session().get_service_model("swf").operation_model(operation).output_shape
    raw = json.dumps(body).encode()

    def response() -> dict:
        return {"body": raw, "headers": {}, "status_code": 200}

    return create_parser("json").parse(response(), shape), FastParserFactory().create_parser("json").parse(
        response(), shape
    )


def _shape_of(value):
    """Values with the order of every dict's keys."""
    if isinstance(value, dict):
        return [(key, _shape_of(item)) for key, item in value.items()]
    if isinstance(value, list):
        return [_shape_of(item) for item in value]
    return value, type(value)


@pytest.fixture(params=["UTC", "Europe/Paris"])
def zone(request):
    previous = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    yield request.param
    if previous is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = previous
    time.tzset()


def test_a_decision_task_parses_as_botocore_parses_it(zone):
    body = {
        "taskToken": "token",
        "startedEventId": 3,
        "previousStartedEventId": 0,
        "workflowExecution": {"workflowId": "w", "runId": "r"},
        "workflowType": {"name": "n", "version": "1"},
        "events": _events(),
        "nextPageToken": None,
    }
    theirs, ours = _parse_both("PollForDecisionTask", body)
    assert ours == theirs
    assert _shape_of(ours) == _shape_of(theirs)
    assert [e["eventTimestamp"].utcoffset() for e in ours["events"]] == [
        e["eventTimestamp"].utcoffset() for e in theirs["events"]
    ]


def test_an_execution_description_parses_as_botocore_parses_it(zone):
    body = {
        "executionInfo": {
            "execution": {"workflowId": "w", "runId": "r"},
            "workflowType": {"name": "n", "version": "1"},
            "startTimestamp": 1_700_000_000.25,
            "closeTimestamp": 1_700_000_100.5,
            "executionStatus": "CLOSED",
            "closeStatus": "COMPLETED",
            "tagList": ["x"],
            "cancelRequested": False,
        },
        "executionConfiguration": {
            "taskStartToCloseTimeout": "300",
            "taskList": {"name": "tl"},
            "childPolicy": "ABANDON",
        },
        "openCounts": {
            "openActivityTasks": 0,
            "openDecisionTasks": 1,
            "openTimers": 0,
            "openChildWorkflowExecutions": 0,
        },
        "latestExecutionContext": "ctx",
    }
    theirs, ours = _parse_both("DescribeWorkflowExecution", body)
    assert ours == theirs and _shape_of(ours) == _shape_of(theirs)
