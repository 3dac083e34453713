"""``simpleflow dev-server``: SWF and S3 in one local process, for development and for tests.

Built on moto's models of SWF and S3 (``pip install 'simpleflow[dev]'``), extended where moto departs
from SWF's API reference: long polls, one request at a time, kept-alive connections, pages and list
filters, activity ids reused once closed, every activity timeout on time, child workflows,
continue-as-new, signals and cancel requests between executions, activity cancellation, task list
overrides. Each departure from moto cites the reference in its module. Nothing here is imported by
``simpleflow`` itself; moto is imported only when :func:`serve` runs. A client of the server finds it by
``client_settings(client_url(host, port))``, the environment ``export_line`` prints.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterable
from typing import Any, TextIO

from simpleflow.devserver._client import client_settings, client_url, export_line

__all__ = ["INSTALL", "client_settings", "client_url", "export_line", "missing", "serve"]

INSTALL = "pip install 'simpleflow[dev]'"
# What moto's server imports beyond moto (its [server] extra).
_NEEDED = ("moto", "werkzeug", "flask", "flask_cors")


def missing() -> str | None:
    """None when the dev server can run here, else one line saying what to install."""
    for module in _NEEDED:
        try:
            found = importlib.util.find_spec(module)
        except (ImportError, ValueError):
            found = None
        if found is None:
            return f"the dev server needs moto's server ({module} is not installed): {INSTALL}"
    return None


def serve(
    host: str = "127.0.0.1",
    port: int = 4566,
    domains: Iterable[str] = (),
    *,
    poll_wait: float = 60.0,
    page_size: int = 1000,
    timer_speed: float = 1.0,
    moto_api: bool = False,
    out: TextIO | None = None,
    ready: Callable[[Any], None] | None = None,
) -> None:
    """Serve SWF and S3 on *host*:*port* until Ctrl-C or SIGTERM.

    Prints the line to export (``AWS_ENDPOINT_URL``, the server's region, dummy credentials when none are
    set) and registers *domains* (each once) in that region. *poll_wait* is how long an empty poll is held
    (SWF: 60 s), *page_size* the page size of a call that gives none (SWF: 1,000), *timer_speed* how many
    times faster than written timers fire (tests); *moto_api* serves moto's ``/moto-api/`` admin endpoints
    (reset, state as JSON), 404 otherwise; *ready* is called with the HTTP server once it listens.

    Requests from web pages (an ``Origin`` header, a ``Sec-Fetch-Site`` other than ``none``) are refused,
    and so is, on loopback, a Host header that names another machine (DNS rebinding).
    """
    from simpleflow.devserver._server import serve as run

    run(
        host,
        port,
        domains,
        poll_wait=poll_wait,
        page_size=page_size,
        timer_speed=timer_speed,
        moto_api=moto_api,
        out=out,
        ready=ready,
    )
