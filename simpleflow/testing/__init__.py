"""Testing workflows: simpleflow's pytest plugin and what it is made of.

- ``workflow_env`` (a fixture, registered with pytest by simpleflow's ``pytest11`` entry point) is a
  ``WorkflowEnv``: ``run(MyWorkflow, *args, **kwargs)`` gives a ``Run`` (``result``, ``history``,
  ``decisions``, ``tasks``); ``start`` gives an ``Execution`` to step through virtual time (``advance``,
  ``signal``, ``query``, ``cancel``, ``finish``); ``override(activity, replacement)`` answers an activity's
  tasks without touching the workflow; ``calls(activity)`` lists the calls made. Each run that closes is
  replayed with its code: one that does not fit its own history raises ``ReplayMismatch`` (the test fails).
- ``assert_replays(MyWorkflow, "tests/histories/")`` replays recorded histories against today's code and
  fails naming the first decision that differs; ``replay_tests`` makes one test item per history file.
- ``workflow.replay`` (the command) reads history files (``load_history``, ``parse_history``,
  ``history_files``) and reports on them (``check_file``, ``replay_report``), saying how its options give an
  execution's ids (``IDS_AS_OPTIONS``).

Names are imported on first use, so that loading the plugin costs pytest nothing.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__all__ = [
    "IDS_AS_OPTIONS",
    "ActivityCall",
    "AttemptAbandoned",
    "Decision",
    "Execution",
    "MemoryStore",
    "Override",
    "ReplayMismatch",
    "ReplayReport",
    "Run",
    "TooManyRuns",
    "WorkflowEnv",
    "WorkflowFailed",
    "assert_replays",
    "check_file",
    "check_replay",
    "history_files",
    "load_history",
    "parse_history",
    "replay_report",
    "replay_tests",
]

_LAZY = {
    "IDS_AS_OPTIONS": "simpleflow.testing._notes",
    "ActivityCall": "simpleflow.testing._overrides",
    "AttemptAbandoned": "simpleflow.testing._overrides",
    "Decision": "simpleflow.testing._decisions",
    "Execution": "simpleflow.testing._env",
    "MemoryStore": "simpleflow.testing._jumbo",
    "Override": "simpleflow.testing._overrides",
    "ReplayMismatch": "simpleflow.testing._determinism",
    "ReplayReport": "simpleflow.testing._replay",
    "Run": "simpleflow.testing._run",
    "TooManyRuns": "simpleflow.testing._limits",
    "WorkflowEnv": "simpleflow.testing._env",
    "WorkflowFailed": "simpleflow.exceptions",
    "assert_replays": "simpleflow.testing._replay",
    "check_file": "simpleflow.testing._replay",
    "check_replay": "simpleflow.testing._replay",
    "history_files": "simpleflow.testing._files",
    "load_history": "simpleflow.testing._files",
    "parse_history": "simpleflow.testing._files",
    "replay_report": "simpleflow.testing._replay",
    "replay_tests": "simpleflow.testing._replay",
}

if TYPE_CHECKING:
    from simpleflow.exceptions import WorkflowFailed
    from simpleflow.testing._decisions import Decision
    from simpleflow.testing._determinism import ReplayMismatch
    from simpleflow.testing._env import Execution, WorkflowEnv
    from simpleflow.testing._files import history_files, load_history, parse_history
    from simpleflow.testing._jumbo import MemoryStore
    from simpleflow.testing._limits import TooManyRuns
    from simpleflow.testing._notes import IDS_AS_OPTIONS
    from simpleflow.testing._overrides import ActivityCall, AttemptAbandoned, Override
    from simpleflow.testing._replay import (
        ReplayReport,
        assert_replays,
        check_file,
        check_replay,
        replay_report,
        replay_tests,
    )
    from simpleflow.testing._run import Run


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
