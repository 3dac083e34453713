"""Jumbo fields kept in memory: what a test's oversize fields are written to instead of S3 (``MemoryStore``), and
the process-wide settings that send them there while an environment runs (``Routing``)."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from simpleflow import jumbo
from simpleflow.exceptions import PicklesAsIs

MEMORY_BUCKET = "simpleflow-test-memory"  # the bucket jumbo field references name in the in-memory store
_SETTINGS = (jumbo.BUCKET_ENV, "SIMPLEFLOW_JUMBO_FIELDS_CACHE")
_UNSET = object()


class NoSuchKey(PicklesAsIs, Exception):
    """An object the store does not hold, shaped as botocore's error (``response["Error"]["Code"]``)."""

    def __init__(self, bucket: str, key: str) -> None:
        super().__init__(f"s3://{bucket}/{key}: no such key in the in-memory store")
        self.response = {"Error": {"Code": "NoSuchKey", "Message": str(self)}}


class MemoryStore:
    """S3's PutObject and GetObject over a dict: ``objects[(bucket, key)]`` holds the bytes written."""

    def __init__(self) -> None:
        self.objects: dict[tuple[str, str], bytes] = {}
        self._lock = threading.Lock()

    def put_object(self, bucket: str, key: str, data: bytes) -> None:
        with self._lock:
            self.objects[(bucket, key)] = bytes(data)

    def get_object(self, bucket: str, key: str) -> bytes:
        with self._lock:
            data = self.objects.get((bucket, key))
        if data is None:
            raise NoSuchKey(bucket, key)
        return data

    def texts(self) -> list[str]:
        """The objects' contents as text, in the order written."""
        with self._lock:
            return [data.decode() for data in self.objects.values()]


class Routing:
    """Where an environment's jumbo fields go: to its ``store``, or to S3 at ``s3_location``, through settings
    that are the whole process's (two environment variables and jumbo's store), so each change is put back.

    ``hold`` puts them in effect until ``put_back`` (an environment entered); ``during`` for one call of an
    environment that is not (nothing is left changed after it).
    """

    def __init__(self, store: MemoryStore) -> None:
        self.store = store
        self.s3_location: str | None = None
        self._held = False
        self._saved: dict[str, str | None] | None = None  # the settings as they were, while in effect
        self._previous_store: Any = _UNSET

    def hold(self) -> None:
        """Put the settings in effect until ``put_back``."""
        self._held = True
        if self._saved is None:
            self._apply()

    @contextmanager
    def during(self) -> Iterator[None]:
        """The settings in effect for the block: as they are if already so, else set and put back after it."""
        if self._saved is not None:
            yield
            return
        self._apply()
        try:
            yield
        finally:
            if not self._held:
                self.put_back()

    def moved(self) -> None:
        """``s3_location`` changed: what is in effect follows."""
        if self._saved is not None:
            self._configure()

    def put_back(self) -> None:
        """The settings as they were before; nothing is held any more."""
        self._held = False
        if self._saved is None:
            return
        for name, value in self._saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved = None
        jumbo.use_store(None if self._previous_store is _UNSET else self._previous_store)
        self._previous_store = _UNSET
        jumbo.close_caches()

    def _apply(self) -> None:
        self._saved = {name: os.environ.get(name) for name in _SETTINGS}
        self._configure()

    def _configure(self) -> None:
        os.environ["SIMPLEFLOW_JUMBO_FIELDS_CACHE"] = "0"  # a test's objects stay out of the disk cache
        os.environ[jumbo.BUCKET_ENV] = self.s3_location or MEMORY_BUCKET
        previous = jumbo.use_store(None if self.s3_location else self.store)
        if self._previous_store is _UNSET:
            self._previous_store = previous
        jumbo.close_caches()
