"""Where ``dag.show --svg`` puts each node and edge: a layered drawing, computed in plain Python.

One row per depth (a node sits one row below its deepest requirement). An edge that skips
rows goes through a slot of its own in each row it crosses, as a node would take one, so no
edge passes behind a node it does not connect: between rows a segment stays in the gap, and
within a row it runs down its own slot. Rows are ordered to keep each node near its
neighbours (barycentres, swept down and up), then spread without overlap.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ROW_HEIGHT = 42  # a node's box
ROW_GAP = 46
COLUMN_GAP = 24
SLOT_WIDTH = 10  # what an edge crossing a row takes of it
MARGIN = 20

# Advance widths of Helvetica/Arial glyphs in em, by class (what a browser draws the picture with).
_NARROW = dict.fromkeys("ijl|!.,:;'`", 0.26)
_SEMI = dict.fromkeys("fIrt()[]{}-/ ", 0.34)
_WIDE = {"m": 0.84, "w": 0.73, "M": 0.84, "W": 0.95, "@": 1.02, "%": 0.89}


def text_width(text: str, size: float, bold: bool = False) -> float:
    """A safe estimate of *text*'s width in pixels at *size* (a little over what the glyphs take)."""
    em = 0.0
    for char in text:
        if char in _NARROW:
            em += _NARROW[char]
        elif char in _SEMI:
            em += _SEMI[char]
        elif char in _WIDE:
            em += _WIDE[char]
        elif char.isupper():
            em += 0.72
        else:
            em += 0.57
    return em * size * (1.12 if bold else 1.05)


@dataclass(slots=True)
class Box:
    """A node's place: left, top, width (every box is ``ROW_HEIGHT`` high)."""

    x: float
    y: float
    width: float

    @property
    def centre(self) -> float:
        return self.x + self.width / 2


@dataclass(slots=True)
class Edge:
    """An edge from *source* to *target*, drawn through *points* (top to bottom)."""

    source: str
    target: str
    points: list[tuple[float, float]] = field(default_factory=list)


@dataclass(slots=True)
class Layout:
    boxes: dict[str, Box]
    edges: list[Edge]
    width: float
    height: float  # of the graph, margins included (the legend goes below)


@dataclass(slots=True)
class _Slot:
    key: str  # a node id, or an edge's slot in a row it crosses
    width: float
    up: list[str] = field(default_factory=list)  # slots in the row above it links to
    down: list[str] = field(default_factory=list)  # slots in the row below
    centre: float = 0.0
    crossing: bool = False  # an edge's slot in a row it crosses


def _rows(order: list[str], requires: dict[str, list[str]]) -> dict[str, int]:
    depth: dict[str, int] = {}
    for nid in order:  # every node after its requirements
        depth[nid] = 1 + max((depth[d] for d in requires[nid]), default=-1)
    return depth


def slot_count(order: list[str], requires: dict[str, list[str]]) -> int:
    """The slots ``layout`` would place (a node's, and an edge's in each row it crosses), in what the edges
    cost: its work grows faster than them (edges skipping many rows each take a slot in every row)."""
    depth = _rows(order, requires)
    skipped = (depth[nid] - depth[dep] - 1 for nid in order for dep in dict.fromkeys(requires[nid]))
    return len(order) + sum(skipped)


def layout(order: list[str], requires: dict[str, list[str]], widths: dict[str, float]) -> Layout:
    """Place the nodes *order* lists (each after its requirements), with these box *widths*."""
    depth = _rows(order, requires)
    rows: list[list[str]] = [[] for _ in range(max(depth.values(), default=-1) + 1)]
    slots: dict[str, _Slot] = {}
    for nid in order:
        rows[depth[nid]].append(nid)
        slots[nid] = _Slot(nid, widths[nid])
    chains: list[tuple[str, str, list[str]]] = []  # source, target, the slots the edge goes through
    for nid in order:
        for dep in dict.fromkeys(requires[nid]):
            path = [dep]
            for row in range(depth[dep] + 1, depth[nid]):
                key = f"{dep}\x00{nid}\x00{row}"
                slots[key] = _Slot(key, SLOT_WIDTH, crossing=True)
                rows[row].append(key)
                path.append(key)
            path.append(nid)
            for upper, lower in zip(path, path[1:]):
                slots[upper].down.append(lower)
                slots[lower].up.append(upper)
            chains.append((dep, nid, path))
    _order_rows(rows, slots)
    _place(rows, slots)
    left = min((slots[k].centre - slots[k].width / 2 for row in rows for k in row), default=0.0)
    shift = MARGIN - left
    for slot in slots.values():
        slot.centre += shift
    right = max((slots[k].centre + slots[k].width / 2 for row in rows for k in row), default=0.0)
    boxes = {}
    for row_index, row in enumerate(rows):
        top = MARGIN + row_index * (ROW_HEIGHT + ROW_GAP)
        for key in row:
            if key in widths:
                slot = slots[key]
                boxes[key] = Box(slot.centre - slot.width / 2, top, slot.width)
    edges = [Edge(source, target, _route(path, slots, depth)) for source, target, path in chains]
    _spread_ports(edges, boxes)
    height = 2 * MARGIN + len(rows) * ROW_HEIGHT + max(len(rows) - 1, 0) * ROW_GAP
    return Layout(boxes, edges, right + MARGIN, height)


