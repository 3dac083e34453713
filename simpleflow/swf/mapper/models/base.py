"""``BaseModel`` (a model's contract: ``exists``, ``is_synced``, ``changes``, ``save``, ``delete``, ``upstream``)
and ``ModelDiff``, the differences between a local model and SWF's version of it."""

from __future__ import annotations

from collections import namedtuple
from datetime import datetime
from typing import Any

from simpleflow.swf.mapper.core import ConnectedSWFObject
from simpleflow.swf.mapper.exceptions import DoesNotExistError

Difference = namedtuple("Difference", ("attr", "local", "upstream"))


def _comparable(value: Any) -> Any:
    # SWF gives numbers as strings ("30" days, "300" seconds) and dates as datetimes, where a model
    # holds what its user gave (30, a POSIX timestamp): the same value either way is no difference.
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


class ModelDiff:
    """The attributes in which a local model and its upstream version differ.

    ``ModelDiff(("status", "REGISTERED", "DEPRECATED"), ...)``: (attribute, local, upstream) triples,
    those with equal values (or named in *ignore_fields*) left out. Indexing gives ``Difference``
    named tuples (``attr``, ``local``, ``upstream``); ``len()`` counts them.
    """

    def __init__(self, *input: tuple[str, Any, Any], ignore_fields: list[str] | None = None) -> None:
        self.ignore_fields = list(ignore_fields or [])
        self.container: dict[str, tuple[Any, Any]] = self._process_input(input)

    def _process_input(self, input: tuple[tuple[str, Any, Any], ...]) -> dict[str, tuple[Any, Any]]:
        return {
            attr: (local, upstream)
            for attr, local, upstream in input
            if attr not in self.ignore_fields and _comparable(local) != _comparable(upstream)
        }

    def __contains__(self, attr: str) -> bool:
        return attr in self.container

    def __len__(self) -> int:
        return len(self.container)

    def __getitem__(self, index: int) -> Difference:
        attr, (local, upstream) = list(self.container.items())[index]
        return Difference(attr, local, upstream)

    def __repr__(self) -> str:
        if not self.container:
            return "ModelDiff()"
        lines = ",\n".join(f"    Difference({a!r}, {lo!r}, {up!r})" for a, (lo, up) in self.container.items())
        return f"ModelDiff(\n{lines}\n)"

    def add_input(self, *input: tuple[str, Any, Any]) -> None:
        """Add more (attribute, local, upstream) triples."""
        self.container.update(self._process_input(input))

    def merge(self, model_diff: ModelDiff) -> None:
        """Add the differences of another ``ModelDiff``."""
        self.container.update(model_diff.container)

    def differing_fields(self) -> list[str]:
        """The names of the attributes that differ."""
        return list(self.container)

    def as_list(self) -> list[Difference]:
        """The differences as ``Difference`` named tuples."""
        return [Difference(attr, local, upstream) for attr, (local, upstream) in self.container.items()]


class BaseModel(ConnectedSWFObject):
    """An SWF object as a local model; subclasses say how it is read, compared, registered and deprecated."""

    def _diff(self, ignore_fields: list[str] | None = None) -> ModelDiff:
        """The differences between this model and SWF's version (``DoesNotExistError`` if there is none)."""
        raise NotImplementedError

    @property
    def exists(self) -> bool:
        """Whether SWF has this object."""
        raise NotImplementedError

    @property
    def is_synced(self) -> bool:
        """Whether this model and SWF's version agree (False when SWF has none)."""
        try:
            return len(self._diff()) == 0
        except DoesNotExistError:
            return False

    @property
    def changes(self) -> ModelDiff:
        """The differences between this model and SWF's version."""
        return self._diff()

    def save(self) -> None:
        """Register the object on SWF."""
        raise NotImplementedError

    def delete(self) -> None:
        """Deprecate the object on SWF."""
        raise NotImplementedError

    def upstream(self) -> BaseModel:
        """A new model of SWF's version of this object."""
        raise NotImplementedError
