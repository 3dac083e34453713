"""Markers: simpleflow workflow.start --local examples.marker.MarkerWorkflow --input '["v2"]'"""

from __future__ import annotations

from simpleflow import Workflow


class MarkerWorkflow(Workflow):
    """Records markers in the history and reads them back."""

    name = "example_marker"
    version = "example"
    task_list = "example"

    def run(self, release):
        self.submit(self.record_marker("release", {"version": release})).result
        self.submit(self.record_marker("step", "prepared")).result
        self.submit(self.record_marker("step", "deployed")).result
        latest = {m.name: m.details for m in self.list_markers()}
        every = [[m.name, m.details] for m in self.list_markers(all=True)]
        return {"latest": latest, "all": every}
