"""A small threaded HTTP/1.1 server for a WSGI application, with kept-alive connections.

SWF's endpoint keeps connections open, and botocore reuses its pooled ones. moto's server (werkzeug's
development server) closes every connection after its answer, and after each answer it reads and drops
whatever is left on the socket, the client's next request included, so it cannot simply be told to keep
them. This one reads each request's body whole, answers with a length, and keeps the connection for the
next request unless the client asks to close it. Each connection is served on a thread of its own, so a
long poll holds only its own.
"""

from __future__ import annotations

import io
import socket
import sys
import traceback
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote_to_bytes, urlsplit

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}


class Server(ThreadingHTTPServer):
    daemon_threads = True  # a held poll does not keep the process from stopping
    allow_reuse_address = True

    def __init__(self, host: str, port: int, app: Callable) -> None:
        self.app = app
        if ":" in host:
            self.address_family = socket.AF_INET6
        super().__init__((host, port), Handler)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # An answer is written in two sends (its head, then its body): with Nagle's algorithm the body waited for
    # the client's ACK of the head, which a client expecting more data delays (40 ms on Linux), per request.
    disable_nagle_algorithm = True
    server: Server

    def do_request(self) -> None:
        body = self._read_body()
        url = urlsplit(self.path)
        environ: dict[str, Any] = {
            "REQUEST_METHOD": self.command,
            "SCRIPT_NAME": "",
            "PATH_INFO": unquote_to_bytes(url.path).decode("latin-1"),
            "QUERY_STRING": url.query,
            "REQUEST_URI": self.path,
            "RAW_URI": self.path,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "SERVER_NAME": self.server.server_address[0],
            "SERVER_PORT": str(self.server.server_address[1]),
            "SERVER_PROTOCOL": self.request_version,
            "REMOTE_ADDR": self.client_address[0],
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        for key, value in self.headers.items():
            name = "HTTP_" + key.upper().replace("-", "_")
            if name not in ("HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"):
                environ[name] = f"{environ[name]},{value}" if name in environ else value
        started: list[Any] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable:
            started[:] = [status, headers]
            return lambda data: None

        try:
            chunks = self.server.app(environ, start_response)
            try:
                payload = b"".join(chunks)
            finally:
                getattr(chunks, "close", lambda: None)()
        except Exception:
            traceback.print_exc()
            started[:] = ["500 Internal Server Error", [("Content-Type", "text/plain")]]
            payload = b"internal error of the dev server\n"
        self._answer(started[0], started[1], payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = do_request  # noqa: N815

    def _read_body(self) -> bytes:
        if (self.headers.get("Transfer-Encoding") or "").lower() == "chunked":
            parts = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _answer(self, status: str, headers: list[tuple[str, str]], payload: bytes) -> None:
        code, _, reason = status.partition(" ")
        self.send_response(int(code), reason)
        length = str(len(payload))
        for key, value in headers:
            if key.lower() == "content-length" and self.command == "HEAD":
                length = value  # a HEAD answer gives the length of the body it leaves out
            elif key.lower() not in _HOP_BY_HOP:
                self.send_header(key, value)
        self.send_header("Content-Length", length)
        if self.request_version == "HTTP/1.0" or (self.headers.get("Connection") or "").lower() == "close":
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def handle(self) -> None:
        try:
            super().handle()
        except ConnectionError:
            pass  # the client went away (a process stopped with its poll held): nothing to answer

    def log_request(self, code: Any = "-", size: Any = "-") -> None:
        pass  # one line per request (long polls included) would drown what matters
