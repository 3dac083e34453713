"""Signal-driven workflows for tests/test_swf_features.py (run on the moto server and locally)."""

from __future__ import annotations

from simpleflow import Workflow, activity, futures
from simpleflow.constants import HOUR

TASK_LIST = "swf-features"


@activity.with_attributes(task_list=TASK_LIST, version="1")
def publish(item, approver, note=None):
    text = f"{item} published, approved by {approver}"
    return f"{text} ({note})" if note else text


class ApprovalWorkflow(Workflow):
    """Waits for the signal "approve" (sent from outside while it waits), then publishes."""

    name = "tests.features.approval"
    version = "1"
    task_list = TASK_LIST
    execution_timeout = 60

    def run(self, item):
        approval = self.submit(self.wait_signal("approve")).result
        approver = approval["args"][0]
        note = approval["kwargs"].get("note")
        return {"approval": approval, "published": self.submit(publish, item, approver, note=note).result}


class CoolingOffWorkflow(Workflow):
    """Waits out a timer, then asks for the signal "approve", which may have come in meanwhile."""

    name = "tests.features.cooling_off"
    version = "1"
    task_list = TASK_LIST
    execution_timeout = 60

    def run(self, item, hours):
        futures.wait(self.submit(self.start_timer("cooling_off", hours * HOUR)))
        approval = self.submit(self.wait_signal("approve")).result
        return self.submit(publish, item, approval["args"][0]).result
