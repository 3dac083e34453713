"""``DagWorkflow``: one generic workflow that runs any compiled spec on the ordinary engine.

The spec travels in the execution's input (``run(spec, input)``), so replays read
the spec the execution started with. Each decision the workflow walks the graph:
a node whose requirements all finished is submitted (activity, child workflow or
timer); a finished node's result feeds the nodes after it. Looking at futures
that may still change makes the engine replay the walk in full on every
decision task (see simpleflow.engine), which keeps it exact whichever branch
finishes first.
"""

from __future__ import annotations

import re
from typing import Any

from simpleflow import futures
from simpleflow.activity import Activity
from simpleflow.dag import _refs
from simpleflow.task import ActivityTask, ChildWorkflowTask, ContinueAsNewWorkflowTask, TaskFailureContext
from simpleflow.workflow import Workflow


class _TaskKey:
    """Stands for a declared activity's function in the decider: gives the task its node id."""

    def __init__(self, key: str) -> None:
        self.key = swf_id(key)
        self.__module__ = "simpleflow.dag"
        self.__qualname__ = "node"

    def get_task_id(self, workflow: Any, *args: Any, **kwargs: Any) -> str:
        return self.key

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a DAG node's activity runs on a worker, from the declared activity")


class NodeActivity(Activity):
    """A declared activity as one node schedules it (its own timeouts, task id and retry policy).

    Never registered: workers run the declared activity of the same name.
    """

    def __init__(self, target: dict[str, Any], key: str, retry: dict[str, Any] | None) -> None:
        super().__init__(
            _TaskKey(key),
            name=target["name"],
            version=target["version"],
            task_list=target["task_list"],
            start_to_close_timeout=target.get("start_to_close"),
            schedule_to_close_timeout=target.get("schedule_to_close"),
            schedule_to_start_timeout=target.get("schedule_to_start"),
            heartbeat_timeout=target.get("heartbeat"),
        )
        self.retry_policy = retry

    def register(self) -> None:
        pass


def swf_id(text: str) -> str:
    """*text* as SWF accepts an id (no ':', '/', '|', whitespace or control characters): floto's ids have colons."""
    return re.sub(r"[:/|\s\x00-\x1f\x7f-\x9f]", "-", text)


def child_stand_in(target: dict[str, Any], child_id: str, retry: dict[str, Any] | None) -> type:
    """A stand-in for the child's workflow class: what the parent needs to start it (the child's decider runs it)."""
    module, _, qualname = (target.get("path") or "simpleflow.dag.ChildWorkflow").rpartition(".")

    def get_workflow_id(cls: type, *args: Any, **kwargs: Any) -> str:
        return child_id

    return type(
        qualname.rpartition(".")[2] or "ChildWorkflow",
        (Workflow,),
        {
            "__module__": module,
            "__qualname__": qualname,
            "name": target["name"],
            "version": target["version"],
            "task_list": target.get("task_list"),
            "execution_timeout": target.get("execution_timeout") or Workflow.execution_timeout,
            "decision_tasks_timeout": target.get("decision_tasks_timeout") or Workflow.decision_tasks_timeout,
            "child_policy": target.get("child_policy"),
            "raises_on_failure": False,
            "retry_policy": retry,
            "get_workflow_id": get_workflow_id,
        },
    )


def workflow_class_for(spec: dict[str, Any]) -> type:
    """A DagWorkflow subclass with the spec's workflow type (name, version, task list, timeout)."""
    attrs: dict[str, Any] = {
        "__module__": DagWorkflow.__module__,
        "__qualname__": DagWorkflow.__qualname__,  # deciders find it as DagWorkflow
        "name": spec["name"],
        "version": spec["version"],
        "task_list": spec.get("task_list") or DagWorkflow.task_list,
    }
    if spec.get("execution_timeout"):
        attrs["execution_timeout"] = spec["execution_timeout"]
    return type("DagWorkflow", (DagWorkflow,), attrs)


class NodeFailed(Exception):
    """A node failed for good."""


