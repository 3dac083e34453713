"""Cancelling what SWF has not been asked for yet: tasks not scheduled, a child not started, futures
by hand, a group's task.
"""

from __future__ import annotations

import pytest

from simpleflow import Workflow, futures
from simpleflow.engine import replay
from simpleflow.exceptions import CancelledError, TaskCanceled
from tests.engine.test_cancel import CHILD_ID, FAST, INFO, CancelsChild, Child, attrs_of, decisions_of, fast, result_of
from tests.history_builder import HistoryBuilder

# -- tasks not scheduled yet -----------------------------------------------------------------------


class CancelsBeforeScheduling(Workflow):
    name = "wf"
    version = "1"
    task_list = "tl"

    def run(self):
        never = self.submit(fast, 1)
        child = self.submit(Child)
        timer = self.submit(self.start_timer("t", 60))
        waiting = self.submit(fast, never)  # waits on its argument: not submitted yet
        asked = [f.cancel() for f in (never, child, timer, waiting)]
        return {"asked": asked, "cancelled": [f.cancelled for f in (never, child, timer, waiting)]}


def test_tasks_cancelled_before_they_are_scheduled_take_no_decision():
    b = HistoryBuilder()
    b.decision_started()
    decisions = replay(CancelsBeforeScheduling, b.events, INFO)
    assert result_of(decisions) == {"asked": [True] * 4, "cancelled": [True] * 4}


class CancelsThenSubmits(Workflow):
    name = "wf"
    version = "1"
    task_list = "tl"

    def run(self):
        self.submit(fast, 1).cancel()
        return self.submit(fast, 2).result


def test_a_task_cancelled_before_scheduling_keeps_its_id_count():
    b = HistoryBuilder()
    b.decision_started()
    decisions = replay(CancelsThenSubmits, b.events, INFO)
    assert [attrs_of(d)["activityId"] for d in decisions] == ["activity-cancel.fast-2"]


# -- futures outside a replay ----------------------------------------------------------------------


def test_a_future_cancelled_by_hand_raises_cancelled_error_on_result_and_a_finished_one_refuses():
    cancelled = futures.Future()
    assert cancelled.cancel() is True and cancelled.cancelled and cancelled.done
    with pytest.raises(CancelledError):
        cancelled.result  # noqa: B018
    assert cancelled.exception is None
    assert issubclass(CancelledError, TaskCanceled)
    finished = futures.Future()
    finished.set_finished(3)
    assert finished.cancel() is False and finished.result == 3


def test_a_child_not_started_yet_is_asked_by_workflow_id_alone():
    b = HistoryBuilder()
    b.decision()
    b.start_child_workflow(CHILD_ID, f"{Child.__module__}.Child")  # initiated, not yet started
    done = b.schedule_activity(FAST, "cancel.fast", input={"args": [1], "kwargs": {}})
    b.complete_activity(done, result=2)
    b.decision_started()
    decisions = replay(CancelsChild, b.events, INFO)
    assert decisions_of(decisions) == ["RequestCancelExternalWorkflowExecution"]
    assert attrs_of(decisions[0]) == {"workflowId": CHILD_ID}


class CancelsInGroup(Workflow):
    name = "wf"
    version = "1"
    task_list = "tl"

    def run(self):
        from simpleflow.canvas import Group

        group = self.submit(Group((fast, 1), (fast, 2)))
        group.futures[0].cancel()
        return group.result


def test_a_groups_result_lists_none_where_a_task_was_cancelled_as_in_simpleflow():
    b = HistoryBuilder()
    b.decision()
    second = b.schedule_activity("activity-cancel.fast-2", "cancel.fast", input={"args": [2], "kwargs": {}})
    b.complete_activity(second, result=3)
    b.decision_started()
    assert result_of(replay(CancelsInGroup, b.events, INFO)) == [None, 3]
