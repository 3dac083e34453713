"""The shop's workflow tests, written with simpleflow's pytest plugin (docs/testing-workflows.md)."""

import json

import pytest
from shop.workflows import OrderWorkflow, charge_card, render_invoice, ship

from simpleflow.testing import WorkflowFailed


def test_an_order_is_charged_shipped_and_invoiced(workflow_env):
    execution = workflow_env.start(OrderWorkflow, "o-1", 30)
    assert execution.query("current_status") == "cooling off"
    execution.advance(days=7)  # the week of cooling-off passes at once
    assert execution.query("current_status") == "waiting for the warehouse"
    execution.signal("packed", "P-7")
    run = execution.finish()

    assert run.result["shipment"] == {"order": "o-1", "parcel": "P-7", "shipped": True}
    assert run.elapsed >= 7 * 24 * 3600
    assert [d.describe() for d in run.decisions] == [
        "ScheduleActivityTask activity-shop.workflows.charge_card-1 (shop.workflows.charge_card)",
        "StartTimer cooling-off",
        "ScheduleActivityTask activity-shop.workflows.ship-1 (shop.workflows.ship)",
        f"StartChildWorkflowExecution {run.children[0].workflow_id} (shop.workflows.InvoiceWorkflow)",
        "CompleteWorkflowExecution",
    ]
    [invoice] = run.children  # the child workflow ran in the same environment
    assert invoice.result == {"invoice": "o-1", "lines": 31}


def test_a_declined_card_ends_the_order_before_anything_ships(workflow_env):
    workflow_env.override(charge_card, ConnectionRefusedError("card declined"))
    run = workflow_env.run(OrderWorkflow, "o-2", 30)
    assert run.result["reason"] == "ConnectionRefusedError: card declined"
    assert workflow_env.calls(ship) == []


def test_the_charge_is_made_once_with_the_order_amount(workflow_env):
    charged = workflow_env.override(charge_card, lambda order_id, amount: {"payment": "test", "amount": amount})
    execution = workflow_env.start(OrderWorkflow, "o-3", 12)
    execution.advance(days=8)
    execution.signal("packed", "P-1")
    assert execution.finish().result["payment"] == {"payment": "test", "amount": 12}
    assert [call.args for call in charged.calls] == [["o-3", 12]]


def test_a_large_invoice_goes_through_the_jumbo_field_store(workflow_env):
    execution = workflow_env.start(OrderWorkflow, "o-4", 5000)
    execution.advance(days=7)
    execution.signal("packed", "P-2")
    assert execution.finish().children[0].result == {"invoice": "o-4", "lines": 5001}
    # The invoice's text is over SWF's 32,768 characters: it went to the test's in-memory jumbo field store.
    assert [json.loads(text) for text in workflow_env.jumbo.texts()] == [render_invoice.callable("o-4", 5000)]


def test_an_order_the_warehouse_never_packs_is_stuck(workflow_env):
    run = workflow_env.run(OrderWorkflow, "o-5", 30)
    assert run.status == "failed"
    with pytest.raises(WorkflowFailed, match="stuck"):
        _ = run.result
