"""Child workflows, continue-as-new, signals between executions and cancelling children or other
executions, end to end on the dev server (the fast-timers one: an hour of timer lasts a second); each
run is compared with the local host's: the same runs, task ids, decisions and result.
"""

from __future__ import annotations

import inspect
import json
import logging
import re
import threading
import time
import uuid
from typing import Any

import pytest

from simpleflow.history import CLOSING_EVENTS, attributes, where_raised
from simpleflow.local import LocalExecution
from simpleflow.swf import client, executions
from simpleflow.swf.decider import Decider
from simpleflow.swf.standalone import run_standalone
from simpleflow.swf.starter import start_workflow
from tests.swf.test_features import decider_and_worker, wait_until_waiting
from tests.swf_e2e_helpers import completed_result, simpleflow, simpleflow_here, wait_closed

DECIDED = ("ActivityTaskScheduled", "StartChildWorkflowExecutionInitiated", "StartTimer", "TimerStarted")


@pytest.fixture
def domain(fast_domain: str) -> str:
    return fast_domain


def _plain(text: str) -> str:
    """Ids embed the parent's run id hash (``--<hash>--``): the same on both hosts once hidden."""
    return re.sub(r"--[0-9a-f]{1,8}--", "--#--", text)


def run_story(events: list[dict[str, Any]]) -> dict[str, Any]:
    """What a run decided and how it ended: its activities and children (ids, types, inputs, child policy), its
    timers, the cancel requests it sent, and its closing event."""

    def decoded(text: str | None) -> Any:
        return json.loads(text) if text else None

    story: dict[str, Any] = {"activities": [], "children": [], "timers": [], "cancels": [], "signals": []}
    for event in events:
        etype, a = event["eventType"], attributes(event)
        if etype == "ActivityTaskScheduled":
            story["activities"].append((a["activityId"], a["activityType"]["name"], decoded(a.get("input"))))
        elif etype == "StartChildWorkflowExecutionInitiated":
            child = (_plain(a["workflowId"]), a["workflowType"]["name"], decoded(a.get("input")), a.get("childPolicy"))
            story["children"].append(child)
        elif etype == "TimerStarted" and a["timerId"] != "_simpleflow_wake_up_timer":
            story["timers"].append(a["timerId"])
        elif etype == "RequestCancelExternalWorkflowExecutionInitiated":
            story["cancels"].append(_plain(a["workflowId"]))
        elif etype == "SignalExternalWorkflowExecutionInitiated":
            story["signals"].append((_plain(a["workflowId"]), a["signalName"]))
        elif etype in CLOSING_EVENTS:
            closing = {k: v for k, v in a.items() if k in ("result", "reason")}
            story["close"] = (etype, {k: decoded(v) if k == "result" else v for k, v in closing.items()})
    for key in ("activities", "children"):
        story[key].sort(key=json.dumps)  # tasks scheduled together start in any order on SWF
    return story


def local_stories(execution: LocalExecution) -> dict[str, list[dict[str, Any]]]:
    """Each workflow id's runs (in order) of a local execution tree, as run stories."""
    out: dict[str, list[dict[str, Any]]] = {}
    for member in execution.family.members:
        out.setdefault(_plain(member.workflow_id), []).append(run_story(member.events))
    return out


def swf_stories(domain: str) -> dict[str, list[dict[str, Any]]]:
    """Each workflow id's runs (in order of their start) in *domain*, as run stories."""
    swf = client.swf_client()
    infos = []
    for status in ("open", "closed"):
        infos += client.list_executions(domain, status, started_since_days=None)
    out: dict[str, list[dict[str, Any]]] = {}
    for info in sorted(infos, key=lambda i: i["startTimestamp"]):
        execution = info["execution"]
        events = client.get_history(domain, execution["workflowId"], execution["runId"])
        out.setdefault(_plain(execution["workflowId"]), []).append(run_story(events))
    assert swf is not None
    return out


def both_hosts(domain: str, workflow_class: type, args: list, *, workflow_id: str, **local: Any) -> tuple[Any, Any]:
    """The execution on the local host and with ``standalone`` on SWF, under one workflow id: both outcomes,
    after checking they decided alike, run for run."""
    input = {"args": args, "kwargs": {}}
    here = LocalExecution(workflow_class, input, workflow_id=workflow_id, **local)
    local_outcome = here.execute()
    remote = run_standalone(domain, workflow_class, input, workflow_id=workflow_id, progress=None, timeout=60)
    assert remote.status == local_outcome.status, (remote.reason, local_outcome.reason)
    assert remote.result == local_outcome.result
    assert swf_stories(domain) == local_stories(here)
    return local_outcome, remote


