"""Node ids as SWF ids: the characters SWF refuses become ``-``, and the clashes that could make.

A node's task (activity, child workflow or timer) is known by its node id, a fan-out's items
by ``<node id>-<index>``. Two nodes whose ids become one SWF id would share one task: the engine
takes the second submit for the first and both nodes get one result. The checks refuse that.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

MAX_ID_LENGTH = 256  # SWF's limit on an activity, timer or workflow id
_RESERVED_TIMERS = ("_simpleflow_", "__simpleflow_")  # the engine's own timers (wake-up, retry waits)


def swf_id(text: str) -> str:
    """*text* as SWF accepts an id (no ':', '/', '|', whitespace or control characters): floto's ids have colons."""
    return re.sub(r"[:/|\s\x00-\x1f\x7f-\x9f]", "-", text)


def child_workflow_id(parent_id: str, key: str) -> str:
    """The workflow id of a child node's run (*key*: its node's, or a fan-out item's): ``<parent id>--<key>``.

    One too long for SWF keeps its end, ``--<key>`` (how ``dag.show`` finds the node's run), after the
    start of the parent's id and an md5 of the whole id: a spec's children nest, and each level adds
    to the id.
    """
    full = swf_id(f"{parent_id}--{key}")
    if len(full) <= MAX_ID_LENGTH:
        return full
    digest = hashlib.md5(full.encode()).hexdigest()  # noqa: S324 - a name, not a secret
    tail = swf_id(f"--{key}")
    room = MAX_ID_LENGTH - len(digest) - 1 - len(tail)
    if room < 1:  # a key that alone nearly fills an id
        return f"{full[: MAX_ID_LENGTH - len(digest) - 1]}-{digest}"
    return f"{full[:room]}-{digest}{tail}"


def clash_problems(nodes: list[dict[str, Any]]) -> list[str]:
    """One line per node whose SWF id another node's task already has (or a timer id SWF or the engine refuses).

    SWF ids are compared as they are (SWF's ids are case-sensitive); an activity id too long for SWF is
    shortened with an md5 of the whole by the engine, so length alone makes no clash.
    """
    problems: list[str] = []
    owner: dict[str, str] = {}  # SWF id -> the first node with it
    fan_outs: dict[str, str] = {}  # a fan-out node's SWF id -> its node id
    for node in nodes:
        nid, key = node["id"], swf_id(node["id"])
        if key in owner:
            problems.append(
                f"node {nid!r}: node {owner[key]!r} has the same SWF id {key!r} "
                "(':', '/', '|' and whitespace become '-'): rename one"
            )
            continue
        owner[key] = nid
        if node.get("foreach") is not None:
            fan_outs[key] = nid
        if node.get("kind") == "timer":
            if len(key) > MAX_ID_LENGTH:
                problems.append(f"node {nid!r}: a timer's id is longer than SWF allows ({len(key)} > {MAX_ID_LENGTH})")
            elif key.startswith(_RESERVED_TIMERS):
                problems.append(
                    f"node {nid!r}: timer ids starting with {' or '.join(map(repr, _RESERVED_TIMERS))} are the engine's"
                )
    for node in nodes:
        if node.get("foreach") is not None:
            continue  # its own id names no task: its items' ids are <id>-<index>
        head, _, index = swf_id(node["id"]).rpartition("-")
        if head in fan_outs and index.isascii() and index.isdigit() and str(int(index)) == index:
            problems.append(
                f"node {node['id']!r}: its SWF id is that of item {int(index)} of fan-out node {fan_outs[head]!r} "
                "(items are <node id>-<index>): rename one"
            )
    return problems
