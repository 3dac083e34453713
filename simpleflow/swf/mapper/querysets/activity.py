"""``ActivityTypeQuerySet``: a domain's activity types read from SWF, or registered."""

from __future__ import annotations

from typing import Any

from simpleflow.swf.mapper.constants import REGISTERED
from simpleflow.swf.mapper.exceptions import DoesNotExistError
from simpleflow.swf.mapper.models._faults import swf_faults
from simpleflow.swf.mapper.models.activity import ActivityType
from simpleflow.swf.mapper.models.domain import Domain
from simpleflow.swf.mapper.querysets.base import BaseQuerySet, pages
from simpleflow.swf.mapper.utils import get_subkey

# The model's attributes read from a type's configuration, and SWF's names of them.
_CONFIGURATION = {
    "task_heartbeat_timeout": "defaultTaskHeartbeatTimeout",
    "task_schedule_to_close_timeout": "defaultTaskScheduleToCloseTimeout",
    "task_schedule_to_start_timeout": "defaultTaskScheduleToStartTimeout",
    "task_start_to_close_timeout": "defaultTaskStartToCloseTimeout",
}


class ActivityTypeQuerySet(BaseQuerySet):
    """``ActivityTypeQuerySet(domain).get(name, version)``, ``.filter(name=...)``, ``.all()``, ``.create(...)``."""

    _infos = "typeInfo"
    _infos_plural = "typeInfos"

    def __init__(self, domain: Domain, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.domain = domain

    @property
    def domain(self) -> Domain | None:
        return getattr(self, "_domain", None)

    @domain.setter
    def domain(self, value: Domain) -> None:
        if not isinstance(value, Domain):
            raise TypeError(f"domain property has to be of swf.model.domain.Domain type, not {type(value)!r}")
        self._domain = value

    def to_ActivityType(self, domain: Domain, type_info: dict[str, Any], **kwargs: Any) -> ActivityType:  # noqa: N802
        """The model of one of SWF's ``typeInfo`` (``kwargs``: more of the model's attributes)."""
        return ActivityType(
            domain,
            type_info["activityType"]["name"],
            type_info["activityType"]["version"],
            status=type_info.get("status"),
            description=type_info.get("description"),
            creation_date=type_info.get("creationDate"),
            deprecation_date=type_info.get("deprecationDate"),
            **kwargs,
        )

    def _list(self, *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
        """Every ``typeInfo`` of ``list_activity_types(*args, **kwargs)`` (every page)."""
        return [info for page in pages(self.list_activity_types, *args, **kwargs) for info in page[self._infos_plural]]

    def get(self, name: str, version: str, *args: Any, **kwargs: Any) -> ActivityType:
        """The type as SWF describes it (``DoesNotExistError`` if unknown); *kwargs* replace attributes read."""
        with swf_faults():
            response = self.describe_activity_type(self.domain.name, name, version)
        config = response["configuration"]
        values: dict[str, Any] = {"task_list": get_subkey(config, ["defaultTaskList", "name"])}
        values.update({attribute: config.get(key) for attribute, key in _CONFIGURATION.items()})
        values.update({key: value for key, value in kwargs.items() if key in values and value is not None})
        return self.to_ActivityType(self.domain, response[self._infos], **values)

    def get_or_create(
        self,
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
    ) -> ActivityType:
        """The type as SWF has it, registered first with these values if SWF does not have it."""
        try:
            return self.get(name, version)
        except DoesNotExistError:
            return self.create(
                name,
                version,
                status=status,
                description=description,
                creation_date=creation_date,
                deprecation_date=deprecation_date,
                task_list=task_list,
                task_heartbeat_timeout=task_heartbeat_timeout,
                task_schedule_to_close_timeout=task_schedule_to_close_timeout,
                task_schedule_to_start_timeout=task_schedule_to_start_timeout,
                task_start_to_close_timeout=task_start_to_close_timeout,
            )

    def filter(
        self,
        domain: Domain | None = None,
        registration_status: str = REGISTERED,
        name: str | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> list[ActivityType]:
        """The types of this registration status (and *name*), of *domain* or the queryset's."""
        domain = domain or self.domain
        infos = self._list(domain.name, registration_status, name=name)
        # The name is also checked here: SWF filters by it, some servers (moto) do not.
        return [self.to_ActivityType(domain, i) for i in infos if name is None or i["activityType"]["name"] == name]

    def all(self, registration_status: str = REGISTERED, *args: Any, **kwargs: Any) -> list[ActivityType]:
        """Every type of this registration status."""
        return self.filter(registration_status=registration_status)

    def create(
        self,
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
    ) -> ActivityType:
        """Register a type and return its model (``AlreadyExistsError`` if it exists)."""
        activity_type = ActivityType(
            self.domain,
            name,
            version,
            status=status,
            description=description,
            creation_date=creation_date,
            deprecation_date=deprecation_date,
            task_list=task_list,
            task_heartbeat_timeout=task_heartbeat_timeout,
            task_schedule_to_close_timeout=task_schedule_to_close_timeout,
            task_schedule_to_start_timeout=task_schedule_to_start_timeout,
            task_start_to_close_timeout=task_start_to_close_timeout,
        )
        activity_type.save()
        return activity_type
