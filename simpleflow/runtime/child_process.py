"""Running a program as a child: no shell, its own process group, a timeout that kills the group.

The program leads a process group of its own, so a timeout (or ``kill_children``) reaches
everything it started; the group gets SIGKILL if the process that started it dies, so a
killed worker leaves no program behind (``group_keeper``; the kernel's parent death signal
where no keeper can run). It is started by ``vfork``, as the original simpleflow starts its
programs. Its stdout and stderr go to temporary files, which cannot fill up and block it the
way a pipe nobody reads does.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from simpleflow import settings
from simpleflow.exceptions import ExecutionError, ExecutionTimeoutError
from simpleflow.runtime import group_keeper

STDERR_TAIL_LINES = 20
STDERR_TAIL_CHARS = 2000
# How often a group's leftovers are checked while they are given time to exit.
_GROUP_POLL = 0.02

_prctl = None


@dataclass
class Completed:
    """A program that ran to its end: its exit code and what it wrote."""

    argv: list[str]
    exit_code: int
    stdout: str
    stderr: str


def _start_failure(program: str, cwd: str | None, error: OSError) -> str:
    """Why *program* did not start: itself, or its working directory (the same errno names either)."""
    why = error.strerror or str(error)
    if cwd is not None and error.filename is not None and str(error.filename) == str(cwd):
        return f"cannot run {program!r}: its working directory {str(cwd)!r}: {why}"
    return f"cannot run {program!r}: {why}"


def stderr_tail(text: str) -> str:
    """The last lines of *text* (at most 20 lines, 2,000 characters), for an error message."""
    lines = text.rstrip().splitlines()[-STDERR_TAIL_LINES:]
    tail = "\n".join(lines)
    return tail if len(tail) <= STDERR_TAIL_CHARS else "..." + tail[-STDERR_TAIL_CHARS:]


def _taken_text(fd: int) -> str:
    """What the program wrote to the file on *fd*, which is emptied for the next one."""
    size = os.fstat(fd).st_size
    if not size:
        return ""  # the usual case of stderr: a single system call
    chunks = []
    offset = 0
    while offset < size:
        chunk = os.pread(fd, size - offset, offset)
        if not chunk:
            break
        chunks.append(chunk)
        offset += len(chunk)
    os.ftruncate(fd, 0)  # nothing of this program's output stays on disk
    os.lseek(fd, 0, os.SEEK_SET)  # the next program writes from the start (it shares this offset)
    text = b"".join(chunks).decode("utf-8", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n")


_scratch = threading.local()
_null: tuple[int, int] | None = None  # (pid, fd) of this process's /dev/null


def _devnull() -> int:
    """A descriptor of /dev/null for programs' stdin, opened once per process (not once per program)."""
    global _null
    if _null is None or _null[0] != os.getpid():
        _null = (os.getpid(), os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC))
    return _null[1]


@contextlib.contextmanager
def _output_files(tmp_dir: str | None) -> Iterator[tuple[int, int]]:
    """Two empty unnamed files for a program's stdout and stderr, in *tmp_dir*, as file descriptors.

    Each thread reuses its own pair from call to call (``_taken_text`` empties them): creating two files
    costs a tenth of starting a small program. A forked child makes its own (the parent's are shared).
    """
    key = (os.getpid(), tmp_dir)
    cached = getattr(_scratch, "files", None)
    _scratch.files = None  # taken: a call made meanwhile on this thread (a signal handler's) gets its own
    if cached is not None and cached[0] != key:
        for handle in cached[1]:
            handle.close()
        cached = None
    if cached is None:
        cached = (key, (tempfile.TemporaryFile(dir=tmp_dir), tempfile.TemporaryFile(dir=tmp_dir)))
    out, err = cached[1]
    try:
        yield out.fileno(), err.fileno()
    except BaseException:
        for handle in cached[1]:
            handle.close()  # its output may not have been taken
        raise
    _scratch.files = cached


def die_with_parent_setup():
    """A preexec function giving the child SIGKILL when its parent dies (Linux), or None."""
    global _prctl
    if not sys.platform.startswith("linux"):
        return None
    if _prctl is None:
        try:
            import ctypes

            _prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up here, not in the forked child
        except (OSError, AttributeError):
            return None

    def preexec() -> None:
        _prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG

    return preexec


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def kill_group(pgid: int, grace: float, leader: subprocess.Popen | None = None) -> None:
    """SIGTERM every process of group *pgid*, then SIGKILL what is left after *grace* seconds.

    *leader* (the group's first process, if not reaped yet) is reaped while waiting: a zombie
    still counts as a member of its group.
    """
    try:
        os.killpg(pgid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if leader is not None:
            leader.poll()
        if not _group_alive(pgid):
            return
        time.sleep(_GROUP_POLL)
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def run(
    argv: Sequence[str],
    timeout: float | None = None,
    kill_children: bool = False,
    env: Mapping[str, str] | None = None,
    cwd: str | None = None,
    pass_fds: Sequence[int] = (),
    capture_stdout: bool = True,
) -> Completed:
    """Run *argv* (no shell) to its end and return how it ended.

    Args:
        argv: the program and its arguments, each passed as is.
        timeout: seconds; past it the whole process group is killed.
        kill_children: also kill what the program left running in its group once it exited.
        env: the program's whole environment (None: this process's).
        cwd: its working directory.
        pass_fds: file descriptors the program inherits.
        capture_stdout: capture stdout (else the program writes to this process's stdout).

    Returns:
        A :class:`Completed`, whatever the exit code.

    Raises:
        ExecutionTimeoutError: the program ran past *timeout*.
        ExecutionError: the program could not be started (not found, not executable...).
    """
    argv = [str(part) for part in argv]
    tmp_dir = next((env[name] for name in ("TMPDIR", "TEMP", "TMP") if env and env.get(name)), None)
    # A keeper kills the program's group if this process dies; without one, the kernel's parent death
    # signal does, set in the child (a full fork instead of a vfork: several times slower).
    watched = group_keeper.prepare()
    with _output_files(tmp_dir) as (out, err):
        sys.stdout.flush()
        sys.stderr.flush()
        try:
            process = subprocess.Popen(  # noqa: S603 - an argument list, never a shell
                argv,
                stdin=_devnull(),
                stdout=out if capture_stdout else None,
                stderr=err,
                env=dict(env) if env is not None else None,
                cwd=cwd,
                pass_fds=tuple(pass_fds),
                start_new_session=True,
                preexec_fn=None if watched else die_with_parent_setup(),  # noqa: PLW1509 - only a prctl call
            )
        except OSError as error:
            raise ExecutionError(_start_failure(argv[0], cwd, error), exit_code=None) from None
        if watched:
            group_keeper.started(process.pid)  # its group's id: the program leads a session of its own
        try:
            try:
                exit_code = process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                kill_group(process.pid, settings.get("ACTIVITY_SIGTERM_WAIT_SEC"), process)
                process.wait()
                raise ExecutionTimeoutError(command=argv, timeout_value=timeout) from None
            except BaseException:  # interrupted (SIGTERM, Ctrl-C): nothing is left behind
                kill_group(process.pid, 0, process)
                process.wait()
                raise
            if kill_children:
                kill_group(process.pid, settings.get("ACTIVITY_SIGTERM_WAIT_SEC"))
        finally:
            if watched:
                group_keeper.reaped(process.pid)
        return Completed(argv, exit_code, _taken_text(out) if capture_stdout else "", _taken_text(err))
