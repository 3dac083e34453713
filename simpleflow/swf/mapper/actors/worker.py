"""``ActivityWorker``: poll activity tasks and answer them (complete, fail, cancel), heartbeating meanwhile."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ReadTimeoutError

from simpleflow.exceptions import JumboFieldTooLarge
from simpleflow.swf.mapper.actors.core import Actor, task_faults
from simpleflow.swf.mapper.actors.core import identity as _identity
from simpleflow.swf.mapper.exceptions import PollTimeout, RateLimitExceededError
from simpleflow.swf.mapper.models import _fields
from simpleflow.swf.mapper.models.activity import ActivityTask
from simpleflow.swf.mapper.models.domain import Domain
from simpleflow.swf.mapper.responses import Response
from simpleflow.utils import format_exc


class ActivityWorker(Actor):
    """A worker of *domain* polling *task_list*; *identity* is what SWF records as the poller."""

    def __init__(self, domain: Domain, task_list: str, identity: str | None = None) -> None:
        super().__init__(domain, task_list)
        self._identity = identity

    def cancel(self, task_token: str, details: str | None = None) -> dict[str, Any]:
        """Answer that the task is canceled (``DoesNotExistError`` if the task is unknown)."""
        with task_faults(f"Unable to cancel activity task with token={task_token}"):
            return self.respond_activity_task_canceled(task_token, details=_fields.details(details))

    def complete(self, task_token: str, result: Any = None) -> dict[str, Any]:
        """Complete the task with *result* (JSON). A result too large for SWF (and no jumbo bucket) fails it."""
        try:
            text = _fields.result(result)
        except JumboFieldTooLarge as error:
            return self.respond_activity_task_failed(task_token, reason=_fields.reason(format_exc(error)[:256]))
        with task_faults(f"Unable to complete activity task with token={task_token}"):
            return self.respond_activity_task_completed(task_token, text)

    def fail(self, task_token: str, details: str | None = None, reason: str | None = None) -> dict[str, Any]:
        """Fail the task with *reason* and *details* (texts)."""
        try:
            fields = {"details": _fields.details(details), "reason": _fields.reason(reason)}
        except JumboFieldTooLarge as error:
            return self.respond_activity_task_failed(task_token, reason=_fields.reason(format_exc(error)[:256]))
        with task_faults(f"Unable to fail activity task with token={task_token}"):
            return self.respond_activity_task_failed(task_token, **fields)

    def heartbeat(self, task_token: str, details: str | None = None) -> dict[str, Any]:
        """Record a heartbeat; SWF's answer says ``cancelRequested``. ``DoesNotExistError`` once the task is
        closed or timed out, ``RateLimitExceededError`` when throttled."""
        with task_faults(
            f"Unable to send heartbeat with token={task_token}", ThrottlingException=RateLimitExceededError
        ):
            return self.record_activity_task_heartbeat(task_token, _fields.heartbeat_details(details))

    def poll(self, task_list: str | None = None, identity: str | None = None) -> Response:
        """Wait for an activity task: ``Response(task_token=..., activity_task=ActivityTask, raw_response=...)``.

        ``PollTimeout`` when SWF answers with no task.
        """
        task_list = task_list or self.task_list
        try:
            with task_faults("Unable to poll activity task"):
                task = self.poll_for_activity_task(
                    self.domain.name, task_list, identity=_identity(identity or self._identity)
                )
        except ReadTimeoutError:
            task = {}
        if not task.get("taskToken"):
            raise PollTimeout("Activity Worker poll timed out")
        activity_task = ActivityTask.from_poll(self.domain, self.task_list, task)
        return Response(task_token=activity_task.task_token, activity_task=activity_task, raw_response=task)
