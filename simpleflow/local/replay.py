"""Replaying a recorded history in this process against the current workflow code (``workflow.replay``)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from simpleflow import jumbo
from simpleflow.engine import ON_NONDETERMINISM_REPORT, PATCH_MARKER_PREFIX, ExecutionInfo, Unfit, WorkflowRun
from simpleflow.exceptions import UsageError
from simpleflow.history import MalformedHistory, diagnose, start_problem, until_closed
from simpleflow.utils import collector_paused


def _closed_without_patch(decisions: list[dict[str, Any]], closed: bool) -> list[str]:
    """A closed history on which the code records a patch marker went past ``patched`` before the change."""
    if not closed:
        return []
    found = []
    for decision in decisions:
        name = (decision.get("recordMarkerDecisionAttributes") or {}).get("markerName") or ""
        if decision["decisionType"] == "RecordMarker" and name.startswith(PATCH_MARKER_PREFIX):
            change_id = name[len(PATCH_MARKER_PREFIX) :]
            found.append(
                f"patch marker {name!r} is missing: the history closed without it, so the execution went past "
                f"patched({change_id!r}) before the change (the code takes the new path there)"
            )
    return found


def check_history(
    workflow_class: type,
    events: list[Any],
    *,
    workflow_id: str | None = None,
    run_id: str | None = None,
) -> tuple[list[dict[str, Any]], list[str]]:
    """The decisions the code takes on *events*, and where the history does not fit the code.

    *events* are checked as the engine folds them (``History.extend``), not in a pass of their own.

    Raises:
        UsageError: *events* are not an SWF history the engine can read (``MalformedHistory``: one line
            naming the first event that is not an SWF event).
    """
    info = ExecutionInfo(workflow_id=workflow_id, run_id=run_id, on_nondeterminism=ON_NONDETERMINISM_REPORT)
    replay = replay_history(workflow_class, events, info)
    return replay.decisions, replay.mismatches


@dataclass(slots=True)
class Replay:
    """One replay of a history: what the code decides at its end, and where the history does not fit the code.

    Attributes:
        decisions: the decisions the code takes at the history's end.
        mismatches: where the history does not fit the code, one line each (those of a closed history first).
        unfit: the run's own mismatches, each with the history's event it is about (``WorkflowRun.unfit``, as
            ``_past_the_raise`` tells them when ``run`` raised).
        finished: the code's ``run`` is over.
    """

    decisions: list[dict[str, Any]]
    mismatches: list[str]
    unfit: list[Unfit]
    finished: bool


def replay_history(
    workflow_class: type,
    events: list[Any],
    info: ExecutionInfo,
    around: Callable[[], AbstractContextManager[Any]] = contextlib.nullcontext,
) -> Replay:
    """``check_history`` with the execution's *info*, giving the whole ``Replay``; the replay runs inside
    *around()* (``workflow.replay``'s report traces the workflow's commands there).

    Raises:
        UsageError: as ``check_history``.
    """
    # The events and the run's graph, as large as the history, live until the end of the check: the cyclic
    # collector would only walk them (``WorkflowRun.advance`` holds it off too, for the replay alone).
    with collector_paused():
        return _check(workflow_class, events, info, around)


def replayed_events(events: list[Any]) -> tuple[list[dict[str, Any]], bool]:
    """What a replay of *events* folds, and whether the run had closed: jumbo fields decoded (in place), and
    a history that already closed cut before its closing event (as its last decider saw it).

    Raises:
        MalformedHistory: *events* do not start as an SWF history, or are not events at all.
    """
    problem = start_problem(events)
    if problem is not None:
        raise MalformedHistory(problem)
    try:
        everything = jumbo.decode_events(events)
        replayed = until_closed(everything)
    except (TypeError, KeyError, AttributeError) as err:  # not events: these passes read them unchecked
        problem = diagnose(events)
        if problem is None:
            raise
        raise MalformedHistory(problem) from err
    return replayed, len(replayed) < len(everything)


def _check(
    workflow_class: type, events: list[Any], info: ExecutionInfo, around: Callable[[], AbstractContextManager[Any]]
) -> Replay:
    events, closed = replayed_events(events)
    run = WorkflowRun(workflow_class, info)
    try:
        try:
            with around():
                decisions = run.advance(events)
        except UsageError:
            raise
        except Exception as err:  # errors in ``run`` fail the workflow inside the engine: this is the history
            raise UsageError(f"the history cannot be replayed: {type(err).__name__}: {err}") from err
        unfit = _past_the_raise(workflow_class, events, info, run)
        mismatches = _closed_without_patch(decisions, closed) + [u.text for u in unfit]
        replay = Replay(decisions, mismatches, unfit, run.finished)
    finally:
        run.close()
    if replay.mismatches:  # the rare path: a corrupted history would read as code that does not fit it
        problem = diagnose(events)
        if problem is not None:
            raise MalformedHistory(problem)
    return replay


# A command the code never took -> its decision's attributes, the one naming the command, and how the code takes it.
_TAKEN_BY = {
    "activity": ("scheduleActivityTaskDecisionAttributes", "activityId", "submitting"),
    "child_workflow": ("startChildWorkflowExecutionDecisionAttributes", "workflowId", "submitting"),
    "timer": ("startTimerDecisionAttributes", "timerId", "starting"),
    "marker": ("recordMarkerDecisionAttributes", "markerName", "recording"),
}


def _past_the_raise(
    workflow_class: type, events: list[dict[str, Any]], info: ExecutionInfo, run: WorkflowRun
) -> list[Unfit]:
    """``run.unfit``, told as it happened when ``run`` raised.

    A run stops where its failure surfaces, which a replay of the whole history may meet sooner than the run that
    made it did (a ``raises_on_failure`` task the history shows failed raises at its submit), and a decider does
    not refuse what the history holds past it. So each command the code never took is looked for again, in a replay
    of the history as it stood at the decision task that took it: taken there, it is no mismatch; not taken because
    the run raised there, its line names the exception rather than saying the code never takes it.
    """
    unfit = run.unfit
    if run.outcome is None or run.outcome.error is None:
        return unfit
    own = {m.unfit() for m in run.nondeterminism}
    by_id = {event["eventId"]: event for event in events}
    at_task: dict[int, tuple[list[dict[str, Any]], str | None]] = {}  # one replay per decision task
    found = []
    for unfit_one in unfit:
        event = by_id.get(unfit_one.event_id) if unfit_one not in own and unfit_one.kind in _TAKEN_BY else None
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


def _deciding_task(event: dict[str, Any]) -> int | None:
    """The DecisionTaskCompleted event id of the decision *event* records (ActivityTaskScheduled, TimerStarted...)."""
    attributes = next((value for key, value in event.items() if key.endswith("EventAttributes")), None)
    return attributes.get("decisionTaskCompletedEventId") if isinstance(attributes, dict) else None


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
