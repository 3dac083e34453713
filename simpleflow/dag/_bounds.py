"""How much plain data a spec holds, counted before anything walks it.

YAML aliases share one object between many places: nine levels of nine aliases
(a "billion laughs") load in a millisecond as a few dozen objects, yet stand for
387 million values once walked or written out as JSON. The size counted here is
that expanded size, computed over the shared objects (each one counted once, its
size reused), so it costs what the file's text costs, whatever it expands to.
"""

from __future__ import annotations

from typing import Any

MAX_VALUES = 1_000_000
"""Values in a spec (every list, mapping, key and scalar), its aliases expanded."""

MAX_DEPTH = 100
"""Lists and mappings nested in one another."""


def _children(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return list(value.values())
    return list(value)


def _count_keys(value: Any) -> int:
    return len(value) if isinstance(value, dict) else 0


def size_problem(raw: Any) -> str | None:
    """Why *raw* (a spec's plain data) is refused before it is read further, or None.

    It expands past ``MAX_VALUES``, nests past ``MAX_DEPTH`` or contains itself.
    """
    if not isinstance(raw, (dict, list)):
        return None
    measured: dict[int, tuple[int, int]] = {}  # id of a list or mapping -> (values, depth), aliases expanded
    open_ids: set[int] = set()  # lists and mappings whose contents are being counted (the path from the top)
    stack: list[tuple[Any, bool]] = [(raw, False)]
    while stack:
        value, counted = stack.pop()
        key = id(value)
        if counted:
            size, depth = 1 + _count_keys(value), 1
            for child in _children(value):
                if isinstance(child, (dict, list)):
                    child_size, child_depth = measured[id(child)]
                    size += child_size
                    depth = max(depth, child_depth + 1)
                else:
                    size += 1
            open_ids.discard(key)
            measured[key] = (size, depth)
            if size > MAX_VALUES:
                return (
                    f"spec: too large: more than {MAX_VALUES:,} values, each YAML alias counted "
                    "where it is used (anchors repeated inside anchors multiply)"
                )
            if depth > MAX_DEPTH:
                return f"spec: lists and mappings nested more than {MAX_DEPTH} deep"
            continue
        if key in measured:
            continue
        open_ids.add(key)
        stack.append((value, True))
        for child in _children(value):
            if isinstance(child, (dict, list)) and id(child) not in measured:
                if id(child) in open_ids:
                    return "spec: a value contains itself (a YAML alias inside its own anchor)"
                stack.append((child, False))
    return None
