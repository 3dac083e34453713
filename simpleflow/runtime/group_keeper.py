"""The process groups of a process's running programs, killed when that process dies (even by ``kill -9``).

A program is started with ``vfork`` (``subprocess`` without a ``preexec_fn``): setting ``PR_SET_PDEATHSIG``
in the child would take Python code between fork and exec, so a full ``fork`` of this process, which
costs more than the program's own start. Instead, before its first program a process starts its *keeper*:
a small shell, in a session of its own (no signal sent to this process's group reaches it) and no child
of this one (re-parented at once), blocked reading a pipe that nobody writes to. The process lists the
group of each running program in a small file it shares with the keeper, mapped in memory (a slot written
when the program starts, blanked when it is reaped: no system call, nothing woken). When the process
dies, however it dies, the kernel closes the pipe: the keeper wakes, sends SIGKILL to every group listed,
and exits.

A forked child does not share its parent's keeper or list (it starts its own before its first program).
If no keeper can be started, ``prepare`` says so and the caller sets the parent death signal instead.
"""

from __future__ import annotations

import mmap
import os
import subprocess
import tempfile
import threading

_SLOT = 12  # bytes: a pgid right-aligned in 11 characters and a newline; a free slot is blanks
_FREE = b" " * (_SLOT - 1) + b"\n"
_SLOTS = 1024  # programs running at once in one process before the list grows

# Waits for the pipe on fd 3 to close, then kills every group listed in the file on fd 4.
_SCRIPT = r"""
read -r _ <&3
while read -r id; do
  case $id in ''|*[!0-9]*) ;; *) kill -s KILL -- "-$id" 2>/dev/null ;; esac
done <&4
"""

_SHELL = "/bin/sh"


class _Keeper:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._owner = 0  # the process whose keeper it is (0: none started)
        self._pipe: int | None = None  # the write end, never written: closed by the kernel when we die
        self._file = None
        self._map: mmap.mmap | None = None
        self._free: list[int] = []  # free slots
        self._slots: dict[int, int] = {}  # pgid -> its slot

    def forget(self) -> None:
        """Let go of the keeper (in a forked child: it is the parent's; or a keeper found unusable)."""
        self._lock = threading.Lock()  # a fork may copy it held
        if self._map is not None:
            self._map.close()  # unmapped here only (the parent's list stays whole)
        if self._file is not None:
            self._file.close()
        if self._pipe is not None:
            try:
                os.close(self._pipe)
            except OSError:
                pass
        self._owner, self._pipe, self._file, self._map = 0, None, None, None
        self._free, self._slots = [], {}

    def _start(self) -> bool:
        listing = tempfile.TemporaryFile()
        listing.write(_FREE * _SLOTS)
        listing.flush()
        listing.seek(0)  # the keeper reads from this offset (its fd shares it): nothing here moves it again
        read_end, write_end = os.pipe()
        try:
            # The keeper runs in the background of a shell that exits at once: re-parented, in a session of
            # its own. Its pipe comes as the shell's stdin and the list as its stdout, kept on fds 3 and 4
            # (some shells take only one-digit fds in a redirection).
            starter = subprocess.Popen(  # noqa: S603 - a fixed argument list
                [_SHELL, "-c", f"exec 3<&0 4<&1 </dev/null >/dev/null 2>&1; ({_SCRIPT}) &"],
                stdin=read_end,
                stdout=listing,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            started = starter.wait() == 0
        except OSError:
            started = False
        finally:
            os.close(read_end)
        if not started:
            os.close(write_end)
            listing.close()
            return False
        self._owner, self._pipe, self._file = os.getpid(), write_end, listing
        self._map = mmap.mmap(listing.fileno(), _SLOT * _SLOTS)
        self._free = list(range(_SLOTS - 1, -1, -1))
        return True

    def prepare(self) -> bool:
        with self._lock:
            if self._owner != os.getpid():
                if self._owner:
                    self.forget()
                return self._start()
            return True

    def started(self, pgid: int) -> None:
        with self._lock:
            if self._owner != os.getpid() or self._map is None:
                return
            if not self._free:
                self._grow()
            slot = self._free.pop()
            self._slots[pgid] = slot
            self._map[slot * _SLOT : (slot + 1) * _SLOT] = b"%11d\n" % pgid

    def reaped(self, pgid: int) -> None:
        with self._lock:
            slot = self._slots.pop(pgid, None)
            if slot is None or self._map is None or self._owner != os.getpid():
                return
            self._map[slot * _SLOT : (slot + 1) * _SLOT] = _FREE
            self._free.append(slot)

    def _grow(self) -> None:
        assert self._map is not None
        count = len(self._map) // _SLOT
        self._map.resize(2 * count * _SLOT)  # the file too
        self._map[count * _SLOT :] = _FREE * count
        self._free.extend(range(2 * count - 1, count - 1, -1))


_keeper = _Keeper()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_keeper.forget)


def prepare() -> bool:
    """Make sure this process has a keeper, before a program starts (so that no start goes unwatched).

    Returns:
        False if none could be started (then give the program the parent death signal instead).
    """
    return _keeper.prepare()


def started(pgid: int) -> None:
    """Group *pgid*'s leader was just started: kill the group if this process dies."""
    _keeper.started(pgid)


def reaped(pgid: int) -> None:
    """Group *pgid*'s leader was reaped: the keeper lets the group be."""
    _keeper.reaped(pgid)
