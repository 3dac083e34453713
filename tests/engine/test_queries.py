"""``@query`` over hand-built histories: the answer is the state ``run`` reached at that point of the history."""

from __future__ import annotations

import pytest

from simpleflow import Workflow, futures, query
from simpleflow.engine import ExecutionInfo, HistoryDoesNotFit, answer_query
from simpleflow.exceptions import QueryFailed, QueryRefused, UnknownQuery, UsageError
from simpleflow.workflow import queries_of
from tests.fixtures.query_workflows import OrderWorkflow
from tests.history_builder import HistoryBuilder

CHARGE = "tests.fixtures.query_workflows.charge"


def order_history(charged: int, amounts=(10, 20), signal=None, closed=False) -> HistoryBuilder:
    """OrderWorkflow's history once *charged* amounts are charged (then the signal and the close, if asked)."""
    b = HistoryBuilder(workflow_name="tests.queries.order", input={"args": ["o-1", list(amounts)], "kwargs": {}})
    b.decision()
    for k, amount in enumerate(amounts[:charged], 1):
        scheduled = b.schedule_activity(f"activity-{CHARGE}-{k}", CHARGE, input={"args": ["o-1", amount], "kwargs": {}})
        b.complete_activity(scheduled, amount)
        b.decision()
    if charged < len(amounts):
        b.schedule_activity(
            f"activity-{CHARGE}-{charged + 1}", CHARGE, input={"args": ["o-1", amounts[charged]], "kwargs": {}}
        )
    if signal is not None:
        b.signal("approve", {"args": [signal], "kwargs": {}})
        b.decision()
    if closed:
        b.complete_workflow({"order": "o-1", "total": sum(amounts), "approver": signal})
    return b


def ask(events, name, *args, **kwargs):
    return answer_query(OrderWorkflow, events, name, args, kwargs, ExecutionInfo(workflow_id="wf-id", run_id="run-id"))


def test_a_query_answers_the_state_run_reached_at_each_point_of_the_history():
    assert ask(order_history(0).events, "status") == {"stage": "charging", "charged": [], "approver": None}
    assert ask(order_history(1).events, "status") == {"stage": "charging", "charged": [10], "approver": None}
    waiting = {"stage": "awaiting approval", "charged": [10, 20], "approver": None}
    assert ask(order_history(2).events, "status") == waiting


def test_a_closed_history_is_queried_as_its_last_decision_left_it():
    events = order_history(2, signal="alice", closed=True).events
    assert events[-1]["eventType"] == "WorkflowExecutionCompleted"
    assert ask(events, "status") == {"stage": "shipped", "charged": [10, 20], "approver": "alice"}
    assert ask(events, "approval_now") == {"args": ["alice"], "kwargs": {}}


def test_a_query_takes_its_own_name_and_arguments():
    events = order_history(2).events
    assert ask(events, "total") == "30 EUR"
    assert ask(events, "total", "USD") == "30 USD"
    assert ask(events, "total", currency="CHF") == "30 CHF"


def test_an_unknown_query_lists_the_queries_the_workflow_declares():
    with pytest.raises(UnknownQuery) as caught:
        ask(order_history(1).events, "not_a_query")
    assert str(caught.value) == (
        "workflow OrderWorkflow has no query 'not_a_query' (its queries: approval_now, broken, charge_more,"
        " plan, sneaky, status, total, unencodable)"
    )


def test_arguments_that_do_not_fit_the_query_are_a_usage_error():
    with pytest.raises(UsageError, match="input does not fit query 'total': "):
        ask(order_history(1).events, "total", "USD", "extra")


@pytest.mark.parametrize("name", ["charge_more", "approval_now", "sneaky"])
def test_a_query_may_not_submit_or_wait_even_when_it_catches_the_refusal(name):
    with pytest.raises(QueryRefused) as caught:
        ask(order_history(2).events, name)
    assert str(caught.value) == (
        f"query {name!r} may not submit, wait or fail the workflow: a query only reads its state"
    )


def test_a_query_that_raises_names_the_error_and_where():
    with pytest.raises(QueryFailed, match=r"^query 'broken' raised ValueError: no such thing \(.*query_workflows.py"):
        ask(order_history(1).events, "broken")


def test_a_history_the_code_does_not_fit_is_refused_rather_than_answered():
    b = order_history(1)
    b.schedule_activity("activity-somewhere.else-1", "somewhere.else")
    with pytest.raises(HistoryDoesNotFit, match="activity-somewhere.else-1"):
        ask(b.events, "status")


def test_the_query_leaves_the_caller_s_executor_as_it_was():
    assert futures.current_executor() is None
    ask(order_history(1).events, "status")
    assert futures.current_executor() is None


def test_queries_of_sees_inherited_queries_and_renames():
    class Base(Workflow):
        @query
        def a(self):
            return "base"

        @query(name="renamed")
        def b(self):
            return "b"

    class Child(Base):
        def a(self):  # an override without the decorator stays the query
            return "child"

        @query
        def c(self):
            return "c"

    assert queries_of(Base) == {"a": "a", "renamed": "b"}
    assert queries_of(Child) == {"a": "a", "renamed": "b", "c": "c"}
    assert queries_of(Workflow) == {}
