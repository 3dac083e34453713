"""simpleflow.execute as simpleflow 0.36 has it: JSON errors, call-time wrapping, RequiredArgument, sys.executable."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

from simpleflow import execute
from simpleflow.exceptions import ExecutionError, ExecutionTimeoutError

REPO_ROOT = Path(__file__).resolve().parents[2]


@execute.python()
def add(a, b=1):
    return a + b


@execute.python()
class Add:
    def __init__(self, a, b=1):
        self.a, self.b = a, b

    def execute(self):
        return self.a + self.b


class DummyError(Exception):
    pass


@execute.python()
def raise_with_unicode():
    raise DummyError("ʘ‿ʘ")


def sleep_and_return(seconds):
    """Not decorated: the tests wrap it at call time, as simpleflow's own tests do."""
    time.sleep(seconds)
    return seconds


def test_the_error_message_is_the_child_s_json_error_and_the_details_stay():
    for call in (lambda: add("1"), lambda: Add("1")):
        with pytest.raises(ExecutionError) as caught:
            call()
        error = caught.value
        assert '"error":"TypeError"' in str(error)
        assert json.loads(str(error)) == error.details
        assert error.details["error"] == "TypeError" and error.details["traceback"]
        assert error.exit_code == 1 and isinstance(error.stderr, str)


def test_a_unicode_message_survives_the_json_error():
    with pytest.raises(ExecutionError) as caught:
        raise_with_unicode()
    assert '"error":"DummyError"' in str(caught.value)
    assert json.loads(caught.value.args[0])["message"] == "ʘ‿ʘ"


def test_a_function_wrapped_at_call_time_runs_in_the_child_with_its_timeout():
    func = execute.python(timeout=3)(sleep_and_return)
    assert func(0.25) == 0.25
    started = time.monotonic()
    with pytest.raises(ExecutionTimeoutError) as caught:
        func(10)
    assert time.monotonic() - started < 10
    assert "ExecutionTimeoutError after 3 seconds" in str(caught.value)


def test_a_function_no_other_process_can_import_is_refused_in_the_caller_with_one_line():
    def nested():
        return 1

    with pytest.raises(ValueError, match=r"nested is defined inside a function: another Python process cannot"):
        execute.python()(nested)()


@execute.program(path="ls")
def ls_restrict_named_arguments(*, hide=execute.RequiredArgument):
    pass


def test_required_argument_marks_a_keyword_only_argument():
    with tempfile.NamedTemporaryFile() as f:
        with pytest.raises(TypeError):
            ls_restrict_named_arguments(f.name)
        assert f.name not in ls_restrict_named_arguments(hide=os.path.basename(f.name))


def test_execute_python_defaults_to_the_caller_s_interpreter_not_python_on_path(tmp_path):
    (tmp_path / "bin").mkdir()  # the only directory on PATH: no python there
    (tmp_path / "user_tasks.py").write_text(
        textwrap.dedent(
            """
            import sys
            from simpleflow import execute

            @execute.python()
            def where():
                return sys.executable

            def where_plain():
                return sys.executable
            """
        )
    )
    script = textwrap.dedent(
        """
        import json
        from simpleflow import execute
        from simpleflow.exceptions import ExecutionError
        import user_tasks

        out = {"decorated": user_tasks.where(), "wrapped": execute.python()(user_tasks.where_plain)()}
        try:
            execute.python(interpreter="python")(user_tasks.where_plain)()
        except ExecutionError as err:
            out["override"] = str(err)
        print(json.dumps(out))
        """
    )
    env = {"PATH": str(tmp_path / "bin"), "PYTHONPATH": f"{REPO_ROOT}:{tmp_path}", "HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["decorated"] == out["wrapped"] == sys.executable
    assert out["override"] == "cannot run 'python': No such file or directory"  # interpreter= still wins