def _order_rows(rows: list[list[str]], slots: dict[str, _Slot]) -> None:
    """Sort each row by the mean position of its neighbours, sweeping down then up, a few times."""

    def sweep(indices: range, side: str) -> None:
        for r in indices:
            row = rows[r]
            position = {key: i for i, key in enumerate(rows[r - 1] if side == "up" else rows[r + 1])}
            current = {key: i for i, key in enumerate(row)}

            def weight(key: str, position: dict[str, int] = position, current: dict[str, int] = current) -> tuple:
                linked = [position[k] for k in getattr(slots[key], side) if k in position]
                return (sum(linked) / len(linked) if linked else current[key], current[key])

            row.sort(key=weight)

    for _ in range(4):
        sweep(range(1, len(rows)), "up")
        sweep(range(len(rows) - 2, -1, -1), "down")
    sweep(range(1, len(rows)), "up")


def _pack(row: list[str], slots: dict[str, _Slot], wanted: dict[str, float]) -> None:
    """Centres as near *wanted* as the row allows: pushed right, pushed left, then halfway between."""
    pushed_right: list[float] = []
    for i, key in enumerate(row):
        centre = wanted[key]
        if i:
            previous = row[i - 1]
            centre = max(centre, pushed_right[-1] + (slots[previous].width + slots[key].width) / 2 + COLUMN_GAP)
        pushed_right.append(centre)
    pushed_left = [0.0] * len(row)
    for i in range(len(row) - 1, -1, -1):
        key = row[i]
        centre = wanted[key]
        if i < len(row) - 1:
            following = row[i + 1]
            centre = min(centre, pushed_left[i + 1] - (slots[following].width + slots[key].width) / 2 - COLUMN_GAP)
        pushed_left[i] = centre
    for i, key in enumerate(row):
        slots[key].centre = (pushed_right[i] + pushed_left[i]) / 2  # both keep the gaps: so does their mean


def _place(rows: list[list[str]], slots: dict[str, _Slot]) -> None:
    if not rows:
        return
    x = 0.0
    for key in rows[0]:  # the first row side by side
        slots[key].centre = x + slots[key].width / 2
        x += slots[key].width + COLUMN_GAP

    def towards(side: str, indices: range) -> None:
        for r in indices:
            wanted = {}
            for key in rows[r]:
                linked = [slots[k].centre for k in getattr(slots[key], side)]
                wanted[key] = sum(linked) / len(linked) if linked else slots[key].centre
            _pack(rows[r], slots, wanted)

    for r in range(1, len(rows)):  # a start for rows below the first
        x = 0.0
        for key in rows[r]:
            slots[key].centre = x + slots[key].width / 2
            x += slots[key].width + COLUMN_GAP
    towards("up", range(1, len(rows)))
    towards("down", range(len(rows) - 2, -1, -1))
    towards("up", range(1, len(rows)))
    _straighten(rows, slots)


def _straighten(rows: list[list[str]], slots: dict[str, _Slot]) -> None:
    """Move each edge's slot under the slot or node above it, as far as its row's neighbours allow."""
    for row in rows[1:]:
        for i, key in enumerate(row):
            slot = slots[key]
            if not slot.crossing:
                continue
            low, high = float("-inf"), float("inf")
            if i:
                low = slots[row[i - 1]].centre + (slots[row[i - 1]].width + slot.width) / 2 + COLUMN_GAP
            if i < len(row) - 1:
                high = slots[row[i + 1]].centre - (slots[row[i + 1]].width + slot.width) / 2 - COLUMN_GAP
            slot.centre = min(max(slots[slot.up[0]].centre, low), high)


def _route(path: list[str], slots: dict[str, _Slot], depth: dict[str, int]) -> list[tuple[float, float]]:
    """The edge's points: the source's bottom, down each slot it crosses, the target's top."""
    source, target = path[0], path[-1]
    points = [(slots[source].centre, MARGIN + depth[source] * (ROW_HEIGHT + ROW_GAP) + ROW_HEIGHT)]
    for row, key in enumerate(path[1:-1], start=depth[source] + 1):
        top = MARGIN + row * (ROW_HEIGHT + ROW_GAP)
        points += [(slots[key].centre, top), (slots[key].centre, top + ROW_HEIGHT)]
    points.append((slots[target].centre, MARGIN + depth[target] * (ROW_HEIGHT + ROW_GAP)))
    return points


def _spread_ports(edges: list[Edge], boxes: dict[str, Box]) -> None:
    """Edges leave a box's bottom and reach a box's top side by side, in the order they head to."""
    leaving: dict[str, list[Edge]] = {}
    arriving: dict[str, list[Edge]] = {}
    for edge in edges:
        leaving.setdefault(edge.source, []).append(edge)
        arriving.setdefault(edge.target, []).append(edge)
    for nid, group in leaving.items():
        group.sort(key=lambda e: e.points[1][0])
        for edge, x in zip(group, _ports(boxes[nid], len(group))):
            edge.points[0] = (x, edge.points[0][1])
    for nid, group in arriving.items():
        group.sort(key=lambda e: e.points[-2][0])
        for edge, x in zip(group, _ports(boxes[nid], len(group))):
            edge.points[-1] = (x, edge.points[-1][1])


def _ports(box: Box, count: int) -> list[float]:
    """*count* points along the box's middle part (its rounded ends left out), centred."""
    step = min(14.0, box.width * 0.6 / max(count - 1, 1))
    return [box.centre + (i - (count - 1) / 2) * step for i in range(count)]
