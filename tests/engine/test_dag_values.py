"""DAG spec values a run could not use (non-finite or too long durations, empty ids and module names):
each refused by the check, one line naming the node and field."""

from __future__ import annotations

import math
import os

import pytest

from simpleflow import dag
from simpleflow.dag._workflow import retry_of
from simpleflow.exceptions import UsageError
from tests.engine.test_dag_spec import problems_of

INC = "tests.fixtures.dag_activities.increment"
MODULE = "tests.fixtures.dag_activities"


def _one(**node) -> dict:
    return {"name": "t", "nodes": {"a": node}}


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan, 10**40, 10**400])
def test_a_timer_that_is_not_a_finite_swf_duration_is_one_line_naming_the_node(value):
    problems = problems_of(_one(timer=value))
    assert len(problems) == 1
    assert problems[0].startswith("node 'a': timer")


@pytest.mark.parametrize("value", [math.inf, math.nan, 10**400])
@pytest.mark.parametrize("key", ["start_to_close", "heartbeat", "execution"])
def test_a_timeout_that_is_not_a_finite_swf_duration_is_one_line_naming_the_node_and_field(key, value):
    problems = problems_of(_one(activity=INC, args=[1], timeout={key: value}))
    assert len(problems) == 1
    assert problems[0].startswith(f"node 'a': timeout {key}")


@pytest.mark.parametrize("value", [math.inf, math.nan])
def test_a_bare_non_finite_timeout_or_execution_timeout_is_refused(value):
    assert problems_of(_one(activity=INC, args=[1], timeout=value)) == [
        f"node 'a': timeout start_to_close must be a number of seconds > 0, not {value!r}"
    ]
    raw = {**_one(activity=INC, args=[1]), "execution_timeout": value}
    assert problems_of(raw) == [f"spec: execution_timeout must be a number of seconds > 0, not {value!r}"]


@pytest.mark.parametrize(
    ("retry", "field"),
    [
        ({"max_attempts": 2, "delay": math.nan}, "delay"),
        ({"max_attempts": 2, "delay": math.inf}, "delay"),
        ({"max_attempts": 2, "delay": 10**400}, "delay"),
        ({"max_attempts": 3, "delay": 1, "backoff": math.inf}, "backoff"),
        ({"max_attempts": 3, "delay": 1, "backoff": math.nan}, "backoff"),
    ],
)
def test_retry_settings_the_retry_policy_would_refuse_are_refused_by_the_check(retry, field):
    problems = problems_of(_one(activity=INC, args=[1], retry=retry))
    assert len(problems) == 1
    assert problems[0].startswith(f"node 'a': retry: {field}")


@pytest.mark.parametrize(
    "retry",
    [
        3,
        {"max_attempts": 3, "delay": 1, "backoff": 1.5},  # fractional backoff: waits round up
        {"max_attempts": 5, "delay": 99_999_999, "backoff": 1e300},
    ],
)
def test_retry_settings_the_check_accepts_make_a_retry_policy(retry):
    spec = dag.parse(_one(activity=INC, args=[1], retry=retry))
    retry_of(spec.nodes["a"]["retry"])  # raises nothing


def test_an_empty_node_id_is_refused():
    raw = {"name": "t", "nodes": {"": {"timer": 1}, "b": {"timer": 2}}}
    assert problems_of(raw) == ["spec: a node id cannot be empty ('')"]


def test_unusable_modules_are_the_only_problem_not_every_activity_they_would_declare():
    raw = {"name": "t", "modules": 5, "nodes": {"a": {"activity": INC}, "b": {"activity": INC}}}
    assert problems_of(raw, modules=()) == ["spec: 'modules' must be a list of module names"]
    raw["modules"] = ["nosuch.module"]
    assert problems_of(raw, modules=()) == [
        f"unknown module 'nosuch' (from 'nosuch.module'): it is not importable from the current directory "
        f"({os.getcwd()}) nor from sys.path; run the command from the folder that holds it"
    ]


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("", "a module name cannot be empty"),
        ("  ", "a module name cannot be empty"),
        (".x", "'.x' is relative: give the module's full dotted name"),
    ],
)
def test_an_empty_or_relative_module_name_is_one_line_naming_where_it_was_given(name, problem):
    raw = {"name": "t", "nodes": {"a": {"activity": INC}}}
    assert problems_of(raw, modules=(MODULE, name)) == [f"--module: {problem}"]
    raw["modules"] = [name]
    assert problems_of(raw) == [f"spec: modules: {problem}"]


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("spec.json", '{"name": "t", "nodes": {"a": {"timer": 1}, "a": {"timer": 2}}}', ""),
        ("spec", '{"name": "t", "nodes": {"a": {"timer": 1}, "a": {"timer": 2}}}', ""),
        ("spec.yaml", "name: t\nnodes:\n  a: {timer: 1}\n  a: {timer: 2}\n", "line 4: "),
    ],
)
def test_a_node_id_given_twice_is_refused_naming_it_not_silently_dropped(name, text, line):
    with pytest.raises(UsageError, match="given twice") as caught:
        dag.load_text(text, name)
    assert str(caught.value) == f"{name}: {line}'a' is given twice in one mapping (node ids and keys must be unique)"


