"""``simpleflow ui``: a web view of executions, read from SWF (the optional extra ``[ui]``).

The web stack is imported inside the command so that ``simpleflow --help`` stays fast.
"""

from __future__ import annotations

import click

from simpleflow.cli.failures import user_errors
from simpleflow.exceptions import UsageError


@click.command("ui")
@click.option("--domain", "-d", "domains", multiple=True, envvar="SWF_DOMAIN", help="SWF domain to show (repeatable).")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (loopback by default; elsewhere, every page needs the token).",
)
@click.option("--port", type=click.IntRange(0, 65535), default=8233, show_default=True, help="Port (0: a free one).")
@click.option("--read-only", is_flag=True, help="Pages only: no signal, cancel, terminate, restart, repair or query.")
@click.option(
    "--package",
    "packages",
    multiple=True,
    metavar="PACKAGE",
    help="Workflow classes under PACKAGE may be imported to replay executions (the signals they wait for); repeatable.",
)
@click.option("--page-size", type=click.IntRange(1, 1000), default=100, show_default=True, help="Executions per page.")
@user_errors
def ui(
    domains: tuple[str, ...], host: str, port: int, read_only: bool, packages: tuple[str, ...], page_size: int
) -> None:
    """Serve a web view of the executions of DOMAINs, read from SWF (extra: pip install 'simpleflow[ui]').

    Prints the URL to open: it carries a per-process token, which any action needs.
    """
    from simpleflow.ui.config import EXTRA_HINT, UISettings, missing_extra

    if missing_extra():
        raise UsageError(EXTRA_HINT)
    if not domains:
        raise UsageError("simpleflow ui needs a domain: --domain NAME (or $SWF_DOMAIN)")
    from simpleflow.swf import client
    from simpleflow.ui import serve

    if packages:
        from simpleflow.runtime.user_path import use_current_directory

        use_current_directory()  # the packages' classes are found as the decider finds its workflows'
    for domain in domains:
        client.check_domain(domain)  # an unknown domain: one line, before anything listens
    try:
        serve(UISettings(tuple(domains), host, port, read_only, packages=packages, page_size=page_size))
    except KeyboardInterrupt:  # Ctrl-C is how it stops ("Ctrl-C stops"): quietly, exit 0, as dev-server
        pass


COMMANDS = [ui]
