"""A workflow's own status: simpleflow workflow.start --local examples.status.BatchWorkflow --input '[3]'

``set_status`` publishes a small JSON value with every decision (SWF's executionContext): on SWF,
``simpleflow workflow.info DOMAIN WORKFLOW_ID`` shows the latest one and
``simpleflow workflow.list DOMAIN --status-field`` shows it for every execution, without replaying
any history; ``--local`` prints the last one on stderr when the run ends.
"""

from __future__ import annotations

from simpleflow import Workflow, activity


@activity.with_attributes(task_list="example", version="example")
def process(item):
    return item * item


class BatchWorkflow(Workflow):
    name = "example_batch"
    version = "example"
    task_list = "example"

    def run(self, count):
        results = []
        for item in range(count):
            self.set_status({"processed": item, "total": count})
            results.append(self.submit(process, item).result)
        self.set_status({"processed": count, "total": count, "done": True})
        return results
