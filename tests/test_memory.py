"""A run keeps the memory it frees for its next arrays (engine/memory.py), and gives it back after."""

from __future__ import annotations

import resource

import numpy as np
import pytest

from journeysim.engine import memory

pytestmark = pytest.mark.skipif(memory._LIBC is None, reason="glibc's malloc only")

BIG = 64 << 20  # over glibc's largest mmap threshold (32 MB): mapped afresh by default
MIDDLE = 4 << 20  # under it: kept on the heap once glibc's threshold has slid past it


def faults_of_a_fresh(size: int) -> int:
    """Minor page faults taken to fill an array of ``size`` bytes allocated after an equal one was freed."""
    first = np.ones(size, dtype=np.uint8)
    del first
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    second = np.ones(size, dtype=np.uint8)
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
    del second
    return faults


def faults_of_a_fresh_big_array() -> int:
    return faults_of_a_fresh(BIG)


def test_freed_big_arrays_are_reused_within_a_run_and_mapped_afresh_after():
    outside_before = faults_of_a_fresh_big_array()
    with memory.freed_memory_reused():
        faults_of_a_fresh_big_array()  # the heap grows once
        inside = faults_of_a_fresh_big_array()
        with memory.freed_memory_reused():  # nested: still kept
            nested = faults_of_a_fresh_big_array()
    outside_after = faults_of_a_fresh_big_array()
    assert outside_before > 8 and outside_after > 8  # mapped afresh: a fault per (huge) page at least
    assert inside <= 2 and nested <= 2


def test_after_a_run_middle_sized_arrays_are_still_reused_as_glibc_does_by_itself():
    """Setting malloc's options by hand stops glibc's sliding mmap threshold; the end of a block must not
    leave it at the start-up 128 KiB, which would map (and fault in) every array over that afresh."""
    with memory.freed_memory_reused():
        pass
    faults_of_a_fresh(MIDDLE)
    assert faults_of_a_fresh(MIDDLE) <= 2


def huge_page_advice_of_a_fresh_big_array() -> bool | None:
    """Whether the kernel was advised to back a new big array with huge pages (its mapping's ``hg``
    flag in /proc/self/smaps); None where that cannot be read."""
    array = np.ones(BIG, dtype=np.uint8)
    address = array.ctypes.data + BIG // 2
    try:
        with open("/proc/self/smaps") as smaps:
            inside = False
            for line in smaps:
                head = line.split(maxsplit=1)[0]
                if "-" in head and not head.endswith(":"):
                    low, high = (int(part, 16) for part in head.split("-"))
                    inside = low <= address < high
                elif inside and head == "VmFlags:":
                    return "hg" in line.split()
    except OSError:
        return None
    return None


def test_within_a_run_big_arrays_are_not_advised_huge_pages_and_after_it_they_are_again(monkeypatch):
    monkeypatch.delenv("NUMPY_MADVISE_HUGEPAGE", raising=False)
    if not huge_page_advice_of_a_fresh_big_array():
        pytest.skip("numpy does not advise huge pages here (no transparent huge pages, or switched off)")
    with memory.freed_memory_reused():
        inside = huge_page_advice_of_a_fresh_big_array()
        with memory.freed_memory_reused():
            nested = huge_page_advice_of_a_fresh_big_array()
    assert inside is False and nested is False
    assert huge_page_advice_of_a_fresh_big_array() is True


def test_a_users_numpy_madvise_hugepage_setting_is_left_alone(monkeypatch):
    if not huge_page_advice_of_a_fresh_big_array():
        pytest.skip("numpy does not advise huge pages here (no transparent huge pages, or switched off)")
    monkeypatch.setenv("NUMPY_MADVISE_HUGEPAGE", "1")
    with memory.freed_memory_reused():
        assert huge_page_advice_of_a_fresh_big_array() is True
