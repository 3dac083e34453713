"""Where user modules are found: the current directory first, then the installed packages.

Kept apart from ``loader`` (which imports the library) so that the settings module, read before any
command runs, follows the same rule at no cost. :func:`child_module_argv` starts simpleflow's own child
processes under the same rule.
"""

from __future__ import annotations

import logging
import os
import sys

from simpleflow.utils import untrusted_reason

logger = logging.getLogger(__name__)

_warned: set[str] = set()  # directories already warned about: once per process is enough

# ``python -m`` and ``python -c`` put the current directory first on the child's path, before the standard
# library and before simpleflow itself; so does an empty or "." entry of PYTHONPATH. The child starts
# without any of them (this runs before anything but what the interpreter preloads is imported), and
# simpleflow's code in it calls use_current_directory, as the command that started it did.
_BOOTSTRAP = """\
import os, sys
try:
    _cwd = os.getcwd()
except OSError:
    _cwd = None
sys.path[:] = [_p for _p in sys.path if _p and (_cwd is None or os.path.abspath(_p) != _cwd)]
import runpy
runpy.run_module({module!r}, run_name="__main__", alter_sys=True)
"""


def _is_current_directory(entry: str, cwd: str) -> bool:
    return not entry or os.path.abspath(entry) == cwd


def use_current_directory() -> None:
    """Put the current directory first on ``sys.path`` (unless it is there), as ``python -m`` does.

    A console script's path starts with its own ``bin`` folder, not the directory it runs from: without
    this, ``simpleflow dag.run examples/dag/diamond.yaml`` from a project's root could not import
    ``examples.dag.activities`` while ``python -m simpleflow`` could.

    Not a directory another user can change (``utils._trust``): a module they put there would be
    imported in our name, the standard library's names included. It is left off the path, or taken off
    it when ``python -m`` or an empty or ``.`` entry of ``PYTHONPATH`` put it there, with a warning.
    """
    cwd = os.getcwd()
    on_path = any(_is_current_directory(entry, cwd) for entry in sys.path)
    reason = untrusted_reason(cwd, root_may_own=True)
    if reason is None:
        if not on_path:
            sys.path.insert(0, cwd)
        return
    if on_path:
        sys.path[:] = [entry for entry in sys.path if not _is_current_directory(entry, cwd)]
        logger.warning(
            "taking the current directory %s off the import path: it %s (python -m, or an empty or '.' entry of "
            "PYTHONPATH, put it there: what was imported before now may come from it; fix PYTHONPATH)",
            cwd,
            reason,
        )
    elif cwd not in _warned:
        logger.warning("not importing from the current directory %s: it %s", cwd, reason)
    _warned.add(cwd)


def child_module_argv(module: str, *args: str, interpreter: str | None = None) -> list[str]:
    """The command line of ``python -m MODULE ARGS`` for a child process of simpleflow, without the current
    directory on the child's path (``python -m`` puts it first, before the standard library).

    The child's own code then applies :func:`use_current_directory` where it needs the user's modules.
    *interpreter*: the Python to run (default: this one). Run from simpleflow's own checkout (not
    installed, found from the current directory), the child needs that directory to find simpleflow:
    it is started as ``python -m`` then, as the parent itself was.
    """
    python = interpreter or sys.executable
    if _simpleflow_root() == os.path.realpath(os.getcwd()):
        return [python, "-m", module, *args]
    return [python, "-c", _BOOTSTRAP.format(module=module), *args]


def _simpleflow_root() -> str:
    import simpleflow

    return os.path.dirname(os.path.dirname(os.path.realpath(simpleflow.__file__)))
