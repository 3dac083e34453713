"""How values look on a page: times, durations, JSON folded when large (Jinja filters)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from simpleflow.format import loads, nesting_exceeds
from simpleflow.swf.stats import timer_purpose

__all__ = [
    "FILTERS",
    "clip",
    "compact",
    "duration",
    "for_display",
    "is_large",
    "pretty",
    "short",
    "traceback_text",
    "when",
    "worker",
]

FOLD_CHARS = 400  # a value longer than this (or of more lines) is folded under its first line
FOLD_LINES = 15
SHORT_CHARS = 120
SHOWN_CHARS = 200_000  # past this a value is cut on the page (the history download has it whole)


def when(seconds: float | None, zone: bool = True) -> str:
    """An epoch time as ``2024-05-01 13:00:02 UTC`` (without `` UTC`` if not *zone*; empty for None)."""
    if seconds is None:
        return ""
    text = datetime.fromtimestamp(seconds, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
    return f"{text} UTC" if zone else text


def duration(seconds: float | None) -> str:
    """A duration as ``0.4s``, ``12s``, ``3m05s``, ``2h10m``, ``3d4h``."""
    if seconds is None:
        return ""
    if seconds < 60:
        return f"{seconds:.1f}s" if seconds < 10 else f"{seconds:.0f}s"
    whole = int(round(seconds))
    if whole < 3600:
        return f"{whole // 60}m{whole % 60:02d}s"
    if whole < 86400:
        return f"{whole // 3600}h{whole % 3600 // 60:02d}m"
    return f"{whole // 86400}d{whole % 86400 // 3600}h"


def pretty(value: Any) -> str:
    """A value as text: strings as they are, anything else as indented JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False, default=str)


def compact(value: Any) -> str:
    """A value as one line of JSON (strings as they are): history rows stay one line until unfolded."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "), default=str)


def traceback_text(details: Any) -> str | None:
    """The traceback a failure's details carry (simpleflow's ``{"traceback": [lines]}``), as text."""
    lines = details.get("traceback") if isinstance(details, dict) else None
    if isinstance(lines, list) and all(isinstance(line, str) for line in lines):
        return "".join(lines)
    return None


def is_large(text: str) -> bool:
    return len(text) > FOLD_CHARS or text.count("\n") >= FOLD_LINES


def clip(text: str) -> str:
    """*text*, cut at ``SHOWN_CHARS`` characters with a line saying so."""
    if len(text) <= SHOWN_CHARS:
        return text
    return text[:SHOWN_CHARS] + f"\n\u2026 ({len(text) - SHOWN_CHARS} more characters: download the history for all)"


def short(text: str, limit: int = SHORT_CHARS) -> str:
    """The first line of *text*, cut to *limit* characters."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "\u2026"


def for_display(text: str | None) -> Any:
    """*text* JSON-decoded (``format.loads``), or as it is when it nests more than ``MAX_JSON_DEPTH`` levels:
    whoever starts or signals an execution writes its fields, and one past what Python can parse, or render
    once parsed, must not make the page an error."""
    if text and nesting_exceeds(text):
        return text
    return loads(text)


def worker(identity: str | None) -> str:
    """A worker's identity as ``host:pid`` when it is simpleflow's JSON, else as SWF recorded it."""
    if not identity:
        return ""
    try:
        value = json.loads(identity)
    except ValueError:
        return identity
    if isinstance(value, dict) and "hostname" in value:
        return f"{value['hostname']}:{value.get('pid', '?')}"
    return identity


FILTERS = {
    "when": when,
    "duration": duration,
    "pretty": pretty,
    "compact": compact,
    "traceback_text": traceback_text,
    "is_large": is_large,
    "short": short,
    "clip": clip,
    "worker": worker,
    "decode": for_display,
    "timer_purpose": timer_purpose,
}
