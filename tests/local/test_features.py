"""Timers, markers, signals, child workflows, continue-as-new and cancel, end to end in the local host.

Every run is also checked the way the SWF decider runs it: a resumed run (one ``advance`` per
decision task, with only the new events) takes the very decisions a full replay takes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from simpleflow import Workflow, activity, futures
from simpleflow.canvas import Group
from simpleflow.constants import DAY, HOUR
from simpleflow.engine import ExecutionInfo, WorkflowRun, replay
from simpleflow.local import LocalExecution
from simpleflow.local.executor import Executor, WorkflowFailed
from simpleflow.task import ChildWorkflowTask

REPO = Path(__file__).resolve().parents[2]


def assert_resume_matches_replay(workflow_class, result):
    """Feed the run's events decision task by decision task; a resumed run must equal a full replay."""
    info = ExecutionInfo(domain="local", workflow_id=result.workflow_id, run_id=result.run_id)
    events = result.events
    run = WorkflowRun(workflow_class, info)
    seen = tasks = 0
    try:
        for i, event in enumerate(events):
            if event["eventType"] != "DecisionTaskStarted":
                continue
            got = run.advance(events[seen : i + 1])
            seen = i + 1
            assert got == replay(workflow_class, events[: i + 1], info), f"decision task at event {i + 1}"
            tasks += 1
    finally:
        run.close()
    assert tasks > 0
    return run


def event_types(result):
    return [e["eventType"] for e in result.events]


def attrs(event):
    kind = event["eventType"]
    return event[kind[0].lower() + kind[1:] + "EventAttributes"]


def elapsed(result):
    return result.events[-1]["eventTimestamp"] - result.events[0]["eventTimestamp"]


@activity.with_attributes(task_list="local", version="1")
def inc(x=0):
    return x + 1


@activity.with_attributes(task_list="local", version="1")
def sleepy(x):
    time.sleep(0.3)
    return x


# -- timers -------------------------------------------------------------------


class TimerWorkflow(Workflow):
    name = "timer"
    version = "1"
    task_list = "local"
    execution_timeout = 2 * HOUR  # its hour fits

    def run(self):
        long = self.submit(self.start_timer("long", DAY))
        futures.wait(self.submit(self.start_timer("short", HOUR)))
        futures.wait(self.submit(self.cancel_timer("long")))
        return long.cancelled


def test_timer_fires_on_the_virtual_clock_and_cancel_timer_cancels():
    started = time.monotonic()
    result = LocalExecution(TimerWorkflow, {}).execute()
    assert result.status == "completed" and result.result is True
    assert time.monotonic() - started < 5
    assert HOUR <= elapsed(result) < DAY
    types = event_types(result)
    assert types.count("TimerStarted") >= 2 and "TimerFired" in types and "TimerCanceled" in types
    fired = next(attrs(e) for e in result.events if e["eventType"] == "TimerFired")
    assert fired["timerId"] == "short"
    assert_resume_matches_replay(TimerWorkflow, result)


class CancelAtOnceWorkflow(Workflow):
    name = "timer_cancel_at_once"
    version = "1"
    task_list = "local"
    execution_timeout = 2 * HOUR

    def run(self):
        long = self.submit(self.start_timer("long", DAY))
        futures.wait(self.submit(self.cancel_timer("long")))  # in the decision that started it
        return long.cancelled


def test_cancel_timer_in_the_decision_that_started_the_timer_cancels_it_at_once():
    result = LocalExecution(CancelAtOnceWorkflow, {}).execute()
    assert result.status == "completed" and result.result is True
    assert "TimerStarted" not in event_types(result) and elapsed(result) < HOUR
    assert_resume_matches_replay(CancelAtOnceWorkflow, result)


# -- markers ------------------------------------------------------------------


class MarkerWorkflow(Workflow):
    name = "marker"
    version = "1"
    task_list = "local"

    def run(self):
        futures.wait(self.submit(self.record_marker("step", 1)), self.submit(self.record_marker("other")))
        futures.wait(self.submit(self.record_marker("step", 2)))
        return [[m.name, m.details] for m in self.list_markers()], [m.details for m in self.list_markers(all=True)]


