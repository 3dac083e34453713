"""A spec's graph as DOT text or as an SVG picture (written here: no graphviz needed).

Given an execution's history, nodes are coloured by the state of their tasks:
pending (not started), running, completed, failed.
"""

from __future__ import annotations

from html import escape
from typing import Any

from simpleflow.dag import _layout
from simpleflow.dag._ids import swf_id
from simpleflow.dag._spec import Spec
from simpleflow.exceptions import UsageError

COLOURS = {"pending": "#e5e5e5", "running": "#9ecae1", "completed": "#a1d99b", "failed": "#fc9272"}
_SWATCH = 12
_BORDER = {"pending": "#9a9a9a", "running": "#3182bd", "completed": "#31a354", "failed": "#de2d26"}


def _label(node: dict[str, Any]) -> str:
    if node["kind"] == "timer":
        return f"timer {node['seconds']}s"
    target = node[node["kind"]].rpartition(".")[2]
    if node.get("foreach") is not None:
        limit = f", {node['max_parallel']} at once" if node.get("max_parallel") else ""
        return f"{target} for each{limit}"
    return target if node["kind"] == "activity" else f"workflow {target}"


def _task_states(events: list[dict[str, Any]]) -> dict[str, str]:
    """The last state of every activity, timer and child workflow id of a history."""
    states: dict[str, str] = {}
    by_event: dict[int, str] = {}
    for event in events:
        etype = event["eventType"]
        attrs = next((v for k, v in event.items() if k.endswith("EventAttributes")), {})
        if etype == "ActivityTaskScheduled":
            task_id = f"{attrs['activityType']['name']}\x00{attrs['activityId']}"
            by_event[event["eventId"]] = task_id
            states[task_id] = "running"
        elif etype.startswith("ActivityTask") and "scheduledEventId" in attrs:
            task_id = by_event.get(attrs["scheduledEventId"])
            if task_id:
                states[task_id] = _state_of(etype)
        elif etype == "TimerStarted":
            states[f"timer\x00{attrs['timerId']}"] = "running"
        elif etype == "TimerFired":
            states[f"timer\x00{attrs['timerId']}"] = "completed"
        elif etype == "StartChildWorkflowExecutionInitiated":
            states[f"child\x00{attrs['workflowId']}"] = "running"
        elif etype.startswith("ChildWorkflowExecution") and "workflowExecution" in attrs:
            states[f"child\x00{attrs['workflowExecution']['workflowId']}"] = _state_of(etype)
        elif etype == "StartChildWorkflowExecutionFailed":
            states[f"child\x00{attrs['workflowId']}"] = "failed"
    return states


def _state_of(event_type: str) -> str:
    if event_type.endswith("Completed"):
        return "completed"
    if event_type.endswith(("Failed", "TimedOut", "Canceled", "Terminated")):
        return "failed"
    return "running"


def node_states(spec: Spec, events: list[dict[str, Any]]) -> dict[str, str]:
    """Each node's state in the execution whose history is *events*."""
    tasks = _task_states(events)
    out = {}
    for nid, node in spec.nodes.items():
        if node["kind"] == "timer":
            found = [tasks[k] for k in tasks if k == f"timer\x00{swf_id(nid)}"]
        elif node["kind"] == "activity":
            key = swf_id(nid)
            found = [
                state
                for task_id, state in tasks.items()
                if not task_id.startswith(("timer\x00", "child\x00"))
                and (
                    task_id.endswith(f"-{key}")
                    or (node.get("foreach") is not None and task_id.rpartition("-")[0].endswith(f"-{key}"))
                )
            ]
        else:
            key = swf_id(nid)
            found = [
                state
                for task_id, state in tasks.items()
                if task_id.startswith("child\x00")
                and (task_id.endswith(f"--{key}") or task_id.rpartition("-")[0].endswith(f"--{key}"))
            ]
        if not found:
            out[nid] = "pending"
        elif "failed" in found:
            out[nid] = "failed"
        elif all(s == "completed" for s in found):
            out[nid] = "completed"
        else:
            out[nid] = "running"
    return out


def check_ran(spec: Spec, source: str, workflow_id: str, events: list[dict[str, Any]]) -> None:
    """UsageError unless *events* are a run of *spec*'s workflow type (its name and version, the type
    dag.start and standalone start it as): another execution's states over this graph would mislead."""
    started = next((e for e in events if e["eventType"] == "WorkflowExecutionStarted"), {})
    ran = started.get("workflowExecutionStartedEventAttributes", {}).get("workflowType", {})
    ran_type, spec_type = (ran.get("name"), ran.get("version")), (spec.name, spec.data["version"])
    if ran_type != spec_type:
        raise UsageError(
            f"execution {workflow_id!r} ran workflow type {' '.join(map(str, ran_type))}, not the type of "
            f"{source} ({' '.join(spec_type)}): its states would colour another workflow's graph"
        )


