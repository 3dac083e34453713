"""simpleflow: distributed workflows as plain Python on Amazon SWF."""

from __future__ import annotations

from simpleflow import activity, canvas, exceptions, futures
from simpleflow.activity import Activity
from simpleflow.cached import cached
from simpleflow.workflow import Workflow

__version__ = "1.0.0a1"

__all__ = ["Activity", "Workflow", "__version__", "activity", "cached", "canvas", "exceptions", "futures"]
