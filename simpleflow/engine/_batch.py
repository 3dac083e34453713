"""One decision response within SWF's limits.

SWF takes at most 100 decisions per response and requests under 1 MB, and an
execution may have at most so many activities open. Decisions over those
limits wait for the next decision task (the caller adds the wake-up timer when
``decision_batch`` says the batch is incomplete).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from simpleflow import constants

# Room kept for headers, the wake-up timer and the execution context (as simpleflow keeps it).
REQUEST_SIZE_BUDGET = constants.MAX_REQUEST_SIZE - 5000 - 32000


def decision_size(decision: dict[str, Any]) -> int:
    """An upper bound of a decision's size in the request: its free-text fields plus room for the rest."""
    attrs = next(v for k, v in decision.items() if k != "decisionType")
    return 1024 + sum(len(v) for v in attrs.values() if isinstance(v, str))


def decision_batch(
    owed: Iterable[dict[str, Any]], open_activities: int, max_open: int, max_decisions: int
) -> tuple[list[dict[str, Any]], bool]:
    """The first of the *owed* decisions that fit one response; False when some must wait for a wake-up.

    True also when scheduling stops at the open-activity limit: activities closing will bring
    the next decision task by themselves.
    """
    limit = max_decisions - 1  # the last place is the wake-up timer's
    size = 0
    out: list[dict[str, Any]] = []
    for decision in owed:
        if len(out) >= limit:
            return out, False
        if decision["decisionType"] == "ScheduleActivityTask":
            if open_activities >= max_open:
                return out, True
            open_activities += 1
        size += decision_size(decision)
        if size > REQUEST_SIZE_BUDGET and out:
            # (A decision over the budget alone still goes: jumbo fields shrink it to a reference.)
            return out, False
        out.append(decision)
    return out, True
