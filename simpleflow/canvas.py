"""Groups and chains of tasks, submitted as one: ``Group``, ``Chain``, ``FuncGroup``.

``self.submit(Group(...))`` returns one future whose result is the list of
its tasks' results. A chain submits each task once the previous one has
finished. Their futures derive their state from their tasks' futures; a
chain (or a group under ``max_parallel``) that must submit more after
``run`` moved on asks the engine to call it back when a task settles, at
the place in the submit order a full replay would give it.

A part's id that ends with a per-name count (``<name>-<k>``) takes that
count when its container is submitted, not when the part is: a chain's
later steps, a throttled group's queue, the second step of the chain that
finished first, all keep the ids they had in the first decision, however
their tasks' completions interleave with the workflow's other submits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from simpleflow import futures
from simpleflow.activity import Activity
from simpleflow.exceptions import AggregateException
from simpleflow.task import ActivityTask, ChildWorkflowTask, Task
from simpleflow.workflow import Workflow

__all__ = ["Chain", "ChainFuture", "FuncGroup", "Group", "GroupFuture"]


def _state(future: futures.Future) -> str:
    """The state of *future*, brought up to date, without the replay noting a look at an unsettled future."""
    future._settled()  # canvas futures recompute their state here
    return future._state


def _open(future: futures.Future) -> bool:
    return _state(future) in (futures.PENDING, futures.RUNNING)


class FuncGroup:
    """Calls ``func(*args, **kwargs)`` at submit time; it returns the Group, Chain or task to submit.

    ``raises_on_failure`` (keyword) is propagated to what it returns; ``_allow_none=True`` lets it
    return None (the future then finishes at once with None).
    """

    def __init__(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        self.func = func
        self.raises_on_failure = kwargs.pop("raises_on_failure", None)
        self.allow_none = kwargs.pop("_allow_none", False)
        self.args = list(args)
        self.kwargs = kwargs
        self.activities: Any = None  # what func returned, for tests and debugging

    def instantiate_task(self) -> Any:
        """Call the function and return what it built (kept in ``activities``).

        Raises:
            TypeError: it returned neither a Group, a Chain nor a task (nor None with ``_allow_none``).
        """
        self.activities = self.func(*self.args, **self.kwargs)
        if self.activities is None and self.allow_none:
            return None
        if not (isinstance(self.activities, (Task, Group, FuncGroup)) or _is_container(self.activities)):
            raise TypeError(
                f"FuncGroup {self.func!r} must return a Group, a Chain or a task, not {type(self.activities).__name__}"
            )
        if self.raises_on_failure is not None:
            self.activities.propagate_attribute("raises_on_failure", self.raises_on_failure)
        return self.activities

    def submit(self, executor: Any) -> futures.Future:
        """Build the group (``instantiate_task``) and submit it: its future (finished with None if it built None)."""
        built = self.instantiate_task()
        if built is None:
            done = futures.Future()
            done.set_finished(None)
            return done
        return executor.workflow.submit(built)

    def propagate_attribute(self, attr: str, val: Any) -> None:
        """Set *attr* on this FuncGroup (``raises_on_failure`` then reaches what the function returns)."""
        setattr(self, attr, val)

    def with_argument(self, value: Any) -> FuncGroup:
        """A copy whose function also receives *value* as its last positional argument."""
        copy = FuncGroup(self.func, *self.args, value, **self.kwargs)
        copy.raises_on_failure, copy.allow_none = self.raises_on_failure, self.allow_none
        return copy

    def __repr__(self) -> str:
        return f"<FuncGroup func={self.func!r} args={self.args!r}>"


class GroupFuture(futures.Future):
    """The future of a Group: its result is the list of the tasks' results (None where a task failed).

    Finished once every task is; cancelled if one is; running while one runs. Its ``exception`` is an
    ``AggregateException`` of the tasks' exceptions (None where a task succeeded) when a task failed
    and ``bubbles_exception_on_failure`` is true.
    """

    _cancelled_result_raises = False  # as in simpleflow: the list, None where a task was cancelled

    def __init__(
        self,
        activities: list[Any],
        workflow: Any,
        max_parallel: int | None = None,
        bubbles_exception_on_failure: bool = True,
    ) -> None:
        super().__init__()
        self.activities = activities
        self.workflow = workflow
        self.max_parallel = max_parallel
        self.bubbles_exception_on_failure = bubbles_exception_on_failure
        self.futures: list[futures.Future] = []
        executor = workflow.executor
        reserved = executor.reserved_for(activities)
        self._reserved = reserved if reserved is not None else _reserve(executor, activities)
        self._fill()

    def _submit_part(self, index: int, task: Any) -> futures.Future:
        """Submit part *index* (*task*: it, or a copy given the previous result) with its reserved count."""
        reserved = self._reserved[index] if index < len(self._reserved) else None
        if reserved is None:
            return self.workflow.submit(task)
        return self.workflow.executor.submit_part(task, reserved)

    def _fill(self) -> None:
        """Submit tasks in order while fewer than ``max_parallel`` are open."""
        while len(self.futures) < len(self.activities):
            if self.max_parallel and sum(1 for f in self.futures if _open(f)) >= self.max_parallel:
                opened = [f for f in self.futures if _open(f)]
                self.workflow.executor.continue_when(opened, self._fill)
                return
            index = len(self.futures)
            self.futures.append(self._submit_part(index, self.activities[index]))

    def _complete(self) -> bool:
        return len(self.futures) == len(self.activities)

    def _settled(self) -> bool:
        self._sync()
        return super()._settled()

    def _sync(self) -> None:
        states = [_state(f) for f in self.futures]
        if all(s == futures.FINISHED for s in states) and self._complete():
            self._state = futures.FINISHED
        elif futures.CANCELLED in states:
            self._state = futures.CANCELLED
        elif futures.RUNNING in states:
            self._state = futures.RUNNING
        else:
            self._state = futures.PENDING
        finished = [s == futures.FINISHED for s in states]
        self._result = [f._result if done else None for f, done in zip(self.futures, finished)]
        errors = [f._exception if done else None for f, done in zip(self.futures, finished)]
        if self.bubbles_exception_on_failure is not False and any(errors):
            self._exception = AggregateException(errors)
        else:
            self._exception = None

    @property
    def count_finished_activities(self) -> int:
        """How many of the submitted tasks are finished."""
        return sum(1 for f in self.futures if _state(f) == futures.FINISHED)

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} at {id(self):#x} state={self._state} exception={self._exception!r} "
            f"futures={self.futures!r}>"
        )


class ChainFuture(GroupFuture):
    """The future of a Chain: each task is submitted once the previous one finished.

    With ``break_on_failure`` (the default) a failed task ends the chain, which is then finished with
    an ``AggregateException``; with ``send_result`` each task gets the previous result as its last
    positional argument.
    """

    def __init__(
        self,
        activities: list[Any],
        workflow: Any,
        bubbles_exception_on_failure: bool = True,
        send_result: bool = False,
        break_on_failure: bool = True,
    ) -> None:
        self.send_result = send_result
        self.break_on_failure = break_on_failure
        super().__init__(activities, workflow, None, bubbles_exception_on_failure)

    def _fill(self) -> None:
        while len(self.futures) < len(self.activities):
            if self.futures:
                last = self.futures[-1]
                state = _state(last)
                if state in (futures.PENDING, futures.RUNNING):
                    self.workflow.executor.continue_when([last], self._fill)
                    return
                if state == futures.CANCELLED or self._broken() or self._complete():
                    return
            index = len(self.futures)
            task = self.activities[index]
            if self.send_result and index > 0:
                task = _with_argument(task, self.futures[-1]._result)
            self.futures.append(self._submit_part(index, task))

    def _broken(self) -> bool:
        last = self.futures[-1] if self.futures else None
        return bool(
            self.break_on_failure
            and last is not None
            and last._state == futures.FINISHED
            and last._exception is not None
        )

    def _complete(self) -> bool:
        if len(self.futures) == len(self.activities):
            return True
        return self._broken()


def _with_argument(task: Any, value: Any) -> Any:
    """*task* with *value* appended to its positional arguments (``Chain(send_result=True)``)."""
    if isinstance(task, ActivityTask):
        copy: Any = ActivityTask(task.activity, *task.args, value, **task.kwargs)
    elif isinstance(task, ChildWorkflowTask):
        copy = ChildWorkflowTask(
            task.workflow, *task.args, value, workflow_task_list=task.workflow_task_list, **task.kwargs
        )
    elif isinstance(task, FuncGroup):
        return task.with_argument(value)
    else:
        raise TypeError(
            f"Chain(send_result=True) cannot pass a result to {type(task).__name__}: "
            "wrap it in a FuncGroup that takes the result"
        )
    copy.options = task.options
    return copy


def _reserve(executor: Any, parts: list[Any]) -> list:
    """Reserve the counts of *parts*' ids, in the order a full replay submits them (depth first).

    Returns a list aligned with *parts*: a count, a nested list for a nested Group or Chain, or None
    where the part takes no count (an idempotent task, a timer...) or comes after a part whose submits
    are known only when it runs (a ``FuncGroup``, another module's container such as a step, a child
    whose ``get_workflow_id`` waits on an argument: see ``reserve_counts``): from there on, parts take
    their counts when they are submitted.
    """
    leaves: list[Any] = []
    stopped = False

    def layout(items: list[Any]) -> list:
        nonlocal stopped
        shape: list = []
        for item in items:
            if stopped:
                shape.append(None)
            elif isinstance(item, Group):
                shape.append(layout(item.activities))
            elif isinstance(item, (ActivityTask, ChildWorkflowTask)):
                shape.append(len(leaves))
                leaves.append(item)
            elif isinstance(item, Task):  # timers, markers, signals: named, never counted
                shape.append(None)
            else:
                stopped = True
                shape.append(None)
        return shape

    shape = layout(parts)
    if not leaves:
        return shape
    counts = executor.reserve_counts(leaves)

    def fill(shape: list) -> list:
        return [fill(x) if isinstance(x, list) else None if x is None else counts[x] for x in shape]

    return fill(shape)


def _checked_max_parallel(value: Any) -> int | None:
    """*value* if it is a bound on a group's open tasks: None or 0 (no bound, as in simpleflow), or a count.

    Raises:
        ValueError: anything else (a negative bound submitted nothing and left the workflow stuck).
    """
    if value is None or (isinstance(value, int) and not isinstance(value, bool) and value >= 0):
        return value
    raise ValueError(f"Group: max_parallel must be a whole number >= 1 (or None for no limit), not {value!r}")


def _is_container(obj: Any) -> bool:
    """A submittable of another module that submits its own parts (``simpleflow.step.Step``...)."""
    return not isinstance(obj, type) and callable(getattr(obj, "submit", None)) and hasattr(obj, "propagate_attribute")


class Group:
    """Tasks run in parallel: ``Group((activity, *args), ChildWorkflowTask(...), Chain(...), ...)``.

    Options: ``max_parallel`` (at most that many tasks open at once), ``raises_on_failure`` (set on
    every task: whether its failure fails the workflow), ``bubbles_exception_on_failure`` (default
    True: a failed task makes the group's ``exception`` an AggregateException), ``future_class``.
    """

    default_future_class: type[GroupFuture] = GroupFuture

    def __init__(self, *activities: Any, **options: Any) -> None:
        self.activities: list[Any] = []
        self.max_parallel: int | None = _checked_max_parallel(options.pop("max_parallel", None))
        self.raises_on_failure: bool | None = options.pop("raises_on_failure", None)
        self.bubbles_exception_on_failure = options.pop("bubbles_exception_on_failure", True)
        self.future_class = options.pop("future_class", self.default_future_class)
        if options:
            raise TypeError(f"{type(self).__name__}() got unexpected options: {', '.join(sorted(options))}")
        self.extend(activities)

    def append(self, submittable: Any, *args: Any, **kwargs: Any) -> None:
        """Add a task: an Activity or Workflow class with its arguments, a task object, a Group or a FuncGroup."""
        if isinstance(submittable, (Task, Group, FuncGroup)) or _is_container(submittable):
            if args or kwargs:
                raise ValueError(f"arguments cannot be given with {type(submittable).__name__} {submittable!r}")
        elif isinstance(submittable, Activity):
            submittable = ActivityTask(submittable, *args, **kwargs)
        elif isinstance(submittable, type) and issubclass(submittable, Workflow):
            submittable = ChildWorkflowTask(submittable, *args, **kwargs)
        else:
            raise ValueError(f"{submittable!r} is not an activity, a workflow, a task, a Group or a FuncGroup")
        if self.raises_on_failure is not None:
            submittable.propagate_attribute("raises_on_failure", self.raises_on_failure)
        self.activities.append(submittable)

    def extend(self, iterable: Iterable[Any]) -> None:
        """Add each item; a tuple is ``(activity_or_workflow, *args)``."""
        for item in iterable:
            if isinstance(item, tuple):
                self.append(*item)
            else:
                self.append(item)

    def __iadd__(self, iterable: Iterable[Any]) -> Group:
        self.extend(iterable)
        return self

    def propagate_attribute(self, attr: str, val: Any) -> None:
        """Set *attr* on every task of the group (nested groups included)."""
        for item in self.activities:
            item.propagate_attribute(attr, val)

    def submit(self, executor: Any) -> GroupFuture:
        """Submit the tasks (up to ``max_parallel`` at once, the rest as those settle): the group's future."""
        return self.future_class(
            self.activities, executor.workflow, self.max_parallel, self.bubbles_exception_on_failure
        )

    def __repr__(self) -> str:
        return f"<{type(self).__name__} at {id(self):#x} activities={self.activities!r}>"


class Chain(Group):
    """Tasks run one after the other.

    ``send_result=True`` passes each result to the next task as its last positional argument;
    ``break_on_failure`` (default True) stops the chain at the first failed task. A chain built with
    ``raises_on_failure=False`` does not bubble its failures up (so an enclosing chain goes on) unless
    ``bubbles_exception_on_failure`` says otherwise.
    """

    default_future_class = ChainFuture

    def __init__(self, *activities: Any, **options: Any) -> None:
        self.send_result = options.pop("send_result", False)
        self.break_on_failure = options.pop("break_on_failure", True)
        if self.send_result and not self.break_on_failure:
            raise ValueError("Chain: send_result=True cannot be combined with break_on_failure=False")
        if options.get("raises_on_failure") is False and "bubbles_exception_on_failure" not in options:
            options["bubbles_exception_on_failure"] = False
        super().__init__(*activities, **options)

    def submit(self, executor: Any) -> ChainFuture:
        """Submit the tasks in order, each once the previous one finished: the chain's future."""
        return self.future_class(
            self.activities,
            executor.workflow,
            bubbles_exception_on_failure=self.bubbles_exception_on_failure,
            send_result=self.send_result,
            break_on_failure=self.break_on_failure,
        )
