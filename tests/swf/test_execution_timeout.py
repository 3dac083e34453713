"""The execution timeout on the dev server (real time) and on the local host: the same runs, decisions and
closing events (WorkflowExecutionTimedOut, the parent's ChildWorkflowExecutionTimedOut, the child policy)."""

from __future__ import annotations

import datetime
import time
import uuid

import pytest

from simpleflow.history import attributes
from simpleflow.local import LocalExecution
from simpleflow.swf import client
from simpleflow.swf.standalone import run_standalone
from simpleflow.swf.starter import start_workflow
from tests.fixtures import execution_timeout_workflows as wf
from tests.swf.test_children import local_stories, swf_stories
from tests.swf.test_features import decider_and_worker


def _both_hosts(domain: str, workflow_class: type, args: list) -> tuple[LocalExecution, object]:
    """The execution on the local host and with ``standalone`` on the dev server, under one workflow id."""
    input = {"args": args, "kwargs": {}}
    workflow_id = f"exto-{uuid.uuid4().hex[:8]}"
    here = LocalExecution(workflow_class, input, workflow_id=workflow_id)
    local = here.execute()
    remote = run_standalone(domain, workflow_class, input, workflow_id=workflow_id, progress=None, timeout=60)
    assert (local.status, remote.status) == ("timed_out", "timed_out"), (remote.reason, remote.details)
    assert swf_stories(domain) == local_stories(here)  # the same runs, the same decisions, the same closings
    return here, remote


def _closings(runs: list[list[dict]]) -> list[tuple[str, dict, float]]:
    """Each run's closing event: its type, its attributes SWF always gives, seconds after the run's start."""
    out = []
    for events in runs:
        last = events[-1]
        kept = {k: v for k, v in attributes(last).items() if k in ("timeoutType", "childPolicy", "cause")}
        took = last["eventTimestamp"] - events[0]["eventTimestamp"]
        if isinstance(took, datetime.timedelta):  # SWF's timestamps are datetimes, the local host's epochs
            took = took.total_seconds()
        out.append((last["eventType"], kept, round(took)))
    return out


def _assert_alike(local: list[tuple], remote: list[tuple]) -> None:
    """The same closings (or events) in the same order, at the same second within two: the dev server's
    decisions take real time, which a busy machine stretches (a child started late times out late; a
    continue-as-new decided 1.5 s after its timer was seen under eight test processes on two cores). Each
    test also checks the local host's instants exactly (its virtual clock)."""
    assert [c[:-1] for c in local] == [c[:-1] for c in remote], (local, remote)
    assert all(abs(mine[-1] - theirs[-1]) <= 2 for mine, theirs in zip(local, remote)), (local, remote)


def _swf_runs(domain: str) -> list[list[dict]]:
    infos = client.list_executions(domain, "closed", started_since_days=None)
    infos.sort(key=lambda info: (info["startTimestamp"], info["execution"]["workflowId"]))
    return [client.get_history(domain, i["execution"]["workflowId"], i["execution"]["runId"]) for i in infos]


def _local_runs(execution: LocalExecution) -> list[list[dict]]:
    members = sorted(execution.family.members, key=lambda m: (m.events[0]["eventTimestamp"], m.workflow_id))
    return [m.events for m in members]


def test_an_execution_past_its_timeout_times_out_on_the_dev_server_as_locally(swf_domain):
    here, _ = _both_hosts(swf_domain, wf.TimesOut, [])
    closings = _closings(_local_runs(here))
    _assert_alike(closings, _closings(_swf_runs(swf_domain)))
    assert closings == [("WorkflowExecutionTimedOut", {"timeoutType": "START_TO_CLOSE", "childPolicy": "TERMINATE"}, 5)]


def test_a_child_timed_out_and_a_child_policy_applied_on_the_dev_server_as_locally(swf_domain):
    here, _ = _both_hosts(swf_domain, wf.Parent, [])
    closings = _closings(_local_runs(here))
    _assert_alike(sorted(closings), sorted(_closings(_swf_runs(swf_domain))))
    assert sorted(closings) == [
        ("WorkflowExecutionTerminated", {"childPolicy": "TERMINATE", "cause": "CHILD_POLICY_APPLIED"}, 6),
        ("WorkflowExecutionTimedOut", {"timeoutType": "START_TO_CLOSE", "childPolicy": "TERMINATE"}, 3),
        ("WorkflowExecutionTimedOut", {"timeoutType": "START_TO_CLOSE", "childPolicy": "TERMINATE"}, 6),
    ]
    [parent] = [events for events in _swf_runs(swf_domain) if not attributes(events[0]).get("parentWorkflowExecution")]
    heard = [attributes(e)["timeoutType"] for e in parent if e["eventType"] == "ChildWorkflowExecutionTimedOut"]
    assert heard == ["START_TO_CLOSE"]


