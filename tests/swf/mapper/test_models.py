"""Domains, workflow types and activity types as models and querysets, against the test SWF server."""

from __future__ import annotations

import datetime
import uuid

import pytest
from botocore.exceptions import ClientError

from simpleflow.swf.mapper.constants import DEPRECATED, REGISTERED
from simpleflow.swf.mapper.exceptions import AlreadyExistsError, DoesNotExistError, ResponseError
from simpleflow.swf.mapper.models import ActivityType, Domain, WorkflowType
from simpleflow.swf.mapper.models.activity import ActivityTypeDoesNotExist
from simpleflow.swf.mapper.models.base import Difference
from simpleflow.swf.mapper.models.domain import DomainDoesNotExist
from simpleflow.swf.mapper.querysets import ActivityTypeQuerySet, DomainQuerySet, WorkflowTypeQuerySet


def new_name() -> str:
    return f"mapper-{uuid.uuid4().hex[:8]}"


def test_a_saved_domain_exists_is_synced_and_shows_no_changes(moto_server):
    domain = Domain(new_name(), description="the docs' example", retention_period=1)
    assert not domain.exists
    domain.save()
    assert domain.exists and domain.is_synced
    assert len(domain.changes) == 0 and repr(domain.changes) == "ModelDiff()"
    with pytest.raises(AlreadyExistsError, match="already exists"):
        domain.save()


def test_a_domain_out_of_sync_says_what_differs_and_upstream_is_swfs_version(swf_domain):
    local = Domain(swf_domain, retention_period=5)  # the fixture registered it for 1 day
    assert not local.is_synced
    assert local.changes.as_list() == [Difference("retention_period", 5, "1")]
    assert "retention_period" in local.changes and local.changes.differing_fields() == ["retention_period"]
    upstream = local.upstream()
    assert (upstream.name, upstream.status, upstream.retention_period) == (swf_domain, REGISTERED, "1")
    assert upstream.is_synced
    with pytest.raises(AttributeError):
        upstream.name = "renamed"  # models are read-only


def test_deleting_a_domain_deprecates_it(moto_server):
    domain = DomainQuerySet().create(new_name(), retention_period=1)
    domain.delete()
    assert domain.exists and domain.upstream().status == DEPRECATED
    assert domain.changes.as_list() == [Difference("status", REGISTERED, DEPRECATED)]
    with pytest.raises(ResponseError) as deprecated:
        domain.delete()
    assert deprecated.value.error_code == "DomainDeprecatedFault"
    assert domain.name in [d.name for d in DomainQuerySet().all(registration_status=DEPRECATED)]


def test_an_unknown_domain_does_not_exist_whatever_is_asked_of_it(moto_server):
    unknown = Domain(new_name())
    assert not unknown.exists and not unknown.is_synced
    with pytest.raises(DomainDoesNotExist, match="Unknown domain"):
        unknown.delete()
    with pytest.raises(DoesNotExistError, match="No such domain"):
        DomainQuerySet().get(unknown.name)
    with pytest.raises(DoesNotExistError):
        _ = unknown.changes
    # SWF's own fault (not simpleflow's one-line error) where the layer lets SWF's faults through.
    with pytest.raises(ClientError) as fault:
        _ = ActivityType(unknown, "a", "1").exists
    assert fault.value.response["Error"] == {
        "Code": "UnknownResourceFault",
        "Message": f"Unknown domain: {unknown.name}",
    }
    with pytest.raises(ResponseError, match="Unknown domain"):
        _ = WorkflowType(unknown, "w", "1").exists


def test_domain_queryset_gets_lists_and_creates(swf_domain):
    queryset = DomainQuerySet()
    assert queryset.get_or_create(swf_domain, retention_period=9).retention_period == "1"  # fetched, not created
    name = new_name()
    created = queryset.get_or_create(name, description="new", retention_period=2)
    assert (created.name, created.description, created.retention_period) == (name, "new", 2)
    assert queryset.get(name).description == "new"
    listed = {d.name: d for d in queryset.all()}
    assert {swf_domain, name} <= set(listed) and listed[name].status == REGISTERED
    assert [d.name for d in queryset.filter()] == [d.name for d in queryset.all()]
    with pytest.raises(AlreadyExistsError):
        queryset.create(name)


