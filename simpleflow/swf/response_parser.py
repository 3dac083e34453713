"""botocore's JSON response parser, made fast for SWF's long histories; the values it gives are the same.

A decision task's response holds the execution's whole history: botocore walks every member of each
event's shape (some fifty, four or five present) and builds a time zone object per timestamp, which made
parsing a 1,000-event poll answer cost 18 times the ``json.loads`` of its text (a decider's main cost per
decision on a long history, and what made one slow down most under CPU load). Here a structure's members
are looked up from the keys the JSON holds (in the shape's order, unknown keys dropped, nulls left out,
as botocore does), and an epoch timestamp is converted with one local time zone object, rebuilt only
when the process's time zone changes.
"""

from __future__ import annotations

import datetime
import sys
import time
from typing import Any

from botocore.parsers import JSONParser, ResponseParserFactory
from botocore.utils import parse_timestamp
from dateutil.tz import tzlocal

_local: tuple[tuple[Any, ...], Any, bool] | None = None  # (time's zone settings, their tzlocal, it is UTC)
_UTC = datetime.timezone.utc


def _local_zone() -> tuple[Any, bool]:
    global _local
    settings = (time.timezone, time.altzone, time.daylight, time.tzname)
    if _local is None or _local[0] != settings:
        _local = (settings, tzlocal(), time.timezone == 0 and not time.daylight)
    return _local[1], _local[2]


def fast_timestamp(value: Any) -> datetime.datetime:
    """botocore's ``parse_timestamp``, the same datetime: an epoch number as an aware datetime in a ``tzlocal``.

    botocore builds a ``tzlocal`` per value and has it convert from UTC (Python code: ten times the rest).
    Here one ``tzlocal`` serves while the process's zone stays the same, and where that zone is UTC (no
    offset, no daylight saving: what it would compute) the UTC time is given that zone as it is.
    """
    if value.__class__ in (int, float) and sys.platform != "win32":
        zone, utc = _local_zone()
        try:
            if utc:
                return datetime.datetime.fromtimestamp(value, _UTC).replace(tzinfo=zone)
            return datetime.datetime.fromtimestamp(value, zone)
        except (OSError, OverflowError, ValueError):
            pass
    return parse_timestamp(value)


_SCALARS = frozenset({"string", "integer", "long", "boolean"})  # left as json.loads gives them (no handler)
_SCALAR, _STRUCTURE, _OTHER = 0, 1, 2


def _position(item: tuple[tuple[int, str, Any], Any]) -> int:
    return item[0][0]


class FastJSONParser(JSONParser):
    """A ``JSONParser`` whose structures cost what their present members cost."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # shape -> {json name: (position, member name, member shape)}, None for shapes left to botocore
        self._members: dict[int, tuple[Any, dict[str, tuple[int, str, Any]] | None]] = {}

    def _index(self, shape: Any) -> dict[str, tuple[int, str, Any, int]] | None:
        found = self._members.get(id(shape))
        if found is None or found[0] is not shape:
            index: dict[str, tuple[int, str, Any, int]] | None = None
            if not (shape.is_document_type or shape.is_tagged_union):
                index = {}
                for position, (name, member) in enumerate(shape.members.items()):
                    kind = _SCALAR if member.type_name in _SCALARS else _STRUCTURE
                    if member.type_name != "structure" and kind != _SCALAR:
                        kind = _OTHER
                    index[member.serialization.get("name", name)] = (position, name, member, kind)
            found = (shape, index)
            self._members[id(shape)] = found
        return found[1]

    def _handle_structure(self, shape: Any, value: Any) -> Any:
        index = self._index(shape)
        if index is None or value.__class__ is not dict:
            return super()._handle_structure(shape, value)
        present = []
        for key, raw in value.items():
            if raw is not None:
                entry = index.get(key)
                if entry is not None:
                    present.append((entry, raw))
        if len(present) > 1:
            present.sort(key=_position)  # the shape's order, as botocore's loop over its members gives
        final = {}
        for (_, name, member, kind), raw in present:
            if kind == _SCALAR:
                final[name] = raw  # what botocore's default handler gives a string, number or boolean
            elif kind == _STRUCTURE:
                final[name] = self._handle_structure(member, raw)
            else:
                final[name] = self._parse_shape(member, raw)
        return final

    def _handle_string(self, shape: Any, value: Any) -> Any:
        return value

    def _handle_integer(self, shape: Any, value: Any) -> Any:
        return value

    def _handle_long(self, shape: Any, value: Any) -> Any:
        return value

    def _handle_boolean(self, shape: Any, value: Any) -> Any:
        return value


class FastParserFactory(ResponseParserFactory):
    """Gives ``FastJSONParser`` for the "json" protocol (SWF's), botocore's parsers for the others."""

    def __init__(self) -> None:
        super().__init__()
        self.set_parser_defaults(timestamp_parser=fast_timestamp)

    def create_parser(self, protocol_name: str) -> Any:
        if protocol_name == "json":
            return FastJSONParser(**self._defaults)
        return super().create_parser(protocol_name)
