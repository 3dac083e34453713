"""The thread a run's ``run`` executes on: a bounded stack, set for that thread only."""

from __future__ import annotations

import json
import sys
import threading

from simpleflow.engine import ExecutionInfo, WorkflowRun
from simpleflow.engine._suspend import RUN_THREAD_STACK_SIZE
from tests.fixtures import engine_workflows as wf
from tests.history_builder import HistoryBuilder


def _first_decision(workflow_class, args):
    b = HistoryBuilder(input={"args": args, "kwargs": {}}, workflow_id="wf-id", run_id="run-id")
    b.decision_started()
    run = WorkflowRun(workflow_class, ExecutionInfo(workflow_id="wf-id", run_id="run-id"))
    try:
        return run.advance(b.events)
    finally:
        run.close()


def test_a_workflow_recursing_almost_to_the_recursion_limit_through_c_calls_runs_on_the_bounded_stack():
    assert RUN_THREAD_STACK_SIZE <= 1024 * 1024
    # Python 3.12 counts the C calls against a limit of its own: there, 900 levels through map() raise
    # RecursionError on any thread, 700 do not.
    depth = 700 if sys.version_info[:2] == (3, 12) else 900
    (decision,) = _first_decision(wf.DeepRecursion, [depth])
    attributes = decision["scheduleActivityTaskDecisionAttributes"]
    assert json.loads(attributes["input"])["args"] == [depth]


def test_the_run_thread_gets_the_bounded_stack_and_the_process_setting_is_restored(monkeypatch):
    real = threading.stack_size
    asked = []

    def recording(*size):
        asked.extend(size)
        return real(*size)

    monkeypatch.setattr(threading, "stack_size", recording)
    previous = real(2 * 1024 * 1024)
    try:
        _first_decision(wf.Chain, [3])
        assert asked == [RUN_THREAD_STACK_SIZE, 2 * 1024 * 1024]  # set for the run's thread, then restored
        assert real() == 2 * 1024 * 1024
    finally:
        real(previous)