def test_markers_are_recorded_and_listed():
    result = LocalExecution(MarkerWorkflow, {}).execute()
    assert result.status == "completed"
    latest, every = result.result
    assert sorted(latest) == [["other", None], ["step", 2]]
    assert every == [1, 2, None]  # grouped by name, as simpleflow lists them
    assert event_types(result).count("MarkerRecorded") == 3
    assert_resume_matches_replay(MarkerWorkflow, result)


# -- signals --------------------------------------------------------------------


class WaitsForSignal(Workflow):
    name = "waits_for_signal"
    version = "1"
    task_list = "local"
    execution_timeout = 2 * HOUR  # a signal an hour after the start comes in time

    def run(self):
        first = self.submit(inc, 1)
        go = self.submit(self.wait_signal("go"))
        return first.result, go.result["args"]


def test_waiting_on_a_signal_sent_later_works_locally():
    result = LocalExecution(WaitsForSignal, {}, signals=[(HOUR, "go", {"args": [7], "kwargs": {}})]).execute()
    assert result.status == "completed" and result.result == [2, [7]]
    # The hour counts from the execution's start (its first event), not from when the local host was made.
    [signaled] = [e for e in result.events if e["eventType"] == "WorkflowExecutionSignaled"]
    assert HOUR - 1e-6 <= signaled["eventTimestamp"] - result.events[0]["eventTimestamp"] < HOUR + 1
    assert_resume_matches_replay(WaitsForSignal, result)


class ReadsSignalTwice(Workflow):
    name = "reads_signal_twice"
    version = "1"
    task_list = "local"

    def run(self):
        signal = self.submit(self.wait_signal("x"))
        first = signal.result
        futures.wait(self.submit(self.start_timer("later", 30)))
        return {"first_read": first, "second_read": signal.result}


def test_a_plain_wait_signal_reads_the_latest_signal_locally_as_a_replay_of_the_history_does():
    signals = [(10, "x", {"args": [1], "kwargs": {}}), (20, "x", {"args": [2], "kwargs": {}})]
    result = LocalExecution(ReadsSignalTwice, {}, signals=signals).execute()
    assert result.status == "completed"
    assert result.result["first_read"] == result.result["second_read"] == {"args": [2], "kwargs": {}}
    assert_resume_matches_replay(ReadsSignalTwice, result)


def test_a_signal_that_never_comes_fails_the_local_run_as_stuck():
    result = LocalExecution(WaitsForSignal, {}).execute()
    assert result.status == "failed" and "stuck" in result.reason


class SignalsItself(Workflow):
    name = "signals_itself"
    version = "1"
    task_list = "local"

    def run(self):
        sent = self.submit(self.signal("ping", 1, x=2))
        received = self.submit(self.wait_signal("ping"))
        return received.result, sent.result


def test_a_workflow_can_signal_itself():
    result = LocalExecution(SignalsItself, {}).execute()
    assert result.status == "completed"
    received, _ = result.result
    assert received == {"args": [1], "kwargs": {"x": 2}, "__propagate": True}
    assert_resume_matches_replay(SignalsItself, result)


class Listener(Workflow):
    name = "listener"
    version = "1"
    task_list = "local"

    def run(self, i):
        return [i, self.submit(self.wait_signal("news")).result["args"]]


class Teller(Workflow):
    """A child that tells its parent; the parent passes it on to its other children."""

    name = "teller"
    version = "1"
    task_list = "local"

    def run(self):
        context = self.get_run_context()
        futures.wait(
            self.submit(
                self.signal("news", "hello", workflow_id=context["parent_workflow_id"], run_id=context["parent_run_id"])
            )
        )
        return "told"


class Family(Workflow):
    name = "family"
    version = "1"
    task_list = "local"

    def run(self):
        listeners = [self.submit(Listener, i) for i in range(2)]
        teller = self.submit(Teller)
        news = self.submit(self.wait_signal("news")).result
        return news["args"], teller.result, [f.result for f in listeners]


def test_a_child_signals_its_parent_which_propagates_to_the_other_children():
    result = LocalExecution(Family, {}).execute()
    assert result.status == "completed", result.reason
    assert result.result == [["hello"], "told", [[0, ["hello"]], [1, ["hello"]]]]
    signaled = [attrs(e) for e in result.events if e["eventType"] == "SignalExternalWorkflowExecutionInitiated"]
    targets = sorted(a["workflowId"] for a in signaled)
    assert len(targets) == 2 and all(t.startswith("workflow-listener-") for t in targets)  # never back to the teller
    assert_resume_matches_replay(Family, result)


