"""Running the telemetry fixture workflows on either host, and reading the spans they made."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from simpleflow.swf import client
from simpleflow.swf.decider import Decider
from simpleflow.swf.starter import start_workflow
from simpleflow.swf.worker import run_worker
from simpleflow.telemetry import execution_ids
from tests.fixtures import telemetry_workflows as tw

MODULE = "tests.fixtures.telemetry_workflows"
VOLATILE = {  # differ between hosts and runs by nature
    "simpleflow.domain",
    "simpleflow.workflow.id",
    "simpleflow.run.id",
    "simpleflow.child.workflow.id",
    "simpleflow.child.run.id",
    "simpleflow.parent.workflow.id",
    "simpleflow.parent.run.id",
    "simpleflow.decision.replay_seconds",
}


@contextmanager
def swf_hosts(domain: str) -> Iterator[None]:
    """A decider and a worker in threads of this process, on the fixtures' task list of *domain*."""
    stop = threading.Event()
    decider = Decider(
        domain,
        tw.TASK_LIST,
        [tw.ParentWorkflow, tw.ChildWorkflow, tw.PausedWorkflow, tw.OversizeWorkflow, tw.LateWorkflow],
    )
    threads = [
        threading.Thread(target=decider.run, args=(stop,), daemon=True),
        threading.Thread(
            target=run_worker,
            args=(domain, tw.TASK_LIST),
            kwargs={"modules": [MODULE], "stop_event": stop, "heartbeat": 0},
            daemon=True,
        ),
    ]
    for thread in threads:
        thread.start()
    try:
        yield
    finally:
        stop.set()
        for thread in threads:
            thread.join(15)


def run_on_swf(domain: str, workflow: type, args: list[Any], timeout: float = 30) -> dict[str, str]:
    """Start *workflow* and wait until it closed; its {"workflowId", "runId"}."""
    execution = start_workflow(domain, workflow, {"args": args, "kwargs": {}})
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        info = client.swf_client().describe_workflow_execution(domain=domain, execution=execution)
        if info["executionInfo"]["executionStatus"] == "CLOSED":
            return execution
        time.sleep(0.1)
    raise AssertionError(f"{workflow.__name__} did not close within {timeout}s")


def by_trace(spans: list[Any]) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = {}
    for span in spans:
        out.setdefault(span.context.trace_id, []).append(span)
    return out


def shape(spans: list[Any]) -> list[tuple]:
    """What a trace is made of, host aside: each span's name, its parent's name, its stable attributes,
    its events' names and its links' kinds, sorted."""
    names = {span.context.span_id: span.name for span in spans}
    out = []
    for span in spans:
        parent = names.get(span.parent.span_id, "?") if span.parent is not None else None
        attrs = tuple(sorted((k, v) for k, v in span.attributes.items() if k not in VOLATILE))
        events = tuple(e.name for e in span.events)
        links = tuple(sorted(str(link.attributes.get("simpleflow.link")) for link in span.links))
        out.append((span.name, parent, attrs, events, links))
    return sorted(out, key=repr)


def check_ids(spans: list[Any], workflow_id: str, run_id: str) -> None:
    """Every span of the execution is in the trace its ids fix, under the root span they fix."""
    trace_id, root_id = execution_ids(workflow_id, run_id)
    assert {span.context.trace_id for span in spans} == {trace_id}
    roots = [span for span in spans if span.parent is None]
    assert [root.context.span_id for root in roots] == [root_id]
    assert {span.parent.span_id for span in spans if span.parent is not None} == {root_id}
