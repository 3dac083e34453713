"""``@query``: a workflow method that reads the workflow's state, answered over a replay of its history.

``simpleflow workflow.query`` (and ``LocalExecution.query``) replays an execution's history in this process
and calls the method on the workflow the replay left: the state ``run`` built up to that point, without
touching the execution (no signal, no decision). A query only reads: submitting, waiting or failing the
workflow from one is refused (``QueryRefused``).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from simpleflow.exceptions import UsageError

__all__ = ["QueryFailed", "QueryRefused", "UnknownQuery", "queries_of", "query", "query_method"]

_ATTRIBUTE = "__simpleflow_query__"


class UnknownQuery(UsageError):
    """The workflow declares no query of that name."""


class QueryRefused(UsageError):
    """A query tried to submit, wait or fail the workflow."""


class QueryFailed(Exception):
    """The query method raised."""


def query(func: Callable | None = None, *, name: str | None = None) -> Any:
    """Declare a ``Workflow`` method a query, under its own name or *name*.

    Its arguments and return value are JSON values. It runs after the replay, on the state ``run`` left.
    """

    def declare(method: Callable) -> Callable:
        setattr(method, _ATTRIBUTE, name or method.__name__)
        return method

    return declare(func) if func is not None else declare


def queries_of(workflow_class: type) -> dict[str, str]:
    """The queries *workflow_class* declares (its own and its bases'): query name -> method name."""
    found: dict[str, str] = {}
    for klass in reversed(workflow_class.__mro__):
        for attribute, value in vars(klass).items():
            query_name = getattr(value, _ATTRIBUTE, None)
            if isinstance(query_name, str) and inspect.isfunction(value):
                found = {k: v for k, v in found.items() if v != attribute}  # an override replaces its base's
                found[query_name] = attribute
    return found


def query_method(workflow_class: type, name: str) -> str:
    """The method answering the query *name*.

    Raises:
        UnknownQuery: none does; the message lists the queries there are.
    """
    declared = queries_of(workflow_class)
    if name in declared:
        return declared[name]
    there = ", ".join(sorted(declared)) if declared else "none"
    raise UnknownQuery(f"workflow {workflow_class.__name__} has no query {name!r} (its queries: {there})")
