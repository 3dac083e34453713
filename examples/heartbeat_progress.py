"""Heartbeats that carry progress:

    simpleflow workflow.start --local examples.heartbeat_progress.ImportWorkflow --input '[20, 12]'

A long activity heartbeats where it is. When an attempt goes silent for longer than its ``heartbeat_timeout``
(its worker died, or it hangs), SWF times it out with the details of its last heartbeat, and the retry reads
them with ``activity.last_heartbeat_details()`` to resume there instead of starting over. Here the first
attempt stalls at row *stall_at* (a stand-in for a hung connection); locally the timeout is simulated.
"""

from __future__ import annotations

import time

from simpleflow import Workflow, activity


@activity.with_attributes(task_list="example", version="example", heartbeat_timeout=1, retry=2)
def import_rows(total, stall_at=None):
    progress = activity.last_heartbeat_details()  # None on a first attempt
    first = progress["next_row"] if progress else 0
    for row in range(first, total):
        if progress is None and row == stall_at:
            time.sleep(1.5)  # silent for longer than heartbeat_timeout: this attempt times out
            return {"imported": row, "stalled": True}
        # ... import the row ...
        activity.heartbeat({"next_row": row + 1, "of": total})
    return {"imported": total - first, "resumed_at": first}


class ImportWorkflow(Workflow):
    """Imports *total* rows with one long activity."""

    name = "example_heartbeat_progress"
    version = "example"
    task_list = "example"

    def run(self, total, stall_at=None):
        return self.submit(import_rows, total, stall_at).result
