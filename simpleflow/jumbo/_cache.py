"""Read cache for jumbo field objects: a small memory LRU in front of a disk LRU.

A decider replays its whole history on every decision task, so each jumbo
field it meets is read again and again; this cache makes that one S3 request
per object. Objects never change (their keys are fresh uuids), so entries
never expire: they are only evicted, least recently used first.

The disk cache is a directory other processes of this host can reach, so
nothing read from it is trusted: rows hold raw bytes only (``_RawBytesDisk``
refuses any other mode, so diskcache never unpickles a row nor opens a file
outside the directory), and a directory another user owns or can write is
not used at all (``untrusted_reason``).

Environment, read when the cache is first used in a process:

- ``SIMPLEFLOW_JUMBO_FIELDS_CACHE``: ``0`` turns the disk cache off.
- ``SIMPLEFLOW_JUMBO_FIELDS_CACHE_DIR``: its directory, ``/tmp/simpleflow-cache``.
- ``SIMPLEFLOW_JUMBO_FIELDS_CACHE_SIZE``: its size in bytes, 1 GB (``0`` turns it off).
- ``SIMPLEFLOW_JUMBO_FIELDS_MEMORY_CACHE_SIZE``: the memory LRU's size in
  bytes, 64 MiB (``0`` turns it off).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import stat
import threading
import zlib
from collections import OrderedDict
from collections.abc import Iterator

import diskcache
import diskcache.core

from simpleflow import settings, utils

logger = logging.getLogger(__name__)

CACHE_ENV = "SIMPLEFLOW_JUMBO_FIELDS_CACHE"
CACHE_DIR_ENV = "SIMPLEFLOW_JUMBO_FIELDS_CACHE_DIR"
CACHE_SIZE_ENV = "SIMPLEFLOW_JUMBO_FIELDS_CACHE_SIZE"
MEMORY_CACHE_SIZE_ENV = "SIMPLEFLOW_JUMBO_FIELDS_MEMORY_CACHE_SIZE"
DEFAULT_CACHE_DIR = "/tmp/simpleflow-cache"
DEFAULT_CACHE_SIZE = 1_000_000_000
DEFAULT_MEMORY_CACHE_SIZE = 64 * 1024 * 1024
# Values up to this many bytes live in the database, larger ones in files of the directory.
_MIN_FILE_SIZE = 1 << 15
# The names diskcache gives its value files: two levels of hex folders, then hex.val.
_VALUE_FILE = re.compile(r"[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{28}\.val")


class UnsafeRow(ValueError):
    """A disk cache row this cache never writes: a pickled value, text, a key or file name of another form."""


class _RawBytesDisk(diskcache.Disk):
    """diskcache's serializer, limited to string keys and raw byte values.

    diskcache's own ``Disk`` unpickles any row stored in its pickle mode and
    opens whatever file name a row gives; whoever can write the database
    could then run code in, or read files through, every process using it.
    Here a row of any other shape raises ``UnsafeRow`` and is never decoded.
    """

    def __init__(self, directory: str, **_settings: object) -> None:
        # Settings read back from the database (disk_min_file_size...) are ignored.
        super().__init__(directory, min_file_size=_MIN_FILE_SIZE, pickle_protocol=0)
        self._written = threading.local()  # the value file this thread's current write created

    def filename(self, key: object = diskcache.core.UNKNOWN, value: object = None) -> tuple[str, str]:
        name, full_path = super().filename(key, value)
        self._written.name = name
        return name, full_path

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Around a ``Cache.set``: a value file it created but recorded in no row (a full disk, the database
        refusing the row) is removed. diskcache leaves it, and its LRU would never count nor evict it."""
        self._written.name = None
        try:
            yield
        except BaseException:
            if self._written.name is not None:
                self.remove(self._written.name)
            raise
        finally:
            self._written.name = None

    def put(self, key: object) -> tuple[str, bool]:
        if type(key) is not str:
            raise TypeError(f"jumbo cache keys are strings, not {type(key).__name__}")
        return key, True

    def get(self, key: object, raw: bool) -> str:
        if not raw or type(key) is not str:
            raise UnsafeRow("a key that is not raw text")
        return key

    def store(self, value: object, read: bool, key: object = diskcache.core.UNKNOWN) -> tuple:
        if type(value) is not bytes:
            raise TypeError(f"the jumbo cache stores bytes, not {type(value).__name__}")
        return super().store(value, False, key=key)

    def fetch(self, mode: int, filename: str | None, value: object, read: bool) -> bytes:
        if mode == diskcache.core.MODE_RAW and isinstance(value, (bytes, memoryview)):
            return bytes(value)
        if mode == diskcache.core.MODE_BINARY and _is_value_file(filename) and not read:
            with open(os.path.join(self._directory, filename), "rb") as reader:  # type: ignore[arg-type]
                return reader.read()
        raise UnsafeRow(f"a row in diskcache mode {mode!r}, not raw bytes")

    def remove(self, file_path: str) -> None:
        if _is_value_file(file_path):  # never a path a row made up
            super().remove(file_path)


