"""Which Host headers a server bound to loopback answers: the rule of ``simpleflow ui`` and the dev server.

A browser page can point a name of its own at 127.0.0.1 (DNS rebinding) and then read a loopback server
as if it were its own origin; the Host header it sends still carries that name. A server bound to
loopback therefore answers only a Host that names this machine: ``localhost`` or a loopback address,
with any port (a tunnel or a forwarded port changes the port, never the name).
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

__all__ = ["is_loopback", "loopback_host_allowed"]


def is_loopback(host: str) -> bool:
    """Whether *host* (a name or an address, IPv6 with or without brackets) stays on this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def loopback_host_allowed(bound_host: str, host_header: str | None) -> bool:
    """Whether a server listening on *bound_host* answers a request whose Host header is *host_header*:
    always beyond loopback (the names it is reached by are not known), else only a loopback name."""
    if not is_loopback(bound_host):
        return True
    if not host_header:
        return False
    try:
        name = urlsplit(f"//{host_header}").hostname or ""
    except ValueError:  # "[::1" and the like
        return False
    return is_loopback(name)
