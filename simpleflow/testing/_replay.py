"""Recorded histories replayed against today's code: ``ok``, or the first decision that differs.

``check_replay`` asks the engine's own check (``simpleflow.local.replay.replay_history``: the decisions the
code takes on the history, and where the history does not fit it); a history that closed must also close
the same way (the code's decision at its last decision task is the one it recorded). When they differ, the
history is replayed once more with the workflow's submits traced (a profile hook on the run's thread, on
this rare path only) to say which decision of the history the code does not take, what it does instead, and
at which line of the workflow: all of it from that one replay, since code that reads ``random`` or the clock
takes other decisions on each. ``workflow.replay`` and the pytest helpers (``assert_replays``,
``replay_tests``) print these reports.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import simpleflow
from simpleflow import format, jumbo
from simpleflow.engine import ON_NONDETERMINISM_REPORT, ExecutionInfo, WorkflowContext
from simpleflow.exceptions import UsageError
from simpleflow.history import MalformedHistory
from simpleflow.local.replay import Replay, replay_history
from simpleflow.testing._decisions import Decision, decision_of, decisions_in, last_decision
from simpleflow.testing._files import history_files, load_history
from simpleflow.testing._notes import IDS_AS_ARGUMENTS, IDS_IN_FILE, replay_notes
from simpleflow.utils import shown_path

# The decisions a workflow's code asks for itself, which a history's decision must be accounted for by.
_CHECKED = frozenset(
    {
        "ScheduleActivityTask",
        "StartChildWorkflowExecution",
        "StartTimer",
        "RecordMarker",
        "SignalExternalWorkflowExecution",
        "RequestCancelExternalWorkflowExecution",
    }
)
# WorkflowContext's command methods (simpleflow.engine) -> the decision each one leads to.
_TRACED = {
    "submit_activity": "ScheduleActivityTask",
    "submit_child_workflow": "StartChildWorkflowExecution",
    "submit_timer": "StartTimer",
    "submit_cancel_timer": "CancelTimer",
    "submit_marker": "RecordMarker",
    "submit_signal": "SignalExternalWorkflowExecution",
    "submit_cancel_workflow": "RequestCancelExternalWorkflowExecution",
    "submit_continue_as_new": "ContinueAsNewWorkflowExecution",
    "fail": "FailWorkflowExecution",
}
# What, of a closing decision, must match the history's (the rest holds tracebacks, paths, ids).
_CLOSING_FIELDS = {
    "CompleteWorkflowExecution": "result",
    "FailWorkflowExecution": "reason",
    "ContinueAsNewWorkflowExecution": "input",
    "CancelWorkflowExecution": "details",
}
_PACKAGE = os.path.dirname(os.path.abspath(simpleflow.__file__)) + os.sep


@dataclass(slots=True)
class Difference:
    """Where a history and today's code part.

    Attributes:
        history: the history's decision the code does not take (None: the code takes all of them).
        code: what the code decides instead, at that point (None: nothing, it waits).
        line: where in the workflow the code takes it (``path:line``), when known.
        reason: the engine's account of the mismatch, or ours.
    """

    history: Decision | None
    code: Decision | None
    line: str | None
    reason: str


@dataclass(slots=True)
class ReplayReport:
    """One history replayed: ``ok``, or its ``difference`` and the likely causes ``notes`` names (the history
    is of another workflow type, or was replayed without the ids its child workflow ids embed)."""

    name: str
    decisions: list[dict[str, Any]] = field(default_factory=list)  # what the code decides at the history's end
    difference: Difference | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.difference is None

    def lines(self) -> list[str]:
        """``<name>: ok``, or ``<name>: differs ...`` and what the history did, what the code does, why."""
        diff = self.difference
        if diff is None:
            return [f"{self.name}: ok"]
        where = ""
        if diff.history is not None and diff.history.decision_task:
            where = f" at decision task {diff.history.decision_task} (event {diff.history.event_id})"
        code = diff.code.describe() if diff.code is not None else "no decision (it waits)"
        return [
            f"{self.name}: differs{where}",
            f"    history:  {diff.history.describe() if diff.history is not None else '-'}",
            f"    code now: {code}" + (f", at {diff.line}" if diff.line else ""),
            f"    why: {diff.reason}",
            *self.note_lines(),
        ]

    def note_lines(self) -> list[str]:
        return [f"    note: {note}" for note in self.notes]

    def __str__(self) -> str:
        return "\n".join(self.lines())


def check_replay(
    workflow_class: type,
    events: list[dict[str, Any]],
    *,
    name: str = "history",
    workflow_id: str | None = None,
    run_id: str | None = None,
) -> ReplayReport:
    """Replay *events* against *workflow_class*: a report, ``ok`` or with the first decision that differs.

    Raises:
        UsageError: *events* are not an SWF history the engine can read.
    """
    return replay_report(workflow_class, events, name, (workflow_id, run_id), IDS_AS_ARGUMENTS)


def replay_report(
    workflow_class: type,
    events: list[dict[str, Any]],
    name: str,
    ids: tuple[str | None, str | None],
    give_ids: str,
) -> ReplayReport:
    """``check_replay`` with the execution's *ids* (workflow id, run id), *give_ids* saying in its report how
    its caller is given them."""
    workflow_id, run_id = ids
    # As workflow.replay replays it: a mismatch is reported, not raised (the report is made of them).
    info = ExecutionInfo(workflow_id=workflow_id, run_id=run_id, on_nondeterminism=ON_NONDETERMINISM_REPORT)
    first = replay_history(workflow_class, events, info)
    last = last_decision(events, numbered=False)  # its task's number only if it is reported (below)
    closing = last if last is not None and last.closes_run else None
    if _fits(first, closing):
        return ReplayReport(name, first.decisions)
    # The rare path: replayed again with the workflow's commands traced, and reported from that one replay alone
    # (code that is really random takes other decisions from one replay to the next).
    trace, fitted = _differing_trace(workflow_class, events, info, closing)
    replayed = first if trace is None else trace.replay
    report = ReplayReport(name, replayed.decisions)
    report.difference = _difference(replayed, trace, events, closing)
    report.notes = replay_notes(
        workflow_class, events, (report.difference.history, report.difference.code), ids, give_ids
    )
    if fitted or trace is None or _told(trace.replay) != _told(first):
        report.notes.append(_UNSTABLE)
    return report


# A replay that differs is replayed again, traced, until it differs again (code that is really random may fit).
_TRACED_TRIES = 8
_UNSTABLE = (
    "the code took other decisions on another replay of the same history: it reads something outside its history "
    "(random, the clock, the environment), which a decider's replay meets too"
)


def _fits(replay: Replay, closing: Decision | None) -> bool:
    return not replay.mismatches and (closing is None or _closes_alike(closing, _code_now(replay)))


def _code_now(replay: Replay) -> list[Decision]:
    return [d for d in map(decision_of, replay.decisions) if not d.is_bookkeeping]


def _told(replay: Replay) -> tuple[list[str], list[str]]:
    """What a report says of *replay*: its mismatches and the code's decisions."""
    return replay.mismatches, [d.describe() for d in _code_now(replay)]


