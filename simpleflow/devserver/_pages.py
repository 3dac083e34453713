"""Pages of results, with SWF's ``nextPageToken``.

SWF's API reference: "If NextPageToken is returned there are more results available. The value of
NextPageToken is a unique pagination token for each page. Make the call again using the returned token
to retrieve the next page. Keep all other arguments unchanged." maximumPageSize is "the maximum number of
results that are returned per call" (1,000 at most, the default). moto returns every result at once and
never a token (and truncates a list to maximumPageSize).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from moto.swf.exceptions import SWFValidationException

from simpleflow.devserver import _runtime

T = TypeVar("T")
MAX_PAGE_SIZE = 1000


def encode(value: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value, separators=(",", ":")).encode()).decode()


def query_of(token: str) -> str:
    """The query a token was given for (a ValidationException for a token the server did not give)."""
    try:
        value = json.loads(base64.urlsafe_b64decode(token.encode()))
    except ValueError:
        value = None
    if not isinstance(value, dict) or not isinstance(value.get("q"), str):
        raise SWFValidationException("Invalid nextPageToken: not one this server returned")
    return value["q"]


def decode(token: str, query: str) -> dict[str, Any]:
    """The position a token of *query* gives; a ValidationException for any other token."""
    if query_of(token) != query:
        raise SWFValidationException("Invalid nextPageToken: not one this call returned")
    return json.loads(base64.urlsafe_b64decode(token.encode()))


def page_size(params: dict[str, Any]) -> int:
    size = params.get("maximumPageSize") or _runtime.current().page_size
    return max(1, min(int(size), MAX_PAGE_SIZE))


def by_offset(items: Sequence[T], params: dict[str, Any], query: str) -> tuple[list[T], str | None]:
    """A page of *items* (the same list at every call) and the next token."""
    token = params.get("nextPageToken")
    offset = decode(token, query)["o"] if token else 0
    end = offset + page_size(params)
    following = encode({"q": query, "o": end}) if end < len(items) else None
    return list(items[offset:end]), following


def after(
    items: Sequence[T], params: dict[str, Any], query: str, order: Callable[[T], Any], descending: bool
) -> tuple[list[T], str | None]:
    """A page of *items*, sorted by *order*, from the first one past the last of the previous page.

    A history grows while it is read, a list of executions changes: the token holds where the previous
    page ended in that order (an event id; a time and a run id), not a count.
    """
    token = params.get("nextPageToken")
    start = 0
    if token:
        last = decode(token, query)["k"]
        last = tuple(last) if isinstance(last, list) else last
        past = (lambda key: key < last) if descending else (lambda key: key > last)
        start = next((i for i, item in enumerate(items) if past(order(item))), len(items))
    end = start + page_size(params)
    chunk = list(items[start:end])
    following = encode({"q": query, "k": order(chunk[-1])}) if chunk and end < len(items) else None
    return chunk, following
