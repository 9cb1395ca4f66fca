"""Org accounting: the held-profile cap checked every interval (L2, L3) and the org-wide
release queue when the resume rate is shared by every journey (R6 model)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import simpy

from .moves import rate_slots, to_ticks


class OrgAccounting:
    """The part of ``Simulation`` that keeps org-wide counts; mixed into it."""

    def _cap_checks(self) -> Iterator[simpy.Event]:
        every = max(1, to_ticks(self.scenario.org.cap_check_every, self.res))
        while True:
            if any(r.status in ("paused", "resuming") for r in self.runtime):
                self.sync()
                held = sum(j.held_now for j in self.recorder.journeys)
            else:
                held = 0
            self.cap_over = held >= self.scenario.org.held_cap
            self.recorder.cap_checks.append((int(self.env.now), held, self.cap_over))
            if self.env.now + every > self.end_tick:
                return
            yield self.env.timeout(every)

    def release_times(self, now: int, count: int) -> np.ndarray:
        """When each of ``count`` held profiles, oldest hold first, is released by a resume at ``now``
        (R6): at the resume rate, behind earlier drains when the rate is org-wide, or all at once."""
        if not self.policy.release_rate_limited:
            return np.full(count, now, dtype=np.int64)
        start = now
        if self.scenario.org.resume_rate_scope == "org":
            start = max(now, self.org_release_free)
        times = start + rate_slots(count, self.scenario.org.resume_rate, self.res)
        self.org_release_free = int(times[-1])
        return times
