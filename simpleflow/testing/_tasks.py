"""A run's tasks for a test: the history's records, with what their JSON fields hold decoded.

A record keeps each field as the history has it (``result``: the JSON text, or a jumbo field's reference);
``args``, ``kwargs`` and ``value`` give the input and the result as the activity got and returned them, as an
``ActivityCall`` and the workflow's future hold them.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from simpleflow import format, jumbo
from simpleflow.history import ActivityRecord, ChildWorkflowRecord

Reading = Callable[[], AbstractContextManager[Any]]  # the settings jumbo fields are read under


class _Decoded:
    """``args``, ``kwargs`` and ``value``: a task record's input and result decoded (see the module)."""

    __slots__ = ()
    _reading: Reading
    input: str | None
    result: str | None

    @property
    def args(self) -> list[Any]:
        """The positional arguments it was given (its input's ``args``)."""
        return list(_input(self._decode(self.input)).get("args") or [])

    @property
    def kwargs(self) -> dict[str, Any]:
        """The keyword arguments it was given (its input's ``kwargs``)."""
        return dict(_input(self._decode(self.input)).get("kwargs") or {})

    @property
    def value(self) -> Any:
        """What it returned, decoded (None until it completed)."""
        return self._decode(self.result)

    def _decode(self, text: str | None) -> Any:
        if not isinstance(text, str):
            return text
        with self._reading():
            text = jumbo.decode(text)
        try:
            return format.loads(text)
        except ValueError:
            return text  # not JSON: the text it is


class ActivityTaskRecord(_Decoded, ActivityRecord):
    __slots__ = ("_reading",)


class ChildTaskRecord(_Decoded, ChildWorkflowRecord):
    __slots__ = ("_reading",)


_DECODED = {ActivityRecord: ActivityTaskRecord, ChildWorkflowRecord: ChildTaskRecord}


def decoded(record: Any, reading: Reading = contextlib.nullcontext) -> Any:
    """*record* with ``args``, ``kwargs`` and ``value`` when it is an activity's or a child's (a copy)."""
    kind = _DECODED.get(type(record))
    if kind is None:
        return record
    copy = kind(**{f.name: getattr(record, f.name) for f in dataclasses.fields(record)})
    copy._reading = reading
    return copy


def _input(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
