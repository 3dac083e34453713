"""The decider's run cache: resumed runs, sliced histories and evictions decide like full replays."""

from __future__ import annotations

import pytest

from simpleflow.swf.decider import Decider, RunCache
from tests.fixtures import engine_workflows as wf
from tests.swf_simulator import SimulatedSWF


def _task(swf: SimulatedSWF, events: list[dict]) -> dict:
    return {
        "taskToken": "t",
        "workflowExecution": {"workflowId": "wf-id", "runId": "run-id"},
        "workflowType": {"name": "mixed", "version": "1"},
        "events": events,
    }


def _since_previous_started(events: list[dict]) -> list[dict]:
    """What SWF sends with startAtPreviousStartedEvent: from the previous DecisionTaskStarted on."""
    started = [i for i, e in enumerate(events) if e["eventType"] == "DecisionTaskStarted"]
    return events[started[-2] :] if len(started) > 1 else events


@pytest.mark.parametrize("seed", range(4))
def test_cached_decider_with_partial_histories_decides_like_a_cacheless_one(swf_domain, seed):
    swf = SimulatedSWF(
        {"args": [seed, 10], "kwargs": {}, "__extra": {"class": "tests.fixtures.engine_workflows.Mixed"}}, seed
    )
    # The simulated execution is not on the server: a compacted run reloads its events from the simulator.
    cache = RunCache(max_runs=8, reload=lambda info: lambda: list(swf.events))
    cached = Decider(swf_domain, "tl", [wf.Mixed], cache=cache)
    cacheless = Decider(swf_domain, "tl", [wf.Mixed], cache=RunCache(max_runs=0))
    rounds = 0
    while swf.closed is None and rounds < 200:
        swf.start_decision()
        whole = list(swf.events)
        got = cached.decide(_task(swf, _since_previous_started(whole)))
        expected = cacheless.decide(_task(swf, whole))
        assert got == expected, f"round {rounds}"
        assert not any(d["decisionType"] == "FailWorkflowExecution" and "no workflow class" in str(d) for d in got)
        swf.answer(got)
        if swf.closed is None and not swf.progress() and not got:
            break
        rounds += 1
    assert cached.cache.hits >= rounds - 1 and cacheless.cache.hits == 0


def test_a_full_history_sent_again_skips_the_events_already_applied(swf_domain):
    # The moto server ignores startAtPreviousStartedEvent and always sends everything.
    decider = Decider(swf_domain, "tl", [wf.Chain])
    swf = SimulatedSWF(
        {"args": [5], "kwargs": {}, "__extra": {"class": "tests.fixtures.engine_workflows.Chain"}},
        1,
        fail_rate=0.0,
        timeout_rate=0.0,
    )
    while swf.closed is None:
        swf.start_decision()
        swf.answer(decider.decide(_task(swf, list(swf.events))))
        swf.progress()
    assert swf.closed == "completed"
    assert decider.cache.misses == 1


def test_the_cache_evicts_least_recently_used_runs_past_its_bounds():
    class FakeRun:
        def __init__(self, n):
            self.history = type("H", (), {"events": [None] * n})()
            self.closed = False

        def close(self):
            self.closed = True

    cache = RunCache(max_runs=2, max_events=100)
    a, b, c = FakeRun(10), FakeRun(10), FakeRun(10)
    cache.put("a", a)
    cache.put("b", b)
    cache.put("c", c)
    assert a.closed and not b.closed and len(cache) == 2
    big = FakeRun(95)
    cache.put("big", big)  # 10 + 95 events > 100: "c" goes
    assert b.closed and c.closed and cache.take("big") is big
