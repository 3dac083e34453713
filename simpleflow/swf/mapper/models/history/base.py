"""``History``: an execution's events as ``Event`` objects, with ``filter``, ``last``, ``first``... and ``compile``."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import groupby
from typing import Any

from simpleflow.swf.mapper.models.event.base import Event
from simpleflow.swf.mapper.models.event.compiler import CompiledEvent
from simpleflow.swf.mapper.models.event.factory import CompiledEventFactory, EventFactory
from simpleflow.swf.mapper.models.event.workflow import WorkflowExecutionEvent
from simpleflow.swf.mapper.models.history._things import group_by_thing
from simpleflow.swf.mapper.utils import cached_property

_MISSING = object()
_CLOSED = {"completed", "failed", "canceled", "terminated", "timed_out", "continued_as_new"}


class History:
    """A list of history events (``History(events=[...])``; ``History.from_event_list(swf_events)``).

    ``history[i]`` is an event, ``history[i:j]`` a ``History``; ``len``, iteration, ``last``, ``first``,
    ``latest(n)``, ``filter(type=..., state=...)``; ``compile()`` checks each thing's transitions.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.events: list[Event] = kwargs.pop("events", [])
        self.raw: list[dict[str, Any]] | None = kwargs.pop("raw", None)
        self.it_pos = 0

    def __len__(self) -> int:
        return len(self.events)

    def __getitem__(self, val: int | slice) -> Event | History:
        if isinstance(val, int):
            return self.events[val]
        if isinstance(val, slice):
            return History(events=self.events[val])
        raise TypeError(f"Unknown slice format: {type(val)}")

    def __repr__(self) -> str:
        events = "\n\t".join(repr(event) for event in self.events)
        return f"<History\n\t{events}\n>"

    def __iter__(self) -> Iterator[Event]:
        return iter(self.events)

    def __next__(self) -> Event:
        """The next event of ``next(history)`` calls, from the first (StopIteration at the end starts over)."""
        if self.it_pos >= len(self.events):
            self.it_pos = 0
            raise StopIteration
        self.it_pos += 1
        return self.events[self.it_pos - 1]

    @property
    def last(self) -> Event:
        """The latest event."""
        return self.events[-1]

    def latest(self, n: int) -> list[Event]:
        """The *n* latest events, oldest first."""
        return self.events[max(len(self.events) - n, 0) :]

    @property
    def first(self) -> Event:
        """The first event."""
        return self.events[0]

    @property
    def finished(self) -> bool:
        """Whether the latest event closed the execution."""
        last = self.events[-1] if self.events else None
        return isinstance(last, WorkflowExecutionEvent) and last.state in _CLOSED

    def filter(self, **kwargs: Any) -> list[Event]:
        """The events whose attributes have these values: ``filter(type="ActivityTask", state="completed")``.

        An event without one of the attributes is left out.
        """
        return [e for e in self.events if all(getattr(e, k, _MISSING) == v for k, v in kwargs.items())]

    @property
    def reversed(self) -> Iterator[Event]:
        """The events, latest first."""
        return reversed(self.events)

    @property
    def distinct(self) -> list[list[Event]]:
        """The events in runs of one type, the execution's own events gathered into the first run."""
        runs: list[list[Event]] = []
        for _, run in groupby(self.events, lambda e: e.type):
            events = list(run)
            if len(events) == 1 and runs and events[0].type == "WorkflowExecution":
                runs[0].extend(events)
            else:
                runs.append(events)
        return runs

    def compile(self) -> History:
        """A history of one ``CompiledEvent`` per thing (activity task, decision task, timer, marker,
        child execution, signal sent, the execution), each in its latest state.

        Raises:
            InconsistentStateError: a thing's first event cannot open it.
            TransitionError: an event's state may not follow its thing's state.
        """
        compiled: list[CompiledEvent] = []
        for events in group_by_thing(self.events):
            thing = CompiledEventFactory(events[0])
            for event in events[1:]:
                thing.transit(event)
            compiled.append(thing)
        return History(events=compiled)

    @cached_property
    def compiled(self) -> History:
        """``compile()``'s result, computed once."""
        return self.compile()

    @classmethod
    def from_event_list(cls, data: list[dict[str, Any]]) -> History:
        """The history of SWF's event dicts (GetWorkflowExecutionHistory's ``events``)."""
        return cls(events=[EventFactory(raw) for raw in data], raw=data)
