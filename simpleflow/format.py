"""JSON encoding of inputs and results, as simpleflow writes them on SWF."""

from __future__ import annotations

import datetime
import gc
import json
import types
import uuid
from typing import Any

from simpleflow import constants

try:  # a core dependency: a history file's parse in two thirds of json's time (bench/RESULTS.md)
    import orjson as _orjson
except ImportError:  # pragma: no cover - json does the same work where it is not installed
    _orjson = None


def _default(obj: Any) -> Any:
    if isinstance(obj, bytes):
        return obj.decode("utf-8", errors="replace")
    if isinstance(obj, datetime.datetime):
        text = obj.isoformat()
        if obj.microsecond:
            text = text[:23] + text[26:]  # milliseconds only, as simpleflow
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    if isinstance(obj, (datetime.date, datetime.time)):
        return obj.isoformat()
    if isinstance(obj, (set, frozenset, types.GeneratorType)):
        return list(obj)
    if isinstance(obj, uuid.UUID):
        return str(obj)
    # A future is serialized as its value (simpleflow does the same).
    from simpleflow.futures import Future

    if isinstance(obj, Future):
        return obj.result
    raise TypeError(f"{type(obj).__name__} is not JSON serializable")


_compact = json.JSONEncoder(separators=(",", ":"), sort_keys=True, default=_default)


def dumps(obj: Any) -> str:
    """Compact, key-sorted JSON: the form task ids are hashed from."""
    return _compact.encode(obj)


def pretty(obj: Any) -> str:
    return json.dumps(obj, indent=2, sort_keys=True, default=_default)


_scan = json.JSONDecoder().scan_once


def loads(text: str | None) -> Any:
    """JSON-decode *text*; None stays None, and a non-JSON string is returned as is."""
    if not text:
        return None
    try:
        # The scanner alone first: most values here are small, json.loads' wrapper doubles their cost.
        value, end = _scan(text, 0)
        if end == len(text):
            return value
    except (ValueError, StopIteration):
        pass
    try:
        return json.loads(text)  # surrounding white space, or not JSON at all
    except ValueError:
        return text


_LARGE_DOCUMENT = 1 << 16  # bytes


def parse_document(text: bytes | str) -> Any:
    """JSON-decode a whole document (a history file): orjson when it is installed, else json.

    The values are json's, but for integers past 64 bits, which orjson gives as floats (no SWF history holds
    one: its ids and counts are 64-bit); what orjson refuses (NaN, a lone surrogate...) json takes.

    Raises:
        ValueError: *text* is not JSON (json's message).
    """
    if len(text) < _LARGE_DOCUMENT or not gc.isenabled():
        return _parse(text)
    # One container per JSON object and none freed: the cyclic collector would walk them again and again.
    gc.disable()
    try:
        return _parse(text)
    finally:
        gc.enable()


def _parse(text: bytes | str) -> Any:
    if _orjson is not None:
        try:
            return _orjson.loads(text)
        except _orjson.JSONDecodeError:
            pass  # NaN, an integer past 64 bits, a lone surrogate... or not JSON: json takes it or says why
    return json.loads(text)


def format_reason(reason: str | None) -> str | None:
    """SWF caps reasons at 256 characters: keep the start and say it was cut."""
    if reason is None or len(reason) <= constants.MAX_REASON_LENGTH:
        return reason
    return reason[: constants.MAX_REASON_LENGTH - 4] + " ..."


def status_text(value: Any) -> str:
    """*value* as ``Workflow.set_status`` sends it: JSON within SWF's executionContext size.

    Raises:
        TypeError: *value* is not JSON-encodable.
        ValueError: its JSON passes 32,768 characters.
    """
    try:
        text = dumps(value)
    except (TypeError, ValueError) as err:
        raise TypeError(f"set_status: the status must be JSON-encodable ({err})") from err
    if len(text) > constants.MAX_EXECUTION_CONTEXT_LENGTH:
        raise ValueError(
            f"set_status: the status is {len(text)} characters of JSON, more than SWF's "
            f"{constants.MAX_EXECUTION_CONTEXT_LENGTH} for an executionContext"
        )
    return text
