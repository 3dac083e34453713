"""Timers: simpleflow workflow.start --local examples.timer.TimerWorkflow --input '[2]'"""

from __future__ import annotations

from simpleflow import Workflow, activity, futures
from simpleflow.constants import DAY, HOUR, MINUTE


@activity.with_attributes(task_list="example", version="example")
def remind(hours):
    return f"reminder after {hours} hour(s)"


class TimerWorkflow(Workflow):
    """Waits *hours* hours (virtual time with --local), cancelling a one-day timeout timer meanwhile."""

    name = "example_timer"
    version = "example"
    task_list = "example"
    execution_timeout = DAY  # the longest it waits (its give_up timer): the default hour is too short

    def run(self, hours):
        timeout = self.submit(self.start_timer("give_up", 24 * HOUR))
        futures.wait(self.submit(self.start_timer("wait", hours * HOUR + MINUTE)))
        futures.wait(self.submit(self.cancel_timer("give_up")))
        message = self.submit(remind, hours).result
        return {"message": message, "timeout_timer": timeout.state.lower()}
