"""``Decider``: poll decision tasks (their whole history, every page) and answer them with decisions."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ReadTimeoutError

from simpleflow.swf.mapper.actors.core import Actor, task_faults
from simpleflow.swf.mapper.actors.core import identity as _identity
from simpleflow.swf.mapper.exceptions import PollTimeout
from simpleflow.swf.mapper.models import _fields
from simpleflow.swf.mapper.models.decision.base import Decision
from simpleflow.swf.mapper.models.history.base import History
from simpleflow.swf.mapper.models.workflow import WorkflowExecution, WorkflowType
from simpleflow.swf.mapper.responses import Response
from simpleflow.utils import json_dumps


class Decider(Actor):
    """A decider of *domain* polling *task_list*: ``poll()`` a task, decide, ``complete(token, decisions)``."""

    def complete(
        self,
        task_token: str,
        decisions: list[Decision] | list[dict[str, Any]] | None = None,
        execution_context: Any = None,
    ) -> dict[str, Any]:
        """Answer the decision task *task_token* with *decisions* (an empty list is a valid answer).

        *execution_context* is sent as is when a string, as JSON otherwise. ``DoesNotExistError`` when
        the task is unknown (already answered, timed out, execution closed).
        """
        if execution_context is not None and not isinstance(execution_context, str):
            execution_context = json_dumps(execution_context)
        with task_faults(f"Unable to complete decision task with token={task_token}"):
            return self.respond_decision_task_completed(
                task_token, decisions, execution_context=_fields.execution_context(execution_context)
            )

    def poll(self, task_list: str | None = None, identity: str | None = None, **kwargs: Any) -> Response:
        """Wait for a decision task; ``Response(token=..., history=History, execution=WorkflowExecution)``.

        ``PollTimeout`` when SWF answers with no task. *kwargs* go to PollForDecisionTask
        (``reverse_order``, ``maximum_page_size``...); the history holds every page's events.
        """
        task_list = task_list or self.task_list
        who = _identity(identity)
        try:
            task = self.poll_for_decision_task(self.domain.name, task_list=task_list, identity=who, **kwargs)
        except ReadTimeoutError:
            task = {}
        token = task.get("taskToken")
        if not token:
            raise PollTimeout("Decider poll timed out")
        events = list(task["events"])
        next_page = task.get("nextPageToken")
        while next_page:
            with task_faults("Unable to poll decision task"):
                task = self.poll_for_decision_task(
                    self.domain.name, task_list=task_list, identity=who, next_page_token=next_page, **kwargs
                )
            if not task.get("taskToken"):
                raise PollTimeout("Decider poll timed out")
            events.extend(task["events"])
            next_page = task.get("nextPageToken")
        workflow_type = WorkflowType(self.domain, task["workflowType"]["name"], task["workflowType"]["version"])
        execution = WorkflowExecution(
            self.domain,
            task["workflowExecution"]["workflowId"],
            run_id=task["workflowExecution"]["runId"],
            workflow_type=workflow_type,
        )
        return Response(token=token, history=History.from_event_list(events), execution=execution)
