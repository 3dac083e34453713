"""Activity and workflow types that keep the times they were registered and deprecated.

SWF's API reference: ActivityTypeInfo's creationDate is "The date and time this activity type was created
through RegisterActivityType", WorkflowTypeInfo's "The date when this type was registered"; deprecationDate
is "If DEPRECATED, the date and time DeprecateActivityType was called" ("When the type was deprecated" for a
workflow type). moto gives every type the same ones (2014-12-31, 2015-01-31) in DescribeActivityType,
ListActivityTypes and their workflow peers.
"""

from __future__ import annotations

from typing import Any

from moto.core.utils import unix_time
from moto.swf.models.activity_type import ActivityType as MotoActivityType
from moto.swf.models.workflow_type import WorkflowType as MotoWorkflowType


class RegisteredAt:
    """A type stamped at its registration and at its deprecation (by the time the server's events are
    stamped with)."""

    deprecation_date: float | None = None

    def __init__(self, name: str, version: str, **kwargs: Any) -> None:
        super().__init__(name, version, **kwargs)
        self.creation_date = unix_time()

    @property
    def status(self) -> str:
        return self._status

    @status.setter
    def status(self, value: str) -> None:  # moto's DeprecateActivityType and its peers set it
        self._status = value
        self.deprecation_date = unix_time() if value == "DEPRECATED" else None

    def to_medium_dict(self) -> dict[str, Any]:
        info = super().to_medium_dict()
        info["creationDate"] = self.creation_date
        if self.deprecation_date is not None:
            info["deprecationDate"] = self.deprecation_date
        return info


class ActivityType(RegisteredAt, MotoActivityType):
    default_task_priority: str | None = None

    @property
    def _configuration_keys(self) -> list[str]:
        return [*super()._configuration_keys, "defaultTaskPriority"]


class WorkflowType(RegisteredAt, MotoWorkflowType):
    pass
