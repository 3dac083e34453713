"""``simpleflow ui``: a web view of SWF executions, read straight from SWF (extra ``[ui]``).

``create_app(settings)`` builds the Starlette application (so ``dev-server --ui`` can serve it too);
``serve(settings)`` runs it with uvicorn. Nothing here is imported by ``simpleflow --help``.
"""

from __future__ import annotations

from typing import Any

from simpleflow.ui.config import EXTRA_HINT, UISettings, missing_extra

__all__ = ["EXTRA_HINT", "UISettings", "create_app", "missing_extra", "serve"]


def create_app(settings: UISettings) -> Any:
    """The UI's ASGI application (Starlette) for *settings*."""
    from simpleflow.ui.app import create_app as create

    return create(settings)


def serve(settings: UISettings, *, on_ready: Any = None) -> None:
    """Serve the UI on ``settings.host:settings.port`` until interrupted (see simpleflow.ui.server)."""
    from simpleflow.ui.server import serve as run

    run(settings, on_ready=on_ready)
