"""The tests' SWF and S3 endpoint: ``simpleflow dev-server`` as a child process on 127.0.0.1.

The dev server (:mod:`simpleflow.devserver`) is moto's SWF and S3 extended to what SWF does; the suite
runs it with short long polls (a decider or worker a test stops ends with its poll in flight).
``MotoServer(stock=True)`` runs moto's own server, untouched: the benchmark compares simpleflow with the
released peer there, and a test checks what a stock server does with what only the dev server carries out.
``MotoServer(moto_api=True)`` serves moto's ``/moto-api/`` too (the dev server answers it 404 otherwise):
``reset()`` needs it.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# How long the suite's server holds an empty poll (SWF and the dev server by default: 60 s).
POLL_WAIT = 0.05


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MotoServer:
    """A dev server (or with *stock*, moto's own server) in a child process; ``url`` is its endpoint.

    *poll_wait*: seconds an empty poll is held; *timer_speed*: timers fire that many times faster than
    written (an hour-long timer in a second: 3600); *page_size*: the page size of calls that give none;
    *moto_api*: serve moto's ``/moto-api/`` admin endpoints (``reset()``).
    """

    def __init__(
        self,
        stock: bool = False,
        poll_wait: float = POLL_WAIT,
        timer_speed: float = 1.0,
        page_size: int = 1000,
        moto_api: bool = False,
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.stock = stock
        self.poll_wait = poll_wait
        self.timer_speed = timer_speed
        self.page_size = page_size
        self.moto_api = moto_api or stock
        self.process: subprocess.Popen | None = None

    def command(self) -> list[str]:
        if self.stock:
            return [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)]
        command = [
            sys.executable,
            "-m",
            "simpleflow.devserver",
            "--port",
            str(self.port),
            "--poll-wait",
            str(self.poll_wait),
            "--timer-speed",
            str(self.timer_speed),
            "--page-size",
            str(self.page_size),
        ]
        return command + ["--moto-api"] if self.moto_api else command

    def start(self, timeout: float = 30.0) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (ROOT, env.get("PYTHONPATH")) if p)
        self.process = subprocess.Popen(self.command(), stdout=subprocess.DEVNULL, env=env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}")
            try:
                # Any answer will do (S3's bucket list, unsigned: moto answers it), as long as one comes.
                urllib.request.urlopen(f"{self.url}/", timeout=1).read()
                return
            except urllib.error.HTTPError:
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server did not answer on {self.url} within {timeout}s")

    def reset(self) -> None:
        """Forget every domain, execution and bucket (a server started with *moto_api*)."""
        req = urllib.request.Request(f"{self.url}/moto-api/reset", method="POST")
        urllib.request.urlopen(req, timeout=5).read()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def environ(self) -> dict[str, str]:
        """Environment that points boto3 (in this process or a child) at the server."""
        return {
            "AWS_ENDPOINT_URL": self.url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SECURITY_TOKEN": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
        }

    def apply_environ(self) -> None:
        os.environ.update(self.environ())

    @contextlib.contextmanager
    def pointed_at(self) -> Iterator[MotoServer]:
        """Within the block, this process's AWS settings (and simpleflow's clients) point at the server."""
        from simpleflow.swf import client

        saved = {k: os.environ.get(k) for k in self.environ()}
        self.apply_environ()
        client.reset_clients()
        try:
            yield self
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
            client.reset_clients()


@contextlib.contextmanager
def long_poll_domain(prefix: str) -> Iterator[str]:
    """A dev server of its own that holds an empty poll 30 s (as SWF does 60 s), this process pointed at it,
    and a new domain on it (its name starts with *prefix*)."""
    import uuid

    import boto3

    server = MotoServer(poll_wait=30)
    server.start()
    try:
        with server.pointed_at():
            domain = f"{prefix}-{uuid.uuid4().hex[:8]}"
            boto3.client("swf").register_domain(name=domain, workflowExecutionRetentionPeriodInDays="1")
            yield domain
    finally:
        server.stop()
