"""No command imports a module because an execution names it (docs/security.md).

An execution's type name, its input's ``__extra.class`` and its activities' type names are written by
whoever starts executions or answers decision tasks. ``workflow.query`` and ``activity.rerun`` take the
class or the module from the operator instead: here a module named by a crafted execution lies in the
operator's current directory and would write a file if it were imported.
"""

from __future__ import annotations

import json
import os
import uuid

import boto3
import pytest

from tests import console

EVIL = "from pathlib import Path\nPath('imported').write_text(__name__)\n"


@pytest.fixture(scope="module")
def crafted(moto_server):
    """(domain, workflow id) of an execution of type ``evil.Flow`` (its input naming ``this.Flow``) that
    scheduled one activity of type ``evil.add``, as anyone with SWF access can write them."""
    swf = boto3.client("swf")
    domain = f"test-{uuid.uuid4().hex[:8]}"
    swf.register_domain(name=domain, workflowExecutionRetentionPeriodInDays="1")
    swf.register_workflow_type(
        domain=domain,
        name="evil.Flow",
        version="1",
        defaultTaskList={"name": "evil"},
        defaultExecutionStartToCloseTimeout="300",
        defaultTaskStartToCloseTimeout="30",
        defaultChildPolicy="TERMINATE",
    )
    swf.register_activity_type(domain=domain, name="evil.add", version="1")
    workflow_id = f"crafted-{uuid.uuid4().hex[:6]}"
    swf.start_workflow_execution(
        domain=domain,
        workflowId=workflow_id,
        workflowType={"name": "evil.Flow", "version": "1"},
        input=json.dumps({"args": [], "kwargs": {}, "__extra": {"class": "this.Flow"}}),
    )
    task = swf.poll_for_decision_task(domain=domain, taskList={"name": "evil"})
    swf.respond_decision_task_completed(
        taskToken=task["taskToken"],
        decisions=[
            {
                "decisionType": "ScheduleActivityTask",
                "scheduleActivityTaskDecisionAttributes": {
                    "activityType": {"name": "evil.add", "version": "1"},
                    "activityId": "activity-evil.add-1",
                    "input": json.dumps({"args": [1], "kwargs": {}}),
                    "taskList": {"name": "evil"},
                    "scheduleToCloseTimeout": "300",
                    "scheduleToStartTimeout": "300",
                    "startToCloseTimeout": "300",
                    "heartbeatTimeout": "300",
                },
            }
        ],
    )
    return domain, workflow_id


@pytest.fixture
def operator_directory(tmp_path, crafted):
    """The directory the operator runs commands from, holding ``evil.py`` and ``this.py``; the shell."""
    here = tmp_path / "here"
    here.mkdir()
    (here / "evil.py").write_text(EVIL)
    (here / "this.py").write_text(EVIL)
    env = console.install(tmp_path / "installed")
    env.update({k: v for k, v in os.environ.items() if k.startswith("AWS_")})
    return here, env


def test_workflow_query_imports_no_class_the_execution_names(crafted, operator_directory):
    domain, workflow_id = crafted
    here, env = operator_directory
    done = console.run(env, "workflow.query", domain, workflow_id, "status", cwd=here)
    assert not (here / "imported").exists()
    assert "Zen of Python" not in done.stdout  # the standard library's ``this`` is not imported either
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "simpleflow: error: name the workflow class with --workflow package.module.Class (its input names "
        "'this.Flow', its type 'evil.Flow'; a class an execution names is not imported on its word)\n"
    )


def test_activity_rerun_without_module_imports_nothing_the_history_names(crafted, operator_directory):
    domain, workflow_id = crafted
    here, env = operator_directory
    for form in (
        [domain, workflow_id, "--activity-id", "activity-evil.add-1"],
        ["--domain", domain, "--workflow-id", workflow_id, "--activity-id", "activity-evil.add-1"],  # 0.36.0's
    ):
        done = console.run(env, "activity.rerun", *form, cwd=here)
        assert not (here / "imported").exists()
        assert (done.returncode, done.stdout) == (2, "")
        assert done.stderr == (
            "simpleflow: error: activity 'evil.add': name the module that declares it with --module "
            "(--module evil, if you trust it): a module a history names is not imported on its word\n"
        )


@pytest.mark.parametrize("command", ["workflow.query", "activity.rerun"])
def test_the_help_says_where_the_class_or_module_comes_from(command, tmp_path):
    env = console.install(tmp_path)
    done = console.run(env, command, "--help", cwd=console.REPO)
    assert done.returncode == 0
    assert "never imported" in " ".join(done.stdout.split())
