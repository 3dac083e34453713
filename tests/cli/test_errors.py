"""Every failure of a command is one line on stderr with its exit code; a traceback only with DEBUG."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

ROOT = Path(__file__).resolve().parents[2]
NOWHERE = "http://127.0.0.1:1"  # nothing listens on port 1: connections are refused at once

RAISING = "from simpleflow import Workflow, activity\n\nraise RuntimeError('boom at import')\n"
SYNTAX_ERROR = "from simpleflow import Workflow\n\nclass W(Workflow):\n    def run(self:\n        pass\n"
NON_JSON_RESULT = (
    "from simpleflow import Workflow\n\n"
    "class W(Workflow):\n"
    "    name = 'nonjson'\n"
    "    version = '1'\n"
    "    task_list = 'nonjson'\n\n"
    "    def run(self):\n"
    "        return object()\n"
)
OVERSIZE_RESULT = (
    "from simpleflow import Workflow, activity\n\n"
    "@activity.with_attributes(task_list='oversize', version='1', raises_on_failure=False, retry=0)\n"
    "def huge():\n"
    "    return 'x' * 40000\n\n"
    "class W(Workflow):\n"
    "    name = 'oversize'\n"
    "    version = '1'\n"
    "    task_list = 'oversize'\n\n"
    "    def run(self):\n"
    "        return self.submit(huge).exception is not None\n"
)


@pytest.fixture
def user_code(tmp_path):
    """A folder of user modules: ``raising``, ``syntaxbad``, ``nonjson``, ``oversize``."""
    for name, text in [
        ("raising", RAISING),
        ("syntaxbad", SYNTAX_ERROR),
        ("nonjson", NON_JSON_RESULT),
        ("oversize", OVERSIZE_RESULT),
    ]:
        (tmp_path / f"{name}.py").write_text(text)
    return tmp_path


def simpleflow(*args: str, cwd: Path, env: dict[str, str | None] | None = None, timeout: float = 60):
    environ = dict(os.environ)
    environ["AWS_ENDPOINT_URL"] = NOWHERE  # a command that should not need SWF fails loudly if it asks
    environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    environ["SWF_CONNECTION_RETRIES"] = "1"
    environ["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(cwd)])
    environ.pop("LOG_LEVEL", None)
    for key, value in (env or {}).items():
        if value is None:
            environ.pop(key, None)
        else:
            environ[key] = value
    return subprocess.run(
        [sys.executable, "-m", "simpleflow.command", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=environ,
        timeout=timeout,
    )


def one_line(done: subprocess.CompletedProcess, code: int = 2) -> str:
    """The single stderr line of a command that failed with *code*."""
    lines = done.stderr.strip().splitlines()
    assert done.returncode == code and len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    return lines[0]


LOADERS = [
    ("workflow.start", "--local", "{module}.W"),
    ("decider.start", "--domain", "d", "--task-list", "t", "{module}.W"),
    ("worker.start", "--domain", "d", "--task-list", "t", "{module}"),
]


@pytest.mark.parametrize("command", LOADERS, ids=lambda c: c[0])
def test_module_raising_on_import_is_one_line_naming_its_file_and_line(user_code, command):
    line = one_line(simpleflow(*(a.format(module="raising") for a in command), cwd=user_code))
    assert "cannot import 'raising': RuntimeError: boom at import" in line
    assert f"({user_code / 'raising.py'}, line 3)" in line


@pytest.mark.parametrize("command", LOADERS, ids=lambda c: c[0])
def test_module_with_a_syntax_error_is_one_line_naming_its_file_and_line(user_code, command):
    line = one_line(simpleflow(*(a.format(module="syntaxbad") for a in command), cwd=user_code))
    assert f"SyntaxError in {user_code / 'syntaxbad.py'}, line 4" in line


def test_unknown_module_given_to_the_worker_is_one_line(user_code):
    done = simpleflow("worker.start", "--domain", "d", "--task-list", "t", "no_such_activities", cwd=user_code)
    assert one_line(done) == (
        f"simpleflow: error: unknown module 'no_such_activities': it is not importable from the current directory "
        f"({user_code}) nor from sys.path; run the command from the folder that holds it"
    )


def test_import_error_shows_its_traceback_with_debug_logging(user_code):
    done = simpleflow("workflow.start", "--local", "raising.W", cwd=user_code, env={"LOG_LEVEL": "DEBUG"})
    assert done.returncode == 2
    assert "Traceback" in done.stderr and "raise RuntimeError('boom at import')" in done.stderr


@pytest.mark.parametrize(
    "command",
    [
        ("workflow.list", "d"),
        ("decider.start", "--domain", "d", "--task-list", "t", "nonjson.W"),
        ("worker.start", "--domain", "d", "--task-list", "t", "nonjson"),
        ("workflow.start", "--domain", "d", "nonjson.W"),
    ],
    ids=lambda c: c[0],
)
def test_unreachable_endpoint_is_one_line_naming_it(user_code, command):
    line = one_line(simpleflow(*command, cwd=user_code, env={"AWS_ENDPOINT_URL": NOWHERE}))
    assert line.startswith(f"simpleflow: error: cannot reach {NOWHERE}/: check AWS_ENDPOINT_URL"), line


def test_a_value_swfs_api_refuses_before_sending_is_one_line_with_its_reason(user_code):
    done = simpleflow("workflow.cancel", "d", "", cwd=user_code, env={"AWS_ENDPOINT_URL": NOWHERE})
    assert done.returncode == 2
    assert one_line(done) == (
        "simpleflow: error: Parameter validation failed: Invalid length for parameter workflowId, value: 0, "
        "valid min length: 1"
    )


def test_a_signal_name_swf_refuses_is_refused_naming_the_argument(user_code):
    done = simpleflow("workflow.signal", "d", "wid", "", cwd=user_code, env={"AWS_ENDPOINT_URL": NOWHERE})
    assert one_line(done) == "simpleflow: error: NAME: signal name '' must have 1 to 256 characters, not 0"


def test_missing_credentials_is_one_line_saying_where_they_come_from(user_code, tmp_path):
    done = simpleflow(
        "workflow.list",
        "d",
        cwd=user_code,
        env={
            "AWS_ACCESS_KEY_ID": None,
            "AWS_SECRET_ACCESS_KEY": None,
            "AWS_SESSION_TOKEN": None,
            "AWS_SECURITY_TOKEN": None,
            "AWS_PROFILE": None,
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
            "AWS_CONFIG_FILE": str(tmp_path / "none"),
            "AWS_EC2_METADATA_DISABLED": "true",
        },
    )
    line = one_line(done)
    assert "Unable to locate credentials" in line and "AWS_ACCESS_KEY_ID" in line


def test_unknown_aws_profile_is_one_line_and_a_usage_error(user_code, tmp_path):
    done = simpleflow(
        "workflow.list",
        "d",
        cwd=user_code,
        env={
            "AWS_ACCESS_KEY_ID": None,
            "AWS_SECRET_ACCESS_KEY": None,
            "AWS_PROFILE": "nope",
            "AWS_CONFIG_FILE": str(tmp_path / "none"),
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
        },
    )
    assert one_line(done) == "simpleflow: error: The config profile (nope) could not be found"


def test_run_returning_a_value_json_cannot_encode_fails_the_workflow_in_one_line(user_code):
    done = simpleflow("workflow.start", "--local", "nonjson.W", cwd=user_code)
    assert one_line(done, code=1) == (
        "workflow failed: run() returned a value JSON cannot encode: object is not JSON serializable"
    )


@pytest.mark.parametrize(
    ("history", "message"),
    [
        ([1, 2, 3], "history event #1 is an int, not an SWF event object"),
        ({"events": [{"foo": 1}]}, "history event #1 has no eventId and eventType: {'foo': 1}"),
        ({"events": []}, "the history holds no events"),
        ({"events": [{"eventId": 1, "eventType": "DecisionTaskScheduled"}]}, "not WorkflowExecutionStarted"),
        (
            {"events": [{"eventId": 2, "eventType": "A"}, {"eventId": 1, "eventType": "B"}]},
            "eventId 1 does not follow 2",
        ),
        (
            {
                "events": [
                    {
                        "eventId": 1,
                        "eventType": "WorkflowExecutionStarted",
                        "workflowExecutionStartedEventAttributes": 3,
                    }
                ]
            },
            "its attributes are not an object",
        ),
        (
            {
                "events": [
                    {
                        "eventId": 1,
                        "eventType": "WorkflowExecutionStarted",
                        "workflowExecutionStartedEventAttributes": {"input": 5},
                    }
                ]
            },
            "history event 1 (WorkflowExecutionStarted): input is an int, not a string",
        ),
        (
            {
                "events": [
                    {"eventId": 1, "eventType": "WorkflowExecutionStarted"},
                    {"eventId": 2, "eventType": "DecisionTaskScheduled"},
                    {"eventId": 3, "eventType": "DecisionTaskStarted"},
                    {
                        "eventId": 4,
                        "eventType": "DecisionTaskCompleted",
                        "decisionTaskCompletedEventAttributes": {"executionContext": {"not": "text"}},
                    },
                ]
            },
            "history event 4 (DecisionTaskCompleted): executionContext is a dict, not a string",
        ),
        (
            {
                "events": [
                    {"eventId": 1, "eventType": "WorkflowExecutionStarted"},
                    {"eventId": 2, "eventType": "WorkflowExecutionTerminated"},
                    {"eventId": 3, "eventType": "DecisionTaskScheduled"},
                ]
            },
            "history event #3 (DecisionTaskScheduled) follows event 2 (WorkflowExecutionTerminated), which closed",
        ),
        ({"nothing": "here"}, 'history file must hold {"events": [...]}'),
        ("{not json", "history file is not valid JSON: Expecting property name enclosed in double quotes"),
    ],
)
def test_replay_of_json_that_is_not_a_history_is_one_line(user_code, history, message):
    path = user_code / "history.json"
    path.write_text(history if isinstance(history, str) else json.dumps(history))
    line = one_line(simpleflow("workflow.replay", "examples.basic.BasicWorkflow", str(path), cwd=ROOT))
    assert message in line


def test_replay_of_several_files_names_the_one_that_is_not_a_history(user_code):
    good = user_code / "good.json"
    done = simpleflow(
        "workflow.start",
        "--local",
        "examples.basic.BasicWorkflow",
        "--input",
        "[1, 5]",
        "--record",
        str(good),
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    bad = user_code / "bad.json"
    bad.write_text("[1]")
    done = simpleflow("workflow.replay", "examples.basic.BasicWorkflow", str(good), str(bad), cwd=ROOT)
    assert done.stdout == f"{good}: ok\n"
    assert one_line(done) == f"simpleflow: error: {bad}: history event #1 is an int, not an SWF event object"


def test_replay_of_a_missing_or_unreadable_file_is_one_line(user_code):
    line = one_line(simpleflow("workflow.replay", "examples.basic.BasicWorkflow", "nowhere.json", cwd=ROOT))
    assert line == "simpleflow: error: cannot read history file 'nowhere.json': No such file or directory"
    empty = user_code / "histories"
    empty.mkdir()  # a folder is read for its histories: without one, that is the line
    line = one_line(simpleflow("workflow.replay", "examples.basic.BasicWorkflow", str(empty), cwd=ROOT))
    assert line == f"simpleflow: error: {empty}: no history file (*.json) in this folder"


def test_replay_reads_the_history_from_stdin_given_a_dash():
    history = (ROOT / "examples" / "basic_history.json").read_text()
    done = subprocess.run(
        [sys.executable, "-m", "simpleflow.command", "workflow.replay", "examples.basic.BasicWorkflow", "-"],
        input=history,
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)[0]["decisionType"] == "CompleteWorkflowExecution"


@pytest.mark.parametrize(
    ("option", "value"),
    [("--execution-timeout", "abc"), ("--execution-timeout", "0"), ("--decision-tasks-timeout", "1.5")],
)
@pytest.mark.parametrize("command", ["workflow.start", "standalone"])
def test_durations_are_checked_before_swf_sees_them(user_code, command, option, value):
    done = simpleflow(command, "--domain", "d", "nonjson.W", option, value, cwd=user_code)
    assert one_line(done) == (
        f"simpleflow: error: {option} {value!r}: expected a whole number of seconds from 1 to 31536000"
    )


def test_standalone_reports_each_task_failure_as_it_happens(user_code, swf_domain):
    done = simpleflow(
        "standalone",
        "--domain",
        swf_domain,
        "oversize.W",
        cwd=user_code,
        env={"AWS_ENDPOINT_URL": os.environ["AWS_ENDPOINT_URL"], "SIMPLEFLOW_JUMBO_FIELDS_BUCKET": None},
    )
    assert (done.returncode, done.stdout.splitlines()[-1]) == (0, "true"), done.stderr
    failures = [line for line in done.stderr.splitlines() if "] task " in line]
    assert len(failures) == 1, done.stderr
    assert "task activity-oversize.huge-1 failed: " in failures[0]
    assert "over SWF's limit of 32768" in failures[0] and "SIMPLEFLOW_JUMBO_FIELDS_BUCKET" in failures[0]


def test_filter_dates_that_select_nothing_are_refused_in_one_line():
    done = simpleflow("workflow.filter", "qa", "--from-date", "2030-01-01", "--to-date", "2020-01-01", cwd=ROOT)
    assert one_line(done) == (
        "simpleflow: error: --to-date 2020-01-01 00:00:00 is before --from-date 2030-01-01 00:00:00"
    )
    done = simpleflow("workflow.filter", "qa", "--to-date", "2020-01-01", cwd=ROOT)
    assert one_line(done) == (
        "simpleflow: error: --to-date 2020-01-01 00:00:00 is before the last 30 days (-d): give --from-date too"
    )
    done = simpleflow(  # a date with a zone and one without (UTC): 00:00 UTC is before 00:00 at UTC-1
        "workflow.filter", "qa", "--from-date", "2030-01-01T00:00:00-0100", "--to-date", "2030-01-01 00:00:00", cwd=ROOT
    )
    assert one_line(done) == (
        "simpleflow: error: --to-date 2030-01-01 00:00:00 is before --from-date 2030-01-01 00:00:00-0100"
    )


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ("workflow.filter", "qa", "--from-date", "2020-01-01", "-d", "3"),
            "give --started-since (-d) or --from-date, not both",
        ),
        (("workflow.filter", "qa", "--tag", ""), "--tag is empty: give the tag to look for"),
        (
            ("dag.show", "examples/dag/diamond.yaml", "--domain", "qa"),
            "--domain and --run-id apply with --workflow-id (the execution whose states colour the nodes)",
        ),
    ],
)
def test_options_that_would_be_ignored_are_refused_in_one_line(args, line):
    assert one_line(simpleflow(*args, cwd=ROOT)) == f"simpleflow: error: {line}"


@pytest.mark.parametrize(
    "s3, line",
    [
        (None, "the input cannot be stored in S3 bucket 'no-such-bucket': NoSuchBucket: "),
        (NOWHERE, "the input cannot be stored in S3 bucket 'no-such-bucket': cannot reach "),
    ],
    ids=["missing bucket", "S3 not reached"],
)
def test_an_input_s3_does_not_take_is_one_line_saying_what_to_check(user_code, swf_domain, tmp_path, s3, line):
    big = tmp_path / "big.json"
    big.write_text(json.dumps(["x" * 40_000, 5]))  # over SWF's 32,768 characters: it goes to S3
    env = {
        "AWS_ENDPOINT_URL": os.environ["AWS_ENDPOINT_URL"],
        "AWS_ENDPOINT_URL_S3": s3,
        "SIMPLEFLOW_JUMBO_FIELDS_BUCKET": "no-such-bucket",
    }
    done = simpleflow(
        "workflow.start",
        "--domain",
        swf_domain,
        "examples.basic.BasicWorkflow",
        "--input-file",
        str(big),
        cwd=user_code,
        env=env,
    )
    shown = one_line(done)
    assert shown.startswith(f"simpleflow: error: {line}"), shown
    assert ("SIMPLEFLOW_JUMBO_FIELDS_BUCKET" if s3 is None else "check AWS_ENDPOINT_URL") in shown
    listed = boto3.client("swf").list_open_workflow_executions(
        domain=swf_domain, startTimeFilter={"oldestDate": datetime.datetime(2020, 1, 1)}
    )
    assert listed["executionInfos"] == []  # nothing started with an input it could not keep
