"""The threads local activities run on: a pool whose threads can be given up on.

An activity that outlives its timeout cannot be stopped from outside (Python has no way to kill a
thread), so the local host gives it up, as SWF gives up on a worker: the attempt is timed out, the thread
runs on by itself and its late result is dropped, and a fresh thread takes its place in the pool. The
threads are daemons, so a thread given up on never holds the process at exit (a ``ThreadPoolExecutor``
joins its threads at exit: a 2-minute activity timed out after 10 s would hold the command 2 minutes).
"""

from __future__ import annotations

import concurrent.futures
import contextvars
import functools
import queue
import threading
from collections.abc import Callable
from typing import Any


class _Worker:
    __slots__ = ("given_up", "job", "thread")

    def __init__(self) -> None:
        self.job: concurrent.futures.Future | None = None
        self.given_up = False
        self.thread: threading.Thread | None = None


class ActivityThreads:
    """At most *size* daemon threads running jobs in the order submitted (threads given up on not counted)."""

    def __init__(self, size: int, name: str = "simpleflow-activity") -> None:
        self._size = max(1, size)
        self._name = name
        self._jobs: queue.SimpleQueue[tuple[concurrent.futures.Future, Callable[[], Any]] | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._workers: list[_Worker] = []  # the threads not given up on
        self._idle = 0
        self._closed = False

    def submit(self, fn: Callable[[], Any]) -> concurrent.futures.Future:
        """Run *fn* on a thread of the pool, in the context variables of the caller (as if it ran here); its
        future."""
        job: concurrent.futures.Future = concurrent.futures.Future()
        context = contextvars.copy_context()
        with self._lock:
            if self._closed:
                raise RuntimeError("the activity threads were shut down")
            self._jobs.put((job, functools.partial(context.run, fn)))
            if self._idle:
                self._idle -= 1
            elif len(self._workers) < self._size:
                self._start_worker()
        return job

    def give_up(self, job: concurrent.futures.Future) -> None:
        """Stop waiting for *job*: its thread (if it runs it) leaves the pool once done; another replaces it."""
        if job.cancel():  # not started yet: it never will
            return
        with self._lock:
            for worker in self._workers:
                if worker.job is job:
                    worker.given_up = True
                    self._workers.remove(worker)
                    if not self._closed and len(self._workers) < self._size and not self._jobs.empty():
                        self._start_worker()
                    return

    def shut_down(self) -> None:
        """Drop the jobs not started, wait for those running (not for the threads given up on)."""
        with self._lock:
            self._closed = True
            workers = list(self._workers)
        while True:
            try:
                item = self._jobs.get_nowait()
            except queue.Empty:
                break
            if item is not None:
                item[0].cancel()
        for _ in workers:
            self._jobs.put(None)
        for worker in workers:
            if worker.thread is not None and worker.thread is not threading.current_thread():
                worker.thread.join()

    def _start_worker(self) -> None:
        worker = _Worker()
        worker.thread = threading.Thread(target=self._work, args=(worker,), name=self._name, daemon=True)
        self._workers.append(worker)
        worker.thread.start()

    def _work(self, worker: _Worker) -> None:
        while True:
            item = self._jobs.get()
            if item is None:
                return
            job, fn = item
            if not job.set_running_or_notify_cancel():
                with self._lock:
                    self._idle += 1
                continue
            worker.job = job
            try:
                job.set_result(fn())
            except BaseException as error:  # the job's own failure is its future's
                job.set_exception(error)
            with self._lock:
                worker.job = None
                if worker.given_up:
                    return
                self._idle += 1
