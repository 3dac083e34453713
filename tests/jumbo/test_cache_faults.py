"""The disk cache on a disk that fills up: reads go on from S3 (the dev server's), and the cache keeps no file it
does not account for. The disk is filled for real: a child process whose files may not grow past a size
(RLIMIT_FSIZE), so its writes fail as on a full disk."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import boto3
import pytest

from simpleflow import jumbo
from simpleflow.jumbo import _cache

ROOT = Path(__file__).resolve().parents[2]
SIZE = 50_000  # over diskcache's 32 KiB: each value is a file of the cache directory

READER = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG) instead of killing us
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[1]), resource.RLIM_INFINITY))
from simpleflow import jumbo
references = sys.stdin.read().splitlines()
print(sorted({len(jumbo.decode(reference)) for _ in range(2) for reference in references}))
"""


@pytest.fixture
def references(moto_server, monkeypatch, tmp_path) -> list[str]:
    """Eight 50 kB jumbo fields on the dev server's S3, and an empty cache directory, its database created."""
    bucket = f"faults-{uuid.uuid4().hex[:12]}"
    boto3.client("s3").create_bucket(Bucket=bucket)
    monkeypatch.setenv("SIMPLEFLOW_JUMBO_FIELDS_BUCKET", f"{bucket}/faults")
    monkeypatch.setenv("SIMPLEFLOW_JUMBO_FIELDS_CACHE", "0")
    jumbo.close_caches()
    found = [jumbo.encode(f"{i:x}" * SIZE, "result") for i in range(8)]
    monkeypatch.delenv("SIMPLEFLOW_JUMBO_FIELDS_CACHE")
    monkeypatch.setenv("SIMPLEFLOW_JUMBO_FIELDS_CACHE_DIR", str(tmp_path / "cache"))
    jumbo.close_caches()
    assert _cache._current().disk is not None  # created before the reader's files may not grow
    jumbo.close_caches()
    yield found
    jumbo.close_caches()


def value_files(directory: Path) -> set[str]:
    return {str(path.relative_to(directory)) for path in directory.rglob("*.val")}


def recorded_files(directory: Path) -> set[str]:
    with sqlite3.connect(directory / "cache.db") as db:
        return {name for (name,) in db.execute("SELECT filename FROM Cache WHERE filename IS NOT NULL")}


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="RLIMIT_FSIZE is POSIX")
def test_writes_a_full_disk_refuses_leave_no_file_behind_and_reads_go_on_from_s3(references, tmp_path):
    """diskcache left the value file of each write whose row the database refused (or that the disk cut short):
    files no row names, which the LRU never counts nor evicts, so a cache that filled its disk stayed full."""
    cache = tmp_path / "cache"
    done = subprocess.run(
        [sys.executable, "-c", READER, "100000"],
        input="\n".join(references),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "SIMPLEFLOW_JUMBO_FIELDS_MEMORY_CACHE_SIZE": "0"},
    )

    assert (done.returncode, done.stdout) == (0, f"[{SIZE}]\n"), done.stderr  # every value, whole
    # The disk did refuse writes: said once, not at each object read while it stays full.
    assert done.stderr.count("cannot write disk cache entry") == 1, done.stderr
    assert value_files(cache) == recorded_files(cache)
