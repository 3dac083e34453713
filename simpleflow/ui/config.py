"""What a UI process is told: the domains it shows, where it listens, its token, whether it may act."""

from __future__ import annotations

import importlib
import secrets
from dataclasses import dataclass, field

EXTRA_HINT = "simpleflow ui needs its extra: pip install 'simpleflow[ui]'"
_EXTRA_MODULES = ("starlette", "uvicorn", "jinja2")

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8233
DEFAULT_PAGE_SIZE = 100  # executions per list page (SWF gives at most 1,000)
DEFAULT_REFRESH = 5.0  # seconds between reloads of a page that shows something open


def missing_extra() -> list[str]:
    """The modules of the ``[ui]`` extra that cannot be imported (empty when installed)."""
    missing = []
    for name in _EXTRA_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    return missing


def new_token() -> str:
    """A fresh per-process token (256 random bits, URL-safe)."""
    return secrets.token_urlsafe(32)


@dataclass(slots=True)
class UISettings:
    """A UI process's settings.

    Attributes:
        domains: the SWF domains shown (and the only ones a request may name).
        read_only: no action at all (no forms, every POST refused).
        token: the per-process secret a browser must hold (cookie) for any action.
        packages: dotted package prefixes whose workflow classes may be imported to replay an
            execution (signals it waits for, queries); nothing else named by SWF data is imported.
        page_size: executions per list page (SWF's maximumPageSize, at most 1,000).
        refresh: seconds between reloads of a page showing an open execution (0: never).
    """

    domains: tuple[str, ...]
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    read_only: bool = False
    token: str = field(default_factory=new_token)
    packages: tuple[str, ...] = ()
    page_size: int = DEFAULT_PAGE_SIZE
    refresh: float = DEFAULT_REFRESH

    @property
    def cookie_name(self) -> str:
        # One cookie per port: two UIs on one machine do not overwrite each other's token.
        return f"simpleflow_ui_{self.port}"

    def url(self, with_token: bool = True) -> str:
        """The address to open (with ``?token=`` as Jupyter prints it)."""
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        host = f"[{host}]" if ":" in host and not host.startswith("[") else host
        base = f"http://{host}:{self.port}/"
        return f"{base}?token={self.token}" if with_token else base

    def allows_class(self, path: str | None) -> bool:
        """Whether the workflow class at *path* is under a package the operator gave."""
        return bool(path) and any(path == p or path.startswith(p + ".") for p in self.packages)
