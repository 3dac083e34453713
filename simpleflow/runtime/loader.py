"""Loading user code from dotted names, with errors a user can act on.

Two ways in, one per kind of name (docs/security.md lists every caller):

- a name the operator gave (a command's argument or option, a spec file's ``modules``, a middleware path):
  :func:`import_user_module`, which finds it from the current directory first, as ``python -m`` does;
- a name read from data (a history, a task, an execution's input): :func:`import_named_module`, only
  within packages the operator gave (:func:`find_workflow_class`), never from the current directory
  on that name's account, never a ``__dunder__`` module.
"""

from __future__ import annotations

import importlib
import inspect
import logging
import os
import re
import traceback
from typing import Any

import venusian

from simpleflow import activity, format
from simpleflow.exceptions import DataError, UsageError
from simpleflow.runtime.user_path import use_current_directory
from simpleflow.workflow import Workflow

logger = logging.getLogger(__name__)


def import_user_module(module_name: str) -> Any:
    """Import *module_name*, a module the operator named: the one way every command loads user code.

    Workflow classes, activity modules (``--module``, a worker's MODULES, a spec's ``modules``),
    middleware functions: found from the current directory first, then the installed packages.
    Names read from data never come here (see :func:`import_named_module`).
    """
    use_current_directory()
    return importlib.import_module(module_name)


def load_workflow(path: str, importer: Any = import_user_module) -> type:
    """The Workflow subclass at ``package.module.Class`` (a path the operator gave); UsageError names what is wrong.

    *importer*: :func:`import_user_module` (the default), or :func:`import_named_module` for a name read
    from data.
    """
    _refuse_file_path(path or "", "workflow")
    module_name, _, class_name = (path or "").rpartition(".")
    if not module_name or not class_name:
        raise UsageError(f"workflow {path!r} is not a dotted path like 'package.module.WorkflowClass'")
    try:
        module = importer(module_name)
    except ModuleNotFoundError as err:
        if err.name and (module_name + ".").startswith(err.name + "."):
            raise UsageError(_unknown_module(f"workflow module {module_name!r}", path)) from err
        raise import_failure(module_name, err) from err
    except Exception as err:  # the module itself raised, or does not parse
        raise import_failure(module_name, err) from err
    found: Any = getattr(module, class_name, None)
    if found is None:
        raise UsageError(f"module {module_name!r} has no workflow class {class_name!r}")
    if not (inspect.isclass(found) and issubclass(found, Workflow)):
        raise UsageError(f"{path!r} is not a Workflow subclass")
    return found


def _unknown_module(what: str, given: str | None) -> str:
    origin = f" (from {given!r})" if given else ""
    return (
        f"unknown {what}{origin}: it is not importable from the current directory ({os.getcwd()}) "
        "nor from sys.path; run the command from the folder that holds it"
    )


def _refuse_file_path(path: str, kind: str) -> None:
    """UsageError for a file's path given where a dotted path is expected (``mywf.py``, ``pkg/mywf.py``,
    ``./mywf.Class``). *kind*: "workflow" (a class path is expected) or "module".

    The dotted form is suggested only when it imports from the current directory (the file is under it and
    every part of its path is an identifier); otherwise the folder to run the command from is named.
    """
    if not (path.endswith(".py") or "/" in path or os.sep in path):
        return
    folder, _, last = re.sub(r"[/\\]+", "/", path).rpartition("/")
    if last.endswith(".py"):
        stem, rest = last[: -len(".py")], ""
    elif kind == "workflow":
        stem, _, rest = last.partition(".")  # ./mywf.Class: the file mywf.py, the class Class
    else:
        stem, rest = last, ""
    tail = [rest or "ClassName"] if kind == "workflow" else []
    where = os.path.abspath(folder if folder or not path.startswith("/") else "/")
    relative = os.path.relpath(where, os.getcwd())
    parts = [] if relative == "." else relative.split(os.sep)
    name = "a class" if kind == "workflow" else "a module"
    if ".." not in parts and all(part.isidentifier() for part in [*parts, stem]):
        how = "name the class by module" if kind == "workflow" else "name the module"
        hint = f"{how}, as in {'.'.join([*parts, stem, *tail])!r}"
    else:
        hint = f"run the command from the folder that holds it ({where}) and name it as {'.'.join([stem, *tail])!r}"
    raise UsageError(f"{kind} {path!r} is a file's path, not {name}: {hint}")


_DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$")


def import_named_module(module_name: str) -> Any:
    """Import *module_name*, a name read from SWF (a task's activity type, an execution's class path).

    A module with a ``__dunder__`` part (``pkg.__main__`` is a script's body: ``lib2to3.__main__``
    parses the process's own argv and exits) is refused, and a module that calls ``sys.exit`` as it
    loads raises ImportError instead of ending the decider or worker that imported it: a name
    anyone starting executions can write must never stop the process that reads it.
    """
    if is_script(module_name):
        raise ImportError(f"refusing to import {module_name!r}: a __dunder__ module is a script, not a library")
    try:
        return importlib.import_module(module_name)
    except SystemExit as exit:
        raise ImportError(f"module {module_name!r} exited as it loaded (status {exit.code!r})") from None


def is_script(module_name: str) -> bool:
    """Whether *module_name* has a ``__dunder__`` part: ``pkg.__main__`` is the body of ``python -m pkg``, a
    program run when imported, never a module of activities or workflows (a package's scan skips it too)."""
    return any(part.startswith("__") and part.endswith("__") for part in module_name.split("."))


def in_packages(path: str, packages: frozenset[str] | None) -> bool:
    """Whether *path*'s top-level package is one of *packages* (None: any package, simpleflow's rule)."""
    return packages is None or path.split(".")[0] in packages


def top_packages(classes: Any) -> frozenset[str]:
    """The top-level packages of *classes*: where names read from data may be imported from."""
    return frozenset(c.__module__.split(".")[0] for c in classes)


def find_workflow_class(path: str | None, packages: frozenset[str] | None = None) -> type | None:
    """The Workflow subclass at *path* (a name read from a history: a child's type, a class path), or None.

    The decider's rule: only a dotted path of identifiers whose top-level package is one of *packages*
    (those of the workflows the operator named; None: any) is imported, and only a Workflow subclass is
    returned: a name that resolves to anything else (a function, ``os.system``...) gives None.
    """
    if not path or not _DOTTED.match(path) or not in_packages(path, packages):
        return None
    try:
        return load_workflow(path, import_named_module)
    except Exception:
        return None


def class_path(input: Any) -> str | None:
    """The workflow class path an execution's decoded input carries (``{"__extra": {"class": ...}}``), or None.

    The input comes from whoever started the execution: anything but a string there is no path.
    """
    extra = input.get("__extra") if isinstance(input, dict) else None
    path = extra.get("class") if isinstance(extra, dict) else None
    return path if isinstance(path, str) else None


def workflow_path(workflow_class: type) -> str:
    return f"{workflow_class.__module__}.{workflow_class.__qualname__}"


def parse_input(text: str | None, source: str = "--input") -> dict[str, Any]:
    """``--input``: a JSON list of positional arguments, {"args": [...], "kwargs": {...}}, an object of
    keyword arguments, or any other JSON value as the single positional argument.

    None (no input given) is no arguments; an empty or blank *text* is refused: it is more likely an
    empty ``$VAR`` or a truncated file than a wish for no arguments (``[]`` says that).

    Raises:
        UsageError: *text* is empty or blank, is not JSON, nests deeper than ``format.MAX_JSON_DEPTH``, or
            gives "args" or "kwargs" of another type (the message, starting with *source*, says what the
            input must look like).
    """
    if text is None:
        return {"args": [], "kwargs": {}}
    if not text.strip():
        raise UsageError(f"{source} is {'empty' if not text else 'blank'}: give JSON ([] for no arguments)")
    try:
        value = format.parse_bounded(text)
    except DataError:
        raise UsageError(f"{source} is {format.TOO_DEEP}") from None
    except ValueError as err:
        raise UsageError(f"{source} is not valid JSON: {err}") from err
    payload = _payload(value, source)
    if format.nesting_exceeds(format.dumps(payload)):  # the limit holds for the input SWF will carry
        raise UsageError(f'{source} is {format.TOO_DEEP} once in simpleflow\'s {{"args": [...], "kwargs": {{...}}}}')
    return payload


