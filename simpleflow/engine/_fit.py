"""Does the code fit the history: what the code submits under a task id against what the history holds there.

Task ids are counters per name (``activity-<name>-<n>``). Code changed under a live execution (steps
reordered, an argument changed) submits, under an id the history already holds, something other than
what the old code did there, and would read the old task's result as its own. So each activity, child
workflow and timer command is compared with its history record: the activity's type, input (its
arguments) and control; a child's type, input and control; a timer's timeout and control. A submit is
compared with the first scheduling's input: a retry's holds the arguments ``on_task_failure`` may have
changed, not the code's (a command compared again when its retry is scheduled holds the retry's). What the
engine adds to an input (a retried task's last heartbeat details, an activity's ``meta``) and what a
deploy may change without changing the task are not compared: task lists, timeouts, priorities, and
type versions (a new version of an activity is how a fix reaches its retries and the tasks not
scheduled yet; a result the history holds is a fact, whichever version computed it). A user marker
needs no such check: markers are found by name *and* details, and a marker's future holds the code's
own details, never the history's, so changed code only records a new one.

When: a full replay compares every command with its record at its submit; a command is compared again
only when its id is scheduled anew (a retry; another decider's decision arriving in a resumed run's
events): ``Command.checked`` keeps the scheduling event it was compared with. A resumed run needs no
more: it was replayed in full by this very process (the same code) before, and every record it meets
later is either one it was compared with then, or one a new event brings (then whole, and compared).
``History.compact`` keeps whole the records no command met yet, so a later submit still has the
input to compare with (see ``WorkflowRun.compact``).

What then (``ExecutionInfo.on_nondeterminism``): ``WAIT``, the decider's default, raises
``Nondeterminism`` from ``WorkflowRun.advance`` before any hook or decision: the decision task is left
unanswered, times out and comes back, so a deploy rolled back carries the execution on. ``FAIL`` fails
the execution with the mismatch as its reason (``SIMPLEFLOW_ON_NONDETERMINISM=fail``; the local host,
where no other code can come). ``REPORT`` changes nothing: ``WorkflowRun.mismatches`` lists them
(``workflow.replay``, queries).
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from typing import Any

from simpleflow import format
from simpleflow.activity import HEARTBEAT_DETAILS_KEY
from simpleflow.engine._commands import ACTIVITY, CHILD_WORKFLOW, TIMER, Command
from simpleflow.engine._ids import workflow_type_name
from simpleflow.history import ActivityRecord, ChildWorkflowRecord, TimerRecord
from simpleflow.utils import shown_path

WAIT = "wait"
FAIL = "fail"
REPORT = "report"
COMPARED = frozenset({ACTIVITY, CHILD_WORKFLOW, TIMER})  # the kinds of command compared with their record

# Said after the mismatches (a failed execution's details, the decider's log).
ADVICE = (
    "\nThe ids the code gives its tasks name other tasks in the history. Either the code changed under a running"
    " execution (deploy the code it started with, and put such changes behind Workflow.patched():"
    " docs/patching.md), or it is not deterministic (random values, the clock, or a non-idempotent activity"
    " submitted both in a canvas and after it, whose ids depend on which task finished first)."
)
_scan = json.JSONDecoder().scan_once
_JUMBO_PREFIX = "simpleflow+s3://"  # simpleflow.jumbo's reference (not imported: the engine reads no S3)
_SHOWN = 120  # characters of an input shown in a mismatch line
_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_THREADING = os.path.abspath(sys.modules["threading"].__file__ or "")


class HistoryDoesNotFit(Exception):
    """The history does not fit the code: a query's answer would not be the execution's state."""


class Nondeterminism(HistoryDoesNotFit):
    """The history does not fit the code (``WorkflowRun.unfit``): the code submits, under a task id the history
    holds, something other than what the history holds there; or the history holds a decision the code never
    takes, a patch marker it never asks, or misses one.

    ``mismatches`` lists them (the first one is the message).
    """

    def __init__(self, mismatches: list[Unfit]) -> None:
        super().__init__(str(mismatches[0]))
        self.mismatches = mismatches


@dataclass(slots=True)
class Mismatch:
    """One task where the code and the history disagree."""

    task: str  # "activity 'activity-step-1'"
    history: str  # what the history holds there
    code: str  # what the code asks for
    where: str | None = None  # the workflow's line that submitted it ("file.py, line 12")
    kind: str | None = None  # the command's kind and id (activity, child_workflow, timer)
    id: str | None = None
    event_id: int = 0  # the history's event compared (the task scheduled, the timer started...)

    def __str__(self) -> str:
        at = f" ({self.where})" if self.where else ""
        return f"{self.task}{at}: the history has {self.history}, the code asks for {self.code}"

    def unfit(self) -> Unfit:
        return Unfit(str(self), self.kind, self.id, self.event_id)


@dataclass(frozen=True, slots=True)
class Unfit:
    """One place where the history does not fit the code (``WorkflowRun.unfit``), said in one line.

    ``kind`` and ``id`` name the command concerned (activity, child_workflow, timer, marker), and ``event_id``
    the history's event recording its decision, when the place is one decision of the history (0: none).
    """

    text: str
    kind: str | None = None
    id: str | None = None
    event_id: int = 0

    def __str__(self) -> str:
        return self.text


def check_key(command: Command, record: Any) -> int | None:
    """The event a comparison of *command* with *record* reads (None: nothing to compare).

    A compacted activity record (``History.compact``) has none: it was compared before it was cut.
    """
    kind = command.kind
    if kind == ACTIVITY:
        return record.scheduled_id or record.schedule_failed_id
    if kind == CHILD_WORKFLOW:
        return record.initiated_event_id
    if kind == TIMER:
        return record.started_event_id
    return None


def compare(
    command: Command,
    record: Any,
    pending: dict[str, Any] | None = None,
    again: bool = False,
    first_inputs: dict[tuple[str, str], str | None] | None = None,
) -> Mismatch | None:
    """*command* against its history *record*; *pending*, the decision it owed (the fast way to a match).

    *again*: *command* was compared before, and *record* is its task scheduled anew (a retry): compared with
    that scheduling, whose arguments the command took (``on_task_failure``, a retry timer's control). Else
    the first scheduling's input is compared (*first_inputs*, ``History.first_inputs``, holds it when a
    retry was scheduled with another).
    """
    kind = command.kind
    if kind == ACTIVITY or kind == CHILD_WORKFLOW:
        submitted = record.input
        if not again and first_inputs:
            submitted = first_inputs.get((kind, command.id), submitted)
        if kind == ACTIVITY:
            return _activity(record, command, pending, submitted)
        return _child(record, command, submitted)
    if kind == TIMER:
        return _timer(record, command)
    return None


def plain_activity_fits(record: ActivityRecord, command: Command) -> bool:
    """The common case of a full replay, kept short (most of a long history is completed tasks): the
    record holds this activity with these arguments. False says only "compare in full" (``compare``)."""
    task = command.task
    if record.name != task.activity.name or record.control is not None or task.raw_input:
        return False
    text = record.input
    if text is None:
        return True
    try:
        value, end = _scan(text, 0)
    except (ValueError, StopIteration):
        return False
    if end != len(text) or type(value) is not dict:
        return False
    args = command.args
    return value.get("args") == (args if type(args) is list else list(args)) and value.get("kwargs", {}) == (
        command.kwargs or {}
    )


def where_submitted() -> str | None:
    """The workflow's line that called into simpleflow: the first frame up the stack outside the package.

    None when no workflow code is on the stack (a submit made while events were applied: a canvas going on).
    """
    frame = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not os.path.abspath(filename).startswith(_PACKAGE_DIR):
            if os.path.abspath(filename) == _THREADING:
                return None
            return f"{shown_path(filename)}, line {frame.f_lineno}"
        frame = frame.f_back
    return None


# -- each kind --------------------------------------------------------------------------------------


def _activity(
    record: ActivityRecord, command: Command, pending: dict[str, Any] | None, submitted: str | None
) -> Mismatch | None:
    act = command.task.activity
    name = record.name
    if name is None:  # refused before it was ever scheduled: only its type is known
        name = (record.activity_type or {}).get("name")
    if pending is not None and pending.get("decisionType") == "ScheduleActivityTask":
        owed = pending["scheduleActivityTaskDecisionAttributes"]
        if record.input == owed.get("input") and name == act.name and record.control == owed.get("control"):
            return None  # the decision this run sent, as SWF recorded it
    history: list[str] = []
    code: list[str] = []
    if name != act.name:
        history.append(f"type {name!r}")
        code.append(f"type {act.name!r}")
    if record.scheduled_id is not None:
        if record.control is not None:  # the engine never sets an activity's control
            history.append(f"control {short_text(record.control)}")
            code.append("no control")
        if not _same_input(submitted, command, raw=command.task.raw_input):
            history.append(f"input {short_text(submitted)}")
            code.append(f"input {short_text(_input_text(command))}")
    return _mismatch(f"activity {command.id!r}", history, code)


def _child(record: ChildWorkflowRecord, command: Command, submitted: str | None) -> Mismatch | None:
    workflow = command.task.workflow
    name = workflow_type_name(workflow)
    history: list[str] = []
    code: list[str] = []
    if record.name != name:
        history.append(f"type {record.name!r}")
        code.append(f"type {name!r}")
    if record.control is not None:  # the engine never sets a child's control
        history.append(f"control {short_text(record.control)}")
        code.append("no control")
    if not _same_input(submitted, command, raw=False):
        history.append(f"input {short_text(submitted)}")
        code.append(f"input {short_text(_input_text(command))}")
    return _mismatch(f"child workflow {command.id!r}", history, code)


def _timer(record: TimerRecord, command: Command) -> Mismatch | None:
    task = command.task
    history: list[str] = []
    code: list[str] = []
    timeout = str(task.timeout)
    if record.start_to_fire_timeout != timeout:
        history.append(f"a timeout of {record.start_to_fire_timeout} s")
        code.append(f"a timeout of {timeout} s")
    control = format.dumps(task.control) if task.control is not None else None
    if record.control != control and not _same_json(record.control, control):
        history.append(f"control {short_text(record.control)}")
        code.append(f"control {short_text(control)}")
    return _mismatch(f"timer {command.id!r}", history, code)


# -- comparing ------------------------------------------------------------------------------------


def _mismatch(task: str, history: list[str], code: list[str]) -> Mismatch | None:
    if not history:
        return None
    return Mismatch(task, ", ".join(history), ", ".join(code))


def _same_input(text: str | None, command: Command, raw: bool) -> bool:
    """The recorded input *text* holds the arguments *command* submits (what the engine adds aside)."""
    if text is None or text.startswith(_JUMBO_PREFIX):
        return True  # none recorded; a jumbo reference not decoded here (the hosts decode them) is not compared
    recorded = format.loads(text)
    args, kwargs = command.args, command.kwargs or {}
    if not raw:
        # The common case, without encoding anything: a JSON value equals the Python one it came from.
        if isinstance(recorded, dict):
            recorded_args, recorded_kwargs = recorded.get("args") or [], recorded.get("kwargs") or {}
            if recorded_kwargs == kwargs and recorded_args == (args if isinstance(args, list) else list(args)):
                return True
            recorded = {"args": recorded_args, "kwargs": recorded_kwargs}
        expected: Any = {"args": list(args), "kwargs": kwargs}
    else:  # NonPythonicActivityTask: the arguments are the input
        expected = command.task.input_for(args, kwargs)
        if isinstance(recorded, dict):
            recorded = {k: v for k, v in recorded.items() if k not in ("meta", HEARTBEAT_DETAILS_KEY)}
        if isinstance(expected, dict):
            expected = {k: v for k, v in expected.items() if k != "meta"}
    # Values JSON does not keep as they are (tuples, dates, sets...): compare them as JSON keeps them.
    kept = format.loads(format.dumps(expected))
    return recorded == kept or format.dumps(recorded) == format.dumps(kept)  # (NaN is no NaN's equal)


def _same_json(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return a == b
    return format.loads(a) == format.loads(b)


def _input_text(command: Command) -> str:
    if command.kind == ACTIVITY and command.task.raw_input:
        return format.dumps(command.task.input_for(command.args, command.kwargs or {}))
    return format.dumps({"args": list(command.args), "kwargs": command.kwargs or {}})


def short_text(text: str | None) -> str:
    """An input or control text as a line about a task shows it: its first characters, then its length."""
    if text is None:
        return "none"
    return text if len(text) <= _SHOWN else f"{text[:_SHOWN]}... ({len(text)} characters)"
