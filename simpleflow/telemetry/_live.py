"""The OpenTelemetry side: simpleflow's tracer and meter, and spans emitted with the ids an execution fixes.

Imported only when ``opentelemetry-api`` is installed (``simpleflow[otel]``). Spans and metric points go
to the providers given to ``configure`` (tests, programs embedding simpleflow), else to the global ones
(``opentelemetry.trace.set_tracer_provider``, ``opentelemetry-instrument``, or simpleflow's own set-up
from ``OTEL_*`` variables: ``_setup``). With neither, nothing is recorded and nothing is computed for
them: each call finds the API's proxy provider and returns.

An execution's root span has the span id its workflow and run ids fix (``_ids``), which the API cannot
ask for: with the SDK's tracer (its ``id_generator``), simpleflow's own tracer draws pinned ids first.
"""

from __future__ import annotations

import contextvars
import os
import threading
import weakref
from collections.abc import Iterable
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import metrics, trace
from opentelemetry.trace import Link, NonRecordingSpan, SpanContext, SpanKind, Status, StatusCode, TraceFlags

from simpleflow import __version__
from simpleflow.telemetry import _names as n
from simpleflow.telemetry._records import SpanRecord

__all__ = ["STATE", "emit", "parent_context", "remote_parent"]

_SAMPLED = TraceFlags(TraceFlags.SAMPLED)
_MISSING = object()
# The API's getters look the environment up at each call (~2 us) while no provider is set: read the global
# they return instead, unless a provider is named by the environment (then the getters load it).
_ENV_NAMED = any(f"OTEL_PYTHON_{kind}_PROVIDER" in os.environ for kind in ("TRACER", "METER"))


def _tracer_provider() -> Any:
    provider = _MISSING if _ENV_NAMED else getattr(trace, "_TRACER_PROVIDER", _MISSING)
    return trace.get_tracer_provider() if provider is _MISSING else provider


def _meter_provider() -> Any:
    from opentelemetry.metrics import _internal

    provider = _MISSING if _ENV_NAMED else getattr(_internal, "_METER_PROVIDER", _MISSING)
    return metrics.get_meter_provider() if provider is _MISSING else provider


_PINNED: contextvars.ContextVar[tuple[int, int] | None] = contextvars.ContextVar("simpleflow_pinned_ids", default=None)


class _PinnedIds:
    """An SDK id generator that gives the ids ``_PINNED`` holds first (only on simpleflow's own tracer)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def generate_trace_id(self) -> int:
        pinned = _PINNED.get()
        return pinned[0] if pinned else self.inner.generate_trace_id()

    def generate_span_id(self) -> int:
        pinned = _PINNED.get()
        return pinned[1] if pinned else self.inner.generate_span_id()

    def is_trace_id_random(self) -> bool:
        return _PINNED.get() is None and getattr(self.inner, "is_trace_id_random", lambda: False)()


_UNITS = {
    n.M_DECISION_DURATION: ("histogram", "s", "Time to answer a decision task"),
    n.M_DECISION_EVENTS: ("histogram", "{event}", "History events a decision task folded in"),
    n.M_CACHE_HITS: ("counter", "{task}", "Decision tasks resumed from the run cache"),
    n.M_CACHE_MISSES: ("counter", "{task}", "Decision tasks replayed from the whole history"),
    n.M_CACHE_EVICTIONS: ("counter", "{run}", "Runs evicted from the run cache"),
    n.M_ACTIVITY_DURATION: ("histogram", "s", "Time an activity attempt ran on a worker"),
    n.M_SCHEDULE_TO_START: ("histogram", "s", "Time an activity task waited for a worker"),
    n.M_TASK_FAILURES: ("counter", "{attempt}", "Task attempts that failed or timed out"),
    n.M_TASK_RETRIES: ("counter", "{attempt}", "Task attempts scheduled again after a failure"),
    n.M_JUMBO_READS: ("counter", "{field}", "Jumbo fields read"),
    n.M_JUMBO_WRITES: ("counter", "{field}", "Jumbo fields written to S3"),
    n.M_JUMBO_BYTES: ("counter", "By", "Bytes of jumbo fields read or written"),
    n.M_POLL_ERRORS: ("counter", "{poll}", "Polls that failed"),
    n.M_STEP_DURATION: ("histogram", "s", "Time of a metrology step"),
    n.M_STEP_BYTES: ("counter", "By", "Bytes a metrology step read or wrote"),
    n.M_STEP_RECORDS: ("counter", "{record}", "Records a metrology step read or wrote"),
}


class _State:
    """The providers in use, and simpleflow's tracer and instruments for them (rebuilt when they change)."""

    def __init__(self) -> None:
        self.tracer_provider: Any = None  # given to configure(); else the global one
        self.meter_provider: Any = None
        self._lock = threading.Lock()
        self._traced_by: Any = None
        self._tracer: Any = None
        self._metered_by: Any = None
        self._instruments: dict[str, Any] = {}
        self.caches: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # run cache -> its attributes
        self._meter: Any = None

    def tracer(self) -> Any | None:
        """simpleflow's tracer; None when no tracer provider is set (the API's no-op: nothing to do)."""
        provider = self.tracer_provider or _tracer_provider()
        if provider is None or isinstance(provider, (trace.ProxyTracerProvider, trace.NoOpTracerProvider)):
            return None
        if provider is not self._traced_by:
            with self._lock:
                tracer = provider.get_tracer(n.SCOPE, __version__)
                inner = getattr(tracer, "id_generator", None)
                if inner is not None:  # the SDK's tracer: this instance only draws pinned ids first
                    tracer.id_generator = _PinnedIds(inner)
                self._tracer, self._traced_by = tracer, provider
        return self._tracer

    def enabled(self) -> bool:
        """Whether a tracer or meter provider is set (else every observation is skipped whole)."""
        if self.tracer() is not None:
            return True
        provider = self.meter_provider or _meter_provider()
        return provider is not None and type(provider).__name__ not in ("_ProxyMeterProvider", "NoOpMeterProvider")

    def instrument(self, name: str) -> Any | None:
        """The instrument of metric *name*; None when no meter provider is set."""
        provider = self.meter_provider or _meter_provider()
        if provider is None or type(provider).__name__ in ("_ProxyMeterProvider", "NoOpMeterProvider"):
            return None
        if provider is not self._metered_by:
            with self._lock:
                self._instruments = {}
                self._metered_by = provider
                self._meter = provider.get_meter(n.SCOPE, __version__)
                self._meter.create_observable_gauge(
                    n.M_CACHE_BYTES, callbacks=[self._cache_bytes], unit="By", description="Bytes the run caches hold"
                )
        found = self._instruments.get(name)
        if found is None:
            kind, unit, description = _UNITS[name]
            make = self._meter.create_histogram if kind == "histogram" else self._meter.create_counter
            found = self._instruments.setdefault(name, make(name, unit=unit, description=description))
        return found

    def _cache_bytes(self, options: Any) -> Iterable[metrics.Observation]:
        for cache, attributes in list(self.caches.items()):
            yield metrics.Observation(cache.bytes, _low_cardinality(attributes))

    def reset(self) -> None:
        with self._lock:
            self._traced_by = self._tracer = self._metered_by = None
            self._instruments = {}