def _is_value_file(filename: object) -> bool:
    return isinstance(filename, str) and _VALUE_FILE.fullmatch(filename) is not None


def untrusted_reason(directory: str) -> str | None:
    """Why *directory* must not hold the disk cache, or None when it may (``utils.untrusted_reason``, and a
    ``cache.db`` in it, if any, must be a file of this user's that only it can write)."""
    reason = utils.untrusted_reason(directory)
    if reason is not None or not hasattr(os, "geteuid"):
        return reason
    database = os.path.join(os.path.realpath(directory), "cache.db")
    try:
        if os.path.lexists(database):
            db = os.lstat(database)
            if not stat.S_ISREG(db.st_mode) or db.st_uid != os.geteuid() or db.st_mode & 0o022:
                return "holds a cache.db that is not a file of this user's that only it can write"
    except OSError as error:
        return f"cannot be checked: {error}"
    return None


def _prepare_directory(directory: str) -> None:
    """Create *directory*, and any missing folder above it, for this user alone (0700)."""
    missing: list[str] = []
    path = os.path.abspath(directory)
    while not os.path.lexists(path):
        missing.append(path)
        path = os.path.dirname(path)
    for path in reversed(missing):
        try:
            os.mkdir(path, 0o700)  # umask can only take permissions away
        except FileExistsError:
            pass


_warned: set[str] = set()


class _MemoryLRU:
    """Decoded texts by cache key, the least recently used dropped past *budget* bytes."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.used = 0
        self._items: OrderedDict[str, tuple[str, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> str | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            self._items.move_to_end(key)
            return item[0]

    def put(self, key: str, text: str, nbytes: int) -> None:
        if nbytes > self.budget:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.used -= old[1]
            self._items[key] = (text, nbytes)
            self.used += nbytes
            while self.used > self.budget:
                _, (_, dropped) = self._items.popitem(last=False)
                self.used -= dropped


class _ProcessCaches:
    """The caches of one process: diskcache handles do not survive a fork."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.memory = _MemoryLRU(settings.get(MEMORY_CACHE_SIZE_ENV))
        self.disk: diskcache.Cache | None = None
        self.rejected = 0  # disk rows refused as not raw bytes (UnsafeRow)
        self.writes_failing = False  # the last disk write failed (a full disk): the next failures are not news
        size = settings.get(CACHE_SIZE_ENV)
        if not settings.get(CACHE_ENV) or size == 0:  # 0 bytes: each entry would be written, then evicted at once
            return
        directory = settings.get(CACHE_DIR_ENV) or DEFAULT_CACHE_DIR
        try:
            _prepare_directory(directory)
            reason = untrusted_reason(directory)
            if reason is not None:
                if directory not in _warned:
                    _warned.add(directory)
                    logger.warning(
                        "jumbo fields: not using the disk cache %s: it %s (set %s to a directory of your own)",
                        directory,
                        reason,
                        CACHE_DIR_ENV,
                    )
                return
            self.disk = diskcache.Cache(
                directory, size_limit=size, eviction_policy="least-recently-used", disk=_RawBytesDisk
            )
        except Exception as error:  # a corrupt database, a read-only directory...
            logger.warning("jumbo fields: disk cache %s unusable, going without it: %s", directory, error)