def parent_events(domain: str, workflow_id: str) -> list[dict[str, Any]]:
    return client.get_history(domain, workflow_id, client.latest_run_id(domain, workflow_id))


# --- child workflows and continue-as-new ------------------------------------------------------------


def test_the_child_workflow_example_starts_and_hears_of_its_children_on_swf_as_locally(domain):
    from examples.child_workflow import ParentWorkflow

    local, remote = both_hosts(domain, ParentWorkflow, [3], workflow_id="parent")
    assert remote.result == {"doubled": [0, 2, 4], "failing_child": True, "named": "named-child-3"}
    events = parent_events(domain, "parent")
    closed = [e["eventType"] for e in events if e["eventType"].startswith("ChildWorkflowExecution")]
    assert sorted(closed) == sorted(
        ["ChildWorkflowExecutionStarted"] * 5
        + ["ChildWorkflowExecutionCompleted"] * 4
        + ["ChildWorkflowExecutionFailed"]
    )
    started = {
        attributes(e)["initiatedEventId"]: attributes(e)
        for e in events
        if e["eventType"] == "ChildWorkflowExecutionStarted"
    }
    for event in events:
        if event["eventType"] in ("ChildWorkflowExecutionCompleted", "ChildWorkflowExecutionFailed"):
            a = attributes(event)
            assert a["workflowExecution"] == started[a["initiatedEventId"]]["workflowExecution"]
    # The child's start names its parent.
    named = client.get_history(domain, "named-child-3", client.latest_run_id(domain, "named-child-3"))
    begun = attributes(named[0])
    assert begun["parentWorkflowExecution"] == {"workflowId": "parent", "runId": remote.run_id}
    assert not begun.get("tagList")  # INHERIT_TAG_LIST of a parent without tags
    assert begun["childPolicy"] == "ABANDON"


def test_the_continue_as_new_example_runs_the_same_runs_on_swf_as_locally(domain):
    from examples.continue_as_new import CountdownWorkflow

    local, remote = both_hosts(domain, CountdownWorkflow, [5], workflow_id="countdown")
    assert remote.result == {"total": 15, "runs_continued_from": True}
    runs = client.list_executions(domain, "closed", started_since_days=None, workflow_id="countdown")
    by_start = sorted(runs, key=lambda i: i["startTimestamp"])
    assert [i["closeStatus"] for i in by_start] == ["CONTINUED_AS_NEW", "CONTINUED_AS_NEW", "COMPLETED"]
    assert by_start[-1]["execution"]["runId"] == remote.run_id
    for earlier, later in zip(by_start, by_start[1:]):
        ended = client.get_history(domain, "countdown", earlier["execution"]["runId"])[-1]
        began = client.get_history(domain, "countdown", later["execution"]["runId"])[0]
        assert attributes(ended)["newExecutionRunId"] == later["execution"]["runId"]
        assert attributes(began)["continuedExecutionRunId"] == earlier["execution"]["runId"]


def test_continue_as_new_with_an_argument_json_cannot_encode_fails_at_the_users_line_as_an_activity_does(
    domain, caplog
):
    from tests.fixtures.swf_workflows import ContinuesWithAnObject, SubmitsAnObject

    failures = []
    for workflow in (ContinuesWithAnObject, SubmitsAnObject):
        input = {"args": [], "kwargs": {}}
        local = LocalExecution(workflow, input).execute()
        remote = run_standalone(domain, workflow, input, progress=None, timeout=60)
        for outcome in (local, remote):
            failures.append((outcome.status, outcome.reason, where_raised(outcome.details)))
    reason = "Cannot replay the workflow: TypeError(object is not JSON serializable)"
    for i, workflow in enumerate((ContinuesWithAnObject, SubmitsAnObject)):  # on either host, as an activity's
        line = inspect.getsourcelines(workflow.run)[1] + 1
        where = f"tests/fixtures/swf_workflows.py, line {line}, in run"
        assert failures[2 * i] == failures[2 * i + 1] == ("failed", reason, where)
    # The run failed in run(), not in the decider after it: no traceback logged (by the local host, here).
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


def test_two_children_given_one_id_fail_the_parent_at_the_second_submit_on_swf_as_locally(domain):
    """The second child got the first's future, and its result (4, not 9), silently."""
    from tests.fixtures.swf_workflows import TwoChildrenOneId

    local, remote = both_hosts(domain, TwoChildrenOneId, [], workflow_id="one-id")
    assert local.status == "failed" and remote.reason == local.reason
    assert local.reason.startswith(
        "Cannot replay the workflow: ValueError(two tasks under one child workflow id 'the-named-child' (the second "
        "would get the first's result; give each its own id): workflow-tests.swf.named_child "
        '{"args":[2],"kwargs":{}}, then workflow-tests.swf.named_child'
    )


