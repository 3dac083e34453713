"""The local host refuses code that does not fit the history it wrote: the execution fails, naming the task,
both inputs and the workflow's line (no other code could come to answer instead)."""

from __future__ import annotations

import itertools

from simpleflow import Workflow
from simpleflow.local import LocalExecution
from tests.fixtures import nondeterminism_workflows as nw
from tests.fixtures.retry_workflows import MendedRetries


class Drifting(Workflow):
    """Its first step's input changes at each replay (a counter standing for the clock or randomness)."""

    name = "tests.nondet.drifting"
    version = "1"
    task_list = nw.TASK_LIST
    replays = itertools.count(1)

    def run(self):
        first = self.submit(nw.step, next(Drifting.replays))
        if not first.finished:  # a read without waiting: the next decision replays in full
            first.wait()
        return first.result


def test_code_that_does_not_replay_the_same_fails_the_local_execution_naming_the_task_and_line():
    outcome = LocalExecution(Drifting, {"args": [], "kwargs": {}}).execute()
    assert outcome.status == "failed"
    assert outcome.reason.startswith(
        f"Workflow code does not fit its history: activity {nw.step_id(1)!r} (tests/local/test_nondeterminism.py, line "
    ), outcome.reason
    assert 'the history has input {"args":[1],"kwargs":{}}, the code asks for input {"args":[2]' in outcome.details
    assert "not deterministic" in outcome.details
    scheduled = [e for e in outcome.events if e["eventType"] == "ActivityTaskScheduled"]
    assert len(scheduled) == 1  # nothing decided on the values it misread


def test_retries_on_task_failure_gave_other_arguments_fit_the_full_replays_that_follow():
    outcome = LocalExecution(MendedRetries, {"args": [[-2, 1, -3]], "kwargs": {}}).execute()
    assert outcome.status == "completed", outcome.reason
    assert outcome.result == {"tens": [50, 10, 70], "last_failed": True}
