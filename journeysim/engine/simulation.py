"""The engine: a SimPy clock for control events, numpy batches for profiles.

Control events (timeline actions, pause ends, the org-cap check, read-audience schedules,
status changes) are SimPy processes. Before each one acts, ``sync`` moves every row due
before that instant through the journey graph in vectorised steps: each step advances
every due row by one node, with exact per-row times, until no row is due. Between two
control events a row's path depends only on its own times and attributes, so the batch
order never changes a result.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import simpy
from tqdm import tqdm

from .. import population as pop_module
from ..expr import Expression
from ..loader import LoadedScenario
from ..model.graph import EVENT_TYPES, CompiledJourney, CompiledNode, can_reach, compile_graph
from ..model.timeline import PlannedAction
from ..schema import EventLike, FileArrivals, PoissonArrivals, ReactionNode, ReadAudienceNode, RegularArrivals, WaitNode
from ..units import format_seconds
from . import store as S
from .draws import KeyedDraws
from .moves import duration_ticks, rate_slots, to_ticks
from .recorder import REASON_CODE, PauseRecord, Recorder
from .store import NEVER, ProfileStore

LABEL_QUEUED, LABEL_WAITING, LABEL_HELD = 0, 1, 2
BATCH_ROWS = 65_536  # rows per vectorised step: their temporaries stay in cache (1M-row batches were ~18% slower at 10M)


@dataclass
class JourneyRuntime:
    compiled: CompiledJourney
    timeout_ticks: int
    status: str = "live"
    reopen_at: int = 0
    exclude: Expression | None = None
    catch_up_reads: bool = False
    read_done: np.ndarray | None = None
    entries_closed: bool = False
    pause: PauseRecord | None = None


class Simulation:
    def __init__(self, loaded: LoadedScenario, *, record_events: bool = False, progress: bool | None = False,
                 replication: int | None = None):
        self.loaded = loaded
        sc = loaded.scenario
        self.scenario = sc
        self.policy = loaded.policy
        self.res = sc.resolution
        self.end_tick = to_ticks(sc.duration, self.res)
        root = np.random.SeedSequence(sc.seed) if replication is None else np.random.SeedSequence(sc.seed, spawn_key=(replication,))
        self.replication = replication
        seeds = root.spawn(4)
        self.population = self._population(np.random.default_rng(seeds[0]))
        self.journeys_c, self.nodes = compile_graph(sc.journeys, loaded.labels, loaded.expressions)
        self.draws = KeyedDraws(seeds[1])
        self.node_rng = [np.random.default_rng(s) for s in seeds[3].spawn(len(self.nodes))]
        self.arrival_rng = np.random.default_rng(seeds[2])
        self.store = ProfileStore(max(1024, self.population.size))
        sample_ticks_ = max(1, to_ticks(sc.report_every, self.res))
        self.recorder = Recorder(len(self.journeys_c), sample_ticks_, self.end_tick // sample_ticks_ + 1, record_events)
        self.runtime = [JourneyRuntime(c, to_ticks(c.spec.global_timeout, self.res)) for c in self.journeys_c]
        self.timeout_of = np.array([r.timeout_ticks for r in self.runtime], dtype=np.int64)
        self.shortest_timeout = int(self.timeout_of.min())
        self.first_entry = NEVER
        self.node_waiting = np.array([n.is_waiting for n in self.nodes], dtype=bool)
        self.journey_of_key = {}
        for c in self.journeys_c:
            self.journey_of_key[c.spec.key] = c.index  # the last version of a key receives jumps
        self.interacting = self._writers_and_readers()
        self.cap_over = False
        self.org_release_free = 0
        self.env = simpy.Environment()
        self.progress = tqdm(total=self.end_tick, disable=not progress if progress is not None else None,
                             desc=sc.name, leave=False, dynamic_ncols=True,
                             bar_format="{desc} |{bar}| {percentage:3.0f}% [{elapsed}]")

    # ================================================================= setup
    def _population(self, rng: np.random.Generator) -> pop_module.Population:
        spec = self.scenario.population
        if self.loaded.population_frame is not None:
            return pop_module.from_frame(self.loaded.population_frame, spec.file or "")
        return pop_module.generate(spec.size or 0, spec.attributes, rng)

    def _writers_and_readers(self) -> tuple[np.ndarray, np.ndarray] | None:
        """Per node: can a row there still write an attribute that rows read while moving, and can it
        still read one (a condition, exit criteria, a global filter)? None when no write is ever
        read: rows are then independent between control events."""
        filters = [self.loaded.expressions[("timeline", step.index)] for step in self.loaded.timeline
                   if step.kind == "global_filter" and step.action.exclude is not None]
        exit_reads = {c.index: {name for e in c.exit_criteria for name in e.names} for c in self.journeys_c}
        filter_reads = {name for e in filters for name in e.names}

        def names_read_at(n: CompiledNode) -> set[str]:  # every move checks exit criteria; actions check filters
            branch = {name for e in n.branch_exprs if e is not None for name in e.names}
            return branch | exit_reads[n.journey] | (filter_reads if n.is_action else set())

        read_at = [names_read_at(n) for n in self.nodes]
        written = {name for n in self.nodes if n.kind == "update_profile" for name in n.spec.set}
        read = set().union(*read_at)
        writes = [n.kind == "update_profile" and not read.isdisjoint(n.spec.set) for n in self.nodes]
        reads = [not written.isdisjoint(names) for names in read_at]
        if not any(writes) or not any(reads):
            return None
        jump_start = {n.gid: self.journeys_c[self.journey_of_key[n.spec.to]].start for n in self.nodes if n.kind == "jump"}
        return (np.array(can_reach(self.nodes, writes, jump_start), dtype=bool),
                np.array(can_reach(self.nodes, reads, jump_start), dtype=bool))

    def lookup(self, profiles: np.ndarray) -> Callable[[str], np.ndarray]:
        columns = self.population.columns
        return lambda name: columns[name][profiles]

    def _audience(self, expr: Expression | None) -> np.ndarray:
        n = self.population.size
        if expr is None:
            return np.arange(n, dtype=np.int64)
        return np.flatnonzero(expr.mask(lambda name: self.population.columns[name], n))

    def _schedule_arrivals(self) -> None:
        for c in self.journeys_c:
            start = self.nodes[c.start]
            spec = start.spec
            if not isinstance(spec, EventLike):
                continue
            eligible = self._audience(self.loaded.expressions.get((c.index, start.node_id, "audience")))
            times = self._arrival_times(spec, len(eligible), (c.index, start.node_id))
            limit = len(eligible) if not spec.reentry else None
            record = self.recorder.journeys[c.index]
            if limit is not None and len(times) > limit:
                times = times[:limit]
                record.population_exhausted_at = int(times[-1]) if limit else 0
                self.runtime[c.index].entries_closed = True
            elif limit is not None and len(times) == limit and isinstance(spec.arrivals, PoissonArrivals):
                record.population_exhausted_at = int(times[-1]) if limit else 0
                self.runtime[c.index].entries_closed = True
            elif isinstance(spec.arrivals, FileArrivals) or getattr(spec.arrivals, "count", None) == len(times):
                self.runtime[c.index].entries_closed = True
            if spec.reentry:
                profiles = eligible[self.arrival_rng.integers(0, len(eligible), len(times))] if len(eligible) else eligible[:0]
            else:
                profiles = self.arrival_rng.permutation(eligible)[: len(times)]
            self.store.append(profiles, c.index, c.start, S.PENDING, times)

    def _arrival_times(self, spec: EventLike, limit: int, key: tuple[int, str]) -> np.ndarray:
        arrivals = spec.arrivals
        end = self.end_tick
        if isinstance(arrivals, PoissonArrivals):
            per_tick = arrivals.rate * self.res
            expected = per_tick * (end + 1)
            want = int(min(limit + 1, expected + 10 * np.sqrt(expected) + 100))
            gaps = self.arrival_rng.exponential(1.0 / per_tick, want)
            times = np.cumsum(gaps)
            times = times[times <= end + 1]
            ticks = np.floor(times).astype(np.int64)
            return ticks[ticks <= end]
        if isinstance(arrivals, RegularArrivals):
            step = max(1, to_ticks(arrivals.every, self.res))
            first = to_ticks(arrivals.start, self.res)
            count = (end - first) // step + 1 if first <= end else 0
            if arrivals.count is not None:
                count = min(count, arrivals.count)
            return first + step * np.arange(max(count, 0), dtype=np.int64)
        assert isinstance(arrivals, FileArrivals)
        return self._file_arrivals(*key)

    def _file_arrivals(self, journey: int, node_id: str) -> np.ndarray:
        seconds = self.loaded.arrival_files[(journey, node_id)]
        ticks = np.rint(seconds / self.res).astype(np.int64)
        return ticks[(ticks >= 0) & (ticks <= self.end_tick)]

    # ================================================================= run
    def run(self) -> None:
        self._schedule_arrivals()
        self.env.process(self._timeline(self.loaded.timeline))
        self.env.process(self._cap_checks())
        if not self.progress.disable:
            self.env.process(self._progress_ticks())
        for c in self.journeys_c:
            if isinstance(self.nodes[c.start].spec, ReadAudienceNode):
                self.env.process(self._reads(c))
        self.env.run(until=self.end_tick + 1)
        self.advance(self.end_tick + 1)
        self.progress.close()

    def sync(self) -> None:
        self.advance(int(self.env.now))
        if not self.progress.disable:
            self.progress.n = min(int(self.env.now), self.end_tick)
            self.progress.set_description_str(f"{self.scenario.name}: {format_seconds(self.env.now * self.res)} of "
                                              f"{format_seconds(self.scenario.duration)} simulated", refresh=False)
            self.progress.refresh()

    def advance(self, until: int) -> None:
        """Move every row due before ``until``, in the order a clock waking at every tick would.

        Rows are independent between control events, except through attributes that update_profile
        nodes write and other rows of the same profile read: then ``_advance_in_write_order``.
        """
        if self.interacting is None:
            self._advance_to(until)
        else:
            self._advance_in_write_order(until, *self.interacting)

    def _advance_in_write_order(self, until: int, writer_nodes: np.ndarray, reader_nodes: np.ndarray) -> None:
        """Rows of different profiles never interact, and the rows of one profile interact only once
        one of them can write and another read. So each profile's rows run ahead up to the tick
        before which they cannot both write and read (its conflict tick); rows at their conflict tick
        are then taken alone, in the order a clock waking every tick takes them; and so on."""
        st = self.store
        pending, seen = np.zeros(0, dtype=np.int64), 0
        while True:
            pending = np.concatenate([pending, np.arange(seen, st.size)])  # and rows jumps made
            seen = st.size
            pending = pending[st.t_next[pending] < until]
            if pending.size == 0:
                return
            t = st.t_next[pending]
            profiles, where = np.unique(st.profile[pending], return_inverse=True)
            node = st.node[pending]
            first_write = np.full(len(profiles), until, dtype=np.int64)
            first_read = np.full(len(profiles), until, dtype=np.int64)
            np.minimum.at(first_write, where[writer_nodes[node]], t[writer_nodes[node]])
            np.minimum.at(first_read, where[reader_nodes[node]], t[reader_nodes[node]])
            rows_of = np.bincount(where, minlength=len(profiles))
            conflict = np.where(rows_of > 1, np.maximum(first_write, first_read), until)[where]
            early = t < conflict
            if early.any():
                self._run(pending[early], conflict[early])
            else:  # every row is at its profile's conflict tick or beyond: take those ticks alone
                at = np.flatnonzero(t == conflict)
                self._run(pending[at], conflict[at] + 1)

    def _advance_to(self, until: int) -> None:
        """Move every row due before ``until``, one node per step, until none is due.

        Due rows go in batches of at most ``BATCH_ROWS``, each batch to the end of the horizon:
        bounded batches bound the memory of the temporaries. Rows created meanwhile (jumps) are
        picked up by the next scan.
        """
        while True:
            due = self.store.due_before(until)
            if due.size == 0:
                return
            self._run(due, until)

    def _run(self, due: np.ndarray, until: int | np.ndarray) -> None:
        """Move ``due`` rows (ascending), batch by batch, each as far as it can go before ``until``
        (one tick for all, or one per row)."""
        for first in range(0, due.size, BATCH_ROWS):
            rows = due[first:first + BATCH_ROWS]
            horizon = until if np.isscalar(until) else until[first:first + BATCH_ROWS]
            while rows.size:
                self.step(rows)
                keep = self.store.t_next[rows] < horizon
                rows = rows[keep]
                if not np.isscalar(horizon):
                    horizon = horizon[keep]

    # ================================================================= one step
    def step(self, due: np.ndarray) -> None:
        st = self.store
        t = st.t_next[due]
        state = st.state[due]
        if self.first_entry + self.shortest_timeout > int(t.max()):
            timed_out = np.zeros(len(due), dtype=bool)  # no row can have reached its global timeout yet
        else:
            timed_out = t >= st.t_entry[due] + self.timeout_of[st.journey[due]]  # t_entry is NEVER until entered
        if timed_out.any():
            out = due[timed_out]
            self.finish(out, st.t_entry[out] + self.timeout_of[st.journey[out]], "timeout")
            keep = ~timed_out
            due, t, state = due[keep], t[keep], state[keep]
        for code, handler in ((S.PENDING, self._door), (S.READQ, self._door), (S.QUEUED, self.admit),
                              (S.HELD, self._held_due), (S.ACTIVE, self._leave_all)):
            mask = state == code
            if mask.any():
                handler(due[mask], t[mask])

    def _by_node(self, rows: np.ndarray, t: np.ndarray) -> Iterator[tuple[CompiledNode, np.ndarray, np.ndarray]]:
        nodes = self.store.node[rows]
        if len(rows) and (nodes == nodes[0]).all():
            yield self.nodes[int(nodes[0])], rows, t
            return
        present = np.flatnonzero(np.bincount(nodes, minlength=len(self.nodes)))
        for gid in present:
            pick = nodes == gid
            yield self.nodes[int(gid)], rows[pick], t[pick]

    def _by_journey(self, rows: np.ndarray, t: np.ndarray) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
        journeys = self.store.journey[rows]
        if len(rows) and (journeys == journeys[0]).all():
            yield int(journeys[0]), rows, t
            return
        for j in np.flatnonzero(np.bincount(journeys, minlength=len(self.runtime))):
            mask = journeys == j
            yield int(j), rows[mask], t[mask]

    # ================================================================= the door
    def _door(self, rows: np.ndarray, t: np.ndarray) -> None:
        st = self.store
        for j, rows_j, t_j in self._by_journey(rows, t):
            runtime = self.runtime[j]
            record = self.recorder.journeys[j]
            fresh = st.state[rows_j] == S.PENDING
            if runtime.status == "stopped":
                st.state[rows_j[fresh]] = S.VOID
                st.t_next[rows_j[fresh]] = NEVER
                reading = rows_j[~fresh]
                if reading.size:
                    self.finish(reading, t_j[~fresh], "read_queue")
                continue
            record.arrived += int(fresh.sum())
            closed = (runtime.status == "paused") | (t_j < runtime.reopen_at)
            read_rows = ~fresh
            closed &= fresh | (runtime.status == "paused")
            if closed.any():
                shut, shut_t = rows_j[closed], t_j[closed]
                settings = runtime.pause.settings if runtime.pause else None
                if settings is not None and settings.entry_while_paused == "queue":
                    st.state[shut] = S.QUEUED
                    st.t_next[shut] = NEVER if runtime.status == "paused" else runtime.reopen_at
                    st.t_state[shut] = shut_t
                else:
                    reason = np.where(read_rows[closed], REASON_CODE["read_queue"], REASON_CODE["paused_entry"])
                    for code in np.unique(reason):
                        pick = reason == code
                        self.finish(shut[pick], shut_t[pick], _reason_name(code))
            if (~closed).any():
                self.admit(rows_j[~closed], t_j[~closed])

    def admit(self, rows: np.ndarray, t: np.ndarray) -> None:
        """Let rows into their journey's start node at ``t`` (entered)."""
        st = self.store
        if rows.size == 0:
            return
        if not (st.journey[rows] == st.journey[rows[0]]).all():
            for _, rows_j, t_j in self._by_journey(rows, t):
                self.admit(rows_j, t_j)
            return
        self._close_intervals(rows, t)
        j = int(st.journey[rows[0]])
        self.recorder.journeys[j].entered += len(rows)
        self.first_entry = min(self.first_entry, int(t.min()))
        start = self.runtime[j].compiled.start
        st.state[rows] = S.ACTIVE
        st.node[rows] = start
        st.t_entry[rows] = t
        st.t_node[rows] = t
        st.t_state[rows] = t
        st.t_move[rows] = t
        st.t_next[rows] = t
        self.recorder.events("entered", t, st.profile[rows], j, start)

    # ================================================================= held rows
    def _held_due(self, rows: np.ndarray, t: np.ndarray) -> None:
        st = self.store
        alarm = (st.t_fire[rows] == t) & (t < st.t_move[rows]) & st.fire_drawn[rows]
        if alarm.any():
            self.finish(rows[alarm], t[alarm], "event_while_held")
            rows, t = rows[~alarm], t[~alarm]
        release = st.t_move[rows] == t
        rows, t = rows[release], t[release]
        if rows.size == 0:
            return
        self._close_intervals(rows, t)
        for j, rows_j, t_j in self._by_journey(rows, t):
            self.recorder.held_change(j, t_j, -1)
            self.recorder.events("released", t_j, st.profile[rows_j], j, st.node[rows_j])
        st.state[rows] = S.ACTIVE
        st.t_state[rows] = t
        st.released[rows] = True
        if self.policy.event_while_held == "discard_event":
            lost = st.fire_drawn[rows] & (st.t_fire[rows] < t)
            st.t_fire[rows[lost]] = NEVER
        self._leave_all(rows, t)

    def hold(self, node: CompiledNode, rows: np.ndarray, t: np.ndarray) -> None:
        st = self.store
        self._close_intervals(rows, t)
        st.state[rows] = S.HELD
        st.t_state[rows] = t
        st.t_move[rows] = NEVER
        deadline = st.t_entry[rows] + self.timeout_of[node.journey]
        if node.is_action and node.next_is_event:
            self._draw_event(self.nodes[node.next], rows, t)
            if self.policy.event_while_held == "discard_profile":
                deadline = np.minimum(deadline, st.t_fire[rows])
        st.t_next[rows] = deadline
        self.recorder.held_change(node.journey, t, +1)
        self.recorder.events("held", t, st.profile[rows], node.journey, node.gid)

    # ================================================================= leaving a node
    def _leave_all(self, rows: np.ndarray, t: np.ndarray) -> None:
        for node, rows_n, t_n in self._by_node(rows, t):
            self.leave(node, rows_n, t_n)

    def leave(self, node: CompiledNode, rows: np.ndarray, t: np.ndarray) -> None:
        runtime = self.runtime[node.journey]
        if runtime.status == "paused" and self.policy.stop_point == "anywhere":
            self._at_stop_point(node, runtime, rows, t)
            return
        kind = node.kind
        if node.is_action:
            self._action(node, runtime, rows, t)
        elif kind == "condition":
            self._condition(node, rows, t)
        elif kind == "random_split":
            cumulative = np.cumsum(node.branch_weights)
            u = self.draws.uniform(self.store.profile[rows], self.store.t_entry[rows], node.gid, t)
            pick = np.minimum(np.searchsorted(cumulative / cumulative[-1], u, side="right"), len(cumulative) - 1)
            self.move(rows, np.asarray(node.branch_targets)[pick], t)
        elif kind == "update_profile":
            profiles = self.store.profile[rows]
            for name, value in node.spec.set.items():
                self.population.set_values(name, profiles, value)
            self.move(rows, node.next, t)
        elif kind == "jump":
            self._jump(node, rows, t)
        elif kind == "end":
            self.finish(rows, t, "end")
        elif kind in EVENT_TYPES and node.gid != runtime.compiled.start:
            targets = np.where(self.store.branch[rows] == 1, node.on_timeout, node.next)
            self.move(rows, targets, t)
        else:  # entry node, wait, external data
            self.move(rows, node.next, t)

    def _at_stop_point(self, node: CompiledNode, runtime: JourneyRuntime, rows: np.ndarray, t: np.ndarray) -> None:
        """A profile stopped by the pause: discarded in discard mode (P1), or by the org cap once a
        check found the count at or over it (L2), else held."""
        if runtime.pause.settings.mode == "discard":
            self.finish(rows, t, "discard_mode")
        elif self.cap_over:
            self.finish(rows, t, "org_cap")
        else:
            self.hold(node, rows, t)

    def _action(self, node: CompiledNode, runtime: JourneyRuntime, rows: np.ndarray, t: np.ndarray) -> None:
        st = self.store
        if runtime.exclude is not None:
            match = runtime.exclude.mask(self.lookup(st.profile[rows]), len(rows))
            if match.any():
                self.finish(rows[match], t[match], "global_filter")
                rows, t = rows[~match], t[~match]
        if rows.size == 0:
            return
        if runtime.status == "paused":
            self._at_stop_point(node, runtime, rows, t)
            return
        record = self.recorder.journeys[node.journey]
        record.actions[node.node_id] = record.actions.get(node.node_id, 0) + len(rows)
        released = st.released[rows]
        if released.any() and runtime.pause is not None:
            runtime.pause.send_delays.append((t[released] - st.t_node[rows[released]]).astype(np.int64))
            st.released[rows[released]] = False
        self.recorder.events("action", t, st.profile[rows], node.journey, node.gid)
        if node.next >= 0:
            self.move(rows, node.next, t)
        else:
            self.finish(rows, t, "end")

    def _condition(self, node: CompiledNode, rows: np.ndarray, t: np.ndarray) -> None:
        lookup = self.lookup(self.store.profile[rows])
        targets = np.full(len(rows), -1, dtype=np.int64)
        undecided = np.ones(len(rows), dtype=bool)
        for target, expr in zip(node.branch_targets, node.branch_exprs):
            hit = undecided if expr is None else undecided & expr.mask(lookup, len(rows))
            targets[hit] = target
            undecided &= ~hit
        self.move(rows, targets, t)

    def _jump(self, node: CompiledNode, rows: np.ndarray, t: np.ndarray) -> None:
        profiles = self.store.profile[rows].copy()
        self.finish(rows, t, "jump")
        target = self.journey_of_key[node.spec.to]
        start = self.runtime[target].compiled.start
        new = self.store.append(profiles, target, start, S.PENDING, t)
        self.store.t_state[new] = t

    # ================================================================= moving and arriving
    def move(self, rows: np.ndarray, targets: np.ndarray | int, t: np.ndarray) -> None:
        """Move rows to ``targets`` at ``t``; exit criteria are checked at every move (A14)."""
        st = self.store
        j = int(st.journey[rows[0]])
        criteria = self.runtime[j].compiled.exit_criteria
        if criteria:
            lookup = self.lookup(st.profile[rows])
            out = np.zeros(len(rows), dtype=bool)
            for expr in criteria:
                out |= expr.mask(lookup, len(rows))
            if out.any():
                self.finish(rows[out], t[out], "exit_criteria")
                rows, t = rows[~out], t[~out]
                targets = targets if np.isscalar(targets) else targets[~out]
                if rows.size == 0:
                    return
        self._close_intervals(rows, t)
        old = st.node[rows]
        leaving_wait = self.node_waiting[old]
        if leaving_wait.any():
            self.recorder.events("left", t[leaving_wait], st.profile[rows[leaving_wait]], j, old[leaving_wait])
        previous_arrival = st.t_node[rows]
        st.t_node[rows] = t
        st.t_state[rows] = t
        st.node[rows] = targets
        if np.isscalar(targets):
            self.arrive(self.nodes[int(targets)], rows, t, previous_arrival)
        else:
            targets = np.asarray(targets)
            for gid in np.flatnonzero(np.bincount(targets, minlength=len(self.nodes))):
                pick = targets == gid
                self.arrive(self.nodes[int(gid)], rows[pick], t[pick], previous_arrival[pick])

    def arrive(self, node: CompiledNode, rows: np.ndarray, t: np.ndarray, previous_arrival: np.ndarray) -> None:
        """Rows reach ``node`` at ``t``; ``previous_arrival`` is when they reached the node before (A2/A4/A6)."""
        st = self.store
        self.recorder.events("entered", t, st.profile[rows], node.journey, node.gid)
        spec = node.spec
        if isinstance(spec, WaitNode):
            if spec.duration is not None:
                t_move = t + self._durations(spec.duration, node, rows, t)
            else:
                t_move = np.maximum(t, to_ticks(spec.until, self.res))
        elif node.kind == "external_data":
            t_move = t + self._durations(spec.latency, node, rows, t)
        elif node.kind in EVENT_TYPES and node.is_waiting:
            self._draw_event(node, rows, previous_arrival)
            fire = st.t_fire[rows]
            if spec.timeout is not None:
                limit = t + to_ticks(spec.timeout, self.res)
                on_time = fire <= limit
                t_move = np.where(on_time, np.maximum(fire, t), limit)
                st.branch[rows] = np.where(on_time, 0, 1)
            else:
                t_move = np.maximum(fire, t)
                st.branch[rows] = 0
            st.fire_drawn[rows] = False
            st.t_fire[rows] = NEVER
        else:
            t_move = t
        st.t_move[rows] = t_move
        st.t_next[rows] = np.minimum(t_move, st.t_entry[rows] + self.timeout_of[node.journey])

    def _durations(self, dist, node: CompiledNode, rows: np.ndarray, moment: np.ndarray) -> np.ndarray:
        st = self.store
        if dist.kind == "fixed":
            return duration_ticks(dist, np.empty(len(rows)), None, self.res)
        profiles, entered = st.profile[rows], st.t_entry[rows]
        u = self.draws.uniform(profiles, entered, node.gid, moment, purpose=0)
        v = self.draws.uniform(profiles, entered, node.gid, moment, purpose=1) if dist.needs_two_uniforms else None
        return duration_ticks(dist, u, v, self.res)

    def _draw_event(self, node: CompiledNode, rows: np.ndarray, since: np.ndarray) -> None:
        """Per row: whether the event of ``node`` happens and when (A2/A4/A6 model), drawn once."""
        st = self.store
        fresh = ~st.fire_drawn[rows]
        if not fresh.any():
            return
        rows, since = rows[fresh], since[fresh]
        spec: EventLike | ReactionNode = node.spec
        happens = self.draws.uniform(st.profile[rows], st.t_entry[rows], node.gid, since, purpose=2) < spec.chance
        delay = self._durations(spec.delay, node, rows, since) if spec.delay is not None else 0
        st.t_fire[rows] = np.where(happens, since + delay, NEVER)
        st.fire_drawn[rows] = True

    # ================================================================= leaving the journey
    def finish(self, rows: np.ndarray, t: np.ndarray, reason: str) -> None:
        """Rows exit or are discarded at ``t`` for ``reason``."""
        if rows.size == 0:
            return
        st = self.store
        t = np.broadcast_to(t, rows.shape)
        self._close_intervals(rows, t)
        state = st.state[rows]
        code = REASON_CODE[reason]
        for j, rows_j, t_j in self._by_journey(rows, t):
            state_j = st.state[rows_j]
            held = state_j == S.HELD
            if held.any():
                self.recorder.held_change(j, t_j[held], -1)
            entered = np.isin(state_j, S.IN_JOURNEY)
            if entered.any():
                self.recorder.add_intervals(-1 - j, 0, st.t_entry[rows_j[entered]], t_j[entered])
            self.recorder.count_reason(j, reason, len(rows_j), t_j if reason == "org_cap" else None)
            event = "exited" if code < 5 else "discarded"
            self.recorder.events(event, t_j, st.profile[rows_j], j, st.node[rows_j], code)
        del state
        st.state[rows] = S.DONE
        st.reason[rows] = code
        st.t_next[rows] = NEVER
        st.t_state[rows] = t

    def _close_intervals(self, rows: np.ndarray, t_end: np.ndarray) -> None:
        """Record the time-series interval of each row's current (node, state) ending at ``t_end``."""
        st = self.store
        state = st.state[rows]
        nodes = st.node[rows]
        label = np.full(len(rows), -1, dtype=np.int8)
        label[(state == S.QUEUED) | (state == S.READQ)] = LABEL_QUEUED
        label[(state == S.FROZEN) | ((state == S.ACTIVE) & self.node_waiting[nodes])] = LABEL_WAITING
        label[state == S.HELD] = LABEL_HELD
        keep = label >= 0
        if not keep.any():
            return
        starts = st.t_state[rows[keep]]
        ends = np.broadcast_to(t_end, rows.shape)[keep]
        key = nodes[keep] * 3 + label[keep]
        if (key == key[0]).all():
            self.recorder.add_intervals(int(key[0] // 3), int(key[0] % 3), starts, ends)
            return
        for k in np.unique(key):
            pick = key == k
            self.recorder.add_intervals(int(k // 3), int(k % 3), starts[pick], ends[pick])

    def close_all_open(self) -> None:
        """At the end, count every open interval up to the end of the time series."""
        st = self.store
        n = st.size
        open_rows = np.flatnonzero(np.isin(st.state[:n], (S.ACTIVE, S.HELD, S.FROZEN, S.QUEUED, S.READQ)))
        self._close_intervals(open_rows, np.full(len(open_rows), NEVER // 2, dtype=np.int64))
        entered = open_rows[np.isin(st.state[open_rows], S.IN_JOURNEY)]
        for j, rows_j, _ in self._by_journey(entered, st.t_entry[entered]):
            self.recorder.add_intervals(-1 - j, 0, st.t_entry[rows_j], np.full(len(rows_j), NEVER // 2, dtype=np.int64))

    # ================================================================= control processes
    def _timeline(self, plan: list[PlannedAction]) -> Iterator[simpy.Event]:
        for step in plan:
            at = to_ticks(step.at, self.res)
            if at > self.env.now:
                yield self.env.timeout(at - self.env.now)
            self.sync()
            getattr(self, f"_do_{step.kind}")(step)

    def _progress_ticks(self) -> Iterator[simpy.Event]:
        """On a terminal only: move the bar every 1% of simulated time."""
        step = max(1, self.end_tick // 100)
        while self.env.now + step <= self.end_tick:
            yield self.env.timeout(step)
            self.sync()

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

    def _reads(self, c: CompiledJourney) -> Iterator[simpy.Event]:
        node = self.nodes[c.start]
        spec: ReadAudienceNode = node.spec
        schedule = spec.schedule
        if hasattr(schedule, "at"):
            occurrences = [to_ticks(schedule.at, self.res)]
        else:
            step = max(1, to_ticks(schedule.every, self.res))
            first = to_ticks(schedule.start, self.res)
            count = (self.end_tick - first) // step + 1 if first <= self.end_tick else 0
            if schedule.count is not None:
                count = min(count, schedule.count)
            occurrences = [first + k * step for k in range(max(count, 0))]
        runtime = self.runtime[c.index]
        runtime.read_done = np.zeros(self.population.size, dtype=bool)
        for at in occurrences:
            if at > self.end_tick:
                break
            if at > self.env.now:
                yield self.env.timeout(at - self.env.now)
            self.sync()
            if runtime.status == "stopped":
                break
            if runtime.status == "paused":
                self.recorder.journeys[c.index].skipped_reads.append(int(self.env.now))
                runtime.catch_up_reads = runtime.catch_up_reads or spec.incremental
                continue
            self.read(c, int(self.env.now))
        runtime.entries_closed = True

    def read(self, c: CompiledJourney, now: int) -> None:
        node = self.nodes[c.start]
        spec: ReadAudienceNode = node.spec
        runtime = self.runtime[c.index]
        eligible = np.zeros(self.population.size, dtype=bool)
        eligible[self._audience(self.loaded.expressions.get((c.index, node.node_id, "audience")))] = True
        if spec.incremental:
            eligible &= ~runtime.read_done
        else:
            inside = self.store.rows_of(c.index, S.IN_JOURNEY + S.AT_DOOR)
            eligible[self.store.profile[inside]] = False
        runtime.read_done |= eligible
        profiles = self.node_rng[node.gid].permutation(np.flatnonzero(eligible))
        slots = now + rate_slots(len(profiles), spec.read_rate, self.res)
        rows = self.store.append(profiles, c.index, c.start, S.READQ, slots)
        self.store.t_state[rows] = now
        self.recorder.journeys[c.index].arrived += len(rows)

    # ================================================================= operator actions
    def _refuse(self, j: int, step: PlannedAction, why: str) -> None:
        self.recorder.journeys[j].refused.append({"at_s": self.env.now * self.res, "action": step.kind, "reason": why})

    def set_status(self, j: int, status: str) -> None:
        self.runtime[j].status = status
        self.recorder.journeys[j].status_log.append((int(self.env.now), status))

    def _do_pause(self, step: PlannedAction) -> None:
        for j in step.targets:
            runtime = self.runtime[j]
            if runtime.status != "live":
                self._refuse(j, step, f"cannot pause: the journey is {runtime.status} (J1)")
                continue
            now = int(self.env.now)
            self.set_status(j, "paused")
            record = PauseRecord(now, step.pause.mode, step.pause)
            runtime.pause = record
            self.recorder.journeys[j].pauses.append(record)
            queued = self.store.rows_of(j, (S.READQ,))
            if step.pause.entry_while_paused == "queue":
                self.store.state[queued] = S.QUEUED
                self.store.t_next[queued] = NEVER
            else:
                self.finish(queued, np.full(len(queued), now, dtype=np.int64), "read_queue")
            if step.pause.wait_clock != "run":
                self._freeze_waits(j)
            self.env.process(self._pause_end(j, record))

    def _freeze_waits(self, j: int) -> None:
        st = self.store
        rows = st.rows_of(j, (S.ACTIVE,))
        by_duration = np.array([isinstance(n.spec, WaitNode) and n.spec.duration is not None for n in self.nodes])
        rows = rows[by_duration[st.node[rows]]]
        st.state[rows] = S.FROZEN
        st.t_next[rows] = st.t_entry[rows] + self.timeout_of[j]

    def _pause_end(self, j: int, record: PauseRecord) -> Iterator[simpy.Event]:
        yield self.env.timeout(to_ticks(record.settings.length_s, self.res))
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
            if settings.wait_clock == "extend_by_paused_days" and settings.paused_days:
                shift = to_ticks(settings.paused_days * 86400.0, self.res)
            else:
                shift = now - record.paused_at
            st.t_move[frozen] += shift
            st.state[frozen] = S.ACTIVE
            st.t_next[frozen] = np.minimum(st.t_move[frozen], st.t_entry[frozen] + self.timeout_of[j])
        held = st.rows_of(j, (S.HELD,))
        record.held_at_resume = len(held)
        live_at = now
        if held.size:
            held = held[np.argsort(st.t_state[held], kind="stable")]
            if self.policy.release_rate_limited:
                start = now
                if self.scenario.org.resume_rate_scope == "org":
                    start = max(now, self.org_release_free)
                times = start + rate_slots(len(held), self.scenario.org.resume_rate, self.res)
                self.org_release_free = int(times[-1])
            else:
                times = np.full(len(held), now, dtype=np.int64)
            st.t_move[held] = times
            limit = st.t_entry[held] + self.timeout_of[j]
            if self.policy.event_while_held == "discard_profile":
                limit = np.minimum(limit, np.where(st.fire_drawn[held], st.t_fire[held], NEVER))
            st.t_next[held] = np.minimum(times, limit)
            live_at = int(times.max())
        record.live_at = live_at
        runtime.reopen_at = now + to_ticks(self.scenario.org.entry_reopen_delay, self.res)
        queued = st.rows_of(j, (S.QUEUED,))
        record.entered_from_queue = len(queued)
        record.waits_extended = len(frozen)
        if queued.size:
            self.admit(queued, np.full(len(queued), now, dtype=np.int64))
        if runtime.catch_up_reads and runtime.status != "stopped":
            runtime.catch_up_reads = False
            self.read(runtime.compiled, now)
        self.env.process(self._go_live(j, record, live_at))

    def _go_live(self, j: int, record: PauseRecord, at: int) -> Iterator[simpy.Event]:
        if at > self.env.now:
            yield self.env.timeout(at - self.env.now)
        if self.runtime[j].pause is record and self.runtime[j].status == "resuming":
            self.set_status(j, "live")

    def _do_stop(self, step: PlannedAction) -> None:
        for j in step.targets:
            if self.runtime[j].status == "stopped":
                self._refuse(j, step, "cannot stop: the journey is already stopped")
                continue
            if self.runtime[j].pause is not None and self.runtime[j].status == "paused":
                self.runtime[j].pause.ended_by = "stop"
            self.stop(j)

    def stop(self, j: int) -> None:
        st = self.store
        now = int(self.env.now)
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


def _reason_name(code: int) -> str:
    from .recorder import REASONS
    return REASONS[int(code)]
