"""An open execution's page kept current in place: every few seconds it asks what changed since the last
event it shows, and gets only that (the new events' rows, the task rows they changed, and the parts of the
page whose text changed), not the whole page again: a reload's bytes follow the new events, not the history.

A part is a piece of the page a new event may change (the status, the summary, the waiting list...), named
by its ``data-part`` attribute; the page carries each one's digest, and the update sends a part only when
its digest differs from the one the page sent.
"""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from simpleflow.swf.stats import CHILD_WORKFLOW
from simpleflow.ui.view import ExecutionView, child_link

__all__ = ["Part", "changes", "parts_of", "read_digests"]


@dataclass(frozen=True, slots=True)
class Part:
    """A part of the page: its markup (escaped as any page's) and the digest the page keeps of it."""

    html: Markup
    digest: str


def _part(html: str) -> Part:
    return Part(Markup(html), hashlib.sha256(html.encode()).hexdigest()[:16])


def parts_of(macros: Any, view: ExecutionView, domain: str, names: Iterable[str] | None = None) -> dict[str, Part]:
    """The execution page's parts (``parts.html``'s macros for *view*), by name: all, or those of *names*.

    The DAG and the timeline are rendered again only when what they show is another object (an open run's
    views share their ``parts_memo``): few events change them, and they can be long.
    """
    makers: dict[str, Callable[[], tuple[tuple[Any, ...] | None, Callable[[], Any]]]] = {
        "status": lambda: (None, lambda: macros.status_part(view)),
        "summary": lambda: (None, lambda: macros.summary_part(view, domain)),
        "workflow-status": lambda: (None, lambda: macros.workflow_status_part(view)),
        "waiting": lambda: (None, lambda: macros.waiting_part(view, domain) if view.is_open else ""),
        "children-count": lambda: (None, lambda: escape(len(view.children))),
        "dag": lambda: ((view.dag_svg, view.dag_note), lambda: macros.dag_part(view) if view.is_dag else ""),
        "timeline": lambda: ((svg := view.timeline_svg,), lambda: Markup(svg)),  # escaped by swf.timeline
        "tasks-count": lambda: (None, lambda: escape(len(view.tasks))),
        "history-count": lambda: (None, lambda: escape(f"{len(view.events)} events")),
    }
    parts = {}
    for name, maker in makers.items():
        if names is not None and name not in names:
            continue
        source, render = maker()
        kept = view.parts_memo.get(name) if source is not None else None
        if kept is not None and all(_same(a, b) for a, b in zip(kept[0], source)):
            parts[name] = kept[1]
            continue
        parts[name] = _part(str(render()))
        if source is not None:
            view.parts_memo[name] = (source, parts[name])
    return parts


def _same(a: Any, b: Any) -> bool:
    return a is b or (isinstance(a, str) and a == b)


def read_digests(text: str | None) -> dict[str, str]:
    """The page's digests, as its update request sends them: ``name:digest,name:digest``."""
    pairs = (item.partition(":") for item in (text or "").split(","))
    return {name: digest for name, _, digest in pairs if name and digest}


def changes(macros: Any, view: ExecutionView, domain: str, after: int, digests: dict[str, str]) -> dict[str, Any]:
    """What a page showing *view*'s events up to *after* lacks: ``reload`` when it must load whole again
    (the run closed; the page shows events this history does not hold), else ``parts`` (name ->
    [digest, html], those of *digests* that differ), ``tasks`` (the rows of the tasks whose record the
    new events changed, as [key, html, place in the task list]: a big run's page leaves out those it does
    not show), ``children`` (those of the children among them, as [workflow id, html]), ``events`` (the
    new events' rows) and ``last`` (the last event id).
    Its work follows the new events and the parts asked for, not the history.
    """
    last = view.events[-1].event_id if view.events else 0
    if not view.is_open or view.history is None or not 0 < after <= last:
        return {"reload": True}
    parts = {
        name: [part.digest, str(part.html)]
        for name, part in parts_of(macros, view, domain, digests).items()
        if digests[name] != part.digest
    }
    start = bisect.bisect_right(view.events, after, key=lambda row: row.event_id)
    touched = {key for key in view.task_touches[start : len(view.events)] if key is not None}
    changed = sorted((view.task_index[key] for key in touched), key=lambda task: task.first_event_id)
    places = view.task_positions
    tasks = [[f"{task.kind}/{task.id}", str(macros.task_row(task)), places[(task.kind, task.id)]] for task in changed]
    children = [
        [task.id, str(macros.child_row(child_link(task), domain))] for task in changed if task.kind == CHILD_WORKFLOW
    ]
    events = "".join(str(macros.event_row(event)) for event in view.events[start:])
    return {"reload": False, "last": last, "parts": parts, "tasks": tasks, "children": children, "events": events}
