"""simpleflow.download and `simpleflow binaries.download`: programs fetched from S3, checked before they run."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

from simpleflow import download
from simpleflow.download import RemoteBinary, download_binaries, with_binaries
from simpleflow.runtime.middleware import NONE
from simpleflow.swf.activity_run import _perform
from tests.fixtures import binaries_activities

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = b'#!/bin/sh\necho "hello $1"\n'


@pytest.fixture
def binaries_dir(tmp_path, monkeypatch):
    directory = tmp_path / "binaries"
    monkeypatch.setenv("SIMPLEFLOW_BINARIES_DIRECTORY", str(directory))
    monkeypatch.setenv("PATH", os.environ["PATH"])  # restored after the test
    return directory


@pytest.fixture
def s3_program(moto_server):
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=binaries_activities.BUCKET)
    s3.put_object(Bucket=binaries_activities.BUCKET, Key="v1/say", Body=SCRIPT)
    return f"s3://{binaries_activities.BUCKET}/v1/say"


def test_locations_are_computed_as_simpleflow_computes_them(binaries_dir):
    binary = RemoteBinary("custom-bin", "s3://a.bucket/v1.2.3/custom-bin")
    expected = binaries_dir / "custom-bin-585b3e5c252d6ec7aff52c24b149d719"
    assert (binary.local_directory, binary.local_location) == (str(expected), str(expected / "custom-bin"))


def test_the_default_directory_is_the_original_s(monkeypatch):
    monkeypatch.delenv("SIMPLEFLOW_BINARIES_DIRECTORY", raising=False)
    assert download.binaries_directory() == "/tmp/simpleflow-binaries"


@pytest.mark.parametrize("name", ["../escape", "a/b", "..", ".", "", "/abs"])
def test_a_name_that_is_not_a_plain_file_name_is_refused(binaries_dir, name):
    with pytest.raises(ValueError, match="plain file name"):
        RemoteBinary(name, "s3://bucket/key")
    assert not binaries_dir.exists()


def test_only_s3_locations_are_supported():
    with pytest.raises(NotImplementedError, match="only support S3"):
        RemoteBinary("tool", "https://example.com/tool")
    with pytest.raises(ValueError, match="not s3://bucket/key"):
        RemoteBinary("tool", "s3://bucket-only")


def test_download_binaries_fetches_once_and_puts_the_folder_first_in_path(binaries_dir, s3_program):
    download_binaries({"say-hello": s3_program})
    binary = RemoteBinary("say-hello", s3_program)
    assert os.environ["PATH"].split(os.pathsep)[0] == binary.local_directory
    assert subprocess.run(["say-hello", "you"], capture_output=True, text=True, check=True).stdout == "hello you\n"
    assert oct(os.stat(binary.local_location).st_mode & 0o777) == "0o755"
    assert oct(os.stat(binaries_dir).st_mode & 0o777) == "0o700"
    first = os.stat(binary.local_location).st_ino
    download_binaries({"say-hello": s3_program})  # present: not fetched again, PATH not grown
    assert os.stat(binary.local_location).st_ino == first
    assert os.environ["PATH"].split(os.pathsep).count(binary.local_directory) == 1


def test_a_failed_download_leaves_nothing_that_could_run(binaries_dir, moto_server):
    boto3.client("s3").create_bucket(Bucket="binaries-empty")
    binary = RemoteBinary("missing", "s3://binaries-empty/nothing/here")
    with pytest.raises(Exception, match="404|Not Found|NoSuchKey"):
        binary.download()
    assert sorted(os.listdir(binary.local_directory)) == [".missing.lock"]


def test_a_partial_download_left_by_a_killed_process_never_runs_and_is_cleaned(binaries_dir, s3_program):
    binary = RemoteBinary("say-hello", s3_program)
    os.makedirs(binary.local_directory, mode=0o700)
    os.chmod(binaries_dir, 0o700)
    partial = Path(binary.local_directory) / ".say-hello.x1y2.part"
    partial.write_bytes(SCRIPT[:5])
    binary.download()
    assert not partial.exists()
    assert Path(binary.local_location).read_bytes() == SCRIPT


def test_a_directory_others_may_write_is_refused(binaries_dir, s3_program):
    binaries_dir.mkdir(mode=0o700)
    os.chmod(binaries_dir, 0o777)
    with pytest.raises(PermissionError, match="can be written by other users"):
        download_binaries({"say-hello": s3_program})


def test_a_directory_inside_a_folder_others_may_change_is_refused(tmp_path, monkeypatch, s3_program):
    """Another user could rename it away between the check and the run, and put their own program there."""
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)  # not sticky, unlike /tmp
    monkeypatch.setenv("SIMPLEFLOW_BINARIES_DIRECTORY", str(shared / "bins"))
    monkeypatch.setenv("PATH", os.environ["PATH"])  # restored after the test
    with pytest.raises(PermissionError, match=f"is inside {shared}, which other users can write"):
        download_binaries({"say-hello": s3_program})
    shared.chmod(0o1777)  # sticky: only the owner of bins may rename it
    download_binaries({"say-hello": s3_program})


def test_a_symbolic_link_in_place_of_the_program_is_refused(binaries_dir, s3_program, tmp_path):
    binary = RemoteBinary("say-hello", s3_program)
    os.makedirs(binary.local_directory, mode=0o700)
    os.chmod(binaries_dir, 0o700)
    os.symlink("/bin/sh", binary.local_location)
    with pytest.raises(PermissionError, match="not a regular file"):
        binary.download()


def test_with_binaries_downloads_before_the_function_runs(binaries_dir, s3_program):
    @with_binaries({"say-hello": s3_program})
    def greet(name):
        return subprocess.run(["say-hello", name], capture_output=True, text=True, check=True).stdout

    assert greet("there") == "hello there\n"


def test_a_worker_fetches_the_binaries_its_declared_activity_names(binaries_dir, s3_program):
    context = {
        "name": binaries_activities.run_say_hello.name,
        "input": '{"args": ["worker"], "kwargs": {}}',
        "workflow_id": "w",
        "activity_id": "a",
    }
    answer = _perform({"token": "t", "context": context}, lambda message: None, (), NONE)
    assert answer == {"result": '"hello worker"'}


def test_a_worker_whose_binary_is_missing_fails_the_task_naming_it(binaries_dir, s3_program):
    """It failed with 'ClientError: An error occurred (404) when calling the HeadObject operation: Not Found'."""
    boto3.client("s3").delete_object(Bucket=binaries_activities.BUCKET, Key="v1/say")
    context = {"name": binaries_activities.run_say_hello.name, "input": '{"args": ["w"]}', "activity_id": "a"}
    answer = _perform({"token": "t", "context": context}, lambda message: None, (), NONE)
    failure = answer["failure"]
    assert (failure["error"], failure["message"]) == (
        "DataError",
        f"binary 'say-hello': {s3_program} not found (no key 'v1/say' in bucket '{binaries_activities.BUCKET}')",
    )


def test_binaries_in_a_task_s_input_meta_are_not_fetched(binaries_dir, s3_program):
    # simpleflow 0.36's worker downloaded what the task input's meta named: data chose the program.
    context = {
        "name": binaries_activities.path_now.name,
        "input": json.dumps({"args": [], "kwargs": {}, "meta": {"binaries": {"say-hello": s3_program}}}),
        "workflow_id": "w",
        "activity_id": "a",
    }
    _perform({"token": "t", "context": context}, lambda message: None, (), NONE)
    assert not binaries_dir.exists()


def _simpleflow(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "simpleflow", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT), **env},
        cwd="/",
        timeout=60,
    )


def test_binaries_download_command_fetches_each_location(binaries_dir, s3_program):
    done = _simpleflow("binaries.download", f"say-hello={s3_program}", env={})
    assert done.returncode == 0, done.stderr
    digest = hashlib.md5(s3_program.encode()).hexdigest()
    assert done.stdout == f"{binaries_dir}/say-hello-{digest}/say-hello\n"
    assert os.access(done.stdout.strip(), os.X_OK)


@pytest.mark.parametrize(
    "spec, message",
    [
        ("say-hello", "binary 'say-hello': expected NAME=s3://bucket/key"),
        ("../x=s3://b/k", "binary name '../x': expected a plain file name (no '/', not '.' or '..')"),
    ],
)
def test_binaries_download_with_a_bad_location_is_one_line_and_exit_2(binaries_dir, spec, message):
    done = _simpleflow("binaries.download", spec, env={})
    assert (done.returncode, done.stderr) == (2, f"simpleflow: error: {message}\n")
    assert not binaries_dir.exists()


def test_binaries_download_of_a_location_with_nothing_there_names_the_binary_and_what_is_missing(
    binaries_dir, s3_program
):
    bucket = binaries_activities.BUCKET
    for location, missing in [
        ("s3://no-such-bucket-here/key", "no bucket 'no-such-bucket-here'"),
        (f"s3://{bucket}/v1/nokey", f"no key 'v1/nokey' in bucket '{bucket}'"),
    ]:
        done = _simpleflow("binaries.download", f"say-hello={s3_program}", f"foo={location}", env={})
        assert (done.returncode, done.stderr) == (
            2,
            f"simpleflow: error: binary 'foo': {location} not found ({missing})\n",
        )


def test_binaries_download_into_a_directory_that_cannot_be_is_one_line_naming_the_setting(tmp_path, s3_program):
    afile = tmp_path / "in.json"
    afile.write_text("{}")
    for directory, why in [
        (tmp_path / "missing" / "x", f"cannot create {tmp_path}/missing/x: No such file or directory"),
        (afile, f"{afile} is not a directory (a symbolic link?): refusing to put programs there"),
    ]:
        done = _simpleflow(
            "binaries.download", f"say={s3_program}", env={"SIMPLEFLOW_BINARIES_DIRECTORY": str(directory)}
        )
        assert (done.returncode, done.stdout) == (2, "")
        assert done.stderr == f"simpleflow: error: SIMPLEFLOW_BINARIES_DIRECTORY: {why}\n"


def test_a_local_run_fetches_the_binaries_its_activity_declares_as_a_worker_does(binaries_dir, s3_program):
    """The local host (and activity.rerun, as in 0.36.0) ran the activity without them: 'say-hello' not found."""
    from simpleflow.local import LocalExecution

    done = LocalExecution(binaries_activities.SayHello, {"args": ["local"], "kwargs": {}}).execute()
    assert (done.status, done.result) == ("completed", "hello local")
