"""Whether a directory may be trusted: nobody but this user (or root) can change what is in it.

A directory another user can write, or one inside a folder another user can change (unless sticky like
``/tmp``), is never trusted: not to hold the jumbo disk cache, not to run downloaded programs from, not to
import code from.
"""

from __future__ import annotations

import os
import stat


def untrusted_reason(directory: str, *, root_may_own: bool = False) -> str | None:
    """Why *directory* must not be trusted, or None when it may.

    It must be a directory owned by this user (or by root, with *root_may_own*: code to read, not a
    place to write) that no other user can write, under folders that only their owner (this user or
    root) can change, or that are sticky like /tmp. Symbolic links are followed only when this user or
    root owns them.
    """
    if not hasattr(os, "geteuid"):
        return None  # no POSIX owners to check
    euid = os.geteuid()
    owners = (euid, 0) if root_may_own else (euid,)
    try:
        link = os.lstat(directory)
        if stat.S_ISLNK(link.st_mode) and link.st_uid not in (euid, 0):
            return f"is a symbolic link owned by uid {link.st_uid}"
        real = os.path.realpath(directory)
        info = os.stat(real)
        if not stat.S_ISDIR(info.st_mode):
            return "is not a directory"
        if info.st_uid not in owners:
            return f"is owned by uid {info.st_uid}, not by this user (uid {euid})"
        if info.st_mode & 0o022:
            return f"can be written by other users (mode {stat.S_IMODE(info.st_mode):o})"
        parent = os.path.dirname(real)
        while True:
            up = os.stat(parent)
            if up.st_uid not in (euid, 0):
                return f"is inside {parent}, owned by uid {up.st_uid}"
            if up.st_mode & 0o022 and not up.st_mode & stat.S_ISVTX:
                return f"is inside {parent}, which other users can write (mode {stat.S_IMODE(up.st_mode):o})"
            if parent == os.path.dirname(parent):
                return None
            parent = os.path.dirname(parent)
    except OSError as error:
        return f"cannot be checked: {error}"
