"""A compacted run (what the decider's cache keeps) resumes exactly as a full replay decides.

``WorkflowRun.compact`` lets the raw events and the unused fields of completed
activities go between decision tasks; whatever needs them again (a fall back
to a full replay, a hook, ``on_task_failure``) gets them from the host's reload.
"""

from __future__ import annotations

import pytest

from simpleflow.engine import ExecutionInfo, WorkflowRun, answer_decision_task, replay
from simpleflow.history import History, HistoryUnavailable
from tests.fixtures import engine_workflows as wf
from tests.history_builder import HistoryBuilder
from tests.swf_simulator import SimulatedSWF

INFO = ExecutionInfo(workflow_id="wf-id", run_id="run-id")


class Reload:
    """The host's reload over a simulated execution, counting its calls."""

    def __init__(self, swf: SimulatedSWF) -> None:
        self.swf = swf
        self.calls = 0

    def __call__(self) -> list[dict]:
        self.calls += 1
        return list(self.swf.events)


def drive_compacted(workflow_class, input, seed, max_rounds=400, **rates):
    """Compact the run after every decision task; assert it decides as a full replay every time."""
    swf = SimulatedSWF(input, seed, **rates)
    reload = Reload(swf)
    run = WorkflowRun(workflow_class, INFO)
    rounds = 0
    try:
        while swf.closed is None and rounds < max_rounds:
            new = swf.start_decision()
            got = run.advance(new)
            expected = replay(workflow_class, swf.events, INFO)
            assert got == expected, f"round {rounds}: the compacted run differs from a full replay"
            run.compact(reload)
            swf.answer(got)
            if swf.closed is None and not swf.progress() and not got:
                break
            rounds += 1
    finally:
        run.close()
    return swf, run, reload


@pytest.mark.parametrize("seed", range(4))
def test_a_compacted_chain_resumes_like_a_full_replay_without_reloading(seed):
    swf, run, reload = drive_compacted(wf.Chain, {"args": [12], "kwargs": {}}, seed, fail_rate=0.0, timeout_rate=0.0)
    assert swf.closed == "completed"
    assert run.fallbacks == 0 and reload.calls == 0


def test_a_compacted_run_lets_go_of_what_it_compared_its_completed_activities_with():
    # A command notes the event its record was compared with (an int per activity in a cached run): once
    # the record is cut down, nothing compares it again, so the note goes too.
    swf = SimulatedSWF({"args": [6], "kwargs": {}}, 0, fail_rate=0.0, timeout_rate=0.0)
    run = WorkflowRun(wf.Chain, INFO)
    try:
        for _ in range(4):  # three activities completed, the fourth scheduled
            decided = run.advance(swf.start_decision())
            run.compact(Reload(swf))
            swf.answer(decided)
            swf.progress()
        commands = run.context.tracker.commands.values()
        records = run.history.activities
        completed = [c for c in commands if c.id in records and records[c.id].state.value == "completed"]
        assert len(completed) >= 2 and all(command.checked == 0 for command in completed)
        assert run.fallbacks == 0
    finally:
        run.close()


@pytest.mark.parametrize("seed", range(4))
def test_a_compacted_fanout_resumes_like_a_full_replay(seed):
    swf, _, _ = drive_compacted(wf.FanOut, {"args": [40], "kwargs": {}}, seed, fail_rate=0.0, timeout_rate=0.0)
    assert swf.closed == "completed"


@pytest.mark.parametrize("seed", range(6))
def test_compacted_runs_with_failures_reload_their_events_and_match_a_full_replay(seed):
    _, _, dataflow = drive_compacted(wf.Dataflow, {"args": [seed], "kwargs": {}}, seed)
    _, _, retrying = drive_compacted(wf.Retrying, {"args": [6], "kwargs": {}}, seed, fail_rate=0.5)
    swf, strict_run, strict = drive_compacted(wf.Strict, {"args": [5], "kwargs": {}}, seed, fail_rate=0.3)
    assert swf.closed in ("completed", "failed")
    # A failure for good with raises_on_failure makes a resumed run replay in full: from reloaded events.
    assert strict.calls == strict_run.fallbacks


@pytest.mark.parametrize("seed", range(12))
def test_compacted_mixed_workflows_match_a_full_replay(seed):
    drive_compacted(wf.Mixed, {"args": [seed, 12], "kwargs": {}}, seed)


@pytest.mark.parametrize("seed", range(3))
def test_a_run_replaying_in_full_each_time_keeps_its_events(seed):
    swf, run, reload = drive_compacted(wf.Polling, {"args": [6], "kwargs": {}}, seed, fail_rate=0.0, timeout_rate=0.0)
    assert swf.closed == "completed"
    assert reload.calls == 0  # never compacted: it keeps the events its next full replay needs


