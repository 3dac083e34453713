"""What a test can get wrong in WorkflowEnv's and Execution's arguments, and replay_tests' paths: one line each,
naming the problem."""

from __future__ import annotations

import json

import pytest

from simpleflow.exceptions import UsageError
from simpleflow.testing import WorkflowEnv, replay_tests
from tests.testing import workflows as wf


@pytest.fixture
def env():
    with WorkflowEnv() as environment:
        yield environment


def test_advance_takes_numbers_and_a_timers_text_and_refuses_other_text_in_one_line(env):
    execution = env.start(wf.Reminder, "ann")
    execution.advance("3600")  # as a timer's timeout takes it
    execution.advance(minutes="30")
    assert round(execution.elapsed) == 5400
    for call, line in [
        (lambda: execution.advance("1h"), "advance: seconds='1h' is not a number of seconds"),
        (lambda: execution.advance(hours=[1]), "advance: hours=[1] is not a number of hours"),
        (lambda: execution.advance(days=True), "advance: days=True is not a number of days"),
        (lambda: execution.advance_to("2h"), "advance_to: seconds='2h' is not a number of seconds"),
    ]:
        with pytest.raises(ValueError) as refused:
            call()
        assert str(refused.value) == f"{line} (for an hour: advance(hours=1), advance(3600))"
    assert round(execution.elapsed) == 5400


SHAPE = '{"pre": [paths], "post": [paths]} or a Middlewares'


@pytest.mark.parametrize(
    ("middlewares", "line"),
    [
        ({"before": ["os.path.join"]}, f"WorkflowEnv: middlewares has no key 'before': it takes {SHAPE}"),
        (
            {"pre": "os.path.join"},
            "WorkflowEnv: middlewares['pre'] must be a list of dotted paths, not str 'os.path.join'",
        ),
        (["os.path.join"], f"WorkflowEnv: middlewares must be {SHAPE}, not list ['os.path.join']"),
        ({"post": [len]}, "WorkflowEnv: middlewares['post']: <built-in function len> is not a dotted path like "),
        ({"pre": ["nowhere.f"]}, "WorkflowEnv: middlewares['pre'] 'nowhere.f': no module named 'nowhere'"),
    ],
)
def test_middlewares_of_another_shape_are_refused_in_one_line(middlewares, line):
    with pytest.raises(UsageError) as refused:
        WorkflowEnv(middlewares=middlewares)
    assert str(refused.value).startswith(line)
    assert "\n" not in str(refused.value)


@pytest.mark.parametrize("value", ["no", 0, None])
def test_replay_check_takes_true_or_false_only(env, value):
    line = f"WorkflowEnv: replay_check={value!r} is not True or False"
    with pytest.raises(UsageError, match=rf"^{line}$"):
        WorkflowEnv(replay_check=value)
    with pytest.raises(UsageError, match=rf"^{line}$"):
        env.replay_check = value
    assert env.replay_check is True


def test_arguments_that_do_not_fit_the_workflow_are_refused_without_the_error_behind(env):
    with pytest.raises(UsageError) as refused:
        env.run(wf.Tolerant)
    assert str(refused.value) == "input does not fit Tolerant.run: missing a required argument: 'n'"
    assert refused.value.__cause__ is None and refused.value.__suppress_context__  # pytest shows this one only
    execution = env.start(wf.Reminder, "ann")
    with pytest.raises(UsageError) as refused:
        execution.query("where", 1)
    assert refused.value.__cause__ is None and refused.value.__suppress_context__


def test_replay_tests_of_a_folder_without_histories_is_one_failing_test_naming_it(tmp_path):
    test = replay_tests(wf.Tolerant, tmp_path)  # no error while the module is collected
    with pytest.raises(pytest.fail.Exception) as failed:
        test()
    assert str(failed.value) == f"replay_tests(Tolerant): {tmp_path}: no history file (*.json) in this folder"
    with pytest.raises(pytest.fail.Exception, match=r"nowhere: no such file or folder$"):
        replay_tests(wf.Tolerant, tmp_path / "nowhere")()


def test_replay_tests_ids_are_the_files_paths_from_their_common_folder(env, tmp_path):
    history = json.dumps({"events": env.run(wf.Tolerant, 1).history})
    for folder in ("a", "b", "b/c"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "x.json").write_text(history)
    [mark] = replay_tests(wf.Tolerant, tmp_path / "a", tmp_path / "b", tmp_path / "b/c/x.json").pytestmark
    assert mark.kwargs["ids"] == ["a/x.json", "b/x.json", "b/c/x.json"]
    [mark] = replay_tests(wf.Tolerant, tmp_path / "b").pytestmark
    assert mark.kwargs["ids"] == ["x.json"]
