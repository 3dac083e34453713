"""Each run a test closes, replayed with its code: a workflow that does not replay its own history fails the test.

A local run (and a test's) is resumed, not replayed: the engine keeps the workflow's state between decision
tasks, as a warm decider does. A decider that starts cold (after a deploy, a restart, on a second process)
replays the history instead, and code that reads the clock, ``random`` or anything outside its history
takes other decisions there: SWF's decision task then fails over and over. ``check_closed`` replays each
closed run with ``check_replay`` (one replay per run) so that the test says so at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simpleflow.engine import decode_events
from simpleflow.exceptions import PicklesAsIs
from simpleflow.testing._replay import ReplayReport, check_replay

if TYPE_CHECKING:
    from simpleflow.local import RunHost

OPT_OUT = "WorkflowEnv(replay_check=False), or @pytest.mark.workflow_env(replay_check=False) on the test"


class ReplayMismatch(PicklesAsIs, AssertionError):
    """A run of the test does not replay with its code: the report of each such run."""

    def __init__(self, reports: list[ReplayReport]) -> None:
        self.reports = reports
        lines = [
            "the code does not replay the history of its own run: a decider that replays it (after a deploy, a "
            "restart, on another process) takes other decisions, and its decision task fails over and over",
            *(line for report in reports for line in report.lines()),
            f"(a test that breaks determinism on purpose: {OPT_OUT})",
        ]
        super().__init__("\n".join(lines))


def check_closed(members: list[RunHost], checked: set[int]) -> list[ReplayReport]:
    """Replay each closed run of *members* not in *checked* (ids of runs, updated): the reports that differ."""
    differing = []
    for member in members:
        if member.closed is None or id(member) in checked:
            continue
        checked.add(id(member))
        # A copy with jumbo fields read: the run's own events keep their references, as a test sees them.
        events = decode_events(list(member.events), copy=True)
        name = f"{member.workflow_class.__name__} {member.workflow_id} (run {member.run_id[:8]})"
        report = check_replay(
            member.workflow_class, events, name=name, workflow_id=member.workflow_id, run_id=member.run_id
        )
        if not report.ok:
            differing.append(report)
    return differing


ReplayMismatch.__module__ = "simpleflow.testing"  # its public home (a failed test names it so)
