"""``@cached``: a non-deterministic call made once per execution, its result kept in the history.

Inside ``Workflow.run``, a function whose result is not deterministic (a
database read, a random id, the time) would break replays. Decorated with
``@cached``, the first replay that reaches a call runs it and records the
result in the execution's history as a marker; every later replay returns the
recorded value without calling it. Outside a workflow the function is simply
called.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any, Protocol

from simpleflow import format, futures

MARKER_PREFIX = "simpleflow.cached:"


class Serializer(Protocol):
    """What ``@cached(serializer=...)`` takes: turns a result into the text the history keeps, and back."""

    def dumps(self, obj: Any) -> str:
        """The text recorded for the result *obj*."""
        ...

    def loads(self, text: str) -> Any:
        """The result *text* was recorded for."""
        ...


class _JSON:
    dumps = staticmethod(format.dumps)
    loads = staticmethod(json.loads)


def cached(func: Callable | None = None, *, serializer: Serializer | None = None, store: str = "history") -> Any:
    """Decorate *func* so that, within a workflow execution, each call runs once.

    ``serializer``: an object with ``dumps``/``loads`` (JSON by default).
    ``store``: ``"history"`` keeps the value in the marker (S3 through jumbo fields when large);
    ``"s3"`` always writes it to S3 and keeps only the reference in the history.
    """
    if store not in ("history", "s3"):
        raise ValueError(f"store must be 'history' or 's3', not {store!r}")
    codec = serializer or _JSON()

    def decorate(function: Callable) -> Callable:
        name = f"{MARKER_PREFIX}{function.__module__}.{function.__qualname__}"

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            run = futures.current_executor()
            if run is None:
                return function(*args, **kwargs)

            def compute() -> str:
                if store == "s3":
                    _check_bucket(name)
                text = _recordable(name, codec.dumps(function(*args, **kwargs)))
                if store == "s3":
                    from simpleflow import jumbo  # on first use: a workflow imports without S3's stack

                    return _s3_call(lambda: jumbo.store(text, "marker_details"))
                return text

            text = run.cached_call(name, compute)
            if store == "s3":
                from simpleflow import jumbo

                # The run that computed it holds the S3 reference (replays read the decoded history).
                text = _s3_call(lambda: jumbo.decode(text))
            return codec.loads(text)

        return wrapper

    return decorate(func) if func is not None else decorate


def _check_bucket(name: str) -> None:
    """ValueError, raised in ``run``, when ``store="s3"`` has no bucket to write to (before the call is made)."""
    from simpleflow import settings
    from simpleflow.jumbo import BUCKET_ENV

    if not settings.get(BUCKET_ENV):
        raise ValueError(
            f"@cached {name[len(MARKER_PREFIX) :]}: store='s3' writes its values to S3: "
            f"set {BUCKET_ENV}=bucket[/prefix]"
        )


def _recordable(name: str, text: object) -> str:
    """*text*, what the serializer gave, if a marker may hold it: text that is UTF-8 (what SWF and S3 take).

    Raised in ``run``, so that the run fails saying why on both hosts: a local run would keep any object,
    and SWF refuse the decision at every decision task.
    """
    if not isinstance(text, str):
        raise TypeError(f"@cached {name[len(MARKER_PREFIX) :]}: the serializer gave {type(text).__name__}, not text")
    try:
        text.encode()
    except UnicodeEncodeError as err:
        raise ValueError(
            f"@cached {name[len(MARKER_PREFIX) :]}: the serializer gave text that is not UTF-8 "
            f"({err.reason} at character {err.start}): encode binary data, as base64 for example"
        ) from None
    return text


def _s3_call(call: Callable[[], Any]) -> Any:
    """*call*, whose S3 failure stops the run instead of failing it: the decision task is left unanswered and
    comes back (``HistoryUnavailable``), as for any other field a decider cannot store. S3 out of reach, and
    S3 refusing to store (NoSuchBucket, AccessDenied: a configuration to fix, which no execution should pay
    for). An object that is gone or no jumbo field (``DataError``) fails the run."""
    from simpleflow import jumbo
    from simpleflow.history import HistoryUnavailable

    try:
        return call()
    except Exception as err:
        if isinstance(err, jumbo.JumboFieldNotStored) or jumbo.transient_s3_error(err):
            raise HistoryUnavailable(err) from err
        raise