def test_a_continued_run_times_out_on_its_own_time_on_the_dev_server_as_locally(swf_domain):
    here, _ = _both_hosts(swf_domain, wf.Relay, [1])
    closings = _closings(_local_runs(here))
    # The continue-as-new comes a decision task after its timer on the dev server (real time).
    _assert_alike(closings, _closings(_swf_runs(swf_domain)))
    assert [(kind, seconds) for kind, _, seconds in closings] == [
        ("WorkflowExecutionContinuedAsNew", 2),
        ("WorkflowExecutionTimedOut", 6),  # 8 s after the execution's start: its own 6 s
    ]


def _wait_all_closed(domain: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while client.list_executions(domain, "open", started_since_days=None):
        assert time.monotonic() < deadline, "executions still open"
        time.sleep(0.2)


@pytest.mark.parametrize("child", ["obedient", "stubborn"])
def test_a_child_a_timed_out_root_asks_to_cancel_acts_on_it_on_the_dev_server_as_locally(swf_domain, child):
    input = {"args": [child], "kwargs": {}}
    workflow_id = f"exto-{uuid.uuid4().hex[:8]}"
    here = LocalExecution(wf.AskingParent, input, workflow_id=workflow_id)
    assert here.execute().status == "timed_out"
    # A decider that goes on after the root closed, as SWF's deciders do (standalone stops with the root).
    workflows = [wf.AskingParent, wf.ObedientChild, wf.StubbornChild]
    with decider_and_worker(swf_domain, workflows, modules=(wf.__name__,)) as task_list:
        start_workflow(swf_domain, wf.AskingParent, input, workflow_id=workflow_id, task_list=task_list)
        _wait_all_closed(swf_domain)
    assert swf_stories(swf_domain) == local_stories(here)  # the child cancelled itself, or ran on to its end
    closings = sorted(_closings(_local_runs(here)))
    _assert_alike(closings, sorted(_closings(_swf_runs(swf_domain))))
    ended = ("WorkflowExecutionCanceled", {}, 2) if child == "obedient" else ("WorkflowExecutionCompleted", {}, 4)
    assert closings == sorted(
        [ended, ("WorkflowExecutionTimedOut", {"timeoutType": "START_TO_CLOSE", "childPolicy": "REQUEST_CANCEL"}, 2)]
    )


def _timed_story(events: list[dict]) -> list[tuple[str, float]]:
    """(event type, seconds after the start) of a run's events, its decision tasks left out (their places depend
    on when a decider polls)."""
    start = events[0]["eventTimestamp"]
    out = []
    for event in events:
        took = event["eventTimestamp"] - start
        if isinstance(took, datetime.timedelta):
            took = took.total_seconds()
        if not event["eventType"].startswith("DecisionTask"):
            out.append((event["eventType"], round(took)))
    return out


@pytest.mark.parametrize(
    "workflow_class, story",
    [
        # Its own timer, while its one worker runs an activity past its timeout.
        (
            wf.TimerBehindActivity,
            [
                ("ActivityTaskScheduled", 0),
                ("TimerStarted", 0),
                ("ActivityTaskStarted", 0),  # once the whole decision is recorded
                ("TimerFired", 2),
                ("WorkflowExecutionTimedOut", 3),
            ],
        ),
        # Its timer, while its child's activity runs past the child's timeout.
        (
            wf.TimerBesideBusyChild,
            [
                ("StartChildWorkflowExecutionInitiated", 0),
                ("TimerStarted", 0),
                ("ChildWorkflowExecutionStarted", 0),  # once the whole decision is recorded
                ("TimerFired", 2),
                ("ChildWorkflowExecutionTimedOut", 3),
                ("WorkflowExecutionCompleted", 3),
            ],
        ),
    ],
)
def test_a_timer_due_before_a_timeout_fires_first_on_the_dev_server_as_locally(swf_domain, workflow_class, story):
    input = {"args": [], "kwargs": {}}
    local = LocalExecution(workflow_class, input).execute()  # one worker, busy past the timeout
    with decider_and_worker(swf_domain, [workflow_class, wf.BusyChild], modules=(wf.__name__,)) as task_list:
        execution = start_workflow(swf_domain, workflow_class, input, task_list=task_list)
        _wait_all_closed(swf_domain)
    remote = client.get_history(swf_domain, execution["workflowId"], execution["runId"])
    _assert_alike(_timed_story(local.events), _timed_story(remote))
    assert _timed_story(local.events) == [("WorkflowExecutionStarted", 0), *story]
