"""Activity and workflow types that keep the time they were registered.

SWF's API reference: ActivityTypeInfo's creationDate is "The date and time this activity type was created
through RegisterActivityType", WorkflowTypeInfo's "The date when this type was registered". moto gives
every type the same one (2014-12-31) in DescribeActivityType, ListActivityTypes and their workflow peers.
"""

from __future__ import annotations

from typing import Any

from moto.core.utils import unix_time
from moto.swf.models.activity_type import ActivityType as MotoActivityType
from moto.swf.models.workflow_type import WorkflowType as MotoWorkflowType


class RegisteredAt:
    """A type stamped at its registration (by the time the server's events are stamped with)."""

    def __init__(self, name: str, version: str, **kwargs: Any) -> None:
        super().__init__(name, version, **kwargs)
        self.creation_date = unix_time()

    def to_medium_dict(self) -> dict[str, Any]:
        info = super().to_medium_dict()
        info["creationDate"] = self.creation_date
        return info


class ActivityType(RegisteredAt, MotoActivityType):
    pass


class WorkflowType(RegisteredAt, MotoWorkflowType):
    pass
