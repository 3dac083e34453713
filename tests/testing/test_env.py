"""WorkflowEnv, what the workflow_env fixture gives a test: runs on the virtual clock, stepping through time
(signals and queries at virtual instants), activities replaced and their calls recorded, children in the same
environment, jumbo fields in memory (or in S3 when asked)."""

from __future__ import annotations

import json
import os
import threading
import time

import pytest

from simpleflow import Workflow, exceptions, futures, jumbo
from simpleflow.exceptions import TaskFailed, UsageError, WorkflowFailed
from simpleflow.testing import AttemptAbandoned, ReplayMismatch, WorkflowEnv, check_replay
from tests.fixtures.execution_timeout_workflows import AskingParent
from tests.testing import workflows as wf


@pytest.fixture
def env():
    with WorkflowEnv() as environment:
        yield environment


def test_a_week_long_timer_takes_no_time(env):
    began = time.monotonic()
    execution = env.start(wf.Reminder, "ann")
    execution.advance(days=7)
    execution.signal("go")
    run = execution.finish()
    assert run.result == "hello, ann"
    assert time.monotonic() - began < 2
    assert 7 * 86400 <= run.elapsed < 7 * 86400 + 60


def test_a_signal_arrives_at_the_virtual_instant_it_is_sent(env):
    execution = env.start(wf.Reminder, "bob")
    execution.advance(days=9, hours=3)
    assert execution.query("where") == "waiting for go"  # the week passed, nothing came since
    execution.signal("go", message="at last")
    run = execution.finish()
    assert run.result == "at last, bob"
    [signaled] = [e for e in run.history if e["eventType"] == "WorkflowExecutionSignaled"]
    started = run.history[0]["eventTimestamp"]
    assert signaled["eventTimestamp"] - started == pytest.approx(9 * 86400 + 3 * 3600, abs=5)


def test_a_query_answers_from_where_the_execution_is_now(env):
    execution = env.start(wf.Reminder, "cy")
    assert execution.query("where") == "waiting a week"
    execution.advance(days=6)
    assert execution.query("where") == "waiting a week"
    execution.advance(days=1)
    assert execution.query("where") == "waiting for go"
    assert [d.describe() for d in execution.decisions] == ["StartTimer week"]


def test_the_decisions_taken_are_read_back_from_the_history(env):
    execution = env.start(wf.Reminder, "dee")
    execution.advance(days=7)
    execution.signal("go")
    run = execution.finish()
    assert [(d.type, d.id, d.name) for d in run.decisions] == [
        ("StartTimer", "week", None),
        ("ScheduleActivityTask", "activity-tests.testing.workflows.notify-1", "tests.testing.workflows.notify"),
        ("CompleteWorkflowExecution", None, None),
    ]
    assert [d.decision_task for d in run.decisions] == [1, 3, 4]  # the 2nd, woken by the timer, waited on
    assert check_replay(wf.Reminder, run.history).ok


def test_cancelling_an_execution_closes_it_canceled(env):
    execution = env.start(wf.Reminder, "eve")
    execution.advance(hours=1)
    execution.cancel()
    run = execution.finish()
    assert run.status == "canceled"
    with pytest.raises(WorkflowFailed):
        _ = run.result
    with pytest.raises(RuntimeError, match="it closed"):
        execution.signal("go")


def test_an_override_answers_by_activity_by_function_path_or_by_name(env):
    env.override(wf.risky, lambda n: n * 100)
    assert env.run(wf.Tolerant, 2).result == {"doubled": 200}
    env.override("tests.testing.workflows.risky", 7)  # by name; a value is the result
    assert env.run(wf.Tolerant, 2).result == {"doubled": 7}
    env.override(wf.risky.callable, lambda n: -n)  # the decorated function's dotted path
    assert env.run(wf.Tolerant, 2).result == {"doubled": -2}


