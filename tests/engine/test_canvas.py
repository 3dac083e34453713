"""simpleflow.canvas: Group, Chain and FuncGroup, in the local host and against the replay engine."""

from __future__ import annotations

import json
import time

import pytest

from simpleflow import Workflow, activity
from simpleflow.canvas import Chain, ChainFuture, FuncGroup, Group, GroupFuture
from simpleflow.engine import ExecutionInfo, WorkflowRun, replay
from simpleflow.local import LocalExecution
from simpleflow.local.executor import Executor, WorkflowFailed
from simpleflow.task import ActivityTask, ChildWorkflowTask
from tests.local.test_features import assert_resume_matches_replay
from tests.swf_simulator import SimulatedSWF


def _step(name, idempotent=True):
    @activity.with_attributes(name=f"canvas.{name}", task_list="canvas", version="1", idempotent=idempotent)
    def step(x=0, *more):
        return x + 1 + sum(more)

    return step


a, b, c, d, e = (_step(n) for n in "abcde")
counted = _step("counted", idempotent=False)


@activity.with_attributes(name="canvas.total", task_list="canvas", version="1", idempotent=True)
def total(values):
    return sum(v for v in values if v is not None)


@activity.with_attributes(name="canvas.boom", task_list="canvas", version="1", idempotent=True)
def boom(x=0):
    raise ValueError(f"boom {x}")


@activity.with_attributes(name="canvas.strict_boom", task_list="canvas", version="1", raises_on_failure=True)
def strict_boom(x=0):
    raise ValueError(f"strict boom {x}")


def run_local(workflow_class, *args, workers=1):
    result = LocalExecution(workflow_class, {"args": list(args), "kwargs": {}}, workers=workers).execute()
    return result


class Base(Workflow):
    version = "1"
    task_list = "canvas"


# -- groups -------------------------------------------------------------------


class Grouped(Base):
    name = "grouped"

    def run(self, n):
        group = Group((a, 0), ActivityTask(a, 10))
        group.append(a, 20)
        group.extend([(a, 30)])
        group += [ActivityTask(a, 40)]
        future = self.submit(group)
        assert isinstance(future, GroupFuture)
        return future.result, self.submit(total, future).result


def test_a_group_is_one_future_whose_result_lists_its_results():
    result = run_local(Grouped, 0)
    assert result.status == "completed", result.reason
    assert result.result == [[1, 11, 21, 31, 41], 105]
    run = assert_resume_matches_replay(Grouped, result)
    assert run.fallbacks == 0


class Bounded(Base):
    name = "bounded"

    def run(self, n, limit):
        return self.submit(Group(*[(a, i) for i in range(n)], max_parallel=limit)).result


def _max_open(events):
    open_now = most = 0
    for event in events:
        if event["eventType"] == "ActivityTaskScheduled":
            open_now += 1
            most = max(most, open_now)
        elif event["eventType"] in ("ActivityTaskCompleted", "ActivityTaskFailed"):
            open_now -= 1
    return most


@pytest.mark.parametrize("workers", [1, 4])
def test_max_parallel_bounds_the_open_tasks(workers):
    result = run_local(Bounded, 7, 3, workers=workers)
    assert result.status == "completed", result.reason
    assert result.result == list(range(1, 8))
    assert _max_open(result.events) <= 3
    run = assert_resume_matches_replay(Bounded, result)
    assert run.fallbacks == 0


class GroupWithFailure(Base):
    name = "group_with_failure"

    def run(self, bubbles):
        future = self.submit(Group((a, 1), (boom, 2), bubbles_exception_on_failure=bubbles))
        return future.result, repr(future.exception)


def test_a_failed_task_makes_the_group_exception_an_aggregate():
    result = run_local(GroupWithFailure, True)
    assert result.result[0] == [2, None]
    assert result.result[1].startswith("<AggregateException") and "boom 2" in result.result[1]
    assert run_local(GroupWithFailure, False).result == [[2, None], "None"]


# -- raises_on_failure --------------------------------------------------------


class StrictInGroup(Base):
    name = "strict_in_group"

    def run(self, shield):
        options = {"raises_on_failure": False} if shield else {}
        future = self.submit(Group((a, 1), (strict_boom, 1), **options))
        return future.result


def test_a_task_with_raises_on_failure_fails_the_workflow_from_inside_a_group():
    result = run_local(StrictInGroup, False)
    assert result.status == "failed"
    assert "strict boom 1" in result.reason
    assert_resume_matches_replay(StrictInGroup, result)


