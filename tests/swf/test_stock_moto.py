"""``standalone`` on a stock moto server, as docs/swf.md's "On a local SWF endpoint" runs it: the examples
the page says run, run; one it says cannot, fails its task in one line saying why; no connection pool
warnings. Run as a user runs it: the console script from the repository root."""

from __future__ import annotations

import re
import uuid

import boto3
import pytest

from tests import console
from tests.moto_server import MotoServer

SWF_PAGE = console.REPO / "docs" / "swf.md"


@pytest.fixture(scope="module")
def stock(tmp_path_factory):
    """(shell environment, domain) on a moto server as released."""
    server = MotoServer(stock=True)
    server.start()
    try:
        env = {**console.install(tmp_path_factory.mktemp("installed")), **server.environ()}
        domain = f"demo-{uuid.uuid4().hex[:6]}"
        swf = boto3.client(
            "swf",
            endpoint_url=server.url,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        swf.register_domain(name=domain, workflowExecutionRetentionPeriodInDays="1")
        yield env, domain
    finally:
        server.stop()


def documented_on_stock_moto() -> tuple[list[str], list[str]]:
    """The example classes docs/swf.md says a stock moto server runs, and those it says it does not."""
    text = SWF_PAGE.read_text(encoding="utf-8")
    runs = re.search(r"^A stock moto server runs (.*?)\.$", text, re.M | re.S)
    fails = re.search(r"^It does not run (.*?)\.$", text, re.M | re.S)
    assert runs and fails, "docs/swf.md says which examples a stock moto server runs"
    return re.findall(r"`(examples\.[\w.]+)`", runs.group(1)), re.findall(r"`(examples\.[\w.]+)`", fails.group(1))


def test_the_page_lists_the_examples_a_stock_server_runs_and_those_it_does_not():
    runs, fails = documented_on_stock_moto()
    assert "examples.basic.BasicWorkflow" in runs and "examples.canvas.CanvasWorkflow" in runs
    assert "examples.retry_policy.RetryPolicyWorkflow" in fails and "examples.child_workflow" in " ".join(fails)


def test_an_example_the_page_says_runs_runs(stock):
    env, domain = stock
    assert "examples.canvas.CanvasWorkflow" in documented_on_stock_moto()[0]
    done = console.run(
        env, "standalone", "--domain", domain, "examples.canvas.CanvasWorkflow", "--input", "[3]", cwd=console.REPO
    )
    assert done.returncode == 0, done.stderr
    assert '"squares": [1, 4, 9]' in done.stdout.splitlines()[-1]


def test_a_retried_task_fails_in_one_line_saying_why_and_no_pool_warning_is_logged(stock):
    env, domain = stock
    assert "examples.heartbeat_progress.ImportWorkflow" in documented_on_stock_moto()[1]
    args = ["standalone", "--domain", domain, "examples.heartbeat_progress.ImportWorkflow", "--input", "[20, 12]"]
    done = console.run(env, *args, cwd=console.REPO)
    assert done.returncode == 0, done.stderr
    lines = [line.partition("] ")[2] for line in done.stderr.splitlines()]
    assert (
        "task activity-examples.heartbeat_progress.import_rows-1 not scheduled (attempt 2): the endpoint refused to "
        "schedule it again under its id (ACTIVITY_ID_ALREADY_IN_USE): SWF reuses the id of a closed task, a stock "
        "moto server does not (docs/swf.md)"
    ) in lines
    # 16 polls in flight per process (standalone.POLLERS) on an endpoint that holds each one a second:
    # botocore's default pool of 10 warned "Connection pool is full, discarding connection" for each one over.
    assert "Connection pool is full" not in done.stderr