def test_a_replacement_that_raises_fails_the_task_as_the_activity_would(env):
    env.override(wf.risky, TimeoutError("the service did not answer"))
    assert env.run(wf.Tolerant, 1).result == {"failed": "TimeoutError: the service did not answer"}
    env.override(wf.risky, KeyError)
    assert env.run(wf.Tolerant, 1).result["failed"].startswith("KeyError: ")
    env.override(wf.notify, PermissionError("refused"))
    run = env.run(wf.Strict, "fay")
    assert run.status == "failed"
    assert "PermissionError: refused" in run.reason
    with pytest.raises(WorkflowFailed, match="PermissionError: refused"):
        _ = run.result


def test_calls_are_recorded_with_their_arguments_and_outcome_replaced_or_not(env):
    replaced = env.override(wf.notify, lambda who, message="hello": f"{message}!")
    execution = env.start(wf.Reminder, "gus")
    execution.advance(days=7)
    execution.signal("go", message="hi")
    execution.finish()
    env.override(wf.risky, ValueError("no"))
    env.run(wf.Tolerant, 3)
    calls = env.calls()
    assert [(c.activity, c.args, c.kwargs, c.result, c.replaced) for c in calls[:1]] == [
        ("tests.testing.workflows.notify", ["gus"], {"message": "hi"}, "hi!", True)
    ]
    assert replaced.calls == env.calls(wf.notify) == calls[:1]
    assert calls[0].activity_id == "activity-tests.testing.workflows.notify-1"
    assert calls[0].workflow_id == execution.workflow_id
    assert isinstance(env.calls("tests.testing.workflows.risky")[0].error, ValueError)


def test_activities_not_replaced_run_and_are_recorded_too(env):
    assert env.run(wf.Tolerant, 4).result == {"doubled": 8}
    [call] = env.calls(wf.risky)
    assert (call.args, call.result, call.replaced, call.error) == ([4], 8, False, None)


def test_a_call_whose_result_its_task_cannot_carry_records_the_failure_the_history_shows(env):
    env.override(wf.risky, lambda n: object())
    assert "InvalidResult" in env.run(wf.Tolerant, 1).result["failed"]
    [call] = env.calls(wf.risky)
    assert call.result is None and isinstance(call.error, TaskFailed)
    assert call.error.reason == (
        "InvalidResult: activity 'tests.testing.workflows.risky': its result cannot be encoded as JSON "
        "(object is not JSON serializable)"
    )
    assert call.error.name == call.activity_id


def test_a_result_nested_too_deep_fails_naming_the_activity_once_not_retried(env):
    nested: list = []
    for _ in range(300):
        nested = [nested]
    env.override(wf.flaky, lambda: nested)  # retried by its policy, were the failure not the result's own
    run = env.run(wf.Retried)
    reason = (
        "InvalidResult: activity 'tests.testing.workflows.flaky': its result is JSON nested more than 256 levels deep"
    )
    [call] = env.calls(wf.flaky)  # one attempt
    assert run.task(call.activity_id).reason == reason
    assert call.result is None and call.error.reason == reason


@pytest.mark.parametrize("durations", [[1.3], [0, 1.3]])  # on a thread; on the decision's, after a quick attempt
def test_a_call_that_timed_out_records_the_timeout_not_what_it_returned_too_late(env, durations):
    returned = threading.Event()

    def pause(seconds):
        time.sleep(seconds)
        if seconds > 1:
            returned.set()
        return seconds

    env.override(wf.pause, pause)
    run = env.run(wf.Pauses, durations)  # 1.3 s outlasts its start-to-close timeout of 1 s
    assert run.result[-1] == "TimeoutError(START_TO_CLOSE)"
    assert returned.wait(5)
    time.sleep(0.1)  # its late return reaches its call (or would)
    late = env.calls(wf.pause)[-1]
    assert late.result is None and isinstance(late.error, exceptions.TimeoutError)
    assert late.error.timeout_type == "START_TO_CLOSE"
    assert [call.result for call in env.calls(wf.pause)[:-1]] == durations[:-1]


