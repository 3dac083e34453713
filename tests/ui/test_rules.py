"""The UI's rules without a browser: who may change what, which filters mean what, what a history shows."""

from __future__ import annotations

import datetime
import subprocess
import sys

import pytest

from simpleflow.exceptions import UsageError
from simpleflow.ui.config import UISettings
from simpleflow.ui.execution import build_view, dag_spec_of
from simpleflow.ui.listing import ListFilters, _request, row_of
from simpleflow.ui.present import duration, pretty, traceback_text
from simpleflow.ui.security import csrf_value, host_allowed, read_refusal, refusal
from tests.history_builder import HistoryBuilder
from tests.swf_e2e_helpers import ROOT

SETTINGS = UISettings(("d",), token="secret-token")
OWN = "http://127.0.0.1:8233"


def _refusal(settings=SETTINGS, **changes):
    request = {"method": "POST", "cookie": "secret-token", "form_csrf": csrf_value("secret-token"), "origin": OWN}
    request.update(changes)
    return refusal(settings, own_origin=OWN, **request)


def test_a_change_needs_post_the_token_cookie_and_the_csrf_field_from_this_origin():
    assert _refusal() is None
    assert _refusal(origin=None) is None  # a browser that sends no Origin: the cookie and field still hold
    assert "POST only" in _refusal(method="GET")
    assert "no valid token" in _refusal(cookie=None)
    assert "no valid token" in _refusal(cookie="secret-toke")
    assert "CSRF" in _refusal(form_csrf=None)
    assert "CSRF" in _refusal(form_csrf="secret-token")  # the token itself is not the CSRF field
    assert "another origin" in _refusal(origin="http://evil.example")
    assert "opaque origin" in _refusal(origin="null")
    read_only = UISettings(("d",), token="secret-token", read_only=True)
    assert "read-only" in _refusal(settings=read_only)


def test_on_loopback_the_host_header_must_name_this_machine():
    assert host_allowed(SETTINGS, "127.0.0.1:8233")
    assert host_allowed(SETTINGS, "localhost:8233")
    assert host_allowed(SETTINGS, "[::1]:8233")
    assert not host_allowed(SETTINGS, "attacker.example:8233")  # a DNS-rebinding page
    assert not host_allowed(SETTINGS, None)
    assert host_allowed(UISettings(("d",), host="0.0.0.0"), "box.example:8233")  # the operator opened it


def test_pages_need_the_token_only_beyond_loopback():
    assert read_refusal(SETTINGS, None) is None  # anyone on this machine may look
    assert read_refusal(UISettings(("d",), host="::1"), None) is None
    exposed = UISettings(("d",), host="0.0.0.0", token="secret-token")  # noqa: S104
    assert "every page needs the token" in read_refusal(exposed, None)
    assert read_refusal(exposed, "secret-toke") is not None
    assert read_refusal(exposed, "secret-token") is None


def test_the_printed_url_carries_the_token_and_each_process_has_its_own():
    first, second = UISettings(("d",)), UISettings(("d",))
    assert first.token != second.token and len(first.token) >= 40
    assert first.url() == f"http://127.0.0.1:8233/?token={first.token}"
    assert UISettings(("d",), host="::1", port=9000).url(with_token=False) == "http://[::1]:9000/"


def test_list_filters_read_from_the_query_say_what_is_wrong():
    filters = ListFilters.from_query({"close_status": "failed", "days": "7", "tag": " nightly "})
    assert (filters.status, filters.close_status, filters.days, filters.tag) == ("closed", "FAILED", 7.0, "nightly")
    assert ListFilters.from_query({"days": "0"}).days is None
    for days in ("nan", "NaN", "five"):
        with pytest.raises(UsageError, match="days must be a number"):
            ListFilters.from_query({"days": days})
    with pytest.raises(UsageError, match="status must be"):
        ListFilters.from_query({"status": "running"})
    with pytest.raises(UsageError, match="closed executions only"):
        ListFilters.from_query({"status": "open", "close_status": "FAILED"})
    with pytest.raises(UsageError, match="unknown close status"):
        ListFilters.from_query({"close_status": "EXPLODED"})
    with pytest.raises(UsageError, match="with its type name"):
        ListFilters.from_query({"type_version": "2"})
    with pytest.raises(UsageError, match="start_from must be a date"):
        ListFilters.from_query({"start_from": "yesterday"})