def _differing_trace(
    workflow_class: type, events: list[dict[str, Any]], info: ExecutionInfo, closing: Decision | None
) -> tuple[_Trace | None, bool]:
    """A traced replay of *events* that does not fit the code (None: each of ``_TRACED_TRIES`` fit), and whether
    one fit before it."""
    for tries in range(_TRACED_TRIES):
        trace = _trace(workflow_class, events, info)
        if not _fits(trace.replay, closing):
            return trace, tries > 0
    return None, True


def _difference(
    replay: Replay, trace: _Trace | None, events: list[dict[str, Any]], closing: Decision | None
) -> Difference:
    """Where *replay* (traced by *trace*; None: not traced) parts from *events*."""
    recorded = decisions_in(events)  # the rare path: every decision, to find the first the code does not take
    code_now = _code_now(replay)
    submitted = trace.submitted if trace is not None else {}
    # The history's decision the first mismatch is about (a task, timer or marker), else the first the code
    # does not take.
    subject = _subject(replay, recorded)
    history_side = subject or (_first_unaccounted(recorded, submitted, events) if trace is not None else None)
    closes_alike = closing is None or _closes_alike(closing, code_now)
    if history_side is None and not closes_alike:
        history_side = last_decision(events)  # the closing decision again, numbered
    code_side = code_now[0] if code_now else None
    line = None
    if history_side is not None and history_side.type in _CHECKED:
        taken = submitted.get((history_side.type, history_side.id))
        # Same id, another activity or workflow; or the same task, timer otherwise (its input, its timeout...).
        otherwise = subject is not None and subject.type != "RecordMarker"
        if taken is not None and (taken[0] != history_side.name or otherwise):
            code_side, line = Decision(history_side.type, history_side.id, taken[0]), taken[1]
    if code_side is not None and line is None:
        taken = submitted.get((code_side.type, code_side.id))
        closing_line = trace.closing_line if trace is not None else None
        line = closing_line if code_side.closes_run else taken[1] if taken else None
    closed_with = f"the history closed the run with {_closing_text(closing)}"
    if replay.mismatches:
        reason = replay.mismatches[0]
    elif code_side is not None and code_side.closes_run:
        at = _first_difference(closing, code_side)
        closed_with = f"the history closed the run with {_closing_text(closing, at)}"
        reason = f"{closed_with}, the code now with {_closing_text(code_side, at)}"
    else:
        reason = f"{closed_with}; the code does not close it there"
    return Difference(history_side, code_side, line, reason)


