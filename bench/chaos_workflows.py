"""The workflow the fault suite (bench/chaos.py) runs: a chain, then a fan-out.

Each activity appends a line to a log of its own process when it starts and
when it ends (``SIMPLEFLOW_CHAOS_LOG`` names the folder), so the suite can
count how often each task really ran and which runs were cut short.
"""

from __future__ import annotations

import json
import os
import time

from simpleflow import Workflow, activity, futures

LOG_FOLDER = "SIMPLEFLOW_CHAOS_LOG"
TASK_LIST = "chaos-activities"
# Long next to the step's fraction of a second: on a loaded machine (moto, deciders and workers on two
# shared cores) a worker's answer can come seconds late, and a timeout SWF records then is a fault the
# suite counts, not a lost task. A task a kill or a lost answer cut off waits this long to run again.
HEARTBEAT_TIMEOUT = 6


def _log(event: str, tag: str, index: int) -> None:
    folder = os.environ.get(LOG_FOLDER)
    if not folder:
        return
    line = json.dumps({"event": event, "task": f"{tag}/{index}", "pid": os.getpid(), "time": time.time()})
    with open(os.path.join(folder, f"activity-{os.getpid()}.log"), "a") as log:
        log.write(line + "\n")


@activity.with_attributes(
    task_list=TASK_LIST,
    version="1",
    retry=20,
    heartbeat_timeout=HEARTBEAT_TIMEOUT,
    start_to_close_timeout=30,
    schedule_to_start_timeout=600,
    schedule_to_close_timeout=900,
)
def step(tag: str, index: int, value: int) -> int:
    """Takes a little time (so that faults land mid-run), then adds its index."""
    _log("start", tag, index)
    time.sleep(0.05 + (index % 4) * 0.05)
    _log("end", tag, index)
    return value + index


def expected_result(chain: int, fan: int) -> int:
    """What ``ChaosWorkflow.run(tag, chain, fan)`` returns."""
    after_chain = sum(range(chain))
    return sum(after_chain + chain + i for i in range(fan))


class ChaosWorkflow(Workflow):
    """``chain`` activities in a row, then ``fan`` at once on the chain's result."""

    name = "chaos"
    version = "1"
    task_list = "chaos-decisions"
    decision_tasks_timeout = 5  # a killed decider's task comes back after 5 s
    execution_timeout = 3600

    def run(self, tag: str, chain: int, fan: int) -> int:
        value = 0
        for index in range(chain):
            value = self.submit(step, tag, index, value).result
        fanned = [self.submit(step, tag, chain + i, value) for i in range(fan)]
        futures.wait(*fanned)
        return sum(f.result for f in fanned)
