"""``python -m simpleflow.devserver``, the entry point tests start (``tests/moto_server.py``): a setting it
cannot run with is one line naming it, exit 2, before anything listens."""

from __future__ import annotations

import pytest

import simpleflow.devserver.__main__ as devserver_main
from simpleflow.devserver.__main__ import main


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["--timer-speed", "0"], "argument --timer-speed: '0' is not greater than 0"),
        (["--timer-speed", "-1"], "argument --timer-speed: '-1' is not greater than 0"),
        (["--poll-wait", "-5"], "argument --poll-wait: '-5' is not 0 or more"),
        (["--poll-wait", "inf"], "argument --poll-wait: 'inf' is not a finite number"),
        (["--page-size", "0"], "argument --page-size: '0' is not from 1 to 1000"),
        (["--page-size", "1001"], "argument --page-size: '1001' is not from 1 to 1000"),
        (["--port", "99999"], "argument --port: '99999' is not from 0 to 65535"),
        (["--port", "abc"], "argument --port: 'abc' is not a number"),
        (["--bogus"], "unrecognized arguments: --bogus"),
    ],
)
def test_a_setting_the_server_cannot_run_with_is_one_line_and_exit_2(capsys, monkeypatch, args, problem):
    def serve(*args, **kwargs):
        raise AssertionError("the server was started")

    monkeypatch.setattr(devserver_main, "serve", serve)
    with pytest.raises(SystemExit) as stopped:
        main(args)
    out, err = capsys.readouterr()
    assert (stopped.value.code, out, err) == (2, "", f"simpleflow dev-server: error: {problem}\n")
