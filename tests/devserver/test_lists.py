"""Lists, counts and pages on the dev server, decision tasks in pages, and one request at a time."""

from __future__ import annotations

import http.client
import threading
import time
import uuid
from urllib.parse import urlparse

import pytest

from tests.devserver.conftest import ACTIVITY, WORKFLOW, Domain, attrs, decision, error_code, schedule

EPOCH = {"oldestDate": 0}


@pytest.fixture
def executions(domain: Domain) -> dict[str, dict[str, str]]:
    """Five executions of two types, tagged, started in order; three closed in three ways."""
    domain.swf.register_workflow_type(
        domain=domain.name,
        name="w",
        version="2",
        defaultTaskList={"name": "other"},
        defaultExecutionStartToCloseTimeout="600",
        defaultTaskStartToCloseTimeout="600",
        defaultChildPolicy="TERMINATE",
    )
    made = {}
    for name, version, tags in [
        ("e1", "1", ["x"]),
        ("e2", "1", []),
        ("e3", "2", ["x", "y"]),
        ("e4", "2", []),
        ("e5", "1", []),
    ]:
        made[name] = domain.start(name, workflowType={"name": "w", "version": version}, tagList=tags)
        time.sleep(0.01)
    domain.decide([decision("CompleteWorkflowExecution", result="ok")])  # e1: the oldest decision task first
    domain.swf.terminate_workflow_execution(domain=domain.name, workflowId="e2")
    domain.decide([decision("FailWorkflowExecution", reason="no")], task_list="other")  # e3
    return made


def ids(page: dict) -> list[str]:
    return [info["execution"]["workflowId"] for info in page["executionInfos"]]


@pytest.mark.parametrize(
    "status, filters, expected",
    [
        ("open", {}, ["e5", "e4"]),
        ("open", {"reverseOrder": True}, ["e4", "e5"]),
        ("open", {"typeFilter": {"name": "w", "version": "2"}}, ["e4"]),
        ("closed", {}, ["e3", "e2", "e1"]),
        ("closed", {"typeFilter": {"name": "w"}}, ["e3", "e2", "e1"]),  # the version is optional
        ("closed", {"tagFilter": {"tag": "x"}}, ["e3", "e1"]),
        ("closed", {"executionFilter": {"workflowId": "e2"}}, ["e2"]),
        ("closed", {"closeStatusFilter": {"status": "COMPLETED"}}, ["e1"]),
        ("closed", {"closeStatusFilter": {"status": "TERMINATED"}}, ["e2"]),
        ("closed", {"closeStatusFilter": {"status": "FAILED"}}, ["e3"]),
        ("closed", {"closeStatusFilter": {"status": "CANCELED"}}, []),
    ],
)
def test_list_filters_select_and_order_as_swf_does(domain, executions, status, filters, expected):
    list_call = getattr(domain.swf, f"list_{status}_workflow_executions")
    count_call = getattr(domain.swf, f"count_{status}_workflow_executions")
    assert ids(list_call(domain=domain.name, startTimeFilter=EPOCH, **filters)) == expected
    counted = {k: v for k, v in filters.items() if k != "reverseOrder"}
    assert count_call(domain=domain.name, startTimeFilter=EPOCH, **counted)["count"] == len(expected)


def test_time_filters_take_their_window_and_close_times_order_the_list(domain, executions):
    # Dates go over the wire in whole seconds: windows an hour wide.
    now = time.time()
    closed = domain.swf.list_closed_workflow_executions
    assert ids(closed(domain=domain.name, startTimeFilter={"oldestDate": now - 3600, "latestDate": now + 3600})) == [
        "e3",
        "e2",
        "e1",
    ]
    assert ids(closed(domain=domain.name, startTimeFilter={"oldestDate": now + 3600})) == []
    assert ids(closed(domain=domain.name, closeTimeFilter={"oldestDate": 0, "latestDate": now - 3600})) == []
    by_close = closed(domain=domain.name, closeTimeFilter=EPOCH, reverseOrder=True)
    assert ids(by_close) == ["e1", "e2", "e3"]  # closed e1, then e2, then e3