def _dot_id(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(spec: Spec, states: dict[str, str] | None = None) -> str:
    """The graph in graphviz's DOT language."""
    lines = [f"digraph {_dot_id(spec.name)} {{", "  rankdir=TB;", '  node [shape=box, style="rounded,filled"];']
    for nid in spec.order:
        node = spec.nodes[nid]
        state = (states or {}).get(nid, "pending")
        shape = ", shape=ellipse" if node["kind"] == "timer" else ""
        label = f"{nid}\\n{_label(node)}".replace('"', '\\"')
        lines.append(f'  {_dot_id(nid)} [label="{label}", fillcolor="{COLOURS[state]}"{shape}];')
    for nid in spec.order:
        for dep in spec.nodes[nid]["requires"]:
            lines.append(f"  {_dot_id(dep)} -> {_dot_id(nid)};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _legend(width: float) -> tuple[list[tuple[str, float, int]], float]:
    """Each state's swatch (state, x, row) in rows that fit *width*, and the width the widest row needs."""
    placed: list[tuple[str, float, int]] = []
    x, row, widest = float(_layout.MARGIN), 0, 0.0
    for state in COLOURS:
        item = _SWATCH + 5 + _layout.text_width(state, 11)
        if x > _layout.MARGIN and x + item > width - _layout.MARGIN:
            x, row = float(_layout.MARGIN), row + 1
        placed.append((state, x, row))
        widest = max(widest, x + item + _layout.MARGIN)
        x += item + 16
    return placed, widest


def drawing_size(spec: Spec) -> int:
    """What ``to_svg``'s work grows with: its slots (``_layout.slot_count``), more than its nodes and edges."""
    return _layout.slot_count(spec.order, {nid: spec.nodes[nid]["requires"] for nid in spec.order})


def to_svg(spec: Spec, states: dict[str, str] | None = None) -> str:
    """The graph as an SVG picture: one row per depth, edges downwards, nodes coloured by state."""
    nodes = spec.nodes
    widths = {
        nid: max(_layout.text_width(nid, 13, bold=True), _layout.text_width(_label(nodes[nid]), 11)) + 28
        for nid in spec.order
    }
    placed = _layout.layout(spec.order, {nid: nodes[nid]["requires"] for nid in spec.order}, widths)
    legend, legend_width = _legend(placed.width)
    if legend_width > placed.width:  # a narrow graph: the picture widens to a legend of one swatch a row at most
        legend, legend_width = _legend(
            max(placed.width, max(_SWATCH + 5 + _layout.text_width(s, 11) for s in COLOURS) + 2 * _layout.MARGIN)
        )
    width = max(placed.width, legend_width)
    offset = (width - placed.width) / 2  # the graph centred over a wider legend
    legend_rows = 1 + max(row for _, _, row in legend)
    height = placed.height + legend_rows * 18
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="Helvetica, Arial, sans-serif">',
        f"<title>{escape(spec.name)}</title>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker></defs>',
        f'<rect width="{width:.0f}" height="{height:.0f}" fill="white"/>',
    ]
    for edge in placed.edges:
        points = " ".join(f"{x + offset:.1f},{y:.1f}" for x, y in edge.points)
        out.append(
            f'<polyline class="edge" data-from="{escape(edge.source)}" data-to="{escape(edge.target)}" '
            f'points="{points}" fill="none" stroke="#555" stroke-width="1.3" stroke-linejoin="round" '
            'marker-end="url(#arrow)"/>'
        )
    for nid in spec.order:
        box = placed.boxes[nid]
        x, y, w, h = box.x + offset, box.y, box.width, _layout.ROW_HEIGHT
        node = nodes[nid]
        state = (states or {}).get(nid, "pending")
        radius = h / 2 if node["kind"] == "timer" else 8
        out.append(
            f'<g class="node" id="node-{escape(nid)}" data-state="{state}">'
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h}" rx="{radius}" '
            f'fill="{COLOURS[state]}" stroke="{_BORDER[state]}" stroke-width="1.5"/>'
            f'<text x="{x + w / 2:.1f}" y="{y + 17:.1f}" text-anchor="middle" font-size="13" '
            f'font-weight="bold">{escape(nid)}</text>'
            f'<text x="{x + w / 2:.1f}" y="{y + 33:.1f}" text-anchor="middle" font-size="11" '
            f'fill="#333">{escape(_label(node))}</text></g>'
        )
    top = placed.height
    for state, x, row in legend:
        y = top + row * 18
        out.append(
            f'<g class="legend"><rect x="{x:.1f}" y="{y:.1f}" width="{_SWATCH}" height="{_SWATCH}" rx="2" '
            f'fill="{COLOURS[state]}" stroke="{_BORDER[state]}"/>'
            f'<text x="{x + _SWATCH + 5:.1f}" y="{y + 10:.1f}" font-size="11" fill="#333">{state}</text></g>'
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"
