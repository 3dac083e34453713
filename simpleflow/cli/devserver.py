"""``simpleflow dev-server``: SWF and S3 on one local port, as SWF behaves (the optional extra ``[dev]``).

moto and the server are imported inside the command so that ``simpleflow --help`` stays fast.
"""

from __future__ import annotations

import click

from simpleflow.cli.failures import user_errors
from simpleflow.exceptions import UsageError


@click.command("dev-server")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (a warning off loopback).")
@click.option("--port", type=int, default=4566, show_default=True, help="Port for SWF and S3.")
@click.option("--domain", "domains", multiple=True, help="Register this SWF domain (repeatable).")
@user_errors
def dev_server(host: str, port: int, domains: tuple[str, ...]) -> None:
    """Serve SWF and S3 on one local port, as SWF behaves, until Ctrl-C (needs simpleflow[dev])."""
    from simpleflow import devserver

    problem = devserver.missing()
    if problem:
        raise UsageError(problem)
    try:
        devserver.serve(host, port, domains)
    except OSError as err:
        raise UsageError(f"cannot listen on {host}:{port}: {err.strerror or err}") from None
    except KeyboardInterrupt:
        pass


COMMANDS = [dev_server]
