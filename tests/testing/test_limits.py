"""What ends a test's execution that would never end: SWF's limit of 25,000 events for a run that loops for ever
(terminated, as on SWF), ``max_runs`` for one that continues as new for ever (``TooManyRuns``)."""

from __future__ import annotations

import re
import time

import pytest

from simpleflow.exceptions import UsageError, WorkflowFailed
from simpleflow.testing import TooManyRuns, WorkflowEnv
from tests.fixtures import event_limit_workflows as wf


def test_a_workflow_that_loops_for_ever_ends_terminated_at_the_event_limit(workflow_env):
    execution = workflow_env.start(wf.Ticks)
    execution.advance(days=4 * 365)  # its 8,300 hourly rounds that reach the limit take 3.4 years
    assert execution.closed
    run = execution.finish()
    assert run.status == "terminated"
    assert run.reason.startswith("its history reached SWF's limit of 25,000 events (EVENT_LIMIT_EXCEEDED)")
    assert len(run.history) == 25_000
    with pytest.raises(WorkflowFailed, match="EVENT_LIMIT_EXCEEDED"):
        _ = run.result


def test_a_workflow_that_continues_as_new_for_ever_stops_after_max_runs(workflow_env):
    with pytest.raises(TooManyRuns, match=r"after 1,000 runs continued as new in one start\(\) or advance\(\)"):
        workflow_env.start(wf.Relay).advance(days=1)  # a run a minute
    began = time.monotonic()
    with pytest.raises(TooManyRuns) as raised:
        workflow_env.run(wf.Relay)
    assert time.monotonic() - began < 10
    line = str(raised.value)
    assert re.fullmatch(
        r"Relay local-event_limit\.relay-\w+ is still open after 1,000 runs continued as new in one run\(\) or "
        r"finish\(\) \(at 60,00\d s of virtual time\): it may never end; step it with start\(\) and advance\(\), "
        r"or let it go further with WorkflowEnv\(max_runs=N\) or @pytest\.mark\.workflow_env\(max_runs=N\)",
        line,
    ), line


@pytest.mark.workflow_env(max_runs=5)
def test_max_runs_counts_the_runs_of_one_call(workflow_env):
    assert workflow_env.run(wf.Relay, 5).result == 5  # five runs: four continued as new
    with pytest.raises(TooManyRuns, match="after 5 runs continued as new in one run"):
        workflow_env.run(wf.Relay, 6)
    execution = workflow_env.start(wf.Relay)
    execution.advance(minutes=4)  # each call has its own max_runs
    execution.advance(minutes=4)
    with pytest.raises(TooManyRuns, match=r"in one start\(\) or advance\(\)"):
        execution.advance(minutes=6)
    assert not execution.closed


@pytest.mark.workflow_env(max_runs=50)
def test_a_run_that_continues_as_new_at_once_stops_where_no_time_passes(workflow_env):
    with pytest.raises(TooManyRuns, match="after 50 runs continued as new in one start"):
        workflow_env.start(wf.Spin)


@pytest.mark.parametrize("value", [0, -1, 2.5, True, "10"])
def test_max_runs_is_a_positive_integer(value):
    with pytest.raises(UsageError, match=f"max_runs={value!r} is not a positive integer"):
        WorkflowEnv(max_runs=value)
