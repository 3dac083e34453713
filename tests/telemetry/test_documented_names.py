"""docs/observability.md names every ``simpleflow.outcome`` a span can have (live or rebuilt) and every
attribute of its span events."""

from __future__ import annotations

from pathlib import Path

import pytest

from simpleflow.telemetry import _records
from simpleflow.telemetry import names as n

DOC = Path(__file__).resolve().parents[2] / "docs" / "observability.md"


def row(span: str) -> str:
    return next(line for line in DOC.read_text().splitlines() if line.startswith(f"| `{span}"))


@pytest.mark.parametrize(
    ("span", "outcomes"),
    [
        ("workflow <type>", {*_records.CLOSING_EVENTS.values(), "open"}),
        ("decision_task", {"completed", "timed_out"}),
        ("activity <name>", {*_records._ACTIVITY_OUTCOMES.values(), "lost"}),
        ("child_workflow <type>", set(_records._CHILD_OUTCOMES.values())),
    ],
)
def test_the_span_table_names_every_outcome(span, outcomes):
    said = row(span).split("`simpleflow.outcome` (", 1)[1].split(")", 1)[0]
    assert {o for o in outcomes if o not in said} == set()


def test_the_span_events_attributes_are_documented():
    text = DOC.read_text()
    for name in (n.TIMER_ID, n.TIMER_SECONDS, n.SIGNAL_NAME, n.SIGNAL_TARGET):
        assert f"`{name}`" in text