def check_file(
    workflow_class: type,
    path: str | Path,
    *,
    workflow_id: str | None = None,
    run_id: str | None = None,
    give_ids: str = IDS_IN_FILE,
) -> ReplayReport:
    """``check_replay`` of a history file (its recorded ids unless *workflow_id*/*run_id* are given; *give_ids*
    says how the caller is given them, when the report needs them).

    Raises:
        UsageError: the file is no history (its message starts with the file's name).
    """
    events, recorded_workflow_id, recorded_run_id = load_history(path)
    ids = (workflow_id or recorded_workflow_id, run_id or recorded_run_id)
    try:
        return replay_report(workflow_class, events, str(path), ids, give_ids)
    except MalformedHistory as err:
        raise MalformedHistory(f"{path}: {err}") from err


def assert_replays(workflow_class: type, *paths: str | Path) -> None:
    """Fail (AssertionError) unless every history in *paths* (files, or folders of ``*.json``) replays
    against *workflow_class* as recorded (each with the ids its file names: ``"workflowId"``, ``"runId"``); the
    message is each differing file's report."""
    reports = [check_file(workflow_class, path) for path in history_files(*paths)]
    failed = [report for report in reports if not report.ok]
    if failed:
        raise AssertionError("\n".join(line for report in failed for line in report.lines()))


def replay_tests(workflow_class: type, *paths: str | Path) -> Any:
    """A test function with one item per history file in *paths*, each asserting that it replays::

    test_order_histories = replay_tests(OrderWorkflow, "tests/histories/")

    Each item's id is the file's path from the folder the files have in common. Paths that give no file (a
    folder without any, a path that does not exist) give one item that fails saying so: the rest of the
    session is collected and runs.
    """
    import pytest

    name = f"test_{workflow_class.__name__}_replays"
    try:
        files = history_files(*paths)
    except UsageError as err:
        problem = f"replay_tests({workflow_class.__name__}): {err}"

        def test_replays() -> None:
            pytest.fail(problem, pytrace=False)

        test_replays.__name__ = name
        return test_replays

    @pytest.mark.parametrize("history_file", files, ids=_ids(files))
    def test_replays(history_file: Path) -> None:
        report = check_file(workflow_class, history_file)
        if not report.ok:
            pytest.fail(str(report), pytrace=False)

    test_replays.__name__ = name
    return test_replays


def _ids(files: list[Path]) -> list[str]:
    """Each file's path from the folder all of *files* are in (its name, when they share one folder)."""
    folders = [str(path.absolute().parent) for path in files]
    common = Path(os.path.commonpath(folders)) if folders else Path()
    return [path.absolute().relative_to(common).as_posix() for path in files]


# -- where the code parts from the history ------------------------------------------------------------


def _closes_alike(closing: Decision, code_now: list[Decision]) -> bool:
    if len(code_now) != 1 or code_now[0].type != closing.type:
        return False
    key = _CLOSING_FIELDS.get(closing.type)
    return key is None or _value(closing.attributes.get(key)) == _value(code_now[0].attributes.get(key))


def _value(text: Any) -> Any:
    try:
        return format.loads(jumbo.decode(text)) if isinstance(text, str) else text
    except ValueError:
        return text


def _closing_value(decision: Decision | None) -> str | None:
    key = _CLOSING_FIELDS.get(decision.type) if decision is not None else None
    value = decision.attributes.get(key) if decision is not None and key else None
    return None if value is None else str(value)


def _closing_text(decision: Decision | None, at: int = 0) -> str:
    """*decision* and the field compared (cut around character *at* when too long to show whole)."""
    if decision is None:
        return "nothing"
    value = _closing_value(decision)
    if value is None:
        return decision.type
    return f"{decision.type} ({_CLOSING_FIELDS[decision.type]} {_shorten(value, at)})"


def _first_difference(history: Decision | None, code: Decision) -> int:
    """Where the compared fields of two closing decisions first differ (0: either has none)."""
    ours, theirs = _closing_value(history), _closing_value(code)
    return 0 if ours is None or theirs is None else len(os.path.commonprefix([ours, theirs]))