_lock = threading.Lock()
_caches: _ProcessCaches | None = None


def _current() -> _ProcessCaches:
    global _caches
    caches = _caches
    if caches is None or caches.pid != os.getpid():
        with _lock:
            if _caches is None or _caches.pid != os.getpid():
                _caches = _ProcessCaches()
            caches = _caches
    return caches


def close() -> None:
    """Close this process's disk cache and empty its memory cache.

    The next read opens them again from the environment as it is then.
    """
    global _caches
    with _lock:
        caches, _caches = _caches, None
    if caches is not None and caches.disk is not None and caches.pid == os.getpid():
        caches.disk.close()


def rejected_rows() -> int:
    """How many disk cache rows this process refused because they were not raw bytes."""
    return _current().rejected


def cache_key(bucket: str, key: str) -> str:
    """The cache's key for an object: a digest, so no S3 key names a path of ours."""
    return "jumbo/" + hashlib.sha256(f"{bucket}/{key}".encode()).hexdigest()


def get(bucket: str, key: str, size: int) -> str | None:
    """The cached text of *key* in *bucket*, or None when it must come from S3.

    A disk entry whose length is not *size* (in bytes, or in characters as
    simpleflow wrote it) or whose checksum does not match is dropped, and so
    is anything diskcache fails to read: the caller fetches it again.
    """
    caches = _current()
    ckey = cache_key(bucket, key)
    text = caches.memory.get(ckey)
    if text is not None or caches.disk is None:
        return text
    try:
        data, checksum = caches.disk.get(ckey, tag=True, retry=True)
        if data is None:
            return None
        if not isinstance(data, bytes) or checksum != zlib.crc32(data):
            raise ValueError("checksum mismatch")
        text = data.decode()
        if len(data) != size and len(text) != size:
            raise ValueError(f"{len(data)} bytes where the reference says {size}")
    except UnsafeRow as error:
        caches.rejected += 1
        logger.warning(
            "jumbo fields: refusing disk cache entry for s3://%s/%s (%s); reading it from S3", bucket, key, error
        )
        _discard(caches.disk, ckey)
        return None
    except Exception as error:
        logger.warning("jumbo fields: dropping disk cache entry for s3://%s/%s: %s", bucket, key, error)
        _discard(caches.disk, ckey)
        return None
    caches.memory.put(ckey, text, len(data))
    return text


def put(bucket: str, key: str, text: str, data: bytes) -> None:
    """Cache *text*, whose UTF-8 encoding is *data*, for *key* in *bucket*."""
    caches = _current()
    ckey = cache_key(bucket, key)
    caches.memory.put(ckey, text, len(data))
    if caches.disk is None:
        return
    try:
        with caches.disk.disk.writing():
            caches.disk.set(ckey, data, tag=zlib.crc32(data), retry=True)
    except Exception as error:  # a full disk is no reason to fail a task
        # Said once, not at every object read while the disk stays full (a decider reads many).
        level = logging.DEBUG if caches.writes_failing else logging.WARNING
        caches.writes_failing = True
        logger.log(
            level,
            "jumbo fields: cannot write disk cache entry for s3://%s/%s: %s (further failures logged at DEBUG "
            "until a write succeeds)",
            bucket,
            key,
            error,
        )
    else:
        caches.writes_failing = False


def _discard(disk: diskcache.Cache, ckey: str) -> None:
    try:
        disk.delete(ckey, retry=True)
    except Exception as error:
        logger.warning("jumbo fields: cannot drop disk cache entry %s: %s", ckey, error)
