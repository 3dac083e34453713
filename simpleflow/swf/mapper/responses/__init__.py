"""``Response``: what an actor's poll returns, its fields as attributes."""

from __future__ import annotations

from typing import Any


class Response:
    """A bag of named values (``Response(token=..., history=...)``: ``response.token``, ``response.history``)."""

    def __init__(self, **kwargs: Any) -> None:
        for key, value in kwargs.items():
            setattr(self, key, value)

    def __repr__(self) -> str:
        return f"Response({', '.join(sorted(vars(self)))})"
