"""Markers: simpleflow workflow.start --local examples.marker.MarkerWorkflow --input '["v2"]'"""

from __future__ import annotations

from simpleflow import Workflow, futures


class MarkerWorkflow(Workflow):
    """Records markers in the history and reads them back."""

    name = "example_marker"
    version = "example"
    task_list = "example"

    def run(self, release):
        futures.wait(self.submit(self.record_marker("release", {"version": release})))
        futures.wait(self.submit(self.record_marker("step", "prepared")))
        futures.wait(self.submit(self.record_marker("step", "deployed")))
        latest = {m.name: m.details for m in self.list_markers()}
        every = [[m.name, m.details] for m in self.list_markers(all=True)]
        return {"latest": latest, "all": every}
