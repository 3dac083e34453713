"""Every command that loads user code finds it the same way: from the current directory first, as
``workflow.start`` always did. Run as a user runs them: the console script, from a project's root."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pytest

from tests import console

ACTIVITIES = """
from pathlib import Path

from simpleflow import activity


@activity.with_attributes(task_list="shop", version="1")
def price(x):
    Path("priced").write_text(str(x))
    return x * 3
"""
FLOWS = """
from simpleflow import Workflow

from shop.activities import price


class Order(Workflow):
    name = "order"
    version = "1"
    task_list = "shop"

    def run(self, x):
        return self.submit(price, x).result
"""
HOOKS = """
from pathlib import Path


def before(context):
    Path("hooked").write_text(context["name"])
"""
SPEC = {
    "name": "order-spec",
    "version": "1",
    "task_list": "shop",
    "modules": ["shop.activities"],
    "nodes": {"p": {"activity": "shop.activities.price", "args": ["$input.x"]}},
    "result": "$nodes.p.result",
}


@pytest.fixture(scope="module")
def shell(tmp_path_factory) -> dict[str, str]:
    return console.install(tmp_path_factory.mktemp("installed"))


@pytest.fixture
def project(tmp_path) -> Path:
    """A project's root (not simpleflow's repository): package ``shop``, a spec, a settings module."""
    root = tmp_path / "project"
    (root / "shop").mkdir(parents=True)
    (root / "shop" / "__init__.py").write_text("")
    (root / "shop" / "activities.py").write_text(ACTIVITIES)
    (root / "shop" / "flows.py").write_text(FLOWS)
    (root / "shop" / "hooks.py").write_text(HOOKS)
    (root / "order.json").write_text(json.dumps(SPEC))
    (root / "shop_settings.py").write_text("SIMPLEFLOW_DECIDER_CACHE_RUNS = 7\n")
    return root


@pytest.mark.parametrize(
    "args, stdout",
    [
        (["dag.run", "examples/dag/diamond.yaml", "--local", "--input", '{"x": 1}'], "7"),
        (["dag.run", "examples/dag/fanout.json", "--local", "--input", '{"text": "hello"}'], "HE-LL-O"),
        (["dag.run", "examples/dag/floto_timer.json", "--local", "-m", "examples.dag.activities"], "result_activity_b"),
        (["dag.check", "examples/dag/fanout.json"], "ok: fanout 1, 3 nodes"),
        (
            [
                "schedule.create",
                "n",
                "--cron",
                "0 3 * * *",
                "examples/dag/fanout.json",
                "-i",
                '{"text": "a"}',
                "--local",
            ]
            + ["--for", "86400"],
            "n-",
        ),
    ],
    ids=["dag.run yaml", "dag.run json", "dag.run floto", "dag.check", "schedule.create spec"],
)
def test_the_documented_dag_and_schedule_commands_run_from_the_repository_root(shell, args, stdout):
    done = console.run(shell, *args, cwd=console.REPO)
    assert done.returncode == 0, done.stderr
    assert stdout in done.stdout


@pytest.mark.parametrize(
    "args, stdout",
    [
        (["workflow.start", "--local", "shop.flows.Order", "--input", "[2]"], "6"),
        (["dag.run", "order.json", "--local", "--input", '{"x": 2}'], "6"),
        (["dag.check", "order.json"], "order.json: ok: order-spec 1, 1 nodes"),
        (
            [
                "schedule.create",
                "n",
                "--cron",
                "0 3 * * *",
                "order.json",
                "--input",
                '{"x": 2}',
                "--local",
                "--for",
                "1e5",
            ],
            "n-",
        ),
        (
            [
                "schedule.create",
                "n",
                "--cron",
                "0 3 * * *",
                "shop.flows.Order",
                "--input",
                "[2]",
                "--local",
                "--for",
                "1e5",
            ],
            "n-",
        ),
    ],
    ids=["workflow.start", "dag.run", "dag.check", "schedule.create spec", "schedule.create class"],
)
def test_commands_find_a_projects_modules_from_its_root(shell, project, args, stdout):
    done = console.run(shell, *args, cwd=project)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(stdout)


def test_middleware_and_the_settings_module_are_found_from_the_projects_root_too(shell, project):
    done = console.run(
        shell,
        "workflow.start",
        "--local",
        "shop.flows.Order",
        "--input",
        "[2]",
        "--middleware-pre-execution",
        "shop.hooks.before",
        cwd=project,
    )
    assert (done.returncode, done.stdout) == (0, "6\n"), done.stderr
    assert (project / "hooked").read_text() == "shop.activities.price"
    done = console.run(shell, "info", "settings", cwd=project, extra={"SIMPLEFLOW_SETTINGS_MODULE": "shop_settings"})
    assert done.returncode == 0, done.stderr
    assert "SIMPLEFLOW_DECIDER_CACHE_RUNS=7" in done.stdout.split()


def test_worker_for_one_given_task_imports_its_modules_from_the_projects_root(shell, project, swf_domain):
    task = {
        "taskToken": "not-a-token-swf-gave",
        "activityId": "activity-shop.activities.price-1",
        "activityType": {"name": "shop.activities.price", "version": "1"},
        "workflowExecution": {"workflowId": "w", "runId": "r"},
        "input": json.dumps({"args": [5], "kwargs": {}}),
    }
    aws = {k: v for k, v in os.environ.items() if k.startswith("AWS_")}
    poll_data = base64.b64encode(json.dumps(task).encode()).decode()
    done = console.run(
        shell,
        "worker.start",
        "--domain",
        swf_domain,
        "--poll-data",
        poll_data,
        "shop.activities",
        cwd=project,
        extra=aws,
    )
    assert (project / "priced").read_text() == "5", done.stderr  # the activity ran; SWF refuses the made-up token
    assert done.returncode == 1 and "SWF did not accept the answer" in done.stderr


def test_a_current_directory_other_users_can_write_is_not_imported_from(shell, project):
    """A module another user put there would run in our name (the standard library's names included)."""
    project.chmod(0o777)
    try:
        done = console.run(shell, "workflow.start", "--local", "shop.flows.Order", "--input", "[2]", cwd=project)
    finally:
        project.chmod(0o755)
    assert done.returncode == 2, done.stderr
    assert f"not importing from the current directory {project}: it can be written by other users" in done.stderr
    assert "unknown workflow module 'shop.flows'" in done.stderr
    done = console.run(shell, "workflow.start", "--local", "shop.flows.Order", "--input", "[2]", cwd=project)
    assert (done.returncode, done.stdout.strip()) == (0, "6"), done.stderr


def test_a_module_not_found_from_elsewhere_says_where_it_was_looked_for(shell, tmp_path):
    done = console.run(shell, "workflow.start", "--local", "examples.basic.BasicWorkflow", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "simpleflow: error: unknown workflow module 'examples.basic' (from 'examples.basic.BasicWorkflow'): it is "
        f"not importable from the current directory ({tmp_path}) nor from sys.path; run the command from the "
        "folder that holds it\n"
    )


@pytest.mark.parametrize(
    "path, dotted",
    [
        ("mywf.py", "mywf"),
        ("./flows/mywf.py", "flows.mywf"),
        ("./mywf.Flow", "mywf"),
        ("flows/mywf.Flow", "flows.mywf"),
    ],
)
def test_a_files_path_for_a_workflow_suggests_the_dotted_form(shell, tmp_path, path, dotted):
    done = console.run(shell, "workflow.start", "--local", path, cwd=tmp_path)
    assert (done.returncode, done.stdout) == (2, "")
    klass = "Flow" if path.endswith(".Flow") else "ClassName"
    assert done.stderr == (
        f"simpleflow: error: workflow '{path}' is a file's path, not a class: name the class by module, as in "
        f"'{dotted}.{klass}'\n"
    )


@pytest.mark.parametrize("path", ["qa-new/mywf.py", "qa-new/mywf.Flow", "../mywf.py", "{abs}/mywf.py"])
def test_a_files_path_not_importable_from_here_names_the_folder_to_run_from(shell, tmp_path, path):
    """No dotted form from a folder that is no package name (a hyphen), above the current one, or from /."""
    (tmp_path / "here").mkdir()
    path = path.format(abs=tmp_path / "qa-new")
    folder = (tmp_path / "here" / path).parent.resolve() if not path.startswith("/") else tmp_path / "qa-new"
    done = console.run(shell, "workflow.start", "--local", path, cwd=tmp_path / "here")
    klass = "Flow" if path.endswith(".Flow") else "ClassName"
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        f"simpleflow: error: workflow '{path}' is a file's path, not a class: run the command from the folder "
        f"that holds it ({folder}) and name it as 'mywf.{klass}'\n"
    )


