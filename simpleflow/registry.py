"""simpleflow's ``Registry`` of activities, by label: ``registry[None]`` holds every declared activity.

``simpleflow.registry.registry`` is the process's registry: its ``None`` label is the very table
``@activity.with_attributes`` fills (and workers look activities up in), so ``registry[None][name]``
is the declared activity called *name*. Other labels (a task list...) hold what ``register`` put there.
"""

from __future__ import annotations

import collections
from typing import Any

__all__ = ["Registry", "registry"]


class Registry:
    """Tasks by label, then by name: ``registry[label][task.name]``."""

    def __init__(self) -> None:
        self._tasks: collections.defaultdict[Any, dict[str, Any]] = collections.defaultdict(dict)

    def __getitem__(self, label: Any) -> dict[str, Any]:
        return self._tasks[label]

    def register(self, task: Any, label: Any = None) -> None:
        """Put *task* (an ``Activity``) under *label*, by its name."""
        self._tasks[label][task.name] = task


def _process_registry() -> Registry:
    from simpleflow import activity

    found = Registry()
    found._tasks[None] = activity._registry  # one table: declared activities are registered under None
    return found


registry = _process_registry()
