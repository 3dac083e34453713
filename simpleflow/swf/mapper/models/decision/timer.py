"""``TimerDecision``: start or cancel a timer."""

from __future__ import annotations

from typing import Any

from simpleflow.swf.mapper.models import _fields
from simpleflow.swf.mapper.models.decision.base import Decision, decision_action


class TimerDecision(Decision):
    """``TimerDecision("start", id=..., start_to_fire_timeout=..., control=None)`` or ``("cancel", id=...)``."""

    _base_type = "Timer"

    @decision_action
    def start(self, id: str, start_to_fire_timeout: int | str, control: Any = None) -> None:
        """Start timer *id*, firing after *start_to_fire_timeout* seconds; *control* (JSON) is for the decider."""
        self.update_attributes(
            {
                "timerId": id,
                "startToFireTimeout": str(start_to_fire_timeout),
                "control": _fields.control(control) if control is not None else None,
            }
        )

    @decision_action
    def cancel(self, id: str) -> None:
        """Cancel timer *id*."""
        self.update_attributes({"timerId": id})