def _shorten(text: str, at: int = 0, limit: int = 80) -> str:
    """*text*, or *limit* characters of it: from its start, or around *at* when a cut there would hide it."""
    if len(text) <= limit:
        return text
    start = 0 if at < limit - limit // 4 else min(at - limit // 4, len(text) - limit)
    shown = text[start : start + limit]
    if start > 0:
        shown = "..." + shown[3:]
    return shown if start + limit >= len(text) else shown[:-3] + "..."


_Submitted = dict[tuple[str, str | None], tuple[str | None, str | None]]  # (type, id) -> (type name, line)


@dataclass(slots=True)
class _Trace:
    submitted: _Submitted
    closing_line: str | None
    replay: Replay  # the replay traced


def _subject(replay: Replay, recorded: list[Decision]) -> Decision | None:
    """The history's decision the first mismatch of *replay* is about (None: it is about none, or not one)."""
    first = replay.unfit[0] if replay.unfit else None
    if first is None or not first.event_id or first.text != replay.mismatches[0]:
        return None  # (a mismatch of the closed history only, before the run's own)
    return next((d for d in recorded if d.event_id == first.event_id), None)


def _first_unaccounted(
    recorded: list[Decision], submitted: _Submitted, events: list[dict[str, Any]]
) -> Decision | None:
    """The first decision of the history the code does not take (not counting the one closing the run)."""
    received = {
        (event.get("workflowExecutionSignaledEventAttributes") or {}).get("signalName")
        for event in events
        if event["eventType"] == "WorkflowExecutionSignaled"
    }
    for decision in recorded:
        if decision.is_bookkeeping or decision.type not in _CHECKED:
            continue
        taken = submitted.get((decision.type, decision.id))
        if taken is None:
            if decision.type == "SignalExternalWorkflowExecution" and decision.id in received:
                continue  # a signal passed on to a parent or child: simpleflow's, not the code's
            return decision
        if decision.name and taken[0] and taken[0] != decision.name:
            return decision
    return None


def _trace(workflow_class: type, events: list[dict[str, Any]], info: ExecutionInfo) -> _Trace:
    """Replay *events* once more, noting each command the workflow's code gives and the line giving it."""
    codes = {}
    for method, decision_type in _TRACED.items():
        code = getattr(getattr(WorkflowContext, method, None), "__code__", None)
        if code is not None:
            codes[code] = decision_type
    run_code = getattr(getattr(workflow_class, "run", None), "__code__", None)
    commands: list[tuple[str, Any, str | None]] = []
    returned: list[str | None] = [None]

    def profile(frame: Any, event: str, arg: Any) -> None:
        if event == "call":
            decision_type = codes.get(frame.f_code)
            if decision_type is not None:
                commands.append((decision_type, frame.f_locals.get("task"), _user_line(frame.f_back)))
        elif event == "return" and frame.f_code is run_code:
            returned[0] = _where(frame)

    @contextlib.contextmanager
    def traced() -> Iterator[None]:
        # The run's thread, started inside, gets the hook; this thread too (canvas continuations submit here).
        previous, previous_here = threading.getprofile(), sys.getprofile()
        threading.setprofile(profile)
        sys.setprofile(profile)
        try:
            yield
        finally:
            sys.setprofile(previous_here)
            threading.setprofile(previous)

    replay = replay_history(workflow_class, events, info, traced)
    submitted: _Submitted = {}
    for decision_type, task, line in commands:
        key, name = _key_of(decision_type, task)
        submitted.setdefault((decision_type, key), (name, line))
    return _Trace(submitted, returned[0] if replay.finished else None, replay)


def _key_of(decision_type: str, task: Any) -> tuple[str | None, str | None]:
    """The id the decision of *task* goes by, and the type name it carries."""
    if task is None:
        return None, None
    if decision_type == "ScheduleActivityTask":
        return task.id, task.activity.name
    if decision_type == "StartChildWorkflowExecution":  # simpleflow's type name for a child: module.ClassName
        return task.id, f"{task.workflow.__module__}.{task.workflow.__name__}"
    if decision_type in ("StartTimer", "CancelTimer"):
        return task.timer_id, None
    if decision_type == "RequestCancelExternalWorkflowExecution":
        return task.workflow_id, None
    return getattr(task, "name", None), None


def _user_line(frame: Any) -> str | None:
    """``path:line`` of the innermost frame outside simpleflow: the workflow's line that gave the command."""
    while frame is not None:
        if not frame.f_code.co_filename.startswith(_PACKAGE):
            return _where(frame)
        frame = frame.f_back
    return None


def _where(frame: Any) -> str:
    return f"{shown_path(frame.f_code.co_filename)}:{frame.f_lineno}"
