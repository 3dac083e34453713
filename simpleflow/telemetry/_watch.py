"""Span exporters watched for the batches they fail: the SDK's batch processor drops an export's result.

``simpleflow workflow.trace`` says how many spans did not go (``failed_spans``), and stops every export once
Ctrl-C stopped it (``stop``): the processor would otherwise try the spans it still holds again at exit.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Sequence
from typing import Any

_LOCK = threading.Lock()
_FAILED: dict[str, int] = {}  # exporter name -> spans it failed to export
_STOPPED = threading.Event()


class Watched:
    """*exporter* (configured as *name*), counting the spans of each batch it does not export: a span
    exporter as the SDK's processors call one (without the SDK imported here: the module is read without it)."""

    def __init__(self, name: str, exporter: Any) -> None:
        self.name = name
        self.exporter = exporter

    def export(self, spans: Sequence[Any]) -> Any:
        from opentelemetry.sdk.trace.export import SpanExportResult

        result = SpanExportResult.FAILURE
        try:
            if not _STOPPED.is_set():
                result = self.exporter.export(spans)
        finally:  # an exporter that raises failed too (the processor logs it)
            if result is not SpanExportResult.SUCCESS:
                with _LOCK:
                    _FAILED[self.name] = _FAILED.get(self.name, 0) + len(spans)
        return result

    def shutdown(self, timeout_millis: float = 30000) -> None:
        # As the processor calls it: the exporter's own timeout when it takes one.
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


def stop() -> None:
    """Export nothing more (Ctrl-C stopped the command: what is not sent yet is dropped)."""
    _STOPPED.set()
