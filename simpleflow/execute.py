"""Tasks that run as programs: ``@execute.program()`` and ``@execute.python()``.

``@execute.program()`` turns a function into the description of a command line: calling
it runs the program (any language) with the call's arguments on its command line and
returns what it printed. ``@execute.python()`` runs the function itself in another
interpreter or virtualenv; arguments and result travel as JSON. Either combines with
``@activity.with_attributes`` (put that one on top) so a workflow can submit it.

No shell is involved: each argument reaches the program as one ``argv`` entry, whatever
characters it holds. A program leads a process group of its own; past ``timeout`` the
whole group is killed and :class:`~simpleflow.exceptions.ExecutionTimeoutError` raised.
A non-zero exit raises :class:`~simpleflow.exceptions.ExecutionError` with the exit code
and the end of stderr. Nothing is ever unpickled: results are JSON.

Running ``python -m simpleflow.execute`` is the child side of ``@execute.python()``. It runs
the function its request names, decorated or wrapped at call time (``execute.python()(f)(...)``,
as simpleflow allows). The request is written by the calling process, from the callable its own
code wrapped, and reaches the child only through a file descriptor: nothing a task's input, SWF,
S3 or a file holds can name the function run there.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import json
import os
import re
import sys
import tempfile
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from simpleflow import format
from simpleflow.exceptions import ExecutionError, ExecutionTimeoutError

if TYPE_CHECKING:
    from simpleflow.runtime import child_process

__all__ = [
    "ProgramOutput",
    "RequiredArgument",
    "format_arguments",
    "format_arguments_json",
    "get_name",
    "program",
    "python",
]

_PYTHON_TASK_MARK = "_simpleflow_python_task"
_CHILD_MODULE = "simpleflow.execute"


class RequiredArgument:
    """A default that marks a keyword argument as required: ``def ls(*, hide=RequiredArgument)``.

    Calling without it still binds (it is a default); it names the argument as one the program
    needs, as in simpleflow.
    """


class ProgramOutput(str):
    """What a program printed on stdout (a ``str``), with its ``stderr`` and ``exit_code`` attached."""

    stderr: str
    exit_code: int

    def __new__(cls, stdout: str, stderr: str = "", exit_code: int = 0) -> ProgramOutput:
        text = super().__new__(cls, stdout)
        text.stderr = stderr
        text.exit_code = exit_code
        return text


def format_arguments(*args: Any, **kwargs: Any) -> list[str]:
    """simpleflow's command line for a call: ``-k="v"`` (one-letter keys), ``--key="v"``, then the positionals.

    The quotes are part of the argument the program receives (no shell removes them), as
    simpleflow always did; pass your own ``argument_format`` for another convention.
    """

    def option(key: str) -> str:
        return f"-{key}" if len(key) == 1 else f"--{key}"

    return [f'{option(str(key))}="{value}"' for key, value in kwargs.items()] + [str(arg) for arg in args]


def format_arguments_json(*args: Any, **kwargs: Any) -> str:
    """The call's arguments as simpleflow's ``{"args": [...], "kwargs": {...}}`` JSON."""
    return format.dumps({"args": args, "kwargs": kwargs})


def get_name(func: Callable) -> str:
    """``<module>.<name>`` of a callable (its ``name`` attribute, else ``__name__``, else its class's)."""
    if not callable(func):
        raise ValueError(f"{func!r} is not callable")
    name = getattr(func, "name", None) or getattr(func, "__name__", None) or type(func).__name__
    return f"{func.__module__}.{name}"


def _failure_message(argv: list[str], done: child_process.Completed) -> str:
    from simpleflow.runtime import child_process

    tail = child_process.stderr_tail(done.stderr)
    message = f"{argv[0]} exited with code {done.exit_code}"
    if not tail:
        return message
    # The first line is the task's reason: stderr's last line says why (a traceback's first line does not).
    last = tail.rpartition("\n")[2]
    return f"{message}: {tail}" if last == tail else f"{message}: {last}\n{tail}"


def program(
    path: str | None = None,
    argument_format: Callable[..., list[str]] = format_arguments,
    timeout: float | None = None,
    kill_children: bool = False,
    env: Mapping[str, str] | None = None,
    cwd: str | None = None,
) -> Callable[[Callable], Callable[..., ProgramOutput]]:
    """Decorate a function whose only role is to describe a command line.

    Calling the result runs *path* (default: the function's name, looked up in ``$PATH``)
    with ``argument_format(*args, **kwargs)`` as arguments; the call must fit the
    function's signature.

    Args:
        path: the program to run.
        argument_format: turns the call's arguments into the list of command-line arguments.
        timeout: seconds before the program's process group is killed.
        kill_children: kill what the program left running in its process group when it exits.
        env: the program's whole environment (default: this process's).
        cwd: its working directory.

    Returns:
        A decorator; the decorated call returns a :class:`ProgramOutput` (stdout as a str).

    Raises:
        TypeError: (on call) the arguments do not fit the signature.
        ExecutionError: (on call) the program exited with a non-zero code or could not start.
        ExecutionTimeoutError: (on call) it ran past *timeout*.
    """

    def wrap(func: Callable) -> Callable[..., ProgramOutput]:
        signature = inspect.signature(func)

        @functools.wraps(func)
        def execute(*args: Any, **kwargs: Any) -> ProgramOutput:
            from simpleflow.runtime import child_process  # here: the child side of execute.python never needs it

            signature.bind(*args, **kwargs)
            argv = [path or func.__name__, *argument_format(*args, **kwargs)]
            done = child_process.run(argv, timeout=timeout, kill_children=kill_children, env=env, cwd=cwd)
            if done.exit_code != 0:
                raise ExecutionError(_failure_message(done.argv, done), exit_code=done.exit_code, stderr=done.stderr)
            return ProgramOutput(done.stdout, done.stderr, done.exit_code)

        return execute

    return wrap


def python(
    interpreter: str | None = None,
    logger_name: str = __name__,
    timeout: float | None = None,
    kill_children: bool = False,
    env: Mapping[str, str] | None = None,
) -> Callable[[Callable], Callable[..., Any]]:
    """Decorate a function (or a class with ``execute()``) to run it in another Python interpreter.

    The call runs ``INTERPRETER -m simpleflow.execute`` (started without the current directory on its
    path, which it puts back first unless another user can change it), which imports the function's module
    (simpleflow and that module must be importable there), calls it with the arguments
    decoded from JSON and sends the JSON of its result back. An activity's context reaches
    the function as its ``context`` attribute, as in this process.

    Args:
        interpreter: the Python to run: a path (a virtualenv's ``bin/python``) or a name looked up in
            ``$PATH``; by default the interpreter running the caller (``sys.executable``).
        logger_name: kept for simpleflow compatibility (the child logs under this name).
        timeout: seconds before the child's process group is killed.
        kill_children: kill what the function left running in its process group when it returns.
        env: the child's whole environment (default: this process's).

    Returns:
        A decorator; the decorated call returns the function's result.

    Raises:
        ExecutionError: (on call) the function raised: the message is its JSON error, as simpleflow
            wrote it (``{"error": "ValueError", "message": ..., "traceback": [...]}``), also in
            ``details``; or the child failed (exit code, end of stderr).
        ExecutionTimeoutError: (on call) it ran past *timeout*.
        ValueError: (on call) the function cannot be imported by its name in another process
            (defined inside a function, or in ``__main__``).
    """

    def wrap(func: Callable) -> Callable[..., Any]:
        @functools.wraps(func)
        def execute(*args: Any, **kwargs: Any) -> Any:
            from simpleflow.runtime import child_process
            from simpleflow.runtime.user_path import child_module_argv

            name = _importable_name(func)
            context = kwargs.pop("context", None)
            request = {"function": name, "args": args, "kwargs": kwargs, "context": context}
            tmp_dir = next((env[name] for name in ("TMPDIR", "TEMP", "TMP") if env and env.get(name)), None)
            with tempfile.TemporaryFile(dir=tmp_dir) as request_file, tempfile.TemporaryFile(dir=tmp_dir) as reply:
                request_file.write(format.dumps(request).encode("utf-8"))
                request_file.flush()
                request_file.seek(0)
                request_fd, reply_fd = os.dup(request_file.fileno()), os.dup(reply.fileno())
                argv = child_module_argv(
                    _CHILD_MODULE,
                    f"--request-fd={request_fd}",
                    f"--reply-fd={reply_fd}",
                    f"--logger-name={logger_name}",
                    interpreter=interpreter,
                )
                try:
                    done = child_process.run(
                        argv,
                        timeout=timeout,
                        kill_children=kill_children,
                        env=env,
                        pass_fds=(request_fd, reply_fd),
                        capture_stdout=False,
                    )
                except ExecutionTimeoutError as error:  # its argv holds the child's bootstrap code: name the task
                    command = f"{argv[0]} -m {_CHILD_MODULE} {name}"
                    raise ExecutionTimeoutError(command=command, timeout_value=error.timeout_value) from None
                finally:
                    os.close(request_fd)
                    os.close(reply_fd)
                reply.seek(0)
                answer = reply.read().decode("utf-8", errors="replace")
            if done.stderr:
                sys.stderr.write(done.stderr)  # what the function logged, as if it had run here
            return _python_result(done, answer)

        execute.add_context_in_kwargs = True  # the worker passes the activity context as context=...
        setattr(execute, _PYTHON_TASK_MARK, True)
        return execute

    return wrap


def _importable_name(func: Callable) -> str:
    """The dotted name the child imports *func* by; ValueError when no other process could."""
    name = get_name(func)
    qualname = getattr(func, "__qualname__", "") or ""
    if "<locals>" in qualname or func.__module__ == "__main__":
        where = "inside a function" if "<locals>" in qualname else "in __main__"
        raise ValueError(
            f"execute.python: {qualname or name} is defined {where}: another Python process cannot import it; "
            "define it at the top level of a module"
        )
    return name


def _python_result(done: child_process.Completed, answer: str) -> Any:
    """The function's result from the child's JSON *answer*, or the ExecutionError saying why there is none."""
    try:
        payload = json.loads(answer) if answer else None
    except ValueError:
        payload = None
    if isinstance(payload, dict) and "error" in payload and isinstance(payload["error"], dict):
        details = payload["error"]
        # simpleflow's message: the child's JSON error itself (json.loads(str(error)) gives it back).
        raise ExecutionError(format.dumps(details), exit_code=done.exit_code, stderr=done.stderr, details=details)
    if done.exit_code != 0 or not isinstance(payload, dict) or "result" not in payload:
        message = _failure_message(done.argv, done)
        if done.exit_code == 0:
            message = f"{done.argv[0]} exited without sending a result"
        raise ExecutionError(message, exit_code=done.exit_code, stderr=done.stderr)
    return payload["result"]


# --- the child side: python -m simpleflow.execute ------------------------------------------


_DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$")


def _resolve(name: str) -> tuple[Any, Callable]:
    """What to run for the dotted *name*: (the object that gets the context, the callable to call).

    A function decorated with ``@execute.python()`` is unwrapped (its wrapper gets the context too);
    a function or class wrapped at call time is run as it is.

    Raises:
        ValueError: *name* is not a dotted path of identifiers, or names nothing callable.
    """
    from simpleflow.activity import Activity

    if not _DOTTED.match(name):
        raise ValueError(f"{name!r} is not a dotted name")
    module_name, _, attribute = name.rpartition(".")
    found: Any = importlib.import_module(module_name)
    for part in attribute.split("."):
        found = getattr(found, part)
    if isinstance(found, Activity):
        found = found.callable
    if getattr(found, _PYTHON_TASK_MARK, False):
        return found, found.__wrapped__
    if not callable(found):
        raise ValueError(f"{name!r} is not callable")
    return found, found


def _call(func: Callable, args: list, kwargs: dict, context: Any) -> Any:
    if isinstance(func, type) and hasattr(func, "execute"):
        instance = func(*args, **kwargs)
        if context is not None:
            instance.context = context
        result = instance.execute()
        if hasattr(instance, "post_execute"):
            instance.post_execute()
        return result
    if context is not None:
        func.context = context
    return func(*args, **kwargs)


def main(argv: list[str] | None = None) -> int:
    """Run the function a ``@execute.python()`` call asks for; write its JSON result (or error)."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m simpleflow.execute")
    parser.add_argument("--request-fd", type=int, required=True)
    parser.add_argument("--reply-fd", type=int, required=True)
    parser.add_argument("--logger-name", default=__name__)
    options = parser.parse_args(argv)
    with os.fdopen(options.request_fd, "rb") as request_file:
        request = json.loads(request_file.read().decode("utf-8"))
    try:
        from simpleflow.runtime.user_path import use_current_directory

        use_current_directory()  # the function's module is found as the command that started us found it
        wrapper, func = _resolve(request["function"])
        context = request.get("context")
        if context is not None and wrapper is not func:
            wrapper.context = context  # what an Activity's ``context`` and the module-level name read
        result = _call(func, request.get("args") or [], request.get("kwargs") or {}, context)
        data = format.dumps({"result": result}).encode("utf-8")  # a result JSON cannot hold fails here
        status = 0
    except Exception as error:
        from simpleflow.runtime.outcome import error_details  # only on failure: it brings jumbo's caches in

        data = format.dumps({"error": error_details(error)}).encode("utf-8")
        status = 1
    sys.stdout.flush()
    view = memoryview(data)
    while view:
        view = view[os.write(options.reply_fd, view) :]
    return status


if __name__ == "__main__":
    sys.exit(main())
