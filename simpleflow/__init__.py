"""simpleflow: distributed workflows as plain Python on Amazon SWF.

The public names are imported on first use (PEP 562), so that ``import simpleflow.command`` reaches the
command line's early SIGTERM handler before the library's own imports, and a short command starts fast.
"""

from __future__ import annotations

import logging
import sys
import types

__version__ = "1.0.0a1"

# simpleflow's logger for workflow and activity code (``from simpleflow import logger``).
logger = logging.getLogger("simpleflow")

__all__ = [
    "Activity",
    "RetryPolicy",
    "WaitForSignal",
    "Workflow",
    "__version__",
    "activity",
    "cached",
    "canvas",
    "exceptions",
    "futures",
    "logger",
    "query",
]

# Each lazy public name: the module that defines it and its name there (None: the module itself).
_LAZY: dict[str, tuple[str, str | None]] = {
    "Activity": ("simpleflow.activity", "Activity"),
    "RetryPolicy": ("simpleflow.retry", "RetryPolicy"),
    "WaitForSignal": ("simpleflow.task", "WaitForSignal"),
    "Workflow": ("simpleflow.workflow", "Workflow"),
    "activity": ("simpleflow.activity", None),
    "cached": ("simpleflow.cached", "cached"),
    "canvas": ("simpleflow.canvas", None),
    "exceptions": ("simpleflow.exceptions", None),
    "futures": ("simpleflow.futures", None),
    "query": ("simpleflow.workflow", "query"),
}

TYPE_CHECKING = False
if TYPE_CHECKING:
    from simpleflow import activity, canvas, exceptions, futures
    from simpleflow.activity import Activity
    from simpleflow.cached import cached
    from simpleflow.retry import RetryPolicy
    from simpleflow.task import WaitForSignal
    from simpleflow.workflow import Workflow, query


def __getattr__(name: str) -> object:
    """A public name, imported on first use; any other submodule (``simpleflow.jumbo``) likewise."""
    import importlib

    if name in _LAZY:
        module_name, attribute = _LAZY[name]
        module = importlib.import_module(module_name)
        value = module if attribute is None else getattr(module, attribute)
        globals()[name] = value
        return value
    if not name.startswith("__"):
        try:
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as error:
            if error.name != f"{__name__}.{name}":
                raise
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


class _Package(types.ModuleType):
    def __setattr__(self, name: str, value: object) -> None:
        # Importing the submodule simpleflow.cached binds it on the package, over the public name:
        # ``simpleflow.cached`` stays the decorator, as when the package imported it eagerly.
        if name == "cached" and isinstance(value, types.ModuleType):
            value = value.cached
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
