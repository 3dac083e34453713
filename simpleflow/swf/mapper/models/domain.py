"""``Domain``: an SWF domain as a model (name, status, description, retention period in days)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from simpleflow.swf.mapper import exceptions
from simpleflow.swf.mapper.constants import REGISTERED
from simpleflow.swf.mapper.exceptions import AlreadyExistsError, DoesNotExistError, ResponseError
from simpleflow.swf.mapper.models._faults import swf_faults
from simpleflow.swf.mapper.models.base import BaseModel, ModelDiff
from simpleflow.swf.mapper.utils import immutable

if TYPE_CHECKING:
    from simpleflow.swf.mapper.models.activity import ActivityType
    from simpleflow.swf.mapper.models.workflow import WorkflowType


class DomainDoesNotExist(DoesNotExistError):
    """The domain is not registered."""


@immutable
class Domain(BaseModel):
    """An SWF domain: ``Domain("name", description=..., retention_period=30)``; ``save()`` registers it.

    *status* is ``REGISTERED`` or ``DEPRECATED``; *retention_period* is the days SWF keeps closed executions.
    """

    __slots__ = ["description", "name", "retention_period", "status"]

    def __init__(
        self,
        name: str,
        status: str = REGISTERED,
        description: str | None = None,
        retention_period: int | str = 30,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        self.name = name
        self.status = status
        self.description = description
        self.retention_period = retention_period
        super().__init__(*args, **kwargs)

    @classmethod
    def check(cls, domain: Any) -> None:
        """Raise TypeError unless *domain* is a ``Domain`` whose name is a string."""
        if not isinstance(domain, cls) or not isinstance(getattr(domain, "name", None), str):
            raise TypeError(f"invalid type {type(domain)} for domain")

    def _diff(self, ignore_fields: list[str] | None = None) -> ModelDiff:
        with swf_faults(message="Remote Domain does not exist"):
            description = self.describe_domain(self.name)
        info = description["domainInfo"]
        config = description["configuration"]
        return ModelDiff(
            ("name", self.name, info["name"]),
            ("status", self.status, info["status"]),
            ("description", self.description, info.get("description")),
            ("retention_period", self.retention_period, config["workflowExecutionRetentionPeriodInDays"]),
            ignore_fields=ignore_fields,
        )

    @property
    def exists(self) -> bool:
        """Whether SWF has this domain (registered or deprecated); another fault raises ``ResponseError``."""
        try:
            with swf_faults(DomainDoesNotExist, when_unknown=exceptions.is_unknown("domain")):
                self.describe_domain(self.name)
        except DomainDoesNotExist:
            return False
        return True

    def save(self) -> None:
        """Register the domain (``AlreadyExistsError`` if it is)."""
        already = (AlreadyExistsError, f"Domain {self.name} already exists amazon-side")
        with swf_faults(None, codes={"DomainAlreadyExistsFault": already}):
            self.register_domain(self.name, str(self.retention_period), self.description)

    def delete(self) -> None:
        """Deprecate the domain (``DomainDoesNotExist`` if it is unknown, ``ResponseError`` if deprecated)."""
        with swf_faults(
            DomainDoesNotExist,
            when_unknown=exceptions.is_unknown("domain"),
            others=ResponseError,
        ):
            self.deprecate_domain(self.name)

    def upstream(self) -> Domain:
        """SWF's version of this domain."""
        from simpleflow.swf.mapper.querysets.domain import DomainQuerySet

        return DomainQuerySet().get(self.name)

    def workflows(self, status: str = REGISTERED) -> list[WorkflowType]:
        """The domain's workflow types of this registration status."""
        from simpleflow.swf.mapper.querysets.workflow import WorkflowTypeQuerySet

        return WorkflowTypeQuerySet(self).all(registration_status=status)

    def activities(self, status: str = REGISTERED) -> list[ActivityType]:
        """The domain's activity types of this registration status."""
        from simpleflow.swf.mapper.querysets.activity import ActivityTypeQuerySet

        return ActivityTypeQuerySet(self).all(registration_status=status)

    @property
    def executions(self) -> list:
        """Always empty, as in simpleflow 0.36: list executions with ``WorkflowExecutionQuerySet(domain)``."""
        return []

    def __repr__(self) -> str:
        return f"<{self.__class__.__name__} name={self.name} status={self.status}>"
