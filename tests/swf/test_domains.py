"""Domains as the commands meet them on the dev server: a deprecated one starts nothing and says so."""

from __future__ import annotations

import os
import uuid

import boto3
import pytest

from tests import console


@pytest.fixture
def shell(tmp_path, moto_server):
    env = console.install(tmp_path / "installed")
    env.update({k: v for k, v in os.environ.items() if k.startswith("AWS_")})
    return env


@pytest.fixture
def deprecated(swf_domain) -> str:
    boto3.client("swf").deprecate_domain(name=swf_domain)
    return swf_domain


def _open_count(domain: str) -> int:
    swf = boto3.client("swf")
    return swf.count_open_workflow_executions(domain=domain, startTimeFilter={"oldestDate": 0})["count"]


def test_registering_a_deprecated_domain_says_it_is_deprecated_and_exit_2(shell, deprecated):
    done = console.run(shell, "domain.register", deprecated, cwd=console.REPO)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        f"simpleflow: error: domain '{deprecated}' exists but is DEPRECATED (SWF starts no execution in it): "
        "register another name\n"
    )


def test_registering_a_live_domain_again_says_it_exists(shell, swf_domain):
    done = console.run(shell, "domain.register", swf_domain, cwd=console.REPO)
    assert (done.returncode, done.stdout) == (0, f"domain {swf_domain} already exists\n")


@pytest.mark.parametrize("command", ["workflow.start", "standalone"])
def test_starting_in_a_deprecated_domain_is_one_line_and_exit_2(shell, deprecated, command):
    done = console.run(
        shell, command, "--domain", deprecated, "examples.basic.BasicWorkflow", "--input", "[1]", cwd=console.REPO
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        f"simpleflow: error: domain '{deprecated}' is DEPRECATED: SWF starts no new execution in it; "
        "use another domain (simpleflow domain.register NAME)\n"
    )
    assert _open_count(deprecated) == 0


def test_restarting_in_a_deprecated_domain_leaves_the_open_run_alone(shell, swf_domain):
    swf = boto3.client("swf")
    swf.register_workflow_type(
        domain=swf_domain,
        name="w",
        version="1",
        defaultTaskList={"name": "w"},
        defaultExecutionStartToCloseTimeout="300",
        defaultTaskStartToCloseTimeout="30",
        defaultChildPolicy="TERMINATE",
    )
    workflow_id = f"open-{uuid.uuid4().hex[:6]}"
    swf.start_workflow_execution(domain=swf_domain, workflowId=workflow_id, workflowType={"name": "w", "version": "1"})
    swf.deprecate_domain(name=swf_domain)
    done = console.run(shell, "workflow.restart", swf_domain, workflow_id, cwd=console.REPO)
    assert done.returncode == 2 and "is DEPRECATED" in done.stderr, done.stderr
    assert _open_count(swf_domain) == 1  # not terminated for a start that could not happen


def test_swf_refusing_a_type_in_a_deprecated_domain_is_a_usage_error(deprecated):
    from botocore.exceptions import ClientError

    from simpleflow.cli.failures import EXIT_USAGE, explain
    from simpleflow.swf import client

    with pytest.raises(ClientError) as caught:  # what a decider meets, or a start racing a DeprecateDomain
        client.ensure_workflow_type(deprecated, "w", "1")
    assert explain(caught.value) == (
        f"RegisterWorkflowType failed: DomainDeprecatedFault: {deprecated}",
        EXIT_USAGE,
    )


@pytest.mark.parametrize(
    "args, message",
    [
        (["--retention-days", "-1"], "--retention-days: -1 is not in the range 0<=x<=90"),
        (["--retention-days", "99999"], "--retention-days: 99999 is not in the range 0<=x<=90"),
        (["--name-here", ""], "NAME: domain name '' must have 1 to 256 characters, not 0"),
        (
            ["--name-here", "a:b"],
            "NAME: domain name 'a:b' must not contain ':', '/', '|' or a control character, nor be 'arn'",
        ),
        (["--name-here", "x "], "NAME: domain name 'x ' must not start or end with whitespace"),
    ],
)
def test_a_domain_swf_would_refuse_is_one_line_naming_the_option_and_exit_2(shell, args, message):
    name = f"refused-{uuid.uuid4().hex[:6]}"
    if args[0] == "--name-here":
        name, args = args[1], []
    done = console.run(shell, "domain.register", name, *args, cwd=console.REPO)
    assert (done.returncode, done.stdout, done.stderr) == (2, "", f"simpleflow: error: {message}\n")
    assert name not in _domains()


@pytest.mark.parametrize("days", ["0", "90"])
def test_a_retention_from_0_to_90_days_is_registered(shell, days):
    name = f"kept-{days}-{uuid.uuid4().hex[:6]}"
    done = console.run(shell, "domain.register", name, "--retention-days", days, cwd=console.REPO)
    assert (done.returncode, done.stdout) == (0, f"domain {name} registered\n"), done.stderr
    retention = boto3.client("swf").describe_domain(name=name)["configuration"]
    assert retention["workflowExecutionRetentionPeriodInDays"] == days


def _domains() -> list[str]:
    return [d["name"] for d in boto3.client("swf").list_domains(registrationStatus="REGISTERED")["domainInfos"]]