class QuietListener(Listener):
    name = "quiet_listener"

    @staticmethod
    def get_workflow_id(cls, i):
        return f"quiet-listener-{i}"


class Quiet(Workflow):
    name = "quiet"
    version = "1"
    task_list = "local"

    def run(self):
        listener = self.submit(QuietListener, 0)
        futures.wait(self.submit(self.signal("news", "x", propagate=False)))
        futures.wait(self.submit(self.signal("news", "y", workflow_id="quiet-listener-0", propagate=False)))
        return listener.result


def test_a_signal_sent_with_propagate_false_stays_where_it_was_sent():
    result = LocalExecution(Quiet, {}).execute()
    assert result.status == "completed" and result.result == [0, ["y"]]
    assert sum(1 for t in event_types(result) if t == "SignalExternalWorkflowExecutionInitiated") == 2


# -- child workflows ------------------------------------------------------------


class Doubler(Workflow):
    name = "doubler"
    version = "1"
    task_list = "local"

    def run(self, x):
        return 2 * self.submit(inc, x).result


class Custom(Workflow):
    name = "custom"
    version = "1"
    task_list = "local"
    tag_list = Workflow.INHERIT_TAG_LIST
    child_policy = "ABANDON"

    @staticmethod
    def get_workflow_id(cls, x):
        return f"custom-{x}"

    @staticmethod
    def get_task_list(cls, x):
        return f"custom-list-{x}"

    def run(self, x):
        context = self.get_run_context()
        return [context["workflow_id"], context["tag_list"], context["parent_workflow_id"]]


class Broken(Workflow):
    name = "broken"
    version = "1"
    task_list = "local"

    def run(self):
        raise RuntimeError("child broke")


class Parent(Workflow):
    name = "parent"
    version = "1"
    task_list = "local"

    def run(self):
        doubled = [self.submit(Doubler, i) for i in range(3)]
        custom = self.submit(Custom, 5)
        broken = self.submit(Group(ChildWorkflowTask(Broken), raises_on_failure=False))
        return [f.result for f in doubled], custom.result, repr(broken.exception.exceptions[0])


def test_child_workflows_get_simpleflow_ids_their_own_task_lists_and_tags():
    result = LocalExecution(Parent, {}, workflow_id="the-parent", tag_list=["t1", "t2"]).execute()
    assert result.status == "completed", result.reason
    doubled, custom, broken = result.result
    assert doubled == [2, 4, 6]
    assert custom == ["custom-5", ["t1", "t2"], "the-parent"]
    assert "child broke" in broken
    initiated = [attrs(e) for e in result.events if e["eventType"] == "StartChildWorkflowExecutionInitiated"]
    suffix = f"the-parent--{_adler(result.run_id)}"
    assert [a["workflowId"] for a in initiated[:3]] == [f"workflow-doubler-{suffix}--{i}" for i in (1, 2, 3)]
    assert initiated[3]["workflowId"] == "custom-5"
    assert initiated[3]["taskList"] == {"name": "custom-list-5"}
    assert initiated[3]["childPolicy"] == "ABANDON" and initiated[3]["tagList"] == ["t1", "t2"]
    assert_resume_matches_replay(Parent, result)


def _adler(run_id):
    import zlib

    return f"{zlib.adler32(run_id.encode()) & 0xFFFFFFFF:x}"


class StrictParent(Workflow):
    name = "strict_parent"
    version = "1"
    task_list = "local"

    def run(self):
        return self.submit(Broken).result


def test_a_failed_child_fails_its_parent_by_default():
    with pytest.raises(WorkflowFailed) as caught:
        Executor(StrictParent).run()
    assert "workflow-broken" in caught.value.reason and "child broke" in caught.value.reason


# -- continue-as-new --------------------------------------------------------------


class Countdown(Workflow):
    name = "countdown"
    version = "1"
    task_list = "local"

    def run(self, n, total=0):
        total = self.submit(inc, total).result
        if n > 1:
            self.submit(self.continue_as_new(n - 1, total=total))
        return {"total": total, "continued_from": self.get_run_context()["continued_execution_run_id"]}


