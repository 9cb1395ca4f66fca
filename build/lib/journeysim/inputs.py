"""Input files checked before they are read: a folder, a named pipe or a device is called what it is
(reading one blocks forever or never ends), and a file larger than its kind can be is refused by
its size, without reading it."""

from __future__ import annotations

import os
import stat
from pathlib import Path

MAX_SCENARIO_BYTES = 2 * 2**20  # a scenario or sweep file: a few KB in practice
MAX_ARRIVALS_BYTES = 256 * 2**20  # an arrivals file: about 20 million times
MAX_VALUE_CHARS = 1000  # one text value (a population cell, a written attribute): numpy stores every row that wide


class InputRefused(ValueError):
    """A file that is not a regular readable file, or too large; the message says which."""


def size_text(size: float) -> str:
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if size >= scale:
            return f"{size / scale:,.1f} {unit}"
    return f"{size:,.0f} bytes"


def file_problem(path: str | Path) -> str | None:
    """Why ``path`` is not a regular file to read (no such file, a folder, a pipe, a device), or None."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return f"no such file (looked for {path})"
    except NotADirectoryError:
        return f"no such file (a part of {str(path)!r} is a file, not a folder)"
    except OSError as exc:
        return exc.strerror or str(exc)
    if stat.S_ISDIR(mode):
        return "it is a folder, not a file"
    if stat.S_ISFIFO(mode):
        return "it is a named pipe (FIFO), not a file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "it is a device, not a file"
    if stat.S_ISSOCK(mode):
        return "it is a socket, not a file"
    if not stat.S_ISREG(mode):
        return "it is not a regular file"
    return None


def check_file(path: str | Path, limit: int, what: str) -> int:
    """The size of a regular file of at most ``limit`` bytes; InputRefused otherwise."""
    problem = file_problem(path)
    if problem:
        raise InputRefused(problem)
    size = os.stat(path).st_size
    if size > limit:
        raise InputRefused(f"it is {size_text(size)}, more than the {size_text(limit)} a {what} may be")
    return size


def read_bytes(path: str | Path, limit: int, what: str) -> bytes:
    """The content of a regular file of at most ``limit`` bytes (checked before and while reading)."""
    check_file(path, limit, what)
    with open(path, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise InputRefused(f"it is more than the {size_text(limit)} a {what} may be")
    return data
