"""Deciders and activity workers written on the object layer's actors, driving real executions."""

from __future__ import annotations

import json
import threading
import time

import pytest

from simpleflow.swf.mapper.actors import ActivityWorker, Actor, Decider
from simpleflow.swf.mapper.exceptions import DoesNotExistError, PollTimeout
from simpleflow.swf.mapper.models import ActivityType, Domain, WorkflowExecution, WorkflowType
from simpleflow.swf.mapper.models.decision import ActivityTaskDecision, WorkflowExecutionDecision
from simpleflow.swf.mapper.querysets import WorkflowExecutionQuerySet


def setup(domain_name: str) -> tuple[Domain, WorkflowType, ActivityType]:
    domain = Domain(domain_name)
    wtype = WorkflowType(domain, "doubling", "1", task_list="decisions")
    atype = ActivityType(
        domain,
        "double",
        "1",
        task_list="work",
        task_heartbeat_timeout="NONE",
        task_schedule_to_close_timeout=600,
        task_schedule_to_start_timeout=600,
        task_start_to_close_timeout=600,
    )
    wtype.save()
    atype.save()
    return domain, wtype, atype


class DoublingDecider(Decider):
    """A decider as the original's documentation has users write one: poll, look at the history, decide."""

    def __init__(self, domain: Domain, task_list: str, activity: ActivityType) -> None:
        super().__init__(domain, task_list)
        self.activity = activity
        self.running = False

    def decisions(self, history) -> list:
        done = history.filter(type="ActivityTask", state="completed")
        if done:
            return [WorkflowExecutionDecision("complete", result=json.loads(done[0].result))]
        if not history.filter(type="ActivityTask", state="scheduled"):
            started = history.first
            return [ActivityTaskDecision("schedule", "double-1", self.activity, input=started.input)]
        return []

    def start(self) -> None:
        self.running = True
        while self.running:
            try:
                response = self.poll()
            except PollTimeout:
                continue
            self.complete(response.token, self.decisions(response.history))

    def stop(self) -> None:
        self.running = False


class DoublingWorker(ActivityWorker):
    def start(self) -> None:
        self.running = True
        while self.running:
            try:
                response = self.poll()
            except PollTimeout:
                continue
            self.heartbeat(response.task_token, details="started")
            arguments = json.loads(response.activity_task.input)
            self.complete(response.task_token, result=arguments["x"] * 2)

    def stop(self) -> None:
        self.running = False


def test_subclassed_decider_and_worker_run_an_execution_to_its_end(swf_domain):
    domain, wtype, atype = setup(swf_domain)
    decider = DoublingDecider(domain, "decisions", atype)
    worker = DoublingWorker(domain, "work", identity="worker-1")
    threads = [threading.Thread(target=actor.start, daemon=True) for actor in (decider, worker)]
    for thread in threads:
        thread.start()
    try:
        execution = wtype.start_execution("double-21", input={"x": 21})
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not execution.history().finished:
            time.sleep(0.05)
    finally:
        decider.stop()
        worker.stop()
        for thread in threads:
            thread.join(5)
    history = execution.history()
    assert history.last.state == "completed" and history.last.result == "42"
    assert history.filter(type="ActivityTask", state="started")[0].identity == "worker-1"
    assert [(e.type, e.state) for e in history.compile() if e.type != "DecisionTask"] == [
        ("WorkflowExecution", "completed"),
        ("ActivityTask", "completed"),
    ]
    closed = WorkflowExecutionQuerySet(domain).filter(status=WorkflowExecution.STATUS_CLOSED, workflow_id="double-21")
    assert closed[0].close_status == WorkflowExecution.CLOSE_STATUS_COMPLETED


def test_a_decision_task_holds_the_history_and_the_execution_and_an_activity_task_its_parts(swf_domain):
    domain, wtype, atype = setup(swf_domain)
    decider, worker = Decider(domain, "decisions"), ActivityWorker(domain, "work")
    with pytest.raises(PollTimeout):
        decider.poll()
    execution = wtype.start_execution("double-1", input={"x": 1})
    task = decider.poll(identity="decider-1")
    assert (task.execution.workflow_id, task.execution.run_id) == ("double-1", execution.run_id)
    assert task.execution.workflow_type.name == "doubling"
    assert [(e.type, e.state) for e in task.history] == [
        ("WorkflowExecution", "started"),
        ("DecisionTask", "scheduled"),
        ("DecisionTask", "started"),
    ]
    assert task.history.last.identity == "decider-1"
    schedule = ActivityTaskDecision("schedule", "double-1", atype, input={"x": 1}, control={"step": 1})
    decider.complete(task.token, [schedule], execution_context={"step": 1})
    with pytest.raises(DoesNotExistError, match="Unable to complete decision task"):
        decider.complete(task.token, [])  # already answered
    polled = worker.poll(identity="worker-1")
    activity = polled.activity_task
    assert polled.task_token == activity.task_token and polled.raw_response["activityId"] == "double-1"
    assert (activity.activity_id, activity.activity_type.name, activity.input) == ("double-1", "double", '{"x":1}')
    assert (activity.workflow_execution.workflow_id, activity.domain.name) == ("double-1", swf_domain)
    assert worker.heartbeat(polled.task_token, details="half way")["cancelRequested"] is False
    worker.complete(polled.task_token, result={"y": 2})
    with pytest.raises(DoesNotExistError, match="Unable to send heartbeat"):
        worker.heartbeat(polled.task_token)
    with pytest.raises(DoesNotExistError, match="Unable to complete activity task"):
        worker.complete(polled.task_token, result=None)
    completed = execution.history().filter(type="ActivityTask", state="completed")[0]
    assert completed.result == '{"y":2}'
    assert execution.upstream().latest_execution_context == '{"step":1}'


def test_a_worker_fails_or_cancels_its_task(swf_domain):
    domain, wtype, atype = setup(swf_domain)
    decider, worker = Decider(domain, "decisions"), ActivityWorker(domain, "work")
    execution = wtype.start_execution("double-2")
    token = decider.poll().token
    decider.complete(token, [ActivityTaskDecision("schedule", f"a-{n}", atype) for n in (1, 2)])
    first, second = worker.poll(), worker.poll()
    worker.fail(first.task_token, details="trace", reason="ValueError: no x")
    decider.complete(decider.poll().token, [ActivityTaskDecision("request_cancel", second.activity_task.activity_id)])
    assert worker.heartbeat(second.task_token)["cancelRequested"] is True
    worker.cancel(second.task_token, details="stopped")
    history = execution.history()
    failed = history.filter(type="ActivityTask", state="failed")[0]
    assert (failed.reason, failed.details) == ("ValueError: no x", "trace")
    assert history.filter(type="ActivityTask", state="canceled")[0].details == "stopped"
    assert [e.state for e in history.compile() if e.type == "ActivityTask"] == ["failed", "canceled"]


def test_an_actor_is_a_domain_and_a_task_list_that_subclasses_start_and_stop(swf_domain):
    actor = Actor(Domain(swf_domain), "somewhere")
    assert (actor.domain.name, actor.task_list) == (swf_domain, "somewhere")
    with pytest.raises(NotImplementedError):
        actor.start()
    with pytest.raises(NotImplementedError):
        actor.stop()
    with pytest.raises(TypeError):
        Actor(swf_domain, "somewhere")
