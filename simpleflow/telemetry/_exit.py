"""A command's exit with exporters set up from ``OTEL_*`` (``_setup``): what they hold is exported with a
bounded wait, ``SIMPLEFLOW_TELEMETRY_EXIT_TIMEOUT`` seconds, not their whole retry budget.

Imported only with the SDK installed.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from typing import Any

from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

from simpleflow.telemetry import _watch
from simpleflow.telemetry._setup import EXIT_TIMEOUT as SETTING


class CountedBatchSpanProcessor(BatchSpanProcessor):
    """The SDK's batch processor, counting the spans it queues for its watched exporter (``held_spans``)."""

    def __init__(self, exporter: _watch.Watched) -> None:
        super().__init__(exporter)
        self._watched = exporter

    def on_end(self, span: Any) -> None:
        if span.context and span.context.trace_flags.sampled:  # those the processor queues
            self._watched.ended()
        super().on_end(span)


def shut_down(providers: list[Any], seconds: float, metric_exporters: list[tuple[str, Any]]) -> None:
    """At exit: export what the providers hold, waiting *seconds* at most (0: nothing more is exported, no wait);
    then stop the exporters still at it (*metric_exporters*: the meter provider's, by name) and leave, saying in
    one line what may not have been exported, if anything. Ctrl-C meanwhile drops it with one line, not the
    traceback of the SDK's own exit hook, and exit 130 as Ctrl-C anywhere else (the command's own status is set
    by then: only ``os._exit`` can change it)."""
    quiet = _OneLineAtExit()
    for handler in logging.getLogger().handlers:
        handler.addFilter(quiet)
    try:
        left = _wait(providers, seconds) if seconds > 0 else providers
    except KeyboardInterrupt:
        quiet.closed = True
        sys.stderr.write("simpleflow: interrupted: the spans and metric points not exported yet are dropped\n")
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(130)
    if not left or _watch.stopped():  # stopped: Ctrl-C said already what is dropped
        return
    metrics = [name for name, _ in metric_exporters] if any(isinstance(p, MeterProvider) for p in left) else []
    quiet.closed = True  # the exporters' last words (aborting their retries) are this line's
    _watch.interrupt()  # no export starts from now on: what is held now is what is left behind
    for _, exporter in metric_exporters if metrics else ():
        try:
            exporter.shutdown(timeout_millis=0)  # an export waiting to try again gives up
        except Exception:  # leaving all the same
            pass
    held = _watch.held_spans()
    if held or metrics:  # else every span went: a provider was only slow to stop
        sys.stderr.write(f"simpleflow: {_not_exported(held, metrics, seconds)}\n")


def _wait(providers: list[Any], seconds: float) -> list[Any]:
    """Shut *providers* down, each on a thread of its own; those still at it after *seconds*."""
    threads = []
    for provider in providers:
        thread = threading.Thread(target=_shut_down_one, args=(provider,), name="simpleflow-exit", daemon=True)
        thread.start()
        threads.append((provider, thread))
    deadline = time.monotonic() + seconds
    for _, thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    return [provider for provider, thread in threads if thread.is_alive()]


def _shut_down_one(provider: Any) -> None:
    try:
        provider.shutdown()
    except Exception:  # an exporter's trouble must not fail the process leaving (the SDK logged it)
        pass


def _not_exported(held: dict[str, int], metrics: list[str], seconds: float) -> str:
    """What leaving now drops (*held* spans by exporter, the points of the *metrics* exporters), and why."""
    spans = sum(held.values())
    what = [f"{spans} span{'s' if spans != 1 else ''}"] if spans else []
    what += ["the last metric points"] if metrics else []
    names = list(dict.fromkeys([*held, *metrics]))
    exporters = " and ".join(f"the {name}" for name in names) + (" exporter" if len(names) == 1 else " exporters")
    if seconds > 0:
        why = f"{exporters} had not finished after {seconds:g} s ({SETTING})"
    else:
        why = f"{SETTING} is 0: no wait for {exporters}"
    return f"{' and '.join(what)} may not have been exported: {why}"


class _OneLineAtExit(logging.Filter):
    """The OpenTelemetry SDK's records at exit: a warning once (an exporter retrying logs the same one at each
    try), errors each; none once ``closed``."""

    def __init__(self) -> None:
        super().__init__()
        self.closed = False
        self._said: set[tuple[str, Any]] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith("opentelemetry"):
            return True
        if self.closed:
            return False
        if record.levelno >= logging.ERROR:
            return True
        said = (record.name, record.msg)
        if said in self._said:
            return False
        self._said.add(said)
        return True
