"""Changed code on a live decider, on the moto server: a six-step chain whose decider is killed after four
steps and restarted with the steps reordered.

The restarted decider leaves each decision task unanswered (one error line naming the task id, both inputs and
the workflow's line): SWF times it out and schedules another, once per ``taskStartToCloseTimeout`` (2 s here).
A decider with the original code then completes the execution as if nothing had happened. With
``SIMPLEFLOW_ON_NONDETERMINISM=fail`` the execution fails at once, with that line as its reason.
"""

from __future__ import annotations

import json
import logging
import signal
import threading
import time
from pathlib import Path

import pytest

from simpleflow.swf import client, starter
from simpleflow.swf.decider import Decider
from simpleflow.swf.worker import Worker
from tests.fixtures import nondeterminism_workflows as nw
from tests.swf_e2e_helpers import attributes, completed_result, wait_closed

MODULE = nw.__name__
# As messages show it: relative to the current directory (the repository's root, where the tests run).
FIXTURE = Path(nw.__file__).relative_to(Path.cwd())
SUBMIT_LINE = [n for n, line in enumerate(FIXTURE.read_text().splitlines(), 1) if nw.SUBMIT_LINE in line][-1]
DEADLINE = 30.0
FIRST_MISMATCH = (
    f"activity {nw.step_id(1)!r} ({FIXTURE}, line {SUBMIT_LINE}): the history has input "
    '{"args":[0],"kwargs":{}}, the code asks for input {"args":[3],"kwargs":{}}'
)


def _history(domain: str, execution: dict) -> list[dict]:
    return client.get_history(domain, execution["workflowId"], execution["runId"])


def _count(events: list[dict], event_type: str) -> int:
    return sum(e["eventType"] == event_type for e in events)


def _inputs(events: list[dict]) -> list[tuple[str, list]]:
    scheduled = [attributes(e) for e in events if e["eventType"] == "ActivityTaskScheduled"]
    return [(a["activityId"], json.loads(a["input"])["args"]) for a in scheduled]


def _until(domain: str, execution: dict, done, step=None) -> list[dict]:
    """The history once ``done(events)``; *step* is called meanwhile (a poll)."""
    deadline = time.monotonic() + DEADLINE
    while True:
        events = _history(domain, execution)
        if done(events):
            return events
        assert time.monotonic() < deadline, [(e["eventType"], attributes(e)) for e in events]
        if step is None or not step():
            time.sleep(0.05)


def _refusals(caplog) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.ERROR and "does not fit its history" in r.getMessage()
    ]


def test_a_decider_restarted_with_reordered_steps_leaves_the_task_unanswered_until_the_old_code_returns(
    swf_domain, decider_list, processes, monkeypatch, caplog
):
    monkeypatch.setenv("SIMPLEFLOW_DECIDER_STICKY_TIMEOUT", "1")  # the killed decider's sticky list: 1 s
    first = processes.start(
        "first", "decider.start", "--domain", swf_domain, "--task-list", decider_list, f"{MODULE}.Chain"
    )
    execution = starter.start_workflow(swf_domain, nw.Chain, {"args": [], "kwargs": {}}, task_list=decider_list)
    worker = Worker(swf_domain, nw.TASK_LIST, modules=[MODULE])
    worker.identity = client.identity()
    for done in range(1, 5):  # the worker runs four steps, one at a time, the decider schedules each next one
        _until(swf_domain, execution, lambda events, n=done: _count(events, "ActivityTaskScheduled") >= n)
        _until(
            swf_domain, execution, lambda events, n=done: _count(events, "ActivityTaskCompleted") >= n, worker.poll_once
        )
    _until(swf_domain, execution, lambda events: _count(events, "ActivityTaskScheduled") == 5)
    first.send_signal(signal.SIGKILL)  # after four steps, with the fifth scheduled
    assert first.wait(10) == -signal.SIGKILL

    reordered = Decider(swf_domain, decider_list, [nw.ReorderedChain], sticky_timeout=1)
    stop = threading.Event()
    thread = threading.Thread(target=reordered.run, args=(stop,), daemon=True)
    with caplog.at_level(logging.ERROR, logger="simpleflow.swf.decider"):
        thread.start()
        try:
            # The fifth step completes: its decision task waits on the killed decider's sticky list, comes
            # back to the shared one, and the reordered code replays the history... twice, 2 s apart.
            _until(swf_domain, execution, lambda events: _count(events, "ActivityTaskCompleted") == 5, worker.poll_once)
            deadline = time.monotonic() + DEADLINE
            while len(_refusals(caplog)) < 2:
                assert time.monotonic() < deadline, _refusals(caplog)
                time.sleep(0.05)
        finally:
            stop.set()
            thread.join(10)
    refusals = _refusals(caplog)
    events = _history(swf_domain, execution)
    assert len(refusals) in (2, 3)  # one line per decision task: no loop between SWF's timeouts
    assert reordered.misses == len(refusals) and reordered.hits == 0 and len(reordered.cache) == 0
    wid, rid = execution["workflowId"], execution["runId"]
    assert refusals[0] == (
        f"execution {wid} (run {rid}): the workflow code does not fit its history: {FIRST_MISMATCH} (and 4 more); "
        "decision task left unanswered until code that fits is deployed "
        "(SIMPLEFLOW_ON_NONDETERMINISM=fail fails it)"
    )
    # Each refusal is a decision task the reordered decider started and SWF timed out (but the latest, maybe).
    started = [attributes(e) for e in events if e["eventType"] == "DecisionTaskStarted"]
    assert sum(a["identity"] == reordered.identity for a in started) == len(refusals)
    timeouts = [attributes(e)["timeoutType"] for e in events if e["eventType"] == "DecisionTaskTimedOut"]
    assert timeouts.count("START_TO_CLOSE") >= len(refusals) - 1, timeouts
    assert _count(events, "ActivityTaskScheduled") == 5  # nothing decided on the values it misread
    assert _count(events, "DecisionTaskCompleted") == 5  # the killed decider's five answers only

    original = Decider(swf_domain, decider_list, [nw.Chain], sticky_timeout=1)
    stop = threading.Event()
    threads = [
        threading.Thread(target=original.run, args=(stop,), daemon=True),
        threading.Thread(target=worker.run, args=(stop,), daemon=True),
    ]
    for thread in threads:
        thread.start()
    try:
        history = wait_closed(swf_domain, wid, rid, processes)
    finally:
        stop.set()
        for thread in threads:
            thread.join(10)
    assert completed_result(history) == list(nw.ORIGINAL)
    assert _inputs(history) == [(nw.step_id(n), [x]) for n, x in enumerate(nw.ORIGINAL, start=1)]