def test_group_raises_on_failure_false_is_set_on_its_tasks():
    result = run_local(StrictInGroup, True)
    assert result.status == "completed" and result.result == [2, None]


class ShieldDoesNotLeak(Base):
    name = "shield_does_not_leak"

    def run(self):
        self.submit(Group((strict_boom, 1), raises_on_failure=False)).wait()
        return self.submit(strict_boom, 2).result


def test_group_raises_on_failure_stays_with_the_groups_tasks():
    result = run_local(ShieldDoesNotLeak)
    assert result.status == "failed" and "strict boom 2" in result.reason


# -- chains -------------------------------------------------------------------


class Chained(Base):
    name = "chained"

    def run(self):
        plain = self.submit(Chain((a, 1), (b, 10)))
        passed = self.submit(Chain((a, 1), (b,), (c, 100), send_result=True))
        assert isinstance(passed, ChainFuture)
        return plain.result, passed.result


def test_a_chain_runs_in_order_and_send_result_passes_each_result_on():
    result = run_local(Chained)
    assert result.status == "completed", result.reason
    assert result.result == [[2, 11], [2, 3, 104]]
    types = [
        (e["eventType"], e.get("activityTaskScheduledEventAttributes", {}).get("activityId", "")) for e in result.events
    ]
    first_b = min(i for i, (t, name) in enumerate(types) if name.startswith("activity-canvas.b"))
    assert ("ActivityTaskCompleted", "") in types[:first_b]  # the second task waited for the first
    run = assert_resume_matches_replay(Chained, result)
    assert run.fallbacks == 0


class Breaking(Base):
    name = "breaking"

    def run(self, break_on_failure):
        future = self.submit(Chain((a, 1), (boom, 2), (b, 3), break_on_failure=break_on_failure))
        return future.result, future.exception is not None


def test_a_chain_stops_at_a_failure_unless_told_not_to():
    assert run_local(Breaking, True).result == [[2, None], True]
    assert run_local(Breaking, False).result == [[2, None, 4], True]


class EmptyParts(Base):
    name = "empty_parts"

    def run(self):
        return [self.submit(kind(**options)).result for kind, options in self.shapes]

    shapes = [(Chain, {}), (Chain, {"send_result": True}), (Group, {}), (Group, {"max_parallel": 2})]


def test_an_empty_chain_or_group_finishes_at_once_with_an_empty_list():
    # as in simpleflow 0.36.0; the empty chain raised IndexError
    result = run_local(EmptyParts)
    assert result.status == "completed", result.reason
    assert result.result == [[], [], [], []]
    assert_resume_matches_replay(EmptyParts, result)


@pytest.mark.parametrize("bound", [-1, "2", 1.5, True])
def test_a_max_parallel_that_bounds_nothing_is_refused(bound):
    # -1 submitted no task and the workflow was stuck; "2" raised TypeError at the first submit
    with pytest.raises(ValueError, match=f"^Group: max_parallel must be a whole number >= 1 .*, not {bound!r}$"):
        Group((a, 1), max_parallel=bound)
    assert Group((a, 1), max_parallel=0).max_parallel == 0  # no limit, as in simpleflow


def test_send_result_cannot_be_combined_with_break_on_failure_false():
    with pytest.raises(ValueError, match="send_result"):
        Chain((a, 1), send_result=True, break_on_failure=False)


class InnerChainFails(Base):
    name = "inner_chain_fails"

    def run(self, raises):
        inner = Chain((boom, 1), (b, 1), raises_on_failure=raises)
        return self.submit(Chain(inner, (c, 5))).result


def test_an_inner_chain_with_raises_on_failure_false_lets_the_outer_chain_go_on():
    assert run_local(InnerChainFails, False).result == [[None], 6]
    assert run_local(InnerChainFails, None).result == [[None]]


# -- nesting and FuncGroup ----------------------------------------------------


def fan_out(values):
    return Group(*[(d, v) for v in values])


class Nested(Base):
    name = "nested"

    def run(self):
        tree = Chain(
            Group((a, 0), Chain((b, 0), (c,), send_result=True)),
            FuncGroup(lambda pair: fan_out([pair[0], pair[1][-1]])),
            FuncGroup(lambda values: Chain((e, sum(values)))),
            send_result=True,
        )
        skipped = self.submit(FuncGroup(lambda: None, _allow_none=True))
        return self.submit(tree).result, skipped.result


