"""A run keeps the memory it frees for its next arrays (engine/memory.py), and gives it back after."""

from __future__ import annotations

import resource

import numpy as np
import pytest

from journeysim.engine import memory

pytestmark = pytest.mark.skipif(memory._LIBC is None, reason="glibc's malloc only")

BIG = 64 << 20  # over glibc's largest mmap threshold (32 MB): mapped afresh by default


def faults_of_a_fresh_big_array() -> int:
    """Minor page faults taken to fill a big array allocated after an equal one was freed."""
    first = np.ones(BIG, dtype=np.uint8)
    del first
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    second = np.ones(BIG, dtype=np.uint8)
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
    del second
    return faults


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
