"""The dev server's SWF backend: moto's, with long polls, tasks found by token, on-time timeouts, no new
execution or type in a deprecated domain (whose types are deprecated with it), and the calls moto lacks
(RequestCancelWorkflowExecution, RespondActivityTaskCanceled, counts, DeleteActivityType and
DeleteWorkflowType)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from moto.swf.exceptions import (
    SWFClientError,
    SWFDomainDeprecatedFault,
    SWFUnknownResourceFault,
    SWFValidationException,
)
from moto.swf.models import SWFBackend
from moto.swf.models.decision_task import DecisionTask as MotoDecisionTask

from simpleflow.devserver import _runtime
from simpleflow.devserver._listing import select


class TypeNotDeprecatedFault(SWFClientError):
    """ "Returned when the resource type has not been deprecated" (DeleteActivityType, DeleteWorkflowType)."""

    def __init__(self, found: Any) -> None:
        name = f"{type(found).__name__}=[name={found.name}, version={found.version}]"
        super().__init__("com.amazonaws.swf.base.model#TypeNotDeprecatedFault", name)


class Backend(SWFBackend):
    @property
    def _url_module(self) -> Any:
        # moto finds a backend's URL handlers in the ``urls`` module beside the backend's class: SWF's
        # addresses, handled by this package's Responses.
        import moto.swf.urls

        from simpleflow.devserver._responses import Responses

        return SimpleNamespace(url_bases=moto.swf.urls.url_bases, url_paths={"{0}/$": Responses.dispatch})

    def _process_timeouts(self) -> None:
        # moto looks for timeouts in every execution of every domain at each call; the clock keeps them
        # on time, and whatever is due before this call is applied first.
        _runtime.current().clock.run_due()

    # -- polls ---------------------------------------------------------------------

    def poll_for_decision_task(self, domain_name: str, task_list: str, identity: str | None = None) -> Any:
        return self._poll("decision", domain_name, task_list, identity)

    def poll_for_activity_task(self, domain_name: str, task_list: str, identity: str | None = None) -> Any:
        return self._poll("activity", domain_name, task_list, identity)

    def _poll(self, kind: str, domain_name: str, task_list: str, identity: str | None) -> Any:
        self._process_timeouts()
        domain = self._get_domain(domain_name)
        runtime = _runtime.current()

        def take() -> Any:
            task = domain.take(kind, task_list)
            if task is None:
                return None
            execution = task.workflow_execution
            if kind == "decision":
                execution.start_decision_task(task.task_token, identity=identity)
            else:
                execution.start_activity_task(task.task_token, identity=identity)
            return task if execution.open else None  # its start filled the history: the run was terminated

        return runtime.waiters.hold((kind, domain_name, task_list), runtime.poll_wait, take)

    def count_pending_decision_tasks(self, domain_name: str, task_list: str) -> int:
        return self._count_pending(self.domain_of(domain_name).decision_task_lists, task_list)

    def count_pending_activity_tasks(self, domain_name: str, task_list: str) -> int:
        return self._count_pending(self.domain_of(domain_name).activity_task_lists, task_list)

    @staticmethod
    def _count_pending(lists: dict[str, list[Any]], task_list: str) -> int:
        return sum(1 for t in lists.get(task_list, ()) if t.state == "SCHEDULED" and t.workflow_execution.open)

    def domain_of(self, name: str) -> Any:
        self._process_timeouts()
        return self._get_domain(name)

    # -- tasks by token ----------------------------------------------------------------

    def find_task(self, task_token: str) -> Any:
        """The task of *task_token* (ValidationException: no such token)."""
        for domain in self.domains:
            task = domain.tasks_by_token.get(task_token)
            if task is not None:
                return task
        raise SWFValidationException("Invalid token")

    def _started_task(self, task_token: str, what: str) -> Any:
        task = self.find_task(task_token)
        if isinstance(task, MotoDecisionTask) != (what == "decision task"):
            # The token of the other kind of task (a decision task's to RespondActivityTaskCompleted...): moto
            # looked for it among the other kind's tasks and answered HTTP 500. None of that kind has it.
            other = "a decision task's" if isinstance(task, MotoDecisionTask) else "an activity task's"
            raise SWFUnknownResourceFault(what, f"the token is {other}")
        execution = task.workflow_execution
        if not execution.open:
            raise SWFUnknownResourceFault(
                "execution", f"WorkflowExecution=[workflowId={execution.workflow_id}, runId={execution.run_id}]"
            )
        if task.state != "STARTED":  # completed, timed out, cancelled: SWF knows the task no more
            raise SWFUnknownResourceFault(f"{what}, scheduledEventId = {task.scheduled_event_id}")
        return task

    def _find_activity_task_from_token(self, task_token: str) -> Any:
        return self._started_task(task_token, "activity")

    def respond_decision_task_completed(
        self,
        task_token: str,
        decisions: list[dict[str, Any]] | None = None,
        execution_context: str | None = None,
        task_list_override: tuple[str, Any] | None = None,
    ) -> None:
        self._process_timeouts()
        task = self._started_task(task_token, "decision task")
        task.workflow_execution.complete_decision_task(
            task_token, decisions=decisions, execution_context=execution_context, task_list_override=task_list_override
        )

    def record_activity_task_heartbeat(self, task_token: str, details: Any = None) -> bool:
        """Record the heartbeat; whether the task's cancellation was asked (``cancelRequested``)."""
        self._process_timeouts()
        task = self._find_activity_task_from_token(task_token)
        task.heartbeat(details)
        return task.cancel_requested_event_id is not None

    def respond_activity_task_canceled(self, task_token: str, details: str | None = None) -> None:
        self._process_timeouts()
        task = self._find_activity_task_from_token(task_token)
        execution = task.workflow_execution
        execution.cancel_activity_task(task, details)
        execution.schedule_decision_task()

    # -- a deprecated domain -------------------------------------------------------------

    def _live_domain(self, name: str) -> Any:
        """The domain *name*, unless it is deprecated (DomainDeprecatedFault).

        SWF's API reference, DeprecateDomain: "After a domain has been deprecated it cannot be used to create
        new workflow executions or register new types. However, you can still use visibility actions on this
        domain." moto starts executions and registers types there. The fault is the one the reference
        describes as "Returned when the specified domain has been deprecated" (DomainDeprecatedFault).
        """
        domain = self.domain_of(name)
        if domain.status == "DEPRECATED":
            raise SWFDomainDeprecatedFault(name)
        return domain

    def deprecate_domain(self, name: str) -> None:
        """Deprecate the domain *name* and every type registered in it.

        SWF's API reference, DeprecateDomain: "Deprecating a domain also deprecates all activity and workflow
        types registered in the domain." moto deprecates the domain alone. UndeprecateDomain's reference says
        nothing of the types: they stay deprecated, as a type deprecated on its own does.
        """
        super().deprecate_domain(name)
        for family in self._get_domain(name).types.values():
            for versions in family.values():
                for registered in versions.values():
                    if registered.status == "REGISTERED":  # a type deprecated before keeps its date
                        registered.status = "DEPRECATED"

    def start_workflow_execution(self, domain_name: str, *args: Any, **kwargs: Any) -> Any:
        self._live_domain(domain_name)
        return super().start_workflow_execution(domain_name, *args, **kwargs)

    def register_type(self, kind: str, domain_name: str, *args: Any, **kwargs: Any) -> None:
        self._live_domain(domain_name)
        super().register_type(kind, domain_name, *args, **kwargs)

    def delete_type(self, kind: str, domain_name: str, name: str, version: str) -> None:
        """Forget a deprecated type of the domain.

        SWF's API reference, DeleteActivityType: "Prior to deletion, activity types must first be deprecated.
        After an activity type has been deleted, you cannot schedule new activities of that type. Activities
        that started before the type was deleted will continue to run." DeleteWorkflowType reads the same of
        executions. moto lacks both calls (an HTTP 500).
        """
        domain = self.domain_of(domain_name)
        found = domain.get_type(kind, name, version)  # UnknownResourceFault
        if found.status != "DEPRECATED":
            raise TypeNotDeprecatedFault(found)
        versions = domain.types[kind][name]
        del versions[version]
        if not versions:
            del domain.types[kind][name]

    # -- executions ----------------------------------------------------------------------

    def request_cancel_workflow_execution(self, domain_name: str, workflow_id: str, run_id: str | None = None) -> None:
        domain = self.domain_of(domain_name)
        execution = domain.get_workflow_execution(workflow_id, run_id=run_id or None, raise_if_closed=True)
        if execution is None:
            raise SWFUnknownResourceFault("execution", f"WorkflowExecution=[workflowId={workflow_id}, runId={run_id}]")
        execution.request_cancel()

    def select_executions(self, domain_name: str, params: dict[str, Any], closed: bool) -> list[Any]:
        return select(self.domain_of(domain_name).workflow_executions, params, closed)
