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


def retried_history() -> HistoryBuilder:
    """A task that fails, waits 60 s on its retry policy's timer, then completes; a workflow timer of 30 s;
    a child with simpleflow's generated id (a run hash in it) and an idempotent task (an md5 id)."""
    from simpleflow.engine import policy_timer_id

    b = HistoryBuilder()
    b.decision()
    task = "activity-examples.retry_policy.fetch_rates-1"
    b.fail_activity(b.schedule_activity(task, "examples.retry_policy.fetch_rates"), reason="ConnectionError: down")
    b.decision()
    b.start_timer(policy_timer_id(task, 2), 60)
    b.start_timer("wait", 30)
    b.tick(30)
    b.fire_timer("wait")
    b.tick(30)
    b.fire_timer(policy_timer_id(task, 2))
    b.decision()
    b.complete_activity(b.schedule_activity(task, "examples.retry_policy.fetch_rates"), result=1)
    child = "workflow-example_child-example_parent-ead9503aa84e4281843e098e4f62533e--5f3c0f2a9b8e4d1c--2"
    initiated = b.start_child_workflow(child, "examples.child.Child")
    b.start_child(initiated)
    b.complete_child(initiated)
    b.complete_activity(b.schedule_activity("activity-pkg.lookup-3c59dc048e8850243be8079a5c74d079", "pkg.lookup"))
    return b


def test_a_retry_policy_wait_is_drawn_on_its_tasks_row_not_as_a_completed_task():
    events = retried_history().events
    root = parse(timeline.svg_text(events))
    ids = [g.get("data-task-id") for g in task_groups(root)]
    assert not [i for i in ids if i.startswith("__simpleflow_retry_")]  # no row of its own
    group = next(
        g for g in task_groups(root) if g.get("data-task-id") == "activity-examples.retry_policy.fetch_rates-1"
    )
    (wait,) = bars(group, "retry-wait")
    assert wait.get("fill") == "none" and wait.get("stroke-dasharray")  # an outline, not a state colour
    assert [r.get("fill") for r in bars(group, "running")] == [COLOURS["failed"], COLOURS["completed"]]
    failed, completed = bars(group, "running")
    # the wait sits between the failed attempt and the next one, as long as its timer ran
    assert float(failed.get("x")) <= float(wait.get("x")) <= float(completed.get("x"))
    started, fired = (
        e["eventTimestamp"]
        for e in events
        if e["eventType"] in ("TimerStarted", "TimerFired") and "__simpleflow_retry_" in str(e)
    )
    span = events[-1]["eventTimestamp"] - events[0]["eventTimestamp"]
    assert abs(float(wait.get("width")) - (fired - started) / span * timeline._PLOT_WIDTH) < 1


def test_a_workflow_timer_is_drawn_as_a_timer_not_as_completed_work():
    root = parse(timeline.svg_text(retried_history().events))
    group = next(g for g in task_groups(root) if g.get("data-task-id") == "wait")
    assert {r.get("fill") for r in bars(group, "timer")} == {timeline.TIMER_COLOUR}
    assert bars(group, "running") == []
    legend = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "legend")
    text = " ".join(t.text for t in legend.iter(f"{SVG}text"))
    assert "timer (started \u2192 fired)" in text and "waiting to retry (retry policy)" in text


def test_labels_shorten_hashes_and_keep_the_end_that_tells_rows_apart():
    root = parse(timeline.svg_text(retried_history().events))
    labels = {g.get("data-task-id"): next(g.iter(f"{SVG}text")).text for g in task_groups(root)}
    child = "workflow-example_child-example_parent-ead9503aa84e4281843e098e4f62533e--5f3c0f2a9b8e4d1c--2"
    assert labels[child] == "workflow-example_child-example_parent-ead950\u2026--5f3c0f\u2026--2"
    assert labels["activity-pkg.lookup-3c59dc048e8850243be8079a5c74d079"] == "activity-pkg.lookup-3c59dc\u2026"
    assert (
        labels["activity-examples.retry_policy.fetch_rates-1"] == "activity-examples.retry_policy.fetch_rates-1 \u00d72"
    )
    assert all(len(label) <= timeline._MAX_LABEL + 3 for label in labels.values())
    tooltips = {g.get("data-task-id"): next(g.iter(f"{SVG}title")).text for g in task_groups(root)}
    assert tooltips[child].startswith(child)  # whole in the tooltip
