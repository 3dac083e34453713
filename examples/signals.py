"""Signals: simpleflow workflow.start --local examples.signals.SignalsWorkflow --signal 'approve@3600=["alice"]'"""

from __future__ import annotations

from simpleflow import Workflow, activity, futures
from simpleflow.constants import DAY


@activity.with_attributes(task_list="example", version="example")
def publish(approver):
    return f"published, approved by {approver}"


class Reviewer(Workflow):
    """A child that waits for the approval its parent passes on (signals propagate to children)."""

    name = "example_signals_reviewer"
    version = "example"
    task_list = "example"
    execution_timeout = DAY  # as long as its parent waits

    def run(self, who):
        approval = self.submit(self.wait_signal("approved")).result
        return f"{who} saw approval by {approval['args'][0]}"


class SignalsWorkflow(Workflow):
    """Waits for the signal "approve" (sent from outside), then signals itself "approved", which
    propagates to its reviewer child."""

    name = "example_signals"
    version = "example"
    task_list = "example"
    execution_timeout = DAY  # a day for the approval to come (past it, the execution times out)

    def run(self):
        reviewer = self.submit(Reviewer, "reviewer")
        approval = self.submit(self.wait_signal("approve")).result
        approver = approval["args"][0]
        futures.wait(self.submit(self.signal("approved", approver)))
        return {"result": self.submit(publish, approver).result, "reviewer": reviewer.result}