STATE = _State()


def parent_context(trace_id: int, span_id: int) -> Any:
    """A context whose current span is the (remote) span *span_id* of trace *trace_id*, sampled."""
    return trace.set_span_in_context(NonRecordingSpan(SpanContext(trace_id, span_id, True, _SAMPLED)))


def remote_parent(trace_id: int, span_id: int) -> Any:
    """Attach ``parent_context`` as the current context; returns the token to detach it with."""
    return otel_context.attach(parent_context(trace_id, span_id))


def _links(record: SpanRecord) -> list[Link]:
    return [Link(SpanContext(k.trace_id, k.span_id, True, _SAMPLED), k.attributes) for k in record.links]


def start(record: SpanRecord, tracer: Any, *, pin: bool = False) -> Any:
    """Start the span *record* describes (its start time, parent, links); with *pin*, under its own ids."""
    if record.parent_span_id is None:
        context = otel_context.Context()  # a root: never the span current here
    else:
        context = parent_context(record.trace_id, record.parent_span_id)
    token = _PINNED.set((record.trace_id, record.span_id)) if pin else None
    try:
        span = tracer.start_span(
            record.name,
            context=context,
            kind=SpanKind.INTERNAL,
            attributes=record.attributes,
            links=_links(record),
            start_time=record.start_ns,
        )
    finally:
        if token is not None:
            _PINNED.reset(token)
    add_events(span, record)
    return span


def add_events(span: Any, record: SpanRecord) -> None:
    for event in record.events:
        span.add_event(event.name, event.attributes, timestamp=event.time_ns)


def finish(span: Any, end_ns: int, error: str | None) -> None:
    if error is not None:
        span.set_status(Status(StatusCode.ERROR, error))
    span.end(end_time=end_ns)


def emit(records: Iterable[SpanRecord], pin: bool = True) -> int:
    """Emit whole spans (their own times and ids) through simpleflow's tracer; how many went."""
    tracer = STATE.tracer()
    if tracer is None:
        return 0
    count = 0
    for record in records:
        span = start(record, tracer, pin=pin)
        finish(span, max(record.end_ns, record.start_ns), record.error)
        count += 1
    return count


def _low_cardinality(attributes: dict[str, Any]) -> dict[str, Any]:
    """*attributes* as a metric point carries them: a standalone command's own task list by a stable name."""
    task_list = attributes.get(n.TASK_LIST)
    if task_list and task_list.startswith("standalone-"):
        return {**attributes, n.TASK_LIST: n.metric_task_list(task_list)}
    return attributes


def count(name: str, value: float, attributes: dict[str, Any]) -> None:
    found = STATE.instrument(name)
    if found is not None:
        found.add(value, _low_cardinality(attributes))


def record(name: str, value: float, attributes: dict[str, Any]) -> None:
    found = STATE.instrument(name)
    if found is not None:
        found.record(value, _low_cardinality(attributes))


def span_ids(span: Any) -> tuple[str, str]:
    """The hex trace and span ids of a recording span, else empty strings."""
    if span is None or not span.is_recording():
        return "", ""
    ctx = span.get_span_context()
    return f"{ctx.trace_id:032x}", f"{ctx.span_id:016x}"


def flush_traces(timeout_millis: int) -> bool:
    """Export the spans simpleflow's tracer provider holds now; whether it did so in time (the SDK's answer)."""
    force_flush = getattr(STATE.tracer_provider or trace.get_tracer_provider(), "force_flush", None)
    return force_flush is None or force_flush(timeout_millis) is not False


def flush(timeout_millis: int) -> None:
    for provider in (
        STATE.tracer_provider or trace.get_tracer_provider(),
        STATE.meter_provider or metrics.get_meter_provider(),
    ):
        force_flush = getattr(provider, "force_flush", None)
        if force_flush is not None:
            try:
                force_flush(timeout_millis)
            except Exception:  # an exporter's trouble must not fail the process leaving
                pass
