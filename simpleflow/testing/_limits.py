"""How far one ``run``, ``finish`` or ``advance`` goes with an execution that continues as new for ever.

Each run of such an execution has a history of its own, so SWF's limit of 25,000 events never ends it, and on
the virtual clock its timers take no time: a workflow that waits a minute and continues as new, for ever,
would keep the test busy for ever. One call lets ``max_runs`` runs continue as new (those of its children
too), then stops with ``TooManyRuns``, a line that says so and how to go further.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simpleflow.exceptions import UsageError

if TYPE_CHECKING:
    from simpleflow.local import LocalExecution

DEFAULT_MAX_RUNS = 1000


class TooManyRuns(RuntimeError):
    """An execution still open after ``max_runs`` of its runs continued as new in one ``run``, ``finish`` or
    ``advance``: it may never end."""


TooManyRuns.__module__ = "simpleflow.testing"  # its public home (a failed test names it so)


def max_runs_option(value: object) -> int:
    """*value* if a positive integer, else a one-line refusal."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise UsageError(f"WorkflowEnv: max_runs={value!r} is not a positive integer")
    return value


def check_runs(local: LocalExecution, workflow_name: str, call: str) -> None:
    """Raise ``TooManyRuns`` if *local*'s last step (*call*: ``run()``...) stopped at its ``max_continued``."""
    family = local.family
    limit = family.max_continued
    if limit is None or family.continued_count < limit or family.current.closed is not None:
        return
    hint = "step it with start() and advance(), or " if call.startswith("run()") else ""
    raise TooManyRuns(
        f"{workflow_name} {local.workflow_id} is still open after {limit:,} runs continued as new in one {call} "
        f"(at {family.elapsed:,.0f} s of virtual time): it may never end; {hint}let it go further with "
        "WorkflowEnv(max_runs=N) or @pytest.mark.workflow_env(max_runs=N)"
    )
