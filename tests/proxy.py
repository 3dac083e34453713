"""A TCP proxy to the test server that a test cuts and mends: an endpoint really out of reach, then back."""

from __future__ import annotations

import selectors
import socket
import threading
import time


class CuttableProxy:
    """A TCP proxy to the test server. ``cut()`` closes every open connection and, until ``mend()``,
    accepts new ones only to close them at once, keeping the time of each (one per poll attempted)."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream = ("127.0.0.1", upstream_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.down = False
        self.refused: list[float] = []
        self.served_since_mended = 0
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def cut(self) -> None:
        with self._lock:
            self.down = True
            sockets, self._open = self._open, set()
        for sock in sockets:
            _close(sock)

    def mend(self) -> None:
        with self._lock:
            self.down = False
            self.served_since_mended = 0

    def close(self) -> None:
        self.cut()
        _close(self.listener)

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            with self._lock:
                down = self.down
                if down:
                    self.refused.append(time.monotonic())
                else:
                    self.served_since_mended += 1
            if down:
                _close(conn)
            else:
                threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            upstream = socket.create_connection(self.upstream, timeout=5)
        except OSError:
            _close(conn)
            return
        upstream.settimeout(None)
        with self._lock:
            self._open.update((conn, upstream))
        selector = selectors.DefaultSelector()
        selector.register(conn, selectors.EVENT_READ, upstream)
        selector.register(upstream, selectors.EVENT_READ, conn)
        try:
            while True:
                for key, _ in selector.select(timeout=0.5):
                    data = key.fileobj.recv(65536)  # type: ignore[union-attr]
                    if not data:
                        return
                    key.data.sendall(data)
        except (OSError, ValueError):
            return
        finally:
            selector.close()
            _close(conn)
            _close(upstream)


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()
