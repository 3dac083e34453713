"""An order: charge the card, a week of cooling-off, wait for the warehouse to pack it, ship, invoice."""

from __future__ import annotations

from simpleflow import Workflow, activity, futures, query
from simpleflow.constants import DAY

COOLING_OFF = 7 * DAY
PACKING = 7 * DAY  # how long the warehouse has to pack an order once the cooling-off ended


@activity.with_attributes(task_list="shop", version="1", start_to_close_timeout=30)
def charge_card(order_id, amount):
    """Charges the customer's card (here a stand-in for the payment service's API)."""
    if amount <= 0:
        raise ValueError(f"cannot charge {amount} EUR")
    return {"payment": f"pay-{order_id}", "amount": amount}


@activity.with_attributes(task_list="shop", version="1")
def ship(order_id, parcel):
    return {"order": order_id, "parcel": parcel, "shipped": True}


@activity.with_attributes(task_list="shop", version="1")
def render_invoice(order_id, amount):
    """The invoice's text: one line per euro (a large order's is over SWF's 32,768 characters)."""
    return f"Invoice {order_id}\n" + "".join(f"item {n}: 1 EUR\n" for n in range(amount))


class InvoiceWorkflow(Workflow):
    name = "shop.invoice"
    version = "1"
    task_list = "shop"

    def run(self, order_id, amount):
        text = self.submit(render_invoice, order_id, amount).result
        return {"invoice": order_id, "lines": text.count("\n")}


class OrderWorkflow(Workflow):
    name = "shop.order"
    version = "1"
    task_list = "shop"
    execution_timeout = COOLING_OFF + PACKING  # past it, the order times out (the default is an hour)

    status = "new"

    def run(self, order_id, amount):
        self.status = "charging"
        payment = self.submit(charge_card, order_id, amount)
        if payment.exception is not None:
            self.status = "payment refused"
            return {"order": order_id, "status": self.status, "reason": payment.exception.reason}
        self.status = "cooling off"
        futures.wait(self.submit(self.start_timer("cooling-off", COOLING_OFF)))
        self.status = "waiting for the warehouse"
        packed = self.submit(self.wait_signal("packed")).result
        self.status = "shipping"
        shipment = self.submit(ship, order_id, packed["args"][0]).result
        invoice = self.submit(InvoiceWorkflow, order_id, amount).result
        self.status = "shipped"
        return {"status": self.status, "payment": payment.result, "shipment": shipment, "invoice": invoice}

    @query
    def current_status(self):
        return self.status
