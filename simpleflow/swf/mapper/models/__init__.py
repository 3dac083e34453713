"""The models: ``Domain``, ``WorkflowType``, ``WorkflowExecution``, ``ActivityType``, ``ActivityTask``, ``History``.

Events are in ``models.event``, decisions in ``models.decision``.
"""

from simpleflow.swf.mapper.models.activity import ActivityTask, ActivityType
from simpleflow.swf.mapper.models.base import BaseModel
from simpleflow.swf.mapper.models.domain import Domain
from simpleflow.swf.mapper.models.history.base import History
from simpleflow.swf.mapper.models.workflow import WorkflowExecution, WorkflowType

__all__ = ["ActivityTask", "ActivityType", "BaseModel", "Domain", "History", "WorkflowExecution", "WorkflowType"]
