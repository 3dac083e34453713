"""New events: folded into the run's history, and the commands whose records they changed resolved again.

The side of the ``CommandTracker`` (_tracker) that faces the history as it grows (its submits face the
workflow's code): an event the fold says changed a record resolves the commands kept under that record's
key (markers and signals by their name), and the submits that waited on an unfinished argument go once it
settled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from simpleflow.engine._commands import (
    ACTIVITY,
    CACHED,
    CANCEL_TIMER,
    CANCEL_WORKFLOW,
    CHILD_WORKFLOW,
    MARKER,
    SIGNAL,
    TIMER,
    WAIT_SIGNAL,
    Command,
    WaitingSubmit,
    arguments_ready,
    nth_signal_key,
    uses_counter,
)
from simpleflow.engine._fallback import NeedsFullReplay
from simpleflow.history import OPEN

if TYPE_CHECKING:
    from simpleflow.engine._tracker import CommandTracker


class EventsMixin:
    """New events in, the commands they concern resolved (``CommandTracker``'s)."""

    def apply_events(self: CommandTracker, events: list[dict[str, Any]], others_waiting: bool) -> None:
        """Fold *events* into the history and resolve the commands they concern.

        Args:
            others_waiting: something besides the commands (a canvas continuation) waits on events.

        Raises:
            NeedsFullReplay: resuming with these events could diverge from a full replay.
        """
        commands = self.commands
        retry_timers = self.retry.timers
        if not others_waiting and not commands and not retry_timers and not self.waiting_submits:
            # Nothing submitted yet (a full replay): fold the history in, no command to resolve.
            self.history.extend(events)
            self.ledger.open_activities = sum(r.state in OPEN for r in self.history.activities.values())
            return
        apply = self.history.apply
        self._batch_first_id = events[0]["eventId"] if events else 0
        for event in events:
            changed = apply(event)
            if changed is None:
                continue
            kind = changed[0]
            if kind == ACTIVITY:
                self.ledger.count_activity_event(event["eventType"])
            if not commands and not retry_timers:
                continue
            self._resolve_changed(*changed)
        if self.waiting_submits:
            self.submit_ready()

    def _resolve_changed(self: CommandTracker, kind: str, key: str) -> None:
        """Resolve the commands whose history record an event just changed."""
        self.resolving_events = True
        try:
            if kind in (ACTIVITY, CHILD_WORKFLOW):
                command = self.commands.get((kind, key))
                if command is not None:
                    self.resolve(command)
            elif kind == TIMER:
                for command in (
                    self.commands.get((TIMER, key)),
                    self.commands.get((CANCEL_TIMER, key)),
                    self.retry.timers.get(key),
                ):
                    if command is not None:
                        self.resolve(command)
            elif kind == MARKER:
                cached = self.commands.get((CACHED, key))
                if cached is not None:
                    self.resolve(cached)
                for command in self._by_name.get((MARKER, key), ()):
                    self.resolve(command)
            elif kind == "signal":
                command = self.commands.get((WAIT_SIGNAL, key))
                if command is not None:
                    self._check_plain_wait(command, key)
                    self.resolve(command)
                nth = len(self.history.signal_lists[key])  # the one wait for this arrival of the name, if any
                command = self.commands.get((WAIT_SIGNAL, nth_signal_key(key, nth)))
                if command is not None:
                    self.resolve(command)
            elif kind == "external_signal":
                for command in self._by_name.get((SIGNAL, key), ()):
                    self.resolve(command)
            elif kind == "external_cancel":  # to a child (its future was cancelled) or by id
                child = self.commands.get((CHILD_WORKFLOW, key))
                if child is not None:
                    self.resolve(child)
                for command in self._by_name.get((CANCEL_WORKFLOW, key), ()):
                    self.resolve(command)
        finally:
            self.resolving_events = False

    def _check_plain_wait(self: CommandTracker, command: Command, name: str) -> None:
        """A plain ``wait_signal`` holds the latest signal of its name as of the decision (as a full replay reads it).

        Raises:
            NeedsFullReplay: it already held an earlier signal, which the resumed run may have read.
        """
        received = self.history.signal_lists[name]
        if len(received) > 1 and received[-2].event_id < self._batch_first_id and command.future._settled():
            raise NeedsFullReplay()

    def submit_ready(self: CommandTracker) -> None:
        """Submit the waiting submits whose arguments all settled.

        Raises:
            NeedsFullReplay: a later submit of the same name already took the count this one needs.
        """
        still: list[WaitingSubmit] = []
        for waiting in self.waiting_submits:
            if not arguments_ready(waiting.task):
                still.append(waiting)
                continue
            if (
                waiting.count is None
                and self.ledger.counted_after(waiting.task.name, waiting.position)
                and uses_counter(waiting.task)
            ):
                raise NeedsFullReplay()
            self.resolving_events = True
            try:
                self._submit_resolved(waiting.task, waiting.position, waiting.future, waiting.count)
            finally:
                self.resolving_events = False
        self.waiting_submits = still
