"""Recorded histories as regression tests, as a project uses them: an execution recorded on the SWF test
server with ``standalone --record`` (and one locally with ``workflow.start --local --record``), replayed by
``workflow.replay`` and by the pytest helpers against today's code and against changed code."""

from __future__ import annotations

import json
import textwrap

import pytest

from tests.testing.project import run, site_with_entry_points

ORDERS = """\
from simpleflow import Workflow, activity


@activity.with_attributes(task_list="orders", version="1")
def charge(amount):
    return {"charged": amount}


@activity.with_attributes(task_list="orders", version="1")
def charge_twice(amount):
    return {"charged": 2 * amount}


@activity.with_attributes(task_list="orders", version="1")
def check_fraud(amount):
    return amount < 1000


@activity.with_attributes(task_list="orders", version="1")
def ship(order):
    return dict(order, shipped=True)


class Order(Workflow):
    name = "orders.order"
    version = "1"
    task_list = "orders"

    def run(self, amount):
        order = self.submit(charge, amount).result
        return self.submit(ship, order).result


class OrderSwapped(Order):
    def run(self, amount):
        order = self.submit(charge_twice, amount).result  # SWAPPED
        return self.submit(ship, order).result


class OrderPatched(Order):
    def run(self, amount):
        order = self.submit(charge, amount).result
        if self.patched("fraud-check"):
            order = dict(order, checked=self.submit(check_fraud, amount).result)
        return self.submit(ship, order).result


class OrderPatchDeprecated(Order):
    def run(self, amount):
        order = self.submit(charge, amount).result
        self.deprecate_patch("fraud-check")
        order = dict(order, checked=self.submit(check_fraud, amount).result)
        return self.submit(ship, order).result


class OrderReturnsMore(Order):
    def run(self, amount):
        order = self.submit(charge, amount).result
        return dict(self.submit(ship, order).result, more=True)  # RETURNS MORE


class Refund(Workflow):
    name = "orders.refund"
    version = "1"
    task_list = "orders"

    def run(self, amount):
        return self.submit(charge, -amount).result


class RefundMoved(Refund):  # the same workflow, under the type name a move to another module gives it
    name = "billing.refunds.Refund"


class Invoice(Workflow):
    name = "orders.invoice"
    version = "1"
    task_list = "orders"

    def run(self, order):
        return self.submit(ship, order).result


class Invoiced(Order):
    def run(self, amount):
        return self.submit(Invoice, self.submit(charge, amount).result).result
"""


def _line_of(source: str, marker: str) -> int:
    return next(n for n, line in enumerate(source.splitlines(), 1) if marker in line)


@pytest.fixture(scope="module")
def project(tmp_path_factory, moto_server):
    """A project with its own ``orders`` package and ``histories/``: one execution of ``Order`` recorded on
    the SWF test server, one of ``OrderPatched`` recorded locally."""
    import boto3

    root = tmp_path_factory.mktemp("orders-project")
    (root / "orders").mkdir()
    (root / "orders" / "__init__.py").write_text(ORDERS)
    (root / "histories").mkdir()
    domain = "replay-kit"
    boto3.client("swf").register_domain(name=domain, workflowExecutionRetentionPeriodInDays="1")
    swf = run(
        root, "simpleflow.command", "standalone", "--domain", domain, "orders.Order", "--input", "[120]",
        "--record", "histories/on-swf.json",
    )  # fmt: skip
    assert swf.returncode == 0, swf.stderr
    local = run(
        root, "simpleflow.command", "workflow.start", "--local", "orders.OrderPatched", "--input", "[80]",
        "--record", "histories/patched.json",
    )  # fmt: skip
    assert local.returncode == 0, local.stderr
    return root


def replay(project, workflow, *paths):
    return run(project, "simpleflow.command", "workflow.replay", f"orders.{workflow}", *paths)


