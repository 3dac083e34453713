"""Acting from the UI, in headless Chromium: a query, a signal that completes the waiting execution, a
restart; a terminate refused without the token (and every other way around it), then allowed with it;
a read-only UI; paging through SWF's nextPageToken."""

from __future__ import annotations

import http.client
import shutil
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import pytest

from simpleflow.swf import client
from simpleflow.ui.security import csrf_value
from tests.proxy import CuttableProxy
from tests.swf_e2e_helpers import wait_closed
from tests.ui.conftest import UIProcess, decoded_result, execution_url


def _status(domain: str, ids: tuple[str, str]) -> tuple[str, str | None]:
    info = client.swf_client().describe_workflow_execution(
        domain=domain, execution={"workflowId": ids[0], "runId": ids[1]}
    )["executionInfo"]
    return info["executionStatus"], info.get("closeStatus")


def test_a_query_answers_from_a_replay_of_the_history(page, runs, ui, shots):
    page.goto(execution_url(ui, runs.domain, runs.waiting))
    page.click("#action-query")
    assert page.input_value("input[name=workflow]") == "tests.fixtures.ui_workflows.ApprovalWorkflow"
    assert "Nothing is sent to SWF" in page.inner_text("#what")
    page.fill("input[name=name]", "progress")
    page.click("#confirm")
    shots(page, "answer")
    assert page.inner_text("#result-summary") == "query 'progress' answered"
    assert '"stage": "awaiting approval"' in page.inner_text("#answer")


def test_sending_the_signal_from_the_page_completes_the_waiting_execution(page, runs, ui, shots):
    page.goto(execution_url(ui, runs.domain, runs.waiting))
    assert page.locator("#waiting li.signal code").all_inner_texts() == ["approve"]  # replayed: --package
    assert '"stage": "awaiting approval"' in page.inner_text("#workflow-status")
    shots(page, "waiting")
    page.click("#action-signal")
    assert "Sends the signal" in page.inner_text("#what")
    assert page.input_value("input[name=name]") == "approve"  # the signal its code waits for, prefilled
    assert page.inner_text("#name-awaited") == "it waits for: approve"
    page.fill("input[name=name]", "approve")
    page.fill("textarea[name=input]", '["alice"')
    page.click("#confirm")  # bad JSON: the same form again, saying so in its own words, what was typed kept
    assert page.inner_text("#action-error").startswith("the input is not valid JSON: ")
    assert (page.input_value("input[name=name]"), page.input_value("textarea[name=input]")) == ("approve", '["alice"')
    page.fill("textarea[name=input]", '["alice"]')
    shots(page, "confirm")
    page.click("#confirm")
    shots(page, "sent")
    assert page.inner_text("#result-summary") == "signal 'approve' sent to " + runs.waiting[0]
    assert '"HTTPStatusCode": 200' in page.inner_text("#answer")
    wait_closed(runs.domain, *runs.waiting, runs.processes)
    assert decoded_result(runs.domain, runs.waiting) == {
        "item": "release-7",
        "approved_by": "alice",
        "echo": "echo: release-7",
    }
    page.click("text=back to the execution")
    assert page.inner_text("h1 .badge") == "COMPLETED"
    assert '"approved_by": "alice"' in page.inner_text("#outcome")


def _post(ui: UIProcess, action: str, form: dict, cookie: str | None = None, origin: str | None = None):
    request = urllib.request.Request(f"{ui.base}/action/{action}", data=urlencode(form).encode(), method="POST")
    if cookie:
        request.add_header("Cookie", cookie)
    if origin:
        request.add_header("Origin", origin)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def test_terminate_without_the_token_is_refused(stranger, runs, ui, shots):
    stranger.goto(execution_url(ui, runs.domain, runs.to_terminate))
    assert stranger.locator("header .badge", has_text="no token").is_visible()
    stranger.click("#action-terminate")
    assert stranger.locator("#no-token").is_visible()
    stranger.fill("input[name=reason]", "not mine to stop")
    stranger.click("#confirm")
    shots(stranger, "refused")
    assert "403" in stranger.inner_text("h1")
    assert "no valid token" in stranger.inner_text(".message")
    ids = {"domain": runs.domain, "workflow_id": runs.to_terminate[0], "run_id": runs.to_terminate[1]}
    cookie = f"simpleflow_ui_{ui.base.rsplit(':', 1)[1]}={ui.token}"
    good_csrf = csrf_value(ui.token)
    refused = [
        _post(ui, "terminate", {**ids, "csrf": good_csrf}),  # the CSRF field alone
        _post(ui, "terminate", {**ids, "csrf": "0" * 64}, cookie),  # the cookie with a wrong CSRF field
        _post(ui, "terminate", ids, cookie),  # the cookie, no CSRF field
        _post(ui, "terminate", {**ids, "csrf": good_csrf}, cookie, origin="http://evil.example"),
        _post(ui, "terminate", {**ids, "csrf": good_csrf, "token": ui.token}),  # the token in the form
    ]
    assert [code for code, _ in refused] == [403, 403, 403, 403, 403]
    with urllib.request.urlopen(f"{ui.base}/action/terminate?{urlencode(ids)}", timeout=10) as response:
        assert response.status == 200  # a GET only shows the confirmation
    assert _status(runs.domain, runs.to_terminate) == ("OPEN", None)