def _watched(seed: int, compact: bool) -> tuple[list, list]:
    swf = SimulatedSWF({"args": [6], "kwargs": {}}, seed, fail_rate=0.3, timeout_rate=0.0)
    run = WorkflowRun(wf.Watched, INFO)
    wf.Watched.notes = notes = []
    answers = []
    try:
        while swf.closed is None and len(answers) < 100:
            answers.append(run.advance(swf.start_decision()))
            if compact:
                run.compact(Reload(swf))
            swf.answer(answers[-1])
            swf.progress()
    finally:
        run.close()
        wf.Watched.notes = None
    return answers, notes


@pytest.mark.parametrize("seed", range(4))
def test_hooks_of_a_compacted_run_get_the_whole_history(seed):
    answers, notes = _watched(seed, compact=True)
    reference_answers, reference_notes = _watched(seed, compact=False)
    assert answers == reference_answers
    assert notes == reference_notes
    hooks = {note[0] for note in notes}
    assert {"after_replay", "after_closed"} <= hooks
    last_events, last_tasks = notes[-1][1], notes[-1][2]
    assert last_events == list(range(1, len(last_events) + 1))
    assert all(scheduled_at is not None and task_input for _, task_input, scheduled_at in last_tasks.values())


def test_on_task_failure_of_a_compacted_run_gets_the_whole_history():
    for seed in range(20):
        _, notes = _watched(seed, compact=True)
        failures = [note for note in notes if note[0] == "on_task_failure"]
        if failures:
            break
    assert failures, "no seed made a task fail"
    _, reference = _watched(seed, compact=False)
    assert failures == [note for note in reference if note[0] == "on_task_failure"]
    assert all(text is not None for _, _, inputs in failures for text in inputs.values())


def _chain_history(done: int) -> HistoryBuilder:
    b = HistoryBuilder(input={"args": [done + 2], "kwargs": {}}, workflow_id="wf-id", run_id="run-id")
    for k in range(done):
        b.decision()
        scheduled = b.schedule_activity(f"activity-{wf.inc.name}-{k + 1}", wf.inc.name, input={"args": [k]})
        b.complete_activity(scheduled, k + 1)
    b.decision_started()
    return b


def _held(record) -> set[str]:
    """The fields of *record* that hold something."""
    return {name for name in type(record).__slots__ if getattr(record, name) is not None}


def test_compact_keeps_only_what_resuming_reads_and_expand_brings_every_field_back():
    b = _chain_history(5)
    history = History(b.events)
    whole = {key: r.as_dict() for key, r in History(b.events).activities.items()}
    record = history.activities[f"activity-{wf.inc.name}-1"]
    history.compact(lambda: list(b.events))
    assert history.compacted and history.held_events == 0 and history.event_count == len(b.events)
    assert _held(record) == {"id", "state", "name", "result", "last_event_id"}
    assert history.last_event_id == len(b.events)
    assert history.events == b.events  # reloaded
    assert not history.compacted
    assert {key: r.as_dict() for key, r in history.activities.items()} == whole
    assert history.activities[f"activity-{wf.inc.name}-1"] is record  # refilled in place


def test_a_history_expanded_then_compacted_again_keeps_only_what_resuming_reads():
    b = _chain_history(5)
    history = History(b.events)
    history.compact(lambda: list(b.events))
    history.expand()  # a hook read the history
    history.compact(lambda: list(b.events))
    assert all(
        _held(r) <= {"id", "state", "name", "result", "last_event_id", "retry"} for r in history.activities.values()
    )
    assert history._by_scheduled == {}  # no event names a completed task again
    assert history.events == b.events


def test_a_reload_that_does_not_continue_the_folded_events_is_refused():
    b = _chain_history(3)
    history = History(b.events)
    history.compact(lambda: b.events[:-2])
    with pytest.raises(HistoryUnavailable, match="reloaded history has"):
        history.expand()


def test_a_failed_reload_leaves_the_decision_task_unanswered_not_the_execution_failed():
    swf = SimulatedSWF({"args": [3], "kwargs": {}}, 0, fail_rate=0.0, timeout_rate=0.0)
    run = WorkflowRun(wf.Strict, INFO)
    swf.answer(run.advance(swf.start_decision()))  # the three tasks scheduled

    def unreachable() -> list[dict]:
        raise ConnectionError("SWF is unreachable")

    run.compact(unreachable)
    # The last task fails for good while run waits on the first: only a full replay raises it where it is read.
    swf.builder.fail_activity(max(swf.open_activities))
    with pytest.raises(ConnectionError, match="unreachable"):
        answer_decision_task(run, swf.start_decision())
    assert run.closed


@pytest.mark.parametrize("seed", range(3))
def test_a_run_whose_hook_reads_the_history_is_kept_whole_and_reloads_nothing(seed):
    # Compacting it again would only have the next after_replay reload every event (a fetch from SWF).
    swf, run, reload = drive_compacted(
        wf.ReadsHistory, {"args": [8], "kwargs": {}}, seed, fail_rate=0.0, timeout_rate=0.0
    )
    assert swf.closed == "completed"
    assert reload.calls == 0 and run.fallbacks == 0
