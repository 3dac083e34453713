"""What a page of a big execution shows of its lists: windows, and the pages a "more" button brings.

An execution of 24,000 events and 4,000 tasks would be a page of tens of megabytes that a browser takes
seconds to lay out. The page shows the first ``HEAD`` and the latest ``TAIL`` rows of its task and history
tables, and the timeline of its latest ``TIMELINE_TAIL`` tasks; a "more" button in the gap asks
``/execution/more`` for the ``PAGE`` rows (``TIMELINE_PAGE`` tasks) just before those shown after it.
Rows are rendered by the page's own macros (escaped as any page's).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from markupsafe import Markup

from simpleflow.ui.view import ExecutionView

__all__ = ["HEAD", "KINDS", "PAGE", "TAIL", "TIMELINE_PAGE", "TIMELINE_TAIL", "gap", "more", "timeline_from"]

HEAD = 20  # the first rows of a table, always shown
TAIL = 300  # its latest rows shown
PAGE = 500  # rows a "more" brings
TIMELINE_TAIL = 200  # tasks drawn in the timeline: the latest
TIMELINE_PAGE = 200  # tasks a "more" of the timeline draws
KINDS = ("events", "tasks", "timeline")


def gap(count: int) -> tuple[int, int]:
    """The rows not shown of a table of *count*: ``[start, stop)``, empty when it shows them all."""
    start = min(HEAD, count)
    return start, max(start, count - TAIL)


def timeline_from(count: int) -> int:
    """The first of *count* tasks the page's timeline draws."""
    return max(0, count - TIMELINE_TAIL)


def _page(items: Sequence[Any], before: int, first: int, last: int, size: int) -> tuple[Sequence[Any], int]:
    """The *size* items before *before* (kept within ``[first, last]``), and the first one's place."""
    before = max(first, min(before, last))
    start = max(first, before - size)
    return items[start:before], start


def more(macros: Any, view: ExecutionView, kind: str, before: int) -> dict[str, Any]:
    """The page of *kind* ("events", "tasks", "timeline") just before the row *before* (an index, from 0):
    ``html`` (rows, or a picture), ``before`` (the first row it holds: the next page's *before*) and
    ``hidden`` (the rows still not shown before it)."""
    if kind == "timeline":
        tasks, start = _page(view.tasks, before, 0, timeline_from(len(view.tasks)), TIMELINE_PAGE)
        html = Markup(view.draw_page(list(tasks))) if tasks else ""  # escaped by swf.timeline
        return {"html": str(html), "before": start, "hidden": start}
    items = view.events if kind == "events" else view.tasks
    first, stop = gap(len(items))
    rows, start = _page(items, before, first, stop, PAGE)
    render = macros.event_row if kind == "events" else macros.task_row
    return {"html": "".join(str(render(row)) for row in rows), "before": start, "hidden": start - first}
