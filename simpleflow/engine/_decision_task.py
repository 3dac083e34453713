"""One decision task, answered the same way by both hosts (``simpleflow.swf`` and ``simpleflow.local``).

The engine's one edge with I/O: jumbo fields (large fields kept in S3) are
decoded before the run sees the events and encoded after it decided, so
that the run itself stays pure. ``simpleflow.jumbo`` is imported on first
use: a replay without jumbo fields does not pay for it.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

from simpleflow import format
from simpleflow.engine import _decisions as decisions
from simpleflow.engine._fit import Nondeterminism
from simpleflow.engine._run import WorkflowRun
from simpleflow.exceptions import DataError
from simpleflow.history import HistoryUnavailable

logger = logging.getLogger(__name__)


def fail_execution(reason: str, details: str | None = None) -> list[dict[str, Any]]:
    """The decisions failing the execution with *reason* (capped to SWF's reason size) and *details*."""
    return [decisions.fail_workflow(format.format_reason(reason), details)]


def decode_events(events: list[dict[str, Any]], *, copy: bool = False) -> list[dict[str, Any]]:
    """*events* with their jumbo fields' text in place of the references.

    Args:
        copy: decode into copies, leaving *events* as SWF has them (the local host keeps its history so).

    Raises:
        DataError: a field can never be used (an object gone or not UTF-8, JSON nested too deep...): the
            execution must fail (``cannot_read``).
        Exception: S3 or the disk cache could not give a field (the task must come back: no answer).
    """
    from simpleflow import jumbo  # on first use: the engine imports without S3 or the disk cache

    events = jumbo.decode_events(events, copy=copy)
    if events and events[0].get("eventType") == "WorkflowExecutionStarted":
        started = events[0].get("workflowExecutionStartedEventAttributes") or {}
        problem = format.input_shape_problem(format.loads(started.get("input")))
        if problem is not None:
            raise DataError(
                f"{problem}; the input is {format.INPUT_SHAPES}", "input of event 1 (WorkflowExecutionStarted)"
            )
    return events


def cannot_read(error: DataError) -> list[dict[str, Any]]:
    """The decisions failing an execution whose history holds data that can never be used (*error* names it).

    Trying again would read the same data: the execution fails at once, rather than its decision
    task timing out and coming back for ever.
    """
    logger.error("failing the execution: cannot read the history: %s", error)
    return fail_execution(f"Cannot read the history: {error}", str(error))


def encode_decisions(decide: Callable[[], list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The decisions *decide* returns, their large fields stored as jumbo fields.

    Returns:
        The decisions; or, when a field is too large even for a jumbo field, the decisions failing
        the execution with ``Cannot schedule: ...`` (as SWF would refuse the response).

    Raises:
        Exception: S3 could not store a field, or *decide* raised.
    """
    from simpleflow import jumbo

    try:
        return jumbo.encode_decisions(decide())
    except jumbo.JumboFieldTooLarge as err:
        return fail_execution(f"Cannot schedule: {err}")


def answer_decision_task(
    run: WorkflowRun,
    events: list[dict[str, Any]],
    *,
    copy_events: bool = False,
    before_encoding: Callable[[list[dict[str, Any]]], None] | None = None,
) -> list[dict[str, Any]]:
    """Decode *events*, advance *run* with them, encode its decisions: one decision task's answer.

    Args:
        run: the execution's run, fresh or resumed (then *events* are only those it has not seen).
        events: the new events, jumbo fields still as references.
        copy_events: decode into copies (see ``decode_events``).
        before_encoding: called with the decisions before their fields are encoded (the SWF decider
            registers the types they name there).

    Returns:
        The decisions to respond with. When the engine itself failed (an error in the workflow's
        ``run`` fails the execution inside the run instead) or a field is too large even for a jumbo
        field: the decisions failing the execution, and *run* is closed.

        When an event holds data that can never be used (``DataError``: a jumbo object gone or not
        UTF-8, JSON nested deeper than ``format.MAX_JSON_DEPTH``...): the decisions failing the
        execution with a reason naming the field (``cannot_read``), and *run* is closed.

    Raises:
        Exception: S3 (jumbo fields) or *before_encoding* failed, or a compacted run could not reload
            its events (``WorkflowRun.compact``): the task must be left to time out and come back,
            nothing is lost. *run* is closed.
        Nondeterminism: the code does not fit the history and ``run.info.on_nondeterminism`` is WAIT:
            the task is to be left unanswered. *run* is closed.
    """
    try:
        new = decode_events(events, copy=copy_events)
    except DataError as err:
        run.close()
        return cannot_read(err)
    except Exception:
        run.close()
        raise
    try:
        out = run.advance(new)
    except HistoryUnavailable as err:
        # A compacted run could not get its events back: the task comes back, nothing is failed.
        raise err.error from err
    except Nondeterminism:
        run.close()  # the code does not fit the history (ON_NONDETERMINISM_WAIT): the host leaves the task
        raise
    except Exception as err:
        run.close()
        logger.exception("decider error on %s (run %s)", run.info.workflow_id, run.info.run_id)
        reason = f"Cannot replay the workflow: {type(err).__name__}({err})"
        return fail_execution(reason, f"Traceback:\n{traceback.format_exc()}")

    from simpleflow import jumbo

    try:
        if before_encoding is not None:
            before_encoding(out)
        return jumbo.encode_decisions(out)
    except jumbo.JumboFieldTooLarge as err:
        run.close()
        return fail_execution(f"Cannot schedule: {err}")
    except Exception:
        run.close()
        raise
