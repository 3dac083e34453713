"""Actor base classes a user subclasses: ``Decider`` and ``ActivityWorker`` (``Actor`` their base)."""

from simpleflow.swf.mapper.actors.core import Actor
from simpleflow.swf.mapper.actors.decider import Decider
from simpleflow.swf.mapper.actors.worker import ActivityWorker

__all__ = ["ActivityWorker", "Actor", "Decider"]
