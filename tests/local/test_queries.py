"""``LocalExecution.query``: the local history replayed afresh, during the run and after it."""

from __future__ import annotations

import pytest

from simpleflow.exceptions import QueryRefused, UnknownQuery
from simpleflow.local import LocalExecution
from simpleflow.runtime.middleware import Middlewares
from tests.fixtures.query_workflows import OrderWorkflow, RefusedByChild, RefusedOrder

INPUT = {"args": ["o-1", [10, 20, 30]], "kwargs": {}}


def test_a_finished_local_execution_is_queried_at_its_end():
    execution = LocalExecution(OrderWorkflow, INPUT, signals=[(30, "approve", {"args": ["alice"], "kwargs": {}})])
    outcome = execution.execute()
    assert outcome.status == "completed", outcome.reason
    assert execution.query("status") == {"stage": "shipped", "charged": [10, 20, 30], "approver": "alice"}
    assert execution.query("total", currency="USD") == "60 USD"


def test_an_execution_left_waiting_for_a_signal_is_queried_as_it_waits():
    execution = LocalExecution(OrderWorkflow, INPUT)
    outcome = execution.execute()  # the signal never comes: the host gives up, its history stays open
    assert outcome.status == "failed"
    assert outcome.events[-1]["eventType"] == "DecisionTaskCompleted"
    assert execution.query("status") == {"stage": "awaiting approval", "charged": [10, 20, 30], "approver": None}
    with pytest.raises(QueryRefused):
        execution.query("approval_now")


def test_a_query_made_while_the_execution_runs_sees_the_state_so_far():
    seen = []
    execution = LocalExecution(
        OrderWorkflow,
        INPUT,
        signals=[(30, "approve", {"args": ["bob"], "kwargs": {}})],
        middlewares=Middlewares(pre=(lambda context: seen.append(execution.query("status")),)),
    )
    outcome = execution.execute()
    assert outcome.status == "completed", outcome.reason
    # Before each charge runs: the charges before it are in.
    assert seen == [
        {"stage": "charging", "charged": [], "approver": None},
        {"stage": "charging", "charged": [10], "approver": None},
        {"stage": "charging", "charged": [10, 20], "approver": None},
    ]


def test_querying_does_not_change_the_local_history():
    execution = LocalExecution(OrderWorkflow, INPUT)
    outcome = execution.execute()
    before = [dict(e) for e in outcome.events]
    execution.query("status")
    with pytest.raises(UnknownQuery, match="its queries: approval_now, "):
        execution.query("nope")
    assert outcome.events == before


def test_the_query_example_reports_its_progress_while_it_waits_and_once_published():
    from examples.query import ReportWorkflow

    waiting = LocalExecution(ReportWorkflow, {"args": [3], "kwargs": {}})
    waiting.execute()  # nobody publishes it
    assert waiting.query("progress") == {"built": 3, "of": 3, "published_by": None}
    assert waiting.query("section", 2) == "section 2"
    published = LocalExecution(
        ReportWorkflow, {"args": [3], "kwargs": {}}, signals=[(3600, "publish", {"args": ["ann"], "kwargs": {}})]
    )
    assert published.execute().result == {"sections": ["section 1", "section 2", "section 3"], "published_by": "ann"}
    assert published.query("progress") == {"built": 3, "of": 3, "published_by": "ann"}


@pytest.mark.parametrize("workflow", [RefusedOrder, RefusedByChild])
def test_an_execution_failed_by_a_task_that_raises_on_failure_is_queried_at_its_end(workflow):
    # A replay of the whole history raises at the failed task's submit, before the charge the run had submitted:
    # a query accepts that as workflow.replay does.
    execution = LocalExecution(workflow, {"args": ["o-2"], "kwargs": {}})
    outcome = execution.execute()
    assert outcome.status == "failed", outcome.reason
    scheduled = [e for e in outcome.events if e["eventType"] == "ActivityTaskScheduled"]
    assert scheduled[-1]["activityTaskScheduledEventAttributes"]["activityId"].endswith("charge-1")
    assert execution.query("status") == "checking"


def test_a_query_of_a_run_that_raised_replays_its_history_once(monkeypatch):
    # workflow.replay replays the history again at each decision task holding a task the run never reached:
    # a query must not (its history can be made long by whoever starts or signals the execution).
    from simpleflow.engine import _run

    execution = LocalExecution(RefusedOrder, {"args": ["o-3"], "kwargs": {}})
    assert execution.execute().status == "failed"
    runs = []
    init = _run.WorkflowRun.__init__
    monkeypatch.setattr(_run.WorkflowRun, "__init__", lambda self, *a, **k: runs.append(1) or init(self, *a, **k))
    assert execution.query("status") == "checking"
    assert len(runs) == 1