def test_a_child_s_get_tag_list_over_swf_s_five_tags_fails_the_parent_at_its_submit_on_swf_as_locally(domain):
    """The local host started the child; SWF refused the whole decision task, and the parent hung there."""
    from tests.fixtures.swf_workflows import ParentOfManyTags

    local, remote = both_hosts(domain, ParentOfManyTags, [], workflow_id="many-tags")
    assert local.status == "failed" and remote.reason == local.reason
    assert local.reason == (
        "Cannot replay the workflow: ValueError(tests.fixtures.swf_workflows.ManyTagsChild.get_tag_list(): tag_list "
        "has 6 tags, SWF takes 5 at most)"
    )


@pytest.mark.parametrize(
    "workflow, input",
    [("examples.child_workflow.ParentWorkflow", "[3]"), ("examples.continue_as_new.CountdownWorkflow", "[5]")],
)
def test_standalone_prints_what_local_prints(domain, workflow, input):
    remote = simpleflow("standalone", "--domain", domain, workflow, "--input", input)
    assert remote.returncode == 0, remote.stderr
    local = simpleflow("workflow.start", "--local", workflow, "--input", input)
    assert local.returncode == 0, local.stderr
    assert remote.stdout.splitlines()[-1] == local.stdout.splitlines()[-1]


def test_children_started_the_original_simpleflow_way_run_on_swf_as_locally(domain):
    from tests.fixtures.compat_workflows import ParentWorkflow

    input = {"args": [3], "kwargs": {}}
    local = LocalExecution(ParentWorkflow, input, workflow_id="compat").execute()
    remote = run_standalone(
        domain,
        ParentWorkflow,
        input,
        workflow_id="compat",
        progress=None,
        timeout=60,
        modules=["tests.fixtures.compat_activities"],
    )
    assert remote.status == "completed", (remote.reason, remote.details)
    assert remote.result == local.result == [6, 8]
    children = [
        attributes(e)
        for e in parent_events(domain, "compat")
        if e["eventType"] == "StartChildWorkflowExecutionInitiated"
    ]
    assert {c["workflowType"]["name"] for c in children} == {"tests.fixtures.compat_workflows.ChildWithoutId"}
    assert [json.loads(c["input"]) for c in children] == [
        {"args": [3], "kwargs": {}},
        {"args": [4], "kwargs": {"workflow_name": "compat-named-child"}},
    ]


def test_a_child_sent_to_its_parents_task_list_is_decided_by_the_parents_decider(domain):
    # simpleflow's task lists page: WorkflowTask(..., workflow_task_list=self._executor.task_list). Only the
    # parent's task list is polled here: the child's own ("compat-elsewhere") has no decider.
    from tests.fixtures.compat_workflows import OwnTaskList, ParentRoutesChild

    task_list = f"routes-{uuid.uuid4().hex[:8]}"
    stop = threading.Event()
    decider = Decider(domain, task_list, [ParentRoutesChild, OwnTaskList])
    thread = threading.Thread(target=decider.run, args=(stop,), daemon=True)
    thread.start()
    try:
        execution = start_workflow(domain, ParentRoutesChild, {"args": [], "kwargs": {}}, task_list=task_list)
        events = wait_closed(domain, execution["workflowId"], execution["runId"], timeout=30)
    finally:
        stop.set()
        thread.join(10)
    assert completed_result(events) == [True, True]
    (child,) = [attributes(e) for e in events if e["eventType"] == "StartChildWorkflowExecutionInitiated"]
    assert child["taskList"] == {"name": task_list}


# --- signals between executions -----------------------------------------------------------------------


def test_the_signals_example_propagates_its_signal_to_its_child_on_swf_as_locally(domain):
    from examples.signals import Reviewer, SignalsWorkflow

    with decider_and_worker(domain, [SignalsWorkflow, Reviewer], modules=("examples.signals",)) as task_list:
        execution = start_workflow(
            domain, SignalsWorkflow, {"args": [], "kwargs": {}}, workflow_id="signals", task_list=task_list
        )
        wait_until_waiting(domain, execution)
        executions.signal(domain, execution["workflowId"], "approve", json.dumps({"args": ["alice"], "kwargs": {}}))
        events = wait_closed(domain, execution["workflowId"], execution["runId"])
    approval = [(3600, "approve", {"args": ["alice"], "kwargs": {}})]
    local = LocalExecution(
        SignalsWorkflow, {"args": [], "kwargs": {}}, workflow_id="signals", signals=approval
    ).execute()
    result = json.loads(attributes(events[-1])["result"])
    assert (
        result
        == local.result
        == {"result": "published, approved by alice", "reviewer": "reviewer saw approval by alice"}
    )
    story = run_story(events)
    assert story == run_story(local.events)
    assert [name for _, name in story["signals"]] == ["approved", "approved"]  # to itself, then to its child