class _Walk:
    """One replay's walk of the graph."""

    def __init__(self, workflow: DagWorkflow, spec: dict[str, Any], input: Any) -> None:
        self.workflow = workflow
        self.spec = spec
        self.input = input
        self.nodes = {n["id"]: n for n in spec["nodes"]}
        self.order = spec.get("order") or list(self.nodes)
        self.dependents = {nid: [n for n in self.order if nid in self.nodes[n]["requires"]] for nid in self.order}
        self.results: dict[str, Any] = {}
        self.started: dict[str, list[futures.Future]] = {}
        self.items: dict[str, list[Any]] = {}

    def run(self) -> Any:
        while True:
            self._advance()
            if len(self.results) == len(self.nodes):
                return self._result()
            waiting = [f for nid in self.order for f in self.started.get(nid, ()) if not f.done]
            if not waiting:
                left = [nid for nid in self.order if nid not in self.results]
                self.workflow.fail(f"nodes {left} can never run")
            waiting[0].wait()

    # -- the graph ------------------------------------------------------------

    def _advance(self) -> None:
        # One pass in topological order: a node's requirements are settled (or not) before it is looked at.
        for nid in self.order:
            if nid in self.results:
                continue
            node = self.nodes[nid]
            if nid not in self.started:
                if not all(d in self.results for d in node["requires"]):
                    continue
                self._start(node)
            self._settle(node)

    def _scope(self, node: dict[str, Any]) -> dict[str, Any]:
        scope: dict[str, Any] = {"input": self.input, "nodes": self.results}
        if "context" in node:
            scope["context"] = self._floto_context(node)
        return scope

    def _floto_context(self, node: dict[str, Any]) -> dict[str, Any]:
        """floto's activity context: the requirements' results by id, else the workflow input; and the task input."""
        context: dict[str, Any] = {}
        if node["requires"]:
            for dep in node["requires"]:
                if self.results.get(dep):
                    context[dep] = self.results[dep]
        elif self.input:
            context["workflow"] = self.input
        if node["context"] is not True and node["context"] is not None:
            key = "child_workflow_task" if node["kind"] == "workflow" else "activity_task"
            context[key] = node["context"]
        return context

    def _start(self, node: dict[str, Any]) -> None:
        try:
            self._start_node(node)
        except _refs.BadReference as err:  # e.g. a key the upstream result does not have
            self.workflow.fail(f"node {node['id']!r}: {err}")

    def _start_node(self, node: dict[str, Any]) -> None:
        nid = node["id"]
        scope = self._scope(node)
        if node["kind"] == "timer":
            self.started[nid] = [self.workflow.submit(self.workflow.start_timer(swf_id(nid), node["seconds"]))]
            return
        if node.get("foreach") is None:
            self.started[nid] = [self._submit(node, nid, scope)]
            return
        items = _refs.resolve(node["foreach"], scope)
        if not isinstance(items, list):
            self.workflow.fail(f"node {nid!r}: foreach {node['foreach']} is not a list ({type(items).__name__})")
        self.items[nid] = items
        self.started[nid] = []
        self._fill(node)

    def _fill(self, node: dict[str, Any]) -> None:
        """Submit a fan-out's next items, keeping at most ``max_parallel`` open."""
        nid = node["id"]
        submitted = self.started[nid]
        limit = node.get("max_parallel") or len(self.items[nid]) or 1
        while len(submitted) < len(self.items[nid]):
            if sum(not f.done for f in submitted) >= limit:
                return
            index = len(submitted)
            scope = dict(self._scope(node), item=self.items[nid][index], index=index)
            submitted.append(self._submit(node, f"{nid}-{index}", scope))

    def _submit(self, node: dict[str, Any], key: str, scope: dict[str, Any]) -> futures.Future:
        args = _refs.resolve(node["args"], scope)
        kwargs = _refs.resolve(node["kwargs"], scope)
        target = node["target"]
        if "context" in node:
            if node["kind"] == "workflow":
                args = [scope["context"]]
            elif target.get("takes_context"):
                kwargs = {"context": scope["context"]}
        if node["kind"] == "activity":
            return self.workflow.submit(ActivityTask(NodeActivity(target, key, node["retry"]), *args, **kwargs))
        parent_id = self.workflow.get_run_context().get("workflow_id") or "local"
        child = child_stand_in(target, swf_id(f"{parent_id}--{key}"), node["retry"])
        return self.workflow.submit(ChildWorkflowTask(child, *args, **kwargs))

    def _settle(self, node: dict[str, Any]) -> bool:
        """Record the node's result once every task of it finished; False while some run."""
        nid = node["id"]
        submitted = self.started[nid]
        for future in submitted:
            if future.done and (future.exception is not None or future.cancelled):
                error = future.exception
                reason = getattr(error, "reason", None) or (repr(error) if error else "cancelled")
                self.workflow.fail(f"node {nid!r} failed: {reason}", getattr(error, "details", None))
        if nid in self.items:
            try:
                self._fill(node)
            except _refs.BadReference as err:
                self.workflow.fail(f"node {nid!r}: {err}")
            if len(submitted) < len(self.items[nid]) or not all(f.done for f in submitted):
                return False
            self.results[nid] = [f.result for f in submitted]
            return True
        if not all(f.done for f in submitted):
            return False
        self.results[nid] = submitted[0].result if node["kind"] != "timer" else None
        return True

    def _result(self) -> Any:
        if self.spec.get("result_mode") == "floto":
            leaves = [nid for nid in self.order if not self.dependents[nid]]
            found = {nid: self.results[nid] for nid in leaves if self.results.get(nid)}
            return found or None
        if self.spec.get("result") is not None:
            return _refs.resolve(self.spec["result"], {"input": self.input, "nodes": self.results})
        leaves = [nid for nid in self.order if not self.dependents[nid] and self.nodes[nid]["kind"] != "timer"]
        return {nid: self.results[nid] for nid in leaves}


class DagWorkflow(Workflow):
    """Runs the compiled spec it is given: ``run(spec, input=None)``."""

    name = "simpleflow.dag"
    version = "1"
    task_list = "dag"

    def run(self, spec: dict[str, Any], input: Any = None) -> Any:
        result = _Walk(self, spec, input).run()
        if spec.get("repeat"):
            # floto's repeat_workflow: the same spec and input again, in a fresh history.
            self.submit(ContinueAsNewWorkflowTask(workflow_class_for(spec), spec=spec, input=input))
        return result

    def on_task_failure(self, failure_context: TaskFailureContext) -> TaskFailureContext:
        """A node's retry policy: up to ``max_attempts`` attempts, ``delay * backoff**n`` seconds apart."""
        payload = failure_context.payload
        policy = getattr(payload, "retry_policy", None)
        if not policy or failure_context.attempt_number >= policy["max_attempts"]:
            return failure_context.decide_abort()
        wait = policy["delay"] * policy["backoff"] ** (failure_context.attempt_number - 1)
        return failure_context.decide_retry(int(round(wait)))
