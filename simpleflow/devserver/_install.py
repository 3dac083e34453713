"""Putting the dev server's classes in place of moto's, in this process, before moto serves a request.

moto builds its objects by the names its modules import (``WorkflowExecution`` in
``moto.swf.models``, ``ActivityTask`` in its ``workflow_execution`` module...) or by its
``KNOWN_SWF_TYPES`` (the types), its backends from the class its ``BackendDict`` holds (whose URL
handlers are this package's): each of those names now gives this package's subclass.
"""

from __future__ import annotations

from simpleflow.devserver import _runtime
from simpleflow.devserver._events import register_event_types


def install(runtime: _runtime.Runtime) -> None:
    """Extend moto's SWF in this process (once; a later call only changes the settings)."""
    import moto.swf.models as models
    import moto.swf.models.workflow_execution as workflow_execution

    from simpleflow.devserver._backend import Backend
    from simpleflow.devserver._domain import Domain
    from simpleflow.devserver._execution import Execution
    from simpleflow.devserver._tasks import ActivityTask
    from simpleflow.devserver._types import ActivityType, WorkflowType

    _runtime.configure(runtime)
    if models.swf_backends.backend is Backend:
        return
    _list_moto_modules_once()
    register_event_types()
    models.WorkflowExecution = Execution  # SWFBackend.start_workflow_execution
    models.Domain = Domain  # SWFBackend.register_domain
    workflow_execution.ActivityTask = ActivityTask  # WorkflowExecution.schedule_activity_task
    models.KNOWN_SWF_TYPES.update(activity=ActivityType, workflow=WorkflowType)  # SWFBackend.register_type
    models.swf_backends.backend = Backend
    models.swf_backends.clear()


def _list_moto_modules_once() -> None:
    """moto's dispatcher asks which folders its package holds twice per request (a listdir and ~170 stats:
    2 ms of a 5 ms DescribeDomain): they are the same for the life of the process, so they are listed once."""
    import moto.backends as backends

    folders = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: folders
