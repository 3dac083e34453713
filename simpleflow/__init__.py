"""simpleflow: distributed workflows as plain Python on Amazon SWF."""

from __future__ import annotations

import logging

from simpleflow import activity, canvas, exceptions, futures
from simpleflow.activity import Activity
from simpleflow.cached import cached
from simpleflow.queries import query
from simpleflow.retry import RetryPolicy
from simpleflow.task import WaitForSignal
from simpleflow.workflow import Workflow

__version__ = "1.0.0a1"

# simpleflow's logger for workflow and activity code (``from simpleflow import logger``).
logger = logging.getLogger("simpleflow")

__all__ = [
    "Activity",
    "RetryPolicy",
    "WaitForSignal",
    "Workflow",
    "__version__",
    "activity",
    "cached",
    "canvas",
    "exceptions",
    "futures",
    "logger",
    "query",
]
