"""``DomainQuerySet``: domains read from SWF, or registered."""

from __future__ import annotations

from typing import Any

from simpleflow.swf.mapper.constants import REGISTERED
from simpleflow.swf.mapper.exceptions import DoesNotExistError
from simpleflow.swf.mapper.models._faults import swf_faults
from simpleflow.swf.mapper.models.domain import Domain
from simpleflow.swf.mapper.querysets.base import BaseQuerySet, pages


class DomainQuerySet(BaseQuerySet):
    """``DomainQuerySet().get("name")``, ``.all()``, ``.get_or_create("name", retention_period=...)``..."""

    def get(self, name: str, *args: Any, **kwargs: Any) -> Domain:
        """The domain *name* as SWF describes it (``DoesNotExistError`` if it is unknown)."""
        with swf_faults(message=f"No such domain: {name}"):
            response = self.describe_domain(name)
        info = response["domainInfo"]
        return Domain(
            info["name"],
            status=info["status"],
            description=info.get("description"),
            retention_period=response["configuration"]["workflowExecutionRetentionPeriodInDays"],
        )

    def get_or_create(
        self,
        name: str,
        status: str = REGISTERED,
        description: str | None = None,
        retention_period: int = 30,
        *args: Any,
        **kwargs: Any,
    ) -> Domain:
        """The domain *name*, registered first (with these values) if SWF does not have it."""
        try:
            return self.get(name)
        except DoesNotExistError:
            return self.create(name, status, description, retention_period)

    def all(self, registration_status: str = REGISTERED, *args: Any, **kwargs: Any) -> list[Domain]:
        """Every domain of this registration status (every page)."""
        return [
            Domain(info["name"], info["status"], info.get("description"))
            for page in pages(self.list_domains, registration_status)
            for info in page["domainInfos"]
        ]

    def filter(self, registration_status: str = REGISTERED, *args: Any, **kwargs: Any) -> list[Domain]:
        """The same as ``all``: domains are listed by registration status only."""
        return self.all(registration_status)

    def create(
        self,
        name: str,
        status: str = REGISTERED,
        description: str | None = None,
        retention_period: int = 30,
        *args: Any,
        **kwargs: Any,
    ) -> Domain:
        """Register a domain and return its model (``AlreadyExistsError`` if it exists)."""
        domain = Domain(name, status=status, description=description, retention_period=retention_period)
        domain.save()
        return domain
