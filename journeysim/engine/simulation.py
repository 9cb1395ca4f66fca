"""The engine: a SimPy clock for control events, numpy batches for profiles.

Control events (timeline actions, pause ends, the org-cap check, read-audience schedules,
status changes) are SimPy processes. Before each one acts, ``sync`` moves every row due
before that instant through the journey graph in vectorised steps: each step advances
every due row by one node, with exact per-row times, until no row is due. Between two
control events a row's path depends only on its own times and attributes, so the batch
order never changes a result.

This module holds set-up and the clock; the seams live beside it, as SimPy keeps core,
events and resources apart: ``flow`` moves rows through nodes, ``control`` holds the SimPy
control processes (timeline, pause, resume, stop), ``org`` the org-wide accounting.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from heapq import heapify, heappush

import numpy as np
import simpy

from .. import population as pop_module
from ..expr import Expression
from ..loader import LoadedScenario
from ..model.graph import EVENT_TYPES, CompiledNode, can_reach, compile_graph
from ..model.timeline import PlannedAction
from ..schema import EventLike, FileArrivals, PoissonArrivals, ReadAudienceNode, RegularArrivals
from ..units import format_seconds
from . import store as S
from .control import ControlProcesses
from .draws import KeyedDraws
from .flow import RowFlow
from .moves import regular_ticks, to_ticks
from .org import OrgAccounting
from .recorder import Recorder
from .runtime import JourneyRuntime
from .store import NEVER, ProfileStore
from .versions import JourneyVersions

SCAN_ROWS = 1 << 22  # the store is scanned for due rows this many rows at a time: a bounded index array
BATCH_ROWS = 65_536  # rows per vectorised step: their temporaries stay in cache (1M-row batches were ~18% slower at 10M)


class Environment(simpy.Environment):
    """SimPy's environment, keeping the place in its order ``(time, priority, id)`` of the event it
    processes (``current``) and of the last one scheduled (``last_place``), so that the API sandbox can
    act exactly where a timeline action would (``Simulation.run_to_call``). The order is SimPy's own."""

    current: tuple | None = None
    last_place: tuple | None = None

    def schedule(self, event: simpy.Event, priority=simpy.core.NORMAL, delay=0) -> None:
        self.last_place = (self._now + delay, priority, next(self._eid))
        heappush(self._queue, (*self.last_place, event))

    def step(self) -> None:
        if self._queue:
            self.current = self._queue[0][:3]
        super().step()

    def next_place(self) -> tuple | None:
        return self._queue[0][:3] if self._queue else None

    def mark(self) -> int:
        """An id after every event scheduled so far and before every one scheduled later."""
        return next(self._eid)

    def scheduled_now(self, event: simpy.Event) -> tuple:
        """Give the scheduled ``event`` the place it would have had if it were scheduled now (same time)."""
        for i, (at, priority, _, queued) in enumerate(self._queue):
            if queued is event:
                place = (at, priority, self.mark())
                self._queue[i] = (*place, event)
                heapify(self._queue)
                return place
        raise ValueError("the event is not scheduled")


