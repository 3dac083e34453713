"""``CompiledEvent``: the state of one thing of a history (an activity task, a timer...) checked event by event.

A compiled event starts from the event that opens its thing (``initial_state``, or one of
``initial_states``: an activity task opens with ``scheduled``, or alone with ``schedule_failed``) and
``transit(event)`` moves it to each later event's state, which must be one of ``transitions[state]``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from simpleflow.swf.mapper.models.event.base import Event


class InconsistentStateError(Exception):
    """An event cannot open a compiled event of its type: it is not in an initial state."""


class TransitionError(Exception):
    """An event's state is not one the compiled event's current state may move to."""


class Stateful:
    """The states of a kind of thing and the moves between them."""

    states: tuple[str, ...] = ()
    transitions: ClassVar[dict[str, tuple[str, ...]]] = {}


class CompiledEvent(Event, Stateful):
    """A history event aware of its thing's states: built from the opening event, moved on by ``transit``.

    Subclasses give ``initial_state`` (and any other opening states in ``initial_states``), ``states`` and
    ``transitions``. The compiled event has the id, state, timestamp and attributes of the latest event
    applied, and keeps those of earlier events the latest one does not have (a completed activity task
    keeps its ``activity_id``, ``activity_type`` and ``input``).
    """

    initial_state: str | None = None
    initial_states: tuple[str, ...] = ()

    def __init__(self, event: Event) -> None:
        opening = (self.initial_state, *self.initial_states)
        if event.state not in opening:
            raise InconsistentStateError(
                f"Provided event is in {event.state} state when attended initial state is {self.initial_state}"
            )
        self.__dict__ = event.__dict__.copy()

    def __repr__(self) -> str:
        return f"<CompiledEvent {self.type} {self.state}>"

    @property
    def next_states(self) -> tuple[str, ...]:
        """The states the thing may move to from its current one (none once it is closed)."""
        return self.transitions.get(self.state, ())

    def transit(self, event: Event) -> None:
        """Move to *event*'s state and attributes; TransitionError if that state may not follow this one."""
        if event.state not in self.next_states:
            raise TransitionError(
                f"{self.type}: transition from {self.state} to {event.state} not allowed (event {event.id})"
            )
        self.__dict__ = _merged(self.__dict__, event.__dict__)

    def as_event(self) -> dict[str, Any]:
        """SWF's dict of the latest event applied."""
        return self.raw


# What an event says of itself alone (its id, state, time, name, SWF's dict) is never carried over.
_OWN = {"_id", "_state", "_timestamp", "_timestamp_cache", "_name", "_attributes_key", "raw"}
_CARRIED_FIELDS = (("_raw_input", "_input"), ("_raw_control", "_control"))


def _merged(previous: dict[str, Any], latest: dict[str, Any]) -> dict[str, Any]:
    merged = {key: value for key, value in previous.items() if key not in _OWN}
    merged.update((key, value) for key, value in latest.items() if not key.startswith("_") or key in _OWN)
    for raw, decoded in _CARRIED_FIELDS:  # input and control: the latest event's when it has them
        if latest.get(raw) is not None or raw not in merged:
            merged[raw], merged[decoded] = latest.get(raw), latest.get(decoded)
    return merged
