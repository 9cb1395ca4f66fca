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
