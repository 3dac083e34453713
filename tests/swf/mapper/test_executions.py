"""Workflow executions through the object layer: start, list and filter, describe, history, signal, terminate."""

from __future__ import annotations

import datetime
import time

import pytest

from simpleflow.swf import client
from simpleflow.swf.mapper.exceptions import (
    DoesNotExistError,
    InvalidKeywordArgumentError,
    WorkflowExecutionAlreadyStartedError,
)
from simpleflow.swf.mapper.models import Domain, WorkflowExecution, WorkflowType
from simpleflow.swf.mapper.models.workflow import WorkflowExecutionDoesNotExist
from simpleflow.swf.mapper.querysets import HistoryQuerySet, WorkflowExecutionQuerySet

OPEN, CLOSED = WorkflowExecution.STATUS_OPEN, WorkflowExecution.STATUS_CLOSED


def types(domain: Domain) -> tuple[WorkflowType, WorkflowType]:
    orders = WorkflowType(domain, "orders", "1", task_list="decisions")
    refunds = WorkflowType(domain, "refunds", "1", task_list="decisions")
    orders.save()
    refunds.save()
    return orders, refunds


def ids(executions: list[WorkflowExecution]) -> list[str]:
    return sorted(e.workflow_id for e in executions)


@pytest.fixture
def sent_requests():
    """(operation, parameters) of every SWF request this process sends."""
    sent: list[tuple[str, dict]] = []

    def record(params, model, **kwargs):
        sent.append((model.name, dict(params)))

    events = client.swf_client().meta.events
    events.register("before-parameter-build.swf", record, unique_id="mapper-sent")
    yield sent
    events.unregister("before-parameter-build.swf", unique_id="mapper-sent")


def test_open_executions_are_listed_by_type_tag_and_id_as_models(swf_domain):
    domain = Domain(swf_domain)
    orders, refunds = types(domain)
    first = orders.start_execution("order-1", input={"n": 1}, tag_list="vip")
    orders.start_execution("order-2", tag_list=["regular"])
    refunds.start_execution("refund-1", tag_list="vip")
    queryset = WorkflowExecutionQuerySet(domain)
    assert (first.workflow_id, first.domain.name, bool(first.run_id)) == ("order-1", swf_domain, True)
    assert ids(queryset.filter(workflow_type_name="orders")) == ["order-1", "order-2"]
    assert ids(queryset.filter(workflow_type_name="orders", workflow_type_version="2")) == []
    assert ids(queryset.filter(tag="vip")) == ["order-1", "refund-1"]
    assert ids(queryset.filter(workflow_id="refund-1")) == ["refund-1"]
    # SWF takes one of these filters per request: the others are applied to its answer.
    assert ids(queryset.filter(workflow_type_name="orders", tag="vip")) == ["order-1"]
    assert ids(queryset.all()) == ["order-1", "order-2", "refund-1"]
    listed = queryset.filter(workflow_id="order-1")[0]
    assert (listed.status, listed.close_status, listed.run_id, listed.tag_list) == (OPEN, None, first.run_id, ["vip"])
    assert (listed.workflow_type.name, listed.workflow_type.version) == ("orders", "1")
    assert isinstance(listed.start_timestamp, datetime.datetime) and listed.start_timestamp.tzinfo is not None
    with pytest.raises(WorkflowExecutionAlreadyStartedError):
        orders.start_execution("order-1")


def test_closed_executions_are_listed_by_close_status(swf_domain, sent_requests):
    domain = Domain(swf_domain)
    orders, _ = types(domain)
    orders.start_execution("order-1").terminate(reason="obsolete")
    orders.start_execution("order-2")
    queryset = WorkflowExecutionQuerySet(domain)
    closed = queryset.filter(status=CLOSED)
    assert ids(closed) == ["order-1"] and closed[0].status == CLOSED
    assert closed[0].close_status == WorkflowExecution.CLOSE_STATUS_TERMINATED
    assert isinstance(closed[0].close_timestamp, datetime.datetime)
    assert ids(queryset.filter(status=CLOSED, close_status="TERMINATED")) == ["order-1"]
    assert queryset.filter(status=CLOSED, close_status=WorkflowExecution.CLOSE_STATUS_COMPLETED) == []
    assert ids(queryset.all(status=CLOSED)) == ["order-1"]
    # 0.36's constant for executions continued as new reaches SWF as SWF's name of that status.
    del sent_requests[:]
    queryset.filter(status=CLOSED, close_status="CLOSE_STATUS_CONTINUED_AS_NEW")
    [(operation, params)] = sent_requests
    assert operation == "ListClosedWorkflowExecutions"
    assert params["closeStatusFilter"] == {"status": "CONTINUED_AS_NEW"}


