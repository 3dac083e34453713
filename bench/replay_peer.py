"""Time one decision of the released simpleflow 0.36.0 over a history file.

usage: python replay_peer.py HISTORY.json WORKFLOW_CLASS REPEAT
Prints ``decisions=<n> first=<decision type> ms=<median wall ms per decision> cpu=<median CPU ms>``.
Runs in the peer's venv with bench/ on sys.path; it uses only the peer's own
classes (its executor and history model), with type registration switched off
so that nothing reaches SWF while it is timed.
"""

import json
import logging
import statistics
import sys
import time

logging.disable(logging.CRITICAL)

import bench_workflows  # noqa: E402

from simpleflow.swf.executor import Executor  # noqa: E402
from simpleflow.swf.mapper.models.domain import Domain  # noqa: E402
from simpleflow.swf.mapper.models.history import History  # noqa: E402
from simpleflow.swf.mapper.models.workflow import WorkflowExecution, WorkflowType  # noqa: E402
from simpleflow.swf.mapper.responses import Response  # noqa: E402


def one_decision(text: str, workflow_class) -> list:
    """Parse the history as a decider receives it and decide once."""
    domain = Domain("bench")
    history = History.from_event_list(json.loads(text)["events"])
    workflow_type = WorkflowType(domain, workflow_class.name, workflow_class.version)
    execution = WorkflowExecution(domain, "wf-1", run_id="run-1", workflow_type=workflow_type)
    executor = Executor(domain, workflow_class)
    executor.create_activity_type = lambda *args, **kwargs: None
    return executor.replay(Response(token="t", history=history, execution=execution)).decisions


def main() -> None:
    path, class_name, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(path) as f:
        text = f.read()
    workflow_class = getattr(bench_workflows, class_name)
    timings, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        decisions = one_decision(text, workflow_class)
        timings.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    first = decisions[0]["decisionType"] if decisions else None
    wall_ms, cpu_ms = statistics.median(timings), statistics.median(cpu)
    print(f"decisions={len(decisions)} first={first} ms={wall_ms:.2f} cpu={cpu_ms:.2f}")


if __name__ == "__main__":
    main()
