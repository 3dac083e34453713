"""Global providers from the standard ``OTEL_*`` variables, for the ``simpleflow`` commands.

When the OpenTelemetry SDK is installed, no provider is set yet (by the program or by
``opentelemetry-instrument``) and ``OTEL_TRACES_EXPORTER`` (``OTEL_METRICS_EXPORTER``) names exporters,
simpleflow sets an SDK ``TracerProvider`` (``MeterProvider``) with those exporters, found by name among
the installed ``opentelemetry_traces_exporter`` (``..._metrics_exporter``) entry points: ``console``
comes with the SDK, ``otlp`` with ``opentelemetry-exporter-otlp``. Spans are batched
(``OTEL_BSP_*``), metrics read every ``OTEL_METRIC_EXPORT_INTERVAL`` ms; the sampler is the SDK's
(``OTEL_TRACES_SAMPLER``); the resource reads ``OTEL_RESOURCE_ATTRIBUTES`` and ``OTEL_SERVICE_NAME``
(``service.name`` ``simpleflow`` when neither names it). Unlike the SDK's own auto-configuration, an
unset variable means no exporter (not ``otlp``): nothing is sent anywhere unless asked. At exit, what the
exporters hold is exported within ``SIMPLEFLOW_TELEMETRY_EXIT_TIMEOUT`` seconds (``_exit``).
"""

from __future__ import annotations

import atexit
import logging
import os
from importlib.metadata import entry_points
from typing import Any
from urllib.parse import unquote

from simpleflow.exceptions import UsageError

logger = logging.getLogger(__name__)

TRACES = "OTEL_TRACES_EXPORTER"
METRICS = "OTEL_METRICS_EXPORTER"


def wanted() -> bool:
    """Whether the environment asks for exporters at all (cheap: read before importing anything)."""
    if os.environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    return any(exporter_names(variable) for variable in (TRACES, METRICS))


def exporter_names(variable: str) -> list[str]:
    names = [name.strip() for name in os.environ.get(variable, "").split(",") if name.strip()]
    return [] if names == ["none"] else [name for name in names if name != "none"]


def missing() -> str:
    """What is missing for the exporters to work ("" when the SDK is installed)."""
    try:
        import opentelemetry.trace  # noqa: F401
    except ImportError:
        return "OpenTelemetry is not installed (pip install 'simpleflow[otel]' opentelemetry-sdk)"
    try:
        import opentelemetry.sdk.trace  # noqa: F401
    except ImportError:
        return "opentelemetry-sdk is not installed (pip install opentelemetry-sdk)"
    return ""


def _exporters(variable: str, group: str) -> list[tuple[str, Any]]:
    """The exporters *variable* names, with their names."""
    found = []
    installed = {ep.name: ep for ep in entry_points(group=group)}
    for name in exporter_names(variable):
        if name not in installed:
            known = ", ".join(sorted(installed)) or "none installed"
            raise UsageError(f"{variable}={name!r}: no such exporter installed (known: {known})")
        found.append((name, installed[name].load()()))
    return found


def resource_attributes() -> dict[str, str]:
    """The resource ``OTEL_RESOURCE_ATTRIBUTES`` and ``OTEL_SERVICE_NAME`` give (read as the SDK reads them),
    ``service.name`` ``simpleflow`` when neither names it."""
    attributes: dict[str, str] = {}
    for pair in os.environ.get("OTEL_RESOURCE_ATTRIBUTES", "").split(","):
        key, sep, value = pair.partition("=")
        if sep and key.strip():
            attributes[key.strip()] = unquote(value.strip())
    if os.environ.get("OTEL_SERVICE_NAME"):
        attributes["service.name"] = os.environ["OTEL_SERVICE_NAME"]
    attributes.setdefault("service.name", "simpleflow")
    return attributes


def _resource() -> Any:
    from opentelemetry.sdk.resources import Resource

    return Resource.create({"service.name": resource_attributes()["service.name"]})