def test_with_on_nondeterminism_fail_the_reordered_decider_fails_the_execution_naming_the_task(
    swf_domain, decider_list, monkeypatch, caplog
):
    monkeypatch.setenv("SIMPLEFLOW_ON_NONDETERMINISM", "fail")
    execution = starter.start_workflow(swf_domain, nw.Chain, {"args": [], "kwargs": {}}, task_list=decider_list)
    old = Decider(swf_domain, decider_list, [nw.Chain], sticky_timeout=0)
    worker = Worker(swf_domain, nw.TASK_LIST, modules=[MODULE])
    worker.identity = client.identity()
    for done in range(1, 5):  # four steps; the decision task after the fourth is left to the new code
        _until(
            swf_domain, execution, lambda events, n=done: _count(events, "ActivityTaskScheduled") >= n, old.poll_once
        )
        _until(
            swf_domain, execution, lambda events, n=done: _count(events, "ActivityTaskCompleted") >= n, worker.poll_once
        )
    reordered = Decider(swf_domain, decider_list, [nw.ReorderedChain], sticky_timeout=0)
    with caplog.at_level(logging.ERROR, logger="simpleflow.swf.decider"):
        events = _until(swf_domain, execution, lambda events: "Failed" in events[-1]["eventType"], reordered.poll_once)
    assert events[-1]["eventType"] == "WorkflowExecutionFailed"
    reason = attributes(events[-1])["reason"]
    assert reason.startswith(f"Workflow code does not fit its history: activity {nw.step_id(1)!r} ("), reason
    details = attributes(events[-1])["details"]
    assert details.startswith(FIRST_MISMATCH) and "patched()" in details
    assert _refusals(caplog) == [
        f"execution {execution['workflowId']} (run {execution['runId']}): the workflow code does not fit its "
        f"history: {FIRST_MISMATCH} (and 3 more); failing the execution"
    ]
    assert _count(events, "ActivityTaskScheduled") == 4


def test_with_on_nondeterminism_fail_a_step_the_code_never_submits_is_logged_as_the_execution_fails(
    swf_domain, decider_list, monkeypatch, caplog
):
    # No submit reuses an id with another input (run.nondeterminism is empty): the history holds a step the
    # code never takes. The execution is failed all the same, and the decider says why.
    monkeypatch.setenv("SIMPLEFLOW_ON_NONDETERMINISM", "fail")
    execution = starter.start_workflow(swf_domain, nw.Chain, {"args": [], "kwargs": {}}, task_list=decider_list)
    assert Decider(swf_domain, decider_list, [nw.Chain], sticky_timeout=0).poll_once()  # schedules step 1
    client.swf_client().signal_workflow_execution(domain=swf_domain, signalName="poke", input="", **execution)
    dropped = Decider(swf_domain, decider_list, [nw.DroppedChain], sticky_timeout=0)
    with caplog.at_level(logging.ERROR, logger="simpleflow.swf.decider"):
        events = _until(swf_domain, execution, lambda events: "Failed" in events[-1]["eventType"], dropped.poll_once)
    assert events[-1]["eventType"] == "WorkflowExecutionFailed"
    first = attributes(events[-1])["details"].splitlines()[0]
    assert nw.step_id(1) in first and "never" in first, first
    assert _refusals(caplog) == [
        f"execution {execution['workflowId']} (run {execution['runId']}): the workflow code does not fit its "
        f"history: {first}; failing the execution"
    ]


@pytest.fixture(autouse=True)
def _no_leftover_settings(monkeypatch):
    monkeypatch.delenv("SIMPLEFLOW_ON_NONDETERMINISM", raising=False)