def test_a_call_still_running_when_its_run_closed_shows_it_abandoned_not_what_it_returned_after(env):
    from tests.fixtures.execution_timeout_workflows import OutlivedActivity, slow

    returned = threading.Event()

    def outlives(seconds):
        time.sleep(seconds)
        returned.set()
        return "slept"

    env.override(slow, outlives)
    run = env.run(OutlivedActivity, 1.5)  # its execution timeout, 1 s, passes first
    assert run.status == "timed_out" and run.history[-1]["eventType"] == "WorkflowExecutionTimedOut"
    assert returned.wait(5)
    time.sleep(0.1)  # its late return reaches its call (or would)
    [call] = env.calls(slow)
    assert call.result is None and isinstance(call.error, AttemptAbandoned)  # was: "slept", error None


def test_an_activity_whose_last_attempt_was_quick_runs_on_the_decisions_thread_its_calls_recorded_alike(env):
    # The local host's shortcut with one worker: two thread wake-ups saved per task.
    threads = []

    def pause(seconds):
        threads.append(threading.current_thread().name)
        return seconds

    env.override(wf.pause, pause)
    assert env.run(wf.Pauses, [0, 0, 0]).result == [0, 0, 0]
    assert threads[0].startswith("simpleflow-activity")
    assert threads[1] == threads[2] and not threads[1].startswith("simpleflow-activity")
    calls = env.calls(wf.pause)
    assert [(call.args, call.result, call.error) for call in calls] == [([0], 0, None)] * 3
    assert [call.activity_id for call in calls] == [f"activity-tests.testing.workflows.pause-{i}" for i in (1, 2, 3)]


def test_a_call_whose_result_could_not_be_stored_as_a_jumbo_field_records_that_failure(moto_server):
    with WorkflowEnv() as env:
        env.use_s3("kit-no-such-bucket")
        env.override(wf.risky, lambda n: "z" * 40_000)
        run = env.run(wf.Tolerant, 1)
    [call] = env.calls(wf.risky)
    assert call.result is None and call.error.reason.startswith("JumboFieldNotStored: ")
    assert call.error.reason == run.result["failed"]  # the reason the workflow got


def test_children_run_in_the_same_environment_with_its_replacements(env):
    env.override(wf.fetch, lambda key: key.upper())
    run = env.run(wf.Parent, ["a", "b"])
    assert run.result == ["A", "B"]
    assert [child.result for child in run.children] == ["A", "B"]
    assert [c.workflow_id for c in env.calls(wf.fetch)] == [child.workflow_id for child in run.children]
    assert run.elapsed >= 3600


def test_a_continued_execution_is_followed_to_its_last_run(env):
    run = env.run(wf.Countdown, 2)
    assert run.result == "liftoff"
    assert run.previous is not None and run.previous.status == "continued_as_new"
    assert run.previous.previous.previous is None
    assert [c.args for c in env.calls(wf.fetch)] == [[2], [1]]


def test_a_workflow_that_raises_fails_with_its_reason(env):
    run = env.run(wf.Fails)
    assert run.status == "failed"
    assert run.reason == "Cannot replay the workflow: ValueError(bad input)"  # simpleflow's wording
    assert 'raise ValueError("bad input")' in run.details  # its traceback


def test_a_run_stuck_on_a_signal_says_which_and_what_it_got_instead(env):
    execution = env.start(wf.Reminder, "eve")
    execution.advance(days=7)
    execution.signal("og")  # a typo: Reminder waits for "go"
    run = execution.finish()
    assert run.reason == (
        "workflow is stuck: it waits for signal 'go', which can never come "
        "(it received 'og', which no wait_signal asks for)"
    )


def test_tasks_are_the_historys_records(env):
    env.override(wf.risky, ValueError("no"))
    run = env.run(wf.Tolerant, 1)
    [task] = run.tasks
    assert (task.id, task.state, task.name) == ("activity-tests.testing.workflows.risky-1", "failed", wf.risky.name)
    assert run.task(task.id) is task
    with pytest.raises(KeyError, match="there are: activity-tests.testing.workflows.risky-1"):
        run.task("activity-nope-1")