@pytest.mark.parametrize("verb", ["list", "count"])
@pytest.mark.parametrize(
    "filters, message",
    [
        (
            {"startTimeFilter": EPOCH, "closeTimeFilter": EPOCH},
            "startTimeFilter and closeTimeFilter are mutually exclusive: specify one of them, not both",
        ),
        (
            {"startTimeFilter": EPOCH, "tagFilter": {"tag": "x"}, "closeStatusFilter": {"status": "FAILED"}},
            "tagFilter and closeStatusFilter are mutually exclusive: specify at most one of them",
        ),
    ],
)
def test_exclusive_filters_given_together_are_refused_naming_those_given(domain, verb, filters, message):
    """SWF's API reference: "startTimeFilter and closeTimeFilter are mutually exclusive. You must specify one of
    these in a request but not both"; the close status, execution, type and tag filters, "at most one"."""
    with pytest.raises(domain.swf.exceptions.ClientError) as refused:
        getattr(domain.swf, f"{verb}_closed_workflow_executions")(domain=domain.name, **filters)
    error = refused.value.response
    assert (error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Code"]) == (400, "ValidationException")
    assert error["Error"]["Message"] == message


def test_lists_come_in_pages_that_hold_each_execution_once_even_as_new_ones_start(domain, executions):
    first = domain.swf.list_open_workflow_executions(domain=domain.name, startTimeFilter=EPOCH, maximumPageSize=1)
    domain.start("e6")  # started between two pages: the latest first, so it is not in the pages that follow
    second = domain.swf.list_open_workflow_executions(
        domain=domain.name, startTimeFilter=EPOCH, maximumPageSize=1, nextPageToken=first["nextPageToken"]
    )
    assert ids(first) + ids(second) == ["e5", "e4"] and "nextPageToken" not in second


def test_domains_and_types_come_in_pages(swf):
    domain = Domain(swf)
    for version in ("2", "3"):
        swf.register_activity_type(domain=domain.name, name="a", version=version)
    pages = [swf.list_activity_types(domain=domain.name, registrationStatus="REGISTERED", maximumPageSize=2)]
    pages.append(
        swf.list_activity_types(
            domain=domain.name,
            registrationStatus="REGISTERED",
            maximumPageSize=2,
            nextPageToken=pages[0]["nextPageToken"],
        )
    )
    assert [t["activityType"]["version"] for p in pages for t in p["typeInfos"]] == ["1", "2", "3"]
    named = swf.list_workflow_types(domain=domain.name, registrationStatus="REGISTERED", name="w")
    assert [t["workflowType"]["name"] for t in named["typeInfos"]] == ["w"]
    listed = swf.list_domains(registrationStatus="REGISTERED", maximumPageSize=1)
    assert len(listed["domainInfos"]) == 1 and listed["nextPageToken"]


def test_a_domain_takes_tags_with_or_without_a_value_and_an_unknown_domain_has_none(swf):
    """ResourceTag: key "Required: Yes", value "Required: No"; UnknownResourceFault: "the named resource cannot
    be found"."""
    name = f"tagged-{uuid.uuid4().hex[:8]}"
    swf.register_domain(name=name, workflowExecutionRetentionPeriodInDays="1", tags=[{"key": "team", "value": "a"}])
    arn = swf.describe_domain(name=name)["domainInfo"]["arn"]
    swf.tag_resource(resourceArn=arn, tags=[{"key": "solo"}, {"key": "gone", "value": "v"}])
    swf.untag_resource(resourceArn=arn, tagKeys=["gone"])
    assert swf.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "team", "value": "a"}, {"key": "solo"}]
    other = f"tagged-{uuid.uuid4().hex[:8]}"
    swf.register_domain(name=other, workflowExecutionRetentionPeriodInDays="1", tags=[{"key": "bare"}])
    unknown = arn.replace(name, "no-such-domain")
    for call in (
        lambda: swf.list_tags_for_resource(resourceArn=unknown),
        lambda: swf.tag_resource(resourceArn=unknown, tags=[{"key": "k", "value": "v"}]),
        lambda: swf.untag_resource(resourceArn=unknown, tagKeys=["k"]),
    ):
        assert error_code(call) == "UnknownResourceFault"


def _type_infos(domain, kind: dict, status: str) -> list[dict]:
    """The activity and workflow types *kind* names, as their Describe and List calls give them (four infos)."""
    swf, name = domain.swf, domain.name
    infos = [
        swf.describe_activity_type(domain=name, activityType=kind)["typeInfo"],
        swf.describe_workflow_type(domain=name, workflowType=kind)["typeInfo"],
        *swf.list_activity_types(domain=name, registrationStatus=status, name=kind["name"])["typeInfos"],
        *swf.list_workflow_types(domain=name, registrationStatus=status, name=kind["name"])["typeInfos"],
    ]
    assert len(infos) == 4
    return infos


