"""simpleflow.execute: programs and Python functions run as child processes, and as activities."""

from __future__ import annotations

import json
import os
import sys
import time

import pytest

from simpleflow import execute
from simpleflow.exceptions import ExecutionError, ExecutionTimeoutError
from simpleflow.local import LocalExecution
from tests.fixtures import program_tasks
from tests.process_helpers import alive, wait_dead


def _script(tmp_path, name: str, source: str) -> str:
    path = tmp_path / name
    path.write_text(f"#!{sys.executable}\n{source}")
    path.chmod(0o755)
    return str(path)


@pytest.fixture
def argv_program(tmp_path):
    return _script(tmp_path, "argv.py", "import json, sys\nprint(json.dumps(sys.argv[1:]))\n")


# --- @execute.program ---------------------------------------------------------------------------


def test_arguments_reach_the_program_unchanged_without_a_shell(argv_program, tmp_path):
    @execute.program(path=argv_program)
    def show(*args, **kwargs):
        pass

    hostile = ["a; touch pwned", "$(touch pwned)", "`touch pwned`", "x' \"y", "*", "> pwned", "line\nbreak"]
    output = show(*hostile)
    assert json.loads(output) == hostile
    assert not os.path.exists(os.path.join(os.getcwd(), "pwned")) and not (tmp_path / "pwned").exists()


def test_keyword_arguments_map_to_options_before_positionals_as_in_simpleflow(argv_program):
    @execute.program(path=argv_program)
    def show(*args, **kwargs):
        pass

    assert json.loads(show("a", "b", c=1, val=2)) == ['-c="1"', '--val="2"', "a", "b"]
    assert sorted(execute.format_arguments("a", "b", c=1, val=2)) == ['--val="2"', '-c="1"', "a", "b"]


def test_a_call_that_does_not_fit_the_signature_runs_nothing(tmp_path):
    marker = tmp_path / "ran"
    script = _script(tmp_path, "touch.py", f"open({str(marker)!r}, 'w').close()\n")

    @execute.program(path=script)
    def one(value):
        pass

    with pytest.raises(TypeError):
        one(1, 2)
    assert not marker.exists()


def test_the_program_name_defaults_to_the_function_name():
    @execute.program()
    def true():
        pass

    assert true() == "" and true().exit_code == 0


def test_stdout_is_the_result_and_stderr_is_attached(tmp_path):
    script = _script(tmp_path, "both.py", "import sys\nprint('out')\nsys.stderr.write('warn\\n')\n")

    @execute.program(path=script)
    def both():
        pass

    output = both()
    assert (output, output.stderr, output.exit_code) == ("out\n", "warn\n", 0)
    assert isinstance(output, str) and json.dumps(output) == '"out\\n"'


def test_a_non_zero_exit_is_an_execution_error_with_the_code_and_the_end_of_stderr(tmp_path):
    script = _script(
        tmp_path, "fail.py", "import sys\nfor i in range(50):\n    sys.stderr.write(f'line {i}\\n')\nsys.exit(3)\n"
    )

    @execute.program(path=script)
    def fail():
        pass

    with pytest.raises(ExecutionError) as caught:
        fail()
    error = caught.value
    assert error.exit_code == 3
    assert str(error).startswith(f"{script} exited with code 3: line 49\nline 30\n")  # the reason names the last
    assert str(error).endswith("line 49") and "line 29" not in str(error)
    assert error.stderr.count("\n") == 50


def test_the_reason_of_a_program_that_died_of_a_traceback_is_its_error(tmp_path):
    """The task's reason is the message's first line: it named 'Traceback (most recent call last):'."""
    script = _script(tmp_path, "crash.py", "import json\njson.loads('{bad')\n")

    @execute.program(path=script)
    def crash():
        pass

    with pytest.raises(ExecutionError) as caught:
        crash()
    first, _, rest = str(caught.value).partition("\n")
    assert first.startswith(f"{script} exited with code 1: json.decoder.JSONDecodeError: Expecting property name")
    assert rest.startswith("Traceback (most recent call last):") and rest.endswith(first.partition(": ")[2])


def test_a_missing_working_directory_is_not_said_to_be_a_missing_program(tmp_path):
    """It said "cannot run 'ls': No such file or directory"."""
    where = str(tmp_path / "gone")

    @execute.program(path="ls", cwd=where)
    def ls():
        pass

    with pytest.raises(ExecutionError) as caught:
        ls()
    assert str(caught.value) == f"cannot run 'ls': its working directory '{where}': No such file or directory"


def test_a_missing_program_is_an_execution_error_without_exit_code():
    @execute.program(path="/nonexistent/program")
    def missing():
        pass

    with pytest.raises(ExecutionError, match="cannot run '/nonexistent/program'") as caught:
        missing()
    assert caught.value.exit_code is None


def test_a_timeout_kills_the_whole_process_group(tmp_path):
    pid_file = tmp_path / "grandchild.pid"
    script = _script(
        tmp_path,
        "spawn.py",
        "import subprocess, sys, time\n"
        "child = subprocess.Popen(['sleep', '60'])\n"
        f"open({str(pid_file)!r}, 'w').write(str(child.pid))\n"
        "time.sleep(60)\n",
    )

    @execute.program(path=script, timeout=1)
    def spawn():
        pass

    started = time.monotonic()
    with pytest.raises(ExecutionTimeoutError) as caught:
        spawn()
    assert time.monotonic() - started < 5
    assert caught.value.timeout_value == 1 and caught.value.timeout_command == [script]
    assert str(caught.value) == f"ExecutionTimeoutError after 1 seconds ({[script]})"
    assert not wait_dead({int(pid_file.read_text())}, timeout=5)


