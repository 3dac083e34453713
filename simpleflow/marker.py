"""Markers recorded in an execution's history."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Marker:
    name: str
    details: Any = None
