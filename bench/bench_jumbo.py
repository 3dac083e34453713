"""Jumbo fields against a moto server's S3: encode, cold and cached decodes, next to a plain boto3 get.

Run from anywhere: ``python3 bench/bench_jumbo.py [--size BYTES] [--runs N]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.moto_server import MotoServer  # noqa: E402


def median_ms(runs: int, step: Callable[[int], object]) -> float:
    """Median wall time of *step(i)* over *runs* calls, in milliseconds."""
    times = []
    for i in range(runs):
        start = time.perf_counter()
        step(i)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=1_000_000, help="field size in characters (1 MB)")
    parser.add_argument("--runs", type=int, default=20, help="repetitions per measure (20)")
    args = parser.parse_args()

    server = MotoServer()
    server.start()
    server.apply_environ()
    cache_dir = tempfile.mkdtemp(prefix="bench-jumbo-")
    bucket = f"bench-{uuid.uuid4().hex[:8]}"
    os.environ["SIMPLEFLOW_JUMBO_FIELDS_BUCKET"] = f"{bucket}/bench"
    os.environ["SIMPLEFLOW_JUMBO_FIELDS_CACHE_DIR"] = cache_dir
    try:
        run(bucket, args.size, args.runs)
    finally:
        server.stop()


def run(bucket: str, size: int, runs: int) -> None:
    import boto3

    from simpleflow import jumbo
    from simpleflow.jumbo import _s3

    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=bucket)
    text = '{"data": "' + "x" * (size - 12) + '"}'
    jumbo.encode(text, "result")  # warm up the client and the cache files

    references: list[str] = []
    encode_ms = median_ms(runs, lambda i: references.append(jumbo.encode(text, "result")))
    reference = references[0]
    key = reference[len(jumbo.PREFIX) + len(bucket) + 1 :].split()[0]

    # Cold: objects no cache has seen, put there by plain boto3.
    cold_keys = [f"cold/{i}" for i in range(runs)]
    for cold_key in cold_keys:
        s3.put_object(Bucket=bucket, Key=cold_key, Body=text.encode())
    cold_ms = median_ms(runs, lambda i: jumbo.decode(f"{jumbo.PREFIX}{bucket}/{cold_keys[i]} {len(text)}"))

    memory_ms = median_ms(runs, lambda i: jumbo.decode(reference))

    # Disk: no memory cache, as in a fresh process.
    os.environ["SIMPLEFLOW_JUMBO_FIELDS_MEMORY_CACHE_SIZE"] = "0"
    jumbo.close_caches()
    disk_ms = median_ms(runs, lambda i: jumbo.decode(reference))
    del os.environ["SIMPLEFLOW_JUMBO_FIELDS_MEMORY_CACHE_SIZE"]
    jumbo.close_caches()

    gets = []
    _s3.client().meta.events.register("before-send.s3.GetObject", lambda **kw: gets.append(1))
    plain_ms = median_ms(runs, lambda i: s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    plain_put_ms = median_ms(runs, lambda i: s3.put_object(Bucket=bucket, Key=f"plain/{i}", Body=text.encode()))

    plain_events = [
        {"eventId": i, "eventType": "ActivityTaskCompleted", "activityTaskCompletedEventAttributes": {"result": "42"}}
        if i % 3
        else {"eventId": i, "eventType": "ActivityTaskScheduled", "activityTaskScheduledEventAttributes": {}}
        for i in range(24_000)
    ]
    events_ms = median_ms(runs, lambda i: jumbo.decode_events(plain_events))

    def replay_with_jumbo(_: int) -> None:
        events = [
            {"eventType": "ActivityTaskCompleted", "activityTaskCompletedEventAttributes": {"result": reference}}
            for _ in range(200)
        ]
        jumbo.decode_events(plain_events + events)

    os.environ["SIMPLEFLOW_JUMBO_FIELDS_CACHE_DIR"] = tempfile.mkdtemp(prefix="bench-jumbo-replay-")
    jumbo.close_caches()
    replay_ms = median_ms(runs, replay_with_jumbo)

    print(f"field: {len(text.encode()):,} bytes; median of {runs} runs; moto server S3 on 127.0.0.1")
    rows = [
        ("plain boto3 get_object + read", plain_ms),
        ("plain boto3 put_object", plain_put_ms),
        ("encode (S3 put + cache fill)", encode_ms),
        ("decode cold (S3 get + cache fill)", cold_ms),
        ("decode, memory cache hit", memory_ms),
        ("decode, disk cache hit", disk_ms),
    ]
    for label, ms in rows:
        print(f"  {label:<38} {ms:10.3f} ms   {ms / plain_ms:10.4f} x plain get")
    print(f"  {'decode_events, 24,000 plain events':<38} {events_ms:10.3f} ms")
    print(
        f"  {'  + 200 references to one object':<38} {replay_ms:10.3f} ms   "
        f"({len(gets)} S3 GetObject over {runs} replays, empty caches before the first)"
    )


if __name__ == "__main__":
    main()
