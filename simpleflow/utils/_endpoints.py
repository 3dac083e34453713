"""Which endpoints answered this process: an endpoint that cannot be reached now is down if it answered before.

Every client simpleflow builds (SWF's, and S3's for jumbo fields and steps) notes its answers here, so a
failure to connect reads as an outage (exit 1) when the endpoint answered earlier in the command, and as a
setting to check (exit 2) when it never did (``cli/failures.py``). Kept below the hosts: jumbo fields and
``simpleflow.storage`` note their S3 answers without importing the SWF host.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

__all__ = ["answered_before", "note_answers"]

_answered: set[str] = set()  # the endpoints (scheme://host:port) that answered a call of this process


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _note_answer(http_response: Any = None, **_: Any) -> None:
    url = getattr(http_response, "url", None)
    if url:
        _answered.add(_origin(url))


def note_answers(client: Any) -> Any:
    """*client* (botocore's or boto3's, of any service), each endpoint that answers it now noted for
    :func:`answered_before`."""
    client.meta.events.register(f"after-call.{client.meta.service_model.service_id.hyphenize()}", _note_answer)
    return client


def answered_before(url: str) -> bool:
    """Whether the endpoint of *url* answered a call of this process: one that cannot be reached now stopped
    answering (a server stopped, a network lost), rather than being configured wrong."""
    return _origin(url) in _answered
