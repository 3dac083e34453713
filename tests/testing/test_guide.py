"""The testing guide (docs/testing-workflows.md) shows what runs: its Python excerpts are the example
project's files, its report of a swapped activity is the one workflow.replay prints, and simpleflow 0.36's
examples/failing.py completes locally in about its activity's timeout, as it says."""

from __future__ import annotations

import json
import re
import time

import pytest

from tests.test_docs import blocks_of
from tests.testing.project import REPO, copy_example, run

GUIDE = REPO / "docs" / "testing-workflows.md"
FROM = re.compile(r"^<!-- from: (\S+) -->$")


def _excerpts() -> list[tuple[str, str]]:
    lines = GUIDE.read_text().splitlines()
    found = []
    for block in blocks_of(GUIDE):
        marker = FROM.match(lines[block.line - 2]) if block.line >= 2 else None
        if block.lang == "python":
            assert marker, f"{block.where}: a Python block says which file it is from (<!-- from: PATH -->)"
            found.append((marker.group(1), block.text))
    return found


@pytest.mark.parametrize(("path", "text"), _excerpts())
def test_each_python_excerpt_is_the_example_projects_code(path, text):
    assert text in (REPO / path).read_text(), f"the guide's excerpt of {path} is not in {path}"


def test_the_guide_shows_the_report_workflow_replay_prints_for_a_swapped_activity(tmp_path):
    [shown] = [b.text for b in blocks_of(GUIDE) if b.text.startswith("histories/shipped.json: differs")]
    project = copy_example(tmp_path / "shop")
    source = project / "shop" / "workflows.py"
    code = source.read_text()
    code = code.replace("self.submit(charge_card, order_id", "self.submit(charge_card_v2, order_id")
    code += (
        '\n\n@activity.with_attributes(task_list="shop", version="1")\n'
        "def charge_card_v2(order_id, amount):\n"
        '    return {"payment": f"pay2-{order_id}", "amount": amount}\n'
    )
    source.write_text(code)
    done = run(project, "simpleflow.command", "workflow.replay", "shop.workflows.OrderWorkflow", "histories/")
    assert done.returncode == 1, done.stderr
    report = done.stdout.split("histories/shipped.json: ")[1]
    assert "histories/shipped.json: " + report == shown


def test_simpleflow_036s_failing_example_completes_locally_once_its_activity_times_out(tmp_path):
    record = tmp_path / "failing.json"
    began = time.monotonic()
    done = run(
        REPO, "simpleflow.command", "workflow.start", "--local", "examples.failing.NotFailingWorkflow",
        "--record", str(record),
    )  # fmt: skip
    took = time.monotonic() - began
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "null"
    assert 10 <= took < 20  # its activity's 10 s start-to-close timeout, not its 120 s of sleep
    events = json.loads(record.read_text())["events"]
    timed_out = [e["activityTaskTimedOutEventAttributes"] for e in events if e["eventType"] == "ActivityTaskTimedOut"]
    assert [t["timeoutType"] for t in timed_out] == ["START_TO_CLOSE"]
    assert events[-1]["eventType"] == "WorkflowExecutionCompleted"


def test_the_guide_and_the_readme_say_to_install_pytest_before_running_the_example_project():
    """simpleflow does not install pytest: `pip install -e .` then `python -m pytest` fails without it."""
    blocks = blocks_of(GUIDE)
    first_run = next(i for i, b in enumerate(blocks) if b.runnable and "python -m pytest" in b.text)
    assert any(b.text.startswith("pip install pytest") for b in blocks[:first_run])
    readme = (REPO / "README.md").read_text()
    said = readme.index("`pip install pytest`")
    assert said < readme.index("`cd examples/testing && python -m pytest`") < said + 200
