"""simpleflow's pytest plugin as a project uses it: the testing guide's shop project (examples/testing),
copied out of the repository, its tests run by pytest in a process of their own."""

from __future__ import annotations

import pytest

from tests.testing.project import copy_example, run, site_with_entry_points

SHOP_TESTS = 7  # tests/test_orders.py and one per history file of tests/test_histories.py


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    return copy_example(tmp_path_factory.mktemp("user") / "shop-project")


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """What ``pip install simpleflow`` gives pytest: simpleflow's metadata with its pytest11 entry point."""
    return site_with_entry_points(tmp_path_factory.mktemp("site"))


def test_pytest_finds_the_plugin_through_simpleflows_entry_point(shop, installed):
    done = run(shop, "pytest", "-q", "-p", "no:cacheprovider", site=installed)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{SHOP_TESTS} passed" in done.stdout


def test_the_plugin_loads_by_name_with_p(shop):
    done = run(shop, "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:simpleflow", "-p", "simpleflow.testing.plugin")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{SHOP_TESTS} passed" in done.stdout


def test_naming_the_plugin_where_simpleflow_is_installed_loads_it_once(shop, installed):
    """``-p simpleflow.testing.plugin`` or a conftest's ``pytest_plugins`` beside the entry point: one plugin."""
    done = run(shop, "pytest", "-q", "-p", "no:cacheprovider", "-p", "simpleflow.testing.plugin", site=installed)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{SHOP_TESTS} passed" in done.stdout
    conftest = shop / "conftest.py"
    conftest.write_text('pytest_plugins = ["simpleflow.testing.plugin"]\n')
    try:
        done = run(shop, "pytest", "-q", "-p", "no:cacheprovider", site=installed)
    finally:
        conftest.unlink()
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{SHOP_TESTS} passed" in done.stdout


def test_without_the_plugin_the_fixture_is_unknown(shop, installed):
    done = run(shop, "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:simpleflow", site=installed)
    assert done.returncode == 1
    assert "fixture 'workflow_env' not found" in done.stdout


def test_the_plugin_imports_nothing_of_simpleflow_until_a_test_uses_it(tmp_path, installed):
    (tmp_path / "conftest.py").write_text(
        "import sys\n\n\n"
        "def pytest_collection_finish(session):\n"
        "    loaded = sorted(m for m in sys.modules if m == 'simpleflow' or m.startswith('simpleflow.'))\n"
        "    print('LOADED', loaded)\n"
    )
    (tmp_path / "test_plain.py").write_text("def test_nothing_of_simpleflow():\n    assert True\n")
    done = run(tmp_path, "pytest", "-q", "-s", "-p", "no:cacheprovider", site=installed)
    assert done.returncode == 0, done.stdout + done.stderr
    [line] = [line for line in done.stdout.splitlines() if line.startswith("LOADED")]
    loaded = ["simpleflow", "simpleflow.testing", "simpleflow.testing._entry_point", "simpleflow.testing.plugin"]
    assert line == f"LOADED {loaded}"


def test_a_failing_workflow_test_says_why(tmp_path, installed):
    project = copy_example(tmp_path / "shop")
    (project / "tests" / "test_broken.py").write_text(
        "from shop.workflows import OrderWorkflow, charge_card\n\n\n"
        "def test_a_refused_payment_read_as_a_result(workflow_env):\n"
        "    workflow_env.override(charge_card, RuntimeError)\n"
        "    run = workflow_env.run(OrderWorkflow, 'o-9', 10)\n"
        "    assert run.result['status'] == 'shipped'\n"
    )
    done = run(project, "pytest", "-q", "-p", "no:cacheprovider", "tests/test_broken.py", site=installed)
    assert done.returncode == 1
    assert "AssertionError" in done.stdout and "'payment refused'" in done.stdout


def test_a_test_whose_workflow_does_not_replay_fails_with_the_report_unless_marked(tmp_path, installed):
    project = copy_example(tmp_path / "shop")
    (project / "shop" / "dice.py").write_text(
        "import random\n\n"
        "from simpleflow import Workflow, activity\n\n\n"
        '@activity.with_attributes(task_list="shop", version="1")\n'
        "def double(x):\n"
        "    return 2 * x\n\n\n"
        "class Dice(Workflow):\n"
        '    name = "dice"\n'
        '    version = "1"\n'
        '    task_list = "shop"\n\n'
        "    def run(self):\n"
        "        first = self.submit(double, 1).result\n"
        "        return self.submit(double, random.randint(1, 10**9)).result + first\n"
    )
    (project / "tests" / "test_dice.py").write_text(
        "import pytest\n"
        "from shop.dice import Dice\n\n\n"
        "def test_dice(workflow_env):\n"
        "    assert workflow_env.run(Dice).result > 2\n\n\n"
        "@pytest.mark.workflow_env(replay_check=False)\n"
        "def test_dice_on_purpose(workflow_env):\n"
        "    assert workflow_env.run(Dice).result > 2\n"
    )
    done = run(project, "pytest", "-q", "-p", "no:cacheprovider", "--strict-markers", "tests/", site=installed)
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"1 failed, {SHOP_TESTS + 1} passed" in done.stdout  # the marker is known (--strict-markers)
    assert "FAILED tests/test_dice.py::test_dice - " in done.stdout
    assert "the code does not replay the history of its own run" in done.stdout
    assert "why: activity 'activity-shop.dice.double-2'" in done.stdout
