"""A spec's graph as DOT text or as an SVG picture (written here: no graphviz needed).

Given an execution's history, nodes are coloured by the state of their tasks:
pending (not started), running, completed, failed.
"""

from __future__ import annotations

from html import escape
from typing import Any

from simpleflow.dag._spec import Spec
from simpleflow.dag._workflow import swf_id

COLOURS = {"pending": "#e5e5e5", "running": "#9ecae1", "completed": "#a1d99b", "failed": "#fc9272"}
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


def _layers(spec: Spec) -> list[list[str]]:
    depth: dict[str, int] = {}
    for nid in spec.order:
        requires = spec.nodes[nid]["requires"]
        depth[nid] = 1 + max((depth[d] for d in requires), default=-1)
    layers: list[list[str]] = [[] for _ in range(max(depth.values(), default=-1) + 1)]
    for nid in spec.order:
        layers[depth[nid]].append(nid)
    return layers


def to_svg(spec: Spec, states: dict[str, str] | None = None) -> str:
    """The graph as an SVG picture: one row per depth, edges downwards, nodes coloured by state."""
    char, pad, height, row_gap, col_gap, margin = 7.2, 14, 42, 46, 24, 20
    layers = _layers(spec)
    width_of = {nid: max(len(nid), len(_label(spec.nodes[nid]))) * char + 2 * pad for layer in layers for nid in layer}
    row_widths = [sum(width_of[n] for n in layer) + col_gap * (len(layer) - 1) for layer in layers]
    total_width = max(row_widths, default=0) + 2 * margin
    legend_height = 30
    total_height = len(layers) * height + (len(layers) - 1) * row_gap + 2 * margin + legend_height
    boxes: dict[str, tuple[float, float, float]] = {}  # x, y, width
    for row, layer in enumerate(layers):
        x = margin + (total_width - 2 * margin - row_widths[row]) / 2
        y = margin + row * (height + row_gap)
        for nid in layer:
            boxes[nid] = (x, y, width_of[nid])
            x += width_of[nid] + col_gap
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total_width:.0f}" height="{total_height:.0f}" '
        f'viewBox="0 0 {total_width:.0f} {total_height:.0f}" font-family="Helvetica, Arial, sans-serif">',
        f"<title>{escape(spec.name)}</title>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker></defs>',
        f'<rect width="{total_width:.0f}" height="{total_height:.0f}" fill="white"/>',
    ]
    for nid in spec.order:
        x, y, w = boxes[nid]
        for dep in spec.nodes[nid]["requires"]:
            dx, dy, dw = boxes[dep]
            out.append(
                f'<line x1="{dx + dw / 2:.1f}" y1="{dy + height:.1f}" x2="{x + w / 2:.1f}" y2="{y:.1f}" '
                'stroke="#555" stroke-width="1.3" marker-end="url(#arrow)"/>'
            )
    for nid in spec.order:
        x, y, w = boxes[nid]
        node = spec.nodes[nid]
        state = (states or {}).get(nid, "pending")
        radius = height / 2 if node["kind"] == "timer" else 8
        out.append(
            f'<g class="node" id="node-{escape(nid)}" data-state="{state}">'
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{height}" rx="{radius}" '
            f'fill="{COLOURS[state]}" stroke="{_BORDER[state]}" stroke-width="1.5"/>'
            f'<text x="{x + w / 2:.1f}" y="{y + 17:.1f}" text-anchor="middle" font-size="13" '
            f'font-weight="bold">{escape(nid)}</text>'
            f'<text x="{x + w / 2:.1f}" y="{y + 33:.1f}" text-anchor="middle" font-size="11" '
            f'fill="#333">{escape(_label(node))}</text></g>'
        )
    x = margin
    y = total_height - margin - 12
    for state, colour in COLOURS.items():
        out.append(
            f'<rect x="{x}" y="{y}" width="12" height="12" rx="2" fill="{colour}" stroke="{_BORDER[state]}"/>'
            f'<text x="{x + 17}" y="{y + 10}" font-size="11" fill="#333">{state}</text>'
        )
        x += 17 + len(state) * 6.5 + 16
    out.append("</svg>")
    return "\n".join(out) + "\n"
