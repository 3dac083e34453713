"""Programs an activity needs, fetched from S3 on first use: ``RemoteBinary``, ``download_binaries``, ``with_binaries``.

``with_binaries({"tool": "s3://bucket/path/tool"})`` on a function downloads ``tool`` (once per
location) into ``$SIMPLEFLOW_BINARIES_DIRECTORY/tool-<md5 of the location>/tool``, makes it
executable and puts its directory first in ``$PATH`` before the function runs. A worker does the
same for an activity declared with ``meta={"binaries": {...}}``; ``simpleflow binaries.download
tool=s3://...`` fetches ahead of time.

What is checked, since another user or a crash must never get a program run in our name:

- a binary's name is a plain file name: no path ever leaves the binaries directory;
- that directory and each binary's folder are real directories owned by this user, writable by
  no one else, inside folders no one else can change (but sticky ones like ``/tmp``): no other user
  can swap them between the check and the run (they are created ``0700``); a file already there
  runs only if it is a regular file of ours;
- a download goes to a temporary file in the same folder, is flushed to disk, then renamed into
  place: a partial download never has the binary's name. A lock file serialises processes
  downloading the same binary.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import logging
import os
import stat
import tempfile
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from simpleflow import settings, storage
from simpleflow.exceptions import DataError, UsageError
from simpleflow.utils import untrusted_reason

__all__ = ["RemoteBinary", "download_binaries", "download_specs", "parse_spec", "with_binaries"]

logger = logging.getLogger(__name__)

SETTING = "SIMPLEFLOW_BINARIES_DIRECTORY"
_PARTIAL_SUFFIX = ".part"


def binaries_directory() -> str:
    """``SIMPLEFLOW_BINARIES_DIRECTORY``, absolute (``/tmp/simpleflow-binaries`` by default)."""
    return os.path.abspath(str(settings.get(SETTING)))


def _check_name(name: str) -> None:
    if not isinstance(name, str) or not name or name in (".", "..") or "/" in name or "\0" in name:
        raise ValueError(f"binary name {name!r}: expected a plain file name (no '/', not '.' or '..')")


def _private_directory(path: str) -> None:
    """Create *path* (0700) if missing; refuse it unless it is a real directory of ours that no one else may
    change, nor swap for another (the folders above it included: ``utils._trust``)."""
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    info = os.lstat(path)
    if not stat.S_ISDIR(info.st_mode):
        raise PermissionError(f"{path} is not a directory (a symbolic link?): refusing to put programs there")
    reason = untrusted_reason(path)
    if reason is not None:
        raise PermissionError(f"{path} {reason}: refusing to run programs from it")


class RemoteBinary:
    """A program stored in S3, and where it goes on this machine.

    Args:
        name: the program's file name (what ``$PATH`` finds it by).
        remote_location: ``s3://bucket/key``.

    Raises:
        ValueError: *name* is not a plain file name, or the location has no key.
        NotImplementedError: the location is not on S3.
    """

    def __init__(self, name: str, remote_location: str) -> None:
        _check_name(name)
        if not isinstance(remote_location, str) or not remote_location.startswith("s3://"):
            raise NotImplementedError("We currently only support S3")
        bucket, _, key = remote_location[len("s3://") :].partition("/")
        if not bucket or not key:
            raise ValueError(f"binary {name!r}: {remote_location!r} is not s3://bucket/key")
        self.name = name
        self.remote_location = remote_location
        self.bucket, self.key = bucket, key
        self.base_directory = binaries_directory()
        digest = hashlib.md5(remote_location.encode(), usedforsecurity=False).hexdigest()
        self.local_directory = os.path.join(self.base_directory, f"{name}-{digest}")
        self.local_location = os.path.join(self.local_directory, name)
        self.lock_location = os.path.join(self.local_directory, f".{name}.lock")

    def download(self) -> None:
        """Fetch the program unless it is already there (executable, ours)."""
        _private_directory(self.base_directory)
        _private_directory(self.local_directory)
        lock = os.open(self.lock_location, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not self._check_binary_present():
                self._remove_partials()
                self._download_binary()
        finally:
            os.close(lock)  # releases the lock

    def _check_binary_present(self) -> bool:
        try:
            info = os.lstat(self.local_location)
        except FileNotFoundError:
            return False
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
            raise PermissionError(f"{self.local_location} is not a regular file of this user: refusing to run it")
        return bool(info.st_mode & stat.S_IXUSR)

    def _remove_partials(self) -> None:
        """Temporary files a killed download left (never run: they never had the binary's name)."""
        for entry in os.scandir(self.local_directory):
            if entry.name.startswith(f".{self.name}.") and entry.name.endswith(_PARTIAL_SUFFIX):
                os.unlink(entry.path)

    def _download_binary(self) -> None:
        logger.info("downloading binary %s -> %s", self.remote_location, self.local_location)
        fd, partial = tempfile.mkstemp(dir=self.local_directory, prefix=f".{self.name}.", suffix=_PARTIAL_SUFFIX)
        try:
            with os.fdopen(fd, "wb") as out:
                storage.get_bucket(self.bucket).download_fileobj(self.key, out)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(partial, 0o755)  # noqa: S103 - a program: executable, writable by its owner only
            os.replace(partial, self.local_location)
        except BaseException:
            try:
                os.unlink(partial)
            except FileNotFoundError:
                pass
            raise
        directory = os.open(self.local_directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(directory)  # the rename itself survives a crash
        finally:
            os.close(directory)


def _prepend_to_path(directory: str) -> None:
    entries = [entry for entry in os.environ.get("PATH", "").split(os.pathsep) if entry and entry != directory]
    os.environ["PATH"] = os.pathsep.join([directory, *entries])


def download_binaries(binaries_map: Mapping[str, str]) -> None:
    """Download each ``name -> s3://location`` of *binaries_map* if needed, and put its folder first in ``$PATH``.

    Raises:
        DataError: a location S3 has nothing at or refuses to read (the binary named: another try gets the
            same); a transient S3 fault is raised as it is.
        PermissionError: a local folder or file unfit for programs.
    """
    for name, location in (binaries_map or {}).items():
        binary = RemoteBinary(name, location)
        _fetch(binary)
        _prepend_to_path(binary.local_directory)


def with_binaries(binaries_map: Mapping[str, str]) -> Callable[[Callable], Callable]:
    """Decorate a function so that the programs of *binaries_map* are downloaded and on ``$PATH`` when it runs."""

    def decorator(func: Callable) -> Callable:
        @functools.wraps(func)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            download_binaries(binaries_map)
            return func(*args, **kwargs)

        return wrapped

    return decorator


def parse_spec(spec: str) -> tuple[str, str]:
    """``name=s3://bucket/key`` as ``(name, location)``.

    Raises:
        UsageError: not of that form.
    """
    name, sep, location = spec.partition("=")
    if not sep or not name or not location.startswith("s3://"):
        raise UsageError(f"binary {spec!r}: expected NAME=s3://bucket/key")
    try:
        _check_name(name)
    except ValueError as err:
        raise UsageError(str(err)) from None
    return name, location


def download_specs(specs: Iterable[str], workers: int = 5) -> list[str]:
    """``simpleflow binaries.download``: fetch each ``name=s3://...`` (several at once); their local paths.

    Every spec is checked before anything is downloaded, then the binaries directory.

    Raises:
        UsageError: a bad spec, a directory set by ``SIMPLEFLOW_BINARIES_DIRECTORY`` that cannot hold
            programs (the setting named), a location with nothing to read (the binary named).
    """
    binaries = [RemoteBinary(*parse_spec(spec)) for spec in specs]
    if binaries:
        _check_directory(binaries[0].base_directory)
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(binaries) or 1))) as pool:
        list(pool.map(_download_named, binaries))
    return [binary.local_location for binary in binaries]


