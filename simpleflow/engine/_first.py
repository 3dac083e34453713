"""Which of several futures settled first, in the history's event order (``futures.wait(..., FIRST_COMPLETED)``).

A resumed run meets a future settled as the decision task that brings its event resumes it; a full
replay finds every future the history settles already settled. Both must pick the same one: the first
is the future whose settling event has the lowest id. A future settled while the run waited has a later
event than any settled before it (events come in order), so the live run and every later replay agree.

A future's settling event is read from its command's history record (not noted as events are applied:
a full replay resolves commands at their submit, with the whole history folded in). A canvas container
settles with the last of its parts. A future no command of the run stands for (made by hand) has no
event: it sorts after the others, and the run replays in full at the next decision, as when the workflow
reads a future's state without waiting.
"""

from __future__ import annotations

import itertools
from typing import Any

from simpleflow import futures
from simpleflow.engine._commands import TIMER, WAIT_SIGNAL, Command
from simpleflow.engine._resolvers import RESOLVERS
from simpleflow.history import History

_NO_EVENT = 1 << 62  # sorts after every event id


class SettledOrder:
    """Finds the settling event of the futures of one run's commands (see the module).

    Args:
        commands: the tracker's commands, (kind, id) -> command; only ever added to, in order.
    """

    def __init__(self, commands: dict[tuple[str, str], Command]) -> None:
        self._commands = commands
        self._by_future: dict[int, Command] = {}
        self._indexed = 0  # how many of the commands ``_by_future`` holds

    def first(self, history: History, fs: list[futures.Future], on_unknown: Any) -> list[futures.Future]:
        """The futures of *fs* settled by the earliest event (empty when none is settled).

        Args:
            on_unknown: called when a settled future is no command's (its order is not the history's).
        """
        best, chosen = _NO_EVENT + 1, []
        for future in fs:
            if not future._settled():
                continue
            event = self._event_of(history, future, on_unknown)
            if event < best:
                best, chosen = event, [future]
            elif event == best and best != _NO_EVENT and not any(future is c for c in chosen):
                chosen.append(future)  # the same task's future, passed twice or submitted twice
        return chosen

    def _event_of(self, history: History, future: futures.Future, on_unknown: Any) -> int:
        command = self._command_of(future)
        if command is not None:
            return settling_event(history, command)
        parts = getattr(future, "futures", None)  # a canvas container: settled with its last part
        if isinstance(parts, list) and parts:
            return max(self._event_of(history, part, on_unknown) for part in parts)
        on_unknown(future)
        return _NO_EVENT

    def _command_of(self, future: futures.Future) -> Command | None:
        commands = self._commands
        if len(commands) < self._indexed:  # cleared: the run closed
            self._by_future.clear()
            self._indexed = 0
        if len(commands) > self._indexed:
            for command in itertools.islice(commands.values(), self._indexed, None):
                self._by_future[id(command.future)] = command
            self._indexed = len(commands)
        command = self._by_future.get(id(future))
        if command is not None and command.future is future:
            return command
        # A duplicate future (one task submitted again while its arguments waited) is added to its command later.
        return next((c for c in commands.values() if c.duplicate_futures and future in c.duplicate_futures), None)


def settling_event(history: History, command: Command) -> int:
    """The id of the event that settled *command*'s future (0: none, it settled at its submit)."""
    task = command.task
    if command.kind == WAIT_SIGNAL:
        received = history.signal_lists.get(task.signal_name, ())
        nth = getattr(task, "nth", None) or 1  # a plain wait is done since the first (its value: the latest)
        return received[nth - 1].event_id if len(received) >= nth else 0
    record = RESOLVERS[command.kind][0](history, command)
    if record is None:
        return 0  # cancelled before it was scheduled, or reused by a repair: settled at its submit
    if command.kind == TIMER and record.closed_event_id is not None:
        return record.closed_event_id  # not a later refusal to cancel it
    return record.last_event_id
