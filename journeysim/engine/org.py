"""Org accounting: the held-profile cap checked every interval (L2, L3), the org-wide release
queue when the resume rate is shared by every journey (R6 model), business rules (L6), the
live-journey quota (L4) and the entry events per second (L9)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import simpy

from .business_rules import FrequencyCaps
from .moves import rate_slots, to_ticks
from .runtime import CHECK, At
from .store import NEVER

RUNNING = ("live", "paused", "resuming", "finishing")  # versions whose profiles still move (a publish supersedes them)
QUOTA_STATUSES = ("live", "paused", "resuming")  # versions that use the live-journey quota (L4); finishing ones do not


class OrgAccounting:
    """The part of ``Simulation`` that keeps org-wide counts; mixed into it."""

    def _cap_checks(self) -> Iterator[simpy.Event]:
        every = max(1, to_ticks(self.scenario.org.cap_check_every, self.res))
        delay = 0
        while True:
            # operator actions at this instant (a stop, a contact exit, a pause's end) act before the
            # check, whichever process scheduled its event first; profile moves (a drain's end) after it
            yield At(self.env, delay, CHECK)
            delay = every
            holding = [j for j, r in enumerate(self.runtime) if r.status in ("paused", "resuming")]
            if holding:
                self.sync()
                # only paused and resuming journeys count (L2): profiles parked in a journey resumed
                # since (V5) are held in a live one
                held = sum(self.recorder.journeys[j].held_now for j in holding)
            else:
                held = 0
            self.cap_over = held >= self.scenario.org.held_cap
            self.recorder.cap_checks.append((int(self.env.now), held, self.cap_over))
            if self.env.now + every > self.end_tick:
                return

    def release_times(self, now: int, count: int) -> np.ndarray:
        """When each of ``count`` held profiles, oldest hold first, is released by a resume at ``now``
        (R6): at the resume rate, or all at once.

        When the rate is org-wide, one queue at that rate serves every journey: a drain that starts
        while another is still going continues the queue's numbering, so it takes the capacity the
        other left in its last second (10/s, 25 then 15 held: 10, 10, 5 + 5, 10), as a drain of
        the 40 together would. A drain is over when its last held profile stops being held (R6: the
        last ones may leave before their slots, by a timeout or an event while held) or its journey
        is stopped: a drain starting after that starts a fresh queue."""
        if not self.policy.release_rate_limited:
            return np.full(count, now, dtype=np.int64)
        rate = self.scenario.org.resume_rate
        if self.scenario.org.resume_rate_scope == "org" and self.org_queue is not None:
            base, used, last = self.org_queue
            if last > now and max(self.org_queue_ends.values(), default=now) > now:  # still draining: the next places
                times = base + rate_slots(count, rate, self.res, first=used)
                self.org_queue = (base, used + count, int(times[-1]) if count else last)
                return times
        times = now + rate_slots(count, rate, self.res)
        if count:
            self.org_queue = (now, count, int(times[-1]))
            self.org_queue_ends = {}
        return times

    def note_drain_end(self, j: int, end: int) -> None:
        """The tick at which journey ``j``'s held profiles in the org-wide queue stop being held."""
        if self.scenario.org.resume_rate_scope == "org":
            self.org_queue_ends[j] = max(self.org_queue_ends.get(j, end), end)

    # ================================================================= business rules (L6)
    def _setup_business_rules(self) -> None:
        rules = self.scenario.org.business_rules
        self.caps = FrequencyCaps(rules, self.population.size, self.res, self.end_tick) if rules else None
        self.cap_rules_of = [self.caps.rules_for(n.spec.type, n.spec.channel) if self.caps and n.is_action else []
                             for n in self.nodes]
        self.hour_ticks = max(1, to_ticks(3600.0, self.res))
        hours = self.end_tick // self.hour_ticks + 1
        self.capped_sends_hourly = {"sent": np.zeros(hours, dtype=np.int64), "capped": np.zeros(hours, dtype=np.int64)}

    def capped_node_mask(self) -> np.ndarray:
        """Per node: does a business rule cap it? Rows of one profile interact there."""
        return np.array([bool(rules) for rules in self.cap_rules_of], dtype=bool)

    def business_rules_allow(self, node, rows: np.ndarray, t: np.ndarray) -> np.ndarray | None:
        """Which of ``rows`` may send at ``node`` (None: no rule caps the node). Capped sends are
        counted per node, per pause (released sends) and per hour."""
        rules = self.cap_rules_of[node.gid]
        if not rules:
            return None
        allowed = self.caps.send(rules, self.store.profile[rows], t, distinct=self.interacting is None)
        hours = t // self.hour_ticks
        size = len(self.capped_sends_hourly["sent"])
        self.capped_sends_hourly["sent"] += np.bincount(hours[allowed], minlength=size)[:size]
        if not allowed.all():
            capped = ~allowed
            self.capped_sends_hourly["capped"] += np.bincount(hours[capped], minlength=size)[:size]
            record = self.recorder.journeys[node.journey]
            record.capped[node.node_id] = record.capped.get(node.node_id, 0) + int(capped.sum())
            held_send = capped & (self.store.t_held[rows] != NEVER)
            if self.runtime[node.journey].pause is not None and held_send.any():
                for pause, mine in self.pause_of_hold(node.journey, rows[held_send]):
                    pause.capped_rows.append(rows[held_send][mine])
            self.recorder.events("capped", t[capped], self.store.profile[rows[capped]], node.journey, node.gid)
        return allowed

    # ================================================================= quotas and counts (L4, L9)
    def running_journeys(self) -> int:
        """Journey versions that count towards the live-journey quota (L4)."""
        return sum(1 for r in self.runtime if r.status in QUOTA_STATUSES)

    def publish_over_quota(self, j: int) -> str | None:
        """Why publishing version ``j`` would take the org over ``max_live_journeys`` (L4), or None. A live
        version of the same key becomes finishing at the publish and leaves the count; a paused one stays."""
        quota = self.scenario.org.max_live_journeys
        if quota is None:
            return None
        key = self.runtime[j].compiled.spec.key
        superseded = sum(1 for other, r in enumerate(self.runtime)
                         if other != j and r.compiled.spec.key == key and r.status == "live")
        after = self.running_journeys() - superseded + 1
        if after <= quota:
            return None
        return (f"publishing would make {after} journey versions live, paused or resuming and "
                f"org.max_live_journeys is {quota} (L4)")

    def note_running_journeys(self) -> None:
        self.live_journeys_peak = max(getattr(self, "live_journeys_peak", 0), self.running_journeys())

    def count_entry_events(self, t: np.ndarray) -> None:
        """Entry events the org receives at these ticks, discarded ones included (L9)."""
        if len(t):
            seconds = np.floor(t * self.res).astype(np.int64) if self.res != 1 else t
            first, last = int(seconds.min()), int(seconds.max())
            if last - first <= 4 * len(seconds) + 1024:
                counts = np.bincount(seconds - first)
                at = np.flatnonzero(counts)
                self.entry_event_chunks.append((at + first, counts[at]))
            else:
                self.entry_event_chunks.append(np.unique(seconds, return_counts=True))

    def entry_events_per_second(self) -> np.ndarray:
        """Entry events in each whole second of the run that had any."""
        if not self.entry_event_chunks:
            return np.zeros(0, dtype=np.int64)
        seconds = np.concatenate([s for s, _ in self.entry_event_chunks])
        counts = np.concatenate([c for _, c in self.entry_event_chunks])
        _, where = np.unique(seconds, return_inverse=True)
        return np.bincount(where, weights=counts).astype(np.int64)
