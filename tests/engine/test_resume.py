"""Resuming a run with only the new events takes exactly the decisions a full replay takes.

Full replay (a fresh run fed every event) is the reference; randomized
executions drive both over the same event sequences, decision task by
decision task.
"""

from __future__ import annotations

import pytest

from simpleflow.engine import ExecutionInfo, WorkflowRun, replay
from tests.fixtures import engine_workflows as wf
from tests.swf_simulator import SimulatedSWF

INFO = ExecutionInfo(workflow_id="wf-id", run_id="run-id")


def drive(workflow_class, input, seed, max_rounds=400, **rates):
    """Run one randomized execution; assert resumed == full replay at every decision task."""
    swf = SimulatedSWF(input, seed, **rates)
    resumed = WorkflowRun(workflow_class, INFO)
    rounds = 0
    try:
        while swf.closed is None and rounds < max_rounds:
            new = swf.start_decision()
            got = resumed.advance(new)
            expected = replay(workflow_class, swf.events, INFO)
            assert got == expected, f"round {rounds}: resumed run differs from full replay"
            swf.answer(got)
            if swf.closed is None and not swf.progress() and not got:
                break
            rounds += 1
    finally:
        resumed.close()
    return swf, resumed


@pytest.mark.parametrize("seed", range(6))
def test_resumed_chain_matches_full_replay(seed):
    swf, _ = drive(wf.Chain, {"args": [8], "kwargs": {}}, seed, fail_rate=0.0, timeout_rate=0.0)
    assert swf.closed == "completed"


@pytest.mark.parametrize("seed", range(6))
def test_resumed_fanout_matches_full_replay(seed):
    swf, _ = drive(wf.FanOut, {"args": [130], "kwargs": {}}, seed, fail_rate=0.0, timeout_rate=0.0)
    assert swf.closed == "completed"


@pytest.mark.parametrize("seed", range(8))
def test_resumed_dataflow_with_retries_and_failures_matches_full_replay(seed):
    drive(wf.Dataflow, {"args": [seed], "kwargs": {}}, seed)
    drive(wf.Retrying, {"args": [6], "kwargs": {}}, seed, fail_rate=0.5)


@pytest.mark.parametrize("seed", range(6))
def test_resumed_run_with_raises_on_failure_matches_full_replay(seed):
    swf, _ = drive(wf.Strict, {"args": [5], "kwargs": {}}, seed, fail_rate=0.3)
    assert swf.closed in ("completed", "failed")


@pytest.mark.parametrize("seed", range(6))
def test_run_reading_states_without_waiting_falls_back_to_full_replay(seed):
    swf, resumed = drive(wf.Polling, {"args": [6], "kwargs": {}}, seed, fail_rate=0.0, timeout_rate=0.0)
    assert swf.closed == "completed"


@pytest.mark.parametrize("seed", range(25))
def test_resumed_mixed_workflows_match_full_replay(seed):
    drive(wf.Mixed, {"args": [seed, 12], "kwargs": {}}, seed)


@pytest.mark.parametrize("seed", range(8))
def test_waiting_for_the_first_of_several_activities_resumes_and_matches_full_replay(seed):
    # Activities end in a random order, several in one decision task: a full replay, which finds them all ended,
    # takes them in the order their events came, as the resumed run did (never replaying in full).
    swf, resumed = drive(wf.Racing, {"args": [6], "kwargs": {}}, seed, fail_rate=0.0, timeout_rate=0.0)
    assert swf.closed == "completed" and resumed.fallbacks == 0


def test_resuming_does_not_replay_a_chain_from_the_start():
    swf, resumed = drive(wf.Chain, {"args": [30], "kwargs": {}}, 1, fail_rate=0.0, timeout_rate=0.0)
    assert swf.closed == "completed"
    assert resumed.fallbacks == 0


def test_a_run_that_reads_unsettled_state_replays_in_full_next_time():
    swf, resumed = drive(wf.Polling, {"args": [4], "kwargs": {}}, 3, fail_rate=0.0, timeout_rate=0.0)
    assert resumed.fallbacks >= 1
