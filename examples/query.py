"""Queries:

    simpleflow workflow.start --local examples.query.ReportWorkflow --input '[3]' --signal 'publish@3600=["ann"]'

On SWF, while it runs (or after): ``simpleflow workflow.query DOMAIN WORKFLOW_ID progress``, which replays the
execution's history here and prints what ``progress`` returns, without touching the execution.
"""

from __future__ import annotations

from simpleflow import Workflow, activity, query
from simpleflow.constants import DAY


@activity.with_attributes(task_list="example", version="example")
def build_section(n):
    return f"section {n}"


class ReportWorkflow(Workflow):
    """Builds a report section by section, then waits for the signal "publish"."""

    name = "example_query"
    version = "example"
    task_list = "example"
    execution_timeout = DAY  # a day for the "publish" signal to come (past it, the execution times out)

    sections: list = []
    published_by = None

    def run(self, count):
        self.count, self.sections = count, []
        for n in range(1, count + 1):
            self.sections.append(self.submit(build_section, n).result)
        self.published_by = self.submit(self.wait_signal("publish")).result["args"][0]
        return {"sections": self.sections, "published_by": self.published_by}

    @query
    def progress(self):
        """Where the report is: sections built so far, and who published it (None while it waits)."""
        return {"built": len(self.sections), "of": getattr(self, "count", None), "published_by": self.published_by}

    @query
    def section(self, n):
        """The text of section *n*, once built."""
        return self.sections[n - 1] if 0 < n <= len(self.sections) else None