def setup_from_environment() -> bool:
    """Set the global providers the ``OTEL_*`` variables ask for (see the module); whether any was set.

    Raises:
        UsageError: a variable names an exporter that is not installed.
    """
    if not wanted():
        return False
    try:
        from opentelemetry import metrics, trace
        from opentelemetry.sdk.metrics import MeterProvider
        from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
        from opentelemetry.sdk.trace import TracerProvider

        from simpleflow.telemetry import _exit
        from simpleflow.telemetry._watch import Watched
    except ImportError:
        named = [variable for variable in (TRACES, METRICS) if exporter_names(variable)]
        verb = "is" if len(named) == 1 else "are"
        logger.warning("%s %s set, but %s: no spans or metrics are sent", " and ".join(named), verb, missing())
        return False
    exit_timeout = _exit_timeout(_exit.SETTING)
    providers: list[Any] = []
    metric_exporters: list[tuple[str, Any]] = []
    resource = None
    if isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider):
        exporters = _exporters(TRACES, "opentelemetry_traces_exporter")
        if exporters:
            resource = _resource()
            provider = TracerProvider(resource=resource, shutdown_on_exit=False)
            for name, exporter in exporters:
                processor = _checked("OTEL_BSP_*", _exit.CountedBatchSpanProcessor, Watched(name, exporter))
                provider.add_span_processor(processor)
            trace.set_tracer_provider(provider)
            providers.append(provider)
    if type(metrics.get_meter_provider()).__name__ == "_ProxyMeterProvider":
        exporters = metric_exporters = _exporters(METRICS, "opentelemetry_metrics_exporter")
        if exporters:
            readers = [_checked("OTEL_METRIC_EXPORT_*", PeriodicExportingMetricReader, e) for _, e in exporters]
            meter_provider = MeterProvider(
                metric_readers=readers, resource=resource or _resource(), shutdown_on_exit=False
            )
            metrics.set_meter_provider(meter_provider)
            providers.append(meter_provider)
    if providers:
        atexit.register(_exit.shut_down, providers, exit_timeout, metric_exporters)
    return bool(providers)


def _exit_timeout(name: str) -> float:
    """Seconds a command waits at exit for its exporters (setting *name*), read now: a bad value is an error
    when the command starts, not at its exit.

    Raises:
        UsageError: not a number of seconds, 0 or more.
    """
    from simpleflow import settings

    try:
        return settings.get(name)
    except ValueError as err:
        raise UsageError(str(err)) from None


# The numbers the SDK reads for each family, and how: a value its reader cannot read, it replaces by its
# default after logging a traceback (spans) or a warning (metrics); here it is refused like a value it refuses.
_NUMBERS = {
    "OTEL_BSP_*": (
        int,
        (
            "OTEL_BSP_SCHEDULE_DELAY",
            "OTEL_BSP_MAX_QUEUE_SIZE",
            "OTEL_BSP_MAX_EXPORT_BATCH_SIZE",
            "OTEL_BSP_EXPORT_TIMEOUT",
        ),
    ),
    "OTEL_METRIC_EXPORT_*": (float, ("OTEL_METRIC_EXPORT_INTERVAL", "OTEL_METRIC_EXPORT_TIMEOUT")),
}


def _checked(variables: str, make: Any, exporter: Any) -> Any:
    """``make(exporter)``, which reads *variables*: a value the SDK refuses is one line naming them.

    Raises:
        UsageError: a value is not a number the SDK reads, or the SDK refused one (its message names its own
            parameter, not the variable).
    """
    read, names = _NUMBERS[variables]
    for name in names:
        value = os.environ.get(name)
        if value is None:
            continue
        try:
            read(value)
        except ValueError:
            unit = "spans" if name.endswith("_SIZE") else "milliseconds"
            kind = "a whole number" if read is int else "a number"
            raise UsageError(f"{name}={value!r}: not {kind} of {unit}") from None
    try:
        return make(exporter)
    except ValueError as err:
        raise UsageError(f"{variables} variables: {' '.join(str(err).split())}") from None
