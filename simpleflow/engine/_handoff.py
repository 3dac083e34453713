"""The hand-off between a host's thread and the run's thread, for a host that drives its run inline.

The workflow's ``run`` executes on a thread of its own (_suspend). Control normally changes threads twice
per decision task: the host's thread calls ``WorkflowRun.advance``, which resumes ``run``; once ``run``
waits on a future the history does not settle, its thread parks and ``advance`` returns the decisions.

A host that plays SWF in this process (simpleflow.local) saves those switches by giving the run a
*driver* (``WorkflowRun(..., driver=...)``). While ``run`` waits, the run's own thread calls it with the
run's ``Handoff``, and the driver goes on as the host's loop would:

1. ``decide()``: the decisions of the decision task open now (what ``advance`` would return);
2. it carries them out (runs activities, lets time pass...) and starts the next decision task;
3. ``feed(events)``: the run takes that task's new events; on True the driver returns True, and the
   wait looks at its future again (calling the driver again while it is not settled).

The driver returns False to hand control back to the host's thread (``run``'s thread parks, and the
``advance`` that resumed it returns) in one of three states:

- before ``decide()`` (something else the host runs must move first): nothing passed, and ``advance``
  answers the decision task open, as without a driver;
- ``feed`` refused the events (they need a full replay, signals to propagate, a cancellation...): they
  are ``held`` here, and ``advance`` takes them and answers the decision task the driver started;
- after carrying out the decisions, without starting another decision task: the driver sets
  ``answered``, and the host drops what ``advance`` returns for the task it answered already.

A driver raising ``Abandoned`` unwinds a run that will never be resumed (the host closed it). While the
driver runs no workflow code does: ``futures.current_executor()`` is None on the run's thread meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from simpleflow import futures


class HeldEvents(NamedTuple):
    """Events fed inline that only ``advance`` can take."""

    full_replay: bool  # they call for a full replay: ``events`` is then the whole history
    events: list[dict[str, Any]]


class Handoff:
    """What passes between a run and the host's driver running on the run's thread (see the module).

    Args:
        driver: the host's, called on the run's thread while ``run`` waits (None: the run parks at once).
        decide: the run's decisions for the decision task open now.
        feed: folds events into the run as ``advance`` would, or returns them held for ``advance``.
    """

    def __init__(
        self,
        driver: Callable[[Handoff], bool] | None,
        decide: Callable[[], list[dict[str, Any]]],
        feed: Callable[[list[dict[str, Any]]], HeldEvents | None],
    ) -> None:
        self.driver = driver
        self._decide = decide
        self._feed = feed
        self.held: HeldEvents | None = None  # events ``feed`` refused, for ``advance``
        self.answered = False  # the driver answered the decision task ``advance`` is answering

    # -- the run's side -------------------------------------------------------------------------

    def drive(self, executor: Any) -> bool:
        """On the run's thread, while ``run`` waits: let the driver carry on; False to park and hand back.

        Args:
            executor: the workflow's (``futures.current_executor``), set back once the driver returns.
        """
        if self.driver is None or self.held is not None:
            return False
        futures.set_current_executor(None)  # the host's code (activities...) is not workflow code
        try:
            return self.driver(self)
        finally:
            futures.set_current_executor(executor)

    def take_held(self) -> HeldEvents | None:
        """The events ``feed`` refused, if any (``advance`` takes them once ``run``'s thread parked)."""
        held, self.held = self.held, None
        return held

    # -- the driver's side ---------------------------------------------------------------------

    def decide(self) -> list[dict[str, Any]]:
        """The decisions ``advance`` would answer the decision task open now with."""
        return self._decide()

    def feed(self, events: list[dict[str, Any]]) -> bool:
        """Fold in the next decision task's *events* as ``advance`` would.

        Returns:
            False when they need what only ``advance`` does: they are held for it, and the driver must
            hand control back.
        """
        self.held = self._feed(events)
        return self.held is None

    # -- the host's side, once ``advance`` returned ----------------------------------------------------

    def take_answered(self) -> bool:
        """Whether the driver answered the decision task ``advance`` just returned decisions for (then void)."""
        answered, self.answered = self.answered, False
        return answered
