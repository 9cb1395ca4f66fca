"""The SimPy control processes: the timeline, read-audience schedules, pause, resume, stop,
global filters and profile updates. Each acts at its instant after ``sync`` has moved every row
due before it."""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator

import numpy as np
import simpy

from ..model.graph import CompiledJourney
from ..model.timeline import PlannedAction
from ..schema import ReadAudienceNode, WaitNode
from . import store as S
from .moves import rate_slots, regular_ticks, stable_order, to_ticks
from .recorder import PauseRecord
from .runtime import DRAIN_END, PAUSE_END, READ, At
from .store import NEVER

THREADED_SHUFFLE = 1 << 18  # profiles a read must have before its shuffle runs in a thread of its own


class ControlProcesses:
    """The part of ``Simulation`` that runs operator actions and schedules; mixed into it."""

    # ================================================================= control processes
    def _timeline(self, plan: list[PlannedAction]) -> Iterator[simpy.Event]:
        # where the process acts (timeline_acted) and the event it waits on (timeline_waiting): the API
        # sandbox makes its calls there (Simulation.run_to_call), so they act as this plan's steps would
        self.timeline_acted = self.env.current
        for step in plan:
            at = to_ticks(step.at, self.res)
            if at > self.env.now:
                self.timeline_wait = self.env.timeout(at - self.env.now)
                self.timeline_waiting = self.env.last_place
                yield self.timeline_wait
                self.timeline_acted = self.env.current
            self.apply(step)
        self.timeline_wait = None
        self.timeline_waiting = (math.inf, simpy.core.NORMAL, self.env.mark())

    def apply(self, step: PlannedAction) -> None:
        """Execute one planned action at the current instant, as the timeline does."""
        self.sync()
        getattr(self, f"_do_{step.kind}")(step)

    def _progress_ticks(self) -> Iterator[simpy.Event]:
        """On a terminal only: move the bar every 1% of simulated time."""
        step = max(1, self.end_tick // 100)
        while self.env.now + step <= self.end_tick:
            yield self.env.timeout(step)
            self.sync()

    def _reads(self, c: CompiledJourney) -> Iterator[simpy.Event]:
        node = self.nodes[c.start]
        spec: ReadAudienceNode = node.spec
        schedule = spec.schedule
        if hasattr(schedule, "at"):
            occurrences = [to_ticks(schedule.at, self.res)]
        else:
            occurrences = [int(at) for at in regular_ticks(schedule.start, schedule.every, schedule.count, self.res,
                                                            self.end_tick)]
        runtime = self.runtime[c.index]
        runtime.read_done = np.zeros(self.population.size, dtype=bool)
        for at in occurrences:
            if at > self.end_tick:
                break
            # a read is profile moves: operator actions at its instant (a pause, a resume, a stop) act
            # before it, whichever process scheduled its event first (R1, R2)
            yield At(self.env, max(0, at - self.env.now), READ)
            self.sync()
            if runtime.status == "stopped":
                break
            if not self.takes_entries(c.index):  # a draft or an older version of the key (S10)
                continue
            if runtime.status == "paused" and runtime.pause.settings.entry_while_paused != "enter":  # R2, R3
                self.recorder.journeys[c.index].skipped_reads.append(int(self.env.now))
                # only a recurring incremental read catches up at the resume (R3); a single execution
                # that fell in the pause is ignored, incremental or not (R2)
                runtime.catch_up_reads = runtime.catch_up_reads or (spec.incremental and not hasattr(schedule, "at"))
                continue
            self.read(c, int(self.env.now))
        runtime.entries_closed = True
        runtime.entries_closed_at = int(self.env.now)
        self.finished_if_done(c.index)

    def read(self, c: CompiledJourney, now: int) -> None:
        node = self.nodes[c.start]
        spec: ReadAudienceNode = node.spec
        runtime = self.runtime[c.index]
        audience = self.loaded.expressions.get((c.index, node.node_id, "audience"))
        if audience is None:
            eligible = np.ones(self.population.size, dtype=bool)
        else:
            eligible = np.zeros(self.population.size, dtype=bool)
            eligible[self._audience(audience)] = True
        if spec.incremental:
            eligible &= ~runtime.read_done
        elif self.store.size:
            inside = self.store.rows_of(c.index, S.IN_JOURNEY + S.AT_DOOR)
            eligible[self.store.profile[inside]] = False
        runtime.read_done |= eligible
        profiles = _positions(eligible)
        del eligible
        # a big read is shuffled on a second core while this one fills the store's other columns
        shuffle = threading.Thread(target=self.node_rng[node.gid].shuffle, args=(profiles,), name="journeysim-read-shuffle")
        if len(profiles) >= THREADED_SHUFFLE:
            shuffle.start()
        else:
            shuffle.run()
        try:
            st = self.store
            rows = st.append(len(profiles), c.index, c.start, S.READQ, now)  # a slice: the columns below are views
            rate_slots(len(profiles), spec.read_rate, self.res, out=st.t_next[rows], start=now)  # no array of slots
            st.t_move[rows] = st.t_next[rows]
            if st.event_nodes:
                st.t_node[rows] = st.t_next[rows]
        finally:
            if shuffle.ident is not None:
                shuffle.join()
        st.write_profiles(rows, profiles)
        self.recorder.journeys[c.index].arrived += len(profiles)

    # ================================================================= operator actions
    def _refuse(self, j: int, step: PlannedAction, why: str) -> None:
        self.recorder.journeys[j].refused.append({"at_s": self.env.now * self.res, "action": step.kind, "reason": why})

    def set_status(self, j: int, status: str) -> None:
        self.runtime[j].status = status
        self.recorder.journeys[j].status_log.append((int(self.env.now), status))
        self.note_running_journeys()

    def _do_pause(self, step: PlannedAction) -> None:
        for j in step.targets:
            runtime = self.runtime[j]
            if runtime.status == "draft" and step.action.allVersions:
                continue  # allVersions acts on the versions published so far (S10)
            if runtime.status not in ("live", "finishing"):
                self._refuse(j, step, f"cannot pause: the journey is {runtime.status} (J1)")
                continue
            now = int(self.env.now)
            self.set_status(j, "paused")
            record = PauseRecord(now, step.pause.mode, step.pause)
            runtime.pause = record
            self.recorder.journeys[j].pauses.append(record)
            queued = self.store.rows_of(j, (S.READQ,))
            if step.pause.entry_while_paused in ("queue", "requalify"):
                self.store.state[queued] = S.QUEUED
                self.store.t_next[queued] = NEVER
            elif step.pause.entry_while_paused == "drop":
                self.finish(queued, np.full(len(queued), now, dtype=np.int64), "read_queue")
            # entries queued for the reopen after an earlier resume wait for this pause's resume (S5, V7)
            self.store.t_next[self.store.rows_of(j, (S.QUEUED,))] = NEVER
            if step.pause.wait_clock != "run":
                self._freeze_waits(j)
            self.env.process(self._pause_end(j, record))

    def _freeze_waits(self, j: int) -> None:
        st = self.store
        rows = st.rows_of(j, (S.ACTIVE,))
        every_wait = self.runtime[j].pause.settings.wait_clock == "frozen"  # remaining delay kept, whatever the wait
        by_duration = np.array([isinstance(n.spec, WaitNode) and (every_wait or n.spec.duration is not None) for n in self.nodes])
        rows = rows[by_duration[st.node[rows]]]
        st.state[rows] = S.FROZEN
        st.t_next[rows] = st.t_entry[rows] + self.timeout_of[j]

    def _pause_end(self, j: int, record: PauseRecord) -> Iterator[simpy.Event]:
        if not math.isfinite(record.settings.length_s):  # no limit (V8): only a resume or a stop ends it
            return
        # after the operator's actions at that instant: a resume or stop there acts first (J1)
        yield At(self.env, to_ticks(record.settings.length_s, self.res), PAUSE_END)
        runtime = self.runtime[j]
        if runtime.pause is not record or runtime.status != "paused":
            return
        self.sync()
        if record.settings.end == "auto_resume":
            self.resume(j, "auto")
        elif record.settings.end == "stop":
            record.ended_by = "stop"
            self.stop(j)

    def _do_resume(self, step: PlannedAction) -> None:
        for j in step.targets:
            if self.runtime[j].status == "draft" and step.action.allVersions:
                continue  # allVersions acts on the versions published so far (S10), as for a pause
            if self.runtime[j].status != "paused":
                self._refuse(j, step, f"cannot resume: the journey is {self.runtime[j].status} (J1)")
                continue
            self.resume(j, "manual")

    def resume(self, j: int, by: str) -> None:
        st = self.store
        runtime = self.runtime[j]
        record = runtime.pause
        now = int(self.env.now)
        self.set_status(j, "resuming")
        record.resumed_at, record.resumed_by = now, by
        settings = record.settings
        frozen = st.rows_of(j, (S.FROZEN,))
        if frozen.size:
            if settings.wait_clock == "extend_by_paused_days" and math.isfinite(settings.length_s):
                shift = to_ticks(settings.length_s, self.res)  # PausedDays, 14 when not named (S3, S7)
            else:
                shift = now - record.paused_at
            st.t_move[frozen] += shift
            st.state[frozen] = S.ACTIVE
            st.t_next[frozen] = np.minimum(st.t_move[frozen], st.t_entry[frozen] + self.timeout_of[j])
        held = st.rows_of(j, (S.HELD,))
        held = held[~st.parked[held]]  # parked profiles wait for a release_parked (V5)
        record.held_at_resume = len(held)
        record.held_rows = held
        record.release_end, live_at = self._schedule_release(j, held, now)  # record.live_at: set by _go_live
        if settings.entry_while_paused != "enter":
            runtime.reopen_at = now + to_ticks(self.scenario.org.entry_reopen_delay, self.res)
        queued = st.rows_of(j, (S.QUEUED,))
        record.waits_extended = len(frozen)
        if settings.entry_while_paused == "requalify":  # re-evaluated once entries reopen (V7)
            st.t_next[queued] = max(runtime.reopen_at, now)
        elif queued.size:
            record.entered_from_queue = len(queued)
            self.admit(queued, np.full(len(queued), now, dtype=np.int64))
        if runtime.catch_up_reads and runtime.status != "stopped":
            runtime.catch_up_reads = False
            arrived = self.recorder.journeys[j].arrived
            self.read(runtime.compiled, now)
            record.read_at_resume = self.recorder.journeys[j].arrived - arrived
        self.env.process(self._go_live(j, record, live_at))

    def _schedule_release(self, j: int, held: np.ndarray, now: int) -> tuple[int, int]:
        """Release ``held`` rows from ``now``, oldest hold first, at the resume rate (R6); returns the
        tick of the last release slot and the tick at which the last of them stops being held: its
        release, or earlier when the last ones leave before their slots (a global timeout, L7, or an
        event while held, A4/A6). The journey is live again at the second (R6)."""
        st = self.store
        if held.size == 0:
            return now, now
        held = held[stable_order(st.t_state[held])]
        times = self.release_times(now, len(held))
        st.t_move[held] = times
        limit = st.t_entry[held] + self.timeout_of[j]
        if self.policy.event_while_held == "discard_profile" and st.event_nodes:
            limit = np.minimum(limit, np.where(st.fire_drawn[held], st.t_fire[held], NEVER))
        st.t_next[held] = np.minimum(times, limit)
        end = int(st.t_next[held].max())
        self.note_drain_end(j, end)
        return int(times.max()), end

    def _do_release_parked(self, step: PlannedAction) -> None:
        """V5 "send all": every parked profile of the journey is released at the resume rate."""
        for j in step.targets:
            runtime = self.runtime[j]
            if runtime.status not in ("live", "resuming", "finishing"):
                self._refuse(j, step, f"cannot release parked profiles: the journey is {runtime.status} (V5)")
                continue
            parked = self.store.rows_of(j, (S.HELD,))
            parked = parked[self.store.parked[parked]]
            after = int(self.env.now)
            if runtime.pause is not None:
                for record, mine in self.pause_of_hold(j, parked):
                    record.parked_released += int(mine.sum())
                after = max(after, runtime.pause.release_end or after)  # behind a resume drain still going (R6)
            self._schedule_release(j, parked, after)

    def _go_live(self, j: int, record: PauseRecord, at: int) -> Iterator[simpy.Event]:
        if at > self.env.now:
            # the last release is a profile move at ``at``: operator actions and checks at that instant
            # act before it and see the journey resuming, whichever the order their events were made in
            yield At(self.env, at - self.env.now, DRAIN_END)
        if self.runtime[j].pause is record and self.runtime[j].status == "resuming":
            record.live_at = int(self.env.now)
            self.back_to_running(j)

    def _do_stop(self, step: PlannedAction) -> None:
        for j in step.targets:
            if self.runtime[j].status == "draft" and step.action.allVersions:
                continue  # allVersions acts on the versions published so far (S10): the draft stays publishable
            if self.runtime[j].status in ("stopped", "draft", "finished"):
                self._refuse(j, step, {"stopped": "cannot stop: the journey is already stopped",
                                       "draft": "cannot stop: the journey is a draft, not published (J1)",
                                       "finished": "cannot stop: the journey is finished (J1)"}[self.runtime[j].status])
                continue
            if self.runtime[j].pause is not None and self.runtime[j].status == "paused":
                self.runtime[j].pause.ended_by = "stop"
            if self.runtime[j].pause is not None and self.runtime[j].status == "resuming":
                self.runtime[j].pause.release_end = int(self.env.now)  # the drain ends here, never live again (R6)
            self.stop(j)

    def stop(self, j: int) -> None:
        st = self.store
        now = int(self.env.now)
        self.org_queue_ends.pop(j, None)  # its drain, if any, is over: no later drain queues behind it (R6)
        at = lambda rows: np.full(len(rows), now, dtype=np.int64)  # noqa: E731
        inside = st.rows_of(j, S.IN_JOURNEY)
        self.finish(inside, at(inside), "stopped")
        queued = st.rows_of(j, (S.QUEUED,))
        self.finish(queued, at(queued), "paused_entry")
        reading = st.rows_of(j, (S.READQ,))
        self.finish(reading, at(reading), "read_queue")
        pending = st.rows_of(j, (S.PENDING,))
        st.state[pending] = S.VOID
        st.t_next[pending] = NEVER
        self.set_status(j, "stopped")

    def _do_contact_exit(self, step: PlannedAction) -> None:
        """SFMC's contact exit: the named profiles inside the targeted versions leave now (reason
        ``contact_exit``); a profile not inside (at the door, not arrived, gone) is left alone."""
        ids = self.population.ids
        bounds = np.iinfo(ids.dtype)  # an id past the ids' integer type is no profile's (a warning at load): not an OverflowError
        wanted = [p for p in step.action.profiles if bounds.min <= p <= bounds.max]
        named = np.isin(ids, np.asarray(wanted, dtype=ids.dtype))
        now = int(self.env.now)
        for j in step.targets:
            rows = self.store.rows_of(j, S.IN_JOURNEY)
            rows = rows[named[self.store.profile[rows]]]
            self.finish(rows, np.full(len(rows), now, dtype=np.int64), "contact_exit")
            if rows.size and self.runtime[j].status == "resuming":
                self._drain_end_again(j)

    def _drain_end_again(self, j: int) -> None:
        """Held profiles left journey ``j`` during its drain (a contact exit): the drain ends when the
        last of those still held goes, not at the release slots of those that left (R6)."""
        st = self.store
        held = st.rows_of(j, (S.HELD,))
        queued = held[st.t_move[held] != NEVER]  # released at their slots (parked ones a release_parked named too)
        if self.scenario.org.resume_rate_scope == "org" and j in self.org_queue_ends:
            self.org_queue_ends[j] = int(st.t_next[queued].max()) if queued.size else int(self.env.now)
        draining = held[~st.parked[held]]
        end = int(st.t_next[draining].max()) if draining.size else int(self.env.now)
        self.env.process(self._go_live(j, self.runtime[j].pause, end))  # the first one, later, finds it live

    def _do_global_filter(self, step: PlannedAction) -> None:
        expr = self.loaded.expressions.get(("timeline", step.index)) if step.action.exclude is not None else None
        for j in step.targets:
            if self.runtime[j].status != "paused":
                self._refuse(j, step, f"a global filter can only be set while paused; the journey is {self.runtime[j].status} (G1)")
                continue
            self.runtime[j].exclude = expr

    def _do_update_profiles(self, step: PlannedAction) -> None:
        expr = self.loaded.expressions.get(("timeline", step.index))
        rows = self._audience(expr)
        for name, value in step.action.set.items():
            self.population.set_values(name, rows, value)


def _positions(mask: np.ndarray) -> np.ndarray:
    """``np.flatnonzero(mask)``, as int32 when the population allows (half the memory to shuffle; the
    same draws, the same order), found a million at a time: no int64 array as long as the population."""
    if len(mask) > np.iinfo(np.int32).max:
        return np.flatnonzero(mask)
    if mask.all():
        return np.arange(len(mask), dtype=np.int32)
    parts = []
    for first in range(0, len(mask), 1 << 20):
        part = np.flatnonzero(mask[first:first + (1 << 20)]).astype(np.int32)
        part += first
        parts.append(part)
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)
