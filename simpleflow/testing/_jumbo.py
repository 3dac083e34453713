"""Jumbo fields kept in memory: what a test's oversize fields are written to instead of S3."""

from __future__ import annotations

import threading


class NoSuchKey(Exception):
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