def test_every_filter_given_is_applied_to_a_page():
    info = {
        "execution": {"workflowId": "w1", "runId": "r1"},
        "workflowType": {"name": "t", "version": "2"},
        "tagList": ["a"],
        "closeStatus": "FAILED",
    }
    assert ListFilters(type_name="t", type_version="2", tag="a", close_status="FAILED").keep(info)
    assert not ListFilters(type_name="t", type_version="1").keep(info)
    assert not ListFilters(tag="b").keep(info)
    assert not ListFilters(workflow_id="w2").keep(info)


def test_a_row_lasts_until_it_closed_or_until_now_while_open():
    info = {"execution": {"workflowId": "w", "runId": "r"}, "workflowType": {"name": "t", "version": "1"}}
    closed = row_of({**info, "startTimestamp": 100.0, "closeTimestamp": 130.0, "executionStatus": "CLOSED"}, 1000)
    still_open = row_of({**info, "startTimestamp": 100.0, "executionStatus": "OPEN"}, 1000)
    assert (closed.duration, still_open.duration) == (30.0, 900.0)


def test_continue_as_new_runs_link_to_each_other():
    history = HistoryBuilder(workflow_id="w", run_id="second")
    history.attributes(1)["continuedExecutionRunId"] = "first"
    history.decision()
    history.add("WorkflowExecutionContinuedAsNew", newExecutionRunId="third", decisionTaskCompletedEventId=4)
    description = {"executionInfo": {"execution": {"workflowId": "w", "runId": "second"}}}
    view = build_view("d", description, history.events, now=0)
    assert (view.previous_run_id, view.next_run_id) == ("first", "third")
    assert (view.status, view.close_status) == ("CLOSED", "CONTINUED_AS_NEW")


def test_an_open_execution_waits_on_its_timer_until_it_fires_and_on_its_activity():
    history = HistoryBuilder(workflow_id="w", run_id="r")
    history.decision()
    history.start_timer("cool-off", 60)
    started_at = history.events[-1]["eventTimestamp"]
    scheduled = history.schedule_activity("act-1", "act")
    history.start_activity(scheduled, identity='{"hostname": "box", "pid": 7}')
    view = build_view("d", {"executionInfo": {"executionStatus": "OPEN"}}, history.events, now=0)
    assert [(timer.id, fires) for timer, fires in view.waiting.timers] == [("cool-off", started_at + 60)]
    assert [(task.id, task.state) for task in view.waiting.activities] == [("act-1", "started")]
    assert view.waiting.signals is None  # only a replay knows: the page says how to get it


def test_only_a_dag_workflow_input_carrying_a_compiled_spec_is_drawn():
    spec = {"nodes": [], "order": []}
    assert dag_spec_of({"kwargs": {"spec": spec}}, "simpleflow.dag.DagWorkflow") == spec
    assert dag_spec_of({"kwargs": {"spec": spec}}, "myapp.Other") is None
    assert dag_spec_of({"kwargs": {"spec": "not a spec"}}, "simpleflow.dag.DagWorkflow") is None


def test_values_are_shown_as_text_and_failures_with_their_traceback():
    assert pretty("<b>") == "<b>" and pretty({"a": 1}) == '{\n  "a": 1\n}'
    assert traceback_text({"traceback": ["line 1\n", "ValueError\n"]}) == "line 1\nValueError\n"
    assert traceback_text({"traceback": "text"}) is None
    assert [duration(s) for s in (0.42, 12, 185, 7800, 93600)] == ["0.4s", "12s", "3m05s", "2h10m", "1d2h"]


