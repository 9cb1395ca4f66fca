"""events.parquet written while the simulation runs.

A thread splits the events into tick buckets as the engine records them (``ordering.TickBuckets``).
Each time the engine has moved every row due before a tick (``Recorder.final_before``), the events
at earlier ticks can no longer change place: the thread sorts their buckets (ties in recording
order, as ``EventLog`` does after a run), cuts them into row groups of ``event_log.ROW_GROUP`` and a
second thread encodes those into a temporary Parquet file. numpy's sorts and copies and pyarrow's
encoding release the GIL, so this mostly runs beside the engine; the thread also makes the
recorder's next block ahead, so that the engine does not pay the page faults of its fresh memory.
``deliver`` moves the finished file into place: byte for byte the file ``EventLog.write_parquet``
writes after the run.

Two things are only known for sure at the end, and the stream starts over from the recorded log if
either turns out otherwise: the dictionaries of the text columns (the names of all the kinds the log
will hold; until the end, those recorded so far), and that no event is recorded at a tick already
declared final (checked on every event taken).
"""

from __future__ import annotations

import os
import queue
import secrets
import shutil
import tempfile
import threading
import weakref
from collections import deque
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from . import event_log
from .ordering import TickBuckets
from .tables import parquet_options

if TYPE_CHECKING:
    from ..engine.recorder import EventBuffer
    from ..engine.simulation import Simulation

ENCODING_AHEAD = 3  # row groups built and waiting for the encoder, at most
POLL_SECONDS = 0.005  # between two bounds, what the engine recorded is split into buckets this often
SPLIT_AT_LEAST = 1 << 16  # events
_END = None  # the bound of the last take: every event is final
_STOP = object()
_RECORDED_MORE = object()  # no bound came for a while, but the engine recorded events


class EventStream:
    """The step-event log of ``sim``, streamed to a temporary Parquet file in ``folder`` (or the
    nearest folder above it that exists) while ``sim`` runs. Attach before the run; ``finish``
    after it; then ``deliver`` (waits, and moves the file) or ``discard``."""

    def __init__(self, sim: Simulation, folder: str | Path):
        self.log = event_log.EventLog(sim)  # its lookups and columns, for the rows taken
        self.buffer: EventBuffer = sim.recorder.event_log
        self.path = _temporary_file(Path(folder))
        self._cleanup = weakref.finalize(self, _unlink, self.path)  # never left behind, whatever happens
        self._inbox: queue.SimpleQueue = queue.SimpleQueue()
        self._error: BaseException | None = None
        self._last_tick = sim.end_tick
        self.starts = 0  # times the file was begun: more than once, it started over
        self._reset()
        self._thread = threading.Thread(target=self._work, name="journeysim-event-stream", daemon=True)
        self._thread.start()
        sim.recorder.event_stream = self

    # ------------------------------------------------------------------ the engine's side
    def final_before(self, recorded: int, tick: int) -> None:
        """The first ``recorded`` events include every event before ``tick``."""
        self._inbox.put((recorded, tick))

    def finish(self) -> None:
        """Every event is recorded: write the rest (in the background) and close the file."""
        self._inbox.put((self.buffer.size, _END))

    def deliver(self, path: str | Path) -> None:
        """Wait for the file, then move it to ``path`` (raises what the stream raised)."""
        self._thread.join()
        if self._error is not None:
            self.discard()
            raise self._error
        try:
            os.replace(self.path, path)
        except OSError:  # another file system
            shutil.copyfile(self.path, path)
        self.discard()

    def discard(self) -> None:
        """Stop streaming and remove the temporary file."""
        self._inbox.put(_STOP)
        if self._thread is not threading.current_thread():
            self._thread.join()
        self._cleanup()

    # ------------------------------------------------------------------ the stream's thread
    def _reset(self) -> None:
        self.starts += 1
        self._taken = 0  # events of the buffer split into buckets so far
        self._buckets = TickBuckets(self._last_tick)
        self._bound = 0  # every event before it has been written or is in ``_carried``
        self._trusted = True  # no event has been recorded before a bound already passed
        self._carried: list[tuple[np.ndarray, ...]] = []  # sorted, not yet a whole row group
        self._carried_rows = 0
        self._present = np.zeros(0, dtype=bool)  # per kind: recorded so far
        self._lookups: dict | None = None  # ``EventLog.kind_tables`` of the kinds recorded so far
        self._names: tuple | None = None  # the text columns' dictionaries in the row groups written

    def _work(self) -> None:
        writer = _Writer(self.path, meanwhile=self._split_recorded)
        try:
            while True:
                message = self._next()
                if message is _STOP:
                    return
                if message is _RECORDED_MORE:
                    self._split_recorded()
                    continue
                recorded, bound = message
                if not self._take(recorded, bound, writer):
                    writer.discard()
                    self._reset()
                    self._take(recorded, bound, writer)
                if bound is _END:
                    writer.close()
                    return
        except BaseException as exc:  # noqa: BLE001 (handed to the thread that delivers)
            self._error = exc
        finally:
            writer.discard()

    def _next(self):
        """The latest message waiting (a bound covers the ones before it), or ``_RECORDED_MORE``."""
        while True:
            self.buffer.reserve()
            try:
                message = self._inbox.get(timeout=POLL_SECONDS)
                break
            except queue.Empty:
                if self.buffer.size - self._taken >= SPLIT_AT_LEAST:
                    return _RECORDED_MORE
        while message is not _STOP and message[1] is not _END:
            try:
                later = self._inbox.get_nowait()
            except queue.Empty:
                break
            message = later if later is _STOP or later[1] is _END else (later[0], max(later[1], message[1]))
        return message

    def _split_recorded(self) -> None:
        """Between bounds: split what the engine recorded meanwhile, and make its next block."""
        self.buffer.reserve()
        if self.buffer.size - self._taken >= SPLIT_AT_LEAST:
            self._split(self.buffer.size)

    def _split(self, recorded: int) -> None:
        """Split the events recorded since the last split into the buckets."""
        for ticks, rows, kinds in self.buffer.between(self._taken, recorded):
            if self._trusted and int(ticks.min()) < self._bound:
                self._trusted = False  # an event before a bound already taken: only the end is sure
            self._note_kinds(kinds)
            self._buckets.add(ticks, rows, kinds)
        self._taken = max(self._taken, recorded)

    def _take(self, recorded: int, bound: int | None, writer: _Writer) -> bool:
        """Write what is final among the events up to ``recorded``; False if the file must start over
        (the dictionaries grew, or an event came before a bound taken)."""
        self._split(recorded)
        if not self._trusted:  # what was written may be out of order: written again at the end, whole
            return bound is not _END
        self._lookups = self.log.kind_tables(np.flatnonzero(self._present))
        if self._names is not None and self._names != _names(self._lookups):
            return False
        if bound is not _END:
            self._bound = max(self._bound, bound)
        for rows, kinds, ticks in self._buckets.take_before(bound):
            self._carry(rows, kinds, ticks, writer)
        if bound is _END and self._carried:
            self._emit(writer)
        return True

    def _note_kinds(self, kinds: np.ndarray) -> None:
        seen = np.bincount(kinds) > 0
        if len(seen) > len(self._present):
            seen[:len(self._present)] |= self._present
            self._present = seen
        else:
            self._present[:len(seen)] |= seen

    def _carry(self, rows: np.ndarray, kinds: np.ndarray, ticks: np.ndarray, writer: _Writer) -> None:
        """Add sorted rows to the row group being gathered, writing every group completed."""
        start = 0
        while start < len(ticks):
            end = min(len(ticks), start + event_log.ROW_GROUP - self._carried_rows)
            self._carried.append((rows[start:end], kinds[start:end], ticks[start:end]))
            self._carried_rows += end - start
            start = end
            if self._carried_rows == event_log.ROW_GROUP:
                self._emit(writer)

    def _emit(self, writer: _Writer) -> None:
        """Write the carried rows as one row group."""
        pieces, self._carried, self._carried_rows = self._carried, [], 0
        if self._names is None:
            self._names = _names(self._lookups)
        rows, kinds, ticks = (np.concatenate(part) if len(part) > 1 else part[0] for part in zip(*pieces))
        writer.write(self.log._arrow(self.log._rows(rows, kinds, ticks, self._lookups)))