def test_a_workflow_type_is_registered_read_back_and_deprecated(swf_domain):
    domain = Domain(swf_domain)
    wtype = WorkflowType(domain, "orders", "1", task_list="decisions", execution_timeout="3600", description="d")
    assert not wtype.exists
    wtype.save()
    assert wtype.exists and wtype.is_synced
    with pytest.raises(AlreadyExistsError):
        wtype.save()
    upstream = wtype.upstream()
    assert (upstream.task_list, upstream.child_policy, upstream.execution_timeout, upstream.decision_tasks_timeout) == (
        "decisions",
        "TERMINATE",
        "3600",
        "300",
    )
    assert isinstance(upstream.creation_date, datetime.datetime) and upstream.description == "d"
    assert upstream.is_synced
    other = WorkflowType(domain, "orders", "1", task_list="decisions", execution_timeout="60", description="d")
    assert other.changes.as_list() == [Difference("execution_timeout", "60", "3600")]
    wtype.delete()
    assert wtype.upstream().status == DEPRECATED
    with pytest.raises(DoesNotExistError):
        wtype.delete()
    with pytest.raises(ValueError, match="invalid child policy"):
        WorkflowType(domain, "orders", "2", child_policy="KEEP")


def test_workflow_type_queryset(swf_domain):
    domain = Domain(swf_domain)
    queryset = WorkflowTypeQuerySet(domain)
    with pytest.raises(DoesNotExistError):
        queryset.get("missing", "1")
    created = queryset.get_or_create("billing", "1", task_list="tl", execution_timeout="120")
    fetched = queryset.get_or_create("billing", "1", execution_timeout="999")  # exists: SWF's values
    assert (created.execution_timeout, fetched.execution_timeout, fetched.task_list) == ("120", "120", "tl")
    queryset.create("shipping", "1", task_list="tl")
    assert sorted(t.name for t in queryset.all()) == ["billing", "shipping"]
    assert [t.name for t in queryset.filter(name="billing")] == ["billing"]
    assert [t.name for t in domain.workflows()] == [t.name for t in queryset.all()]
    assert queryset.all(registration_status=DEPRECATED) == []
    with pytest.raises(TypeError):
        WorkflowTypeQuerySet("not a domain model")


def test_an_activity_type_is_registered_with_its_default_timeouts(swf_domain):
    domain = Domain(swf_domain)
    atype = ActivityType(domain, "resize", "2", task_list="workers", task_start_to_close_timeout=60)
    assert not atype.exists
    atype.save()
    assert atype.exists
    with pytest.raises(AlreadyExistsError):
        atype.save()
    upstream = atype.upstream()
    assert (upstream.task_list, upstream.task_start_to_close_timeout, upstream.task_heartbeat_timeout) == (
        "workers",
        "60",
        "0",
    )
    assert upstream.is_synced and atype.is_synced
    atype.delete()
    assert atype.upstream().status == DEPRECATED
    with pytest.raises(ActivityTypeDoesNotExist):
        ActivityType(domain, "never", "1").delete()


def test_activity_type_queryset(swf_domain):
    domain = Domain(swf_domain)
    queryset = ActivityTypeQuerySet(domain)
    with pytest.raises(DoesNotExistError):
        queryset.get("missing", "1")
    queryset.get_or_create("crop", "1", task_list="tl", task_heartbeat_timeout=30)
    again = queryset.get_or_create("crop", "1", task_heartbeat_timeout=99)
    assert (again.task_heartbeat_timeout, again.task_list) == ("30", "tl")
    queryset.create("blur", "1", task_list="tl")
    assert sorted(t.name for t in queryset.all()) == ["blur", "crop"]
    assert [t.name for t in queryset.filter(name="crop")] == ["crop"]
    assert sorted(t.name for t in domain.activities()) == ["blur", "crop"]
    assert isinstance(queryset.get("crop", "1").creation_date, datetime.datetime)


def test_type_and_domain_listings_follow_every_page(swf_domain, small_pages):
    domain = Domain(swf_domain)
    for n in range(5):
        ActivityType(domain, f"activity-{n}", "1", task_list="tl").save()
        WorkflowType(domain, f"workflow-{n}", "1", task_list="tl").save()
    small_pages.page_requests = 0
    assert sorted(t.name for t in ActivityTypeQuerySet(domain).filter()) == [f"activity-{n}" for n in range(5)]
    assert sorted(t.name for t in WorkflowTypeQuerySet(domain).all()) == [f"workflow-{n}" for n in range(5)]
    assert small_pages.page_requests == 2  # a second page of each
    assert swf_domain in [d.name for d in DomainQuerySet().all()]
    assert small_pages.page_requests > 2