def _simpleflow(*args: str, block: str = "") -> subprocess.CompletedProcess:
    prelude = f"import sys; sys.modules[{block!r}] = None; " if block else ""
    code = prelude + "from simpleflow.command import cli; cli(sys.argv[1:])"
    return subprocess.run(
        [sys.executable, "-c", "import sys; " + code, *args], cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def test_without_the_extra_the_command_says_what_to_install_and_exits_2():
    done = _simpleflow("ui", "--domain", "d", block="starlette")
    assert done.returncode == 2
    assert done.stderr.strip() == "simpleflow: error: simpleflow ui needs its extra: pip install 'simpleflow[ui]'"


def test_the_command_help_does_not_import_the_web_stack():
    code = (
        "import sys\nfrom click.testing import CliRunner\nfrom simpleflow.command import cli\n"
        "CliRunner().invoke(cli, ['--help'])\n"
        "print(sorted(m for m in ('starlette', 'uvicorn', 'jinja2') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[]", done.stderr


def test_an_unknown_domain_is_one_line_before_anything_listens(moto_server):
    from tests.swf_e2e_helpers import simpleflow_here

    done = simpleflow_here("ui", "--domain", "no-such-domain", "--port", "0")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"simpleflow: error: unknown domain 'no-such-domain' in region us-east-1 at {moto_server.url}: create it "
        "with 'simpleflow domain.register no-such-domain'"
    ]


def test_a_huge_value_is_cut_on_the_page_and_says_so():
    from simpleflow.ui.present import SHOWN_CHARS, clip

    assert clip("short") == "short"
    cut = clip("y" * (SHOWN_CHARS + 5))
    assert cut.startswith("y" * SHOWN_CHARS) and cut.endswith("(5 more characters: download the history for all)")


def _page_of(view) -> str:
    """The execution page of *view*, as a browser without the token gets it."""
    from simpleflow.ui.app import _environment
    from simpleflow.ui.update import parts_of

    env = _environment()
    return env.get_template("execution.html").render(
        settings=SETTINGS,
        can_act=False,
        authorized=False,
        csrf="",
        domain="d",
        view=view,
        parts=parts_of(env.get_template("parts.html").module, view, "d"),
        actions=[],
        refresh=0,
    )


def test_the_page_of_a_continued_run_links_the_runs_before_and_after_it():
    history = HistoryBuilder(workflow_id="w", run_id="second", input={"args": ["<i>x</i>"], "kwargs": {}})
    history.attributes(1)["continuedExecutionRunId"] = "first"
    history.decision()
    history.add("WorkflowExecutionContinuedAsNew", newExecutionRunId="third", decisionTaskCompletedEventId=4)
    html = _page_of(
        build_view("d", {"executionInfo": {"execution": {"workflowId": "w", "runId": "second"}}}, history.events, 0)
    )
    assert '<dd id="previous-run"><a href="/execution?domain=d&amp;workflow_id=w&amp;run_id=first">' in html
    assert '<dd id="next-run"><a href="/execution?domain=d&amp;workflow_id=w&amp;run_id=third">' in html
    assert "&lt;i&gt;x&lt;/i&gt;" in html and "<i>x</i>" not in html


def test_a_span_of_days_past_1970_asks_for_any_start_time():
    epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
    for days in ("100000000", "1e308", "inf"):
        request = _request("d", "closed", ListFilters.from_query({"days": days}), 50, None)
        assert request["startTimeFilter"] == {"oldestDate": epoch}, days
    week = _request("d", "closed", ListFilters.from_query({"days": "7"}), 50, None)["startTimeFilter"]["oldestDate"]
    assert abs((datetime.datetime.now(datetime.timezone.utc) - week).total_seconds() - 7 * 86400) < 60


def test_the_outcome_of_a_run_that_timed_out_is_headed_in_words():
    history = HistoryBuilder(workflow_id="w", run_id="r")
    history.decision()
    history.add("WorkflowExecutionTimedOut", timeoutType="START_TO_CLOSE", childPolicy="TERMINATE")
    html = _page_of(
        build_view("d", {"executionInfo": {"execution": {"workflowId": "w", "runId": "r"}}}, history.events, 0)
    )
    assert "<h2>Timed out</h2>" in html


def test_a_jumbo_field_left_unread_is_said_on_the_page():
    history = HistoryBuilder(workflow_id="w", run_id="r")
    history.decision()
    scheduled = history.schedule_activity("a-1", "m.f")
    history.complete_activity(scheduled, "done")
    description = {"executionInfo": {"execution": {"workflowId": "w", "runId": "r"}}}
    assert build_view("d", description, history.events, 0).jumbo_note is None
    history.attributes(len(history.events))["result"] = "simpleflow+s3://bucket/key 40000"  # as left unread
    view = build_view("d", description, history.events, 0)
    assert view.jumbo_note is not None and '<p class="note" id="jumbo-note">A value over' in _page_of(view)


def test_the_signals_an_open_execution_awaits_come_from_the_history_already_fetched(monkeypatch):
    from simpleflow.ui.app import _add_awaited_signals

    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens: SWF is not asked again
    path = "tests.fixtures.ui_workflows.ApprovalWorkflow"
    history = HistoryBuilder("ui.approval", input={"__extra": {"class": path}, "args": ["item"], "kwargs": {}})
    history.decision()
    view = build_view("d", {"executionInfo": {"execution": {"workflowId": "w", "runId": "r"}}}, history.events, 0)
    _add_awaited_signals(UISettings(("d",), packages=("tests.fixtures",)), view)
    assert (view.waiting.signals, view.waiting.signals_note) == (["approve"], None)
    closed = HistoryBuilder()
    closed.decision()
    closed.add("WorkflowExecutionCompleted", result="null", decisionTaskCompletedEventId=4)
    assert build_view("d", {}, closed.events, 0).history is None  # a cached closed view keeps no events


def test_a_retry_wait_is_said_as_the_retry_it_waits_for():
    history = HistoryBuilder(workflow_id="w", run_id="r")
    history.decision()
    history.start_timer("__simpleflow_retry_2_activity-fetch-1", 30)  # a RetryPolicy's wait before attempt 2
    history.start_timer("__simpleflow_task_activity-send-1", 60)  # on_task_failure's retry later
    history.start_timer("cool-off", 90)
    html = _page_of(build_view("d", {"executionInfo": {"executionStatus": "OPEN"}}, history.events, 0))
    said = [line.split(", fires at")[0] for line in html.split('<li class="timer">')[1:]]
    assert said == ["retry 2 of activity-fetch-1", "retry of activity-send-1", "timer cool-off"]


def test_a_worker_identity_in_the_history_shows_as_its_json_not_as_escaped_text():
    history = HistoryBuilder(workflow_id="w", run_id="r")
    history.decision()
    history.start_activity(history.schedule_activity("act-1", "act"), identity='{"hostname": "box", "pid": 7}')
    history.start_activity(history.schedule_activity("act-2", "act"), identity="box-7")
    view = build_view("d", {"executionInfo": {"executionStatus": "OPEN"}}, history.events, 0)
    assert [e.attributes["identity"] for e in view.events if e.event_type == "ActivityTaskStarted"] == [
        {"hostname": "box", "pid": 7},
        "box-7",
    ]
    html = _page_of(view)
    assert "&#34;identity&#34;: {&#34;hostname&#34;: &#34;box&#34;" in html and "\\&#34;" not in html


def test_a_canceled_run_says_its_outcome_holds_no_details():
    history = HistoryBuilder(workflow_id="w", run_id="r")
    history.decision()
    history.add("WorkflowExecutionCanceled", decisionTaskCompletedEventId=4)
    html = _page_of(
        build_view("d", {"executionInfo": {"execution": {"workflowId": "w", "runId": "r"}}}, history.events, 0)
    )
    assert "<h2>Canceled</h2>" in html
    assert '<p class="empty" id="outcome-empty">Canceled at ' in html and "SWF recorded no details" in html


def test_the_hint_to_list_awaited_signals_names_a_package_that_allows_the_class():
    from simpleflow.ui.app import _add_awaited_signals

    path = "simpleflow.dag._workflow.DagWorkflow"  # the class a DAG run's input names
    history = HistoryBuilder("dag", input={"__extra": {"class": path}, "args": [], "kwargs": {}})
    history.decision()
    view = build_view("d", {"executionInfo": {"execution": {"workflowId": "w", "runId": "r"}}}, history.events, 0)
    _add_awaited_signals(UISettings(("d",)), view)
    package = view.waiting.signals_note.rpartition("--package ")[2]
    assert package == "simpleflow.dag" and UISettings(("d",), packages=(package,)).allows_class(path)
