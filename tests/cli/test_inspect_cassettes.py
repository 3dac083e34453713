"""Exact output of the inspection commands, over SWF conversations recorded against the dev server.

Each test replays a vcrpy cassette (``tests/cli/cassettes/inspect/<name>.yaml``) and compares what the command
printed with what it printed when the cassette was recorded (``<name>.out``, and ``<name>.svg`` for the
timeline). ``SIMPLEFLOW_VCR_RECORD_MODE`` picks the mode:

- ``none`` (the default, and what ``script/test`` sets): replay only, offline; boto3 points at a dead
  endpoint, so a request the cassette does not hold fails instead of reaching anything.
- ``once``: record the cassettes that are missing (a dev server is started, an execution run on it by
  the SWF host), replay the others.
- ``all``: record every cassette again.

Requests match on method, path, SWF operation (``X-Amz-Target``: every SWF call is a ``POST /``) and
JSON body, never on host or port (the dev server's port is random). Start-time filters are left out of
the body match: ``--started-since`` turns into a date relative to now.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import boto3
import pytest
import vcr
from click.testing import CliRunner

from simpleflow.command import cli
from simpleflow.swf import client
from simpleflow.swf.standalone import run_standalone
from tests.fixtures.inspect_workflows import InspectWorkflow

CASSETTES = Path(__file__).resolve().parent / "cassettes" / "inspect"
DOMAIN = "simpleflow-cassettes"
WORKFLOW_ID = "inspect-cassette"
# Nothing listens there: a request no cassette answers fails at once, offline.
DEAD_ENDPOINT = "http://127.0.0.1:9"
RECORD_MODES = ("none", "once", "all")


def record_mode() -> str:
    mode = os.environ.get("SIMPLEFLOW_VCR_RECORD_MODE", "none")
    if mode not in RECORD_MODES:
        raise pytest.UsageError(f"SIMPLEFLOW_VCR_RECORD_MODE={mode!r}: use one of {', '.join(RECORD_MODES)}")
    return mode


def _json_body(request: vcr.request.Request) -> object:
    body = request.body or b"{}"
    data = json.loads(body.decode() if isinstance(body, bytes) else body)
    for key in ("startTimeFilter", "closeTimeFilter"):
        if key in data:
            data[key] = sorted(data[key])  # which bounds, not their dates
    return data


def _match_swf_body(r1: vcr.request.Request, r2: vcr.request.Request) -> None:
    assert _json_body(r1) == _json_body(r2)


def _match_swf_operation(r1: vcr.request.Request, r2: vcr.request.Request) -> None:
    assert r1.headers.get("X-Amz-Target") == r2.headers.get("X-Amz-Target")


def _vcr(mode: str) -> vcr.VCR:
    recorder = vcr.VCR(
        cassette_library_dir=str(CASSETTES),
        record_mode=mode,
        match_on=["method", "path", "swf_operation", "swf_body"],
        filter_headers=["authorization", "x-amz-date", "x-amz-security-token", "amz-sdk-invocation-id", "user-agent"],
        decode_compressed_response=True,
    )
    recorder.register_matcher("swf_operation", _match_swf_operation)
    recorder.register_matcher("swf_body", _match_swf_body)
    return recorder


@pytest.fixture(scope="module")
def recorded_execution(moto_server) -> None:
    """Only when recording: the execution the cassettes talk about, run on the dev server by standalone."""
    client.reset_clients()
    try:
        boto3.client("swf").register_domain(name=DOMAIN, workflowExecutionRetentionPeriodInDays="1")
    except boto3.client("swf").exceptions.DomainAlreadyExistsFault:
        return
    outcome = run_standalone(
        DOMAIN, InspectWorkflow, {"args": [4], "kwargs": {}}, workflow_id=WORKFLOW_ID, progress=None, timeout=60
    )
    assert outcome.status == "completed", outcome


class Conversation:
    """One cassette and the outputs recorded with it."""

    def __init__(self, name: str, recording: bool) -> None:
        self.name = name
        self.recording = recording

    def check(self, text: str, suffix: str = ".out") -> None:
        """Record ``text`` as the expected output, or assert it is the one recorded."""
        path = CASSETTES / f"{self.name}{suffix}"
        if self.recording:
            path.write_text(text)
            return
        expected = path.read_text()
        assert text == expected, f"output differs from {path.relative_to(CASSETTES.parent.parent)}"


@contextmanager
def _conversation(name: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator:
    cassette = CASSETTES / f"{name}.yaml"
    mode = record_mode()
    recording = mode == "all" or (mode == "once" and not cassette.exists())
    if recording:
        CASSETTES.mkdir(parents=True, exist_ok=True)
        cassette.unlink(missing_ok=True)
        request.getfixturevalue("recorded_execution")
    else:
        if not cassette.exists():
            pytest.fail(f"no cassette {cassette.name}: record it with SIMPLEFLOW_VCR_RECORD_MODE=once")
        monkeypatch.setenv("AWS_ENDPOINT_URL", DEAD_ENDPOINT)
        monkeypatch.delenv("AWS_ENDPOINT_URL_SWF", raising=False)
        for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            monkeypatch.setenv(key, "testing")
        monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        monkeypatch.setenv("SWF_CONNECTION_RETRIES", "1")
    client.reset_clients()
    try:
        with _vcr("once" if recording else "none").use_cassette(cassette.name):
            yield Conversation(name, recording)
    finally:
        client.reset_clients()


@pytest.fixture
def conversation(request, monkeypatch):
    """``with conversation(name) as c:`` replays (or records) the cassette ``name``."""
    yield lambda name: _conversation(name, request, monkeypatch)
    # A client made after the cassette closed, while the dead endpoint was still set, must not outlive the test.
    client.reset_clients()


def simpleflow(*args: str) -> str:
    """Run ``simpleflow ARGS``: its exit code, stdout and stderr as one text to compare."""
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return f"exit {result.exit_code}\n--- stdout\n{result.stdout}--- stderr\n{result.stderr}"


def test_workflow_list(conversation):
    with conversation("workflow_list") as c:
        c.check(simpleflow("--header", "workflow.list", DOMAIN, "--status", "closed"))


def test_workflow_filter(conversation):
    with conversation("workflow_filter") as c:
        c.check(
            simpleflow("--header", "--format", "csv", "workflow.filter", DOMAIN, "--status", "closed", "--tag", "cli")
        )


def test_workflow_info_of_the_latest_run(conversation):
    with conversation("workflow_info") as c:
        c.check(simpleflow("--header", "--format", "simple", "workflow.info", DOMAIN, WORKFLOW_ID))


def test_workflow_tasks(conversation):
    with conversation("workflow_tasks") as c:
        c.check(simpleflow("--header", "--format", "github", "workflow.tasks", DOMAIN, WORKFLOW_ID))


def test_workflow_profile_and_its_timeline(conversation, tmp_path):
    svg = tmp_path / "profile.svg"
    with conversation("workflow_profile") as c:
        c.check(simpleflow("--header", "workflow.profile", DOMAIN, WORKFLOW_ID, "--svg", str(svg)))
        c.check(svg.read_text(), suffix=".svg")


def test_workflow_history(conversation):
    with conversation("workflow_history") as c:
        c.check(simpleflow("workflow.history", DOMAIN, WORKFLOW_ID))


def test_task_info_of_a_failed_task(conversation):
    with conversation("task_info") as c:
        c.check(simpleflow("task.info", DOMAIN, WORKFLOW_ID, "activity-inspect.refuse-1"))


def test_task_info_of_an_unknown_task(conversation):
    with conversation("task_info_unknown") as c:
        c.check(simpleflow("task.info", DOMAIN, WORKFLOW_ID, "activity-nope"))


# The cassette tests above pin something: checked here, in replay mode only.


@pytest.fixture
def replaying():
    if record_mode() != "none":
        pytest.skip("checks the replay of recorded cassettes (SIMPLEFLOW_VCR_RECORD_MODE=none)")


def test_a_cassette_test_fails_when_the_output_changes(replaying, conversation, monkeypatch):
    from simpleflow.swf import stats

    task_rows = stats.task_rows

    def renamed_states(events, nb_tasks=None):
        headers, rows = task_rows(events, nb_tasks)
        return headers, [[row[0], row[1].replace("failed", "FAILED"), *row[2:]] for row in rows]

    monkeypatch.setattr(stats, "task_rows", renamed_states)
    with conversation("workflow_tasks") as c:
        with pytest.raises(AssertionError, match="output differs from cassettes/inspect/workflow_tasks.out"):
            c.check(simpleflow("--header", "--format", "github", "workflow.tasks", DOMAIN, WORKFLOW_ID))


def test_a_request_the_cassette_does_not_hold_fails(replaying, conversation):
    with conversation("workflow_tasks"):
        # botocore wraps vcrpy's CannotOverwriteExistingCassetteException, keeping its message: vcrpy 9's
        # (Python 3.11 and later), or the one before it (what Python 3.10 installs).
        out = simpleflow("workflow.tasks", DOMAIN, f"other-{uuid.uuid4().hex[:6]}")
    said = ("no recorded interaction matches it", "Can't overwrite existing cassette")
    assert out.startswith("exit 1\n") and any(words in out for words in said), out


def test_replay_needs_no_server(replaying, conversation):
    # The endpoint replays run against is dead: only the cassette answers.
    with conversation("workflow_tasks"):
        pass
    assert os.environ["AWS_ENDPOINT_URL"] == DEAD_ENDPOINT  # until the test ends
    try:
        with pytest.raises(Exception, match="Could not connect to the endpoint URL"):
            client.swf_client().describe_domain(name=DOMAIN)
    finally:
        client.reset_clients()  # the client pointed at the dead endpoint must not serve later tests
