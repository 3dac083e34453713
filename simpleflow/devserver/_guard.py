"""Who the dev server answers: SDKs and the CLI on this machine, never a web page the developer opens.

Listening on loopback keeps other machines out, not the browser: a page from any site can send requests
to 127.0.0.1. moto's application answers them as a shared server would (CORS for every origin, its
``/moto-api/`` admin endpoints: reset, recorder, the whole state as JSON). In front of it:

- a request a browser makes for a page is refused (403): it carries an ``Origin`` header (every
  cross-origin request and every POST does), or a ``Sec-Fetch-Site`` other than ``none`` (what a page
  loads without CORS: an image, a script). boto3, the AWS CLI and simpleflow's own clients send neither;
  a URL typed in the address bar still opens (``Sec-Fetch-Site: none``). No answer carries CORS headers.
- bound to loopback, a Host header that does not name this machine is refused (421): a DNS-rebinding
  page sends its own name (the rule of ``simpleflow ui``, :mod:`simpleflow.utils._loopback`).
- moto's ``/moto-api/`` answers 404 unless the server was started with it (``--moto-api``).

Refusals come in the shape of the protocol asked (SWF's JSON, S3's XML), so boto3 reports their reason.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from simpleflow.utils import loopback_host_allowed

MOTO_API_BACKENDS = ("moto_api", "moto_api._internal")
MOTO_API_OFF = "not found: moto's /moto-api/ is off on this dev server (python -m simpleflow.devserver --moto-api)"


class Guard:
    """WSGI middleware in front of moto's application for a server listening on *bound_host*."""

    def __init__(self, app: Callable, bound_host: str) -> None:
        self.app = app
        self.bound_host = bound_host

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        refused = self.refusal(environ)
        if refused is not None:
            return refused(environ, start_response)

        def without_cors(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable:
            kept = [(k, v) for k, v in headers if not k.lower().startswith("access-control-")]
            return start_response(status, kept, exc_info)

        return self.app(environ, without_cors)

    def refusal(self, environ: dict[str, Any]) -> Callable | None:
        """The answer that refuses this request, or None when it may reach moto."""
        origin = environ.get("HTTP_ORIGIN")
        if origin is not None:
            return refuse(403, "AccessDenied", f"requests from web pages are refused (Origin: {origin})")
        fetch_site = environ.get("HTTP_SEC_FETCH_SITE")
        if fetch_site is not None and fetch_site != "none":
            return refuse(403, "AccessDenied", f"requests from web pages are refused (Sec-Fetch-Site: {fetch_site})")
        host = environ.get("HTTP_HOST")
        if not loopback_host_allowed(self.bound_host, host):
            return refuse(
                421,
                "MisdirectedRequest",
                f"unknown Host header {host!r}: this dev server listens on loopback {self.bound_host}; "
                f"use http://127.0.0.1:{environ.get('SERVER_PORT')} or http://localhost:{environ.get('SERVER_PORT')}",
            )
        return None


def refuse(status: int, code: str, message: str) -> Callable:
    """A WSGI application answering *status* with *code* and *message* as SWF (JSON) or S3 (XML) would."""
    reason = {403: "Forbidden", 404: "Not Found", 421: "Misdirected Request"}[status]

    def answer(environ: dict[str, Any], start_response: Callable) -> list[bytes]:
        if environ.get("HTTP_X_AMZ_TARGET"):
            body = json.dumps({"__type": code, "message": message}).encode()
            content_type = "application/x-amz-json-1.0"
        else:
            body = (
                "<?xml version='1.0' encoding='UTF-8'?>\n"
                f"<Error><Code>{code}</Code><Message>{_xml_escape(message)}</Message></Error>\n"
            ).encode()
            content_type = "application/xml"
        start_response(f"{status} {reason}", [("Content-Type", content_type)])
        return [body]

    return answer


def backend_factory(create_backend_app: Callable[[str], Any], moto_api: bool) -> Callable[[str], Any]:
    """moto's factory of per-service applications, with ``/moto-api/`` (however a request reaches its
    backend: by path, by a crafted signature) answering 404 unless *moto_api*."""

    def create(backend: str) -> Any:
        if backend in MOTO_API_BACKENDS and not moto_api:
            return refuse(404, "NotFound", MOTO_API_OFF)
        return create_backend_app(backend)

    return create


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
