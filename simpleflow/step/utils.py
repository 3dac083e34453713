"""Whether a step runs: hierarchical names (``a`` covers ``a.b.c``), ``*`` for all, force over skip."""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def _covers(pattern: str, step_name: str) -> bool:
    return pattern == "*" or pattern == step_name or step_name.startswith(pattern + ".")


def should_force_step(step_name: str, force_steps: Iterable[str]) -> bool:
    """Whether one of *force_steps* is *step_name*, one of its parents (``a`` for ``a.b``) or ``*``."""
    return any(_covers(pattern, step_name) for pattern in force_steps)


def should_skip_step(step_name: str, skipped_steps: Iterable[str]) -> bool:
    """Whether one of *skipped_steps* covers *step_name* (same rules as forcing)."""
    return should_force_step(step_name, skipped_steps)


def step_is_forced(step_name: str, force_steps: Iterable[str], force: bool) -> bool:
    return force or should_force_step(step_name, force_steps)


def step_is_skipped_by_force(step_name: str, skipped_steps: Iterable[str]) -> bool:
    return should_skip_step(step_name, skipped_steps)


def step_will_run(
    step_name: str,
    force_steps: Iterable[str],
    skipped_steps: Iterable[str],
    steps_done: Iterable[str],
    force: bool = False,
) -> bool:
    """A forced step runs; else a skipped one does not; else it runs unless already done."""
    if step_is_forced(step_name, force_steps, force):
        return True
    if should_skip_step(step_name, skipped_steps):
        return False
    return step_name not in steps_done


def _reasons(step_name: str, reasons_by_pattern: Mapping[str, Iterable[str]]) -> list[str]:
    found: list[str] = []
    for pattern, reasons in reasons_by_pattern.items():
        if _covers(pattern, step_name):
            found.extend(sorted(reasons))
    return found


def get_step_force_reasons(step_name: str, step_force_reasons: Mapping[str, Iterable[str]]) -> list[str]:
    """The reasons given for the patterns forcing *step_name*."""
    return _reasons(step_name, step_force_reasons)


def get_step_skip_reasons(step_name: str, step_skip_reasons: Mapping[str, Iterable[str]]) -> list[str]:
    """The reasons given for the patterns skipping *step_name*."""
    return _reasons(step_name, step_skip_reasons)
