"""The ``OTEL_*`` variables simpleflow's set-up reads (``_setup``), checked in one place.

The SDK, given a value it cannot use, logs a warning or a traceback and goes on with its default (a sampler
it does not know, a ratio that is no probability, a resource pair without ``=``, a batch delay that is no
number), or raises a ``ValueError`` naming its own parameter. Here each is one line naming the variable
(``UsageError``: exit 2), before any provider is made.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from urllib.parse import unquote

from simpleflow.exceptions import UsageError

__all__ = ["check", "disabled", "resource_attributes", "sampler"]

SAMPLERS = (
    "always_on",
    "always_off",
    "parentbased_always_on",
    "parentbased_always_off",
    "traceidratio",
    "parentbased_traceidratio",
)
RATIO_SAMPLERS = ("traceidratio", "parentbased_traceidratio")
DEFAULT_SAMPLER = "parentbased_always_on"
DEFAULT_QUEUE_SIZE = 2048  # the SDK's OTEL_BSP_MAX_QUEUE_SIZE
DEFAULT_BATCH_SIZE = 512  # and OTEL_BSP_MAX_EXPORT_BATCH_SIZE


def _value(name: str) -> str:
    return os.environ.get(name, "").strip()


def disabled() -> bool:
    """``OTEL_SDK_DISABLED``: true or false (any case; unset or empty: false).

    Raises:
        UsageError: another value (the SDK would take it for false, and say nothing).
    """
    value = _value("OTEL_SDK_DISABLED").lower()
    if value not in ("", "true", "false"):
        raise UsageError(f"OTEL_SDK_DISABLED={os.environ['OTEL_SDK_DISABLED']!r}: expected true or false")
    return value == "true"


def _sampler_name(value: str) -> str | None:
    if value.lower() in SAMPLERS:
        return None
    return f"no such sampler (known: {', '.join(SAMPLERS)})"


def _sampler_arg(value: str) -> str | None:
    if (_value("OTEL_TRACES_SAMPLER").lower() or DEFAULT_SAMPLER) not in RATIO_SAMPLERS:
        return None  # the other samplers take no argument
    try:
        ratio = float(value)
    except ValueError:
        ratio = -1.0
    return None if 0 <= ratio <= 1 else "expected a ratio of traces kept, from 0 to 1"


def _pairs(value: str) -> str | None:
    bad = next((pair for pair in value.split(",") if not pair.partition("=")[0].strip() or "=" not in pair), None)
    return None if bad is None else f"{bad!r} is not a key=value pair (pairs are separated by commas)"


def _number(whole: bool, unit: str, positive: bool) -> Callable[[str], str | None]:
    def problem(value: str) -> str | None:
        try:
            number = int(value) if whole else float(value)
        except ValueError:
            number = None
        if number is not None and (number > 0 or (number == 0 and not positive)):
            return None
        kind = "a whole number" if whole else "a number"
        return f"expected {kind} of {unit}, {'more than 0' if positive else '0 or more'}"

    return problem


def _queue_size(value: str) -> str | None:
    found = _number(True, "spans", True)(value)
    if found is not None or _value("OTEL_BSP_MAX_EXPORT_BATCH_SIZE"):  # the batch's rule says the rest
        return found
    batch = DEFAULT_BATCH_SIZE
    return None if int(value) >= batch else f"fewer spans than a batch (OTEL_BSP_MAX_EXPORT_BATCH_SIZE: {batch})"


def _batch_size(value: str) -> str | None:
    found = _number(True, "spans", True)(value)
    if found is not None:
        return found
    queue = int(_value("OTEL_BSP_MAX_QUEUE_SIZE") or DEFAULT_QUEUE_SIZE)  # checked before
    return None if int(value) <= queue else f"more spans than the queue holds (OTEL_BSP_MAX_QUEUE_SIZE: {queue})"


# Checked in this order (a variable's rule may read one checked before it).
_RULES: dict[str, Callable[[str], str | None]] = {
    "OTEL_TRACES_SAMPLER": _sampler_name,
    "OTEL_TRACES_SAMPLER_ARG": _sampler_arg,
    "OTEL_RESOURCE_ATTRIBUTES": _pairs,
    "OTEL_BSP_SCHEDULE_DELAY": _number(True, "milliseconds", True),
    "OTEL_BSP_MAX_QUEUE_SIZE": _queue_size,
    "OTEL_BSP_MAX_EXPORT_BATCH_SIZE": _batch_size,
    "OTEL_BSP_EXPORT_TIMEOUT": _number(True, "milliseconds", False),
    "OTEL_METRIC_EXPORT_INTERVAL": _number(False, "milliseconds", True),
    "OTEL_METRIC_EXPORT_TIMEOUT": _number(False, "milliseconds", False),
}


def check() -> None:
    """Refuse a value of the variables simpleflow's set-up reads that the SDK would not use (unset or empty: its
    default).

    Raises:
        UsageError: one line naming the variable, its value and what is expected.
    """
    for name, rule in _RULES.items():
        value = _value(name)
        problem = rule(value) if value else None
        if problem is not None:
            raise UsageError(f"{name}={os.environ[name]!r}: {problem}")


def sampler() -> object:
    """The SDK sampler ``OTEL_TRACES_SAMPLER`` and ``OTEL_TRACES_SAMPLER_ARG`` name (checked): made here, so that
    an unset ratio is the spec's 1.0 without the SDK's warning about it."""
    from opentelemetry.sdk.trace import sampling

    name = _value("OTEL_TRACES_SAMPLER").lower() or DEFAULT_SAMPLER
    if name in RATIO_SAMPLERS:
        ratio = float(_value("OTEL_TRACES_SAMPLER_ARG") or 1.0)
        return (sampling.TraceIdRatioBased if name == "traceidratio" else sampling.ParentBasedTraceIdRatio)(ratio)
    fixed = {
        "always_on": sampling.ALWAYS_ON,
        "always_off": sampling.ALWAYS_OFF,
        "parentbased_always_on": sampling.DEFAULT_ON,
        "parentbased_always_off": sampling.DEFAULT_OFF,
    }
    return fixed[name]


def resource_attributes() -> dict[str, str]:
    """The resource ``OTEL_RESOURCE_ATTRIBUTES`` and ``OTEL_SERVICE_NAME`` give (read as the SDK reads them),
    ``service.name`` ``simpleflow`` when neither names it.

    Raises:
        UsageError: a pair of ``OTEL_RESOURCE_ATTRIBUTES`` is not ``key=value``.
    """
    text = os.environ.get("OTEL_RESOURCE_ATTRIBUTES", "")
    problem = _pairs(text) if text.strip() else None
    if problem is not None:
        raise UsageError(f"OTEL_RESOURCE_ATTRIBUTES={text!r}: {problem}")
    attributes: dict[str, str] = {}
    for pair in text.split(",") if text.strip() else ():
        key, _, value = pair.partition("=")
        attributes[key.strip()] = unquote(value.strip())
    if os.environ.get("OTEL_SERVICE_NAME"):
        attributes["service.name"] = os.environ["OTEL_SERVICE_NAME"]
    attributes.setdefault("service.name", "simpleflow")
    return attributes
