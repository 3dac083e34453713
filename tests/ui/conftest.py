"""The web UI's tests: executions of every kind run once per module on the test server, the UI as a real
``simpleflow ui`` process, and headless Chromium (the OS's, driven by Playwright) looking at it.

Screenshots go to ``artifacts/ui/`` (git-ignored); a passing test's are removed unless
``SIMPLEFLOW_UI_KEEP_SCREENSHOTS=1``, a failing test's are kept.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.chromium import chromium
from tests.fixtures.ui_workflows import DECISION_LIST, TASK_LIST
from tests.swf_e2e_helpers import ROOT, Processes, simpleflow_here, start_workflow, wait_closed

ARTIFACTS = ROOT / "artifacts" / "ui"
WORKFLOWS = "tests.fixtures.ui_workflows"
DIAMOND = ROOT / "tests" / "fixtures" / "dag_specs" / "diamond.yaml"
# A secret only the UI process holds: no page may ever show it.
UI_SECRET = f"ui-secret-{uuid.uuid4().hex}"
SCRIPT_INPUT = "<script>alert(1)</script>"
BIG_INPUT = "x" * 40_000 + " END-OF-BIG-INPUT"


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@dataclass
class Runs:
    """The executions run for a module: (workflow id, run id) of each."""

    domain: str
    completed: tuple[str, str]
    failed: tuple[str, str]
    waiting: tuple[str, str]
    to_terminate: tuple[str, str]
    parent: tuple[str, str]
    dag: tuple[str, str]
    big: tuple[str, str]  # input and result over SWF's 32,768 characters: jumbo fields in S3
    processes: Processes
    extra: dict = field(default_factory=dict)


def _wait_open_and_decided(domain: str, workflow_id: str, run_id: str, processes: Processes) -> None:
    """Wait until the execution's first decision task is completed (it waits for its signal)."""
    from simpleflow.swf import client

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        events = client.get_history(domain, workflow_id, run_id)
        if any(e["eventType"] == "DecisionTaskCompleted" for e in events):
            return
        time.sleep(0.05)
    raise AssertionError(f"{workflow_id} never decided\n{processes.logs()}")


@pytest.fixture(scope="module")
def runs(moto_server, tmp_path_factory) -> Runs:
    """One execution of each kind on a domain of the module's own, all but the waiting ones closed."""
    import boto3

    domain = f"ui-{uuid.uuid4().hex[:8]}"
    boto3.client("swf").register_domain(name=domain, workflowExecutionRetentionPeriodInDays="1")
    bucket = f"ui-jumbo-{uuid.uuid4().hex[:8]}"
    boto3.client("s3").create_bucket(Bucket=bucket)
    with pytest.MonkeyPatch.context() as environ:  # every process started here (the UI too) reads S3
        environ.setenv("SIMPLEFLOW_JUMBO_FIELDS_BUCKET", bucket)
        environ.setenv("SIMPLEFLOW_JUMBO_FIELDS_CACHE_DIR", str(tmp_path_factory.mktemp("jumbo-cache")))
        yield from _run_all(domain, tmp_path_factory)


def _run_all(domain: str, tmp_path_factory):
    processes = Processes(tmp_path_factory.mktemp("ui-processes"))
    workflows = [f"{WORKFLOWS}.{name}" for name in ("GreetWorkflow", "FailingWorkflow", "ApprovalWorkflow")]
    workflows += [f"{WORKFLOWS}.ParentWorkflow", f"{WORKFLOWS}.ChildWorkflow", "simpleflow.dag.DagWorkflow"]
    processes.start("decider", "decider.start", "--domain", domain, "--task-list", DECISION_LIST, *workflows)
    processes.start("worker", "worker.start", "--domain", domain, "--task-list", TASK_LIST, WORKFLOWS)
    processes.start(
        "dag-worker", "worker.start", "--domain", domain, "--task-list", "dag-tests", "tests.fixtures.dag_activities"
    )
    try:
        completed = start_workflow(domain, f"{WORKFLOWS}.GreetWorkflow", DECISION_LIST, [SCRIPT_INPUT])
        failed = start_workflow(domain, f"{WORKFLOWS}.FailingWorkflow", DECISION_LIST, ["order-42"])
        waiting = start_workflow(domain, f"{WORKFLOWS}.ApprovalWorkflow", DECISION_LIST, ["release-7"])
        to_terminate = start_workflow(domain, f"{WORKFLOWS}.ApprovalWorkflow", DECISION_LIST, ["release-8"])
        parent = start_workflow(domain, f"{WORKFLOWS}.ParentWorkflow", DECISION_LIST, [["left", "right"]])
        done = simpleflow_here(
            "dag.start", "--domain", domain, "--task-list", DECISION_LIST, str(DIAMOND), "--input", '{"x": 3}'
        )
        assert done.returncode == 0, done.stderr
        dag_ids = tuple(done.stdout.split())
        big = start_workflow(domain, f"{WORKFLOWS}.GreetWorkflow", DECISION_LIST, [BIG_INPUT])
        for ids in (completed, failed, parent, dag_ids, big):
            wait_closed(domain, *ids, processes)
        for ids in (waiting, to_terminate):
            _wait_open_and_decided(domain, *ids, processes)
    except BaseException:
        processes.stop()
        raise
    yield Runs(domain, completed, failed, waiting, to_terminate, parent, dag_ids, big, processes)
    processes.stop()