def test_terminate_with_the_token_stops_the_execution_and_shows_swfs_answer(page, runs, ui, shots):
    page.goto(execution_url(ui, runs.domain, runs.to_terminate))
    page.click("#action-terminate")
    assert "This cannot be undone" in page.inner_text("#what")
    page.fill("input[name=reason]", "stopped from the UI <b>test</b>")
    page.click("#confirm")
    shots(page, "terminated")
    assert page.inner_text("#result-summary") == f"{runs.to_terminate[0]} terminated"
    assert '"HTTPStatusCode": 200' in page.inner_text("#answer")
    assert _status(runs.domain, runs.to_terminate) == ("CLOSED", "TERMINATED")
    page.click("text=back to the execution")
    assert page.inner_text("h1 .badge") == "TERMINATED"
    assert "stopped from the UI <b>test</b>" in page.inner_text("#outcome")
    # SWF's answer to an action it refuses is shown too: terminating it again.
    page.click("#action-restart")  # restart is the action a closed run offers; terminate is for open runs
    page.goto(page.url.replace("/action/restart", "/action/terminate"))
    page.click("#confirm")
    assert "SWF refused: UnknownResourceFault" in page.inner_text("#result-summary")


def test_a_restart_starts_a_new_run_with_the_same_input(page, runs, ui):
    page.goto(execution_url(ui, runs.domain, runs.completed))
    page.click("#action-restart")
    page.click("#confirm")
    assert page.inner_text("#result-summary").startswith("new run ")
    page.click("text=open the new run")
    new_run = page.inner_text("#run-id")
    assert new_run != runs.completed[1]
    wait_closed(runs.domain, runs.completed[0], new_run, runs.processes)
    assert decoded_result(runs.domain, (runs.completed[0], new_run)) == decoded_result(runs.domain, runs.completed)


@pytest.fixture
def read_only_ui(runs, tmp_path):
    process = UIProcess("--domain", runs.domain, "--read-only", log=tmp_path / "ui.log")
    yield process
    process.stop()


def test_a_read_only_ui_shows_no_action_and_refuses_every_change(read_only_ui, runs, browser):
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(read_only_ui.url)  # with the token: still read-only
        assert page.locator("header .badge", has_text="read-only").is_visible()
        page.goto(execution_url(read_only_ui, runs.domain, runs.failed))
        assert page.locator("#actions").count() == 0
        cookie = f"simpleflow_ui_{read_only_ui.base.rsplit(':', 1)[1]}={read_only_ui.token}"
        ids = {"domain": runs.domain, "workflow_id": runs.failed[0], "run_id": runs.failed[1]}
        code, body = _post(read_only_ui, "restart", {**ids, "csrf": csrf_value(read_only_ui.token)}, cookie)
        assert code == 403 and "read-only" in body
    finally:
        context.close()


@pytest.fixture
def paging_ui(moto_server, runs, tmp_path):
    """A UI listing 3 executions a page: SWF (the dev server) pages them with its nextPageToken."""
    process = UIProcess("--domain", runs.domain, "--read-only", "--page-size", "3", log=tmp_path / "ui.log")
    yield process
    process.stop()


