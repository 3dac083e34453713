"""Who may do what: the token cookie, CSRF on every change, and the Host header.

- The token printed at start (``?token=``, as Jupyter does) is exchanged once for an HttpOnly,
  SameSite=Strict cookie, and the browser is sent to the same page without it in the address.
- A change is a POST that carries that cookie *and* a form field derived from the token (CSRF), from
  a page of this origin (Origin header, when the browser sends one). Anything else is refused.
- On loopback the Host header must name this server (a DNS-rebinding page cannot read it).
- Beyond loopback (``--host``), every page needs the cookie too: the executions' inputs and results are
  not shown to whoever can reach the port.
"""

from __future__ import annotations

import hashlib
import hmac

from simpleflow.ui.config import UISettings
from simpleflow.utils import is_loopback, loopback_host_allowed

__all__ = ["csrf_value", "host_allowed", "holds_token", "read_refusal", "refusal"]


def csrf_value(token: str) -> str:
    """The CSRF field of this process's forms: an HMAC of the token (the token itself never is in a page)."""
    return hmac.new(token.encode(), b"simpleflow-ui-csrf", hashlib.sha256).hexdigest()


def holds_token(settings: UISettings, cookie: str | None) -> bool:
    """Whether a request's cookie holds this process's token."""
    return bool(cookie) and hmac.compare_digest(cookie.encode(), settings.token.encode())


def host_allowed(settings: UISettings, host_header: str | None) -> bool:
    """Whether the Host header names this server (always true when it listens beyond loopback)."""
    return loopback_host_allowed(settings.host, host_header)


def read_refusal(settings: UISettings, cookie: str | None) -> str | None:
    """Why a page is not shown, or None: on loopback anyone on this machine may look, beyond it only a
    browser holding the token."""
    if is_loopback(settings.host) or holds_token(settings, cookie):
        return None
    return (
        f"this UI listens on {settings.host}, beyond this machine: every page needs the token. "
        "Open the URL printed when the UI started (it carries ?token=...)"
    )


def refusal(
    settings: UISettings,
    *,
    method: str,
    cookie: str | None,
    form_csrf: str | None,
    origin: str | None,
    own_origin: str,
) -> str | None:
    """Why a state-changing request is refused, or None when it may go on."""
    if settings.read_only:
        return "this UI is read-only (started with --read-only)"
    if method != "POST":
        return "changes are made with POST only"
    if not holds_token(settings, cookie):
        return "no valid token: open the URL printed when the UI started (it carries ?token=...)"
    if not form_csrf or not hmac.compare_digest(form_csrf.encode(), csrf_value(settings.token).encode()):
        return "the form's CSRF field is missing or wrong: reload the page and try again"
    if origin and origin != "null" and origin.rstrip("/") != own_origin.rstrip("/"):
        return f"request from another origin ({origin}) refused"
    if origin == "null":
        return "request from an opaque origin refused"
    return None
