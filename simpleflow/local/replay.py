"""Replaying a recorded history in this process against the current workflow code (``workflow.replay``)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from simpleflow import jumbo
from simpleflow.engine import (
    ON_NONDETERMINISM_REPORT,
    PATCH_MARKER_PREFIX,
    ExecutionInfo,
    Unfit,
    WorkflowRun,
    past_the_raise,
)
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
            ``past_the_raise`` tells them when ``run`` raised).
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
        unfit = past_the_raise(workflow_class, events, info, run)
        mismatches = _closed_without_patch(decisions, closed) + [u.text for u in unfit]
        replay = Replay(decisions, mismatches, unfit, run.finished)
    finally:
        run.close()
    if replay.mismatches:  # the rare path: a corrupted history would read as code that does not fit it
        problem = diagnose(events)
        if problem is not None:
            raise MalformedHistory(problem)
    return replay
