"""Global providers from the standard ``OTEL_*`` variables, for the ``simpleflow`` commands.

When the OpenTelemetry SDK is installed, no provider is set yet (by the program or by
``opentelemetry-instrument``) and ``OTEL_TRACES_EXPORTER`` (``OTEL_METRICS_EXPORTER``) names exporters,
simpleflow sets an SDK ``TracerProvider`` (``MeterProvider``) with those exporters, found by name among
the installed ``opentelemetry_traces_exporter`` (``..._metrics_exporter``) entry points: ``console``
comes with the SDK, ``otlp`` with ``opentelemetry-exporter-otlp``. Spans are batched
(``OTEL_BSP_*``), metrics read every ``OTEL_METRIC_EXPORT_INTERVAL`` ms; the sampler is the SDK's one
``OTEL_TRACES_SAMPLER`` names; the resource reads ``OTEL_RESOURCE_ATTRIBUTES`` and ``OTEL_SERVICE_NAME``
(``service.name`` ``simpleflow`` when neither names it). Unlike the SDK's own auto-configuration, an
unset variable means no exporter (not ``otlp``): nothing is sent anywhere unless asked; and a value the
SDK would not use is refused (``_variables``). At exit, what the exporters hold is exported within
``SIMPLEFLOW_TELEMETRY_EXIT_TIMEOUT`` seconds (``_exit``).
"""

from __future__ import annotations

import atexit
import logging
import os
from typing import Any

from simpleflow.exceptions import UsageError
from simpleflow.telemetry import _variables
from simpleflow.telemetry._variables import resource_attributes

logger = logging.getLogger(__name__)

__all__ = ["EXIT_TIMEOUT", "exporter_names", "missing", "resource_attributes", "setup_from_environment", "wanted"]

TRACES = "OTEL_TRACES_EXPORTER"
METRICS = "OTEL_METRICS_EXPORTER"
EXIT_TIMEOUT = "SIMPLEFLOW_TELEMETRY_EXIT_TIMEOUT"


def wanted() -> bool:
    """Whether the environment asks for exporters at all (cheap: read before importing anything).

    Raises:
        UsageError: ``OTEL_SDK_DISABLED`` is neither true nor false.
    """
    if _variables.disabled():
        return False
    return any(exporter_names(variable) for variable in (TRACES, METRICS))


def exporter_names(variable: str) -> list[str]:
    """The exporters *variable* names, each once (``console,console`` would export every span twice)."""
    names = [name.strip() for name in os.environ.get(variable, "").split(",") if name.strip()]
    return list(dict.fromkeys(name for name in names if name != "none"))


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
    from importlib.metadata import entry_points

    found = []
    installed = {ep.name: ep for ep in entry_points(group=group)}
    for name in exporter_names(variable):
        if name not in installed:
            known = ", ".join(sorted(installed)) or "none installed"
            raise UsageError(f"{variable}={name!r}: no such exporter installed (known: {known})")
        found.append((name, installed[name].load()()))
    return found


def _resource() -> Any:
    from opentelemetry.sdk.resources import Resource

    return Resource.create({"service.name": resource_attributes()["service.name"]})


def setup_from_environment() -> bool:
    """Set the global providers the ``OTEL_*`` variables ask for (see the module); whether any was set.

    Raises:
        UsageError: a variable names an exporter that is not installed, or has a value the SDK would not use
            (``_variables``); ``SIMPLEFLOW_TELEMETRY_EXIT_TIMEOUT`` is no wait (checked with or without exporters).
    """
    exit_timeout = _exit_timeout(EXIT_TIMEOUT)
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
    tracing = isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider)
    metering = type(metrics.get_meter_provider()).__name__ == "_ProxyMeterProvider"
    if tracing or metering:  # else a provider is set by whoever reads these variables (opentelemetry-instrument)
        _variables.check()
    providers: list[Any] = []
    metric_exporters: list[tuple[str, Any]] = []
    resource = None
    if tracing:
        exporters = _exporters(TRACES, "opentelemetry_traces_exporter")
        if exporters:
            resource = _resource()
            provider = TracerProvider(resource=resource, sampler=_variables.sampler(), shutdown_on_exit=False)
            for name, exporter in exporters:
                processor = _checked("OTEL_BSP_*", _exit.CountedBatchSpanProcessor, Watched(name, exporter))
                provider.add_span_processor(processor)
            trace.set_tracer_provider(provider)
            providers.append(provider)
    if metering:
        exporters = metric_exporters = _exporters(METRICS, "opentelemetry_metrics_exporter")
        if exporters:
            readers = [_checked("OTEL_METRIC_EXPORT_*", PeriodicExportingMetricReader, e) for _, e in exporters]
            meter_provider = MeterProvider(
                metric_readers=readers, resource=resource or _resource(), shutdown_on_exit=False
            )
            metrics.set_meter_provider(meter_provider)
            providers.append(meter_provider)
            logging.getLogger(_METRIC_EXPORT_LOGGER).addFilter(_OneLineExportError())
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


def _checked(variables: str, make: Any, exporter: Any) -> Any:
    """``make(exporter)``, which reads *variables* (checked before: ``_variables``): a value the SDK still refuses
    is one line naming them.

    Raises:
        UsageError: the SDK refused a value (its message names its own parameter, not the variable).
    """
    try:
        return make(exporter)
    except ValueError as err:
        raise UsageError(f"{variables} variables: {' '.join(str(err).split())}") from None


# The SDK's periodic reader logs an exporter that raises with ``logger.exception``: a traceback per interval.
_METRIC_EXPORT_LOGGER = "opentelemetry.sdk.metrics._internal.export"


class _OneLineExportError(logging.Filter):
    """A metric exporter's error as one line, as a span exporter's is (``_watch``); its traceback at DEBUG."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None and not logger.isEnabledFor(logging.DEBUG):
            error = record.exc_info[1]
            record.msg, record.args = "a metric exporter failed: %s: %s", (type(error).__name__, error)
            record.exc_info = record.exc_text = None
        return True