def _check_directory(directory: str) -> None:
    """The binaries directory made (or found) fit for programs, or a UsageError naming its setting."""
    try:
        _private_directory(directory)
    except OSError as err:
        why = f"cannot create {directory}: {err.strerror}" if err.errno else str(err)
        raise UsageError(f"{SETTING}: {why}") from err


def _download_named(binary: RemoteBinary) -> None:
    """Download *binary*; a location S3 has nothing at, or refuses to read, is a UsageError naming it."""
    try:
        _fetch(binary)
    except DataError as err:
        raise UsageError(str(err)) from err
    except PermissionError as err:  # a folder or file there that is no place for programs (ours)
        raise UsageError(f"binary {binary.name!r}: {err}") from err


def _fetch(binary: RemoteBinary) -> None:
    """Download *binary*; a location S3 has nothing at, or refuses to read, is a DataError naming it."""
    from botocore.exceptions import ClientError

    try:
        binary.download()
    except ClientError as err:
        problem = _s3_problem(err, binary.bucket, binary.key)
        if problem is None:
            raise  # S3 failing (a 500...): not the location's fault
        raise DataError(f"{binary.remote_location} {problem}", f"binary {binary.name!r}") from err


def _s3_problem(err: Any, bucket: str, key: str) -> str | None:
    """What a refused read says of the location (not found: which part is missing), None for another fault."""
    error = err.response.get("Error") or {}
    code = str(error.get("Code") or err.response.get("ResponseMetadata", {}).get("HTTPStatusCode"))
    if code in ("403", "AccessDenied"):
        return "cannot be read with these credentials (access denied)"
    if code not in ("404", "NoSuchKey", "NoSuchBucket"):
        return None
    if code == "NoSuchBucket" or _bucket_missing(bucket):
        return f"not found (no bucket {bucket!r})"
    return f"not found (no key {key!r} in bucket {bucket!r})"


def _bucket_missing(bucket: str) -> bool:
    """Whether S3 says *bucket* does not exist (HEAD answers 404 alike for a missing bucket and key)."""
    from botocore.exceptions import ClientError

    try:
        storage.get_bucket(bucket).meta.client.head_bucket(Bucket=bucket)
    except ClientError as err:
        return str((err.response.get("Error") or {}).get("Code")) in ("404", "NoSuchBucket")
    return False