def test_each_status_takes_its_own_arguments_and_no_other(swf_domain):
    queryset = WorkflowExecutionQuerySet(Domain(swf_domain))
    with pytest.raises(InvalidKeywordArgumentError, match="close_status"):
        queryset.filter(status=OPEN, close_status="COMPLETED")
    with pytest.raises(InvalidKeywordArgumentError, match="oldest_date"):
        queryset.filter(status=CLOSED, oldest_date=3)
    with pytest.raises(ValueError, match="Unknown status"):
        queryset.filter(status="RUNNING")


def test_dates_are_days_ago_timestamps_or_datetimes(swf_domain, sent_requests):
    domain = Domain(swf_domain)
    orders, _ = types(domain)
    orders.start_execution("order-1")
    orders.start_execution("order-2").terminate()
    queryset = WorkflowExecutionQuerySet(domain)
    now = time.time()
    assert ids(queryset.filter(oldest_date=1)) == ["order-1"]  # started within a day
    assert queryset.filter(oldest_date=now + 60) == []  # a POSIX timestamp: started after it
    assert queryset.filter(latest_date=datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)) == []
    assert ids(queryset.filter(status=CLOSED, close_oldest_date=1)) == ["order-2"]
    assert queryset.filter(status=CLOSED, close_latest_date=now - 3600) == []
    # A close time filter replaces the start time filter (SWF takes one or the other).
    del sent_requests[:]
    queryset.filter(status=CLOSED, close_oldest_date=2)
    [(_, params)] = sent_requests
    assert "startTimeFilter" not in params and params["closeTimeFilter"]["oldestDate"] < datetime.datetime.now(
        datetime.timezone.utc
    ) - datetime.timedelta(days=1, hours=23)


def test_get_describes_one_execution_and_exists_says_whether_swf_has_it(swf_domain):
    domain = Domain(swf_domain)
    orders, _ = types(domain)
    started = orders.start_execution("order-1", execution_timeout="900")
    described = WorkflowExecutionQuerySet(domain).get("order-1", started.run_id)
    assert (described.status, described.task_list, described.child_policy) == (OPEN, "decisions", "TERMINATE")
    assert (described.execution_timeout, described.decision_tasks_timeout) == ("900", "300")
    assert described.open_counts["openDecisionTasks"] == 1 and described.is_synced
    assert started.exists and started.upstream().workflow_id == "order-1"
    missing = WorkflowExecution(domain, "order-1", run_id="not-a-run")
    assert not missing.exists and not missing.is_synced
    with pytest.raises(DoesNotExistError):
        WorkflowExecutionQuerySet(domain).get("order-1", "not-a-run")


def test_an_executions_history_signals_and_termination(swf_domain):
    domain = Domain(swf_domain)
    orders, _ = types(domain)
    execution = orders.start_execution("order-1", input={"n": 1})
    execution.signal("go", input={"fast": True})
    calls = []
    history = execution.history(callback=lambda **kw: calls.append((kw["loop_number"], kw["response"] is None)))
    signaled = history.filter(type="WorkflowExecution", state="signaled")
    assert [e.state for e in history.filter(type="WorkflowExecution")] == ["started", "signaled"]
    assert history.first.input == {"n": 1} and signaled[0].input == {"fast": True} and signaled[0].signal_name == "go"
    assert calls == [(0, False), (1, False), (1, True)]
    everything = [e.id for e in history]
    assert everything == list(range(1, len(history) + 1))
    assert [e.id for e in HistoryQuerySet(domain).get(execution.run_id, "order-1")] == everything
    assert [e.id for e in HistoryQuerySet(domain).get(execution.run_id, "order-1", max_results=2)] == [1, 2]
    assert [e.id for e in HistoryQuerySet(domain).get(execution.run_id, "order-1", reverse=True)] == everything[::-1]
    execution.terminate(reason="done", details="by the test")
    assert execution.history().last.state == "terminated"
    with pytest.raises(WorkflowExecutionDoesNotExist):
        execution.terminate()
    with pytest.raises(WorkflowExecutionDoesNotExist):
        execution.signal("late")


def test_listings_and_histories_follow_every_page(swf_domain, small_pages):
    domain = Domain(swf_domain)
    orders, _ = types(domain)
    for n in range(7):
        orders.start_execution(f"order-{n}")
    execution = orders.start_execution("order-signaled")
    for n in range(5):
        execution.signal(f"s{n}")
    pages = []
    listed = WorkflowExecutionQuerySet(domain).filter(callback=lambda **kw: pages.append(kw["loop_number"]))
    assert len(listed) == 8 and pages == [0, 1, 2, 3, 3]  # three pages of at most 3
    history = execution.history()
    assert [e.id for e in history] == list(range(1, len(history) + 1))
    assert len(history.filter(state="signaled")) == 5
    assert [
        e.id for e in HistoryQuerySet(domain).get(execution.run_id, "order-signaled", max_results=4, page_size=3)
    ] == [
        1,
        2,
        3,
        4,
    ]
    assert small_pages.page_requests >= 4
