"""History files: ``{"domain": ..., "workflowId": ..., "runId": ..., "events": [...]}`` (what ``workflow.history``
and ``--record`` write; a local run's, no domain) or a bare list of events, read back into events; and written.
"""

from __future__ import annotations

import json
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


def document_text(
    events: list[dict[str, Any]],
    *,
    workflow_id: str | None = None,
    run_id: str | None = None,
    domain: str | None = None,
) -> str:
    """*events* as a history file's text, one event per line (valid JSON, easy to diff and grep), naming the
    execution when its ids (and domain) are given (``workflow.trace --history`` reads them there; readers that
    do not, ignore them)."""
    head = "".join(
        f"{json.dumps(key)}: {json.dumps(value)}, "
        for key, value in (("domain", domain), ("workflowId", workflow_id), ("runId", run_id))
        if value is not None
    )
    lines = [json.dumps(event, separators=(",", ":"), ensure_ascii=False, default=str) for event in events]
    return "{" + head + '"events": [\n' + ",\n".join(lines) + "\n]}\n"