class _Writer:
    """A ParquetWriter opened on the first row group, fed by a thread of its own; ``meanwhile`` is
    called while a row group waits for the encoder. The encoder takes every row group waiting in
    one call (the same bytes as one call each: pyarrow cuts them at ``ROW_GROUP`` rows), so it
    waits for the GIL once per batch, not per row group."""

    def __init__(self, path: Path, meanwhile=None):
        self.path = path
        self.meanwhile = meanwhile
        self._writer = None
        self._pool: ThreadPoolExecutor | None = None
        self._pending: deque = deque()  # a future per row group given
        self._waiting: deque = deque()  # row groups not yet taken by the encoder

    def write(self, table) -> None:
        if self._writer is None:
            import pyarrow.parquet as pq

            options = parquet_options(table.schema, also_dictionary=("version",))
            self._writer = pq.ParquetWriter(self.path, table.schema, **options)
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="journeysim-events")
        while len(self._pending) >= ENCODING_AHEAD:
            if self.meanwhile is not None and not wait([self._pending[0]], timeout=POLL_SECONDS).done:
                self.meanwhile()
                continue
            self._pending.popleft().result()
        self._waiting.append(table)
        self._pending.append(self._pool.submit(self._encode_waiting))

    def _encode_waiting(self) -> None:
        """(The encoder's thread) write the row groups waiting, if an earlier call did not take them."""
        import pyarrow as pa

        tables = []
        while self._waiting:
            tables.append(self._waiting.popleft())
        if tables:
            self._writer.write_table(pa.concat_tables(tables) if len(tables) > 1 else tables[0], event_log.ROW_GROUP)

    def close(self) -> None:
        while self._pending:
            self._pending.popleft().result()
        if self._writer is not None:
            self._writer.close()
            self._pool.shutdown()
            self._writer = self._pool = None

    def discard(self) -> None:
        """Stop writing (the file is written again from its start, or removed)."""
        try:
            self.close()
        except BaseException:  # noqa: BLE001 (the file is abandoned anyway)
            self._writer = self._pool = None
            self._pending.clear()
            self._waiting.clear()


def _names(lookups: dict) -> tuple:
    return tuple(tuple(lookups[name][1]) for name in ("journey", "node", "reason"))


def _temporary_file(folder: Path) -> Path:
    """A new hidden file in ``folder`` (or the nearest folder above that exists, else the system's
    temporary folder), created as an ordinary file is (the umask decides its mode)."""
    folder = Path(os.path.abspath(folder))
    while not folder.is_dir() and folder != folder.parent:
        folder = folder.parent
    for place in (folder, Path(tempfile.gettempdir())):
        for _ in range(100):
            path = place / f".events-{secrets.token_hex(6)}.parquet.part"
            try:
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
                return path
            except FileExistsError:
                continue
            except OSError:
                break
    raise OSError(f"cannot create a temporary file for events.parquet in {folder}")


def _unlink(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