def test_arguments_that_do_not_fit_the_workflow_are_refused_at_once(env):
    with pytest.raises(UsageError, match="input does not fit Tolerant.run"):
        env.start(wf.Tolerant, 1, 2)
    with pytest.raises(ValueError, match="time only goes forward"):
        env.start(wf.Reminder, "x").advance(-1)


def test_jumbo_fields_go_to_the_in_memory_store_and_the_settings_come_back_after(monkeypatch):
    monkeypatch.setenv(jumbo.BUCKET_ENV, "someone-elses-bucket")
    big = "x" * 40_000
    with WorkflowEnv() as env:
        env.override(wf.risky, lambda n: big)
        assert env.run(wf.Tolerant, 1).result == {"doubled": big}
        # The activity's result and the workflow's: both over SWF's 32,768 characters.
        assert [json.loads(text) for text in env.jumbo.texts()] == [big, {"doubled": big}]
        assert os.environ[jumbo.BUCKET_ENV] == "simpleflow-test-memory"
    assert os.environ[jumbo.BUCKET_ENV] == "someone-elses-bucket"
    assert jumbo.use_store(None) is None  # the environment put S3 back


def test_jumbo_fields_go_to_s3_when_the_test_asks(moto_server):
    import boto3

    boto3.client("s3").create_bucket(Bucket="kit-jumbo")
    big = "y" * 40_000
    with WorkflowEnv() as env:
        env.use_s3("kit-jumbo/tests")
        env.override(wf.risky, lambda n: big)
        assert env.run(wf.Tolerant, 1).result == {"doubled": big}
        assert env.jumbo.objects == {}
    listed = boto3.client("s3").list_objects_v2(Bucket="kit-jumbo", Prefix="tests/")
    assert listed["KeyCount"] == 2  # the activity's result and the workflow's


def test_several_workers_run_activities_at_once():
    with WorkflowEnv(workers=2) as env:
        env.override(wf.fetch, lambda key: time.sleep(0.5) or key)
        began = time.monotonic()
        # Parent's children run one after the other (the first's result comes first): 2 x 0.5 s.
        assert env.run(wf.Parent, ["a", "b"]).result == ["a", "b"]
        assert time.monotonic() - began < 3


# -- mistakes a test can make: refused in one line, not passed over --------------------------------------


def test_an_override_by_function_answers_the_activity_declared_on_it_under_its_own_name(env):
    replaced = env.override(wf.charge.callable, "charged in a test")  # declared as "kit.payments.charge"
    assert env.run(wf.Pay, 10).result == "charged in a test"
    assert replaced.name == "kit.payments.charge"
    assert [(c.activity, c.replaced) for c in env.calls(wf.charge.callable)] == [("kit.payments.charge", True)]


def test_an_override_under_a_name_no_activity_has_is_refused_before_anything_runs(env):
    env.override("kit.payments.chrage", "charged in a test")  # a typo
    with pytest.raises(UsageError) as refused:
        env.run(wf.Pay, 10)
    message = str(refused.value)
    assert message.startswith(
        "override: no activity named 'kit.payments.chrage' (did you mean 'kit.payments.charge'? declared: "
    )
    assert "\n" not in message
    assert env.calls() == []  # the real activity did not run


def test_calls_of_a_name_no_activity_has_is_refused_rather_than_empty(env):
    assert env.run(wf.Tolerant, 1).result == {"doubled": 2}
    with pytest.raises(UsageError, match=r"^calls: no activity named 'tests.testing.workflows.risk' \(did you mean"):
        env.calls("tests.testing.workflows.risk")
    assert len(env.calls("tests.testing.workflows.risky")) == 1


def test_a_function_no_activity_is_declared_on_is_refused_at_once(env):
    def not_an_activity(n):
        return n

    with pytest.raises(UsageError, match=r"^override: .*not_an_activity is not an activity \(no @activity"):
        env.override(not_an_activity, 1)
    with pytest.raises(UsageError, match=r"^calls: .*not_an_activity is not an activity"):
        env.calls(not_an_activity)


