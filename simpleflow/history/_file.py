"""A history file's text to its events: ``{"events": [...]}`` (what ``workflow.history`` writes) or a bare list."""

from __future__ import annotations

from typing import Any

from simpleflow import format
from simpleflow.exceptions import UsageError


def read_document(text: bytes | str, where: str = "") -> tuple[list[Any], dict[str, Any]]:
    """The events a history file's *text* holds, not checked yet (the fold checks them: ``History.extend``),
    and the document around them (``{}`` for a bare list; ``--record`` names the execution there).

    Raises:
        UsageError: *text* is not JSON, or holds no list of events (*where* starts the message).
    """
    try:
        data = format.parse_document(text)
    except ValueError as err:
        raise UsageError(f"{where}history file is not valid JSON: {err}") from err
    events = data.get("events") if isinstance(data, dict) else data
    if not isinstance(events, list):
        raise UsageError(f'{where}history file must hold {{"events": [...]}} or a list of events')
    return events, data if isinstance(data, dict) else {}


def load_events(text: bytes | str) -> list[Any]:
    """The events a history file's *text* holds (``read_document`` without the rest of the document)."""
    return read_document(text)[0]
