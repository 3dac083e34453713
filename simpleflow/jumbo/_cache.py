"""Read cache for jumbo field objects: a small memory LRU in front of a disk LRU.

A decider replays its whole history on every decision task, so each jumbo
field it meets is read again and again; this cache makes that one S3 request
per object. Objects never change (their keys are fresh uuids), so entries
never expire: they are only evicted, least recently used first.

Environment, read when the cache is first used in a process:

- ``SIMPLEFLOW_JUMBO_FIELDS_CACHE``: ``0`` turns the disk cache off.
- ``SIMPLEFLOW_JUMBO_FIELDS_CACHE_DIR``: its directory, ``/tmp/simpleflow-cache``.
- ``SIMPLEFLOW_JUMBO_FIELDS_CACHE_SIZE``: its size in bytes, 1 GB.
- ``SIMPLEFLOW_JUMBO_FIELDS_MEMORY_CACHE_SIZE``: the memory LRU's size in
  bytes, 64 MiB (``0`` turns it off).
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import zlib
from collections import OrderedDict

import diskcache

from simpleflow import settings
from simpleflow.settings import default as default_settings

logger = logging.getLogger(__name__)

CACHE_ENV = "SIMPLEFLOW_JUMBO_FIELDS_CACHE"
CACHE_DIR_ENV = "SIMPLEFLOW_JUMBO_FIELDS_CACHE_DIR"
CACHE_SIZE_ENV = "SIMPLEFLOW_JUMBO_FIELDS_CACHE_SIZE"
MEMORY_CACHE_SIZE_ENV = "SIMPLEFLOW_JUMBO_FIELDS_MEMORY_CACHE_SIZE"
DEFAULT_CACHE_DIR = default_settings.SIMPLEFLOW_JUMBO_FIELDS_CACHE_DIR


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
        if not settings.get(CACHE_ENV):
            return
        directory = settings.get(CACHE_DIR_ENV) or DEFAULT_CACHE_DIR
        size = settings.get(CACHE_SIZE_ENV)
        try:
            self.disk = diskcache.Cache(directory, size_limit=size, eviction_policy="least-recently-used")
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
        # Values are stored as raw bytes, so diskcache never unpickles what it reads back.
        data, checksum = caches.disk.get(ckey, tag=True, retry=True)
        if data is None:
            return None
        if not isinstance(data, bytes) or checksum != zlib.crc32(data):
            raise ValueError("checksum mismatch")
        text = data.decode()
        if len(data) != size and len(text) != size:
            raise ValueError(f"{len(data)} bytes where the reference says {size}")
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
        caches.disk.set(ckey, data, tag=zlib.crc32(data), retry=True)
    except Exception as error:  # a full disk is no reason to fail a task
        logger.warning("jumbo fields: cannot write disk cache entry for s3://%s/%s: %s", bucket, key, error)


def _discard(disk: diskcache.Cache, ckey: str) -> None:
    try:
        disk.delete(ckey, retry=True)
    except Exception as error:
        logger.warning("jumbo fields: cannot drop disk cache entry %s: %s", ckey, error)
