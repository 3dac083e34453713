"""The dev server process: moto's HTTP application for SWF and S3 on one port, kept-alive connections,
named domains registered, a clean stop on Ctrl-C or SIGTERM."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable, Iterable
from typing import Any, TextIO

from simpleflow.devserver import _runtime, _validation
from simpleflow.devserver._client import client_url, export_line, region
from simpleflow.devserver._install import install
from simpleflow.format import domain_name
from simpleflow.utils import is_loopback

RETENTION_DAYS = "30"


# The server never authenticates: a profile named here (one this machine may not have) is not its business.
PROFILE_VARIABLES = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE")


def _register(domains: Iterable[str]) -> None:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.swf.exceptions import SWFDomainAlreadyExistsFault
    from moto.swf.models import swf_backends

    backend = swf_backends[DEFAULT_ACCOUNT_ID][region()]
    for name in domains:
        try:
            backend.register_domain(name, RETENTION_DAYS, description="registered by simpleflow dev-server")
        except SWFDomainAlreadyExistsFault:
            pass


def _stop_on_sigterm() -> None:
    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt()

    try:
        signal.signal(signal.SIGTERM, interrupt)
        signal.signal(signal.SIGINT, interrupt)
    except ValueError:  # not the main thread: the caller stops the server
        pass


def serve(
    host: str = "127.0.0.1",
    port: int = 4566,
    domains: Iterable[str] = (),
    *,
    poll_wait: float = _runtime.POLL_WAIT,
    page_size: int = _runtime.PAGE_SIZE,
    timer_speed: float = 1.0,
    moto_api: bool = False,
    out: TextIO | None = None,
    ready: Callable[[Any], None] | None = None,
) -> None:
    """Serve SWF and S3 on *host*:*port* until Ctrl-C or SIGTERM (see :func:`simpleflow.devserver.serve`)."""
    import moto
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    from simpleflow.devserver._guard import Guard, backend_factory
    from simpleflow.devserver._http import Server

    # ValueError: SWF would refuse it (moto takes any name); a name given twice is registered once.
    names = list(dict.fromkeys(domain_name(name) for name in domains))
    out = out or sys.stdout
    environ = dict(os.environ)  # the export line's: a client keeps its profile
    for name in PROFILE_VARIABLES:
        os.environ.pop(name, None)
    runtime = _runtime.Runtime(poll_wait=poll_wait, page_size=page_size, timer_speed=timer_speed)
    install(runtime)
    _validation.warm()  # SWF's model, read once before the first request
    app = Guard(DomainDispatcherApplication(backend_factory(create_backend_app, moto_api)), host)
    server = Server(host, port, app)
    _register(names)
    url = client_url(host, server.server_port)
    if not is_loopback(host):
        print(
            f"simpleflow dev-server: warning: listening on {host}: anyone who can reach port {server.server_port} "
            "can read and change every execution and bucket (no authentication)",
            file=sys.stderr,
            flush=True,
        )
    where = f", domains: {', '.join(names)}" if names else ""
    print(f"simpleflow dev-server: SWF and S3 at {url} (moto {moto.__version__}){where}; Ctrl-C stops it", file=out)
    print(export_line(url, environ), file=out, flush=True)
    _stop_on_sigterm()
    if ready is not None:
        ready(server)
    try:
        server.serve_forever()
    finally:
        runtime.clock.stop()
        server.server_close()
