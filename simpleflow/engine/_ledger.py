"""The run's books: decisions owed to SWF, where each submit sorts, and task id counters."""

from __future__ import annotations

import itertools
from typing import Any

from simpleflow.engine._batch import decision_batch
from simpleflow.engine._commands import Command

_CLOSING_ACTIVITY_EVENTS = frozenset(
    {"ActivityTaskCompleted", "ActivityTaskFailed", "ActivityTaskTimedOut", "ActivityTaskCanceled"}
)


class Ledger:
    """Owns the pending decisions (in submit order), positions, id counters and the open activity count.

    A position is a tuple: a submit from ``run`` takes the next top-level number; a submit from a
    continuation (a canvas future going on later) nests under the position it continues, so it
    sorts where a full replay, which rebuilds the canvas at that line of ``run``, would put it.
    """

    def __init__(self) -> None:
        self.pending: list[Command] = []  # commands owing a decision
        self._pending_sorted = True
        self._positions = itertools.count()
        self.last_position: tuple[int, ...] = ()
        self._nested: dict[tuple[int, ...], int] = {}
        self._counters: dict[str, int] = {}
        self._counted_at: dict[str, tuple[int, ...]] = {}
        self.open_activities = 0

    # -- pending decisions ----------------------------------------------------

    def add_pending(self, command: Command, decision: dict[str, Any]) -> None:
        """Owe *decision* for *command* (replacing the one it owed, if any)."""
        if command.pending_decision is None:
            if self.pending and self.pending[-1].position > command.position:
                self._pending_sorted = False
            self.pending.append(command)
        command.pending_decision = decision

    def drop_pending(self, command: Command) -> None:
        """The history answered *command*: it owes nothing any more."""
        if command.pending_decision is not None:
            command.pending_decision = None
            self.pending.remove(command)

    def batch(self, max_open: int, max_decisions: int) -> tuple[list[dict[str, Any]], bool]:
        """The pending decisions that fit one response, in submit order.

        Returns:
            The decisions, and False when some must wait for the next decision task.
        """
        if not self._pending_sorted:
            self.pending.sort(key=lambda c: c.position)
            self._pending_sorted = True
        owed = (command.pending_decision for command in self.pending)
        return decision_batch(owed, self.open_activities, max_open, max_decisions)

    # -- positions and counters -------------------------------------------------

    def next_position(self, continuing: tuple[int, ...] | None) -> tuple[int, ...]:
        """Where the next submit sorts among all submits (*continuing*: the continuation's position)."""
        if continuing is None:
            self.last_position = (next(self._positions),)
        else:
            k = self._nested.get(continuing, 0)
            self._nested[continuing] = k + 1
            self.last_position = (*continuing, k)
        return self.last_position

    def next_count(self, name: str, position: tuple[int, ...]) -> int:
        """The count the next submit of *name* (at *position*) ends its id with."""
        count = self._counters.get(name, 0) + 1
        self._counters[name] = count
        self._counted_at[name] = position
        return count

    def counted_after(self, name: str, position: tuple[int, ...]) -> bool:
        """A submit of *name* sorting after *position* already took a count."""
        return self._counted_at.get(name, ()) > position

    # -- open activities ----------------------------------------------------------

    def count_activity_event(self, event_type: str) -> None:
        """Keep the open activity count (SWF's limit) up to date with one activity event."""
        if event_type == "ActivityTaskScheduled":
            self.open_activities += 1
        elif event_type in _CLOSING_ACTIVITY_EVENTS:
            self.open_activities -= 1
