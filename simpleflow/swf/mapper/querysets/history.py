"""``HistoryQuerySet``: an execution's history, at most so many events if asked."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from simpleflow.swf.mapper.models.history.base import History
from simpleflow.swf.mapper.querysets.base import BaseQuerySet, pages

if TYPE_CHECKING:
    from simpleflow.swf.mapper.models.domain import Domain


class HistoryQuerySet(BaseQuerySet):
    """``HistoryQuerySet(domain).get(run_id, workflow_id)``."""

    def __init__(self, domain: Domain, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.domain = domain

    def get(
        self,
        run_id: str,
        workflow_id: str,
        max_results: int | None = None,
        page_size: int | None = 100,
        reverse: bool = False,
    ) -> History:
        """The history of an execution: every event, or its first *max_results* (latest first if *reverse*).

        *page_size* is how many events each request asks for.
        """
        if max_results is not None and page_size is not None:
            page_size = min(page_size, max_results)
        events: list[dict[str, Any]] = []
        for page in pages(
            self.get_workflow_execution_history,
            self.domain.name,
            run_id,
            workflow_id,
            maximum_page_size=page_size,
            reverse_order=reverse,
        ):
            events.extend(page["events"])
            if max_results is not None and len(events) >= max_results:
                break
        return History.from_event_list(events[:max_results] if max_results is not None else events)
