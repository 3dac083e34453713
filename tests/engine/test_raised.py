"""workflow.replay's account of a run that raised: the commands of the history it never reached (engine/_raised)."""

from __future__ import annotations

import os
import sys

import pytest

from simpleflow.engine import _run
from simpleflow.local.replay import check_history

BENCH = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "bench")


@pytest.fixture
def bench(monkeypatch):
    """bench's workflows and history generator, and how many ``WorkflowRun`` a check makes."""
    monkeypatch.syspath_prepend(BENCH)
    import bench_workflows
    import gen_history

    runs = []
    init = _run.WorkflowRun.__init__
    monkeypatch.setattr(_run.WorkflowRun, "__init__", lambda self, *a, **k: runs.append(1) or init(self, *a, **k))
    yield bench_workflows, gen_history, runs
    for name in ("bench_workflows", "gen_history"):
        sys.modules.pop(name, None)


def test_a_run_that_raised_is_explained_by_one_more_replay_not_one_per_decision_task(bench):
    # The check fails at the history's end: a whole replay raises at its submit, before the 30 tasks of the chain,
    # each at a decision task of its own. Each was replayed to anew, from the start (quadratic: 24,000 events
    # took minutes).
    bench_workflows, gen_history, runs = bench
    events = gen_history.history("CheckedChain", 30, 30)["events"]
    decisions, mismatches = check_history(bench_workflows.CheckedChain, events)
    assert mismatches == []  # each task was taken at its decision task: the run raised on what came after
    assert [d["decisionType"] for d in decisions] == ["FailWorkflowExecution"]
    assert len(runs) == 2


def test_the_tasks_after_the_raise_of_a_run_that_went_on_are_each_told_it_raised_before_them(bench):
    # A history the code fails earlier than its run did: the check failed at once, the chain went on.
    bench_workflows, gen_history, runs = bench
    writer = gen_history.HistoryWriter()
    writer.events.append(gen_history.history("CheckedChain", 3, 0)["events"][0])
    decision_id = writer.decision_task()
    checked = writer.schedule_check(3, decision_id)
    first = writer.schedule(1, 0, decision_id)
    writer.fail(checked)
    writer.complete(first, 1)
    for number in (2, 3):
        scheduled = writer.schedule(number, number - 1, writer.decision_task())
        writer.complete(scheduled, number)
    writer.decision_task(completed=False)
    _, mismatches = check_history(bench_workflows.CheckedChain, writer.events)
    raised = 'TaskException: Workflow execution error in activity-bench_workflows.check: "ValueError: refused"'
    assert mismatches == [
        f"activity 'activity-bench_workflows.inc-{n}' is in the history but the run raised before submitting it: "
        f"{raised}"
        for n in (2, 3)
    ]
    assert len(runs) == 2