def test_kill_children_kills_what_the_program_left_running(tmp_path):
    def spawner(name: str) -> str:
        pid_file = tmp_path / f"{name}.pid"
        source = f"import subprocess\nopen({str(pid_file)!r}, 'w').write(str(subprocess.Popen(['sleep', '60']).pid))\n"
        return _script(tmp_path, f"{name}.py", source), pid_file

    script, pid_file = spawner("killed")
    execute.program(path=script, kill_children=True)(lambda: None)()
    assert not wait_dead({int(pid_file.read_text())}, timeout=5)

    script, pid_file = spawner("left")
    execute.program(path=script)(lambda: None)()
    left = int(pid_file.read_text())
    try:
        assert alive(left)  # simpleflow's default: a program may start a daemon on purpose
    finally:
        os.kill(left, 9)


# --- @execute.python ----------------------------------------------------------------------------


def test_a_python_task_runs_in_another_process_with_json_arguments_and_result():
    result = program_tasks.child_pid_and_sum([1, 2, 3], offset=10)
    assert result["sum"] == 16 and result["pid"] != os.getpid()


def test_a_python_task_class_runs_its_execute():
    assert program_tasks.Multiply(6, 7) == 42


def test_the_exception_of_a_python_task_comes_back_as_an_execution_error_with_its_details():
    with pytest.raises(ExecutionError) as caught:
        program_tasks.raise_value_error("x")
    assert json.loads(str(caught.value)) == caught.value.details  # the message is the JSON error, as in simpleflow
    details = caught.value.details
    assert (details["error"], details["message"], caught.value.exit_code) == ("ValueError", "bad value: x", 1)
    assert any("raise ValueError" in line for line in details["traceback"])


def test_a_result_json_cannot_hold_is_an_error_not_a_pickle():
    with pytest.raises(ExecutionError) as caught:
        program_tasks.return_a_set()
    assert (caught.value.details["error"], caught.value.details["message"]) == (
        "TypeError",
        "object is not JSON serializable",
    )


def test_a_python_task_past_its_timeout_is_killed():
    started = time.monotonic()
    with pytest.raises(ExecutionTimeoutError) as caught:
        program_tasks.sleep_forever()
    assert time.monotonic() - started < 5
    # the task, not the child's bootstrap code (its argv), which filled the reason
    command = f"{sys.executable} -m simpleflow.execute tests.fixtures.program_tasks.sleep_forever"
    assert str(caught.value) == f"ExecutionTimeoutError after 0.5 seconds ({command})"


def test_an_interpreter_that_dies_is_an_execution_error_with_its_exit_code():
    with pytest.raises(ExecutionError, match="exited with code 7") as caught:
        program_tasks.exit_hard(7)
    assert caught.value.exit_code == 7


def nothing():
    pass


def test_a_missing_interpreter_is_an_execution_error():
    with pytest.raises(ExecutionError, match="cannot run '/nonexistent/python'"):
        execute.python(interpreter="/nonexistent/python")(nothing)()


def test_the_child_side_imports_only_a_dotted_path_of_identifiers(tmp_path):
    import subprocess

    request = tmp_path / "request.json"
    request.write_text(json.dumps({"function": "os.system('touch pwned')", "args": [], "kwargs": {}}))
    reply = tmp_path / "reply.json"
    with open(request, "rb") as req, open(reply, "wb") as rep:
        done = subprocess.run(
            [sys.executable, "-m", "simpleflow.execute", f"--request-fd={req.fileno()}", f"--reply-fd={rep.fileno()}"],
            pass_fds=(req.fileno(), rep.fileno()),
            cwd=tmp_path,
            check=False,
        )
    assert done.returncode == 1 and not (tmp_path / "pwned").exists()
    assert "is not a dotted name" in json.loads(reply.read_text())["error"]["message"]


# --- as activities, in the local host ----------------------------------------------------------


def test_program_and_python_tasks_run_as_activities_of_a_local_workflow():
    done = LocalExecution(program_tasks.ProgramTasksWorkflow, {"args": [5], "kwargs": {}}).execute()
    assert done.status == "completed", done.reason
    result = done.result
    assert (result["printed"], result["total"], result["context_ok"]) == ("10\n", 11, True)
    assert result["program_failure"] == f"ExecutionError: {sys.executable} exited with code 4: it broke"
    assert result["python_failure"] == "ArithmeticError: cannot add [1, 2]"
    assert json.loads(result["python_failure_details"])["error"] == "ArithmeticError"


def test_the_program_tasks_example_runs_locally():
    from examples.program_tasks import ProgramWorkflow

    done = LocalExecution(ProgramWorkflow, {"args": ["world"], "kwargs": {}}).execute()
    assert done.result == {"greeting": "hello, world!", "lengths": [6, 6]}


def test_a_program_dies_with_the_process_that_started_it(tmp_path):
    import signal
    import subprocess

    pid_file = tmp_path / "program.pid"
    script = _script(
        tmp_path, "nap.py", f"import os, time\nopen({str(pid_file)!r}, 'w').write(str(os.getpid()))\ntime.sleep(60)\n"
    )
    parent_code = f"from simpleflow import execute\nexecute.program(path={script!r})(lambda: None)()\n"
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    parent = subprocess.Popen([sys.executable, "-c", parent_code], env=dict(os.environ, PYTHONPATH=root))
    try:
        deadline = time.monotonic() + 20
        while not (pid_file.exists() and pid_file.read_text()) and time.monotonic() < deadline:
            time.sleep(0.02)
        program_pid = int(pid_file.read_text())
        parent.send_signal(signal.SIGKILL)  # a worker's activity process killed: no Python code runs
        parent.wait()
        assert not wait_dead({program_pid}, timeout=5)
    finally:
        if parent.poll() is None:
            parent.kill()
