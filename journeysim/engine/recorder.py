"""What a run remembers: counters, time-weighted counts per node and state, held-count peaks,
pauses, cap checks, status changes and (opt-in) the step-event log.

Counts over time are kept as interval starts and ends binned on the sampling grid, so sampling
costs nothing per sample; per-profile facts (send delay) are kept as arrays per pause.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

EXIT_REASONS = ("end", "timeout", "exit_criteria", "jump", "stopped", "contact_exit")
DISCARD_REASONS = ("paused_entry", "discard_mode", "global_filter", "org_cap", "event_while_held", "read_queue")
REASONS = EXIT_REASONS + DISCARD_REASONS
REASON_CODE = {name: i for i, name in enumerate(REASONS)}

SERIES_STATES = ("queued", "waiting", "held")
EVENTS = ("entered", "left", "held", "released", "action", "discarded", "exited", "capped")
NOT_IN_REPORT = ("read_queue", "event_while_held")  # L16: discards the vendor's journey report does not show
EVENT_CODE = {name: i for i, name in enumerate(EVENTS)}
IN_JOURNEY_KEY = -1
# A step event's node, event and reason packed into one int32 "kind" (the node decides the journey):
# node * KINDS_PER_NODE + event * (len(REASONS) + 1) + reason + 1, reason -1 when there is none.
KINDS_PER_NODE = len(EVENTS) * (len(REASONS) + 1)


@dataclass
class PauseRecord:
    paused_at: int
    mode: str
    settings: object
    resumed_at: int | None = None
    resumed_by: str | None = None
    held_at_resume: int = 0
    live_at: int | None = None  # when the journey was live (or finishing) again; None while it never was
    release_end: int | None = None  # the last release slot of the resume's drain (or the stop that cut it short)
    ended_by: str | None = None
    entered_from_queue: int = 0
    read_at_resume: int = 0  # profiles the catch-up read at the resume brought in (R3)
    waits_extended: int = 0
    skipped_late: int = 0
    parked_released: int = 0
    send_delays: list = field(default_factory=list)
    held_rows: np.ndarray | None = None  # store rows held at the resume
    sent_rows: list = field(default_factory=list)  # store rows whose held send then executed
    capped_rows: list = field(default_factory=list)  # store rows whose held send a business rule suppressed (L6)
    skipped_rows: list = field(default_factory=list)  # store rows whose held send was skipped as too late (V6)


@dataclass
class JourneyRecord:
    arrived: int = 0
    entered: int = 0
    reasons: np.ndarray = field(default_factory=lambda: np.zeros(len(REASONS), dtype=np.int64))
    actions: dict = field(default_factory=dict)
    capped: dict = field(default_factory=dict)
    skipped: dict = field(default_factory=dict)
    held_now: int = 0
    pauses: list[PauseRecord] = field(default_factory=list)
    status_log: list[tuple[int, str]] = field(default_factory=lambda: [(0, "live")])
    refused: list[dict] = field(default_factory=list)
    population_exhausted_at: int | None = None
    skipped_reads: list[int] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.status_log[-1][1]


class Recorder:
    def __init__(self, journeys: int, sample_ticks: int, samples: int, record_events: bool):
        self.journeys = [JourneyRecord() for _ in range(journeys)]
        self.sample_ticks = sample_ticks
        self.samples = samples
        self.grid: dict[tuple[int, int], np.ndarray] = {}
        self.held_deltas: list[list[tuple[np.ndarray, np.ndarray]]] = [[] for _ in range(journeys)]
        self.cap_checks: list[tuple[int, int, bool]] = []
        self.record_events = record_events
        self.event_log = EventBuffer()
        self.event_stream = None  # told by ``final_before`` which events are final (``outputs.event_stream``)
        self.discard_windows: dict[int, list[np.ndarray]] = defaultdict(list)

    # -------------------------------------------------------------- counts over time
    def add_intervals(self, key: int, state: int, starts: np.ndarray, ends: np.ndarray) -> None:
        """Count [start, end) intervals at every sample time they cover (key: node gid or IN_JOURNEY_KEY-j)."""
        if len(starts) == 0:
            return
        size = self.samples + 1
        first = np.minimum(-(-starts // self.sample_ticks), size - 1)
        last = np.minimum(-(-ends // self.sample_ticks), size - 1)
        keep = first < last
        if not keep.all():
            first, last = first[keep], last[keep]
            if len(first) == 0:
                return
        line = self.grid.get((key, state))
        if line is None:
            line = self.grid[(key, state)] = np.zeros(size, dtype=np.int64)
        line += np.bincount(first, minlength=size)[:size]
        line -= np.bincount(last, minlength=size)[:size]

    def series(self) -> dict[tuple[int, int], np.ndarray]:
        return {key: np.cumsum(line)[: self.samples] for key, line in self.grid.items()}

    # -------------------------------------------------------------- held count peaks
    def held_change(self, journey: int, times: np.ndarray, sign: int) -> None:
        if len(times):
            values, counts = _tally(times)
            self.held_deltas[journey].append((values, sign * counts))
            self.journeys[journey].held_now += sign * len(times)

    def held_peak(self, journeys: list[int]) -> int:
        chunks = [c for j in journeys for c in self.held_deltas[j]]
        if not chunks:
            return 0
        times = np.concatenate([c[0] for c in chunks])
        deltas = np.concatenate([c[1] for c in chunks])
        order = np.argsort(times, kind="stable")
        times, deltas = times[order], deltas[order]
        boundaries = np.flatnonzero(np.diff(times)) + 1
        per_tick = np.add.reduceat(deltas, np.concatenate(([0], boundaries)))
        return int(max(0, np.cumsum(per_tick).max()))

    # -------------------------------------------------------------- reasons
    def count_reason(self, journey: int, reason: str, count: int, times: np.ndarray | None = None) -> None:
        self.journeys[journey].reasons[REASON_CODE[reason]] += count
        if reason == "org_cap" and times is not None and len(times):
            self.discard_windows[journey].append(times)

    # -------------------------------------------------------------- step events
    def events(self, event: str, times: np.ndarray, profiles: np.ndarray, journeys: np.ndarray | int,
               nodes: np.ndarray | int, reasons: np.ndarray | int = -1) -> None:
        """Log step events (``journeys`` is implied by ``nodes``: kept for the callers' clarity).
        Each call is kept as one chunk of (ticks, profile rows, kinds); ``outputs.tables`` orders them."""
        if not self.record_events or len(times) == 0:
            return
        n = len(times)
        slot = EVENT_CODE[event] * (len(REASONS) + 1) + 1
        kinds = np.asarray(nodes, dtype=np.int32) * np.int32(KINDS_PER_NODE) + (np.asarray(reasons, dtype=np.int32) + slot)
        kinds = np.full(n, kinds, dtype=np.int32) if kinds.ndim == 0 else np.broadcast_to(kinds, (n,)).astype(np.int32)
        self.event_log.append(np.asarray(times), np.asarray(profiles), kinds)

    def final_before(self, tick: int) -> None:
        """The engine has moved every row due before ``tick``: every step event at an earlier tick is recorded."""
        if self.event_stream is not None:
            self.event_stream.final_before(self.event_log.size, tick)

    @property
    def event_chunks(self) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """The step events recorded so far, (ticks, profile rows, kinds) in recording order, in a few blocks."""
        return self.event_log.chunks()


class EventBuffer:
    """The step-event log as it is recorded: columns appended into blocks of BLOCK rows. Blocks of
    4 MiB and more get huge pages from numpy (a page fault per 2 MiB, where one small array per
    recording call costs one per 4 KiB: at 8 million events, 25,000 faults)."""

    BLOCK = 1 << 20

    def __init__(self) -> None:
        self.blocks: list[list] = []  # [ticks, rows, kinds, used]; int32 ticks and int16 kinds while they fit
        self.starts: list[int] = []  # each block's first event, counted over the whole log
        self.size = 0  # events recorded
        self.spare: list | None = None  # the next block, made ahead by another thread (``reserve``)

    def append(self, ticks: np.ndarray, rows: np.ndarray, kinds: np.ndarray) -> None:
        tick_type = np.int32 if ticks.max() <= np.iinfo(np.int32).max and ticks.min() >= 0 else np.int64
        kind_type = np.int16 if kinds.max() <= np.iinfo(np.int16).max else np.int32  # fewer than 315 nodes
        start = 0
        while start < len(ticks):
            block = self.blocks[-1] if self.blocks else None
            if block is None or block[3] == self.BLOCK or not _holds(block[0], tick_type) or not _holds(block[2], kind_type):
                block, self.spare = self.spare, None
                if block is None or len(block[0]) != self.BLOCK or not _holds(block[0], tick_type) or not _holds(block[2], kind_type):
                    block = [np.empty(self.BLOCK, tick_type), np.empty(self.BLOCK, np.int32),
                             np.empty(self.BLOCK, kind_type), 0]
                self.starts.append(self.size + start)
                self.blocks.append(block)
            used = block[3]
            take = min(len(ticks) - start, self.BLOCK - used)
            for column, values in zip(block[:3], (ticks, rows, kinds)):
                column[used:used + take] = values[start:start + take]
            block[3] = used + take
            start += take
        self.size += len(ticks)

    def reserve(self) -> None:
        """Make the next block before it is needed, its memory touched: called from another thread while
        the engine runs, so the page faults of fresh memory are paid there."""
        if self.spare is None:
            block = [np.empty(self.BLOCK, np.int32), np.empty(self.BLOCK, np.int32), np.empty(self.BLOCK, np.int16), 0]
            for column in block[:3]:
                column.fill(0)
            self.spare = block

    def chunks(self) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        return [(ticks[:used], rows[:used], kinds[:used]) for ticks, rows, kinds, used in self.blocks if used]

    def between(self, first: int, end: int) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Events ``first`` to ``end`` (counted over the whole log) as chunks, views of the blocks. Safe while
        another thread records: the rows before ``end`` are never written again."""
        starts, blocks = list(self.starts), list(self.blocks)  # a block may come between the two copies
        chunks = []
        for k in range(min(len(starts), len(blocks))):
            (ticks, rows, kinds, _), start = blocks[k], starts[k]
            stop = starts[k + 1] if k + 1 < len(starts) else start + len(ticks)  # a block may end early (wider types)
            a, b = max(first, start) - start, min(end, stop) - start
            if a < b:
                chunks.append((ticks[a:b], rows[a:b], kinds[a:b]))
        return chunks


def _holds(column: np.ndarray, dtype) -> bool:
    return np.can_cast(dtype, column.dtype)


def _tally(times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(times, return_counts=True)``; by counting, not sorting, when the times span fewer
    ticks than there are times (a resume releases millions within minutes)."""
    low, high = int(times.min()), int(times.max())
    if high - low >= len(times):
        return np.unique(times, return_counts=True)
    counts = np.bincount(times - low)
    values = np.flatnonzero(counts)
    return values + low, counts[values]
