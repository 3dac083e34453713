"""``Event``: one history event with its attributes in snake_case (``event.activity_id``, ``event.input``...).

``EventFactory`` builds the right subclass from SWF's dict: ``type`` is the kind of thing the event is
about (``ActivityTask``, ``DecisionTask``, ``Timer``...), ``state`` what happened to it (``scheduled``,
``completed``...), ``name`` SWF's event type (``ActivityTaskCompleted``). ``input`` and ``control`` are
decoded from JSON (a jumbo field read from S3 first) when read; other fields are SWF's text.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, TypedDict

from simpleflow.swf.mapper.utils import cached_property, camel_to_underscore, decapitalize
from simpleflow.utils import json_loads_or_raw


class TaskList(TypedDict):
    name: str


_UNSET = object()


def decode(value: Any) -> Any:
    """An ``input`` or ``control`` field as Python: a jumbo field read back, then JSON decoded (text if not JSON)."""
    if not isinstance(value, str):
        return value
    from simpleflow import jumbo

    return json_loads_or_raw(jumbo.decode(value))


class Event:
    """An SWF history event: ``id``, ``type``, ``state``, ``name``, ``timestamp`` and its attributes.

    ``Event(id, state, timestamp, raw_data)``; ``raw`` is SWF's dict, whose attributes (under the key
    ``<eventType>EventAttributes``) become the event's own, in snake_case.
    """

    _type: str | None = None
    _name: str | None = None
    _attributes_key: str | None = None
    _attributes: Any = None

    excluded_attributes = ("eventId", "eventType", "eventTimestamp")

    def __init__(
        self,
        id: int,
        state: str,
        timestamp: float | datetime,
        raw_data: dict[str, Any] | None,
        *,
        name: str | None = None,
    ) -> None:
        self._id = id
        self._state = state
        self._timestamp = timestamp
        self._input: Any = _UNSET
        self._raw_input: Any = None
        self._control: Any = _UNSET
        self._raw_control: Any = None
        if name is not None:  # each event its own name (0.36 kept the latest one built on the class)
            self._name = name
            self._attributes_key = decapitalize(name) + "EventAttributes"
        self.raw = raw_data or {}
        self.process_attributes()

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.type} : {self.state} >"

    @property
    def id(self) -> int:
        return self._id

    @property
    def type(self) -> str | None:
        return self._type

    @property
    def name(self) -> str | None:
        return self._name

    @property
    def state(self) -> str:
        return self._state

    @cached_property
    def timestamp(self) -> datetime:
        """When the event happened, an aware datetime in UTC."""
        if isinstance(self._timestamp, datetime):
            stamp = self._timestamp
            return (stamp if stamp.tzinfo else stamp.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)
        return datetime.fromtimestamp(self._timestamp, tz=timezone.utc)

    @property
    def input(self) -> Any:
        if self._input is _UNSET:
            self._input = decode(self._raw_input) if self._raw_input is not None else {}
        return self._input

    @input.setter
    def input(self, value: Any) -> None:
        self._raw_input, self._input = value, _UNSET

    @property
    def control(self) -> Any:
        if self._control is _UNSET:
            self._control = decode(self._raw_control)
        return self._control

    @control.setter
    def control(self, value: Any) -> None:
        self._raw_control, self._control = value, _UNSET

    def process_attributes(self) -> None:
        """Set the event's attributes from ``raw[<attributes key>]``, their names in snake_case."""
        for key, value in (self.raw.get(self._attributes_key) or {}).items():
            setattr(self, camel_to_underscore(key), value)
