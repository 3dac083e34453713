"""Tables and single values rendered in every output format the CLI accepts."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone

import pytest

from simpleflow.cli.output import FORMATS, format_table
from simpleflow.swf import stats
from simpleflow.swf.inspection import task_table
from tests.history_builder import HistoryBuilder

HEADERS = ["Task", "Time", "Seconds", "Input"]
WHEN = datetime(2024, 5, 1, 12, 30, 15, tzinfo=timezone.utc)
ROWS = [
    ["activity-a-1", WHEN, 1.5, {"args": [1], "kwargs": {}}],
    ["activity-b-1", None, 2, None],
]


def test_json_with_header_is_a_list_of_objects_with_iso_times():
    data = json.loads(format_table(HEADERS, ROWS, "json"))
    assert data == [
        {"Task": "activity-a-1", "Time": "2024-05-01T12:30:15Z", "Seconds": 1.5, "Input": {"args": [1], "kwargs": {}}},
        {"Task": "activity-b-1", "Time": None, "Seconds": 2, "Input": None},
    ]


def test_json_without_header_is_a_list_of_lists():
    data = json.loads(format_table(HEADERS, ROWS, "json", header=False))
    assert data[1] == ["activity-b-1", None, 2, None]


def test_csv_parses_back_with_a_header_line():
    lines = list(csv.reader(io.StringIO(format_table(HEADERS, ROWS, "csv"))))
    assert lines[0] == HEADERS
    assert lines[1] == ["activity-a-1", "2024-05-01T12:30:15Z", "1.5", '{"args": [1], "kwargs": {}}']
    assert lines[2] == ["activity-b-1", "", "2", ""]
    assert len(lines) == 3


def test_csv_without_header_has_only_the_rows():
    lines = list(csv.reader(io.StringIO(format_table(HEADERS, ROWS, "csv", header=False))))
    assert [line[0] for line in lines] == ["activity-a-1", "activity-b-1"]


def test_tsv_is_tab_separated_values_without_padding_as_simpleflow_writes_them():
    lines = format_table(HEADERS, ROWS, "tsv", header=False).splitlines()
    assert lines[1].split("\t") == ["activity-b-1", "", "2", ""]
    assert lines[0].split("\t")[0] == "activity-a-1"  # `cut -f1` gives the id, no trailing space


def test_human_shows_one_record_as_name_value_lines_and_several_as_a_table():
    lines = format_table(HEADERS, ROWS[:1], "human").splitlines()
    assert [line.split(None, 1)[0] for line in lines] == HEADERS
    assert lines[0].split() == ["Task", "activity-a-1"]
    table = format_table(HEADERS, ROWS, "human").splitlines()
    assert table[0].split() == HEADERS and len(table) == 4  # headers, rule, two rows
    pairs = format_table(HEADERS, ROWS[:1], "human", header=False).splitlines()
    assert pairs[0].split() == ["activity-a-1", "2024-05-01", "12:30:15", "1.5", '{"args":', "[1],", '"kwargs":', "{}}"]


def test_tabulate_formats_show_headers_only_when_asked():
    with_header = format_table(HEADERS, ROWS, "simple")
    without = format_table(HEADERS, ROWS, "simple", header=False)
    assert with_header.splitlines()[0].split() == HEADERS
    assert "Task" not in without
    assert "2024-05-01 12:30:15" in without


def test_every_listed_format_renders():
    for fmt in FORMATS:
        assert "activity-a-1" in format_table(HEADERS, ROWS, fmt), fmt


def test_an_unknown_format_names_the_valid_ones():
    with pytest.raises(ValueError) as caught:
        format_table(HEADERS, ROWS, "yaml")
    message = str(caught.value)
    assert "'yaml'" in message
    for name in ("json", "csv", "simple", "github"):
        assert name in message


def test_task_info_renders_as_json_and_csv():
    b = HistoryBuilder()
    b.decision()
    scheduled = b.schedule_activity("activity-a-1", "pkg.a", input={"args": [3], "kwargs": {}})
    b.complete_activity(scheduled, result={"value": 9})
    headers, rows = task_table(stats.task_info(b.events, "activity-a-1"), more=True)
    [decoded] = json.loads(format_table(headers, rows, "json"))
    assert decoded["result"] == {"value": 9}
    assert decoded["timestamp"].endswith("Z")
    header, values = csv.reader(io.StringIO(format_table(headers, rows, "csv")))
    as_csv = dict(zip(header, values))
    assert as_csv["state"] == "completed"
    assert json.loads(as_csv["input"]) == {"args": [3], "kwargs": {}}


def test_profile_rows_render_as_parseable_json():
    b = HistoryBuilder()
    b.decision()
    scheduled = b.schedule_activity("activity-a-1", "pkg.a")
    b.complete_activity(scheduled)
    headers, rows = stats.profile_rows(b.events)
    (row,) = json.loads(format_table(headers, rows, "json"))
    assert row["Task"] == "activity-a-1"
    assert row["Time Running"] == 1.0
