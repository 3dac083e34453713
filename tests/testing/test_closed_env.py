"""A WorkflowEnv once closed (its ``with`` block or its test ended) runs nothing more: starting, stepping or
opening it again is refused in one line, rather than going on with its settings put back. One never entered
changes the process's settings during its own calls only."""

from __future__ import annotations

import os

import pytest

from simpleflow import jumbo
from simpleflow.exceptions import UsageError
from simpleflow.testing import WorkflowEnv
from tests.testing import workflows as wf

CLOSED = r"^this WorkflowEnv is closed"


@pytest.fixture
def closed():
    """An environment closed with one execution of it left open (Reminder waits a week) and one closed."""
    with WorkflowEnv() as env:
        waiting = env.start(wf.Reminder, "ann")
        done = env.start(wf.Tolerant, 1)
    return env, waiting, done


@pytest.mark.parametrize(
    "step",
    [
        lambda ex: ex.advance(days=3),
        lambda ex: ex.advance_to(3600),
        lambda ex: ex.finish(),
        lambda ex: ex.signal("go"),
        lambda ex: ex.cancel(),
        lambda ex: ex.query("where"),
    ],
    ids=["advance", "advance_to", "finish", "signal", "cancel", "query"],
)
def test_an_execution_left_open_is_not_stepped_once_its_env_closed(closed, step):
    _, waiting, _ = closed
    with pytest.raises(UsageError, match=CLOSED + r": cannot \w+ local-kit.reminder-\w+ \(") as refused:
        step(waiting)
    assert "\n" not in str(refused.value)
    assert not waiting.closed


def test_an_execution_that_closed_before_still_gives_its_run(closed):
    _, _, done = closed
    assert done.finish().result == {"doubled": 2}  # reading what it did runs nothing


def test_a_closed_env_starts_nothing_and_leaks_no_setting(closed, monkeypatch):
    env = closed[0]
    monkeypatch.delenv(jumbo.BUCKET_ENV, raising=False)
    for use in (lambda: env.run(wf.Tolerant, 1), lambda: env.start(wf.Tolerant, 1), env.open, env.__enter__):
        with pytest.raises(UsageError, match=CLOSED + r": cannot (start an execution|open it again) \("):
            use()
        assert jumbo.BUCKET_ENV not in os.environ
    with pytest.raises(UsageError, match=CLOSED + r": cannot override"):
        env.override(wf.risky, 1)
    assert [call.activity for call in env.calls()] == ["tests.testing.workflows.risky"]  # reading is fine
    env.close()  # closing again does nothing


def test_an_env_never_entered_nor_closed_leaves_no_setting_between_its_calls(monkeypatch):
    # A process that goes on (a `workflow.start --local` it starts inherits os.environ) finds it as it was.
    monkeypatch.delenv(jumbo.BUCKET_ENV, raising=False)
    monkeypatch.delenv("SIMPLEFLOW_JUMBO_FIELDS_CACHE", raising=False)

    def left_alone():
        assert {name for name in os.environ if name.startswith("SIMPLEFLOW_JUMBO")} == set()
        previous = jumbo.use_store(None)
        assert previous is None

    env = WorkflowEnv()
    big = "x" * 40_000
    env.override(wf.risky, lambda n: big)
    assert env.run(wf.Tolerant, 1).result == {"doubled": big}
    assert len(env.jumbo.texts()) == 2  # the activity's result and the workflow's went to its store
    left_alone()
    execution = env.start(wf.Reminder, big)  # its input a jumbo field, read at each call below
    left_alone()
    assert execution.query("where") == "waiting a week"
    left_alone()
    execution.advance(days=7)
    execution.signal("go")
    assert execution.finish().result == f"hello, {big}"
    left_alone()
