"""Replay-aware logging: a line logged by ``run`` is written once per execution.

A full replay re-executes code whose lines were already logged by an earlier
decision; while the run is only catching up with its history, its records
are dropped.
"""

from __future__ import annotations

import logging

from simpleflow import futures


class ReplayLogFilter(logging.Filter):
    """Drops records logged by a workflow's ``run`` while it is replaying known history."""

    def filter(self, record: logging.LogRecord) -> bool:
        run = futures.current_executor()
        return run is None or not run.replaying
