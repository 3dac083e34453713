"""The SVG timeline: well-formed, one row per task, bars coloured by final state, escaped text."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

from simpleflow.swf import timeline
from tests.history_builder import HistoryBuilder
from tests.swf.test_stats import mixed_history

SVG = "{http://www.w3.org/2000/svg}"
COLOURS = timeline.CATEGORY_COLOURS


def parse(text: str) -> ET.Element:
    return ET.fromstring(text)


def task_groups(root: ET.Element) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == "task"]


def bars(group: ET.Element, kind: str) -> list[ET.Element]:
    return [r for r in group.iter(f"{SVG}rect") if r.get("class") == kind]


def every_state_history() -> HistoryBuilder:
    b = mixed_history()  # a, b (retried) completed, timer-1 fired, c still running
    b.decision()
    late = b.schedule_activity("activity-late-1", "pkg.late")
    b.tick(4)
    b.timeout_activity(late, "SCHEDULE_TO_START")
    stopped = b.schedule_activity("activity-stopped-1", "pkg.stopped")
    b.start_activity(stopped)
    b.cancel_activity(stopped)
    broken = b.schedule_activity("activity-broken-1", "pkg.broken")
    b.tick(2)
    b.fail_activity(broken)
    return b


def test_the_svg_is_well_formed_with_one_row_per_task_in_first_seen_order():
    root = parse(timeline.svg_text(every_state_history().events))
    assert root.tag == f"{SVG}svg"
    ids = [g.get("data-task-id") for g in task_groups(root)]
    assert ids == [
        "activity-a-1",
        "activity-b-1",
        "timer-1",
        "activity-c-1",
        "activity-late-1",
        "activity-stopped-1",
        "activity-broken-1",
    ]


def test_running_bars_are_coloured_by_final_state():
    root = parse(timeline.svg_text(every_state_history().events))
    colour_of = {}
    for group in task_groups(root):
        drawn = bars(group, "running") or bars(group, "waiting")
        colour_of[group.get("data-task-id")] = {r.get("fill") for r in drawn}
    assert colour_of["activity-a-1"] == {COLOURS["completed"]}
    assert colour_of["activity-c-1"] == {COLOURS["running"]}
    assert colour_of["activity-late-1"] == {COLOURS["timed out"]}
    assert colour_of["activity-stopped-1"] == {COLOURS["canceled"]}
    assert colour_of["activity-broken-1"] == {COLOURS["failed"]}
    assert len(set(COLOURS.values())) == len(COLOURS)


def test_waiting_and_running_are_distinct_bars():
    root = parse(timeline.svg_text(mixed_history().events))
    group = next(g for g in task_groups(root) if g.get("data-task-id") == "activity-a-1")
    (waiting,) = bars(group, "waiting")
    (running,) = bars(group, "running")
    # a waits 2 s (4 -> 6) then runs 10 s (6 -> 16): the running bar starts where waiting ends, 5x as long
    assert abs(float(waiting.get("x")) + float(waiting.get("width")) - float(running.get("x"))) < 0.2
    assert abs(float(running.get("width")) / float(waiting.get("width")) - 5) < 0.1
    assert float(waiting.get("height")) < float(running.get("height"))
    assert waiting.get("fill-opacity") is not None and running.get("fill-opacity") is None


def test_a_task_that_never_started_has_no_running_bar():
    root = parse(timeline.svg_text(every_state_history().events))
    group = next(g for g in task_groups(root) if g.get("data-task-id") == "activity-late-1")
    assert bars(group, "running") == []
    assert len(bars(group, "waiting")) == 1


def test_the_time_axis_has_labelled_ticks_from_zero():
    root = parse(timeline.svg_text(mixed_history().events))  # 53 s of history
    labels_group = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "tick-labels")
    labels = [t.text for t in labels_group.iter(f"{SVG}text")]
    assert labels == ["0s", "10s", "20s", "30s", "40s", "50s"]


def test_the_legend_names_every_state_category():
    root = parse(timeline.svg_text(mixed_history().events))
    legend = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "legend")
    text = " ".join(t.text for t in legend.iter(f"{SVG}text"))
    for name in ("completed", "failed", "timed out", "canceled", "still running", "waiting", "running ("):
        assert name in text
    fills = {r.get("fill") for r in legend.iter(f"{SVG}rect")}
    assert set(COLOURS.values()) <= fills


def test_task_ids_are_escaped():
    b = HistoryBuilder()
    b.decision()
    b.complete_activity(b.schedule_activity('activity-<b>&"q"-1', "pkg.x"))
    root = parse(timeline.svg_text(b.events))  # would not parse if unescaped
    (group,) = task_groups(root)
    assert group.get("data-task-id") == 'activity-<b>&"q"-1'
    assert next(group.iter(f"{SVG}text")).text == 'activity-<b>&"q"-1'


def test_nb_tasks_keeps_the_most_recent_rows():
    root = parse(timeline.svg_text(mixed_history().events, nb_tasks=2))
    assert [g.get("data-task-id") for g in task_groups(root)] == ["timer-1", "activity-c-1"]


def test_render_svg_writes_to_a_path_or_a_stream(tmp_path):
    events = mixed_history().events
    path = tmp_path / "timeline.svg"
    timeline.render_svg(events, path)
    stream = io.StringIO()
    timeline.render_svg(events, stream)
    assert path.read_text(encoding="utf-8") == stream.getvalue()
    assert len(task_groups(parse(stream.getvalue()))) == 4


def test_an_execution_without_tasks_still_draws():
    root = parse(timeline.svg_text(HistoryBuilder().events))
    assert task_groups(root) == []
    assert any(t.get("class") == "empty" for t in root.iter(f"{SVG}text"))
