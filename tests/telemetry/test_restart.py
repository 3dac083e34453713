"""Processes on SWF (the test server): a decider killed and restarted mid-execution, a worker logging JSON."""

from __future__ import annotations

import json
import signal
import time

from simpleflow.telemetry import execution_ids
from tests.swf_e2e_helpers import start_workflow, wait_closed

WORKFLOW = "tests.fixtures.telemetry_workflows.PausedWorkflow"


def console_spans(text: str) -> list[dict]:
    """The spans the SDK's console exporter printed among a process's log lines."""
    decoder, spans, at = json.JSONDecoder(), [], 0
    while (at := text.find('{\n    "name"', at)) >= 0:
        span, end = decoder.raw_decode(text, at)
        spans.append(span)
        at = end
    return spans


def wait_for(read, what: str, timeout: float = 15.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = read()
        if what in text:
            return text
        time.sleep(0.05)
    raise AssertionError(f"no {what!r} within {timeout}s:\n{read()[-3000:]}")


def test_a_decider_killed_and_restarted_puts_its_spans_in_the_same_trace(processes, swf_domain, monkeypatch, tmp_path):
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "console")
    monkeypatch.setenv("OTEL_BSP_SCHEDULE_DELAY", "10")  # ms: a span is printed as soon as it ends
    monkeypatch.setenv("SIMPLEFLOW_DECIDER_STICKY_TIMEOUT", "0")  # the restarted decider gets the next task at once
    decider = ["decider.start", "--domain", swf_domain, "--task-list", "telemetry", WORKFLOW]
    first = processes.start("decider-1", *decider)
    processes.start(
        "worker", "worker.start", "--domain", swf_domain, "--task-list", "telemetry", "--log-format", "json",
        "tests.fixtures.telemetry_workflows",
    )  # fmt: skip
    with monkeypatch.context() as here:  # workflow.start runs in this process: no global console exporter here
        here.delenv("OTEL_TRACES_EXPORTER")
        workflow_id, run_id = start_workflow(swf_domain, WORKFLOW, "telemetry", [2])
    log = tmp_path / "decider-1.log"
    wait_for(log.read_text, '"name": "decision_task"')  # the first decision (a 2 s timer) is taken and answered
    first.send_signal(signal.SIGKILL)
    first.wait()
    processes.start("decider-2", *decider)
    wait_closed(swf_domain, workflow_id, run_id, processes)
    second = wait_for((tmp_path / "decider-2.log").read_text, '"name": "workflow telemetry_paused"')

    trace, root = execution_ids(workflow_id, run_id)
    trace_id, root_id = f"0x{trace:032x}", f"0x{root:016x}"
    before, after = console_spans(log.read_text()), console_spans(second)
    assert [s["name"] for s in before] == ["decision_task"]
    assert sorted(s["name"] for s in after) == ["decision_task", "decision_task", "workflow telemetry_paused"]
    for span in before + after:
        assert span["context"]["trace_id"] == trace_id
    [root] = [s for s in after if s["parent_id"] is None]
    assert root["context"]["span_id"] == root_id
    assert {s["parent_id"] for s in before + after if s["parent_id"]} == {root_id}
    assert [e["name"] for s in before + after for e in s["events"]] == ["timer.started", "timer.fired"]

    worker_log = wait_for((tmp_path / "worker.log").read_text, '"name": "activity tests.telemetry.add"')
    [attempt] = console_spans(worker_log)
    assert (attempt["context"]["trace_id"], attempt["parent_id"]) == (trace_id, root_id)
    lines = [json.loads(line) for line in worker_log.splitlines() if line.startswith('{"time"')]
    [added] = [line for line in lines if line["message"] == "adding 2 and 1"]
    assert added["workflow_id"] == workflow_id and added["run_id"] == run_id
    assert added["workflow_type"] == "telemetry_paused"
    assert (added["activity_id"], added["attempt"]) == ("activity-tests.telemetry.add-1", "1")
    assert (f"0x{added['trace_id']}", f"0x{added['span_id']}") == (trace_id, attempt["context"]["span_id"])
