"""An open execution's page kept current in place: every few seconds it asks what changed since the last
event it shows, and gets only that (the new events' rows, the task rows they changed, and the parts of the
page whose text changed), not the whole page again: a reload's bytes follow the new events, not the history.

A part is a piece of the page a new event may change (the status, the summary, the waiting list...), named
by its ``data-part`` attribute; the page carries each one's digest, and the update sends a part only when
its digest differs from the one the page sent.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from simpleflow.swf.stats import collect_tasks
from simpleflow.ui.execution import ExecutionView

__all__ = ["Part", "changes", "parts_of", "read_digests"]


@dataclass(frozen=True, slots=True)
class Part:
    """A part of the page: its markup (escaped as any page's) and the digest the page keeps of it."""

    html: Markup
    digest: str


def _part(html: str) -> Part:
    return Part(Markup(html), hashlib.sha256(html.encode()).hexdigest()[:16])


def parts_of(macros: Any, view: ExecutionView, domain: str) -> dict[str, Part]:
    """The execution page's parts (``parts.html``'s macros for *view*), by name."""
    html = {
        "status": macros.status_part(view),
        "summary": macros.summary_part(view, domain),
        "workflow-status": macros.workflow_status_part(view),
        "waiting": macros.waiting_part(view, domain) if view.is_open else "",
        "children": macros.children_part(view, domain),
        "dag": macros.dag_part(view) if view.is_dag else "",
        "timeline": Markup(view.timeline_svg),  # escaped by simpleflow.swf.timeline
        "tasks-count": escape(len(view.tasks)),
        "history-count": escape(f"{len(view.events)} events"),
    }
    return {name: _part(str(text)) for name, text in html.items()}


def read_digests(text: str | None) -> dict[str, str]:
    """The page's digests, as its update request sends them: ``name:digest,name:digest``."""
    pairs = (item.partition(":") for item in (text or "").split(","))
    return {name: digest for name, _, digest in pairs if name and digest}


def changes(macros: Any, view: ExecutionView, domain: str, after: int, digests: dict[str, str]) -> dict[str, Any]:
    """What a page showing *view*'s events up to *after* lacks: ``reload`` when it must load whole again
    (the run closed; the page shows events this history does not hold), else ``parts`` (name ->
    [digest, html], those of *digests* that differ), ``tasks`` (the rows of the tasks whose record the
    new events changed, as [key, html]), ``events`` (the new events' rows) and ``last`` (the last event id).
    """
    last = view.events[-1].event_id if view.events else 0
    if not view.is_open or view.history is None or not 0 < after <= last:
        return {"reload": True}
    parts = {
        name: [part.digest, str(part.html)]
        for name, part in parts_of(macros, view, domain).items()
        if name in digests and digests[name] != part.digest
    }
    before = {(task.kind, task.id): task for task in collect_tasks(e for e in view.history if e["eventId"] <= after)}
    tasks = [
        [f"{task.kind}/{task.id}", str(macros.task_row(task))]
        for task in view.tasks
        if before.get((task.kind, task.id)) != task
    ]
    events = "".join(str(macros.event_row(event)) for event in view.events if event.event_id > after)
    return {"reload": False, "last": last, "parts": parts, "tasks": tasks, "events": events}
