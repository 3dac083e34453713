"""The future of a task that failed has no value: it is never passed on, nor written, as ``null``.

Before, a task submitted with such a future among its arguments was scheduled with ``null`` in its
place (a worker that could not store a result, its task timed out: the next task got ``null``), and a
run returning such a future completed the execution with ``null``. Reading ``future.result`` by hand
still gives None, as in simpleflow 0.36: the workflow asked.
"""

from __future__ import annotations

from simpleflow import Workflow, activity, futures
from simpleflow.engine import ExecutionInfo, WorkflowRun, replay
from simpleflow.exceptions import NoValue
from simpleflow.local import LocalExecution
from tests.fixtures import engine_workflows as wf
from tests.history_builder import HistoryBuilder

INC = "tests.fixtures.engine_workflows.inc"
INFO = ExecutionInfo(workflow_id="wf-id", run_id="run-id")


def closing(decisions):
    last = decisions[-1]
    return last["decisionType"], last.get(
        last["decisionType"][0].lower() + last["decisionType"][1:] + "DecisionAttributes"
    )


def dataflow_with_a_failed_first_task() -> HistoryBuilder:
    """Dataflow's first decision scheduled ``inc-1``, which failed."""
    b = HistoryBuilder(input={"args": [1], "kwargs": {}})
    b.decision()
    sid = b.schedule_activity(f"activity-{INC}-1", INC, input={"args": [1], "kwargs": {}})
    b.fail_activity(sid, reason="TypeError: boom")
    b.decision_started()
    return b


EXPECTED_REASON = (
    f"{INC} was submitted with the future of activity-{INC}-1 as an argument, which failed: no value (TypeError: boom)"
)


def test_a_task_submitted_with_a_failed_future_fails_the_run_instead_of_being_scheduled_with_null():
    decisions = replay(wf.Dataflow, dataflow_with_a_failed_first_task().events)

    assert [d["decisionType"] for d in decisions] == ["FailWorkflowExecution"]
    assert closing(decisions)[1]["reason"] == EXPECTED_REASON


def test_a_resumed_run_whose_waiting_submit_gets_a_failed_future_decides_as_a_full_replay():
    b = HistoryBuilder(input={"args": [1], "kwargs": {}})
    b.decision_started()
    run = WorkflowRun(wf.Dataflow, INFO)
    try:
        first = run.advance(list(b.events))  # inc-1 scheduled; the other submits wait on its future
        assert [d["decisionType"] for d in first] == ["ScheduleActivityTask"]
        b.decision_completed(b.events[-1]["eventId"])
        sid = b.schedule_activity(f"activity-{INC}-1", INC, input={"args": [1], "kwargs": {}})
        seen = len(b.events)
        b.fail_activity(sid, reason="TypeError: boom")
        b.decision_started()

        resumed = run.advance(list(b.events[seen - 1 :]))
    finally:
        run.close()

    assert resumed == replay(wf.Dataflow, b.events, INFO)
    assert closing(resumed)[1]["reason"] == EXPECTED_REASON


@activity.with_attributes(task_list="no-value", version="1")
def broken(x: int) -> int:
    raise ValueError(f"cannot do {x}")


@activity.with_attributes(task_list="no-value", version="1")
def double(x: int) -> int:
    return 2 * x


class ReturnsAFailedFuture(Workflow):
    name = "no_value.returns_future"
    version = "1"
    task_list = "no-value"

    def run(self) -> object:
        failed = self.submit(broken, 1)
        futures.wait(failed)
        return {"value": failed}


class GoesOnWithout(Workflow):
    name = "no_value.goes_on"
    version = "1"
    task_list = "no-value"

    def run(self) -> object:
        first = self.submit(broken, 1)
        try:
            return self.submit(double, first).result
        except NoValue as err:  # the documented way to go on without the value
            return {"skipped": err.submitted, "because": err.exception.reason}


def test_a_run_returning_a_failed_future_fails_instead_of_completing_with_null():
    outcome = LocalExecution(ReturnsAFailedFuture, {"args": [], "kwargs": {}}).execute()

    assert outcome.status == "failed"
    assert outcome.reason.startswith(
        "run() returned a value JSON cannot encode: the future of a task that failed has no value"
    ), outcome.reason


def test_a_workflow_may_catch_no_value_and_go_on():
    outcome = LocalExecution(GoesOnWithout, {"args": [], "kwargs": {}}).execute()

    assert outcome.status == "completed", outcome.reason
    assert outcome.result == {"skipped": f"{__name__}.double", "because": "ValueError: cannot do 1"}
