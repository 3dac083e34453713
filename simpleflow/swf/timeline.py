"""A timeline picture of an SWF execution, written as SVG text (no plotting library).

One row per task: a pale bar while it waits for a worker (scheduled -> started), a solid bar while it runs
(started -> closed, or to the last event while still open), coloured by the state it ended in.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import IO
from xml.sax.saxutils import escape, quoteattr

from simpleflow.history import attributes
from simpleflow.swf.stats import TIMER, TaskRecord, collect_tasks, epoch

__all__ = ["CATEGORY_COLOURS", "category", "render_svg", "svg_text"]

#: Fill colour of each final-state category, in legend order.
CATEGORY_COLOURS: dict[str, str] = {
    "completed": "#2e7d32",
    "failed": "#c62828",
    "timed out": "#ef6c00",
    "canceled": "#757575",
    "running": "#1565c0",
}

_CATEGORY_OF_STATE = {
    "completed": "completed",
    "fired": "completed",
    "failed": "failed",
    "schedule_failed": "failed",
    "start_failed": "failed",
    "timed_out": "timed out",
    "canceled": "canceled",
    "terminated": "canceled",
}

# Layout, in pixels.
_PLOT_WIDTH = 760
_ROW_HEIGHT = 22
_RUN_HEIGHT = 14
_WAIT_HEIGHT = 6
_CHAR_WIDTH = 7  # rough width of a 12px sans-serif character, to size the label column
_MAX_LABEL = 48  # characters; longer task ids are cut (the full id is in the tooltip)
_TOP = 52
_MARGIN = 12
_WAIT_OPACITY = 0.35

# Tick steps in seconds, smallest first; past the last one, whole multiples of a day.
_STEPS = (0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400)


def category(state: str) -> str:
    """The legend category of a task state: completed, failed, timed out, canceled, or running (still open)."""
    return _CATEGORY_OF_STATE.get(state, "running")


def _tick_step(span: float, max_ticks: int = 10) -> float:
    for step in _STEPS:
        if span / step <= max_ticks:
            return step
    return 86400 * math.ceil(span / 86400 / max_ticks)


def _duration(seconds: float) -> str:
    """A short duration label: 0.5s, 45s, 2m, 1m30s, 3h, 1h15m, 2d, 1d6h."""
    if seconds < 60:
        return f"{round(seconds, 1):g}s"
    whole = round(seconds)
    for unit, size, sub_unit, sub_size, limit in (("m", 60, "s", 1, 3600), ("h", 3600, "m", 60, 86400)):
        if whole < limit:
            count, rest = divmod(whole, size)
            rest //= sub_size
            return f"{count}{unit}{rest}{sub_unit}" if rest else f"{count}{unit}"
    days, rest = divmod(whole, 86400)
    rest //= 3600
    return f"{days}d{rest}h" if rest else f"{days}d"


def _iso(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    return datetime.fromtimestamp(seconds, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def _tooltip(task: TaskRecord) -> str:
    lines = [f"{task.id} ({task.kind}{', ' + task.name if task.name and task.name != task.id else ''})"]
    lines.append(f"state: {task.state}" + (f", attempt {task.attempts}" if task.attempts > 1 else ""))
    if task.kind != TIMER:
        lines.append(f"scheduled: {_iso(task.scheduled)}")
    lines.append(f"started: {_iso(task.started)}")
    lines.append(f"closed: {_iso(task.closed)}")
    if task.reason:
        lines.append(f"reason: {task.reason}")
    return "\n".join(lines)


def _label(task: TaskRecord) -> str:
    text = task.id if task.attempts <= 1 else f"{task.id} \u00d7{task.attempts}"
    return text if len(text) <= _MAX_LABEL else text[: _MAX_LABEL - 1] + "\u2026"


def _rect(x: float, y: float, width: float, height: float, fill: str, css: str, opacity: float = 1.0) -> str:
    extra = f' fill-opacity="{opacity}"' if opacity != 1.0 else ""
    return (
        f'<rect class="{css}" x="{x:.1f}" y="{y:.1f}" width="{max(width, 2.0):.1f}" height="{height}"'
        f' fill="{fill}"{extra}/>'
    )


def _workflow_name(events: list[dict]) -> str:
    for event in events:
        if event["eventType"] == "WorkflowExecutionStarted":
            return attributes(event).get("workflowType", {}).get("name", "")
    return ""


def svg_text(events: Iterable[dict], nb_tasks: int | None = None) -> str:
    """The timeline of a history as an SVG document; ``nb_tasks`` keeps the most recent tasks only."""
    events = list(events)
    if events and events[0]["eventId"] > events[-1]["eventId"]:
        events.reverse()
    tasks = collect_tasks(events)
    if nb_tasks:
        tasks = tasks[-nb_tasks:]
    times = [epoch(e["eventTimestamp"]) for e in events] or [0.0]
    t0, t1 = min(times), max(times)
    span = (t1 - t0) or 1.0

    label_width = _CHAR_WIDTH * max([len(_label(t)) for t in tasks] + [10]) + 2 * _MARGIN
    plot_x = label_width
    width = plot_x + _PLOT_WIDTH + 3 * _MARGIN

    def x(seconds: float) -> float:
        return plot_x + (seconds - t0) / span * _PLOT_WIDTH

    rows_height = max(len(tasks), 1) * _ROW_HEIGHT
    axis_y = _TOP + rows_height
    legend_y = axis_y + 44
    height = legend_y + 52

    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height}"'
        f' viewBox="0 0 {width:.0f} {height}" font-family="sans-serif" font-size="12">',
        f'<rect class="background" x="0" y="0" width="{width:.0f}" height="{height}" fill="#ffffff"/>',
    ]
    name = _workflow_name(events)
    title = f"Timeline of {name}" if name else "Timeline"
    out.append(f'<text class="title" x="{_MARGIN}" y="20" font-size="15" font-weight="bold">{escape(title)}</text>')
    subtitle = f"from {_iso(t0)}, {_duration(t1 - t0)} of history, {len(tasks)} task(s)"
    out.append(f'<text class="subtitle" x="{_MARGIN}" y="38" fill="#555555">{escape(subtitle)}</text>')

    # Zebra stripes, then the grid, so that bars are drawn over both.
    out.append('<g class="stripes">')
    for index in range(0, len(tasks), 2):
        y = _TOP + index * _ROW_HEIGHT
        out.append(
            f'<rect x="{_MARGIN / 2}" y="{y}" width="{width - _MARGIN:.0f}" height="{_ROW_HEIGHT}" fill="#f4f6f8"/>'
        )
    out.append("</g>")

    step = _tick_step(t1 - t0 or 1.0)
    ticks = [i * step for i in range(int(span / step + 1e-9) + 1)]
    out.append('<g class="axis" stroke="#cccccc">')
    for offset in ticks:
        tx = x(t0 + offset)
        out.append(f'<line x1="{tx:.1f}" y1="{_TOP}" x2="{tx:.1f}" y2="{axis_y + 5}" stroke-dasharray="2,3"/>')
    out.append(
        f'<line x1="{plot_x:.1f}" y1="{axis_y}" x2="{plot_x + _PLOT_WIDTH:.1f}" y2="{axis_y}" stroke="#333333"/>'
    )
    out.append("</g>")
    out.append('<g class="tick-labels" text-anchor="middle" fill="#333333">')
    for offset in ticks:
        out.append(f'<text x="{x(t0 + offset):.1f}" y="{axis_y + 18}">{escape(_duration(offset))}</text>')
    out.append("</g>")
    out.append(
        f'<text class="axis-title" x="{plot_x + _PLOT_WIDTH / 2:.1f}" y="{axis_y + 34}" text-anchor="middle"'
        f' fill="#555555">time since the workflow started</text>'
    )

    if not tasks:
        out.append(f'<text class="empty" x="{plot_x + 10:.1f}" y="{_TOP + 15}" fill="#555555">no tasks</text>')
    for index, task in enumerate(tasks):
        colour = CATEGORY_COLOURS[category(task.state)]
        row_y = _TOP + index * _ROW_HEIGHT
        middle = row_y + _ROW_HEIGHT / 2
        end = task.closed if task.closed is not None else t1
        out.append(
            f'<g class="task" data-task-id={quoteattr(task.id)} data-state="{task.state}"'
            f' data-category="{category(task.state)}">'
        )
        out.append(f"<title>{escape(_tooltip(task))}</title>")
        out.append(
            f'<text class="label" x="{plot_x - _MARGIN:.1f}" y="{middle + 4:.1f}" text-anchor="end">'
            f"{escape(_label(task))}</text>"
        )
        if task.scheduled is not None and task.kind != TIMER:
            wait_end = task.started if task.started is not None else end
            out.append(
                _rect(
                    x(task.scheduled),
                    middle - _WAIT_HEIGHT / 2,
                    x(wait_end) - x(task.scheduled),
                    _WAIT_HEIGHT,
                    colour,
                    "waiting",
                    _WAIT_OPACITY,
                )
            )
        if task.started is not None:
            out.append(
                _rect(
                    x(task.started), middle - _RUN_HEIGHT / 2, x(end) - x(task.started), _RUN_HEIGHT, colour, "running"
                )
            )
        elif task.scheduled is None:  # refused by SWF: a mark at the time of the refusal
            out.append(_rect(x(end) - 1, middle - _RUN_HEIGHT / 2, 2.0, _RUN_HEIGHT, colour, "refused"))
        out.append("</g>")

    out.append(f'<g class="legend" transform="translate({_MARGIN},{legend_y})">')
    lx = 0
    for name, colour in CATEGORY_COLOURS.items():
        text = "still running" if name == "running" else name
        out.append(f'<rect x="{lx}" y="0" width="14" height="{_RUN_HEIGHT}" fill="{colour}"/>')
        out.append(f'<text x="{lx + 19}" y="11">{escape(text)}</text>')
        lx += 28 + _CHAR_WIDTH * len(text)
    grey = CATEGORY_COLOURS["canceled"]
    line2 = _RUN_HEIGHT + 8
    out.append(
        f'<rect x="0" y="{line2 + (_RUN_HEIGHT - _WAIT_HEIGHT) / 2}" width="24" height="{_WAIT_HEIGHT}"'
        f' fill="{grey}" fill-opacity="{_WAIT_OPACITY}"/>'
    )
    out.append(f'<text x="30" y="{line2 + 11}">waiting (scheduled \u2192 started)</text>')
    lx = 30 + _CHAR_WIDTH * 29 + 16
    out.append(f'<rect x="{lx}" y="{line2}" width="24" height="{_RUN_HEIGHT}" fill="{grey}"/>')
    out.append(f'<text x="{lx + 30}" y="{line2 + 11}">running (started \u2192 closed)</text>')
    out.append("</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"


def render_svg(
    events: Iterable[dict], path_or_file: str | os.PathLike[str] | IO[str], nb_tasks: int | None = None
) -> None:
    """Write the timeline of a history as SVG to a path or an open text file.

    Args:
        events: the execution's history events, as boto3 returns them (float or datetime timestamps).
        path_or_file: where to write: a file path, or a text stream with ``write``.
        nb_tasks: show only the most recent tasks (by first appearance); all of them when None.
    """
    text = svg_text(events, nb_tasks)
    if hasattr(path_or_file, "write"):
        path_or_file.write(text)
        return
    with open(path_or_file, "w", encoding="utf-8") as stream:
        stream.write(text)
