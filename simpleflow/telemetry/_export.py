"""Where a rebuilt trace goes (``simpleflow workflow.trace``): a file of OTLP/JSON, or the configured exporter."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from simpleflow import __version__
from simpleflow.exceptions import UsageError
from simpleflow.history import MalformedHistory, read_document, validate_events
from simpleflow.telemetry import _setup
from simpleflow.telemetry._otlp_json import dumps, export_request
from simpleflow.telemetry._rebuild import ExecutionIds, rebuild_trace
from simpleflow.telemetry._records import SpanRecord, to_ns

__all__ = [
    "ExportFailed",
    "events_of_document",
    "export_spans",
    "stop_exporting",
    "trace_of_history",
    "write_otlp_json",
]

FLUSH_MILLIS = 30000  # the SDK's own default for a flush


class ExportFailed(Exception):
    """The configured exporter did not export every span (the line says how many did not go)."""


def events_of_document(text: str, source: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The events of a history file (``{"events": [...]}``, what ``workflow.history`` prints, or a list), and
    the rest of the document (it may name the execution: ``workflowId``, ``runId``).

    Raises:
        UsageError: the text is not such a document, or its events are not an SWF history (one line naming
            the first problem: ``history.validate_events``, as nothing folds them here).
    """
    events, document = read_document(text, f"{source}: ")
    try:
        validate_events(events)
    except MalformedHistory as err:
        raise UsageError(f"{source}: {err}") from None
    for event in events:  # the spans' times (what replaying a history never reads)
        stamp = event.get("eventTimestamp")
        try:
            to_ns(stamp)
        except (ValueError, OverflowError):
            where = f"history event {event['eventId']} ({event['eventType']})"
            raise UsageError(f"{source}: {where}: eventTimestamp {stamp!r} is not a time") from None
    return events, document


def trace_of_history(events: list[dict[str, Any]], ids: ExecutionIds) -> list[SpanRecord]:
    """The spans of the execution (see ``_rebuild``)."""
    return rebuild_trace(events, ids)


def resource() -> dict[str, Any]:
    """The resource a file's spans are under: ``service.name`` as the SDK would name it."""
    return dict(_setup.resource_attributes())


def write_otlp_json(spans: list[SpanRecord], path: str) -> None:
    """Write *spans* as one OTLP/JSON export request (one line) to *path* ('-': standard output)."""
    text = dumps(export_request(spans, resource(), __version__)) + "\n"
    if path == "-":
        import sys

        sys.stdout.write(text)
        return
    Path(path).write_text(text)


def export_spans(spans: list[SpanRecord]) -> int:
    """Send *spans* through simpleflow's tracer (the configured provider and its exporters); how many went.

    Raises:
        UsageError: OpenTelemetry is not installed, or no tracer provider is set.
        ExportFailed: an exporter failed to export some (its export result was not SUCCESS), or the provider's
            flush did not end in time.
    """
    from simpleflow import telemetry

    if not telemetry.available():
        raise UsageError(f"{_setup.missing()}: use --output FILE")
    from simpleflow.telemetry import _live, _watch

    failed_before = _watch.failed_spans()
    sent = _live.emit(spans)
    if not sent and spans:
        raise UsageError(_no_tracer())
    flushed = _live.flush_traces(FLUSH_MILLIS)
    failed = {name: n - failed_before.get(name, 0) for name, n in _watch.failed_spans().items()}
    failed = {name: n for name, n in failed.items() if n}
    if failed:
        by = ", ".join(f"the {name} exporter failed to export {n}" for name, n in failed.items())
        raise ExportFailed(f"export failed: {by} of the {sent} spans")
    if not flushed:
        raise ExportFailed(f"export failed: the {sent} spans were not all exported within {FLUSH_MILLIS // 1000} s")
    return sent


def stop_exporting() -> None:
    """Export nothing more in this process (Ctrl-C: the spans not sent yet are dropped, not tried at exit)."""
    from simpleflow import telemetry

    if telemetry.available():
        from simpleflow.telemetry import _watch

        _watch.stop()


def _no_tracer() -> str:
    """Why the spans have nowhere to go (no tracer provider is set), and what to do."""
    named = _setup.exporter_names(_setup.TRACES)
    if named and not _setup.wanted():
        return "OTEL_SDK_DISABLED is true: use --output FILE"
    if named and _setup.missing():
        return f"{_setup.missing()}: use --output FILE"
    return "no exporter configured: set OTEL_TRACES_EXPORTER (console, otlp...) or use --output FILE"