def test_yaml_merge_keys_may_still_be_overridden():
    text = "base: &b {timer: 1}\nname: t\nnodes:\n  a: {<<: *b, timer: 2}\n"
    assert dag.load_text(text, "spec.yaml")["nodes"]["a"] == {"timer": 2}


@pytest.mark.parametrize(
    ("written", "version"),
    [("1.10", "1.10"), ("2.50", "2.50"), ("010", "010"), ("1.0", "1.0"), ("1", "1"), ('"1.10"', "1.10")],
)
def test_a_spec_version_is_the_text_written_not_the_number_yaml_or_json_reads(written, version):
    yaml_text = f"name: t\nversion: {written}\nnodes:\n  a: {{timer: 1}}\n"
    json_text = f'{{"name": "t", "version": {written}, "nodes": {{"a": {{"timer": 1}}}}}}'
    for text, source in [(yaml_text, "spec.yaml"), (json_text, "spec.json")]:
        if written == "010" and source == "spec.json":
            continue  # not JSON
        assert dag.parse(dag.load_text(text, source)).data["version"] == version


@pytest.mark.parametrize(
    ("text", "source"),
    [
        ("name: t\nnodes:\n  a: {activity: m.f, version: 1.10}\n  b: {workflow: m.W, version: 010}\n", "s.yaml"),
        (
            "name: t\nnodes:\n- {id: a, activity: m.f, version: 1.10}\n- {id: b, workflow: m.W, version: 010}\n",
            "s.yaml",
        ),
        (
            '{"name": "t", "nodes": {"a": {"activity": "m.f", "version": 1.10}, '
            '"b": {"workflow": "m.W", "version": 10}}}',
            "s.json",
        ),
        (
            '{"name": "t", "nodes": [{"id": "a", "activity": "m.f", "version": 1.10}, {"id": "b", "workflow": "m.W", '
            '"version": 10}]}',
            "s.json",
        ),
    ],
)
def test_a_node_version_is_the_text_written_not_the_number_yaml_or_json_reads(text, source):
    versions = {n["id"]: n["version"] for n in dag.parse(dag.load_text(text, source)).data["nodes"]}
    assert versions == {"a": "1.10", "b": "10" if source.endswith(".json") else "010"}


@pytest.mark.parametrize(
    ("text", "source"),
    [
        (
            "activity_tasks:\n- {id_: a, name: m.f, version: 1.10}\n"
            "- {id_: b, type: floto.specs.task.ChildWorkflow, workflow_type_name: m.W, workflow_type_version: 2.50}\n",
            "f.yaml",
        ),
        (
            '{"activity_tasks": [{"id_": "a", "name": "m.f", "version": 1.10}, {"id_": "b", '
            '"type": "floto.specs.task.ChildWorkflow", "workflow_type_name": "m.W", "workflow_type_version": 2.50}]}',
            "f.json",
        ),
    ],
)
def test_a_floto_task_version_is_the_text_written(text, source):
    nodes = dag.parse(dag.load_text(text, source)).data["nodes"]
    assert {n["id"]: n["version"] for n in nodes} == {"a": "1.10", "b": "2.50"}


def test_only_the_spec_version_keeps_its_text_other_numbers_stay_numbers():
    text = "name: t\nversion: &v 1.10\nnodes:\n  a: {activity: m.f, version: x, args: [*v, 1.10, {version: 1.10}]}\n"
    assert dag.load_text(text, "spec.yaml")["nodes"]["a"]["args"] == [1.1, 1.1, {"version": 1.1}]
    text = '{"name": "t", "version": 1.10, "nodes": {"a": {"activity": "m.f", "args": [1.10, {"version": 1.10}]}}}'
    raw = dag.load_text(text, "spec.json")
    assert (raw["version"], raw["nodes"]["a"]["args"]) == ("1.10", [1.1, {"version": 1.1}])


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('{"name": "t", "nodes": {"a": {"timer": 1}, "a": {"timer": 2}}}', "'a' is given twice"),
        ('{"name": "t", "nodes": {"a": {"timer": Infinity}}}', "node 'a': timer must be"),
        ('{"name": "t", "nodes": {"": {"timer": 1}}}', "a node id cannot be empty"),
    ],
)
def test_dag_check_refuses_the_spec_in_one_line_exit_2(tmp_path, text, line):
    from click.testing import CliRunner

    from simpleflow.command import cli

    path = tmp_path / "spec.json"
    path.write_text(text)
    result = CliRunner().invoke(cli, ["dag.check", str(path)])
    assert result.exit_code == 2, result.output
    assert len(result.stderr.splitlines()) == 1
    assert line in result.stderr
    assert "Traceback" not in result.output
