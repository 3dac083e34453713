"""``simpleflow.signal.WaitForSignal``: where simpleflow publishes it (defined in simpleflow.task)."""

from __future__ import annotations

from simpleflow.task import WaitForSignal

__all__ = ["WaitForSignal"]