class Simulation(RowFlow, ControlProcesses, OrgAccounting, JourneyVersions):
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
        draws_event = [n.kind in EVENT_TYPES and n.is_waiting for n in self.nodes]
        self.store = ProfileStore(max(1024, self.population.size),
                                  event_nodes=any(draws_event) or any(n.next_is_event for n in self.nodes))
        self.row_budget = int(pop_module.MEMORY_SHARE * pop_module.available_memory() / (2 * pop_module.ENGINE_BYTES_PER_ROW))
        sample_ticks_ = max(1, to_ticks(sc.report_every, self.res))
        self.recorder = Recorder(len(self.journeys_c), sample_ticks_, self.end_tick // sample_ticks_ + 1, record_events)
        self.runtime = [JourneyRuntime(c, to_ticks(c.spec.global_timeout, self.res)) for c in self.journeys_c]
        self.timeout_of = np.array([r.timeout_ticks for r in self.runtime], dtype=np.int64)
        self.shortest_timeout = int(self.timeout_of.min())
        self.first_entry = NEVER
        self.node_waiting = np.array([n.is_waiting for n in self.nodes], dtype=bool)
        self.node_draws_event = np.array(draws_event, dtype=bool)
        self._setup_versions()
        self._setup_business_rules()
        self.entry_event_chunks: list[tuple[np.ndarray, np.ndarray]] = []
        self.note_running_journeys()
        self.outside_filters: list[Expression] = []
        self.interacting = self._writers_and_readers()
        self.cap_over = False
        self.chain_depth = 0
        self.org_queue: tuple[int, int, int] | None = None  # org-wide release queue: (start, places taken, last tick)
        self.org_queue_ends: dict[int, int] = {}  # per journey in that queue: the tick its last held profile stops being held
        self.env = Environment()
        self.timeline_acted: tuple | None = None  # see timeline_place
        self.timeline_waiting: tuple = (0, simpy.core.URGENT, -1)
        self.timeline_wait: simpy.Event | None = None
        self.progress = _progress_bar(progress, self.end_tick, sc.name)

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
                   if step.kind == "global_filter" and step.action.exclude is not None] + self.outside_filters
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
        attribute_interplay = any(writes) and any(reads)
        capped = self.capped_node_mask()  # a capped send reads and writes the profile's recent sends (L6)
        cap_interplay = bool(capped.any()) and not self._one_row_per_profile()
        if not attribute_interplay and not cap_interplay:
            return None
        if cap_interplay:
            writes = [w or bool(c) for w, c in zip(writes, capped)]
            reads = [r or bool(c) for r, c in zip(reads, capped)]
        jump_start = {n.gid: self.journeys_c[self.journey_of_key[n.spec.to]].start for n in self.nodes if n.kind == "jump"}
        return (np.array(can_reach(self.nodes, writes, jump_start), dtype=bool),
                np.array(can_reach(self.nodes, reads, jump_start), dtype=bool))

    def _one_row_per_profile(self) -> bool:
        """Can a profile never be in two rows at once (one journey, no re-entry, no jump)?"""
        start = self.nodes[self.journeys_c[0].start].spec
        return len(self.journeys_c) == 1 and not getattr(start, "reentry", False) \
            and not any(n.kind == "jump" for n in self.nodes)

    def add_outside_filter(self, expression: Expression) -> None:
        """A global filter set from outside the timeline (``journeysim serve``): from now on, rows that
        could write what it reads move in write order, as they would had the timeline named it."""
        self.outside_filters.append(expression)
        self.interacting = self._writers_and_readers()

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
            self.runtime[c.index].arrivals_expected = len(profiles)

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
            return regular_ticks(arrivals.start, arrivals.every, arrivals.count, self.res, end,
                                 most=None if spec.reentry else limit)
        assert isinstance(arrivals, FileArrivals)
        return self._file_arrivals(*key)

    def _file_arrivals(self, journey: int, node_id: str) -> np.ndarray:
        seconds = self.loaded.arrival_files[(journey, node_id)]
        ticks = np.rint(seconds / self.res).astype(np.int64)
        return ticks[(ticks >= 0) & (ticks <= self.end_tick)]

    # ================================================================= run
    def run(self) -> None:
        self.start()
        self.run_until(self.end_tick)
        self.finish_run()

    def start(self) -> None:
        """Schedule the arrivals and the control processes; the clock stands at 0."""
        self._schedule_arrivals()
        jumped_to = {n.spec.to for n in self.nodes if n.kind == "jump"}
        for j, runtime in enumerate(self.runtime):
            runtime.jump_target = runtime.compiled.spec.key in jumped_to
            self.finished_if_done(j)  # arrivals closed at the start and nobody to come (J1)
        self.env.process(self._timeline(self.loaded.timeline))
        self.timeline_waiting = self.env.last_place  # the timeline process starts there
        self.env.process(self._cap_checks())
        if not self.progress.disable:
            self.env.process(self._progress_ticks())
        for c in self.journeys_c:
            if isinstance(self.nodes[c.start].spec, ReadAudienceNode):
                self.env.process(self._reads(c))

    def run_until(self, tick: int) -> None:
        """Run every control event due at or before ``tick``; the clock then stands at ``tick``.

        Rows due at ``tick`` itself have not moved yet: an action applied now acts before them,
        as a timeline action at ``tick`` does.
        """
        tick = min(int(tick), self.end_tick)
        if tick > self.env.now:
            self.env.run(until=tick)
        while self.env.peek() <= tick:
            self.env.step()

    def timeline_place(self, tick: int) -> tuple:
        """Where, in SimPy's order of the events at ``tick``, a timeline action at ``tick`` listed after
        the plan's own actions there would act in ``run``: where the timeline process wakes at ``tick``
        (its own action there, or the start), else where a wait for ``tick`` made when it last acted
        would stand (after the events scheduled before that instant, before those scheduled since)."""
        if self.timeline_waiting[0] <= tick:
            return self.timeline_waiting
        return (tick, simpy.core.NORMAL, self.timeline_waiting[2])

    def run_to_call(self, tick: int) -> None:
        """Run the control events that come before an action made now at ``tick`` (an API call) in
        ``run`` with that action in the timeline: every event before ``tick``, and those at ``tick``
        that come before the timeline's place there. The others at ``tick`` (a cap check or a read
        scheduled after the timeline last acted; what the timeline's own actions at ``tick`` started)
        run after the calls at ``tick``, once the clock moves on, as in ``run``."""
        tick = min(int(tick), self.end_tick)
        if tick > self.env.now:
            self.env.run(until=tick)
        while self.timeline_acted is None or self.timeline_acted[0] != tick:
            place = self.env.next_place()
            if place is None or place > self.timeline_place(tick):
                break
            self.env.step()

    def apply_call(self, step: PlannedAction) -> None:
        """Execute an action made now (an API call, after ``run_to_call``) as the timeline's next step
        at this instant: later calls at this instant follow it at once, and the timeline's wait for
        its next action is made after it, as in ``run`` with the call in the timeline."""
        tick = int(self.env.now)
        place = self.timeline_place(tick)
        self.apply(step)
        self.timeline_acted = place
        if self.timeline_wait is not None and self.timeline_wait.callbacks is not None:
            self.timeline_waiting = self.env.scheduled_now(self.timeline_wait)
        else:
            self.timeline_waiting = (math.inf, simpy.core.NORMAL, self.env.mark())

    def finish_run(self, last_tick: int | None = None) -> None:
        """Move the rows due up to ``last_tick`` (the end of the scenario by default). A run cut short
        there (``journeysim serve`` on a signal) keeps no arrival after it: those never happened."""
        self.advance((self.end_tick if last_tick is None else last_tick) + 1)
        if last_tick is not None:
            st = self.store
            later = np.flatnonzero(st.state[:st.size] == S.PENDING)
            st.state[later] = S.VOID
            st.t_next[later] = NEVER
        else:  # a run cut short has arrivals still to come: not finished
            self.close_emptied_journeys()
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
        self.recorder.final_before(until)

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
        """Move every row due before ``until``, step by step, until none is due. A step takes each
        row out of its node and on through the nodes that take no time (conditions, actions, ends).

        The store is scanned ``SCAN_ROWS`` rows at a time; due rows go in batches of at most
        ``BATCH_ROWS``, each batch to the end of the horizon: bounded scans and batches bound the
        memory of the temporaries (rows move independently here, so the order does not matter).
        Rows created meanwhile (jumps) are picked up by the next scan; without them there is nothing
        left to scan for.
        """
        while True:
            rows_before, moved = self.store.size, False
            for first in range(0, rows_before, SCAN_ROWS):
                due = self.store.due_before(until, first, min(first + SCAN_ROWS, rows_before))
                if due.size:
                    moved = True
                    self._run(due, until)
            if not moved or self.store.size == rows_before:  # every row moved is past ``until``, no other changed
                return

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


class _NoProgress:
    disable = True

    def close(self) -> None:
        pass


def _progress_bar(progress: bool | None, total: int, name: str):
    """A tqdm bar, or nothing (and no tqdm import) when it would be disabled: off, or None off a terminal."""
    if progress is False or (progress is None and not sys.stderr.isatty()):
        return _NoProgress()
    from tqdm import tqdm

    return tqdm(total=total, disable=not progress if progress is not None else None, desc=name, leave=False,
                dynamic_ncols=True, bar_format="{desc} |{bar}| {percentage:3.0f}% [{elapsed}]")
