"""Journey versions (S10): a timeline ``publish`` makes a draft version live; the versions of the
same key published before it become ``finishing`` (no new entries, their profiles go on to the
end) and ``finished`` when their last profile leaves."""

from __future__ import annotations

import numpy as np

from ..model.timeline import PlannedAction, drafts
from . import store as S
from .org import RUNNING

_STILL_OPEN = S.state_table(S.IN_JOURNEY + S.AT_DOOR + (S.PENDING,))


class JourneyVersions:
    """The part of ``Simulation`` that publishes versions; mixed into it."""

    def _setup_versions(self) -> None:
        unpublished = drafts(self.loaded.timeline, self.scenario.journeys)
        for j in sorted(unpublished):
            self.runtime[j].status = "draft"
            self.recorder.journeys[j].status_log[0] = (0, "draft")
        self.journey_of_key = {}
        for c in self.journeys_c:  # the last published version of a key receives jumps
            if c.index not in unpublished or c.spec.key not in self.journey_of_key:
                self.journey_of_key[c.spec.key] = c.index

    def close_emptied_journeys(self) -> None:
        """At the end of a run: a live journey that takes no more entries and holds nobody is finished
        (J1), from when its last profile left or its entries closed, whichever came later."""
        st = self.store
        n = st.size
        for j, runtime in enumerate(self.runtime):
            if runtime.status != "live" or not runtime.entries_closed:
                continue
            mine = slice(0, n) if len(self.runtime) == 1 else np.flatnonzero(st.journey[:n] == j)
            state = st.state[mine]
            if _STILL_OPEN[state].any():
                continue
            done = st.t_state[mine][state == S.DONE]
            record = self.recorder.journeys[j]
            at = max(int(done.max()) if len(done) else 0, runtime.entries_closed_at, record.status_log[-1][0])
            runtime.status = "finished"
            record.status_log.append((min(at, self.end_tick), "finished"))
            self.note_running_journeys()

    def takes_entries(self, j: int) -> bool:
        return self.runtime[j].status not in ("draft", "stopped", "finished") and not self.runtime[j].superseded

    def _do_publish(self, step: PlannedAction) -> None:
        for j in step.targets:
            runtime = self.runtime[j]
            if runtime.status != "draft":
                self._refuse(j, step, f"cannot publish: the version is {runtime.status} (S10)")
                continue
            over = self.publish_over_quota(j)
            if over is not None:
                self._refuse(j, step, f"cannot publish: {over}")
                continue
            key = runtime.compiled.spec.key
            for other, other_runtime in enumerate(self.runtime):
                if other != j and other_runtime.compiled.spec.key == key and other_runtime.status in RUNNING:
                    other_runtime.superseded = True
                    other_runtime.last_exit = int(self.env.now)
                    if other_runtime.status == "live":
                        self.set_status(other, "finishing")
                        self._finished_if_empty(other)
            self.journey_of_key[key] = j
            self.set_status(j, "live")
            self.interacting = self._writers_and_readers()  # jumps into the key now reach this version

    def back_to_running(self, j: int) -> None:
        """A resumed journey goes live again, or back to finishing when a later version was published."""
        if self.runtime[j].superseded:
            self.set_status(j, "finishing")
            self._finished_if_empty(j)
        else:
            self.set_status(j, "live")
            self.finished_if_done(j)

    def note_exits(self, j: int, t: np.ndarray) -> None:
        runtime = self.runtime[j]
        runtime.last_exit = max(runtime.last_exit, int(t.max()))
        if runtime.superseded:
            self._finished_if_empty(j)
        else:
            self.finished_if_done(j)

    def finished_if_done(self, j: int) -> None:
        """A live journey whose entries are closed, that holds nobody and has no arrival still to come
        is finished (J1) from when its last profile left (or its entries closed, if later): from then
        a pause or stop is refused and it leaves the live-journey quota (L4). A journey that jumps
        lead into may take entries at any time: ``close_emptied_journeys`` decides at the end."""
        runtime = self.runtime[j]
        if runtime.status != "live" or not runtime.entries_closed or runtime.superseded or runtime.jump_target:
            return
        record = self.recorder.journeys[j]
        if runtime.arrivals_expected is not None and record.arrived != runtime.arrivals_expected:
            return
        if record.arrived != int(record.reasons.sum()):  # someone inside, or queued at the door
            return
        self._now_finished(j, max(runtime.last_exit, runtime.entries_closed_at))

    def _finished_if_empty(self, j: int) -> None:
        record = self.recorder.journeys[j]
        if self.runtime[j].status == "finishing" and record.arrived == int(record.reasons.sum()):
            self._now_finished(j, self.runtime[j].last_exit)

    def _now_finished(self, j: int, since: int) -> None:
        """Journey ``j`` is finished from ``since`` (or its last status change, if later)."""
        record = self.recorder.journeys[j]
        self.runtime[j].status = "finished"
        record.status_log.append((max(since, record.status_log[-1][0]), "finished"))
        self.note_running_journeys()
