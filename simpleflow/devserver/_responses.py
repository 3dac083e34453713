"""The SWF wire protocol of the dev server: moto's request handling, with the parameters moto ignores
(pages, filters, startAtPreviousStartedEvent, task list overrides), the calls it lacks, and domain tags
(:mod:`._tags`).

Every SWF request is first checked against SWF's model (:mod:`._validation`: lengths, counts, ranges,
names and durations), then runs holding the server's lock (moto's models take none: two polls at once
could start the same task); a held long poll lets go of it while it waits.
"""

from __future__ import annotations

import json
from typing import Any

from moto.swf.exceptions import SWFClientError, SWFValidationException
from moto.swf.responses import SWFResponse

from simpleflow.devserver import _pages, _runtime, _validation
from simpleflow.devserver._tags import TagsMixin

# The errors of AWS's JSON protocol for a request no operation can read.
_SERIALIZATION = "com.amazon.coral.service#SerializationException"
_UNKNOWN_OPERATION = "com.amazon.coral.service#UnknownOperationException"


def _event_id(event: Any) -> int:
    return event.event_id


def _started_order(wfe: Any) -> tuple[float, str]:
    return (wfe.start_timestamp or 0.0, wfe.run_id)


def _closed_order(wfe: Any) -> tuple[float, str]:
    return (wfe.close_timestamp or 0.0, wfe.run_id)


