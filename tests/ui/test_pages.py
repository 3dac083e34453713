"""What a person sees in the UI, in headless Chromium: the list, an execution, its failure, its children,
its DAG, and an input that holds a script tag."""

from __future__ import annotations

from tests.ui.conftest import SCRIPT_INPUT, UI_SECRET, execution_url


def _row_status(page, workflow_id: str) -> str:
    return page.locator(f'tr.execution[data-workflow-id="{workflow_id}"]').first.get_attribute("data-status")


def test_the_list_shows_every_execution_with_its_status(page, runs, shots):
    assert "/executions" in page.url and "token" not in page.url  # the token became a cookie
    page.wait_for_selector("#closed-executions")
    shots(page, "list")
    assert _row_status(page, runs.completed[0]) == "COMPLETED"
    assert _row_status(page, runs.failed[0]) == "FAILED"
    assert _row_status(page, runs.waiting[0]) == "OPEN"
    assert _row_status(page, runs.parent[0]) == "COMPLETED"
    assert _row_status(page, runs.dag[0]) == "COMPLETED"
    open_rows = page.locator("#open-executions tr.execution")
    assert {row.get_attribute("data-workflow-id") for row in open_rows.all()} == {
        runs.waiting[0],
        runs.to_terminate[0],
    }
    # The children are listed too, each with a link to its parent.
    child_rows = page.locator("tr.execution:has(td.parent a)")
    assert child_rows.count() == 2
    assert page.locator("header .badge", has_text="actions allowed").is_visible()
    assert page.get_attribute("body", "data-refresh")  # something is open: the list refreshes itself


def test_the_list_reloads_itself_but_never_over_a_filter_typed_and_not_sent(page, runs, ui):
    page.clock.install()  # the reload's timer runs on the test's clock: no waiting
    page.goto(f"{ui.base}/executions?domain={runs.domain}")
    page.evaluate("window.loadedOnce = true")
    page.fill("input[name=tag]", "release")
    page.locator("h1").click()  # the field loses the focus, still holding what was typed
    page.clock.run_for(12_000)
    assert page.evaluate("window.loadedOnce === true") and page.input_value("input[name=tag]") == "release"
    assert "paused" in page.inner_text("#refresh-note")  # the header does not say it reloads
    page.fill("input[name=tag]", "")
    page.locator("h1").click()
    with page.expect_navigation():  # nothing typed: it reloads
        page.clock.run_for(6_000)


def test_the_list_filters_by_close_status_and_type(page, runs, ui):
    page.goto(f"{ui.base}/executions?domain={runs.domain}&status=closed&close_status=FAILED")
    rows = page.locator("tr.execution")
    assert [row.get_attribute("data-workflow-id") for row in rows.all()] == [runs.failed[0]]
    page.goto(f"{ui.base}/executions?domain={runs.domain}&type_name=ui.approval")
    ids = {row.get_attribute("data-workflow-id") for row in page.locator("tr.execution").all()}
    assert ids == {runs.waiting[0], runs.to_terminate[0]}


def test_the_failed_execution_shows_its_failure(page, runs, ui, shots):
    page.goto(execution_url(ui, runs.domain, runs.failed))
    shots(page, "failed")
    outcome = page.locator("#outcome")
    assert outcome.locator("h2").inner_text() == "Failure"
    assert "ValueError: cannot process order-42" in outcome.locator(".outcome-reason").inner_text()
    assert page.locator("h1 .badge").inner_text() == "FAILED"
    failed_task = page.locator('#tasks tr[data-task-id="activity-ui.explode-1"]')
    assert failed_task.get_attribute("data-state") == "failed"
    assert "cannot process order-42" in failed_task.inner_text()


def test_an_input_holding_a_script_tag_shows_as_text_and_runs_nothing(page, runs, ui, shots):
    page.goto(execution_url(ui, runs.domain, runs.completed))
    shots(page, "completed")
    assert SCRIPT_INPUT in page.locator("#input").inner_text()
    assert f"echo: {SCRIPT_INPUT}" in page.locator("#outcome").inner_text()
    assert page.locator("#input script").count() == 0 and page.locator("main script").count() == 0
    page.locator("#history-search").fill("alert")  # the search shows the events that hold it
    assert page.locator("#history-table tbody tr:not(.hidden)").count() >= 2
    assert page.dialogs == []  # no alert() ran, on this page or the list before it
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.content()


def test_the_parent_links_its_children_and_each_child_its_parent(page, runs, ui, shots):
    page.goto(execution_url(ui, runs.domain, runs.parent))
    children = page.locator("#children tbody tr")
    assert children.count() == 2
    assert all(row.locator(".state").inner_text() == "completed" for row in children.all())
    shots(page, "parent")
    children.first.locator("a").click()
    page.wait_for_selector("#parent")
    assert page.locator("#parent a").inner_text() == runs.parent[0]
    assert page.locator("h1 .badge").inner_text() == "COMPLETED"
    page.locator("#parent a").click()
    page.wait_for_selector("#children")
    assert page.locator("#workflow-id").inner_text() == runs.parent[0]


