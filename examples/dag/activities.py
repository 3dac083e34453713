"""Activities the example DAG specs name."""

from __future__ import annotations

from simpleflow import activity


@activity.with_attributes(task_list="dag-example", version="example")
def increment(x):
    return x + 1


@activity.with_attributes(task_list="dag-example", version="example")
def double(x):
    return x * 2


@activity.with_attributes(task_list="dag-example", version="example")
def add(x, y):
    return x + y


@activity.with_attributes(task_list="dag-example", version="example")
def split(text, size=2):
    """Cut *text* into pieces of *size* characters (a list a fan-out runs over)."""
    return [text[i : i + size] for i in range(0, len(text), size)]


@activity.with_attributes(task_list="dag-example", version="example")
def shout(piece):
    return piece.upper()


@activity.with_attributes(task_list="dag-example", version="example")
def join(pieces, sep="-"):
    return sep.join(pieces)


# floto's hello world and timer examples, declared for simpleflow (floto names its activities by name and version).
@activity.with_attributes(name="simple_activity", version="v2", task_list="hello_world_atl")
def simple_activity():
    return None


@activity.with_attributes(name="ActivityA", version="v1", task_list="floto_atl")
def activity_a(context):
    return {"your": "result_activity_a", "saw": sorted(context)}


@activity.with_attributes(name="ActivityB", version="v1", task_list="floto_atl")
def activity_b(context):
    return {"your": "result_activity_b", "saw": sorted(context)}