def test_a_files_path_or_an_unknown_module_for_a_worker_gets_the_workflows_messages(shell, tmp_path):
    done = console.run(shell, "worker.start", "--domain", "d", "--task-list", "qa", "mywf.py", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "simpleflow: error: module 'mywf.py' is a file's path, not a module: name the module, as in 'mywf'\n"
    )
    done = console.run(shell, "worker.start", "--domain", "d", "--task-list", "qa", "mywf", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        f"simpleflow: error: unknown module 'mywf': it is not importable from the current directory "
        f"({tmp_path}) nor from sys.path; run the command from the folder that holds it\n"
    )


@pytest.mark.parametrize("path, dotted", [("mywf.py", "mywf"), ("./flows/mywf.py", "flows.mywf")])
@pytest.mark.parametrize("command", [["standalone", "--domain", "d"], ["schedule.create", "--cron", "0 * * * *", "s"]])
def test_a_python_files_path_where_a_spec_is_also_taken_is_no_spec_and_suggests_the_dotted_form(
    shell, tmp_path, command, path, dotted
):
    """standalone and schedule.create take a workflow class or a spec file: a Python file is the first."""
    (tmp_path / "flows").mkdir()
    for where in ("mywf.py", "flows/mywf.py"):
        (tmp_path / where).write_text("from simpleflow import Workflow\n\n\nclass Flow(Workflow):\n    name = 'f'\n")
    done = console.run(shell, *command, path, cwd=tmp_path)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        f"simpleflow: error: workflow '{path}' is a file's path, not a class: name the class by module, as in "
        f"'{dotted}.ClassName'\n"
    )


@pytest.mark.parametrize("command", [["dag.run", "--local"], ["dag.check"], ["dag.show"]])
def test_a_python_files_path_given_for_a_spec_says_it_is_no_spec(shell, tmp_path, command):
    """dag.* take only specs: a module there is read as YAML, which said "spec: must be a mapping..."."""
    (tmp_path / "mywf.py").write_text("x = 1\n")
    done = console.run(shell, *command, "mywf.py", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "simpleflow: error: 'mywf.py' is a Python file, not a DAG spec (YAML or JSON): a workflow class runs "
        "with 'simpleflow workflow.start' or 'simpleflow standalone'\n"
    )
