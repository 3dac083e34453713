"""Exceptions a workflow sees: failed tasks, timeouts, cancellations."""

from __future__ import annotations

from typing import Any


def _remade(cls: type[BaseException], args: tuple[Any, ...], state: dict[str, Any]) -> BaseException:
    error = cls.__new__(cls, *args)
    error.args = args
    error.__dict__.update(state)
    return error


class PicklesAsIs:
    """Mixin (first among the bases) of an exception whose ``__init__`` takes other arguments than its ``args``:
    pickled as it is, its ``__init__`` not called again. simpleflow sends none pickled (its processes exchange
    JSON), but users' code does: ``multiprocessing`` and ``concurrent.futures`` carry exceptions so.
    ``pickle``'s default calls ``cls(*args)``: the message went back in as the first argument (garbled, or a
    TypeError when more arguments are needed)."""

    def __reduce__(self) -> tuple[Any, ...]:
        return _remade, (type(self), self.args, self.__dict__)  # type: ignore[attr-defined]


class ExecutionBlocked(Exception):
    """A value the workflow needs is not in the history yet.

    Outside a replay (a bare ``Future`` read by hand), reading an unfinished
    future raises this, as in simpleflow. Inside a replay the engine suspends
    the run instead, so user code never needs to catch it.

    ``run`` may raise it itself, as simpleflow's ``examples/pirate`` does: the
    decision task is answered with the decisions made so far, and the next one
    runs ``run`` again from the start (a local execution with nothing left to
    wake it fails as stuck).
    """


class TaskException(PicklesAsIs, Exception):
    """A task failed and its ``raises_on_failure`` made the workflow fail."""

    def __init__(self, task: Any, exception: Exception | None) -> None:
        super().__init__(task, exception)
        self.task = task
        self.exception = exception

    @property
    def payload(self) -> Any:
        return self.task

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(task={self.task}, exception={self.exception!r})"


class WorkflowException(TaskException):
    """A child workflow failed and its ``raises_on_failure`` made the parent fail."""

    @property
    def workflow(self) -> Any:
        return self.task


class NoValue(TaskException):
    """A task was submitted with, among its arguments, the future of a task that failed or was cancelled.

    Such a future has no value to pass on (its ``result`` reads None only because nothing was computed),
    so the submit raises this in ``run`` rather than schedule the task on a value no task computed.
    ``task`` is the task that failed, ``exception`` its error (None when cancelled), ``submitted`` the
    name of the task that was being submitted. A workflow that means to go on without the value catches
    this, or checks ``future.exception`` before submitting.
    """

    def __init__(self, task: Any, exception: Exception | None, submitted: str) -> None:
        super().__init__(task, exception)
        self.submitted = submitted


class TaskFailed(Exception):
    """A task failed: *reason* is one line, *details* (JSON) carries the traceback."""

    def __init__(self, name: str, reason: str | None, details: str | None = None) -> None:
        super().__init__(name, reason, details)
        self.name = name
        self.reason = reason
        self.details = details

    def __repr__(self) -> str:
        return f'{self.__class__.__name__} ({self.name}, "{self.reason}")'


class TimeoutError(Exception):  # noqa: A001 - simpleflow's published name
    """A task timed out (``timeout_type`` is SWF's: START_TO_CLOSE, HEARTBEAT, ...)."""

    def __init__(self, timeout_type: str = "unknown timeout", timeout_value: Any = None) -> None:
        super().__init__(timeout_type, timeout_value)
        self.timeout_type = timeout_type
        self.timeout_value = timeout_value

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self.timeout_type})"


class TaskCanceled(Exception):
    """A task (or child workflow) was canceled."""

    def __init__(self, details: str | None = None) -> None:
        super().__init__(details)
        self.details = details

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}()" if self.details is None else f"{self.__class__.__name__}({self.details})"


class CancelledError(TaskCanceled):
    """Reading the result of a cancelled future (``concurrent.futures.CancelledError``'s role)."""


class TaskTerminated(Exception):
    """A child workflow was terminated."""


class AggregateException(PicklesAsIs, Exception):
    """Several exceptions at once (a group whose tasks failed)."""

    def __init__(self, exceptions: list[Exception | None]) -> None:
        super().__init__(exceptions)
        self.exceptions = exceptions

    def append(self, ex: Exception) -> None:
        self.exceptions.append(ex)

    def handle(self, handler, *args: Any, **kwargs: Any) -> None:
        """Call *handler(ex, ...)* on each exception; re-raise those it returns False for."""
        unhandled = [ex for ex in self.exceptions if ex and not handler(ex, *args, **kwargs)]
        if unhandled:
            raise AggregateException(unhandled)

    def flatten(self) -> AggregateException:
        """A new AggregateException with nested ones expanded in place."""
        flat: list[Exception | None] = []

        def walk(ex: Exception | None) -> None:
            if isinstance(ex, AggregateException):
                for inner in ex.exceptions:
                    if inner:
                        walk(inner)
            else:
                flat.append(ex)

        walk(self)
        return AggregateException(flat)

    def __repr__(self) -> str:
        return f"<{self.__class__.__name__} {[repr(ex) for ex in self.exceptions]!r}>"

    def __str__(self) -> str:
        return f"{self.__class__.__name__}({[str(ex) for ex in self.exceptions]!s})"


