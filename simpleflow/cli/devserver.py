"""``simpleflow dev-server``: SWF and S3 on one local port, as SWF behaves (the optional extra ``[dev]``);
with ``--ui``, the web view of its domains beside it (``simpleflow ui`` in a child process).

moto and the server are imported inside the command so that ``simpleflow --help`` stays fast.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import click

from simpleflow.cli.failures import interrupted, user_errors
from simpleflow.cli.params import DOMAIN_NAME, PORT
from simpleflow.exceptions import UsageError

UI_STOP_GRACE = 5.0  # seconds the web view has to stop before it is killed


@click.command("dev-server")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (a warning off loopback).")
@click.option("--port", type=PORT, default=4566, show_default=True, help="Port for SWF and S3.")
@click.option("--domain", "domains", type=DOMAIN_NAME, multiple=True, help="Register this SWF domain (repeatable).")
@click.option(
    "--ui",
    "with_ui",
    is_flag=True,
    help="Also serve the web view of the --domain domains, on loopback (needs simpleflow[ui] too).",
)
@click.option(
    "--ui-port",
    type=PORT,
    default=8233,
    show_default=True,
    help="Port of the web view with --ui (0: a free one).",
)
@user_errors
def dev_server(host: str, port: int, domains: tuple[str, ...], with_ui: bool, ui_port: int) -> None:
    """Serve SWF and S3 on one local port, as SWF behaves, until Ctrl-C (needs simpleflow[dev]).

    With --ui, ``simpleflow ui`` runs beside it, pointed at it, and prints its URL.
    """
    from simpleflow import devserver

    domains = tuple(dict.fromkeys(domains))  # registered, listed and shown once each
    problem = devserver.missing()
    if problem:
        raise UsageError(problem)
    if with_ui:
        from simpleflow.ui.config import EXTRA_HINT, missing_extra

        if missing_extra():
            raise UsageError(EXTRA_HINT)
        if not domains:
            raise UsageError("dev-server --ui needs a domain to show: --domain NAME")
        if ui_port and ui_port == port:
            raise UsageError(f"--ui-port {ui_port}: the same port as --port; give the web view another (0: a free one)")
        _check_free("--ui-port", "127.0.0.1", ui_port)
    ui = _WebView(domains, ui_port, host) if with_ui else None
    listening: list[Any] = []

    def ready(server: Any) -> None:
        listening.append(server)
        if ui is not None:
            ui.start(server)

    try:
        devserver.serve(host, port, domains, ready=ready)
    except OSError as err:
        raise UsageError(f"cannot listen on {host}:{port}: {err.strerror or err}") from None
    except KeyboardInterrupt:
        if not listening:  # stopped while it loaded: not the documented stop of a server that served
            interrupted()
    finally:
        if ui is not None:
            ui.stop()


def _check_free(option: str, host: str, port: int) -> None:
    """UsageError now if nothing can listen on *host*:*port*, rather than a server left running without it."""
    import socket

    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the web view binds
        try:
            probe.bind((host, port))
        except OSError as err:
            raise UsageError(f"{option} {port}: cannot listen on {host}:{port}: {err.strerror or err}") from None


class _WebView:
    """``simpleflow ui`` in a child process, a client of the dev server once it listens; it prints its own
    URL (with its token) on the same output, and dies with this process."""

    def __init__(self, domains: tuple[str, ...], port: int, host: str) -> None:
        self.domains = domains
        self.port = port
        self.host = host  # the dev server's
        self.process: subprocess.Popen | None = None

    def start(self, server: Any) -> None:
        from simpleflow.devserver import client_settings, client_url
        from simpleflow.runtime.child_process import die_with_parent_setup
        from simpleflow.runtime.user_path import child_module_argv

        env = {**os.environ, **client_settings(client_url(self.host, server.server_port))}
        options = ["--port", str(self.port)]
        for domain in self.domains:
            options += ["--domain", domain]
        command = child_module_argv("simpleflow", "ui", *options)
        sys.stdout.flush()
        self.process = subprocess.Popen(command, env=env, preexec_fn=die_with_parent_setup())

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(UI_STOP_GRACE)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


COMMANDS = [dev_server]
