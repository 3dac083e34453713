"""Changing a running workflow's code: simpleflow workflow.start --local examples.patching.OrderWorkflow --input '[120]'

The fraud check between ``charge`` and ``ship`` is new. Executions whose history already went past
that line (charged and shipped by the code before the change) replay without it; executions that
reach the line after the deploy run it and record the marker ``simpleflow.patch:fraud-check``.
Once every execution started before the deploy has closed, ``self.patched("fraud-check")`` becomes
``self.deprecate_patch("fraud-check")`` and the ``else`` branch goes; once every execution holding
the marker has closed too, the call goes as well (see docs/patching.md).
"""

from __future__ import annotations

from simpleflow import Workflow, activity


@activity.with_attributes(task_list="example", version="example")
def charge(amount):
    return {"charged": amount}


@activity.with_attributes(task_list="example", version="example")
def check_fraud(amount):
    return amount < 1000


@activity.with_attributes(task_list="example", version="example")
def ship(order):
    return dict(order, shipped=True)


class OrderWorkflow(Workflow):
    name = "example_order"
    version = "example"
    task_list = "example"

    def run(self, amount):
        order = self.submit(charge, amount).result
        if self.patched("fraud-check"):
            order = dict(order, fraud_checked=self.submit(check_fraud, amount).result)
        return self.submit(ship, order).result
