"""The reference syntax of DAG specs: values read from the input and upstream results.

A string starting with ``$`` is a reference, replaced by the value it names, and
must be one of these (``$5 off`` is refused: ``unknown root``); ``$$`` writes a
leading ``$``; other strings and mapping keys are literals. Nothing is evaluated:
a reference is a root and a path of keys and list indexes, looked up in plain data.

- ``$input`` / ``$input.a.0.b``: the execution's input (or a part of it);
- ``$nodes.ID.result`` / ``$nodes.ID.result.key``: the result of node ID;
- ``$item`` / ``$item.key`` and ``$index``: inside a ``foreach``, the element and its position;
- ``$context``: floto's activity context (the requirements' results, or the workflow input);
- ``$$text``: the literal string ``$text``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

_SEGMENT = re.compile(r"[A-Za-z0-9_\-]+")
_INDEX = re.compile(r"-?[0-9]{1,18}")  # a list's index: what int() takes, at most 18 digits (more fits no list)
ROOTS = ("input", "nodes", "item", "index", "context")


class BadReference(ValueError):
    """A reference that cannot be parsed or resolved."""


@dataclass(frozen=True)
class Reference:
    root: str  # input | nodes | item | index | context
    node: str | None  # for $nodes.ID.result
    path: tuple[str, ...]

    def __str__(self) -> str:
        head = f"$nodes.{self.node}.result" if self.root == "nodes" else f"${self.root}"
        return ".".join((head, *self.path))


def is_reference(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("$") and not value.startswith("$$")


def parse(text: str) -> Reference:
    """The reference *text* names; BadReference says what is wrong with it."""
    parts = text[1:].split(".")
    root = parts[0]
    if root not in ROOTS:
        raise BadReference(f"{text!r}: unknown root ${root} (expected one of {', '.join('$' + r for r in ROOTS)})")
    for part in parts[1:]:
        if not _SEGMENT.fullmatch(part):
            raise BadReference(f"{text!r}: {part!r} is not a key or an index")
    if root == "nodes":
        if len(parts) < 3 or parts[2] != "result":
            raise BadReference(f"{text!r}: write $nodes.ID.result[.path]")
        return Reference("nodes", parts[1], tuple(parts[3:]))
    if root in ("index", "context") and len(parts) > 1:
        raise BadReference(f"{text!r}: ${root} takes no path")
    return Reference(root, None, tuple(parts[1:]))


def references(value: Any) -> Iterator[tuple[str, Reference | BadReference]]:
    """Every reference in *value* (nested in lists and mappings), parsed or with its error."""
    if is_reference(value):
        try:
            yield value, parse(value)
        except BadReference as err:
            yield value, err
    elif isinstance(value, list):
        for item in value:
            yield from references(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from references(item)


def _follow(value: Any, path: tuple[str, ...], text: str) -> Any:
    for key in path:
        if isinstance(value, dict) and key in value:
            value = value[key]
        elif isinstance(value, list) and _INDEX.fullmatch(key) and -len(value) <= int(key) < len(value):
            value = value[int(key)]
        else:
            raise BadReference(f"{text}: no {key!r} in {type(value).__name__} value")
    return value


def resolve(value: Any, scope: dict[str, Any]) -> Any:
    """*value* with every reference replaced from *scope* (keys: input, nodes, item, index, context).

    ``scope["nodes"]`` maps a node id to its result.
    """
    if isinstance(value, str) and value.startswith("$$"):
        return value[1:]
    if is_reference(value):
        ref = parse(value)
        if ref.root == "nodes":
            results = scope.get("nodes") or {}
            if ref.node not in results:
                raise BadReference(f"{value}: node {ref.node!r} has no result yet")
            return _follow(results[ref.node], ref.path, value)
        if ref.root not in scope:
            raise BadReference(f"{value}: ${ref.root} is not available here")
        return _follow(scope[ref.root], ref.path, value)
    if isinstance(value, list):
        return [resolve(item, scope) for item in value]
    if isinstance(value, dict):
        return {key: resolve(item, scope) for key, item in value.items()}
    return value