def test_running_an_activity_or_a_function_says_it_is_not_a_workflow(env):
    with pytest.raises(UsageError, match=r"^'tests.testing.workflows.risky' is not a Workflow subclass$"):
        env.run(wf.risky, 1)
    with pytest.raises(UsageError, match=r"^'tests.testing.workflows.Tolerant.run' is not a Workflow subclass$"):
        env.start(wf.Tolerant.run, 1)


def test_a_workflow_given_by_its_path_is_named_once_quoted(env):
    with pytest.raises(UsageError, match=r"^'pkg.mod.W' is not a Workflow subclass \(a string: give the class\)$"):
        env.run("pkg.mod.W")


@pytest.mark.parametrize(
    ("workers", "problem"),
    [(0, "0 is not in the range x>=1"), (-1, "-1 is not in the range x>=1"), (2.5, "2.5 is not a valid integer")]
    + [("2", "'2' is not a valid integer"), (True, "True is not a valid integer")],
)
def test_workers_other_than_a_positive_integer_are_refused_in_one_line(workers, problem):
    with pytest.raises(UsageError) as refused:
        WorkflowEnv(workers=workers)
    assert str(refused.value) == f"WorkflowEnv: workers={problem}"  # the words of the CLI's --workers


def test_advance_to_a_time_already_passed_is_refused_as_advance_refuses_going_back(env):
    execution = env.start(wf.Reminder, "fay")
    execution.advance(days=1)
    with pytest.raises(ValueError, match=r"^time only goes forward: 10 s is before 86400 s, where the execution is$"):
        execution.advance_to(10)
    execution.advance_to(execution.elapsed)  # where it is: nothing to do, nothing refused
    execution.advance_to(2 * 86400)
    assert execution.query("where") == "waiting a week"


def test_an_override_under_a_functions_path_suggests_the_name_it_is_declared_under():
    # charge, at tests.testing.workflows.charge, is declared as "kit.payments.charge".
    for typed in ("tests.testing.workflows.charge", "tests.testing.workflows.chrage"):
        with WorkflowEnv() as fresh:
            fresh.override(typed, "charged in a test")
            with pytest.raises(UsageError) as refused:
                fresh.run(wf.Pay, 10)
        assert str(refused.value).startswith(
            f"override: no activity named {typed!r} (did you mean 'kit.payments.charge' "
            "(declared on tests.testing.workflows.charge)? declared: kit.payments.charge, "
        )


def test_a_run_its_code_does_not_replay_fails_with_the_report(env):
    with pytest.raises(ReplayMismatch) as mismatch:
        env.run(wf.Drawing)
    lines = str(mismatch.value).splitlines()
    assert lines[0].startswith("the code does not replay the history of its own run")
    assert lines[1].startswith("Drawing local-kit.drawing-") and lines[1].endswith(
        ": differs at decision task 2 (event 11)"
    )
    # The task whose input differs, on both sides, from the one replay that found it (the code draws anew on each).
    task = "ScheduleActivityTask activity-tests.testing.workflows.risky-2 (tests.testing.workflows.risky)"
    assert lines[2] == f"    history:  {task}"
    assert lines[3].startswith(f"    code now: {task}, at tests/testing/workflows.py:")
    assert "activity 'activity-tests.testing.workflows.risky-2'" in lines[4]
    assert "the history has input" in lines[4]
    assert lines[5].startswith("    note: the code took other decisions on another replay of the same history")
    assert lines[-1].endswith("@pytest.mark.workflow_env(replay_check=False) on the test)")
    assert isinstance(mismatch.value, AssertionError)  # pytest reports it as a failed assertion