@pytest.mark.parametrize("workers", [1, 4])
def test_nested_groups_chains_and_funcgroups(workers):
    result = run_local(Nested, workers=workers)
    assert result.status == "completed", result.reason
    assert result.result == [[[1, [1, 2]], [2, 3], [6]], None]
    run = assert_resume_matches_replay(Nested, result)
    assert run.fallbacks == 0


def test_funcgroup_must_build_something_submittable():
    class Bad(Base):
        name = "bad_funcgroup"

        def run(self):
            return self.submit(FuncGroup(lambda: 42)).result

    with pytest.raises(WorkflowFailed, match="FuncGroup"):
        Executor(Bad).run()


class Kid(Base):
    name = "canvas_kid"

    def run(self, x):
        return self.submit(a, x).result


class WithChildren(Base):
    name = "canvas_with_children"

    def run(self):
        return self.submit(Chain(ChildWorkflowTask(Kid, 1), (Kid,), send_result=True)).result


def test_child_workflows_in_a_chain():
    result = run_local(WithChildren)
    assert result.status == "completed", result.reason
    assert result.result == [2, 3]
    assert_resume_matches_replay(WithChildren, result)


def test_group_refuses_what_it_cannot_submit():
    with pytest.raises(ValueError):
        Group(42)
    with pytest.raises(ValueError):
        Group(ActivityTask(a, 1), 2)  # a tuple is (activity, *args), not a task with more args
    with pytest.raises(TypeError):
        Group((a, 1), parallel=3)


# -- simpleflow's counters ------------------------------------------------------


class SharedName(Base):
    """A non-idempotent activity in a chain and after it: the chain's steps took their counts at its submit."""

    name = "shared_name"

    def run(self):
        chain = self.submit(Chain((counted, 1), (counted, 2)))
        after = self.submit(counted, 3)
        return chain.result, after.result


def scheduled_inputs(result):
    """activity id -> its input's args, in the order the history scheduled them."""
    return {
        e["activityTaskScheduledEventAttributes"]["activityId"]: e["activityTaskScheduledEventAttributes"]["input"]
        for e in result.events
        if e["eventType"] == "ActivityTaskScheduled"
    }


def test_a_chain_reserves_its_steps_counts_before_a_later_submit_of_the_same_activity():
    # Live, the chain's second step waits for its first, and the later submit comes first. Had the step taken
    # its count when submitted, a full replay (where the first step is done at once) would give it another
    # one: simpleflow 0.36 read counted(3)'s result as counted(2)'s and completed with [[2, 4], 4].
    result = run_local(SharedName)
    assert result.status == "completed", result.reason
    assert result.result == [[2, 3], 4]
    assert scheduled_inputs(result) == {
        "activity-canvas.counted-1": '{"args":[1],"kwargs":{}}',
        "activity-canvas.counted-3": '{"args":[3],"kwargs":{}}',
        "activity-canvas.counted-2": '{"args":[2],"kwargs":{}}',
    }
    assert_resume_matches_replay(SharedName, result)


class ChainInGroup(Base):
    """A group of a chain and a task of the same activity: the chain's second step comes last."""

    name = "chain_in_group"

    def run(self):
        return self.submit(Group(Chain((counted, 1), (counted, 2)), (counted, 100))).result


def test_a_nested_chain_keeps_the_counts_its_outer_group_reserved():
    result = run_local(ChainInGroup)
    assert result.status == "completed", result.reason
    assert result.result == [[2, 3], 101]
    assert list(scheduled_inputs(result)) == [
        "activity-canvas.counted-1",
        "activity-canvas.counted-3",
        "activity-canvas.counted-2",
    ]
    assert_resume_matches_replay(ChainInGroup, result)


class BrokenChainThenSubmit(Base):
    """A chain stopped by a failure: the steps it never ran keep their counts."""

    name = "broken_chain"

    def run(self):
        chain = self.submit(Chain((boom, 1), (counted, 2), (counted, 3), raises_on_failure=False))
        chain.wait()
        return self.submit(counted, 10).result


def test_the_counts_of_steps_a_broken_chain_never_ran_stay_taken():
    result = run_local(BrokenChainThenSubmit)
    assert result.status == "completed", result.reason
    assert result.result == 11
    assert [i for i in scheduled_inputs(result) if "counted" in i] == ["activity-canvas.counted-3"]


class AfterFuncGroup(Base):
    """Past a FuncGroup, whose submits are known only when it runs, parts count when they are submitted."""

    name = "after_func_group"

    def run(self):
        then = FuncGroup(lambda x: ActivityTask(counted, x))
        return self.submit(Chain((counted, 1), then, (counted, 5), send_result=True)).result


