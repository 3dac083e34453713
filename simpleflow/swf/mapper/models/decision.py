"""``TimerDecision``, as simpleflow's mapper spells it: an SWF timer decision as a dict.

Kept so that modules importing it (simpleflow's ``examples/timer.py``) import; workflows
start and cancel timers with ``self.start_timer`` / ``self.cancel_timer``.
"""

from __future__ import annotations

from typing import Any

from simpleflow.engine import cancel_timer_decision, start_timer_decision


class TimerDecision(dict):
    """``TimerDecision("start", id=..., start_to_fire_timeout=..., control=None)`` or ``("cancel", id=...)``."""

    def __init__(self, action: str, id: str, start_to_fire_timeout: Any = None, control: Any = None) -> None:
        if action == "start":
            super().__init__(start_timer_decision(id, start_to_fire_timeout, control))
        elif action == "cancel":
            super().__init__(cancel_timer_decision(id))
        else:
            raise ValueError(f"TimerDecision action must be 'start' or 'cancel', not {action!r}")
