"""``workflow.start --local`` with the middleware options, as a user runs it."""

from __future__ import annotations

from tests.cli.test_local import simpleflow

PRE = "examples.middleware.my_pre_execution_middleware"
POST = "examples.middleware.my_post_execution_middleware"


def test_the_middleware_example_announces_each_activity_and_its_result(tmp_path):
    done = simpleflow(
        "workflow.start",
        "--local",
        "examples.basic.BasicWorkflow",
        "--input",
        "[1, 0]",
        "--middleware-pre-execution",
        PRE,
        "--middleware-post-execution",
        POST,
    )
    assert (done.returncode, done.stdout) == (0, "4\n")  # the result alone on stdout
    lines = done.stderr.splitlines()
    pre = [line for line in lines if line.startswith("pre-execution: ")]
    post = [line for line in lines if line.startswith("post-execution: ")]
    assert [line.split()[1] for line in pre] == [
        "activity-examples.basic.increment-1",
        "activity-examples.basic.Delay-1",
        "activity-examples.basic.double-1",
    ]
    assert "returned 4 in" in post[-1] and len(post) == 3


def test_middleware_options_on_swf_workflow_start_are_refused_in_one_line():
    done = simpleflow(
        "workflow.start",
        "--domain",
        "d",
        "examples.basic.BasicWorkflow",
        "-i",
        "[1]",
        "--middleware-pre-execution",
        PRE,
    )
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1
    assert "apply with --local only" in done.stderr


def test_a_middleware_that_does_not_resolve_is_one_line_and_exit_2():
    done = simpleflow(
        "workflow.start",
        "--local",
        "examples.basic.BasicWorkflow",
        "-i",
        "[1]",
        "--middleware-pre-execution",
        "examples.nope.f",
    )
    assert done.returncode == 2
    assert (
        done.stderr
        == "simpleflow: error: --middleware-pre-execution 'examples.nope.f': no module named 'examples.nope'\n"
    )