def test_parts_after_a_func_group_take_their_counts_when_submitted():
    result = run_local(AfterFuncGroup)
    assert result.status == "completed", result.reason
    assert result.result == [2, 3, 9]
    assert scheduled_inputs(result) == {
        "activity-canvas.counted-1": '{"args":[1],"kwargs":{}}',
        "activity-canvas.counted-2": '{"args":[2],"kwargs":{}}',
        "activity-canvas.counted-3": '{"args":[5,3],"kwargs":{}}',
    }


@activity.with_attributes(name="canvas.nap", task_list="canvas", version="1", idempotent=False)
def nap(seconds, value):
    time.sleep(seconds)
    return value


class NamedChild(Base):
    """A child that names its own execution: its id takes no count."""

    name = "canvas.named_child"

    def get_workflow_id(cls, token, x):  # called on the class, with the class first
        return f"named-{token}-{x}"

    def run(self, token, x):
        return self.submit(nap, 0.2 * (2 - x), x).result


class NamedChildrenInChains(Base):
    """Chains whose first part is a named child, the last finishing first: their later parts still reserve."""

    name = "named_children_in_chains"

    def run(self, token):
        chains = [Chain(ChildWorkflowTask(NamedChild, token, i), (counted, i)) for i in range(3)]
        return self.submit(Group(*chains)).result


def test_chains_of_named_children_keep_their_later_parts_counts_whichever_child_finishes_first():
    result = run_local(NamedChildrenInChains, "t", workers=3)
    assert result.status == "completed", result.reason
    assert result.result == [[0, 1], [1, 2], [2, 3]]
    assert scheduled_inputs(result) == {
        "activity-canvas.counted-3": '{"args":[2],"kwargs":{}}',
        "activity-canvas.counted-2": '{"args":[1],"kwargs":{}}',
        "activity-canvas.counted-1": '{"args":[0],"kwargs":{}}',
    }


class Interleaved(Base):
    """Parallel chains, a throttled group and a later submit, all of one non-idempotent activity."""

    name = "interleaved"

    def run(self, n):
        chains = self.submit(Group(*[Chain((counted, 10 * i), counted, counted, send_result=True) for i in range(n)]))
        throttled = self.submit(Group(*[(counted, 100 + i) for i in range(n)], max_parallel=2))
        later = self.submit(counted, 1000)
        return chains.result, throttled.result, later.result


@pytest.mark.parametrize("seed", range(8))
def test_interleaved_counted_parts_resume_as_full_replays_and_complete(seed):
    # The simulator completes a random subset of the open tasks, in random order, between decisions: the
    # chains' later steps and the group's queue are submitted in an order that changes with the seed.
    swf = SimulatedSWF({"args": [3], "kwargs": {}}, seed, fail_rate=0, timeout_rate=0)
    drive_resumed_against_replays(Interleaved, swf)
    assert swf.closed == "completed", swf.events[-1]
    result = json.loads(swf.events[-1]["workflowExecutionCompletedEventAttributes"]["result"])
    assert result == [[[1, 2, 3], [11, 12, 13], [21, 22, 23]], [101, 102, 103], 1001]


# -- resumed runs against full replays, over random histories --------------------


class Mixed(Base):
    name = "mixed"

    def run(self, n):
        left = self.submit(Group(*[(a, i) for i in range(n)], max_parallel=2))
        right = self.submit(Chain((b, 0), (c,), FuncGroup(lambda x: Group((d, x), (e, x))), send_result=True))
        return self.submit(total, left).result, right.result


def drive_resumed_against_replays(workflow_class, swf, decisions=200):
    """Answer *swf*'s decision tasks with one resumed run; each answer must be a full replay's."""
    info = ExecutionInfo(workflow_id="wf-id", run_id="run-id")
    resumed = WorkflowRun(workflow_class, info)
    try:
        for _ in range(decisions):
            got = resumed.advance(swf.start_decision())
            assert got == replay(workflow_class, swf.events, info)
            swf.answer(got)
            if swf.closed is not None or (not swf.progress() and not got):
                break
    finally:
        resumed.close()


@pytest.mark.parametrize("seed", range(8))
def test_resumed_canvas_runs_match_full_replays(seed):
    swf = SimulatedSWF({"args": [5], "kwargs": {}}, seed, fail_rate=0.1, timeout_rate=0.05)
    drive_resumed_against_replays(Mixed, swf)
    assert swf.closed in ("completed", "failed")
