"""How the workflow's ``run`` ended, and the decision that closes the execution accordingly."""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from typing import Any

from simpleflow import exceptions, format, futures
from simpleflow.engine import _decisions as decisions
from simpleflow.format import format_reason
from simpleflow.task import ContinueAsNewWorkflowTask

# ``RunOutcome.kind``
COMPLETED = "completed"  # run returned
FAILED_BY_WORKFLOW = "failed"  # Workflow.fail()
ERRORED = "errored"  # run raised
CONTINUED_AS_NEW = "continued_as_new"


@dataclass(frozen=True, slots=True)
class RunOutcome:
    """How the workflow's ``run`` ended."""

    kind: str  # COMPLETED, FAILED_BY_WORKFLOW, ERRORED or CONTINUED_AS_NEW
    result: Any = None  # COMPLETED: what run returned
    reason: str | None = None  # FAILED_BY_WORKFLOW, ERRORED
    details: str | None = None
    next_run: ContinueAsNewWorkflowTask | None = None  # CONTINUED_AS_NEW
    next_input: str | None = None  # CONTINUED_AS_NEW: the next run's input, encoded at the submit
    error: str | None = None  # ERRORED by a raise: what run raised, "Type: message"


def errored(err: Exception) -> RunOutcome:
    """The outcome of ``run`` raising *err* (call it in the ``except`` block: it reads the traceback)."""
    reason, details = _failure_of(err)
    # A task's failure says more than the exception's own text (its arguments).
    said = reason if isinstance(err, exceptions.TaskException) else str(err)
    return RunOutcome(ERRORED, reason=reason, details=details, error=f"{type(err).__name__}: {said}")


def _failure_of(err: Exception) -> tuple[str, str | None]:
    """The reason and details failing the execution when ``run`` raised *err*."""
    if isinstance(err, exceptions.NoValue):
        failed = getattr(err.task, "id", None) or getattr(err.task, "name", None) or "a group of tasks"
        error = err.exception
        how = "was cancelled" if error is None else "failed"
        cause = "" if error is None else f" ({getattr(error, 'reason', None) or repr(error)})"
        reason = (
            f"{err.submitted} was submitted with the future of {failed} as an argument, which {how}: no value{cause}"
        )
        return reason, getattr(error, "details", None)
    if isinstance(err, (exceptions.TaskException, exceptions.WorkflowException)):
        error = err.exception
        # As simpleflow: a failure's reason, even None (a child failed without one: "None"); the error's
        # repr only for errors that have no reason at all (a cancelled or terminated child).
        shown = error.reason if hasattr(error, "reason") else repr(error)
        name = getattr(err.task, "name", str(err.task))
        return f'Workflow execution error in {name}: "{shown}"', getattr(error, "details", None)
    return f"Cannot replay the workflow: {type(err).__name__}({err})", f"Traceback:\n{traceback.format_exc()}"


def unfinished_future(value: Any) -> futures.Future | None:
    """The first future not settled yet that *value* is or holds (in lists, tuples, sets, dict values), or None."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, futures.Future):
            if not item._settled():
                return item
        elif isinstance(item, dict):
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, (list, tuple, set, frozenset)):
            stack.extend(reversed(list(item)))
    return None


def closing_decision(outcome: RunOutcome, started: dict[str, Any]) -> dict[str, Any]:
    """The decision closing the execution after *outcome* (*started*: the execution's start attributes).

    Raises:
        ExecutionBlocked: *outcome* COMPLETED with a result that is, or holds, a future not settled yet.
    """
    if outcome.kind == COMPLETED:
        # A future in the result is encoded as its value (format): one not settled raises here, never waits,
        # whichever run's thread decides (a host may decide from a waiting run's thread, see _handoff).
        previous = futures.current_executor()
        futures.set_current_executor(None)
        try:
            return decisions.complete_workflow(format.dumps(outcome.result))
        except (TypeError, ValueError) as err:  # a result JSON cannot hold fails the run, on either host
            return decisions.fail_workflow(format_reason(f"run() returned a value JSON cannot encode: {err}"), None)
        finally:
            futures.set_current_executor(previous)
    if outcome.kind in (FAILED_BY_WORKFLOW, ERRORED):
        return decisions.fail_workflow(format_reason(outcome.reason), outcome.details)
    return decisions.continue_as_new_for(outcome.next_run, started, outcome.next_input)
