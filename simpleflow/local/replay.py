"""Replaying a recorded history in this process against the current workflow code (``workflow.replay``)."""

from __future__ import annotations

from typing import Any

from simpleflow import jumbo
from simpleflow.engine import ON_NONDETERMINISM_REPORT, PATCH_MARKER_PREFIX, ExecutionInfo, WorkflowRun
from simpleflow.exceptions import UsageError
from simpleflow.history import MalformedHistory, diagnose, start_problem, until_closed
from simpleflow.utils._gc import collector_paused


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
    # The events and the run's graph, as large as the history, live until the end of the check: the cyclic
    # collector would only walk them (``WorkflowRun.advance`` holds it off too, for the replay alone).
    with collector_paused():
        info = ExecutionInfo(workflow_id=workflow_id, run_id=run_id, on_nondeterminism=ON_NONDETERMINISM_REPORT)
        return _check(workflow_class, events, info)


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


def _check(workflow_class: type, events: list[Any], info: ExecutionInfo) -> tuple[list[dict[str, Any]], list[str]]:
    events, closed = replayed_events(events)
    run = WorkflowRun(workflow_class, info)
    try:
        try:
            decisions = run.advance(events)
        except UsageError:
            raise
        except Exception as err:  # errors in ``run`` fail the workflow inside the engine: this is the history
            raise UsageError(f"the history cannot be replayed: {type(err).__name__}: {err}") from err
        mismatches = _closed_without_patch(decisions, closed) + run.mismatches
    finally:
        run.close()
    if mismatches:  # the rare path: a corrupted history would read as code that does not fit it
        problem = diagnose(events)
        if problem is not None:
            raise MalformedHistory(problem)
    return decisions, mismatches