def test_the_list_pages_with_swfs_next_page_token(paging_ui, runs, browser):
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{paging_ui.base}/executions?domain={runs.domain}&status=closed")
        first = [row.get_attribute("data-workflow-id") for row in page.locator("tr.execution").all()]
        assert len(first) == 3
        page.click("text=next page of closed executions")
        second = [row.get_attribute("data-workflow-id") for row in page.locator("tr.execution").all()]
        assert second and not set(first) & set(second)
        everything = {info["execution"]["runId"] for info in client.list_executions(runs.domain, "closed")}
        assert len(everything) > 3
    finally:
        context.close()


def test_a_repair_starts_a_new_run_of_the_failed_execution_under_its_workflow_id(page, runs, ui, shots):
    page.goto(execution_url(ui, runs.domain, runs.failed))
    page.click("#action-repair")
    assert page.input_value("input[name=workflow]") == "tests.fixtures.ui_workflows.FailingWorkflow"
    assert "--repair" in page.inner_text("#what")
    page.click("#confirm")
    shots(page, "repair")
    assert page.inner_text("#result-summary").startswith("repair started: run ")
    page.click("text=open the new run")
    new_run = page.inner_text("#run-id")
    assert page.inner_text("#workflow-id") == runs.failed[0] and new_run != runs.failed[1]
    wait_closed(runs.domain, runs.failed[0], new_run, runs.processes)  # its own decider and worker ran it
    assert _status(runs.domain, (runs.failed[0], new_run)) == ("CLOSED", "FAILED")  # the same error, again


def test_a_repair_that_does_not_start_keeps_its_log_and_says_where(page, runs, ui):
    page.goto(execution_url(ui, runs.domain, runs.failed))
    page.click("#action-repair")
    page.fill("input[name=workflow]", "tests.fixtures.ui_workflows.NoSuchWorkflow")
    page.click("#confirm")
    assert page.inner_text("#result-summary").startswith("the repair did not start: ")
    note = page.inner_text("#result .note")
    folder = Path(note.removeprefix("its log is kept in "))
    assert note.startswith("its log is kept in /") and folder.name.startswith("simpleflow-ui-repair-")
    assert (folder / "stderr.log").read_text()
    shutil.rmtree(folder)


def test_a_page_asked_by_another_host_name_or_with_a_wrong_token_is_refused(ui, runs):
    request = urllib.request.Request(f"{ui.base}/executions?domain={runs.domain}", headers={"Host": "evil.example"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 421  # a DNS-rebinding page cannot read the UI
    with pytest.raises(urllib.error.HTTPError) as wrong:
        urllib.request.urlopen(f"{ui.base}/?token=not-the-token", timeout=10)
    assert wrong.value.code == 403 and "set-cookie" not in {k.lower() for k in wrong.value.headers}


def test_an_unknown_action_is_a_404_that_names_it(ui, runs):
    with pytest.raises(urllib.error.HTTPError) as unknown:
        urllib.request.urlopen(f"{ui.base}/action/nope?domain={runs.domain}&workflow_id=w", timeout=10)
    assert unknown.value.code == 404
    assert '<p class="message">no action &#39;nope&#39;</p>' in unknown.value.read().decode()


def test_swf_out_of_reach_is_said_in_one_line_not_as_an_internal_error(moto_server, runs, tmp_path, monkeypatch):
    monkeypatch.setenv("SWF_CONNECTION_RETRIES", "1")
    proxy = CuttableProxy(moto_server.port)
    process = UIProcess("--domain", runs.domain, "--read-only", log=tmp_path / "ui.log", endpoint=proxy.url)
    try:
        proxy.cut()
        with pytest.raises(urllib.error.HTTPError) as down:
            urllib.request.urlopen(f"{process.base}/executions?domain={runs.domain}", timeout=30)
        assert down.value.code == 502
        assert '<p class="message">SWF does not answer (' in down.value.read().decode()
        assert "Traceback" not in (tmp_path / "ui.log").read_text()
    finally:
        process.stop()
        proxy.close()


def test_the_token_redirect_stays_on_this_site_whatever_the_path(ui):
    """``/?token=`` sets the cookie and redirects to the same path without it: never to ``//another.site/``."""
    from urllib.parse import urlsplit

    address = urlsplit(ui.base)
    for path in ("//evil.example/", "/%2F%2Fevil.example/", "///evil.example/x"):
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
        connection.request("GET", f"{path}?token={ui.token}")
        answer = connection.getresponse()
        location = answer.getheader("location")
        connection.close()
        assert answer.status == 303
        assert location.startswith("/") and not location.startswith("//"), location
