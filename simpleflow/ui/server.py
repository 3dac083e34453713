"""Running the UI: uvicorn on the settings' address, the URL with its token printed once it listens."""

from __future__ import annotations

import logging
import sys
from typing import Any

from simpleflow.exceptions import UsageError
from simpleflow.ui.config import UISettings
from simpleflow.utils import is_loopback

log = logging.getLogger(__name__)


def serve(settings: UISettings, *, on_ready: Any = None) -> None:
    """Serve until interrupted; *on_ready(url)* is called once the socket listens (default: print the URL)."""
    import socket

    import uvicorn

    from simpleflow.ui.app import create_app

    app = create_app(settings)
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((settings.host, settings.port))
    except OSError as err:
        sock.close()
        raise UsageError(f"cannot listen on {settings.host}:{settings.port}: {err.strerror or err}") from None
    if settings.port == 0:
        settings.port = sock.getsockname()[1]
    if not is_loopback(settings.host):
        log.warning(
            "simpleflow ui listens on %s: reachable beyond this machine (every page needs the token)", settings.host
        )
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    url = settings.url()
    original_startup = server.startup

    async def startup(sockets: Any = None) -> None:
        await original_startup(sockets=sockets)
        if on_ready is not None:
            on_ready(url)
        else:
            print(f"simpleflow ui: {url}", flush=True)
            print("(open this URL: it carries the token that actions need; Ctrl-C stops)", file=sys.stderr, flush=True)

    server.startup = startup  # type: ignore[method-assign]
    sock.listen(128)
    server.run(sockets=[sock])
