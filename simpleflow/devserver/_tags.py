"""A domain's tags (RegisterDomain's ``tags``, TagResource, UntagResource, ListTagsForResource), as SWF's API
reference describes them.

ResourceTag: ``key`` is required, ``value`` is not ("Required: No"); moto read every tag's value and answered
HTTP 500 for a tag without one, RegisterDomain included. UnknownResourceFault is "Returned when the named
resource cannot be found with in the scope of this operation (region or domain)"; moto tagged and listed any
ARN, a domain's that does not exist included.
"""

from __future__ import annotations

import json
from typing import Any

from moto.swf.exceptions import SWFUnknownResourceFault


def _tags(params: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """moto's tagger form of the request's tags (a tag without a value keeps none)."""
    return [{"Key": tag["key"], **({"Value": tag["value"]} if "value" in tag else {})} for tag in params.get(key, [])]


class TagsMixin:
    """The tagging calls of the SWF responses: a domain's ARN, tags with or without a value."""

    def register_domain(self) -> str:
        params = self._params
        for key in ("name", "workflowExecutionRetentionPeriodInDays"):
            self._check_string(params[key])
        self._check_none_or_string(params.get("description"))
        self.swf_backend.register_domain(
            params["name"],
            params["workflowExecutionRetentionPeriodInDays"],
            description=params.get("description"),
            tags=_tags(params, "tags"),
        )
        return ""

    def list_tags_for_resource(self) -> str:
        arn = self._domain_arn()
        found = self.swf_backend.tagger.list_tags_for_resource(arn)["Tags"]
        tags = [{"key": t["Key"], **({"value": t["Value"]} if t["Value"] is not None else {})} for t in found]
        return json.dumps({"tags": tags})

    def tag_resource(self) -> str:
        self.swf_backend.tagger.tag_resource(self._domain_arn(), _tags(self._params, "tags"))
        return ""

    def untag_resource(self) -> str:
        self.swf_backend.tagger.untag_resource_using_names(self._domain_arn(), self._params.get("tagKeys", []))
        return ""

    def _domain_arn(self) -> str:
        """The request's resourceArn, that of a domain of this region (UnknownResourceFault otherwise)."""
        arn = self._params["resourceArn"]
        if not any(domain.to_short_dict()["arn"] == arn for domain in self.swf_backend.domains):
            raise SWFUnknownResourceFault("resource", arn)
        return arn
