"""Where the history does not fit the code, told as it happened when ``run`` raised (``past_the_raise``).

A run stops where its failure surfaces, which a replay of the whole history may meet sooner than the run that made
it did: a ``raises_on_failure`` task the history shows failed raises at its submit, before tasks the live run had
already submitted by then. A decider does not refuse what the history holds past that point, so neither does
``workflow.replay`` nor a query.
"""

from __future__ import annotations

from typing import Any

from simpleflow.engine._context import ExecutionInfo
from simpleflow.engine._fit import Unfit
from simpleflow.engine._run import WorkflowRun

# A command the code never took -> its decision's attributes, the one naming the command, and how the code takes it.
_TAKEN_BY = {
    "activity": ("scheduleActivityTaskDecisionAttributes", "activityId", "submitting"),
    "child_workflow": ("startChildWorkflowExecutionDecisionAttributes", "workflowId", "submitting"),
    "timer": ("startTimerDecisionAttributes", "timerId", "starting"),
    "marker": ("recordMarkerDecisionAttributes", "markerName", "recording"),
}


def past_the_raise(
    workflow_class: type, events: list[dict[str, Any]], info: ExecutionInfo, run: WorkflowRun
) -> list[Unfit]:
    """``run.unfit`` (*run* replayed *events*), told as it happened when ``run`` raised.

    Each command the code never took is looked for again at the decision task that took it, in one more replay
    resumed from decision task to decision task as a decider's run is (``_decided_at``): taken there, it is no
    mismatch; not taken because the run raised there, its line names the exception rather than saying the code
    never takes it.
    """
    unfit = run.unfit
    unreached = _maybe_unreached(run)
    if not unreached:
        return unfit
    by_id = {event["eventId"]: event for event in events}
    deciding = {u: _deciding_task(by_id[u.event_id]) for u in unreached if u.event_id in by_id}
    at_task = _decided_at(workflow_class, events, info, {c for c in deciding.values() if c is not None})
    found = []
    for unfit_one in unfit:
        completed = deciding.get(unfit_one)
        if completed is None:
            found.append(unfit_one)
            continue
        decisions, raised = at_task[completed]
        attributes, key, verb = _TAKEN_BY[unfit_one.kind]
        if any((decision.get(attributes) or {}).get(key) == unfit_one.id for decision in decisions):
            continue  # taken at its decision task: the run raised on what the history holds after it
        if raised is not None:
            what = f"{unfit_one.kind.replace('_', ' ')} {unfit_one.id!r}"
            text = f"{what} is in the history but the run raised before {verb} it: {raised}"
            unfit_one = Unfit(text, unfit_one.kind, unfit_one.id, unfit_one.event_id)
        found.append(unfit_one)
    return found


def unfit_before_the_raise(run: WorkflowRun) -> list[Unfit]:
    """``run.unfit`` without the commands the code never took because ``run`` raised first: what a query answers
    does not depend on them (the run's state is the one it raised in).

    One look, where ``past_the_raise`` replays the history once more, stopping at each decision task, to tell those
    commands apart: a query answers without that second replay.
    """
    unreached = _maybe_unreached(run)
    return [u for u in run.unfit if u not in unreached]


def _maybe_unreached(run: WorkflowRun) -> set[Unfit]:
    """The commands of ``run.unfit`` the code may not have reached because ``run`` raised first (none when it did
    not raise): commands a decision takes, the run's own nondeterminism aside."""
    if run.outcome is None or run.outcome.error is None:
        return set()
    own = {m.unfit() for m in run.nondeterminism}
    return {u for u in run.unfit if u not in own and u.kind in _TAKEN_BY}


def _deciding_task(event: dict[str, Any]) -> int | None:
    """The DecisionTaskCompleted event id of the decision *event* records (ActivityTaskScheduled, TimerStarted...);
    None when the event names none (or not as an event id: a history file may hold anything)."""
    attributes = next((value for key, value in event.items() if key.endswith("EventAttributes")), None)
    completed = attributes.get("decisionTaskCompletedEventId") if isinstance(attributes, dict) else None
    return completed if type(completed) is int and completed > 0 else None


def _decided_at(
    workflow_class: type, events: list[dict[str, Any]], info: ExecutionInfo, tasks: set[int]
) -> dict[int, tuple[list[dict[str, Any]], str | None]]:
    """At each decision task of *tasks* (DecisionTaskCompleted event ids): the decisions the code takes on the
    history before it, and what ``run`` raised there.

    One run, resumed with each task's new events as a decider's is (it replays in full by itself where resuming
    could diverge from that): a fresh replay per task cost the whole history again at each (quadratic).
    """
    run = WorkflowRun(workflow_class, info)
    found: dict[int, tuple[list[dict[str, Any]], str | None]] = {}
    start = 0
    try:
        for completed in sorted(tasks):
            end = start
            while end < len(events) and events[end]["eventId"] < completed:
                end += 1
            decisions = run.advance(events[start:end])
            found[completed] = decisions, run.outcome.error if run.outcome is not None else None
            start = end
    finally:
        run.close()
    return found