def test_a_dag_execution_shows_its_graph_coloured_by_state(page, runs, ui, shots):
    page.goto(execution_url(ui, runs.domain, runs.dag))
    nodes = page.locator("#dag svg g.node")
    shots(page, "dag")
    assert {node.get_attribute("id") for node in nodes.all()} == {
        "node-a",
        "node-b",
        "node-c",
        "node-wait",
        "node-d",
    }
    assert {node.get_attribute("data-state") for node in nodes.all()} == {"completed"}
    assert page.locator("#timeline svg g.task").count() == 5
    # standalone --repair takes a workflow class, not a spec: no Repair offered (Restart is)
    assert page.locator("#action-repair").count() == 0 and page.locator("#action-restart").count() == 1


def test_no_page_shows_an_aws_credential(page, runs, ui):
    seen = []
    missing = []  # what a page asked for and did not get (a favicon...)
    page.on("response", lambda response: response.status >= 400 and missing.append(response.url))
    for ids in (runs.completed, runs.failed, runs.waiting):
        page.goto(execution_url(ui, runs.domain, ids))
        seen.append(page.content())
    assert missing == []
    unknown = page.goto(f"{ui.base}/execution?domain={runs.domain}&workflow_id=nope&run_id=nope")
    assert unknown.status == 404
    seen.append(page.content())
    assert "no execution &#39;nope&#39; run &#39;nope&#39;" in seen[-1] or "no execution 'nope' run 'nope'" in seen[-1]
    page.goto(f"{ui.base}/executions?domain=not-a-shown-domain")
    seen.append(page.content())
    assert all(UI_SECRET not in html for html in seen)
    assert "is not shown here" in seen[-1]


def test_jumbo_fields_are_read_back_and_large_values_folded(page, runs, ui, shots):
    page.goto(execution_url(ui, runs.domain, runs.big))
    assert "simpleflow+s3://" in decoded_input_reference(runs.domain, runs.big)  # SWF holds a reference
    assert page.locator("#jumbo-note").count() == 0  # every reference was read
    folded = page.locator("#input details.fold")
    assert folded.count() == 1 and not folded.locator("pre").is_visible()
    assert "characters)" in folded.locator("summary").inner_text()
    folded.locator("summary").click()
    assert folded.locator("pre").inner_text().endswith('END-OF-BIG-INPUT"\n  ],\n  "kwargs": {}\n}')
    result = page.locator("#outcome details.fold")
    result.locator("summary").click()
    assert "END-OF-BIG-INPUT" in result.locator("pre").inner_text()
    shots(page, "big", full_page=False)


def decoded_input_reference(domain: str, ids: tuple[str, str]) -> str:
    from simpleflow.swf import client

    return client.get_history(domain, *ids)[0]["workflowExecutionStartedEventAttributes"]["input"]


def test_beyond_loopback_every_page_needs_the_token(browser, runs, tmp_path, shots):
    import urllib.error
    import urllib.request

    from tests.ui.conftest import UIProcess

    exposed = UIProcess("--domain", runs.domain, "--host", "0.0.0.0", log=tmp_path / "ui.log")  # noqa: S104
    try:
        assert "every page needs the token" in (tmp_path / "ui.log").read_text()
        stranger = browser.new_context().new_page()
        for url in (exposed.base + "/", execution_url(exposed, runs.domain, runs.completed)):
            answer = stranger.goto(url)
            assert answer.status == 401
            assert "every page needs the token" in stranger.inner_text(".message")
            assert runs.domain not in stranger.content()  # not even the domains it shows
            assert runs.completed[0] not in stranger.content()
        shots(stranger, "locked")
        answer = stranger.goto(exposed.base + "/?token=not-the-token")
        assert answer.status == 403 and runs.domain not in stranger.content()
        stranger.context.close()
        with urllib.request.urlopen(f"{exposed.base}/static/ui.css", timeout=10) as css:  # the UI's own
            assert css.status == 200
        # No token in a script either: a POST is refused before it reaches an action.
        request = urllib.request.Request(f"{exposed.base}/executions", data=b"x=1", method="POST")
        try:
            urllib.request.urlopen(request, timeout=10)
            raise AssertionError("a POST without the token was answered")
        except urllib.error.HTTPError as err:
            assert err.code == 401
        # The printed URL gives the token: then the UI is the usual one.
        holder = browser.new_context().new_page()
        holder.goto(exposed.url)
        assert "token" not in holder.url
        holder.wait_for_selector("#closed-executions")
        assert holder.locator("header .badge", has_text="actions allowed").is_visible()
        assert holder.goto(execution_url(exposed, runs.domain, runs.completed)).status == 200
        holder.context.close()
    finally:
        exposed.stop()