class ExecutionError(Exception):
    """A program or Python task run by :mod:`simpleflow.execute` failed.

    ``exit_code`` is the process's exit code (None when it could not start), ``stderr`` the
    end of what it wrote there, ``details`` the failure of a Python task's function as
    simpleflow reports task failures (``error``, ``error_type``, ``message``, ``traceback``).
    """

    def __init__(
        self,
        message: str = "",
        exit_code: int | None = None,
        stderr: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.exit_code = exit_code
        self.stderr = stderr
        self.details = details


class ExecutionTimeoutError(Exception):
    """A program or Python task run by :mod:`simpleflow.execute` ran past its ``timeout`` (and was killed)."""

    def __init__(self, command: Any, timeout_value: float | None) -> None:
        super().__init__(command, timeout_value)
        self.timeout_command = command
        self.timeout_value = timeout_value

    def __str__(self) -> str:
        return f"{self.__class__.__name__} after {self.timeout_value} seconds ({self.timeout_command})"

    __repr__ = __str__


class ChildrenKeepDying(Exception):
    """A supervisor's child died at its start time after time: the supervisor stopped the others and gave up."""


class UsageError(Exception):
    """Bad input from a user (CLI argument, workflow path, JSON); one line says what."""


class UnknownQuery(UsageError):
    """The workflow declares no query of that name."""


class QueryRefused(UsageError):
    """A query tried to submit, wait or fail the workflow."""


class QueryFailed(Exception):
    """The query method raised."""


class JumboTooLargeError(ValueError):
    """A field is too long for SWF and cannot become a jumbo field (no bucket, too large, long reference)."""


class JumboFieldTooLarge(PicklesAsIs, JumboTooLargeError):
    """A field is over its limit and cannot be stored in S3 instead (simpleflow's ``JumboTooLargeError``).

    Attributes:
        field: the field's name, a key of ``simpleflow.jumbo.FIELD_LIMITS``.
        size: how big it is (characters for SWF's limit, bytes for S3's).
        limit: the limit it is over.
    """

    def __init__(self, field: str, size: int, limit: int, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.size = size
        self.limit = limit


class DataError(PicklesAsIs, ValueError):
    """Data that can never be used as it is: trying again will not help.

    A field read from SWF, an S3 object or a command's input that is nested too deep, is not UTF-8, is
    larger than allowed or than its reference says, or has the wrong shape. The execution or the task
    that needs it fails at once, with this message (naming the field and the problem) as its reason;
    only transient faults (the network, throttling, S3 5xx, timeouts) are retried.

    Attributes:
        problem: what is wrong, in one line.
        where: which field it is ("input of event 1 (WorkflowExecutionStarted)"...), or "" if unknown.
    """

    def __init__(self, problem: str, where: str = "") -> None:
        super().__init__(f"{where}: {problem}" if where else problem)
        self.problem = problem
        self.where = where

    def located(self, where: str) -> DataError:
        """The same error, naming the field it was found in (a copy; a field already named keeps its name)."""
        if self.where:
            return self
        located = type(self).__new__(type(self))
        located.__dict__.update(self.__dict__, where=where)
        located.args = (f"{where}: {self.problem}",)
        return located


class JumboFieldUnavailable(DataError):
    """The object behind a jumbo field cannot be read, and reading it again will not help.

    Attributes:
        reference: the ``simpleflow+s3://`` reference.
        code: S3's error code (``NoSuchKey``, ``NoSuchBucket``, ``AccessDenied``...).
    """

    def __init__(self, reference: str, bucket: str, key: str, code: str, message: str) -> None:
        super().__init__(
            f"jumbo field s3://{bucket}/{key} cannot be read: {code}" + (f" ({message})" if message else "")
        )
        self.reference = reference
        self.code = code


class JumboFieldInvalid(JumboFieldUnavailable):
    """The object behind a jumbo field is there but is no jumbo field: not UTF-8 text, larger than
    ``simpleflow.jumbo.MAX_JUMBO_SIZE``, or of another size than its reference says.

    ``code`` is ``NotUTF8``, ``TooLarge`` or ``SizeMismatch``, or ``OutsideBucket`` for a reference to an
    object outside ``SIMPLEFLOW_JUMBO_FIELDS_BUCKET`` (not read at all); the message says what was found.
    """

    def __init__(self, reference: str, bucket: str, key: str, code: str, problem: str) -> None:
        DataError.__init__(self, f"jumbo field s3://{bucket}/{key} {problem}")
        self.reference = reference
        self.code = code


class JumboFieldNotStored(PicklesAsIs, Exception):
    """A field over SWF's limit could not be written to S3.

    Attributes:
        field: which field (``result``, ``input``...).
        bucket: the bucket it was written to.
        error: S3's error (botocore's exception).
        transient: whether another try may work (the network, a timeout, throttling, an S3 5xx);
            otherwise (``NoSuchBucket``, ``AccessDenied``...) trying again will not help.
    """

    def __init__(self, field: str, bucket: str, error: BaseException, transient: bool) -> None:
        lines = str(error).strip().splitlines()
        super().__init__(
            f"the {field} cannot be stored in S3 bucket {bucket!r}: {type(error).__name__}"
            + (f": {lines[0]}" if lines else "")
        )
        self.field = field
        self.bucket = bucket
        self.error = error
        self.transient = transient


class WorkflowFailed(WorkflowException):
    """A workflow run with the local executor failed; ``reason`` and ``details`` say why, and ``where`` (when
    known: ``file, line n, in func``) which line of the workflow raised; the message ends with it."""

    def __init__(self, reason: str | None, details: str | None, where: str = "") -> None:
        super().__init__(None, TaskFailed("workflow", reason, details))
        self.reason = reason
        self.details = details
        self.where = where

    def __str__(self) -> str:
        text = self.reason or "workflow failed"
        return f"{text} ({self.where})" if self.where and self.where not in text else text


class UnknownTaskError(KeyError):
    """No task of that id in the history; the message names the ids that do exist."""

    def __str__(self) -> str:  # KeyError would show the message between quotes
        return str(self.args[0]) if self.args else ""
