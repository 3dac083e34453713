"""``DagWorkflow``: one generic workflow that runs any compiled spec on the ordinary engine.

The spec travels in the execution's input (``run(spec, input)``, packed: ``_input``), so replays read
the spec the execution started with. The workflow walks the graph in topological
order: a node whose requirements all finished is submitted (activity, child
workflow or timer); a finished node's result feeds the nodes after it; then it
waits until any open task settles, and walks on.

The walk resumes as a Python workflow does (a decision costs the same whatever
the history's length). What it submits at any point is a function of the set of
settled tasks alone (their results, and each pass visits nodes in one fixed
order), never of when or in which order they settled: so it reads task states
without the engine noting a look at a future that may still change (which would
replay it in full at every decision task), and waits on all open tasks at once
through a continuation (``continue_when``). A resumed run and a full replay over
the same history see the same settled tasks and decide alike
(tests/engine/test_dag_resume.py drives both), with one exception the walk
guards: decisions the engine owes for tasks submitted at an earlier decision
task (a failed attempt's retry, a fired retry timer, what a cut response left)
sort where those tasks were submitted, not where a full replay's one pass puts
them, so such a decision task is replayed in full. A node's retries are the
engine's ``retry`` option on its task.
"""

from __future__ import annotations

import heapq
from typing import Any

from simpleflow import futures
from simpleflow.activity import Activity
from simpleflow.dag import _input, _refs
from simpleflow.dag._ids import child_workflow_id, swf_id
from simpleflow.retry import RetryPolicy
from simpleflow.task import ActivityTask, ChildWorkflowTask, ContinueAsNewWorkflowTask, TaskFailureContext
from simpleflow.workflow import Workflow

_LONGEST_TIMER = 99_999_999  # seconds: SWF's startToFireTimeout holds at most 8 digits


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
            retry=retry_of(retry),
        )

    def register(self) -> None:
        pass


def retry_of(retry: dict[str, Any] | None) -> int | RetryPolicy:
    """A node's ``retry`` as the engine's ``retry`` option: attempt ``n`` failed, wait ``delay * backoff**(n-1)``.

    Retries without a delay are the integer form (at once, as floto's InstantRetry); waits are rounded up
    to whole seconds, as every ``RetryPolicy`` wait.
    """
    if not retry or retry["max_attempts"] <= 1:
        return 0
    attempts, delay, backoff = retry["max_attempts"], retry.get("delay") or 0, retry.get("backoff") or 1
    errors = retry.get("non_retryable_errors")
    if not delay and not errors:
        return attempts - 1
    longest = float(delay)  # the wait after the last attempt but one: the policy's cap
    for _ in range(attempts - 2):
        if longest >= _LONGEST_TIMER:
            break
        longest *= backoff
    return RetryPolicy(
        maximum_attempts=attempts,
        initial_interval=delay,
        backoff_coefficient=backoff,
        maximum_interval=max(float(delay), min(longest, _LONGEST_TIMER)),
        non_retryable_errors=errors or (),
    )


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
            "retry": retry_of(retry),
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


