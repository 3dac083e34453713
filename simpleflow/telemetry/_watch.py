"""Span exporters watched for the batches they fail: the SDK's batch processor drops an export's result.

``simpleflow workflow.trace`` says how many spans did not go (``failed_spans``), and stops every export once
Ctrl-C stopped it (``stop``): the processor would otherwise try the spans it still holds again at exit. A
command that leaves before its exporters are done says how many spans they still held (``held_spans``).
"""

from __future__ import annotations

import inspect
import logging
import threading
from collections.abc import Sequence
from typing import Any

log = logging.getLogger(__name__)
_LOCK = threading.Lock()
_FAILED: dict[str, int] = {}  # exporter name -> spans it failed to export
_STOPPED = threading.Event()
_WATCHED: list[Watched] = []


class Watched:
    """*exporter* (configured as *name*), counting the spans of each batch it does not export: a span
    exporter as the SDK's processors call one (without the SDK imported here: the module is read without it)."""

    def __init__(self, name: str, exporter: Any) -> None:
        self.name = name
        self.exporter = exporter
        self.queued = 0  # spans its processor queued (``ended``)
        self.done = 0  # spans it exported or failed to
        self._shut = False
        _WATCHED.append(self)

    def ended(self) -> None:
        """One more span for this exporter (its batch processor queued it)."""
        with _LOCK:
            self.queued += 1

    def export(self, spans: Sequence[Any]) -> Any:
        from opentelemetry.sdk.trace.export import SpanExportResult

        result = SpanExportResult.FAILURE
        try:
            if not _STOPPED.is_set():
                result = self.exporter.export(spans)
        except Exception as err:  # one line, not the processor's traceback (LOG_LEVEL=DEBUG shows it)
            log.warning(
                "the %s exporter failed: %s: %s", self.name, type(err).__name__, err, exc_info=log.isEnabledFor(10)
            )
        finally:  # an exporter that raises failed too
            with _LOCK:
                self.done += len(spans)
                if result is not SpanExportResult.SUCCESS:
                    _FAILED[self.name] = _FAILED.get(self.name, 0) + len(spans)
        return result

    def shutdown(self, timeout_millis: float = 30000) -> None:
        # Once (``interrupt`` may have), as the processor calls it: the exporter's own timeout when it takes one.
        with _LOCK:
            if self._shut:
                return
            self._shut = True
        if "timeout_millis" in inspect.getfullargspec(self.exporter.shutdown).args:
            self.exporter.shutdown(timeout_millis=timeout_millis)
        else:
            self.exporter.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self.exporter.force_flush(timeout_millis)


def failed_spans() -> dict[str, int]:
    """How many spans each watched exporter failed to export so far, by name."""
    with _LOCK:
        return dict(_FAILED)


def held_spans() -> dict[str, int]:
    """The spans each watched exporter holds still (queued or being exported: neither sent nor failed yet)."""
    with _LOCK:
        return {watched.name: watched.queued - watched.done for watched in _WATCHED if watched.queued > watched.done}


def stop() -> None:
    """Export nothing more (Ctrl-C stopped the command: what is not sent yet is dropped)."""
    _STOPPED.set()


def stopped() -> bool:
    """Whether ``stop`` was called (what was not sent is dropped, and said so)."""
    return _STOPPED.is_set()


def interrupt() -> None:
    """Export nothing more, and shut the exporters down now: an export waiting to try again gives up."""
    stop()
    for watched in list(_WATCHED):
        watched.shutdown(timeout_millis=0)
