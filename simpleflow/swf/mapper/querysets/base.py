"""``BaseQuerySet``: what a queryset offers (``get``, ``get_or_create``, ``filter``, ``all``, ``create``); paging."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from simpleflow.swf.mapper.core import ConnectedSWFObject


def pages(call: Callable[..., dict[str, Any]], *args: Any, **kwargs: Any) -> Iterator[dict[str, Any]]:
    """Every page of a listing: ``call(*args, next_page_token=..., **kwargs)`` until SWF gives no token."""
    token = None
    while True:
        page = call(*args, next_page_token=token, **kwargs)
        yield page
        token = page.get("nextPageToken")
        if not token:
            return


class BaseQuerySet(ConnectedSWFObject):
    """Models of one kind read from (and created on) SWF, as Django's managers give them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

    def get(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError

    def get_or_create(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError

    def filter(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError

    def all(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError

    def create(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError
