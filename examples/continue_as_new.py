"""Continue-as-new: simpleflow workflow.start --local examples.continue_as_new.CountdownWorkflow --input '[5]'"""

from __future__ import annotations

from simpleflow import Workflow, activity


@activity.with_attributes(task_list="example", version="example")
def add(total, x):
    return total + x


class CountdownWorkflow(Workflow):
    """Adds n, n-1, ... 1 in *batch*-sized runs: each run continues as new with a fresh, short history
    (SWF caps a history at 25,000 events)."""

    name = "example_continue_as_new"
    version = "example"
    task_list = "example"

    def run(self, n, total=0, batch=2):
        for _ in range(batch):
            if n == 0:
                return {
                    "total": total,
                    "runs_continued_from": self.get_run_context()["continued_execution_run_id"] is not None,
                }
            total = self.submit(add, total, n).result
            n -= 1
        self.submit(self.continue_as_new(n, total=total, batch=batch))
