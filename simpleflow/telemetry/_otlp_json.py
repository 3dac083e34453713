"""Spans as OTLP/JSON: the body of an OTLP/HTTP ``ExportTraceServiceRequest`` with JSON encoding.

Follows the OTLP specification's JSON Protobuf Encoding: the Protobuf JSON mapping with field names in
lowerCamelCase, enums as integers, 64-bit integers as decimal strings, and (OTLP's one departure from
the mapping) trace and span ids as hex strings rather than base64. A collector's ``otlpjsonfile``
receiver reads such a file, one request per line; ``curl -H 'Content-Type: application/json' --data
@trace.json http://collector:4318/v1/traces`` sends it. Pure.
"""

from __future__ import annotations

import json
from typing import Any

from simpleflow.telemetry._ids import hex_span_id, hex_trace_id
from simpleflow.telemetry._records import SpanRecord

__all__ = ["any_value", "export_request", "dumps"]

SPAN_KIND_INTERNAL = 1
STATUS_CODE_ERROR = 2


def any_value(value: Any) -> dict[str, Any]:
    """An ``AnyValue``: bool, int (as a string: int64), float, text, or a list of those."""
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int):
        return {"intValue": str(value)}
    if isinstance(value, float):
        return {"doubleValue": value}
    if isinstance(value, (list, tuple)):
        return {"arrayValue": {"values": [any_value(v) for v in value]}}
    return {"stringValue": str(value)}


def _attributes(attrs: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"key": key, "value": any_value(value)} for key, value in attrs.items()]


def _span(span: SpanRecord) -> dict[str, Any]:
    out: dict[str, Any] = {
        "traceId": hex_trace_id(span.trace_id),
        "spanId": hex_span_id(span.span_id),
        "name": span.name,
        "kind": SPAN_KIND_INTERNAL,
        "startTimeUnixNano": str(span.start_ns),
        "endTimeUnixNano": str(max(span.end_ns, span.start_ns)),
        "attributes": _attributes(span.attributes),
    }
    if span.parent_span_id is not None:
        out["parentSpanId"] = hex_span_id(span.parent_span_id)
    if span.events:
        out["events"] = [
            {"timeUnixNano": str(e.time_ns), "name": e.name, "attributes": _attributes(e.attributes)}
            for e in span.events
        ]
    if span.links:
        out["links"] = [
            {
                "traceId": hex_trace_id(link.trace_id),
                "spanId": hex_span_id(link.span_id),
                "attributes": _attributes(link.attributes),
            }
            for link in span.links
        ]
    if span.error is not None:
        out["status"] = {"code": STATUS_CODE_ERROR, "message": span.error}
    return out


def export_request(spans: list[SpanRecord], resource: dict[str, Any], scope_version: str) -> dict[str, Any]:
    """The ``ExportTraceServiceRequest`` holding *spans*, under one resource and simpleflow's scope."""
    return {
        "resourceSpans": [
            {
                "resource": {"attributes": _attributes(resource)},
                "scopeSpans": [
                    {"scope": {"name": "simpleflow", "version": scope_version}, "spans": [_span(s) for s in spans]}
                ],
            }
        ]
    }


def dumps(request: dict[str, Any]) -> str:
    """One request on one line (what a collector's ``otlpjsonfile`` receiver reads)."""
    return json.dumps(request, separators=(",", ":"), ensure_ascii=False)
