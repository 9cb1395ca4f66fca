"""Keep the memory a run frees for its next arrays, instead of handing it back to the system at once.

A big run allocates and frees many arrays of tens of megabytes (a read of ten million profiles, the
outputs' columns). glibc's malloc maps every block over 32 MB afresh and unmaps it when freed, so
each new array pays the system's page faults again: on a virtual machine about a millisecond per
megabyte, more than the arithmetic done with the array. Within a run, malloc is told to serve big
blocks from its heap and keep what is freed (``mallopt``); after the run big blocks are mapped again,
as glibc does once its threshold has settled, and the free memory is returned (``malloc_trim``).
Elsewhere than glibc this does nothing.

Within a run numpy is also told not to advise the kernel to back its big arrays with 2 MB pages
(``MADV_HUGEPAGE``, numpy's default on Linux). On a virtual machine the first touch of a huge page
costs far more than that of its 512 small ones: the kernel gathers 2 MB of contiguous memory and the
host backs it, so a ten-million-profile run spent 1.3-1.8 s of system time in page faults with the
advice and 0.45-0.6 s without, for the same user time. Memory the run frees is kept and reused
anyway, so huge pages have little left to save. ``NUMPY_MADVISE_HUGEPAGE``, when set, decides instead.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD, M_MMAP_MAX = -1, -3, -4
DEFAULT_MMAP_MAX = 65536
#: where glibc's own sliding threshold settles once a process has freed a big array (its 64-bit maximum):
#: setting any of these options by hand stops the sliding for good, so the block's end sets them there
#: rather than at the start-up values (128 KiB), which would map every middle-sized array afresh
SETTLED_MMAP_THRESHOLD = 32 * 1024 * 1024
SETTLED_TRIM_THRESHOLD = 2 * SETTLED_MMAP_THRESHOLD
KEEP_UP_TO = 2**31 - 1  # bytes of free memory at the heap's top kept rather than given back (mallopt takes an int)


def _glibc():
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt.argtypes, libc.mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
        libc.malloc_trim.argtypes, libc.malloc_trim.restype = [ctypes.c_size_t], ctypes.c_int
        if not hasattr(libc, "gnu_get_libc_version"):  # musl has mallopt as a stub
            return None
    except (OSError, AttributeError):
        return None
    return libc


def _hugepage_switch():
    """numpy's switch of its huge-page advice (returns the previous setting), unless the user set it."""
    if "NUMPY_MADVISE_HUGEPAGE" in os.environ:
        return None
    import numpy as np

    for module in ("_core", "core"):  # numpy 2, numpy 1
        switch = getattr(getattr(getattr(np, module, None), "multiarray", None), "_set_madvise_hugepage", None)
        if switch is not None:
            return switch
    return None


_LIBC = _glibc()
_LOCK = threading.Lock()
_blocks = 0  # blocks open (nested, or in other threads): the defaults come back when the last one ends
_hugepages_before: bool | None = None  # numpy's huge-page advice before the first block opened


def _keep() -> bool:
    global _hugepages_before
    switch = _hugepage_switch()
    if switch is not None:
        _hugepages_before = bool(switch(False))
    return bool(_LIBC.mallopt(M_MMAP_MAX, 0)) and bool(_LIBC.mallopt(M_TRIM_THRESHOLD, KEEP_UP_TO))


def _give_back() -> None:
    global _hugepages_before
    switch = _hugepage_switch()
    if switch is not None and _hugepages_before is not None:
        switch(_hugepages_before)
    _hugepages_before = None
    _LIBC.mallopt(M_MMAP_MAX, DEFAULT_MMAP_MAX)
    _LIBC.mallopt(M_MMAP_THRESHOLD, SETTLED_MMAP_THRESHOLD)
    _LIBC.mallopt(M_TRIM_THRESHOLD, SETTLED_TRIM_THRESHOLD)
    _LIBC.malloc_trim(0)


@contextmanager
def freed_memory_reused() -> Iterator[None]:
    """Within the block, freed memory is kept for reuse; when the last open block ends it goes back."""
    global _blocks
    if _LIBC is None:
        yield
        return
    with _LOCK:
        if _blocks == 0:
            _keep()
        _blocks += 1
    try:
        yield
    finally:
        with _LOCK:
            _blocks -= 1
            if _blocks == 0:
                _give_back()
