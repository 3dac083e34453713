"""``MarkerDecision``: record a marker."""

from __future__ import annotations

from typing import Any

from simpleflow.swf.mapper.models.decision.base import Decision, decision_action
from simpleflow.utils import json_dumps


class MarkerDecision(Decision):
    """``MarkerDecision("record", name, details=None)``; *details* are written as JSON."""

    _base_type = "Marker"

    @decision_action
    def record(self, name: str, details: Any = None) -> None:
        """Record marker *name* with *details*."""
        self.update_attributes({"markerName": name, "details": json_dumps(details) if details is not None else None})
