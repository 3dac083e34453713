"""docs/dev-server.md's commands for the examples that keep data in S3 run as the page shows them.

The page's blocks need a running dev server, so tests/test_docs.py does not run them (they are not marked
runnable): this test runs the exports and bucket lines and the steps and jumbo fields lines of "Run the
examples on it", as the page writes them, in a fresh clone's shell pointed at the suite's dev server.
"""

from __future__ import annotations

import json
import subprocess

import boto3
import pytest
from botocore.exceptions import ClientError

from tests import console
from tests.test_docs import REPO, blocks_of

PAGE = REPO / "docs" / "dev-server.md"
S3_EXAMPLES = ("examples.steps.", "examples.jumbo_fields.")


def section_blocks(title: str) -> list[str]:
    """The sh blocks of the page's section *title*."""
    text = PAGE.read_text(encoding="utf-8").splitlines()
    start = text.index(f"## {title}") + 1
    end = next((i for i in range(start, len(text)) if text[i].startswith("## ")), len(text))
    return [b.text for b in blocks_of(PAGE) if start < b.line <= end and b.lang == "sh"]


@pytest.fixture
def demo_domain(moto_server) -> None:
    try:
        boto3.client("swf").register_domain(name="demo", workflowExecutionRetentionPeriodInDays="1")
    except ClientError as err:
        if err.response["Error"]["Code"] != "DomainAlreadyExistsFault":
            raise


def test_the_steps_and_jumbo_fields_examples_run_as_the_page_shows_them(moto_server, demo_domain, tmp_path):
    lines = [line for block in section_blocks("Run the examples on it") for line in block.splitlines()]
    setup = [line for line in lines if line.startswith("export ") or "create_bucket" in line]
    runs = [line for line in lines if any(name in line for name in S3_EXAMPLES)]
    assert setup and len(runs) == 2, lines
    script = "\n".join(setup + runs) + "\n"
    env = {**console.install(tmp_path), **moto_server.environ()}
    proc = subprocess.run(
        ["bash", "-e", "-u", "-o", "pipefail", "-c", script],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, f"{script}\nstderr:\n{proc.stderr[-2000:]}"
    # Each run prints its workflow and run ids, then its result (what workflow.start --local prints).
    steps, jumbo = (json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{"))
    assert steps == dict.fromkeys(("extract", "load", "transform.clean", "transform.enrich"), "played")
    assert jumbo == {"characters": 100_000, "sha256": "fbec0be7bc0323f7"}
