"""Holding the cyclic garbage collector off while a large, long-lived object graph is built."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# Objects made meanwhile (net of those freed) past which they are moved to the oldest generation at once.
# Below it, the collector's next pass walks them in well under a millisecond.
PROMOTE_ABOVE = 10_000


@contextmanager
def collector_paused(*, promote: bool = True) -> Iterator[None]:
    """Hold the cyclic collector off meanwhile (a history parsed or replayed: one object per JSON value,
    none freed, so its passes would only walk them), and spare its next passes a large graph made.

    Disabling alone is not enough: the first pass after ``gc.enable()`` walks every object made
    meanwhile (7 ms after a 24,000-event history is parsed), and later passes walk them again on their
    way to the oldest generation. When more than ``PROMOTE_ABOVE`` were made, ``gc.freeze()`` then
    ``gc.unfreeze()`` moves them there at once, without a walk. Not for fewer: garbage in a cycle among
    objects moved so waits for a full pass, and full passes come rarer as fewer objects reach the oldest
    generation the usual way: *promote* False leaves them young, for a graph that may become cyclic
    garbage in a process that runs on. Not when something else froze objects either (``unfreeze``
    would thaw those too; Python 3.12 starts with objects of its own frozen: there, nothing is moved).
    Nested uses pause once: the outermost one decides.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        if promote and gc.get_count()[0] > PROMOTE_ABOVE and gc.get_freeze_count() == 0:
            gc.freeze()
            gc.unfreeze()
        gc.enable()
