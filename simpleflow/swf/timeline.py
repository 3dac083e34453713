"""A timeline picture of an SWF execution, written as SVG text (no plotting library).

One row per task: for each attempt, a pale bar while it waits for a worker (scheduled -> started) and a
solid bar while it runs (started -> closed, or to the last event while still open), coloured by the state
that attempt ended in; between attempts, the wait of a retry policy (its timer) as a dashed outline on the
task's own row. A timer of the workflow's is a blue-grey bar (started -> fired): waiting is not work done.
Long ids are cut in the middle and their hex hashes (md5 suffixes) shortened; the tooltip has them whole.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from typing import IO
from xml.sax.saxutils import escape, quoteattr

from simpleflow.engine import policy_timer_id
from simpleflow.history import attributes
from simpleflow.swf.stats import TIMER, TaskRecord, collect_tasks, epoch

__all__ = ["CATEGORY_COLOURS", "category", "render_svg", "svg_text", "tasks_svg"]

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

TIMER_COLOUR = "#78909c"  # a timer's wait: neither work done nor a state
RETRY_WAIT_COLOUR = "#616161"

# Layout, in pixels.
_PLOT_WIDTH = 760
_ROW_HEIGHT = 22
_RUN_HEIGHT = 14
_WAIT_HEIGHT = 6
_CHAR_WIDTH = 7  # rough width of a 12px sans-serif character, to size the label column
_MAX_LABEL = 60  # characters; longer task ids are cut in the middle (the full id is in the tooltip)
_TAIL = 16  # characters kept at the end of a cut label: the counter or suffix that tells rows apart
_HEX_RUN = re.compile(r"[0-9a-f]{12,}")  # an md5 or run id in a task id: its first 6 characters say enough
_TOP = 52
_MARGIN = 12
_WAIT_OPACITY = 0.35

# The second line of the legend: what each kind of bar means.
_BAR_KEYS = (
    "waiting (scheduled \u2192 started)",
    "running (started \u2192 closed)",
    "timer (started \u2192 fired)",
    "waiting to retry (retry policy)",
)
_LEGEND_WIDTH = sum(30 + _CHAR_WIDTH * len(text) + 16 for text in _BAR_KEYS)

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
    text = _HEX_RUN.sub(lambda match: match.group()[:6] + "\u2026", task.id)
    if len(text) > _MAX_LABEL:
        text = text[: _MAX_LABEL - 1 - _TAIL] + "\u2026" + text[-_TAIL:]
    return text if task.attempts <= 1 else f"{text} \u00d7{task.attempts}"


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
    times = [epoch(e["eventTimestamp"]) for e in events] or [0.0]
    return tasks_svg(collect_tasks(events), (min(times), max(times)), _workflow_name(events), nb_tasks)


def tasks_svg(all_tasks: list[TaskRecord], bounds: tuple[float, float], name: str, nb_tasks: int | None = None) -> str:
    """The timeline of a history's task records (``collect_tasks``) as an SVG document: *bounds* are its first and
    last event times, *name* its workflow type's (``svg_text`` of the history, for one that holds them already)."""
    tasks, retry_waits = _rows(all_tasks)
    if nb_tasks:
        tasks = tasks[-nb_tasks:]
    t0, t1 = bounds
    span = (t1 - t0) or 1.0

    label_width = _CHAR_WIDTH * max([len(_label(t)) for t in tasks] + [10]) + 2 * _MARGIN
    plot_x = label_width
    width = max(plot_x + _PLOT_WIDTH + 3 * _MARGIN, _LEGEND_WIDTH + 2 * _MARGIN)  # a short label: the legend's

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
        row_y = _TOP + index * _ROW_HEIGHT
        middle = row_y + _ROW_HEIGHT / 2
        out.append(
            f'<g class="task" data-task-id={quoteattr(task.id)} data-state="{task.state}"'
            f' data-category="{category(task.state)}">'
        )
        out.append(f"<title>{escape(_tooltip(task))}</title>")
        out.append(
            f'<text class="label" x="{plot_x - _MARGIN:.1f}" y="{middle + 4:.1f}" text-anchor="end">'
            f"{escape(_label(task))}</text>"
        )
        for start, stop in retry_waits.get(task.id, ()):
            out.append(
                f'<rect class="retry-wait" x="{x(start):.1f}" y="{middle - _WAIT_HEIGHT / 2:.1f}"'
                f' width="{max(x(stop if stop is not None else t1) - x(start), 2.0):.1f}" height="{_WAIT_HEIGHT}"'
                f' fill="none" stroke="{RETRY_WAIT_COLOUR}" stroke-dasharray="3,2"/>'
            )
        for scheduled, started, closed, state in task.tries or [
            (task.scheduled, task.started, task.closed, task.state)
        ]:
            out.extend(_attempt_bars(task.kind, scheduled, started, closed, state, x, t1, middle))
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
    thin_y = line2 + (_RUN_HEIGHT - _WAIT_HEIGHT) / 2
    swatches = (
        f'height="{_WAIT_HEIGHT}" y="{thin_y}" fill="{grey}" fill-opacity="{_WAIT_OPACITY}"',
        f'height="{_RUN_HEIGHT}" y="{line2}" fill="{grey}"',
        f'height="{_RUN_HEIGHT}" y="{line2}" fill="{TIMER_COLOUR}"',
        f'height="{_WAIT_HEIGHT}" y="{thin_y}" fill="none" stroke="{RETRY_WAIT_COLOUR}" stroke-dasharray="3,2"',
    )
    lx = 0
    for attrs, text in zip(swatches, _BAR_KEYS):
        out.append(f'<rect x="{lx}" width="24" {attrs}/>')
        out.append(f'<text x="{lx + 30}" y="{line2 + 11}">{escape(text)}</text>')
        lx += 30 + _CHAR_WIDTH * len(text) + 16
    out.append("</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _rows(tasks: list[TaskRecord]) -> tuple[list[TaskRecord], dict[str, list[tuple[float, float | None]]]]:
    """The rows to draw, and the retry-policy waits of each task (start, end) drawn on its own row.

    A retry policy's timer is named after its task and attempt (``policy_timer_id``, an md5 for a long id).
    """
    owner = {policy_timer_id(t.id, n): t.id for t in tasks if t.kind != TIMER for n in range(2, t.attempts + 2)}
    waits: dict[str, list[tuple[float, float | None]]] = {}
    rows = []
    for task in tasks:
        if task.kind == TIMER and task.id in owner and task.started is not None:
            waits.setdefault(owner[task.id], []).append((task.started, task.closed))
        else:
            rows.append(task)
    return rows, waits


def _attempt_bars(
    kind: str,
    scheduled: float | None,
    started: float | None,
    closed: float | None,
    state: str,
    x: Callable[[float], float],
    last: float,
    middle: float,
) -> list[str]:
    """The bars of one attempt of a task."""
    colour = CATEGORY_COLOURS[category(state)]
    end = closed if closed is not None else last
    top = middle - _RUN_HEIGHT / 2
    if kind == TIMER:
        fill = colour if category(state) == "canceled" else TIMER_COLOUR
        return [_rect(x(started), top, x(end) - x(started), _RUN_HEIGHT, fill, "timer")] if started is not None else []
    bars = []
    if scheduled is not None:
        wait_end = started if started is not None else end
        bars.append(
            _rect(
                x(scheduled),
                middle - _WAIT_HEIGHT / 2,
                x(wait_end) - x(scheduled),
                _WAIT_HEIGHT,
                colour,
                "waiting",
                _WAIT_OPACITY,
            )
        )
    if started is not None:
        bars.append(_rect(x(started), top, x(end) - x(started), _RUN_HEIGHT, colour, "running"))
    elif scheduled is None:  # refused by SWF: a mark at the time of the refusal
        bars.append(_rect(x(end) - 1, top, 2.0, _RUN_HEIGHT, colour, "refused"))
    return bars


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
