#!/usr/bin/env python3
"""Draw a trace written by ``simpleflow workflow.trace --output FILE`` (OTLP/JSON) as an SVG timeline.

    python3 script/trace_svg.py trace.json picture.svg

One row per span, children under their parent, bars on one time axis; span events (timers, signals) as
ticks; failed spans in red. Used for the picture in docs/observability.md.
"""

from __future__ import annotations

import json
import sys
from html import escape

ROW, LABEL, WIDTH, PAD = 24, 230, 640, 12
COLOURS = {"workflow": "#4c72b0", "decision_task": "#8c8c8c", "activity": "#55a868", "child_workflow": "#8172b2"}


def _spans(request: dict) -> list[dict]:
    return [s for r in request["resourceSpans"] for scope in r["scopeSpans"] for s in scope["spans"]]


def _ordered(spans: list[dict]) -> list[tuple[int, dict]]:
    """(depth, span), each span's children after it, in start order."""
    by_parent: dict[str, list[dict]] = {}
    ids = {s["spanId"] for s in spans}
    for span in spans:
        parent = span.get("parentSpanId") if span.get("parentSpanId") in ids else ""
        by_parent.setdefault(parent, []).append(span)
    out: list[tuple[int, dict]] = []

    def walk(parent: str, depth: int) -> None:
        for span in sorted(by_parent.get(parent, []), key=lambda s: int(s["startTimeUnixNano"])):
            out.append((depth, span))
            walk(span["spanId"], depth + 1)

    walk("", 0)
    return out


def svg(request: dict) -> str:
    rows = _ordered(_spans(request))
    start = min(int(s["startTimeUnixNano"]) for _, s in rows)
    end = max(int(s["endTimeUnixNano"]) for _, s in rows)
    scale = WIDTH / max(end - start, 1)
    height = PAD * 2 + ROW * (len(rows) + 1)
    total = LABEL + WIDTH + PAD * 5
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="{height}" font-family="sans-serif" '
        'font-size="12">',
        f'<rect width="{total}" height="{height}" fill="#ffffff"/>',
    ]
    seconds = (end - start) / 1e9
    for i in range(5):  # the time axis
        x = LABEL + PAD + WIDTH * i / 4
        parts.append(f'<line x1="{x:.1f}" y1="{PAD}" x2="{x:.1f}" y2="{height - PAD}" stroke="#e4e4e4"/>')
        parts.append(
            f'<text x="{x:.1f}" y="{height - 2}" fill="#666" text-anchor="middle">{seconds * i / 4:.2f} s</text>'
        )
    for row, (depth, span) in enumerate(rows):
        y = PAD + row * ROW
        kind = span["name"].split(" ")[0]
        failed = span.get("status", {}).get("code") == 2
        colour = "#c44e52" if failed else COLOURS.get(kind, "#999999")
        x0 = LABEL + PAD + (int(span["startTimeUnixNano"]) - start) * scale
        width = max((int(span["endTimeUnixNano"]) - int(span["startTimeUnixNano"])) * scale, 2)
        label = span["name"].replace("tests.telemetry.", "").replace("tests.fixtures.telemetry_workflows.", "")
        attrs = {a["key"]: next(iter(a["value"].values())) for a in span.get("attributes", [])}
        if "simpleflow.activity.attempt" in attrs:
            label += f" #{attrs['simpleflow.activity.attempt']}"
        parts.append(f'<text x="{PAD + depth * 14}" y="{y + 16}" fill="#222">{escape(label)}</text>')
        parts.append(f'<rect x="{x0:.1f}" y="{y + 5}" width="{width:.1f}" height="{ROW - 10}" rx="3" fill="{colour}"/>')
        for event in span.get("events", []):
            ex = LABEL + PAD + (int(event["timeUnixNano"]) - start) * scale
            tip = f"<title>{escape(event['name'])}</title>"
            parts.append(f'<path d="M{ex:.1f} {y + 2} l4 5 l-4 5 l-4 -5 z" fill="#dd8452">{tip}</path>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: trace_svg.py TRACE.json OUT.svg")
    with open(sys.argv[1]) as source:
        picture = svg(json.loads(source.readline()))
    with open(sys.argv[2], "w") as out:
        out.write(picture)