def test_a_type_is_dated_when_it_was_registered(domain):
    """creationDate: "The date and time this activity type was created through RegisterActivityType" (SWF's API
    reference), "The date when this type was registered" for a workflow type."""
    swf, name, late = domain.swf, domain.name, {"name": "late", "version": "1"}
    before = time.time()
    swf.register_activity_type(domain=name, **late)
    swf.register_workflow_type(domain=name, **late)
    after = time.time()
    infos = _type_infos(domain, late, "REGISTERED")
    assert all(before - 0.5 <= info["creationDate"].timestamp() <= after + 0.5 for info in infos), infos


def test_a_deprecated_type_is_dated_when_it_was_deprecated(domain):
    """deprecationDate: "If DEPRECATED, the date and time DeprecateActivityType was called" (SWF's API reference),
    "When the type was deprecated" for a workflow type; a type registered again has none."""
    swf, name, old = domain.swf, domain.name, {"name": "old", "version": "1"}
    swf.register_activity_type(domain=name, **old)
    swf.register_workflow_type(domain=name, **old)
    before = time.time()
    swf.deprecate_activity_type(domain=name, activityType=old)
    swf.deprecate_workflow_type(domain=name, workflowType=old)
    after = time.time()
    infos = _type_infos(domain, old, "DEPRECATED")
    assert all(before - 0.5 <= info["deprecationDate"].timestamp() <= after + 0.5 for info in infos), infos
    swf.undeprecate_activity_type(domain=name, activityType=old)
    assert "deprecationDate" not in swf.describe_activity_type(domain=name, activityType=old)["typeInfo"]


def test_deprecating_a_domain_deprecates_its_types(domain):
    """DeprecateDomain: "Deprecating a domain also deprecates all activity and workflow types registered in the
    domain" (SWF's API reference); a type deprecated before keeps its date, and UndeprecateDomain leaves them."""
    swf, name = domain.swf, domain.name
    early, live = {"name": "early", "version": "1"}, {"name": "live", "version": "1"}
    for kind in (early, live):
        swf.register_activity_type(domain=name, **kind)
        swf.register_workflow_type(domain=name, **kind)
    swf.deprecate_activity_type(domain=name, activityType=early)
    swf.deprecate_workflow_type(domain=name, workflowType=early)
    dated = [info["deprecationDate"] for info in _type_infos(domain, early, "DEPRECATED")]
    time.sleep(0.05)
    before = time.time()
    swf.deprecate_domain(name=name)
    after = time.time()
    infos = _type_infos(domain, live, "DEPRECATED")
    assert all(before - 0.5 <= info["deprecationDate"].timestamp() <= after + 0.5 for info in infos), infos
    assert [info["deprecationDate"] for info in _type_infos(domain, early, "DEPRECATED")] == dated
    for list_types in (swf.list_activity_types, swf.list_workflow_types):
        assert list_types(domain=name, registrationStatus="REGISTERED")["typeInfos"] == []
    swf.undeprecate_domain(name=name)
    assert swf.describe_workflow_type(domain=name, workflowType=live)["typeInfo"]["status"] == "DEPRECATED"


def test_a_deprecated_type_can_be_deleted_and_what_started_before_goes_on(domain):
    """DeleteActivityType: "Prior to deletion, activity types must first be deprecated. After an activity type has
    been deleted, you cannot schedule new activities of that type"; DeleteWorkflowType: "you cannot create new
    executions of that type. Executions that started before the type was deleted will continue to run"."""
    swf, name = domain.swf, domain.name
    execution = domain.start()
    refused = error_code(lambda: swf.delete_workflow_type(domain=name, workflowType=WORKFLOW))
    assert refused == "TypeNotDeprecatedFault"
    swf.deprecate_workflow_type(domain=name, workflowType=WORKFLOW)
    swf.deprecate_activity_type(domain=name, activityType=ACTIVITY)
    swf.delete_workflow_type(domain=name, workflowType=WORKFLOW)
    swf.delete_activity_type(domain=name, activityType=ACTIVITY)
    for call in (
        lambda: swf.describe_workflow_type(domain=name, workflowType=WORKFLOW),
        lambda: swf.delete_activity_type(domain=name, activityType=ACTIVITY),
        lambda: domain.start(),
    ):
        assert error_code(call) == "UnknownResourceFault"
    assert swf.list_activity_types(domain=name, registrationStatus="DEPRECATED")["typeInfos"] == []
    domain.decide([schedule("job")])
    failed = attrs(domain.history(execution)[-2])
    assert (failed["activityId"], failed["cause"]) == ("job", "ACTIVITY_TYPE_DOES_NOT_EXIST")
    domain.decide([decision("CompleteWorkflowExecution")])
    assert domain.describe(execution)["executionInfo"]["closeStatus"] == "COMPLETED"