class _NodeFailed(Exception):
    """A node failed for good: the workflow fails with this reason once the pass is over."""

    def __init__(self, reason: str, details: Any = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.details = details


def _settled(future: futures.Future) -> bool:
    # Not ``future.done``: that notes a look at a future that may still change, and the engine would then
    # replay the walk in full at every decision task. The walk decides from settled tasks alone (see above).
    return future._settled()


def _failed(future: futures.Future) -> bool:
    """A settled task that failed for good or was cancelled."""
    return future.exception is not None or future.cancelled


class _Walk:
    """One run's walk of the graph.

    Each pass visits, in topological order, the nodes started without a result and the nodes whose
    requirements all have results: so a pass costs what is open or ready, not the whole graph.
    """

    def __init__(self, workflow: DagWorkflow, spec: dict[str, Any], input: Any) -> None:
        self.workflow = workflow
        self.spec = spec
        self.input = input
        self.nodes = {n["id"]: n for n in spec["nodes"]}
        self.order = spec.get("order") or list(self.nodes)
        self.rank = {nid: i for i, nid in enumerate(self.order)}
        self.dependents: dict[str, list[str]] = {nid: [] for nid in self.order}
        self.missing: dict[str, int] = {}  # requirements without a result yet
        for nid in self.order:
            requires = set(self.nodes[nid]["requires"])
            self.missing[nid] = len(requires)
            for dep in requires:
                self.dependents[dep].append(nid)
        self.results: dict[str, Any] = {}
        self.started: dict[str, list[futures.Future]] = {}
        self.items: dict[str, list[Any]] = {}
        self.to_visit = [self.rank[nid] for nid in self.order if not self.missing[nid]]  # ranks, for the next pass
        self.timer_ids = {swf_id(nid) for nid, node in self.nodes.items() if node["kind"] == "timer"}
        self.seen_event_id = 0  # the history's last event at the last pass

    def run(self) -> Any:
        while True:
            self._advance()
            if len(self.results) == len(self.nodes):
                return self._result()
            waiting = [f for rank in self.to_visit for f in self.started[self.order[rank]] if not _settled(f)]
            if not waiting:
                left = [nid for nid in self.order if nid not in self.results]
                self.workflow.fail(f"nodes {left} can never run")
            self._wait_for_any(waiting)

    def _wait_for_any(self, waiting: list[futures.Future]) -> None:
        """Wait until one of *waiting* settles (a continuation sets a gate the run waits on)."""
        gate = futures.Future()

        def wake() -> None:
            if self._owes_earlier_decisions():
                gate.wait()  # a continuation that waits makes the engine replay this decision task in full
            gate.set_finished(None)

        self.workflow.executor.continue_when(waiting, wake)
        gate.wait()

    def _owes_earlier_decisions(self) -> bool:
        """Whether the engine owes decisions for tasks submitted before the last pass.

        They sort where their tasks were submitted, at an earlier decision task, where a full replay
        (one pass in topological order) would sort them among this pass's: the decision task must
        be replayed in full. Failed attempts already are (``on_task_failure``); what remains is a
        retry timer that fired (the retry is owed) and the engine's wake-up timer (the last response
        had no room for every decision). A timer node firing is a task settling, not a debt.
        """
        history = self.workflow._history
        if history is None:
            return False
        for timer_id, timer in history.timers.items():
            if timer_id not in self.timer_ids and timer.get("fired_event_id", 0) > self.seen_event_id:
                return True
        return False

    # -- the graph ------------------------------------------------------------

    def _advance(self) -> None:
        # One pass in topological order: a node's requirements are settled (or not) before it is looked at,
        # and a node they complete (a later rank) is visited in the same pass. A node that failed fails the
        # workflow once the pass is over: a full replay, which submits every node the history holds before
        # it meets the failure, owes the same decisions (a retry the engine owes a later node included).
        heap = self.to_visit
        heapq.heapify(heap)
        still_open = []
        failures: list[_NodeFailed] = []
        while heap:
            rank = heapq.heappop(heap)
            nid = self.order[rank]
            node = self.nodes[nid]
            try:
                if nid not in self.started:
                    self._start(node)
                if not self._settle(node):
                    still_open.append(rank)
                    continue
            except _refs.BadReference as err:  # e.g. a key the upstream result does not have
                failures.append(_NodeFailed(f"node {nid!r}: {err}"))
                continue
            except _NodeFailed as err:
                failures.append(err)
                continue
            for after in self.dependents[nid]:
                self.missing[after] -= 1
                if not self.missing[after]:
                    heapq.heappush(heap, self.rank[after])
        self.to_visit = still_open
        if self.workflow._history is not None:
            self.seen_event_id = self.workflow._history.last_event_id
        if failures:
            self.workflow.fail(failures[0].reason, failures[0].details)

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
            raise _NodeFailed(f"node {nid!r}: foreach {node['foreach']} is not a list ({type(items).__name__})")
        self.items[nid] = items
        self.started[nid] = []  # its items are submitted when it is settled, right after

    def _fill(self, node: dict[str, Any]) -> None:
        """Submit a fan-out's next items, keeping at most ``max_parallel`` open.

        Open is not settled (a failed item is settled): the items submitted are the shortest prefix
        with that many open, whether the run saw them settle one by one or a replay finds them settled.
        """
        nid = node["id"]
        submitted = self.started[nid]
        items = self.items[nid]
        limit = node.get("max_parallel") or len(items) or 1
        open_now = sum(not _settled(f) for f in submitted)
        while len(submitted) < len(items) and open_now < limit:
            index = len(submitted)
            scope = dict(self._scope(node), item=items[index], index=index)
            submitted.append(self._submit(node, f"{nid}-{index}", scope))
            open_now += not _settled(submitted[-1])

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
        child = child_stand_in(target, child_workflow_id(parent_id, key), node["retry"])
        return self.workflow.submit(ChildWorkflowTask(child, *args, **kwargs))

    def _settle(self, node: dict[str, Any]) -> bool:
        """Record the node's result once every task of it finished; False while some run.

        Raises:
            _NodeFailed: a task of the node failed for good or was cancelled.
            BadReference: a fan-out item's arguments refer to what is not there.
        """
        nid = node["id"]
        submitted = self.started[nid]
        if nid in self.items:
            self._fill(node)
        for future in submitted:
            if _settled(future) and _failed(future):
                error = future.exception
                reason = getattr(error, "reason", None) or (repr(error) if error else "cancelled")
                raise _NodeFailed(f"node {nid!r} failed: {reason}", getattr(error, "details", None))
        if nid in self.items:
            if len(submitted) < len(self.items[nid]) or not all(_settled(f) for f in submitted):
                return False
            self.results[nid] = [f.result for f in submitted]
            return True
        if not all(_settled(f) for f in submitted):
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
    _history: Any = None  # the run's history (before_replay)

    def before_replay(self, history: Any) -> None:
        self._history = history

    def run(self, spec: dict[str, Any], input: Any = None) -> Any:
        """Walk *spec*: packed (``_input``), or the compiled spec itself, as executions started before carry it."""
        try:
            compiled = _input.unpack(spec)
        except _input.BadInput as err:
            self.fail(f"the execution's input holds no DAG spec this simpleflow reads: {err}")
        result = _Walk(self, compiled, input).run()
        if spec.get("repeat"):
            # floto's repeat_workflow: the same spec and input again, in a fresh history.
            self.submit(ContinueAsNewWorkflowTask(workflow_class_for(spec), spec=spec, input=input))
        return result

    def on_task_failure(self, failure_context: TaskFailureContext) -> None:
        """Leave a failed attempt to the node's retry policy (``retry`` on its task).

        Defined all the same: a decision task that brings a failed attempt is then replayed in full
        by the engine. The retries it owes sort where their tasks were submitted, which a resumed
        walk and a full replay (in topological order) do not share.
        """
        return None