class UIProcess:
    """``simpleflow ui`` as a child process; ``url`` is the URL it printed (with its token)."""

    def __init__(self, *args: str, log: Path, endpoint: str | None = None, environ: dict | None = None) -> None:
        env = dict(os.environ, **(environ or {}))
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
        env["AWS_SECRET_ACCESS_KEY"] = UI_SECRET
        if endpoint:
            env["AWS_ENDPOINT_URL_SWF"] = endpoint
        command = [sys.executable, "-m", "simpleflow.command", "ui", "--port", "0", *args]
        self.log = log
        with open(log, "w") as stderr:
            self.process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=stderr)
        line = self.process.stdout.readline().decode()
        match = re.search(r"(http://\S+)", line)
        if match is None:
            self.stop()
            raise AssertionError(f"simpleflow ui printed {line!r}; stderr: {log.read_text()}")
        self.url = match.group(1)
        self.base = self.url.split("?")[0].rstrip("/")
        self.token = self.url.split("token=")[1]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture(scope="module")
def ui(runs, tmp_path_factory) -> UIProcess:
    """The UI over the module's domain, allowed to replay the test workflows (the signals they wait for)."""
    log = tmp_path_factory.mktemp("ui") / "ui.log"
    process = UIProcess("--domain", runs.domain, "--package", "tests.fixtures", log=log)
    yield process
    process.stop()


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium, the OS's: missing, the tests fail (they never skip)."""
    with chromium() as launched:
        yield launched


@pytest.fixture
def shots(request):
    """``shots(page, name)`` saves a screenshot under artifacts/ui; removed after a pass unless asked to keep."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []

    def take(page, name: str, full_page: bool = True) -> Path:
        path = ARTIFACTS / f"{request.node.name}--{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        saved.append(path)
        return path

    yield take
    report = getattr(request.node, "report_call", None)
    if report is not None and report.passed and os.environ.get("SIMPLEFLOW_UI_KEEP_SCREENSHOTS") != "1":
        for path in saved:
            path.unlink(missing_ok=True)


def holder_page(browser, ui: UIProcess):
    """A page in a new browser context that holds *ui*'s token (it opened the printed URL); close its context."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(10_000)
    dialogs: list[str] = []
    page = context.new_page()
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.dialogs = dialogs
    page.goto(ui.url)
    return page


@pytest.fixture
def page(browser, ui, shots):
    """A page in a browser context that holds the token (it opened the printed URL)."""
    page = holder_page(browser, ui)
    yield page
    page.context.close()


@pytest.fixture
def own_ui(tmp_path):
    """``own_ui(domain, *args, **kwargs)``: a ``simpleflow ui`` of the test's own over *domain* (*args*, its
    options; *kwargs*, ``UIProcess``'s), stopped after the test."""
    started: list[UIProcess] = []

    def start(domain: str, *args: str, **kwargs) -> UIProcess:
        process = UIProcess("--domain", domain, *args, log=tmp_path / f"ui-{len(started)}.log", **kwargs)
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()


@pytest.fixture
def own_page(browser, own_ui):
    """``own_page(domain, *args)``: a UI of the test's own (``own_ui``) and a page holding its token, as
    ``(ui, page)``; the page's context is closed and the UI stopped after the test."""
    pages = []

    def open_page(domain: str, *args: str) -> tuple[UIProcess, object]:
        process = own_ui(domain, *args)
        pages.append(holder_page(browser, process))
        return process, pages[-1]

    yield open_page
    for opened in pages:
        opened.context.close()


@pytest.fixture
def stranger(browser, ui):
    """A page in a browser context that never saw the token."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def execution_url(ui: UIProcess, domain: str, ids: tuple[str, str]) -> str:
    from urllib.parse import urlencode

    return f"{ui.base}/execution?{urlencode({'domain': domain, 'workflow_id': ids[0], 'run_id': ids[1]})}"


def decoded_result(domain: str, ids: tuple[str, str]) -> object:
    from simpleflow.swf import client

    events = client.get_history(domain, *ids)
    attrs = events[-1].get("workflowExecutionCompletedEventAttributes") or {}
    return json.loads(attrs.get("result") or "null")
