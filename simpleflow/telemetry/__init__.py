"""OpenTelemetry traces and metrics of simpleflow's executions (extra ``simpleflow[otel]``).

Hosts call these functions whether or not ``opentelemetry-api`` is installed. Without it, each returns at
once (a shared do-nothing object, or nothing) and OpenTelemetry is never imported. With it and no provider
set, the providers are the API's proxies: nothing is recorded, nothing computed for it. Spans and metric
points go to the providers given to ``configure``, else to the global ones (set by the program, by
``opentelemetry-instrument``, or by ``simpleflow`` commands from ``OTEL_*`` variables: ``setup_from_environment``).

One trace per execution, its ids fixed by the workflow id and run id (``execution_ids``); docs/observability.md
lists the spans, attributes and metrics (their names in ``simpleflow.telemetry.names``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from simpleflow.telemetry import _names as names
from simpleflow.telemetry._ids import execution_ids

__all__ = [
    "activity_attempt",
    "available",
    "configure",
    "count",
    "decision_task",
    "execution_ids",
    "flush",
    "names",
    "observe_cache",
    "record",
    "remote_parent",
    "reset",
    "setup_from_environment",
]

_impl: Any = None  # None: not looked for yet; False: OpenTelemetry is not installed; else simpleflow.telemetry._live


def _otel() -> Any:
    global _impl
    if _impl is None:
        try:
            from simpleflow.telemetry import _live as impl
        except ModuleNotFoundError as err:
            if not (err.name or "").startswith("opentelemetry"):
                raise
            impl = False
        _impl = impl
    return _impl


def available() -> bool:
    """Whether ``opentelemetry-api`` is installed (the ``otel`` extra)."""
    return bool(_otel())


def enabled() -> bool:
    """Whether spans or metrics go anywhere: the extra is installed and a tracer or meter provider is set."""
    impl = _otel()
    return bool(impl) and impl.STATE.enabled()


class _Nothing:
    """What an observation is without OpenTelemetry: every call does nothing."""

    ids = ("", "")
    replay = ""

    def replay_started(self, run: Any) -> None:
        pass

    def replay_ended(self, run: Any, decisions: Any) -> None:
        pass

    def end(self, *args: Any, **kwargs: Any) -> None:
        pass


NOTHING = _Nothing()


def decision_task(
    *,
    domain: str,
    task_list: str,
    workflow_type: str,
    workflow_id: str,
    run_id: str,
    new_events: list[dict[str, Any]],
    clock: Callable[[], float] | None = None,
) -> Any:
    """Begin observing one decision task (see ``simpleflow.telemetry._observe.DecisionTask``).

    *new_events*: the events after the previous decision task's DecisionTaskStarted. *clock*: the host's
    time in epoch seconds (the local host's virtual clock), default the system's.
    """
    live = _otel()
    if not live or not live.STATE.enabled():
        return NOTHING
    from simpleflow.telemetry._observe import DecisionTask

    return DecisionTask(
        domain=domain,
        task_list=task_list,
        workflow_type=workflow_type,
        workflow_id=workflow_id,
        run_id=run_id,
        new_events=new_events,
        clock=clock,
    )


def activity_attempt(
    context: dict[str, Any], *, started_event_id: int | None = None, clock: Callable[[], float] | None = None
) -> Any:
    """Begin observing one activity attempt; ``end(outcome, error_type)`` when it is answered."""
    live = _otel()
    if not live or not live.STATE.enabled():
        return NOTHING
    from simpleflow.telemetry._observe import ActivityAttempt

    return ActivityAttempt(context, started_event_id=started_event_id, clock=clock)


def count(name: str, value: float = 1, attributes: dict[str, Any] | None = None) -> None:
    """Add *value* to the counter *name* (one of ``names.M_*``)."""
    live = _otel()
    if live:
        live.count(name, value, attributes or {})


def record(name: str, value: float, attributes: dict[str, Any] | None = None) -> None:
    """Record *value* in the histogram *name*."""
    live = _otel()
    if live:
        live.record(name, value, attributes or {})


def observe_cache(cache: Any, attributes: dict[str, Any]) -> None:
    """Report *cache*'s ``bytes`` in the run cache gauge, under *attributes*, while it lives."""
    live = _otel()
    if live:
        live.STATE.caches[cache] = dict(attributes)


def attach_parent(trace_id: str, span_id: str) -> Any:
    """Make this (hex) span of another process the parent of the spans the running code starts; returns
    the token ``detach_parent`` takes (None when there is nothing to attach)."""
    live = _otel()
    if not live or not trace_id or not span_id:
        return None
    return live.remote_parent(int(trace_id, 16), int(span_id, 16))


def detach_parent(token: Any) -> None:
    if token is not None:
        from opentelemetry import context

        context.detach(token)


@contextlib.contextmanager
def remote_parent(trace_id: str, span_id: str) -> Iterator[None]:
    """Within the block, spans started by the running code are children of this (hex) span of another process."""
    live = _otel()
    if not live or not trace_id or not span_id:
        yield
        return
    from opentelemetry import context

    token = live.remote_parent(int(trace_id, 16), int(span_id, 16))
    try:
        yield
    finally:
        context.detach(token)


def configure(tracer_provider: Any = None, meter_provider: Any = None) -> None:
    """Send simpleflow's spans and metric points to these providers rather than to the global ones.

    Raises:
        RuntimeError: a provider is given but OpenTelemetry is not installed.
    """
    live = _otel()
    if not live:
        if tracer_provider is not None or meter_provider is not None:
            raise RuntimeError("simpleflow.telemetry: OpenTelemetry is not installed (pip install 'simpleflow[otel]')")
        return
    live.STATE.tracer_provider = tracer_provider
    live.STATE.meter_provider = meter_provider
    live.STATE.reset()


def reset() -> None:
    """Forget the providers given to ``configure`` (the global ones are used again)."""
    configure()


def setup_from_environment() -> bool:
    """Set up global providers from ``OTEL_*`` variables, as ``simpleflow`` commands do (see ``_setup``).

    Returns:
        Whether simpleflow set a provider up (False: the SDK is missing, a provider was already set,
        or the variables name no exporter).
    """
    from simpleflow.telemetry._setup import setup_from_environment as setup

    return setup()  # without OpenTelemetry: a warning when OTEL_*_EXPORTER ask for exporters


def flush(timeout_millis: int = 5000) -> None:
    """Export what the providers hold now (before a process exits without running ``atexit``)."""
    live = _otel()
    if live:
        live.flush(timeout_millis)
