"""The commands of one run: submitted, resolved against the history as it grows, retried.

``CommandTracker`` turns each submit into a ``Command`` (its id computed as
simpleflow computes it), resolves it against its history record at once and
again whenever an event changes that record (see _resolvers; the events come
in through _events), applies the retry rules to failed attempts (_failures)
and books the decisions owed in the run's ``Ledger``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from simpleflow import exceptions, format, futures
from simpleflow.engine import _cancel, _fit, _ids, _patch, _repair
from simpleflow.engine import _decisions as decisions
from simpleflow.engine._commands import (
    ACTIVITY,
    CACHED,
    CHILD_WORKFLOW,
    TIMER,
    Command,
    WaitingSubmit,
    arguments_ready,
    counts_at_submit,
    uses_counter,
)
from simpleflow.engine._events import EventsMixin
from simpleflow.engine._failures import RESCHEDULE, WAITING, Owed, RetryRules
from simpleflow.engine._fallback import NeedsFullReplay
from simpleflow.engine._ledger import Ledger
from simpleflow.engine._resolvers import (
    CANCELLED,
    COMMAND_DECISION,
    FAILED,
    FINISHED,
    PENDING,
    RESOLVERS,
    RUNNING,
    Resolution,
)
from simpleflow.history import History, State
from simpleflow.task import ActivityTask, ChildWorkflowTask, TimerTask

_COMPLETED = State.COMPLETED  # an enum member read through its class costs a lookup in the enum's metaclass
_UNKNOWN = object()


class CommandTracker(EventsMixin):
    """The commands of one run and the history they are resolved against.

    Args:
        history: the run's history (the tracker folds events into it).
        workflow: the workflow instance (custom task ids, its priority, ``on_task_failure``).
        info: the execution's ids and task list (child workflow ids, activity routing).
        on_news: called when a command owes a decision, or gets a value, that no past decision saw:
            the run is no longer replaying the past.
    """

    def __init__(self, history: History, workflow: Any, info: Any, on_news: Callable[[], None]) -> None:
        self.history = history
        self.workflow = workflow
        self.info = info
        self._on_news = on_news
        self.ledger = Ledger()
        self.commands: dict[tuple[str, str], Command] = {}
        self._by_name: dict[tuple[str, str], list[Command]] = {}  # markers and signals, by name
        self.waiting_submits: list[WaitingSubmit] = []
        self.retry = RetryRules(history, workflow)
        self.resolving_events = False  # commands are resolved against new events, not at their submit
        self._batch_first_id = 0  # the id of the first event ``apply_events`` folds in now
        self.continuation_position: tuple[int, ...] | None = None  # of the canvas continuation being run
        self.part: tuple[Any, Any] | None = None  # a canvas part being submitted, and its reserved counts
        self.mismatches: list[_fit.Mismatch] = []  # where a command does not fit its history record (_fit)
        self.types_to_register: set[tuple[str, str, str]] = set()  # (kind, name, version) SWF did not know
        self._cached_counts: dict[str, int] = {}
        self._custom_ids: dict[Any, Callable | None] = {}  # activity -> its callable's get_task_id, if any
        self.patches: dict[str, bool] = {}  # change id -> the answer of its first patched() call
        self.deprecated_past: dict[str, str] = {}  # change id -> what shows the history went past it unmarked

    def clear(self) -> None:
        """Forget every command and the history (the run is closed)."""
        self.history = History()
        self.retry = RetryRules(self.history, self.workflow)
        self.commands.clear()
        self._by_name.clear()
        self.waiting_submits.clear()
        self.ledger = Ledger()

    # -- submits ----------------------------------------------------------------------

    def next_position(self) -> tuple[int, ...]:
        """Where the next submit sorts among all submits."""
        return self.ledger.next_position(self.continuation_position)

    def submit_task(self, task: ActivityTask | ChildWorkflowTask) -> futures.Future:
        """Submit an activity or child workflow (once its arguments settled)."""
        position = self.ledger.next_position(self.continuation_position)
        count = None
        part = self.part
        if part is not None and part[0] is task:  # a canvas part: its count was reserved with its container
            count = part[1]
            self.part = None
        if not arguments_ready(task):
            future = futures.Future()
            # Its count is taken now, in submit order, as a full replay (where the arguments may have settled)
            # takes it: a later submit of the name cannot take it first, so no id depends on when an
            # argument settles (else a full replay would read another task's record under that id).
            if count is None and counts_at_submit(task):
                count = self._next_count(task, position)
            self.waiting_submits.append(WaitingSubmit(task, position, future, count))
            return future
        return self._submit_resolved(task, position, None, count)

    def reserve_counts(self, tasks: list[Any]) -> list[int | None]:
        """Take now the counts the ids of *tasks* (a canvas container's parts) end with when each is submitted.

        None for a task whose id takes no count (an idempotent hash, a custom id), and for every task from
        the first whose id cannot be known yet: a child whose ``get_workflow_id`` waits on an unfinished
        argument (it takes its count, if any, when submitted, as the tasks after it then do).
        """
        position = self.next_position()
        counts: list[int | None] = []
        for task in tasks:
            if not isinstance(task, (ActivityTask, ChildWorkflowTask)) or task.idempotent:
                counts.append(None)
            elif counts_at_submit(task):
                counts.append(self._next_count(task, position))
            elif isinstance(task, ChildWorkflowTask) and not arguments_ready(task):
                break
            else:  # a custom id; a child's get_workflow_id may say None: simpleflow's id, counted
                counts.append(self._next_count(task, position) if uses_counter(task) else None)
        return counts + [None] * (len(tasks) - len(counts))

    def _submit_resolved(
        self, task: Any, position: tuple[int, ...], future: futures.Future | None, count: int | None = None
    ) -> futures.Future:
        Future = futures.Future  # noqa: N806 - a local name for this hot loop
        # The task's own tuple and dict unless a future is among them (a cached run holds one of each).
        args: tuple | list = task.args
        for a in args:  # a loop, not any(): cheaper for the one or two arguments of most tasks
            if isinstance(a, Future):
                self._check_values(task, args)
                args = [a._result if isinstance(a, Future) else a for a in args]
                break
        kwargs: dict = task.kwargs
        if kwargs:  # (most tasks have none: no view, no iterator)
            for v in kwargs.values():
                if isinstance(v, Future):
                    self._check_values(task, kwargs.values())
                    kwargs = {k: v._result if isinstance(v, Future) else v for k, v in kwargs.items()}
                    break
        kind = ACTIVITY if isinstance(task, ActivityTask) else CHILD_WORKFLOW
        task_id = self._task_id(task, kind, args, kwargs, position, count)
        key = (kind, task_id)
        existing = self.commands.get(key)
        if existing is not None:  # the same idempotent task again: one task, one future
            self._check_same_task(existing, task, args, kwargs)
            if future is not None and existing.future is not future:
                existing.duplicate_futures = (existing.duplicate_futures or []) + [future]
                future.copy_from(existing.future)
            return existing.future
        command = Command(kind, task_id, task, position, future or Future(), args, kwargs, submitted=(args, kwargs))
        task.id = task_id
        self.commands[key] = command
        self.resolve(command)
        return command.future

    def _check_same_task(self, existing: Command, task: Any, args: Any, kwargs: Any) -> None:
        """Refuse another task under *existing*'s id (a ``get_workflow_id`` or ``get_task_id`` giving one id to
        different inputs): it would get that task's future, and its result, silently.

        Raises:
            ValueError: the task is another one (its name or input differs), in ``run``.
            NeedsFullReplay: the submit waited on an argument, and the run went on meanwhile.
        """
        first_args, first_kwargs = existing.submitted or (existing.args, existing.kwargs)
        first = format.dumps({"args": list(first_args), "kwargs": first_kwargs or {}})
        again = format.dumps({"args": list(args), "kwargs": kwargs or {}})
        if existing.task.name == task.name and first == again:
            return
        if self.resolving_events:
            raise NeedsFullReplay()
        what = "child workflow" if existing.kind == CHILD_WORKFLOW else "activity"
        raise ValueError(
            f"two tasks under one {what} id {existing.id!r} (the second would get the first's result; give each "
            f"its own id): {existing.task.name} {_fit.short_text(first)}, then {task.name} {_fit.short_text(again)}"
        )

    def _check_values(self, task: Any, values: Any) -> None:
        """Raise ``NoValue`` in ``run`` when one of *values* is the future of a task that failed or was cancelled.

        Its ``_result`` is None because no task computed one: scheduling *task* on it would pass a value
        nothing computed (a worker that could not store a result, its task timed out: the next task got
        ``null``). A submit that waited on that future is past in ``run``: a full replay raises there.

        Raises:
            NoValue: the submit is in ``run`` now.
            NeedsFullReplay: the submit waited on the future, and the run went on meanwhile.
        """
        for value in values:
            if isinstance(value, futures.Future) and (value._exception is not None or value._state == CANCELLED):
                if self.resolving_events:
                    raise NeedsFullReplay()
                failed = next((c.task for c in self.commands.values() if c.future is value), None)
                payload = getattr(task, "activity", None) or getattr(task, "workflow", None)
                submitted = getattr(payload, "name", None) or getattr(task, "name", None) or str(task)
                raise exceptions.NoValue(failed, value._exception, submitted)

    def _task_id(
        self, task: Any, kind: str, args: list, kwargs: dict, position: tuple[int, ...], count: int | None = None
    ) -> str:
        if kind == ACTIVITY:
            get_task_id = self._custom_ids.get(task.activity, _UNKNOWN)
            if get_task_id is _UNKNOWN:
                get_task_id = self._custom_ids[task.activity] = getattr(task.activity.callable, "get_task_id", None)
            if get_task_id is not None:
                return _ids.task_id(task.name, get_task_id(self.workflow, *args, **kwargs))
        if kind == CHILD_WORKFLOW and hasattr(task.workflow, "get_workflow_id"):
            chosen = task.workflow.get_workflow_id(task.workflow, *args, **kwargs)
            if chosen:  # None: the generated id, as simpleflow gives it
                what = f"the workflow id {task.workflow.__name__}.get_workflow_id gave"
                return format.swf_name(chosen, what, id_rule=True)
        if task.idempotent:
            suffix: Any = _ids.arguments_hash(args, kwargs)
        else:
            suffix = count if count is not None else self._next_count(task, position)
        if kind == CHILD_WORKFLOW:
            suffix = _ids.child_suffix(self.info.workflow_id, self.info.run_id, suffix)
        return _ids.task_id(task.name, suffix)

    def _next_count(self, task: Any, position: tuple[int, ...]) -> int:
        if self.continuation_position is not None and self.ledger.counted_after(task.name, position):
            raise NeedsFullReplay()  # a later submit of this name already took the next count
        return self.ledger.next_count(task.name, position)

    def submit_simple(self, kind: str, key: str, task: Any) -> futures.Future:
        """Submit a command known by *key* (a timer id, a signal name...): the same key, the same command."""
        command = self.commands.get((kind, key))
        if command is None:
            command = Command(kind, key, task, self.next_position(), futures.Future())
            self.commands[(kind, key)] = command
        self.resolve(command)
        return command.future

    def submit_timer(self, task: TimerTask) -> futures.Future:
        """Submit a timer (a timer submitted again with its id takes the new task's settings)."""
        command = self.commands.get((TIMER, task.timer_id))
        if command is not None and command.task is not task:
            command.task = task
        return self.submit_simple(TIMER, task.timer_id, task)

    def submit_named(self, kind: str, key: str, task: Any) -> futures.Future:
        """Markers and signals: their events name them, so they are found by name (see _resolve_changed)."""
        new = (kind, key) not in self.commands
        future = self.submit_simple(kind, key, task)
        if new:
            self._by_name.setdefault((kind, task.name), []).append(self.commands[(kind, key)])
        return future

    def cached_call(self, name: str, compute: Callable[[], str]) -> str:
        """The recorded text of the next call of *name* (``@cached``); computed and recorded if new."""
        count = self._cached_counts.get(name, 0) + 1
        self._cached_counts[name] = count
        key = f"{name}:{count}"
        recorded = [m for m in self.history.markers.get(key, []) if m.state is State.RECORDED]
        if recorded:
            return recorded[-1].details
        command = self.commands.get((CACHED, key))
        if command is None:
            text = compute()
            command = Command(CACHED, key, text, self.next_position(), futures.Future())
            self.commands[(CACHED, key)] = command
            self.add_pending(command, decisions.record_marker(key, text))
        return command.task

    def named(self, kind: str, name: str) -> list[Command]:
        """The markers or signals submitted under *name*."""
        return self._by_name.get((kind, name), [])

    def cached_count(self, name: str) -> int:
        """How many calls of the ``@cached`` function *name* the code made so far."""
        return self._cached_counts.get(name, 0)

    def patched(self, change_id: str) -> bool:
        """Whether the run takes the new path of *change_id* (see _patch); the first answer holds."""
        name = _patch.marker_name(change_id)
        known = self.patches.get(change_id)
        if known is not None:
            return known
        answer = _patch.recorded(self.history, change_id) or _patch.unaccounted(self.history, self) is None
        self.patches[change_id] = answer
        if answer and not _patch.recorded(self.history, change_id) and (CACHED, name) not in self.commands:
            # Settled by its MarkerRecorded event, as @cached markers are; it sorts before what follows.
            details = _patch.marker_details(change_id)
            command = Command(CACHED, name, details, self.next_position(), futures.Future())
            self.commands[(CACHED, name)] = command
            self.add_pending(command, decisions.record_marker(name, details))
        return answer

    def deprecate_patch(self, change_id: str) -> None:
        """The new path of *change_id* always: nothing recorded, a marker in the history accepted."""
        _patch.marker_name(change_id)
        if change_id in self.patches:
            return
        self.patches[change_id] = True
        if not _patch.recorded(self.history, change_id):
            evidence = _patch.unaccounted(self.history, self)
            if evidence is not None:  # an old execution, or a new one that went past: the rest of the replay tells
                self.deprecated_past[change_id] = evidence

    def command_of(self, future: futures.Future) -> Command | None:
        """The command whose future *future* is (None: it is no command's, a canvas container's...)."""
        for command in self.commands.values():
            if command.future is future or (command.duplicate_futures and future in command.duplicate_futures):
                return command
        return None

    # -- resolving ------------------------------------------------------------------------

    def resolve(self, command: Command) -> None:
        """Bring *command* (its future, what it owes) up to date with its history record."""
        if command.cancelled_by_workflow:
            self._apply(command, _cancel.resolve(self.history, command))
            self._copy_to_duplicates(command)
            return
        if command.kind == ACTIVITY and command.pending_decision is None:
            # The common case of a full replay, kept short: most of a long history is completed tasks, and a
            # Resolution built for each made a cold decision ~10% slower. resolve_activity gives the same.
            record = self.history.activities.get(command.id)
            if record is not None and record.state is _COMPLETED:
                scheduled = record.scheduled_id
                if scheduled is not None and scheduled != command.checked:  # (None: compacted, compared before)
                    first_inputs = self.history.first_inputs  # (a retry with other arguments: compared in full)
                    if _fit.plain_activity_fits(record, command) and (
                        not first_inputs or (ACTIVITY, command.id) not in first_inputs
                    ):
                        command.checked = scheduled
                    else:
                        self._check_fit(command, record, scheduled)
                command.future.set_finished(format.loads(record.result))
                if not self.resolving_events and record.last_event_id > self.history.completed_decision_id:
                    self._on_news()
                if command.duplicate_futures:
                    self._copy_to_duplicates(command)
                return
            if record is None and (self.info.repair is not None or self.history.markers) and self._reuse(command):
                self._copy_to_duplicates(command)
                return
        find_record, resolver = RESOLVERS[command.kind]
        record = find_record(self.history, command)
        if record is not None and command.kind in _fit.COMPARED:
            key = _fit.check_key(command, record)
            if key is not None and key != command.checked:
                self._check_fit(command, record, key)
        self._apply(command, resolver(record, command))
        self._copy_to_duplicates(command)

    def _check_fit(self, command: Command, record: Any, key: int) -> None:
        """Compare *command* with its history *record* (read at event *key*); a mismatch is booked (_fit)."""
        again = command.checked != 0  # its task scheduled anew: a retry, with the arguments the command took
        command.checked = key
        mismatch = _fit.compare(command, record, command.pending_decision, again, self.history.first_inputs)
        if mismatch is not None:
            if not self.resolving_events:  # submitted by the workflow's code, which is on the stack
                mismatch.where = _fit.where_submitted()
            mismatch.kind, mismatch.id, mismatch.event_id = command.kind, command.id, key
            self.mismatches.append(mismatch)

    @staticmethod
    def _copy_to_duplicates(command: Command) -> None:
        if command.duplicate_futures:
            for duplicate in command.duplicate_futures:
                duplicate.copy_from(command.future)

    def _reuse(self, command: Command) -> bool:
        """A repaired execution's activity the earlier execution completed takes its result (_repair).

        The marker in this history decides on replay; the repair source only for tasks not yet reused.
        """
        found, value, marker = _repair.reuse(
            self.history.markers, self.info.repair, command.id, command.task.activity.name
        )
        if not found:
            return False
        if marker is not None and (CACHED, marker[0]) not in self.commands:
            # Settled by its MarkerRecorded event, as @cached markers are.
            name, details = marker
            recording = Command(CACHED, name, details, command.position, futures.Future())
            self.commands[(CACHED, name)] = recording
            self.add_pending(recording, decisions.record_marker(name, details))
        command.future.set_finished(value)
        return True

    def _apply(self, command: Command, resolution: Resolution) -> None:
        if resolution.register is not None:
            self.types_to_register.add(resolution.register)
        decision = resolution.decision
        if decision is not None:
            self.add_pending(command, self.command_decision(command) if decision is COMMAND_DECISION else decision)
            if resolution.state is None:
                return
        elif resolution.answered and command.pending_decision is not None:
            self.ledger.drop_pending(command)
        state = resolution.state
        if state is not None:
            future = command.future
            if state == FINISHED:
                future.set_finished(resolution.value)
            elif state == FAILED:
                future.set_exception(resolution.value)
            elif state == RUNNING:
                future.set_running()
            elif state == PENDING:
                future.set_pending()
            elif state == CANCELLED:
                future.set_cancelled()
        if resolution.failed_attempt is not None:
            owed = self.retry.after_failed_attempt(command, resolution.failed_attempt, self.resolving_events)
            if owed is not None:
                self._owe_after_failure(command, owed)
        elif resolution.final:
            self.retry.final_failure(command, self.resolving_events)
        last = resolution.last_event_id
        if last and not self.resolving_events and command.future._settled():
            if last > self.history.completed_decision_id:  # a value that arrived since the last decision
                self._on_news()

    def _owe_after_failure(self, command: Command, owed: Owed) -> None:
        """Carry out what the retry rules answered for a failed attempt of *command*."""
        if owed is RESCHEDULE:
            self.add_pending(command, self.command_decision(command))
        elif owed is WAITING:
            self.ledger.drop_pending(command)
        else:
            self.add_pending(command, owed)

    def add_pending(self, command: Command, decision: dict[str, Any]) -> None:
        """Owe *decision* for *command*."""
        self.ledger.add_pending(command, decision)
        if not self.resolving_events:
            self._on_news()

    def command_decision(self, command: Command) -> dict[str, Any]:
        """The decision scheduling (starting) an activity (child workflow) command; again for a retry."""
        if command.kind == ACTIVITY:
            priority = getattr(self.workflow, "task_priority", None)
            # After a timeout, SWF's event holds the last heartbeat's details: the next attempt resumes from them.
            record = self.history.activities.get(command.id)
            resume = record.details if record is not None and record.state is State.TIMED_OUT else None
            # ``retry`` counts the failed attempts from 0: after the first failure the next attempt is the 2nd.
            attempt = 1 if record is None or record.retry is None else record.retry + 2
            return decisions.schedule_activity_for(command, self.info.activity_task_list, priority, resume, attempt)
        tags = self.history.started.get("tagList") or []
        return decisions.start_child_workflow_for(command, tags, self.info.activity_task_list)
