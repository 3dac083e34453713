"""History files: what ``workflow.history`` and ``--record`` write and ``workflow.replay`` reads.

A file holds ``{"events": [...]}`` (SWF's events, oldest first, timestamps in epoch seconds, jumbo fields as
their text), one event per line so that it diffs well; ``--record`` also names the execution
(``"workflowId"``, ``"runId"``: child workflow ids embed them, so a replay needs them). A plain list of
events is read too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from simpleflow.exceptions import UsageError
from simpleflow.history import read_document


def load_history(path: str | Path) -> tuple[list[dict[str, Any]], str | None, str | None]:
    """A history file's events, and the workflow and run ids it names (``--record`` writes them).

    Raises:
        UsageError: it cannot be read, is not JSON, or holds neither ``{"events": [...]}`` nor a list of events.
    """
    try:
        with open(path, "rb") as source:  # bytes: the JSON parser reads them directly
            text = source.read()
    except OSError as err:
        raise UsageError(f"cannot read history file {str(path)!r}: {err.strerror or err}") from err
    return parse_history(text, f"{path}: ")


def parse_history(text: bytes | str, where: str = "") -> tuple[list[dict[str, Any]], str | None, str | None]:
    """``load_history`` of a history file's text (*where* starts the error messages)."""
    events, document = read_document(text, where)
    workflow_id, run_id = document.get("workflowId"), document.get("runId")
    return events, workflow_id if isinstance(workflow_id, str) else None, run_id if isinstance(run_id, str) else None


def history_files(*paths: str | Path) -> list[Path]:
    """The history files *paths* name: files as given, folders' ``*.json`` files (sorted, not recursive).

    Raises:
        UsageError: a path does not exist, or a folder holds no ``.json`` file.
    """
    found: dict[Path, None] = {}  # in order, each file once
    for given in paths:
        path = Path(given)
        if path.is_dir():
            inside = sorted(p for p in path.glob("*.json") if p.is_file())
            if not inside:
                raise UsageError(f"{given}: no history file (*.json) in this folder")
            found.update(dict.fromkeys(inside))
        elif path.exists():
            found[path] = None
        else:
            raise UsageError(f"{given}: no such file or folder")
    return list(found)