class Responses(TagsMixin, SWFResponse):
    @property
    def _params(self) -> Any:
        # moto parses the body at every read; the model check and the handler read it once between them (one
        # instance per request: moto's dispatch makes a new one).
        parsed = self.__dict__.get("_parsed_params")
        if parsed is None:
            parsed = self.__dict__["_parsed_params"] = json.loads(self.body or "{}")
        return parsed

    def call_action(self) -> Any:
        refused = self._refusal()
        if refused is not None:
            # Before anything is looked up or recorded, as SWF refuses a request that breaks its model.
            status, headers, body = self._transform_response(self.response_headers, _answer(refused))
            headers, body = self._enrich_response(headers, body)
            return status, headers, body
        with _runtime.current().lock:
            return super().call_action()

    def _refusal(self) -> SWFClientError | None:
        """The error SWF answers this request with before it acts, None when the request can run: a body that is
        no JSON object, an operation SWF does not have (moto answered both with HTTP 500), a member that breaks
        SWF's model (ValidationException)."""
        try:
            params = self._params
        except (ValueError, RecursionError):  # no JSON, or nested deeper than Python's parser goes
            params = None
        if not isinstance(params, dict):
            return SWFClientError(_SERIALIZATION, "the request body is not a JSON object")
        action = self._get_action()
        if not _validation.has_operation(action):
            return SWFClientError(_UNKNOWN_OPERATION, f"SWF has no operation {action!r}")
        problem = _validation.check(action, params)
        return None if problem is None else SWFValidationException(problem)

    # -- decision tasks --------------------------------------------------------------

    def poll_for_decision_task(self) -> str:
        params = self._params
        domain, task_list = params["domain"], params["taskList"]["name"]
        self._check_string(domain)
        self._check_string(task_list)
        token = params.get("nextPageToken")
        if token:
            # "Calling PollForDecisionTask with a nextPageToken doesn't return a new decision task": the next
            # page of the task the first page came with.
            query = _pages.query_of(token)
            if not query.startswith("decision:"):
                _pages.decode(token, "decision:")  # raises: a token of another call
            task = self.swf_backend.find_task(query.removeprefix("decision:"))
        else:
            task = self.swf_backend.poll_for_decision_task(domain, task_list, identity=params.get("identity"))
        if task is None:
            return json.dumps({"previousStartedEventId": 0, "startedEventId": 0})
        # The task's history ends with its DecisionTaskStarted event.
        events = [e for e in task.workflow_execution.events() if e.event_id <= task.started_event_id]
        previous = task.previous_started_event_id
        if params.get("startAtPreviousStartedEvent") and previous:
            # SWF's API reference: "returns the events with eventTimestamp greater than or equal to eventTimestamp
            # of the most recent DecisionTaskStarted event" (cut by id: a timeout is stamped with the time it
            # was due, which can come before events recorded earlier).
            events = [e for e in events if e.event_id >= previous]
        reverse = bool(params.get("reverseOrder"))
        if reverse:
            events.reverse()
        chunk, following = _pages.after(events, params, f"decision:{task.task_token}", _event_id, reverse)
        body: dict[str, Any] = {
            "taskToken": task.task_token,
            "workflowExecution": task.workflow_execution.to_short_dict(),
            "workflowType": task.workflow_type.to_short_dict(),
            "events": [e.to_dict() for e in chunk],
            "startedEventId": task.started_event_id,
            "nextPageToken": following,
            # 0 before any task was answered, as in the answer to a poll that found no task (SWF's SDKs model
            # the field as a number that is always there: "previous_started_event_id: i64").
            "previousStartedEventId": previous or 0,
        }
        return _dumps(body)

    def respond_decision_task_completed(self) -> str:
        params = self._params
        self._check_string(params["taskToken"])
        self._check_none_or_string(params.get("executionContext"))
        name = (params.get("taskList") or {}).get("name")
        override = (name, params.get("taskListScheduleToStartTimeout")) if name else None
        self.swf_backend.respond_decision_task_completed(
            params["taskToken"],
            decisions=params.get("decisions"),
            execution_context=params.get("executionContext"),
            task_list_override=override,
        )
        return ""

    # -- activity tasks -----------------------------------------------------------------

    def record_activity_task_heartbeat(self) -> str:
        params = self._params
        self._check_string(params["taskToken"])
        self._check_none_or_string(params.get("details"))
        asked = self.swf_backend.record_activity_task_heartbeat(params["taskToken"], details=params.get("details"))
        return json.dumps({"cancelRequested": asked})

    def respond_activity_task_canceled(self) -> str:
        params = self._params
        self._check_string(params["taskToken"])
        self._check_none_or_string(params.get("details"))
        self.swf_backend.respond_activity_task_canceled(params["taskToken"], details=params.get("details"))
        return ""

    # -- executions -------------------------------------------------------------------------

    def start_workflow_execution(self) -> str:
        """moto's, with the taskPriority it drops (not in the started event, nor in DescribeWorkflowExecution)."""
        params = self._params
        wtype = params["workflowType"]
        for value in (params["domain"], params["workflowId"], wtype["name"], wtype["version"]):
            self._check_string(value)
        for key in ("childPolicy", "executionStartToCloseTimeout", "input", "taskStartToCloseTimeout", "taskPriority"):
            self._check_none_or_string(params.get(key))
        self._check_none_or_list_of_strings(params.get("tagList"))
        run = self.swf_backend.start_workflow_execution(
            params["domain"],
            params["workflowId"],
            wtype["name"],
            wtype["version"],
            task_list=(params.get("taskList") or {}).get("name"),
            child_policy=params.get("childPolicy"),
            execution_start_to_close_timeout=params.get("executionStartToCloseTimeout"),
            workflow_input=params.get("input"),
            tag_list=params.get("tagList"),
            task_start_to_close_timeout=params.get("taskStartToCloseTimeout"),
            task_priority=params.get("taskPriority"),
        )
        return json.dumps({"runId": run.run_id})

    def request_cancel_workflow_execution(self) -> str:
        params = self._params
        self._check_string(params["domain"])
        self._check_string(params["workflowId"])
        self._check_none_or_string(params.get("runId"))
        self.swf_backend.request_cancel_workflow_execution(params["domain"], params["workflowId"], params.get("runId"))
        return ""

    def signal_workflow_execution(self) -> str:
        params = self._params  # moto requires an input; SWF's is optional
        for key in ("domain", "signalName", "workflowId"):
            self._check_string(params[key])
        self._check_none_or_string(params.get("input"))
        self._check_none_or_string(params.get("runId"))
        self.swf_backend.signal_workflow_execution(
            params["domain"], params["signalName"], params["workflowId"], params.get("input"), params.get("runId")
        )
        return ""

    def get_workflow_execution_history(self) -> str:
        params = self._params
        execution = params["execution"]
        backend = self.swf_backend
        wfe = backend.describe_workflow_execution(params["domain"], execution["runId"], execution["workflowId"])
        events = list(wfe.events())
        reverse = bool(params.get("reverseOrder"))
        if reverse:
            events.reverse()
        chunk, following = _pages.after(events, params, f"history:{wfe.run_id}", _event_id, reverse)
        return _dumps({"events": [e.to_dict() for e in chunk], "nextPageToken": following})

    def list_open_workflow_executions(self) -> str:
        return self._list(closed=False)

    def list_closed_workflow_executions(self) -> str:
        return self._list(closed=True)

    def count_open_workflow_executions(self) -> str:
        return self._count(closed=False)

    def count_closed_workflow_executions(self) -> str:
        return self._count(closed=True)

    def _selected(self, closed: bool) -> tuple[dict[str, Any], list[Any]]:
        params = self._params
        self._check_string(params["domain"])
        filters = {key: params.get(key) for key in ("executionFilter", "typeFilter", "tagFilter")}
        if closed:
            filters["closeStatusFilter"] = params.get("closeStatusFilter")
        # "closeStatusFilter, executionFilter, typeFilter and tagFilter are mutually exclusive. You can specify
        # at most one of these in a request."
        _exclusive(filters, "specify at most one of them")
        times = {"startTimeFilter": params.get("startTimeFilter"), "closeTimeFilter": params.get("closeTimeFilter")}
        # "startTimeFilter and closeTimeFilter are mutually exclusive. You must specify one of these in a request
        # but not both." (moto's own check raised a TypeError here: an HTTP 500)
        _exclusive(times, "specify one of them, not both")
        if not any(times.values()):
            raise SWFValidationException("Must specify time filter")
        return params, self.swf_backend.select_executions(params["domain"], params, closed)

    def _list(self, closed: bool) -> str:
        params, found = self._selected(closed)
        by_close = closed and params.get("closeTimeFilter") is not None
        order = _closed_order if by_close else _started_order
        query = f"{'closed' if closed else 'open'}:{params['domain']}"
        chunk, following = _pages.after(found, params, query, order, not params.get("reverseOrder"))
        return _dumps({"executionInfos": [wfe.to_list_dict() for wfe in chunk], "nextPageToken": following})

    def _count(self, closed: bool) -> str:
        _, found = self._selected(closed)
        return json.dumps({"count": len(found), "truncated": False})

    # -- domains and types -----------------------------------------------------------------------

    def register_activity_type(self) -> str:
        """moto's, keeping the defaultTaskPriority it drops (ActivityTypeConfiguration: "The default task priority
        for tasks of this activity type, specified at registration")."""
        answer = super().register_activity_type()
        params = self._params
        found = self.swf_backend.domain_of(params["domain"]).get_type("activity", params["name"], params["version"])
        found.default_task_priority = params.get("defaultTaskPriority")
        return answer

    def list_domains(self) -> str:
        params = self._params
        self._check_string(params["registrationStatus"])
        domains = list(self.swf_backend.list_domains(params["registrationStatus"], params.get("reverseOrder")))
        chunk, following = _pages.by_offset(domains, params, "domains")
        return _dumps({"domainInfos": [d.to_short_dict() for d in chunk], "nextPageToken": following})

    def _list_types(self, kind: str) -> str:
        params = self._params
        self._check_string(params["domain"])
        self._check_string(params["registrationStatus"])
        found = self.swf_backend.list_types(
            kind, params["domain"], params["registrationStatus"], reverse_order=params.get("reverseOrder")
        )
        # "If specified, only lists the activity [workflow] types that have this name."
        found = [t for t in found if params.get("name") in (None, t.name)]
        chunk, following = _pages.by_offset(found, params, f"{kind}-types:{params['domain']}")
        return _dumps({"typeInfos": [t.to_medium_dict() for t in chunk], "nextPageToken": following})

    def delete_activity_type(self) -> str:
        return self._delete_type("activity")

    def delete_workflow_type(self) -> str:
        return self._delete_type("workflow")

    def _delete_type(self, kind: str) -> str:
        params = self._params
        found = params[f"{kind}Type"]
        self.swf_backend.delete_type(kind, params["domain"], found["name"], found["version"])
        return ""


def _exclusive(filters: dict[str, Any], rule: str) -> None:
    """Refuse more than one of *filters* (name -> value, None when not given), naming those given."""
    given = [name for name, value in filters.items() if value is not None]
    if len(given) > 1:
        raise SWFValidationException(f"{', '.join(given[:-1])} and {given[-1]} are mutually exclusive: {rule}")


def _answer(error: SWFClientError) -> tuple[str, dict[str, Any]]:
    return error.description, {**dict(error.get_headers()), "status": error.code}


def _dumps(body: dict[str, Any]) -> str:
    if body.get("nextPageToken") is None:
        body.pop("nextPageToken", None)
    return json.dumps(body)
