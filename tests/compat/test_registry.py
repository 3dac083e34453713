"""simpleflow.registry: Registry by label; the process's registry[None] is the table of declared activities."""

from __future__ import annotations

from simpleflow import activity
from simpleflow.registry import Registry, registry


@activity.with_attributes(task_list="registry-tl", version="1")
def declared(x):
    return x


def test_declared_activities_are_in_registry_none_by_name():
    assert registry[None][declared.name] is declared
    assert activity.find(declared.name) is declared


def test_a_registry_holds_tasks_by_label_then_name():
    tasks = Registry()
    tasks.register(declared, label="registry-tl")
    assert tasks["registry-tl"] == {declared.name: declared}
    assert tasks["other"] == {} and tasks[None] == {}


def test_registering_under_none_in_the_process_registry_declares_the_activity():
    act = activity.Activity(len, name="tests.compat.registered_by_hand", task_list="tl")
    registry._tasks[None].pop(act.name)  # as if Activity had not registered itself
    registry.register(act)
    assert activity.find("tests.compat.registered_by_hand") is act