def test_a_decision_task_comes_in_pages_of_its_own_history_and_from_its_previous_start(domain):
    execution = domain.start()
    domain.decide([decision("RecordMarker", markerName=f"m{i}") for i in range(4)])  # events 4..8
    domain.swf.signal_workflow_execution(domain=domain.name, workflowId=execution["workflowId"], signalName="s")
    swf = domain.swf
    page = swf.poll_for_decision_task(domain=domain.name, taskList={"name": "decisions"}, maximumPageSize=4)
    events, token = list(page["events"]), page["taskToken"]
    while page.get("nextPageToken"):
        page = swf.poll_for_decision_task(
            domain=domain.name, taskList={"name": "decisions"}, maximumPageSize=4, nextPageToken=page["nextPageToken"]
        )
        assert page["taskToken"] == token  # a page of the same task
        events += page["events"]
    assert [e["eventId"] for e in events] == list(range(1, 12))
    assert events[-1]["eventType"] == "DecisionTaskStarted"
    assert domain.types(execution).count("DecisionTaskStarted") == 2  # the following pages took no new task
    swf.respond_decision_task_completed(taskToken=page["taskToken"], decisions=[])
    swf.signal_workflow_execution(domain=domain.name, workflowId=execution["workflowId"], signalName="t")
    since = swf.poll_for_decision_task(
        domain=domain.name, taskList={"name": "decisions"}, startAtPreviousStartedEvent=True
    )
    assert since["previousStartedEventId"] == 11
    assert [e["eventId"] for e in since["events"]] == list(range(11, 16))


def test_after_a_decision_task_timed_out_the_previous_started_event_is_that_of_the_last_task_answered(domain):
    """previousStartedEventId: the DecisionTaskStarted "of the previous decision task [...] that was processed by
    the decider" (SWF's API reference), not that of a task that timed out; the events since then come again."""
    execution = domain.start(taskStartToCloseTimeout="1")
    answered = domain.decide([])
    assert answered["previousStartedEventId"] == 0  # no task answered before it: 0, as a poll that finds none says
    swf = domain.swf
    swf.signal_workflow_execution(domain=domain.name, workflowId=execution["workflowId"], signalName="s")
    lost = swf.poll_for_decision_task(domain=domain.name, taskList={"name": "decisions"})  # never answered
    domain.wait_for(execution, "DecisionTaskTimedOut")
    task = swf.poll_for_decision_task(
        domain=domain.name, taskList={"name": "decisions"}, startAtPreviousStartedEvent=True
    )
    assert task["startedEventId"] > lost["startedEventId"] > answered["startedEventId"]
    assert task["previousStartedEventId"] == answered["startedEventId"]
    assert "WorkflowExecutionSignaled" in [e["eventType"] for e in task["events"]]


def test_polls_at_once_never_start_one_decision_task_twice(domain):
    execution = domain.start()
    got: list[dict] = []

    def poll() -> None:
        got.append(domain.swf.poll_for_decision_task(domain=domain.name, taskList={"name": "decisions"}))

    threads = [threading.Thread(target=poll) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(1 for task in got if task.get("taskToken")) == 1
    assert domain.types(execution).count("DecisionTaskStarted") == 1


def test_connections_are_kept_open_between_requests(moto_server):
    address = urlparse(moto_server.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    headers = {
        "X-Amz-Target": "SimpleWorkflowService.ListDomains",
        "Content-Type": "application/x-amz-json-1.0",
        "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/swf/aws4_request, "
        "SignedHeaders=host, Signature=x",
    }
    sockets = set()
    for _ in range(3):
        connection.request("POST", "/", body='{"registrationStatus": "REGISTERED"}', headers=headers)
        answer = connection.getresponse()
        assert answer.status == 200 and answer.getheader("Connection") != "close"
        answer.read()
        sockets.add(id(connection.sock))
    assert len(sockets) == 1
    connection.close()
