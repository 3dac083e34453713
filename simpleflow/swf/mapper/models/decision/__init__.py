"""Decisions as the original layer builds them: dicts for RespondDecisionTaskCompleted."""

from simpleflow.swf.mapper.models.decision.base import Decision
from simpleflow.swf.mapper.models.decision.marker import MarkerDecision
from simpleflow.swf.mapper.models.decision.task import ActivityTaskDecision
from simpleflow.swf.mapper.models.decision.timer import TimerDecision
from simpleflow.swf.mapper.models.decision.workflow import (
    ChildWorkflowExecutionDecision,
    ExternalWorkflowExecutionDecision,
    WorkflowExecutionDecision,
)

__all__ = [
    "ActivityTaskDecision",
    "ChildWorkflowExecutionDecision",
    "Decision",
    "ExternalWorkflowExecutionDecision",
    "MarkerDecision",
    "TimerDecision",
    "WorkflowExecutionDecision",
]
