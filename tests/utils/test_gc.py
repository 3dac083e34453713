"""``collector_paused``: the cyclic collector held off while a large graph is built, and its next passes spared it."""

from __future__ import annotations

import gc

import pytest

from simpleflow.utils._gc import PROMOTE_ABOVE, collector_paused


@pytest.fixture(autouse=True)
def _collector_on():
    was = gc.isenabled()
    gc.unfreeze()  # what an earlier test froze (``workflow.replay`` run in this process freezes its history)
    gc.enable()
    gc.collect()
    yield
    if not was:
        gc.disable()


def test_the_collector_is_off_inside_and_on_after():
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_nested_pause_leaves_the_collector_to_the_outer_one():
    with collector_paused():
        with collector_paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_large_graph_goes_to_the_oldest_generation_at_once():
    frozen = gc.get_freeze_count()  # Python 3.12 starts with objects of its own frozen
    with collector_paused():
        built = [[i] for i in range(PROMOTE_ABOVE * 2)]
    oldest = {id(o) for o in gc.get_objects(generation=2)}
    if frozen:  # unfreezing would thaw those too: the graph is left to the collector, and they stay frozen
        assert gc.get_freeze_count() == frozen and id(built[0]) not in oldest
        return
    # There on the way out: the collector's own passes would take them there through generations 0 and 1.
    assert id(built[0]) in oldest and id(built[-1]) in oldest


def test_a_small_graph_is_left_to_the_collector():
    with collector_paused():
        built = [[i] for i in range(100)]
    oldest = {id(o) for o in gc.get_objects(generation=2)}
    assert id(built[0]) not in oldest


def test_objects_someone_else_froze_stay_frozen():
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with collector_paused():
            [[i] for i in range(PROMOTE_ABOVE * 2)]
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


def test_a_graph_not_to_promote_is_left_to_the_collector():
    with collector_paused(promote=False):
        built = [[i] for i in range(PROMOTE_ABOVE * 2)]
    oldest = {id(o) for o in gc.get_objects(generation=2)}
    assert id(built[0]) not in oldest and id(built[-1]) not in oldest  # the collector's passes take them there
