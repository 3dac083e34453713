"""The trace of an execution, named by its workflow id and run id alone.

Every decider and worker process, on any host and after any restart, computes the same ids from
the two ids SWF gives with every task, so their spans meet in one trace without anything passed
through SWF:

    digest   = SHA-256 of the UTF-8 bytes of "simpleflow-trace\\n" + workflow_id + "\\n" + run_id
    trace id = digest[0:16] (128 bits, big-endian)
    span id  = digest[16:24] of the execution's root span (64 bits, big-endian)

An all-zero id (invalid in W3C trace context) becomes 1. docs/observability.md gives the same recipe.
Pure: no OpenTelemetry import.
"""

from __future__ import annotations

import hashlib

__all__ = ["execution_ids", "hex_span_id", "hex_trace_id", "stable_span_id"]


def execution_ids(workflow_id: str, run_id: str) -> tuple[int, int]:
    """(trace id, root span id) of the execution *workflow_id* / *run_id*."""
    digest = hashlib.sha256(f"simpleflow-trace\n{workflow_id}\n{run_id}".encode()).digest()
    return int.from_bytes(digest[:16], "big") or 1, int.from_bytes(digest[16:24], "big") or 1


def stable_span_id(trace_id: int, *parts: object) -> int:
    """A span id fixed by *parts* within a trace (``workflow.trace`` gives the same ids on every run)."""
    text = "\n".join([f"{trace_id:032x}", *map(str, parts)])
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big") or 1


def hex_trace_id(trace_id: int) -> str:
    return f"{trace_id:032x}"


def hex_span_id(span_id: int) -> str:
    return f"{span_id:016x}"
