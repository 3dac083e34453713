"""The Python children simpleflow starts (``@execute.python()``, the dev server's web view, the web view's
repair) import nothing from a current directory another user can write, as the command itself does not
(docs/security.md): ``python -m`` would put it first on their path, before the standard library.

Each test runs from a 0777 folder holding ``json.py``, which another user could have put there: it leaves
a marker file naming the process that imported it, then hands over to the real ``json``.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests import console
from tests.moto_server import free_port

PLANTED = """
import os, sys
with open(os.path.join({markers!r}, "imported-by-%d" % os.getpid()), "w") as marker:
    marker.write(" ".join(sys.argv))
_here = sys.path.pop(0)
del sys.modules["json"]
import importlib
_json = importlib.import_module("json")
sys.path.insert(0, _here)
sys.modules["json"] = _json
globals().update(_json.__dict__)
"""


@pytest.fixture(scope="module")
def shell(tmp_path_factory) -> dict[str, str]:
    env = console.install(tmp_path_factory.mktemp("installed"))
    env["PYTHONPATH"] += os.pathsep + str(console.REPO)  # examples.program_tasks, found from an installed path
    return env


@pytest.fixture
def markers(tmp_path) -> Path:
    found = tmp_path / "markers"
    found.mkdir()
    return found


@pytest.fixture
def shared(tmp_path, markers) -> Path:
    """A folder other users can write, where one of them put ``json.py``."""
    folder = tmp_path / "shared"
    folder.mkdir()
    (folder / "json.py").write_text(PLANTED.format(markers=str(markers)))
    folder.chmod(0o777)
    yield folder
    folder.chmod(0o755)


def _imported_by(markers: Path) -> list[str]:
    return [path.read_text() for path in markers.iterdir()]


def test_an_execute_python_child_does_not_import_from_the_current_directory(shell, shared, markers):
    done = console.run(
        shell,
        "workflow.start",
        "--local",
        "examples.program_tasks.ProgramWorkflow",
        "--input",
        '["world"]',
        cwd=shared,
    )
    assert (done.returncode, done.stdout) == (0, '{"greeting": "hello, world!", "lengths": [6, 6]}\n'), done.stderr
    assert f"not importing from the current directory {shared}: it can be written by other users" in done.stderr
    assert _imported_by(markers) == []


PROJECT_FLOW = """
from simpleflow import Workflow, activity, execute


@activity.with_attributes(task_list="shop", version="1")
@execute.python(timeout=60)
def where():
    import os, sys
    return [sys.path.index(os.getcwd()), sys.path.count(os.getcwd())]


class Where(Workflow):
    name = "where"
    version = "1"
    task_list = "shop"

    def run(self):
        return self.submit(where).result
"""


def test_an_execute_python_child_finds_the_projects_modules_from_its_root(shell, tmp_path):
    """The other side of the rule: from a folder only its owner can change, the child puts it back, first."""
    project = tmp_path / "project"
    (project / "shop").mkdir(parents=True)
    (project / "shop" / "__init__.py").write_text("")
    (project / "shop" / "flows.py").write_text(PROJECT_FLOW)
    done = console.run(shell, "workflow.start", "--local", "shop.flows.Where", cwd=project)
    assert (done.returncode, done.stdout) == (0, "[0, 1]\n"), done.stderr


def test_the_dev_server_s_web_view_does_not_import_from_the_current_directory(shell, shared, markers):
    server = subprocess.Popen(
        ["simpleflow", "dev-server", "--port", str(free_port()), "--domain", "demo", "--ui", "--ui-port", "0"],
        cwd=shared,
        env=shell,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = next(line for line in server.stdout if line.startswith("simpleflow ui: ")).split()[2]
        assert "<title>Executions of demo" in console.page_once_up(url)
        assert _imported_by(markers) == []
    finally:
        server.terminate()
        server.wait(timeout=15)


def test_a_repair_started_from_the_web_view_does_not_import_from_the_current_directory(shared, markers, monkeypatch):
    from simpleflow.ui.actions import _repair

    monkeypatch.chdir(shared)
    result = _repair("demo", "w", "r", {"workflow": "nowhere.Flow"})
    assert not result.ok
    assert "unknown workflow module 'nowhere'" in result.summary  # the child ran, and stopped at the class
    assert _imported_by(markers) == []


def test_an_empty_pythonpath_entry_does_not_bring_the_current_directory_back(shell, tmp_path):
    """``PYTHONPATH=site:`` (``$PYTHONPATH:`` with it empty) puts the current directory on the path."""
    project = tmp_path / "project"
    (project / "shop").mkdir(parents=True)
    (project / "shop" / "__init__.py").write_text("")
    (project / "shop" / "flows.py").write_text("raise SystemExit('imported from a folder others can write')\n")
    project.chmod(0o777)
    try:
        done = console.run(
            shell,
            *("workflow.start", "--local", "shop.flows.Order", "--input", "[2]"),
            cwd=project,
            extra={"PYTHONPATH": shell["PYTHONPATH"] + os.pathsep},
        )
    finally:
        project.chmod(0o755)
    assert done.returncode == 2, done.stderr
    assert f"taking the current directory {project} off the import path: it can be written by other users" in (
        done.stderr
    )
    assert "unknown workflow module 'shop.flows'" in done.stderr
