"""``dag.show --svg`` pictures, read back as geometry: what a user sees fits, and edges never hide behind nodes."""

from __future__ import annotations

import random
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from simpleflow import dag
from simpleflow.dag import _graph

ROOT = Path(__file__).resolve().parent.parent.parent
NS = {"svg": "http://www.w3.org/2000/svg"}


def _boxes(root) -> dict[str, tuple[float, float, float, float]]:
    boxes = {}
    for group in root.iterfind(".//svg:g[@class='node']", NS):
        rect = group.find("svg:rect", NS)
        x, y = float(rect.get("x")), float(rect.get("y"))
        boxes[group.get("id").removeprefix("node-")] = (
            x,
            y,
            x + float(rect.get("width")),
            y + float(rect.get("height")),
        )
    return boxes


def _edges(root) -> list[list[tuple[float, float]]]:
    """Every edge's points, drawn as a line or a polyline."""
    edges = []
    for line in root.iterfind(".//svg:line", NS):
        edges.append([(float(line.get("x1")), float(line.get("y1"))), (float(line.get("x2")), float(line.get("y2")))])
    for polyline in root.iterfind(".//svg:polyline", NS):
        edges.append([tuple(float(v) for v in pair.split(",")) for pair in polyline.get("points").split()])
    return edges


def _touching(point: tuple[float, float], boxes: dict, side: int) -> str:
    """The node whose top (side 1) or bottom (side 3) the point lies on."""
    x, y = point
    found = [nid for nid, box in boxes.items() if box[0] - 1 <= x <= box[2] + 1 and abs(y - box[side]) <= 1]
    assert len(found) == 1, f"{point} ends on {found or 'no node'}"
    return found[0]


def _crosses(a: tuple[float, float], b: tuple[float, float], box: tuple[float, float, float, float]) -> bool:
    """Whether segment a-b passes through the inside of *box* (Liang-Barsky clipping, 1 px kept off the border)."""
    left, top, right, bottom = box[0] + 1, box[1] + 1, box[2] - 1, box[3] - 1
    dx, dy = b[0] - a[0], b[1] - a[1]
    low, high = 0.0, 1.0
    for p, q in ((-dx, a[0] - left), (dx, right - a[0]), (-dy, a[1] - top), (dy, bottom - a[1])):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            low = max(low, t)
        else:
            high = min(high, t)
        if low > high:
            return False
    return True


def _check_picture(svg: str, spec) -> None:
    root = ET.fromstring(svg)
    width, height = float(root.get("width")), float(root.get("height"))
    boxes = _boxes(root)
    assert set(boxes) == set(spec.nodes)
    for nid, (left, top, right, bottom) in boxes.items():
        assert 0 <= left and right <= width and 0 <= top and bottom <= height, f"{nid} is outside the picture"
    for one in boxes:
        for other in boxes:
            if one < other:
                a, b = boxes[one], boxes[other]
                assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], f"{one} and {other} overlap"
    drawn = set()
    for points in _edges(root):
        source, target = _touching(points[0], boxes, 3), _touching(points[-1], boxes, 1)
        drawn.add((source, target))
        for a, b in zip(points, points[1:]):
            for nid, box in boxes.items():
                if nid not in (source, target):
                    assert not _crosses(a, b, box), f"edge {source}->{target} passes behind {nid}"
    assert drawn == {(dep, nid) for nid, node in spec.nodes.items() for dep in node["requires"]}
    lowest = max(box[3] for box in boxes.values())
    texts = root.findall(".//svg:g[@class='legend']/svg:text", NS) or [
        t for t in root.iterfind(".//svg:text", NS) if t.text in _graph.COLOURS
    ]
    assert sorted(t.text for t in texts) == sorted(_graph.COLOURS)
    for text in texts:
        x, y, size = float(text.get("x")), float(text.get("y")), float(text.get("font-size"))
        # 0.6 em a character: more than Helvetica's or Arial's lowercase letters take
        assert x + 0.6 * size * len(text.text) <= width, f"legend {text.text!r} is cut at {width:.0f} px"
        assert lowest < y - size <= y <= height


def test_the_diamond_example_is_drawn_with_its_legend_whole_and_no_edge_behind_a_node():
    spec = dag.load(str(ROOT / "examples" / "dag" / "diamond.yaml"))  # b->d and c->d skip the row of pause
    _check_picture(_graph.to_svg(spec), spec)


def test_the_readmes_picture_is_the_diamond_example_as_drawn_now():
    spec = dag.load(str(ROOT / "examples" / "dag" / "diamond.yaml"))
    assert (ROOT / "docs" / "dag-diamond.svg").read_text() == _graph.to_svg(spec)


@pytest.mark.parametrize("seed", range(12))
def test_a_random_graph_keeps_every_edge_off_the_nodes_it_does_not_connect(seed):
    rng = random.Random(seed)
    nodes: dict[str, dict] = {}
    for i in range(rng.randint(2, 24)):
        deps = rng.sample(list(nodes), k=min(len(nodes), rng.choice((0, 1, 1, 2, 3, 4))))
        name = rng.choice(("m.load", "m.transform_everything", "m.x", "pkg.WideWorkload"))
        nodes[f"{rng.choice(('n', 'step', 'MMM'))}{i}"] = {"activity": name, "requires": deps}
    spec = dag.parse({"name": f"random-{seed}", "nodes": nodes})
    states = {nid: rng.choice(list(_graph.COLOURS)) for nid in spec.order}
    _check_picture(_graph.to_svg(spec, states), spec)


def test_a_single_node_picture_widens_for_its_legend():
    spec = dag.parse({"name": "one", "nodes": {"x": {"activity": "m.f"}}})
    _check_picture(_graph.to_svg(spec), spec)