def _payload(value: Any, source: str) -> dict[str, Any]:
    if isinstance(value, list):
        return {"args": value, "kwargs": {}}
    problem = format.input_shape_problem(value)
    if problem is not None:
        raise UsageError(f"{source}: {problem}; the input is {format.INPUT_SHAPES}")
    if format.is_envelope(value):
        ignored = sorted(set(value) - {"args", "kwargs", "__extra"})
        if ignored:  # simpleflow 0.36 read only these two keys of such an object, as the engine does
            logger.warning('%s: not arguments, ignored beside "args" and "kwargs": %s', source, ", ".join(ignored))
        return {
            "args": list(value.get("args") or []),
            "kwargs": dict(value.get("kwargs") or {}),
            **({"__extra": value["__extra"]} if "__extra" in value else {}),
        }
    if isinstance(value, dict):
        return {"args": [], "kwargs": value}
    # Any other JSON value (a number, a string, null) is the one positional argument, as in simpleflow.
    return {"args": [value], "kwargs": {}}


def check_signature(workflow_class: type, input: dict[str, Any]) -> None:
    """UsageError when *input* does not fit ``run``'s signature."""
    try:
        inspect.signature(workflow_class.run).bind(None, *input.get("args", []), **input.get("kwargs", {}))
    except TypeError as err:
        raise UsageError(f"input does not fit {workflow_class.__name__}.run: {err}") from None  # it says all


def import_failure(module: str, error: BaseException) -> UsageError:
    """A UsageError naming why *module* does not import: an unknown name, or the file and line that failed."""
    if isinstance(error, ModuleNotFoundError) and error.name and (module + ".").startswith(error.name + "."):
        return UsageError(f"unknown module {error.name!r}" + (f" (from {module!r})" if error.name != module else ""))
    if isinstance(error, SyntaxError):
        return UsageError(
            f"cannot import {module!r}: {type(error).__name__} in {error.filename}, line {error.lineno}: {error.msg}"
        )
    problem = f"{type(error).__name__}: {first_line(str(error))}"
    return UsageError(f"cannot import {module!r}: {problem}{where_raised(error, in_user_code=True)}")


def where_raised(error: BaseException, in_user_code: bool = False) -> str:
    """`` (file, line n)``: the innermost frame that raised *error*, outside Python's import machinery; with
    *in_user_code*, outside simpleflow too when one is (simpleflow refusing an argument: the caller's line)."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if not f.filename.startswith("<frozen")]
    if in_user_code:
        frames = [f for f in frames if not f.filename.startswith(_PACKAGE_DIR)] or frames
    if not frames:
        return ""
    return f" ({frames[-1].filename}, line {frames[-1].lineno})"


_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def first_line(text: str) -> str:
    """The first line of *text*, stripped (empty for blank text)."""
    lines = text.strip().splitlines()
    return lines[0] if lines else ""


def scan_activities(module_or_package: str) -> None:
    """Import *module_or_package* (a name the operator gave) and every module under it, registering their activities.

    Raises:
        UsageError: a module is unknown, or raised or did not parse on import (its file and line said).
    """
    _refuse_file_path(module_or_package, "module")
    try:
        module = import_user_module(module_or_package)
        if hasattr(module, "__path__"):
            venusian.Scanner().scan(module, categories=(activity.VENUSIAN_CATEGORY,), ignore=[is_script])
    except ModuleNotFoundError as err:
        if err.name and (module_or_package + ".").startswith(err.name + "."):
            given = module_or_package if err.name != module_or_package else None
            raise UsageError(_unknown_module(f"module {err.name!r}", given)) from err
        raise import_failure(module_or_package, err) from err
    except (Exception, SystemExit) as err:  # a module calling sys.exit on import is refused as one that raises
        raise import_failure(module_or_package, err) from err
