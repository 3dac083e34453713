"""Retry policies on the dev server: an activity failing twice waits its policy's timers, then succeeds,
with the task ids, timers and result of the local host.

The fast-timers server of tests/swf/conftest.py (an hour of timer lasts a second there) keeps the example's 30 s
and 60 s waits short.
"""

from __future__ import annotations

from typing import Any

import pytest

from examples.retry_policy import FETCH_POLICY, RetryPolicyWorkflow
from simpleflow.engine import policy_timer_id
from simpleflow.local import LocalExecution
from simpleflow.local.replay import check_history
from simpleflow.swf import client
from simpleflow.swf.standalone import run_standalone
from tests.fixtures.retry_workflows import BadRetryWait, MendedRetries
from tests.swf.test_features import WAKE_UP_TIMER
from tests.swf_e2e_helpers import attributes, outcomes_by_task, scheduled

FETCH_ID = "activity-examples.retry_policy.fetch_rates-1"


@pytest.fixture
def domain(fast_domain: str) -> str:
    return fast_domain


def timers(events: list[dict[str, Any]]) -> list[tuple[str, str, str | None]]:
    """(event type, timer id, its duration when started) of the retry timers, in order."""
    return [
        (e["eventType"], attributes(e)["timerId"], attributes(e).get("startToFireTimeout"))
        for e in events
        if e["eventType"].startswith("Timer") and attributes(e)["timerId"] != WAKE_UP_TIMER
    ]


def test_a_task_failing_twice_is_retried_after_its_policy_timers_on_swf_as_locally(domain, tmp_path):
    input = {"args": [str(tmp_path)], "kwargs": {}}
    local = LocalExecution(RetryPolicyWorkflow, input).execute()
    assert local.status == "completed", local.reason
    remote = run_standalone(domain, RetryPolicyWorkflow, input, progress=None, timeout=60)
    assert remote.status == "completed", (remote.reason, remote.details)
    assert (
        remote.result == local.result == {"fetched": {"attempts": 3}, "checked": "InvalidOrder: order 7 has no items"}
    )
    events = client.get_history(domain, remote.workflow_id, remote.run_id)
    second, third = policy_timer_id(FETCH_ID, 2), policy_timer_id(FETCH_ID, 3)
    waits = [str(FETCH_POLICY.interval(n, FETCH_ID)) for n in (1, 2)]
    assert (
        timers(events)
        == timers(local.events)
        == [
            ("TimerStarted", second, waits[0]),
            ("TimerFired", second, None),
            ("TimerStarted", third, waits[1]),
            ("TimerFired", third, None),
        ]
    )
    assert outcomes_by_task(events) == outcomes_by_task(local.events)
    assert outcomes_by_task(events)[FETCH_ID] == ["ActivityTaskFailed", "ActivityTaskFailed", "ActivityTaskCompleted"]
    assert outcomes_by_task(events)["activity-examples.retry_policy.check_order-1"] == ["ActivityTaskFailed"]
    assert sorted(scheduled(events), key=repr) == sorted(scheduled(local.events), key=repr)  # retries say their attempt


def test_a_task_cancelled_between_attempts_cancels_its_retry_timer_on_swf_as_locally(domain):
    from tests.fixtures.cancel_workflows import CancelRetryWorkflow

    input = {"args": [], "kwargs": {}}
    local = LocalExecution(CancelRetryWorkflow, input).execute()
    remote = run_standalone(domain, CancelRetryWorkflow, input, progress=None, timeout=60)
    assert remote.status == local.status == "completed", (remote.reason, local.reason)
    assert remote.result == local.result == {"asked": True, "waiting": "cancelled"}
    events = client.get_history(domain, remote.workflow_id, remote.run_id)
    wait = policy_timer_id("activity-tests.fixtures.cancel_workflows.always_fails-1", 2)
    story = [(kind, timer_id) for kind, timer_id, _ in timers(events)]
    assert story == [(kind, timer_id) for kind, timer_id, _ in timers(local.events)]
    assert story == [
        ("TimerStarted", "an-hour"),
        ("TimerStarted", wait),
        ("TimerFired", "an-hour"),
        ("TimerCanceled", wait),
    ]
    assert outcomes_by_task(events) == outcomes_by_task(local.events)
    assert sorted(scheduled(events), key=repr) == sorted(scheduled(local.events), key=repr)  # retries say their attempt


@pytest.mark.parametrize("cached_runs", ["0", "256"])  # deciders replaying in full at each task; resuming runs
def test_retries_on_task_failure_gave_other_arguments_complete_on_swf_as_locally_and_replay(
    domain, monkeypatch, cached_runs
):
    monkeypatch.setenv("SIMPLEFLOW_DECIDER_CACHE_RUNS", cached_runs)
    input = {"args": [[-2, 1, -3]], "kwargs": {}}
    remote = run_standalone(domain, MendedRetries, input, progress=None, timeout=60)
    assert remote.status == "completed", (remote.reason, remote.details)
    local = LocalExecution(MendedRetries, input).execute()
    assert remote.result == local.result == {"tens": [50, 10, 70], "last_failed": True}
    events = client.get_history(domain, remote.workflow_id, remote.run_id)
    assert sorted(scheduled(events), key=repr) == sorted(scheduled(local.events), key=repr)
    decisions, mismatches = check_history(MendedRetries, events)  # what workflow.replay reports
    assert mismatches == [] and [d["decisionType"] for d in decisions] == ["CompleteWorkflowExecution"]


@pytest.mark.parametrize("wait, by_hand", [(0.5, False), (-3, False), (10**9, False), (1.5, True)])
def test_on_task_failure_retrying_after_a_wait_swf_refuses_fails_the_execution_on_swf_as_locally(domain, wait, by_hand):
    """SWF refuses such a timer with the whole decision task (the execution stuck there) or fails it; the local
    host waited it: both now fail the execution at once, naming the wait."""
    input = {"args": [wait, by_hand], "kwargs": {}}
    local = LocalExecution(BadRetryWait, input).execute()
    remote = run_standalone(domain, BadRetryWait, input, progress=None, timeout=30)
    expected = f"retry's wait (retry_wait_timeout) must be a whole number of seconds (0 to 99999999), not {wait}"
    assert (local.status, remote.status) == ("failed", "failed")
    assert expected in local.reason and remote.reason == local.reason
    events = client.get_history(domain, remote.workflow_id, remote.run_id)
    assert timers(events) == timers(local.events) == []