def test_continue_as_new_goes_on_with_the_next_run_and_returns_its_result():
    result = LocalExecution(Countdown, {"args": [3], "kwargs": {}}, workflow_id="countdown").execute()
    assert result.status == "completed"
    runs = [result]
    while runs[-1].previous is not None:
        runs.append(runs[-1].previous)
    assert [r.status for r in runs] == ["completed", "continued_as_new", "continued_as_new"]
    assert {r.workflow_id for r in runs} == {"countdown"}
    assert result.result == {"total": 3, "continued_from": runs[1].run_id}
    closing = attrs(runs[1].events[-1])
    assert closing["newExecutionRunId"] == result.run_id
    assert json.loads(closing["input"])["kwargs"] == {"total": 2}
    for run in runs:
        assert_resume_matches_replay(Countdown, run)


# -- cancel -----------------------------------------------------------------------


class Patient(Workflow):
    name = "patient"
    version = "1"
    task_list = "local"
    execution_timeout = 2 * DAY  # its day's nap fits
    seen: list[str] = []

    def run(self):
        futures.wait(self.submit(self.start_timer("nap", DAY)))
        return "woke up"

    def on_canceled(self, history):
        type(self).seen.append("canceled")


class Stubborn(Patient):
    name = "stubborn"

    def should_cancel(self, history):
        return False


class Busy(Patient):
    name = "busy"

    def run(self):
        return [f.result for f in [self.submit(sleepy, i) for i in range(3)]]


def test_a_cancel_request_cancels_the_workflow_and_calls_on_canceled():
    Patient.seen.clear()
    result = LocalExecution(Patient, {}, cancel_at=HOUR).execute()
    assert result.status == "canceled"
    assert Patient.seen == ["canceled"]
    assert event_types(result)[-1] == "WorkflowExecutionCanceled"
    assert_resume_matches_replay(Patient, result)


def test_should_cancel_false_ignores_the_request():
    result = LocalExecution(Stubborn, {}, cancel_at=HOUR).execute()
    assert result.status == "completed" and result.result == "woke up"
    assert "WorkflowExecutionCancelRequested" in event_types(result)


def test_open_activities_get_cancel_requests():
    result = LocalExecution(Busy, {}, cancel_at=0.05, workers=3).execute()
    assert result.status == "canceled"
    assert event_types(result).count("ActivityTaskCancelRequested") == 3


# -- the CLI ----------------------------------------------------------------------


def test_cli_runs_the_signals_example_with_a_signal_at_a_virtual_time():
    env = dict(os.environ, PYTHONPATH=str(REPO))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "simpleflow.command",
            "workflow.start",
            "--local",
            "examples.signals.SignalsWorkflow",
            "--signal",
            'approve@3600=["alice"]',
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "result": "published, approved by alice",
        "reviewer": "reviewer saw approval by alice",
    }


@pytest.mark.parametrize(
    "module, klass, input, expected",
    [
        (
            "canvas",
            "CanvasWorkflow",
            "[3]",
            {"nested": [10000, 160000], "squares": [1, 4, 9], "summary": "sum of squares is 14"},
        ),
        ("timer", "TimerWorkflow", "[2]", {"message": "reminder after 2 hour(s)", "timeout_timer": "cancelled"}),
        (
            "marker",
            "MarkerWorkflow",
            '["v2"]',
            {
                "all": [["release", {"version": "v2"}], ["step", "prepared"], ["step", "deployed"]],
                "latest": {"release": {"version": "v2"}, "step": "deployed"},
            },
        ),
        (
            "child_workflow",
            "ParentWorkflow",
            "[3]",
            {"doubled": [0, 2, 4], "failing_child": True, "named": "named-child-3"},
        ),
        ("continue_as_new", "CountdownWorkflow", "[5]", {"runs_continued_from": True, "total": 15}),
    ],
)
def test_examples_run_locally(module, klass, input, expected):
    from simpleflow.runtime.loader import load_workflow, parse_input

    workflow_class = load_workflow(f"examples.{module}.{klass}")
    result = LocalExecution(workflow_class, parse_input(input)).execute()
    assert result.status == "completed", result.reason
    assert result.result == expected
