"""When resuming a run gives way to a full replay.

Resuming is an optimisation, never a different semantics: the reference is a
full replay (a fresh run fed every event). Whatever finds that resuming could
diverge from it raises ``NeedsFullReplay``; ``WorkflowRun.advance`` catches it
and replays from the first event. The cases:

- the workflow looked at a future's state without waiting for it
  (``done``, ``running``...): its path may depend on when it was replayed
  (noted at once, the next decision replays in full);
- a task whose submit lies in the past failed for good with
  ``raises_on_failure``, or the workflow handles failures itself
  (``on_task_failure``): a full replay would raise or decide at that submit;
- a submit waiting on an unfinished argument resolves after a later submit
  of the same name got its id: simpleflow's counters would now shift;
- a canvas continuation waits, raises or closes the run: a full replay does
  that inside ``run``.
"""

from __future__ import annotations


class NeedsFullReplay(Exception):
    """Resuming cannot match a full replay: replay from the start."""
