"""SWF's text fields as the original layer fills them: JSON where it takes values, a jumbo field (S3) if too long."""

from __future__ import annotations

from typing import Any

from simpleflow.utils import json_dumps


def _encoded(text: str | None, field: str) -> str | None:
    if not text:
        return text
    from simpleflow import jumbo

    return jumbo.encode(text, field)


def input(value: Any) -> str:  # noqa: A001 - SWF's field name
    """*value* as an ``input`` field (JSON)."""
    return _encoded(json_dumps(value), "input")  # type: ignore[return-value]


def result(value: Any) -> str:
    """*value* as a ``result`` field (JSON)."""
    return _encoded(json_dumps(value), "result")  # type: ignore[return-value]


def control(value: Any) -> str:
    """*value* as a ``control`` field (JSON)."""
    return _encoded(json_dumps(value), "control")  # type: ignore[return-value]


def details(text: str | None) -> str | None:
    """A ``details`` text, as given."""
    return _encoded(text, "details")


def reason(text: str | None) -> str | None:
    """A failure ``reason`` text, as given."""
    return _encoded(text, "reason")


def heartbeat_details(text: str | None) -> str | None:
    """A heartbeat's ``details`` text, as given."""
    return _encoded(text, "heartbeat_details")


def execution_context(text: str | None) -> str | None:
    """A decision's ``executionContext`` text, as given."""
    return _encoded(text, "execution_context")