# --- cancelling children and other executions ---------------------------------------------------------


@pytest.mark.parametrize(
    "stubborn, child", [(False, "cancelled"), (True, "the child workflow completed instead of being canceled")]
)
def test_a_parent_cancels_its_child_on_swf_as_locally(domain, stubborn, child):
    from tests.fixtures.cancel_workflows import CancelChildWorkflow

    local, remote = both_hosts(domain, CancelChildWorkflow, [stubborn], workflow_id="canceller", workers=2)
    assert remote.result["asked"] is True and child in remote.result["child"]
    types = [e["eventType"] for e in parent_events(domain, "canceller")]
    closed = "ChildWorkflowExecutionCompleted" if stubborn else "ChildWorkflowExecutionCanceled"
    assert (
        types.index("RequestCancelExternalWorkflowExecutionInitiated")
        < types.index("ExternalWorkflowExecutionCancelRequested")
        < types.index(closed)
    )


def test_cancel_workflow_by_id_reaches_the_child_and_an_unknown_id_fails_on_swf_as_locally(domain):
    from tests.fixtures.cancel_workflows import CancelByIdWorkflow

    local, remote = both_hosts(domain, CancelByIdWorkflow, [], workflow_id="by-id", workers=2)
    assert remote.result["sent"] is None
    assert "UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION" in remote.result["unknown"]
    assert remote.result["child"].startswith("TaskCanceled")


def test_the_cancel_example_cancels_its_scan_child_and_timer_on_swf_as_locally(domain):
    from examples.cancel import LookupWorkflow

    local, remote = both_hosts(domain, LookupWorkflow, ["k"], workflow_id="lookup", workers=2)
    assert remote.result == {
        "answer": "cached value for k",
        "scan": "cancelled",
        "report": "cancelled",
        "reminder": "cancelled",
    }
    types = [e["eventType"] for e in parent_events(domain, "lookup")]
    for event in ("ActivityTaskCanceled", "ChildWorkflowExecutionCanceled", "TimerCanceled"):
        assert event in types


# --- schedules ---------------------------------------------------------------------------------------------


def test_schedule_trigger_starts_its_run_on_swf(domain):
    from simpleflow.schedule import ScheduleWorkflow
    from tests.fixtures.signal_workflows import PublishOnlyWorkflow

    with decider_and_worker(domain, [ScheduleWorkflow, PublishOnlyWorkflow]) as task_list:
        target = "tests.fixtures.signal_workflows.PublishOnlyWorkflow"
        created = simpleflow(
            "schedule.create",
            "--domain",
            domain,
            "--task-list",
            task_list,
            "nightly",
            target,
            "--cron",
            "0 3 1 1 *",
            "--input",
            '["release-1"]',
        )
        assert created.returncode == 0, created.stderr
        schedule = {"workflowId": "schedule-nightly", "runId": created.stdout.split()[1]}
        wait_until_waiting(domain, schedule)
        before = time.time()
        assert simpleflow("schedule.trigger", "nightly", "--domain", domain).returncode == 0
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            runs = [
                i
                for i in client.list_executions(domain, "closed", started_since_days=None)
                if i["execution"]["workflowId"].startswith("nightly-manual-")
            ]
            if runs:
                break
            time.sleep(0.1)
        assert runs, "the triggered run never closed"
        run = runs[0]["execution"]
        assert runs[0]["closeStatus"] == "COMPLETED"
        assert runs[0]["parent"] == schedule
        assert runs[0]["startTimestamp"].timestamp() >= before - 1
        events = client.get_history(domain, run["workflowId"], run["runId"])
        local = LocalExecution(PublishOnlyWorkflow, {"args": ["release-1"], "kwargs": {}}).execute()
        assert json.loads(attributes(events[-1])["result"]) == local.result
        assert simpleflow("schedule.delete", "nightly", "--domain", domain).returncode == 0
    # ABANDON: deleting (terminating) the schedule leaves its runs as they are.
    info = client.swf_client().describe_workflow_execution(domain=domain, execution=run)["executionInfo"]
    assert info["closeStatus"] == "COMPLETED"


