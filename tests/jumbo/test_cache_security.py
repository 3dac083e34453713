"""The jumbo disk cache trusts nothing it reads back: no unpickling, no foreign directory."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import boto3
import diskcache
import pytest

from simpleflow.jumbo import _cache

REPO_ROOT = Path(__file__).resolve().parents[2]


class _Planted:
    """What an attacker stores in pickle mode: unpickling it runs a shell command."""

    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self):
        return (os.system, (self.command,))


def _decode_in_a_new_process(reference: str, cache_dir: Path) -> subprocess.CompletedProcess:
    code = "import sys; from simpleflow import jumbo; sys.stdout.write(jumbo.decode(sys.argv[1]))"
    env = dict(os.environ, SIMPLEFLOW_JUMBO_FIELDS_CACHE_DIR=str(cache_dir), PYTHONPATH=str(REPO_ROOT))
    env.pop("SIMPLEFLOW_JUMBO_FIELDS_CACHE", None)
    return subprocess.run(
        [sys.executable, "-c", code, reference], cwd=REPO_ROOT, capture_output=True, text=True, env=env
    )


@pytest.fixture
def object_in_s3(moto_server, monkeypatch):
    """(bucket, key, text) of a 10-byte object on the dev server, in the jumbo fields bucket."""
    bucket = f"attack-{uuid.uuid4().hex[:12]}"
    monkeypatch.setenv("SIMPLEFLOW_JUMBO_FIELDS_BUCKET", bucket)
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="k", Body=b"0123456789")
    return bucket, "k", "0123456789"


@pytest.mark.parametrize("in_file", [False, True], ids=["row", "file"])
def test_pickled_cache_entry_is_never_unpickled_and_the_object_is_read_from_s3(object_in_s3, tmp_path, in_file):
    bucket, key, text = object_in_s3
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir(mode=0o700)
    marker = tmp_path / "code-ran"
    planted = _Planted(f"touch {marker}" + (" #" + "x" * 40_000 if in_file else ""))
    with diskcache.Cache(str(cache_dir)) as attacker:  # diskcache's default Disk: pickle mode
        attacker.set(_cache.cache_key(bucket, key), planted)
    with diskcache.Cache(str(cache_dir)) as naive:  # the attack works on a plain diskcache read
        naive.get(_cache.cache_key(bucket, key))
    assert marker.exists()
    marker.unlink()
    with diskcache.Cache(str(cache_dir)) as attacker:  # planted again: the naive read dropped nothing
        attacker.set(_cache.cache_key(bucket, key), planted)

    child = _decode_in_a_new_process(f"simpleflow+s3://{bucket}/{key} 10", cache_dir)

    assert child.returncode == 0, child.stderr
    assert child.stdout == text
    assert not marker.exists()
    assert "refusing disk cache entry" in child.stderr and "not raw bytes" in child.stderr


def test_refused_rows_are_counted_and_replaced_by_the_object_from_s3(object_in_s3, tmp_path, monkeypatch):
    bucket, key, text = object_in_s3
    cache_dir = tmp_path / "cache"
    monkeypatch.setenv("SIMPLEFLOW_JUMBO_FIELDS_CACHE_DIR", str(cache_dir))
    cache_dir.mkdir(mode=0o700)
    with diskcache.Cache(str(cache_dir)) as attacker:
        attacker.set(_cache.cache_key(bucket, key), ["a", "list", "pickled"])
    _cache.close()
    try:
        from simpleflow import jumbo

        assert jumbo.decode(f"simpleflow+s3://{bucket}/{key} 10") == text
        assert _cache.rejected_rows() == 1
        _cache.close()  # a new process: the memory cache is gone, the disk row is now ours
        assert jumbo.decode(f"simpleflow+s3://{bucket}/{key} 10") == text
        assert _cache.rejected_rows() == 0
    finally:
        _cache.close()


def test_row_naming_a_file_outside_the_cache_is_neither_read_nor_deleted(object_in_s3, tmp_path, monkeypatch):
    bucket, key, text = object_in_s3
    cache_dir = tmp_path / "cache"
    monkeypatch.setenv("SIMPLEFLOW_JUMBO_FIELDS_CACHE_DIR", str(cache_dir))
    secret = tmp_path / "secret"
    secret.write_bytes(b"not-for-you")
    _cache.close()
    try:
        _cache.put(bucket, key, text, text.encode())
        _cache.close()
        with diskcache.Cache(str(cache_dir)) as attacker:
            # The row now says its value is in a file of the attacker's choosing.
            attacker._sql(
                "UPDATE Cache SET mode = ?, filename = ?, value = NULL WHERE key = ?",
                (diskcache.core.MODE_BINARY, str(secret), _cache.cache_key(bucket, key)),
            )
        assert _cache.get(bucket, key, 10) is None
        assert _cache.rejected_rows() == 1
        assert secret.read_bytes() == b"not-for-you"
    finally:
        _cache.close()


def test_new_cache_directory_is_created_for_this_user_only(tmp_path, monkeypatch):
    cache_dir = tmp_path / "made" / "cache"
    monkeypatch.setenv("SIMPLEFLOW_JUMBO_FIELDS_CACHE_DIR", str(cache_dir))
    old = os.umask(0)  # even with a permissive umask
    _cache.close()
    try:
        _cache.put("b", "k", "v", b"v")
        assert _cache._current().disk is not None
        assert cache_dir.stat().st_mode & 0o777 == 0o700
        assert _cache.get("b", "k", 1) == "v"
    finally:
        os.umask(old)
        _cache.close()


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o1777])
def test_cache_directory_other_users_can_write_is_not_used_and_said_so_once(
    object_in_s3, tmp_path, mode, caplog, monkeypatch
):
    bucket, key, text = object_in_s3
    cache_dir = tmp_path / "shared"
    cache_dir.mkdir()
    cache_dir.chmod(mode)
    monkeypatch.setattr(_cache, "_warned", set())
    monkeypatch.setenv("SIMPLEFLOW_JUMBO_FIELDS_CACHE_DIR", str(cache_dir))
    _cache.close()
    try:
        from simpleflow import jumbo

        with caplog.at_level("WARNING", logger="simpleflow.jumbo._cache"):
            assert jumbo.decode(f"simpleflow+s3://{bucket}/{key} 10") == text
            _cache.close()
            assert jumbo.decode(f"simpleflow+s3://{bucket}/{key} 10") == text
        warnings = [r.getMessage() for r in caplog.records if "not using the disk cache" in r.getMessage()]
        assert len(warnings) == 1 and "can be written by other users" in warnings[0], warnings
        assert list(cache_dir.iterdir()) == []  # nothing was written there
    finally:
        _cache.close()


def test_cache_directory_owned_by_another_user_is_not_used(tmp_path):
    cache_dir = tmp_path / "theirs"
    cache_dir.mkdir(mode=0o700)
    other = os.geteuid() + 1
    if os.geteuid() == 0:
        os.chown(cache_dir, other, -1)
        assert _cache.untrusted_reason(str(cache_dir)) == f"is owned by uid {other}, not by this user (uid 0)"
    else:  # not root: a directory of root's serves as another user's
        assert "owned by uid 0" in _cache.untrusted_reason("/root")


def test_cache_directory_inside_a_folder_others_can_write_is_not_used(tmp_path):
    shared = tmp_path / "open"
    shared.mkdir()
    shared.chmod(0o777)
    (shared / "cache").mkdir(mode=0o700)
    assert "which other users can write" in _cache.untrusted_reason(str(shared / "cache"))
    shared.chmod(0o1777)  # sticky like /tmp: nobody else can replace our folder
    assert _cache.untrusted_reason(str(shared / "cache")) is None


def test_symbolic_link_to_a_directory_of_another_user_is_not_used(tmp_path):
    target = tmp_path / "target"
    target.mkdir(mode=0o700)
    link = tmp_path / "link"
    link.symlink_to(target)
    assert _cache.untrusted_reason(str(link)) is None  # our own link to our own directory
    target.chmod(0o777)
    assert "can be written by other users" in _cache.untrusted_reason(str(link))
