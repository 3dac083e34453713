"""A finished execution, for a test's assertions: ``Run``."""

from __future__ import annotations

import contextlib
from functools import cached_property
from typing import Any

from simpleflow import format
from simpleflow.exceptions import WorkflowFailed
from simpleflow.history import (
    ActivityRecord,
    ChildWorkflowRecord,
    History,
    TimerRecord,
    failed_for_good,
    task_failures,
    where_raised,
)
from simpleflow.local import stuck_child_line
from simpleflow.runtime.outcome import Outcome
from simpleflow.testing._decisions import Decision, decisions_in
from simpleflow.testing._tasks import Reading, decoded


class Run:
    """How a workflow execution ended, and what it did on the way.

    Attributes:
        outcome: the local host's outcome of its last run (``status``, ``result``, ``reason``, ``details``).
        elapsed: seconds it took on the environment's clock (timers' virtual time included).
        reading: the settings its jumbo fields are read under (its environment's).
        children: its child workflows' runs (of every run of the execution), in the order they started.
        stuck_children: the runs among its children (theirs too) that failed as stuck, in that order: once it
            closed, a child its child policy asked to cancel that can no longer move (on SWF it would stay open).
    """

    def __init__(
        self,
        outcome: Outcome,
        elapsed: float = 0.0,
        children: list[Run] | None = None,
        stuck_children: list[Run] | None = None,
        reading: Reading = contextlib.nullcontext,
    ) -> None:
        self.outcome = outcome
        self.elapsed = elapsed
        self.children = children or []
        self.stuck_children = stuck_children or []
        self.reading = reading

    def __repr__(self) -> str:
        return f"<Run {self.workflow_id} {self.status}>"

    @property
    def status(self) -> str:
        """``completed``, ``failed``, ``canceled``, ``terminated``, ``timed_out`` (SWF's, lowercased)."""
        return self.outcome.status

    @property
    def completed(self) -> bool:
        """Whether it completed (``status`` is ``completed``)."""
        return self.outcome.completed

    @property
    def result(self) -> Any:
        """What ``run`` returned.

        Raises:
            WorkflowFailed: the execution did not complete; its ``reason`` and ``details`` say why, its message
                ends with the workflow's line that raised (``where``), and a note names each task that failed
                for good (its last attempt's error) and each of its ``stuck_children``.
        """
        __tracebackhide__ = True  # pytest ends the traceback at the test's line, not here
        if not self.outcome.completed:
            outcome = self.outcome
            where = where_raised(outcome.details) if outcome.details else ""
            error = WorkflowFailed(outcome.reason or outcome.status, outcome.details, where)
            for line in _failed_tasks(self.history):
                _note(error, line)
            for child in self.stuck_children:
                _note(error, stuck_child_line(child.outcome))
            raise error
        return self.outcome.result

    @property
    def reason(self) -> str | None:
        """Why it failed, or why SWF terminated it at its history's limit; None when it ended otherwise (completed,
        canceled, timed out...)."""
        return self.outcome.reason

    @property
    def details(self) -> Any:
        """The failure's or cancellation's details, decoded from JSON when they are."""
        try:
            return format.loads(self.outcome.details)
        except ValueError:
            return self.outcome.details

    @property
    def workflow_id(self) -> str:
        """Its workflow id."""
        return self.outcome.workflow_id

    @property
    def run_id(self) -> str:
        """Its last run's run id."""
        return self.outcome.run_id

    @property
    def history(self) -> list[dict[str, Any]]:
        """The events of its last run, as SWF's GetWorkflowExecutionHistory gives them."""
        return self.outcome.events

    @cached_property
    def previous(self) -> Run | None:
        """The run this one continued (continue-as-new), if any."""
        return Run(self.outcome.previous, reading=self.reading) if self.outcome.previous is not None else None

    @cached_property
    def decisions(self) -> list[Decision]:
        """The decisions its last run took, in order (simpleflow's bookkeeping ones left out)."""
        return [d for d in decisions_in(self.history) if not d.is_bookkeeping]

    @cached_property
    def _folded(self) -> History:
        return History(self.history)

    @cached_property
    def tasks(self) -> list[ActivityRecord | ChildWorkflowRecord | TimerRecord]:
        """Its activities, child workflows and timers (simpleflow's own timers left out), as the history's
        records (``id``, ``name``, ``state``, ``result``, ``retry``...: each field as the history has it, the
        result as JSON text), in the order they were first decided. An activity's and a child's also give
        ``args``, ``kwargs`` and ``value``: its input and its result decoded, as ``calls`` gives them."""
        folded = self._folded
        records = [*folded.activities.values(), *folded.child_workflows.values()]
        records += [t for t in folded.timers.values() if not t.id.startswith(("_simpleflow", "__simpleflow"))]
        return [decoded(record, self.reading) for record in sorted(records, key=_first_event)]

    def task(self, task_id: str) -> ActivityRecord | ChildWorkflowRecord | TimerRecord:
        """The record of the task *task_id* (``activity-<name>-1``, a child's workflow id, a timer id).

        Raises:
            KeyError: no task has that id; the message lists those there are.
        """
        for record in self.tasks:
            if record.id == task_id:
                return record
        raise KeyError(f"no task {task_id!r} (there are: {', '.join(r.id for r in self.tasks) or 'none'})")


def _failed_tasks(events: list[dict[str, Any]], shown: int = 5) -> list[str]:
    """One line per task of *events* that failed for good (its last attempt's, as ``workflow.start --local``
    writes it), the first *shown* of them."""
    failed = failed_for_good(events)
    last = {failure.task_id: failure.line for failure in task_failures(events) if failure.task_id in failed}
    lines = [last[task_id] for task_id in failed[:shown] if task_id in last]
    if len(failed) > shown:
        lines.append(f"and {len(failed) - shown} more failed tasks (run.tasks)")
    return lines


def _note(error: Exception, line: str) -> None:
    """Add *line* to *error*'s notes (shown under its message, matched by ``pytest.raises(match=)``)."""
    if hasattr(error, "add_note"):  # Python 3.11+
        error.add_note(line)
    else:
        error.__notes__ = [*getattr(error, "__notes__", []), line]


def _first_event(record: ActivityRecord | ChildWorkflowRecord | TimerRecord) -> int:
    first = getattr(record, "first_event_id", None) or getattr(record, "started_event_id", None)
    return first or record.last_event_id