def test_schedule_signals_keep_one_fire_timer_open_and_continue_as_new_past_the_event_budget(domain):
    from simpleflow import schedule
    from simpleflow.schedule import ScheduleWorkflow, _swf
    from tests.fixtures.signal_workflows import PublishOnlyWorkflow

    target = schedule.target_of("tests.fixtures.signal_workflows.PublishOnlyWorkflow", '["release-1"]')
    payload = schedule.schedule_input("pulse", "0 3 1 1 *", target, events_per_run=60)
    swf = client.swf_client()

    def waiting_run() -> dict[str, Any]:
        """The schedule's open run once it waits (a run that just continued as new gives way to the next)."""
        for _ in range(5):
            run = {"workflowId": "schedule-pulse", "runId": _swf._open_run(domain, "pulse")}
            wait_until_waiting(domain, run)
            info = swf.describe_workflow_execution(domain=domain, execution=run)
            if info["executionInfo"]["executionStatus"] == "OPEN":
                return info
        raise AssertionError("the schedule never waited in an open run")

    with decider_and_worker(domain, [ScheduleWorkflow, PublishOnlyWorkflow]) as task_list:
        first = _swf.create(domain, payload, task_list=task_list)
        wait_until_waiting(domain, first)
        for kind in ["pause", "resume"] * 7 + ["trigger"]:
            _swf.signal(domain, "pulse", kind)
            deadline = time.monotonic() + 20
            while kind == "trigger" and time.monotonic() < deadline:  # until the run it started closed
                closed = client.list_executions(domain, "closed", started_since_days=None)
                if any(i["execution"]["workflowId"].startswith("pulse-manual-") for i in closed):
                    break
                time.sleep(0.1)
            assert waiting_run()["openCounts"]["openTimers"] == 1, kind
        assert simpleflow("schedule.delete", "pulse", "--domain", domain).returncode == 0
    runs = client.list_executions(domain, "closed", started_since_days=None, workflow_id="schedule-pulse")
    assert "CONTINUED_AS_NEW" in {r["closeStatus"] for r in runs}  # 14 signals alone spent the budget
    for info in runs:
        events = client.get_history(domain, "schedule-pulse", info["execution"]["runId"])
        assert len(events) <= 60 + 20


def test_schedule_trigger_while_its_run_is_open_says_it_is_not_taken_and_the_schedule_marks_a_late_one(domain):
    from simpleflow.schedule import ScheduleWorkflow, _swf
    from tests.fixtures.signal_workflows import ApprovalWorkflow
    from tests.swf.test_features import markers

    with decider_and_worker(domain, [ScheduleWorkflow, ApprovalWorkflow]) as task_list:
        target = "tests.fixtures.signal_workflows.ApprovalWorkflow"  # waits for "approve": stays open
        common = ("--domain", domain)
        created = simpleflow_here(
            "schedule.create", *common, "--task-list", task_list, "gate", target, "--cron", "0 3 1 1 *", "-i", '["x"]'
        )
        assert created.returncode == 0, created.stderr
        schedule = {"workflowId": "schedule-gate", "runId": created.stdout.split()[1]}
        wait_until_waiting(domain, schedule)
        first = simpleflow_here("schedule.trigger", "gate", *common)
        assert first.returncode == 0, first.stderr
        manual = first.stdout.split()[-1]
        assert first.stdout == f"schedule gate: trigger: starts {manual}\n" and manual.startswith("gate-manual-")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not client.list_executions(
            domain, "open", started_since_days=None, workflow_id=manual
        ):
            time.sleep(0.1)
        wait_until_waiting(domain, schedule)
        second = simpleflow_here("schedule.trigger", "gate", *common)
        assert second.returncode == 1
        assert second.stderr == f"schedule gate: trigger not taken: {manual} still open (--overlap skip)\n"
        # A trigger that reaches the schedule while the run is open (sent before it started, say) is
        # dropped as the command drops it, and the history says so.
        _swf.signal(domain, "gate", "trigger")
        events = wait_until_waiting(domain, schedule)
        signals = [attributes(e)["signalName"] for e in events if e["eventType"] == "WorkflowExecutionSignaled"]
        assert signals == ["trigger", "trigger"]  # the command sent nothing the second time
        started = [
            attributes(e)["workflowId"] for e in events if e["eventType"] == "StartChildWorkflowExecutionInitiated"
        ]
        assert started == [manual]
        skipped = [details for name, details in markers(events) if name == "simpleflow.schedule.trigger-skipped"]
        assert len(skipped) == 1 and skipped[0]["open"] == [manual]
        assert skipped[0]["workflow_id"].startswith("gate-manual-")
        executions.terminate(domain, manual, None, reason="test over")
        assert simpleflow_here("schedule.delete", "gate", *common).returncode == 0