@pytest.fixture(scope="module")
def others(project):
    """``other/``: a local history of ``Refund`` (another workflow type than ``Order``'s), one of ``Invoiced``
    (a child workflow) and the same as a plain list of events, which names no execution."""
    (project / "other").mkdir()
    for workflow, amount, path in (("Refund", 5, "other/refund.json"), ("Invoiced", 7, "other/invoiced.json")):
        done = run(
            project, "simpleflow.command", "workflow.start", "--local", f"orders.{workflow}", "--input", f"[{amount}]",
            "--record", path,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
    document = json.loads((project / "other" / "invoiced.json").read_text())
    (project / "other" / "invoiced-bare.json").write_text(json.dumps(document["events"]))
    return document


def test_a_history_recorded_on_swf_names_its_execution_and_replays_ok(project):
    document = json.loads((project / "histories" / "on-swf.json").read_text())
    assert document["events"][-1]["eventType"] == "WorkflowExecutionCompleted"
    assert document["workflowId"] and document["runId"]
    assert document["domain"] == "replay-kit"  # as workflow.history writes it (was: left out)
    assert "domain" not in json.loads((project / "histories" / "patched.json").read_text())  # a local run: none
    done = replay(project, "Order", "histories/on-swf.json")
    assert done.returncode == 0, done.stderr
    assert [d["decisionType"] for d in json.loads(done.stdout)] == ["CompleteWorkflowExecution"]


def test_the_same_history_against_a_swapped_activity_names_the_decision_and_the_line(project):
    done = replay(project, "OrderSwapped", "histories/on-swf.json", "histories")
    assert done.returncode == 1
    line = _line_of(ORDERS, "# SWAPPED")
    assert done.stdout.splitlines()[:4] == [
        "histories/on-swf.json: differs at decision task 1 (event 5)",
        "    history:  ScheduleActivityTask activity-orders.charge-1 (orders.charge)",
        "    code now: ScheduleActivityTask activity-orders.charge_twice-1 (orders.charge_twice), "
        f"at orders/__init__.py:{line}",
        "    why: activity 'activity-orders.charge-1' (orders.charge) is in the history but the code never submits it",
    ]  # fmt: skip
    assert "histories/patched.json: differs" in done.stdout  # each file once, though named twice


def test_one_history_file_keeps_its_form_decisions_on_stdout_the_difference_on_stderr(project):
    done = replay(project, "OrderSwapped", "histories/on-swf.json")
    assert done.returncode == 1
    assert json.loads(done.stdout)[0]["scheduleActivityTaskDecisionAttributes"]["activityId"] == (
        "activity-orders.charge_twice-1"
    )
    assert done.stderr.splitlines()[0] == (
        "simpleflow: history does not fit the code: activity 'activity-orders.charge-1' (orders.charge) "
        "is in the history but the code never submits it"
    )
    assert f"at orders/__init__.py:{_line_of(ORDERS, '# SWAPPED')}" in done.stderr


def test_a_run_that_now_closes_otherwise_differs_at_its_last_decision(project):
    done = replay(project, "OrderReturnsMore", "histories")
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[0].startswith("histories/on-swf.json: differs at decision task 3")
    assert lines[1] == "    history:  CompleteWorkflowExecution"
    assert (
        lines[2]
        == f"    code now: CompleteWorkflowExecution, at orders/__init__.py:{_line_of(ORDERS, '# RETURNS MORE')}"
    )
    assert lines[3].startswith("    why: the history closed the run with CompleteWorkflowExecution (result ")


def test_a_patched_workflow_replays_histories_from_before_and_after_its_change(project):
    done = replay(project, "OrderPatched", "histories")
    assert (done.returncode, done.stdout) == (0, "histories/on-swf.json: ok\nhistories/patched.json: ok\n")
    # The patched history holds the new path: the code before the change does not fit it.
    assert replay(project, "Order", "histories/patched.json").returncode == 1


def test_once_the_patch_is_deprecated_only_the_history_holding_its_marker_replays(project):
    done = replay(project, "OrderPatchDeprecated", "histories")
    assert done.returncode == 1
    assert "histories/patched.json: ok" in done.stdout.splitlines()
    assert "histories/on-swf.json: differs" in done.stdout


def test_replay_tests_gives_one_pytest_item_per_history_file(project, tmp_path):
    tests = project / "tests"
    tests.mkdir(exist_ok=True)
    (tests / "test_histories.py").write_text(
        textwrap.dedent(
            """\
            from orders import OrderPatched, OrderSwapped
            from simpleflow.testing import assert_replays, replay_tests

            test_patched = replay_tests(OrderPatched, "histories")
            test_swapped = replay_tests(OrderSwapped, "histories")


            def test_assert_replays_takes_a_folder():
                assert_replays(OrderPatched, "histories/")
            """
        )
    )
    done = run(project, "pytest", "-v", "-p", "no:cacheprovider", "tests", site=site_with_entry_points(tmp_path))
    assert done.returncode == 1, done.stdout + done.stderr
    outcomes = [
        line.split(" ")[:2] for line in done.stdout.splitlines() if line.startswith("tests/") and ".json] " in line
    ]
    assert sorted(outcomes) == sorted(
        [
            ["tests/test_histories.py::test_patched[on-swf.json]", "PASSED"],
            ["tests/test_histories.py::test_patched[patched.json]", "PASSED"],
            ["tests/test_histories.py::test_swapped[on-swf.json]", "FAILED"],
            ["tests/test_histories.py::test_swapped[patched.json]", "FAILED"],
        ]
    )
    assert f"at orders/__init__.py:{_line_of(ORDERS, '# SWAPPED')}" in done.stdout
    assert "test_assert_replays_takes_a_folder PASSED" in done.stdout


def test_a_history_of_another_workflow_type_that_differs_says_whose_history_it_is(project, others):
    done = replay(project, "Order", "histories/on-swf.json", "other/refund.json")
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[0] == "histories/on-swf.json: ok"
    assert lines[1].startswith("other/refund.json: differs at decision task 1")
    assert lines[-1] == (
        "    note: the history is of workflow type 'orders.refund', this code's type is 'orders.order': a history "
        "of another workflow, or of this one before it was renamed or moved"
    )
    one = replay(project, "Order", "other/refund.json")  # the one-file form says it on stderr
    assert one.returncode == 1 and one.stderr.splitlines()[-1] == lines[-1]


def test_a_workflow_moved_to_another_type_name_still_replays_its_old_histories(project, others):
    done = replay(project, "RefundMoved", "other/refund.json", "histories/patched.json")
    assert done.stdout.splitlines()[0] == "other/refund.json: ok"
    assert "histories/patched.json: differs" in done.stdout  # another workflow's history, which differs:
    assert "note: the history is of workflow type 'orders.order', this code's type is 'billing.refunds.Refund'" in (
        done.stdout
    )


def test_a_history_without_its_ids_that_differs_at_a_child_says_how_to_give_them(project, others):
    done = replay(project, "Invoiced", "other/invoiced-bare.json", "other/invoiced.json")
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[0].startswith("other/invoiced-bare.json: differs at decision task 2")
    assert lines[1].startswith("    history:  StartChildWorkflowExecution workflow-orders.invoice-")
    assert lines[4] == (
        "    note: the history names no execution (no workflow id nor run id given), and child workflow ids embed "
        'the parent\'s workflow and run ids: --workflow-id and --run-id give them, or the file ("workflowId", '
        '"runId", as --record and workflow.history write it)'
    )
    assert lines[5:] == ["other/invoiced.json: ok"]
    ids = ["--workflow-id", others["workflowId"], "--run-id", others["runId"]]
    assert replay(project, "Invoiced", "other/invoiced-bare.json", *ids).returncode == 0
