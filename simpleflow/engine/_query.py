"""Answering a ``@query`` (simpleflow.workflow): replay the history, then call the method on what ``run`` built.

The replay is the engine's own (a fresh ``WorkflowRun`` fed every event); its decisions are dropped, so the
execution is never touched. A closed history is replayed up to its closing event, as its last decider saw it.
What does not fit the code refuses an answer, but for the commands a run that raised never reached
(``unfit_before_the_raise``).
"""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any

from simpleflow.engine._context import ExecutionInfo
from simpleflow.engine._fit import REPORT, HistoryDoesNotFit
from simpleflow.engine._raised import unfit_before_the_raise
from simpleflow.engine._run import WorkflowRun
from simpleflow.exceptions import QueryFailed, QueryRefused, UsageError
from simpleflow.history import until_closed
from simpleflow.workflow import query_method


def answer_query(
    workflow_class: type,
    events: list[dict[str, Any]],
    name: str,
    args: list[Any] | tuple[Any, ...] = (),
    kwargs: dict[str, Any] | None = None,
    info: ExecutionInfo | None = None,
) -> Any:
    """The value the query *name* returns on the state a replay of *events* leaves.

    Args:
        workflow_class: the ``Workflow`` subclass the execution runs.
        events: its history, from ``WorkflowExecutionStarted``, jumbo fields decoded.
        name: the query's name; *args* and *kwargs* its arguments.
        info: the execution's domain and ids (child workflow ids embed them).

    Raises:
        UnknownQuery: the workflow declares no such query (the message lists those it does).
        UsageError: the arguments do not fit the query's signature.
        QueryRefused: the query submitted, waited or failed the workflow.
        QueryFailed: the query raised (the message names the error and where).
        HistoryDoesNotFit: the replay found the history and the code disagree.
    """
    method = query_method(workflow_class, name)
    kwargs = kwargs or {}
    try:
        inspect.signature(getattr(workflow_class, method)).bind(None, *args, **kwargs)
    except TypeError as err:
        raise UsageError(f"input does not fit query {name!r}: {err}") from None  # it says all
    # Every mismatch reported, not only the nondeterminism a decider refuses: all of them make the answer wrong.
    info = dataclasses.replace(info or ExecutionInfo(), on_nondeterminism=REPORT)
    run = WorkflowRun(workflow_class, info)
    try:
        run.advance(until_closed(events))
        # A run that raised may stop short of tasks its live run went on to submit: they do not change the answer.
        unfit = unfit_before_the_raise(run)
        if unfit:
            raise HistoryDoesNotFit(f"history does not fit the code: {unfit[0]}")
        try:
            return run.context.call_query(name, method, list(args), kwargs)
        except QueryRefused:
            raise
        except Exception as err:
            raise QueryFailed(f"query {name!r} raised {type(err).__name__}: {err}{_where(err)}") from err
    finally:
        run.close()


def _where(error: BaseException) -> str:
    """`` (file, line n)`` where *error* was raised (read from the traceback object: no source file is read)."""
    tb = error.__traceback__
    if tb is None:
        return ""
    while tb.tb_next is not None:
        tb = tb.tb_next
    return f" ({tb.tb_frame.f_code.co_filename}, line {tb.tb_lineno})"
