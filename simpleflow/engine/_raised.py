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

    Each command the code never took is looked for again, in a replay of the history as it stood at the decision
    task that took it: taken there, it is no mismatch; not taken because the run raised there, its line names the
    exception rather than saying the code never takes it.
    """
    unfit = run.unfit
    unreached = _maybe_unreached(run)
    if not unreached:
        return unfit
    by_id = {event["eventId"]: event for event in events}
    at_task: dict[int, tuple[list[dict[str, Any]], str | None]] = {}  # one replay per decision task
    found = []
    for unfit_one in unfit:
        event = by_id.get(unfit_one.event_id) if unfit_one in unreached else None
        completed = _deciding_task(event) if event is not None else None
        if completed is None:
            found.append(unfit_one)
            continue
        if completed not in at_task:
            at_task[completed] = _decided_at(workflow_class, [e for e in events if e["eventId"] < completed], info)
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

    One look, where ``past_the_raise`` replays the history once per decision task to tell those commands apart:
    a query, whose history anyone who can start or signal the execution can make long, must not cost that.
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
    workflow_class: type, events: list[dict[str, Any]], info: ExecutionInfo
) -> tuple[list[dict[str, Any]], str | None]:
    """The decisions the code takes on *events* (a history up to a decision task), and what ``run`` raised there."""
    run = WorkflowRun(workflow_class, info)
    try:
        decisions = run.advance(events)
        return decisions, run.outcome.error if run.outcome is not None else None
    finally:
        run.close()
