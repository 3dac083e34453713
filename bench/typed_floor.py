"""The floor of a cold replay with typed events, beside today's floor with dict events, in one process.

    python3 bench/typed_floor.py [--rounds N] [HISTORY]

What any replay of the history pays whatever its engine (as ``replay_parts.py --floor`` times it): the
parse, a walk reading each event's id, a settled ``Future`` per completed activity with its result decoded,
and freeing the events. Timed twice, alternated round by round:

- dict: orjson's parse into the plain dicts the engine folds today (boto3 gives the same shape);
- typed: msgspec's parse straight into one ``Struct`` class per event type (a tagged union on
  ``eventType``), its attributes a ``Struct`` too: no dict per event or per attribute block.

Only the event types of ``gen_history.py``'s Chain histories are declared: this measures what another
data model for the fold would start from, it is not one. Needs msgspec (not a dependency of simpleflow):
``pip install msgspec``.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path
from typing import Union

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent))

try:
    import msgspec
except ImportError:
    sys.exit("bench/typed_floor.py needs msgspec: pip install msgspec")

import orjson  # noqa: E402

from simpleflow import format, futures  # noqa: E402
from simpleflow.history import attributes_key  # noqa: E402


class Named(msgspec.Struct, gc=False):
    name: str


class TypeRef(msgspec.Struct, gc=False):
    name: str
    version: str


class Scheduled(msgspec.Struct, gc=False):
    activityType: TypeRef  # noqa: N815 - SWF's names, as the JSON has them
    activityId: str  # noqa: N815
    decisionTaskCompletedEventId: int  # noqa: N815
    input: str | None = None
    control: str | None = None
    taskList: Named | None = None  # noqa: N815
    scheduleToStartTimeout: str | None = None  # noqa: N815
    scheduleToCloseTimeout: str | None = None  # noqa: N815
    startToCloseTimeout: str | None = None  # noqa: N815
    heartbeatTimeout: str | None = None  # noqa: N815


class Started(msgspec.Struct, gc=False):
    scheduledEventId: int  # noqa: N815
    identity: str | None = None


class Completed(msgspec.Struct, gc=False):
    scheduledEventId: int  # noqa: N815
    startedEventId: int  # noqa: N815
    result: str | None = None


class DecisionCompleted(msgspec.Struct, gc=False):
    scheduledEventId: int  # noqa: N815
    startedEventId: int  # noqa: N815
    executionContext: str | None = None  # noqa: N815


class Event(msgspec.Struct, gc=False, tag_field="eventType"):
    eventId: int  # noqa: N815
    eventTimestamp: float  # noqa: N815


class ActivityTaskScheduled(Event, tag="ActivityTaskScheduled"):
    activityTaskScheduledEventAttributes: Scheduled  # noqa: N815


class ActivityTaskStarted(Event, tag="ActivityTaskStarted"):
    activityTaskStartedEventAttributes: Started  # noqa: N815


class ActivityTaskCompleted(Event, tag="ActivityTaskCompleted"):
    activityTaskCompletedEventAttributes: Completed  # noqa: N815


class DecisionTaskScheduled(Event, tag="DecisionTaskScheduled"):
    decisionTaskScheduledEventAttributes: dict  # noqa: N815


class DecisionTaskStarted(Event, tag="DecisionTaskStarted"):
    decisionTaskStartedEventAttributes: Started  # noqa: N815


class DecisionTaskCompleted(Event, tag="DecisionTaskCompleted"):
    decisionTaskCompletedEventAttributes: DecisionCompleted  # noqa: N815


class WorkflowExecutionStarted(Event, tag="WorkflowExecutionStarted"):
    workflowExecutionStartedEventAttributes: dict  # noqa: N815


AnyEvent = Union[  # noqa: UP007 - msgspec reads the union from this form on every Python we support
    ActivityTaskScheduled,
    ActivityTaskStarted,
    ActivityTaskCompleted,
    DecisionTaskScheduled,
    DecisionTaskStarted,
    DecisionTaskCompleted,
    WorkflowExecutionStarted,
]


class Document(msgspec.Struct, gc=False):
    events: list[AnyEvent]


def floor_dict(raw: bytes) -> tuple[float, float, float]:
    start = time.perf_counter()
    events = orjson.loads(raw)["events"]
    parsed = time.perf_counter()
    keys: dict[str, str] = {}
    for event in events:
        etype = event["eventType"]
        key = keys.get(etype) or keys.setdefault(etype, attributes_key(etype))
        event.get(key), event["eventId"]
    settled = []
    for event in events:
        if event["eventType"] == "ActivityTaskCompleted":
            future = futures.Future()
            future.set_finished(format.loads(event["activityTaskCompletedEventAttributes"].get("result")))
            settled.append(future)
    walked = time.perf_counter()
    del events, settled
    return parsed - start, walked - parsed, time.perf_counter() - walked


def floor_typed(raw: bytes, decoder: msgspec.json.Decoder) -> tuple[float, float, float]:
    start = time.perf_counter()
    events = decoder.decode(raw).events
    parsed = time.perf_counter()
    for event in events:
        event.eventId  # noqa: B018 - read, as the dict walk reads it
    settled = []
    for event in events:
        if event.__class__ is ActivityTaskCompleted:
            future = futures.Future()
            future.set_finished(format.loads(event.activityTaskCompletedEventAttributes.result))
            settled.append(future)
    walked = time.perf_counter()
    del events, settled
    return parsed - start, walked - parsed, time.perf_counter() - walked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("history", nargs="?", type=Path, default=BENCH_DIR / "out" / "history-Chain-4000-4000.json")
    parser.add_argument("--rounds", type=int, default=21)
    args = parser.parse_args()
    raw = args.history.read_bytes()
    decoder = msgspec.json.Decoder(Document)
    times: dict[str, list[tuple[float, float, float]]] = {"dict": [], "typed": []}
    gc.disable()  # as a replay holds the collector off
    for n in range(args.rounds):
        order = ("dict", "typed") if n % 2 else ("typed", "dict")
        for name in order:
            times[name].append(floor_dict(raw) if name == "dict" else floor_typed(raw, decoder))
    print(f"{'events':8} {'parse':>7} {'walk':>7} {'free':>7} {'total':>7}  (ms, medians of {args.rounds})")
    for name, rounds in times.items():
        parts = [statistics.median(column) * 1000 for column in zip(*rounds)]
        total = statistics.median(sum(r) for r in rounds) * 1000
        print(f"{name:8} {parts[0]:7.1f} {parts[1]:7.1f} {parts[2]:7.1f} {total:7.1f}")


if __name__ == "__main__":
    main()
