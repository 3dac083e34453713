"""``ActivityType`` (a registered activity type) and ``ActivityTask`` (a task a worker polled)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from simpleflow.swf.mapper import exceptions
from simpleflow.swf.mapper.constants import REGISTERED
from simpleflow.swf.mapper.exceptions import AlreadyExistsError, DoesNotExistError, extract_error_code, extract_message
from simpleflow.swf.mapper.models._faults import swf_faults
from simpleflow.swf.mapper.models.base import BaseModel, ModelDiff
from simpleflow.swf.mapper.utils import immutable

if TYPE_CHECKING:
    from simpleflow.swf.mapper.models.domain import Domain
    from simpleflow.swf.mapper.models.workflow import WorkflowExecution


class ActivityTypeDoesNotExist(Exception):
    """The activity type is not registered."""


_UNKNOWN_TYPE = exceptions.is_unknown("ActivityType")
# The model's timeout attributes and SWF's names of the type's defaults.
_TIMEOUTS = {
    "task_heartbeat_timeout": "defaultTaskHeartbeatTimeout",
    "task_schedule_to_close_timeout": "defaultTaskScheduleToCloseTimeout",
    "task_schedule_to_start_timeout": "defaultTaskScheduleToStartTimeout",
    "task_start_to_close_timeout": "defaultTaskStartToCloseTimeout",
}


@immutable
class ActivityType(BaseModel):
    """An activity type of *domain*: ``ActivityType(domain, name, version, task_list=..., ...)``.

    The timeouts are the defaults of its tasks, in seconds (``"NONE"``: no limit); ``save()`` registers
    them as given (0 included). Dates are SWF's when read from it.
    """

    kind = "type"

    __slots__ = [
        "creation_date",
        "deprecation_date",
        "description",
        "domain",
        "name",
        "status",
        "task_heartbeat_timeout",
        "task_list",
        "task_schedule_to_close_timeout",
        "task_schedule_to_start_timeout",
        "task_start_to_close_timeout",
        "version",
    ]

    def __init__(
        self,
        domain: Domain,
        name: str,
        version: str,
        status: str = REGISTERED,
        description: str | None = None,
        creation_date: Any = 0.0,
        deprecation_date: Any = 0.0,
        task_list: str | None = None,
        task_heartbeat_timeout: int | str = 0,
        task_schedule_to_close_timeout: int | str = 0,
        task_schedule_to_start_timeout: int | str = 0,
        task_start_to_close_timeout: int | str = 0,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        self.domain = domain
        self.name = name
        self.version = version
        self.status = status
        self.description = description
        self.creation_date = creation_date
        self.deprecation_date = deprecation_date
        self.task_list = task_list
        self.task_heartbeat_timeout = task_heartbeat_timeout
        self.task_schedule_to_close_timeout = task_schedule_to_close_timeout
        self.task_schedule_to_start_timeout = task_schedule_to_start_timeout
        self.task_start_to_close_timeout = task_start_to_close_timeout
        super().__init__(*args, **kwargs)

    def _diff(self, ignore_fields: list[str] | None = None) -> ModelDiff:
        with swf_faults(message="Remote ActivityType does not exist"):
            description = self.describe_activity_type(self.domain.name, self.name, self.version)
        info, config = description["typeInfo"], description["configuration"]
        dates = [(name, getattr(self, name), info.get(key)) for name, key in _DATES.items() if getattr(self, name)]
        return ModelDiff(
            ("name", self.name, info["activityType"]["name"]),
            ("version", self.version, info["activityType"]["version"]),
            ("status", self.status, info["status"]),
            ("description", self.description, info.get("description")),
            *dates,
            ("task_list", self.task_list, (config.get("defaultTaskList") or {}).get("name")),
            *((name, getattr(self, name), config.get(key)) for name, key in _TIMEOUTS.items()),
            ignore_fields=ignore_fields,
        )

    @property
    def exists(self) -> bool:
        """Whether SWF has this type (another fault, an unknown domain included, raises botocore's ClientError)."""
        try:
            with swf_faults(ActivityTypeDoesNotExist, when_unknown=_UNKNOWN_TYPE, others=None):
                self.describe_activity_type(self.domain.name, self.name, self.version)
        except ActivityTypeDoesNotExist:
            return False
        return True

    def save(self) -> None:
        """Register the type (``AlreadyExistsError`` if it is; ``DoesNotExistError`` for an unknown or
        deprecated domain)."""
        try:
            self.register_activity_type(
                self.domain.name,
                self.name,
                self.version,
                task_list=self.task_list,
                description=self.description,
                **{f"default_{name}": _text(getattr(self, name)) for name in _TIMEOUTS},
            )
        except ClientError as error:
            code, message = extract_error_code(error), extract_message(error)
            if code == "TypeAlreadyExistsFault":
                raise AlreadyExistsError(f"{self} already exists") from error
            if code in ("UnknownResourceFault", "TypeDeprecatedFault"):
                raise DoesNotExistError(f"{code}: {message}") from error
            raise

    def delete(self) -> None:
        """Deprecate the type (``ActivityTypeDoesNotExist`` if it is unknown)."""
        with swf_faults(ActivityTypeDoesNotExist, when_unknown=_UNKNOWN_TYPE, others=None):
            self.deprecate_activity_type(self.domain.name, self.name, self.version)

    def upstream(self) -> ActivityType:
        """SWF's version of this type."""
        from simpleflow.swf.mapper.querysets.activity import ActivityTypeQuerySet

        return ActivityTypeQuerySet(self.domain).get(self.name, self.version)

    def __repr__(self) -> str:
        return (
            f"<{self.__class__.__name__} domain={self.domain.name} name={self.name} version={self.version}"
            f" status={self.status}>"
        )


_DATES = {"creation_date": "creationDate", "deprecation_date": "deprecationDate"}


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


@immutable
class ActivityTask(BaseModel):
    """A polled activity task: ``task_token``, ``activity_type``, ``workflow_execution``, ``input`` (SWF's
    text), ``activity_id``, ``started_event_id``; ``context`` is the poll's whole answer."""

    __slots__ = [
        "activity_id",
        "activity_type",
        "domain",
        "input",
        "started_event_id",
        "task_list",
        "task_token",
        "workflow_execution",
    ]

    def __init__(
        self,
        domain: Domain,
        task_list: str,
        task_token: str | None = None,
        activity_type: ActivityType | None = None,
        workflow_execution: WorkflowExecution | None = None,
        input: str | None = None,
        activity_id: str | None = None,
        started_event_id: int | None = None,
        context: dict[str, Any] | None = None,
    ) -> None:
        self.domain = domain
        self.task_list = task_list
        self.task_token = task_token
        self.activity_type = activity_type
        self.workflow_execution = workflow_execution
        self.input = input
        self.activity_id = activity_id
        self.started_event_id = started_event_id
        self.context = context
        super().__init__()

    @classmethod
    def from_poll(cls, domain: Domain, task_list: str, data: dict[str, Any]) -> ActivityTask:
        """The task of a PollForActivityTask answer."""
        from simpleflow.swf.mapper.models.workflow import WorkflowExecution

        execution = data["workflowExecution"]
        return cls(
            domain,
            task_list,
            task_token=data["taskToken"],
            activity_type=ActivityType(domain, data["activityType"]["name"], data["activityType"]["version"]),
            workflow_execution=WorkflowExecution(domain, execution["workflowId"], execution["runId"]),
            input=data.get("input"),
            activity_id=data["activityId"],
            started_event_id=data["startedEventId"],
            context=data,
        )
