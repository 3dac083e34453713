"""script/docker-build, script/docker-run, script/test and python -m simpleflow, as simpleflow's README runs them.

Docker cannot run here: a fake ``docker`` on PATH records the arguments the scripts give it. script/test runs
against a fake ``python3`` (the suite inside the suite would take minutes): it records what it is asked to run and
answers each tool with the status the test gives it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _fake_docker(tmp_path: Path) -> dict[str, str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "docker"
    fake.write_text('#!/usr/bin/env bash\nprintf "%s\\n" "$@" > "$DOCKER_ARGS"\n')
    fake.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SWF_", "SIMPLEFLOW_"))}
    env.update(PATH=f"{bin_dir}{os.pathsep}{env['PATH']}", DOCKER_ARGS=str(tmp_path / "args"))
    return env


def test_docker_build_builds_the_image_from_the_repository_root(tmp_path):
    env = _fake_docker(tmp_path)
    done = subprocess.run([str(ROOT / "script" / "docker-build"), "--pull"], env=env, cwd=tmp_path, text=True)
    assert done.returncode == 0
    assert (tmp_path / "args").read_text().splitlines() == ["build", "--tag", "simpleflow", "--pull", "."]


def test_docker_run_mounts_the_current_directory_and_passes_aws_and_swf_variables_by_name(tmp_path):
    env = _fake_docker(tmp_path)
    env.update(AWS_SECRET_ACCESS_KEY="s3cr3t", SWF_DOMAIN="d", SIMPLEFLOW_IMAGE="mine", UNRELATED="x")
    workdir = tmp_path / "project"
    workdir.mkdir()
    command = [str(ROOT / "script" / "docker-run"), "standalone", "--input", "[1, 2]"]
    done = subprocess.run(command, env=env, cwd=workdir, text=True, stdin=subprocess.DEVNULL)
    assert done.returncode == 0
    args = (tmp_path / "args").read_text().splitlines()
    assert args[:6] == ["run", "--rm", "--volume", f"{workdir}:/work", "--workdir", "/work"]
    passed = {args[i + 1] for i, a in enumerate(args) if a == "--env"}
    assert passed == {"AWS_SECRET_ACCESS_KEY", "SWF_DOMAIN"}  # names only: values never on a command line
    assert "s3cr3t" not in args and "--tty" not in args  # stdin is not a terminal
    assert args[-4:] == ["mine", "standalone", "--input", "[1, 2]"]


def test_python_dash_m_simpleflow_runs_the_command_line():
    done = subprocess.run(
        [sys.executable, "-m", "simpleflow", "-h"],
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "workflow.start" in done.stdout and "Usage: simpleflow " in done.stdout


FAKE_PYTHON = """#!/usr/bin/env bash
case "$1 $2 $3" in
    "-c "*) case "$2" in *sched_getaffinity*) echo 2 ;; *) echo "$CHECKOUT/simpleflow" ;; esac ;;
    "-m pytest "*) echo pytest >> "$CALLS"; exit "$PYTEST_STATUS" ;;
    "-m ruff check") echo ruff-check >> "$CALLS"; exit "$RUFF_CHECK_STATUS" ;;
    "-m ruff format") echo ruff-format >> "$CALLS"; exit "$RUFF_FORMAT_STATUS" ;;
    *) echo "unexpected: $*" >&2; exit 99 ;;
esac
"""


@pytest.mark.parametrize(
    ("pytest_status", "check_status", "format_status", "exit_status"),
    [(0, 0, 0, 0), (0, 0, 1, 1), (0, 1, 0, 1), (1, 0, 0, 1), (3, 1, 1, 3)],
)
def test_script_test_runs_the_tests_and_lint_and_fails_if_either_fails(
    tmp_path, pytest_status, check_status, format_status, exit_status
):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "python3"
    fake.write_text(FAKE_PYTHON)
    fake.chmod(0o755)
    calls = tmp_path / "calls"
    env = dict(
        os.environ,
        PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        CHECKOUT=str(ROOT.resolve()),
        CALLS=str(calls),
        PYTEST_STATUS=str(pytest_status),
        RUFF_CHECK_STATUS=str(check_status),
        RUFF_FORMAT_STATUS=str(format_status),
    )
    done = subprocess.run([str(ROOT / "script" / "test"), "-q"], env=env, capture_output=True, text=True)
    assert "unexpected" not in done.stderr, done.stderr
    assert calls.read_text().splitlines() == ["pytest", "ruff-check", "ruff-format"]
    assert done.returncode == exit_status, done.stderr
    assert ("ruff found problems" in done.stderr) == bool(check_status or format_status)