def test_a_run_choosing_its_activity_at_random_is_reported_at_the_activity_it_chose():
    with WorkflowEnv(replay_check=False) as env:
        run = env.run(wf.Choosing)
    chosen = [d for d in run.decisions if d.type == "ScheduleActivityTask"][1]
    reports = [check_replay(wf.Choosing, run.history) for _ in range(3)]  # every other replay fits
    assert any(not report.ok for report in reports)
    for report in (report for report in reports if not report.ok):  # each replayed again, traced, till it differs
        diff = report.difference
        assert diff.history == chosen and report.lines()[0] == "history: differs at decision task 2 (event 11)"
        assert diff.code.type == "ScheduleActivityTask" and diff.code.name != chosen.name
        assert f"'{chosen.id}'" in diff.reason and diff.line.startswith("tests/testing/workflows.py:")
        assert report.notes[-1].startswith("the code took other decisions on another replay of the same history")


def test_a_child_run_its_code_does_not_replay_fails_the_test_when_its_parent_is_left_open():
    env = WorkflowEnv()
    execution = env.start(wf.DrawingParent)  # the child closed, the parent waits for "done"
    assert not execution.closed
    with pytest.raises(ReplayMismatch, match=r"\nDrawing workflow-kit.drawing-local-kit.drawing-parent-\w+--"):
        env.close()


def test_replay_check_false_lets_a_non_deterministic_run_pass():
    with WorkflowEnv(replay_check=False) as env:
        assert env.run(wf.Drawing).completed
        execution = env.start(wf.DrawingParent)
        execution.signal("done")
        assert execution.finish().completed


def test_an_execution_open_past_its_timeout_ends_timed_out_and_its_result_raises(env):
    from tests.fixtures.execution_timeout_workflows import TimesOut

    run = env.run(TimesOut)  # replayed with its code too, as every run that closes
    assert (run.status, run.completed, run.elapsed) == ("timed_out", False, pytest.approx(5.0, abs=0.5))
    with pytest.raises(WorkflowFailed, match="timed_out"):
        _ = run.result
    assert run.history[-1]["eventType"] == "WorkflowExecutionTimedOut"
    assert [d.describe() for d in run.decisions] == [
        "ScheduleActivityTask activity-tests.fixtures.execution_timeout_workflows.quick-1"
        " (tests.fixtures.execution_timeout_workflows.quick)",
        "StartTimer wait",
    ]


def test_an_execution_stepped_through_time_times_out_when_its_time_comes(env):
    from tests.fixtures.execution_timeout_workflows import Grandparent

    execution = env.start(Grandparent)
    execution.advance(seconds=5)
    assert not execution.closed
    run = execution.advance(seconds=2).finish()  # the parent timed out at 6 s, its grandparent goes on
    assert run.result == "TimeoutError(START_TO_CLOSE)"
    [parent] = run.children
    assert parent.status == "timed_out"
    assert sorted(child.status for child in parent.children) == ["terminated", "timed_out"]


def test_a_child_stuck_once_the_root_closed_is_in_stuck_children_and_named_where_the_result_raises(env):
    run = env.run(AskingParent, "deaf")  # it times out; its child, asked to cancel, waits for a signal for ever
    [child] = run.children
    assert run.stuck_children == [child]
    assert (child.status, child.reason) == (
        "failed",
        "workflow is stuck: it waits for signal 'never', which can never come",
    )
    with pytest.raises(WorkflowFailed, match=rf"child workflow '{child.workflow_id}' \(run \w+\) is stuck: it waits"):
        _ = run.result


class QuietAskingParent(AskingParent):
    raises_on_failure = False  # its parent goes on when it times out


class OutlivedParent(Workflow):
    """Completes with what became of its child, whose own child (asked to cancel) is stuck once it closed."""

    name = "test.outlived_parent"
    version = "1"

    def run(self) -> str:
        child = self.submit(QuietAskingParent, "deaf")
        futures.wait(child)
        return repr(child.exception)


def test_a_grandchild_stuck_after_the_root_completed_is_in_stuck_children(env):
    run = env.run(OutlivedParent)
    assert run.result == "TimeoutError(START_TO_CLOSE)"
    [grandchild] = run.children[0].children
    assert run.stuck_children == [grandchild] and grandchild.reason.startswith("workflow is stuck: ")
