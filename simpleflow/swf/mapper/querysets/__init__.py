"""Querysets: the models of a kind read from SWF (``get``, ``filter``, ``all``) or registered (``create``)."""

from simpleflow.swf.mapper.querysets.activity import ActivityTypeQuerySet
from simpleflow.swf.mapper.querysets.domain import DomainQuerySet
from simpleflow.swf.mapper.querysets.history import HistoryQuerySet
from simpleflow.swf.mapper.querysets.workflow import WorkflowExecutionQuerySet, WorkflowTypeQuerySet

__all__ = [
    "ActivityTypeQuerySet",
    "DomainQuerySet",
    "HistoryQuerySet",
    "WorkflowExecutionQuerySet",
    "WorkflowTypeQuerySet",
]
