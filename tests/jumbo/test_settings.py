"""Jumbo field settings set wrong: one line and exit 2 before anything runs, on both hosts (the dev server's SWF
and S3 for ``standalone``), never a task that fails on each run."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import boto3
import pytest

ROOT = Path(__file__).resolve().parents[2]
NOT_A_BUCKET = "expected bucket or bucket/prefix, the bucket named with letters, digits, '.', '-' and '_'"
NOT_A_BUCKET = "expected bucket or bucket/prefix, the bucket named with letters, digits, '.', '-' and '_'"
BIG_RESULT = ("tests.fixtures.jumbo_workflows.BigActivityResult", "--input", "[40000]")


def run(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "simpleflow.command", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **env},
    )


@pytest.fixture
def bucket(moto_server, tmp_path) -> str:
    name = f"settings-{uuid.uuid4().hex[:12]}"
    boto3.client("s3").create_bucket(Bucket=name)
    return name


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("s3://{bucket}/jumbo", "expected bucket or bucket/prefix, not a URL (without s3://)"),
        ("/", NOT_A_BUCKET),
        ("my bucket/jumbo", NOT_A_BUCKET),
        ("{bucket}/jumbo fields", "a prefix with a blank makes references simpleflow 0.36 cannot read"),
    ],
)
@pytest.mark.parametrize("host", ["workflow.start --local", "standalone"])
def test_a_bucket_setting_that_names_no_bucket_is_one_line_and_exit_2(
    swf_domain, bucket, tmp_path, value, problem, host
):
    """The local run failed each oversize task (JumboFieldNotStored: bucket 's3:'), standalone too (the worker's
    S3 client refused the name), and a run with ``/`` said to set the variable it had."""
    value = value.format(bucket=bucket)
    command = ("workflow.start", "--local") if host == "workflow.start --local" else ("standalone", "-d", swf_domain)
    done = run(
        *command,
        *BIG_RESULT,
        SIMPLEFLOW_JUMBO_FIELDS_BUCKET=value,
        SIMPLEFLOW_JUMBO_FIELDS_CACHE_DIR=str(tmp_path / "cache"),
    )

    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == f"simpleflow: error: SIMPLEFLOW_JUMBO_FIELDS_BUCKET={value!r}: {problem}\n"
    assert boto3.client("s3").list_objects_v2(Bucket=bucket)["KeyCount"] == 0


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("SIMPLEFLOW_JUMBO_FIELDS_CACHE_SIZE", "1GB", "a size in bytes (a whole number, 0 or more)"),
        ("SIMPLEFLOW_JUMBO_FIELDS_MEMORY_CACHE_SIZE", "-1", "a size in bytes (a whole number, 0 or more)"),
        ("SIMPLEFLOW_JUMBO_FIELDS_CACHE", "maybe", "a boolean (1/0, true/false, yes/no, on/off)"),
    ],
)
def test_a_bad_cache_setting_stops_a_local_run_before_it_starts(bucket, tmp_path, variable, value, expected):
    """A local run read it only where a task first met a jumbo field: that task failed, with a traceback's line."""
    done = run(
        "workflow.start",
        "--local",
        *BIG_RESULT,
        **{"SIMPLEFLOW_JUMBO_FIELDS_BUCKET": f"{bucket}/jumbo", variable: value},
    )

    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == f"simpleflow: error: {variable}={value!r}: expected {expected}\n"


@pytest.mark.parametrize("value", ["{bucket}/", "/{bucket}/jumbo/", " {bucket}/jumbo "])
def test_slashes_and_blanks_around_the_bucket_setting_are_dropped(bucket, tmp_path, value):
    done = run(
        "workflow.start",
        "--local",
        *BIG_RESULT,
        SIMPLEFLOW_JUMBO_FIELDS_BUCKET=value.format(bucket=bucket),
        SIMPLEFLOW_JUMBO_FIELDS_CACHE_DIR=str(tmp_path / "cache"),
    )

    assert (done.returncode, done.stdout) == (0, "40000\n"), done.stderr
    assert boto3.client("s3").list_objects_v2(Bucket=bucket)["KeyCount"] == 1
