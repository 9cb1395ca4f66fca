"""events.parquet written while the simulation runs.

Each time the engine has moved every row due before a tick (``Recorder.final_before``), the events
at earlier ticks can no longer change place: a thread takes them, sorts them by tick (ties in
recording order, as ``EventLog`` does after a run), cuts them into row groups of ``event_log.ROW_GROUP``
and a second thread encodes those into a temporary Parquet file. numpy's sorts and copies and
pyarrow's encoding release the GIL, so this mostly runs beside the engine. ``deliver`` moves the
finished file into place: byte for byte the file ``EventLog.write_parquet`` writes after the run.

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
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from . import event_log
from .ordering import TimeSorted
from .tables import parquet_options

if TYPE_CHECKING:
    from ..engine.recorder import EventBuffer
    from ..engine.simulation import Simulation

ENCODING_AHEAD = 3  # row groups built and waiting for the encoder, at most
_END = None  # the bound of the last take: every event is final
_STOP = object()


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
        self.starts = getattr(self, "starts", 0) + 1  # times the file was begun: more than once, it started over
        self._taken = 0  # events of the buffer taken so far
        self._bound = 0  # every event before it has been written or is in ``_carried``
        self._trusted = True  # no event has been recorded before a bound already passed
        self._pending: list[tuple[np.ndarray, ...]] = []  # taken, at or after ``_bound``, in recording order
        self._carried: list[tuple[np.ndarray, ...]] = []  # sorted, not yet a whole row group
        self._present = np.zeros(0, dtype=bool)  # per kind: recorded so far
        self._lookups: dict | None = None  # ``EventLog.kind_tables`` the file is written with
        self._names: tuple | None = None  # and the text columns' dictionaries in it
        self._lookups_of_present: dict | None = None

    def _work(self) -> None:
        writer = _Writer(self.path)
        try:
            while True:
                message = self._next()
                if message is _STOP:
                    return
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
        """The latest message waiting (a bound covers the ones before it), or wait for one."""
        message = self._inbox.get()
        while message is not _STOP and message[1] is not _END:
            try:
                later = self._inbox.get_nowait()
            except queue.Empty:
                break
            message = later if later is _STOP or later[1] is _END else (later[0], max(later[1], message[1]))
        return message

    def _take(self, recorded: int, bound: int | None, writer: _Writer) -> bool:
        """Write what is final among the events up to ``recorded``; False if the file must start over
        (the dictionaries grew)."""
        new = self.buffer.between(self._taken, recorded)
        self._taken = recorded
        for ticks, _, kinds in new:
            if self._trusted and int(ticks.min()) < self._bound:
                self._trusted = False  # an event before a bound already taken: only the end is sure
            self._note_kinds(kinds)
        self._pending += new
        if not self._trusted:  # what was written may be out of order: written again at the end, whole
            return bound is not _END
        if self._names is not None and self._names != _names(self._current_lookups()):
            return False
        final = self._split(bound)
        if final:
            self._lookups = self._current_lookups()
            self._names = _names(self._lookups)
            self._write_sorted(TimeSorted(final), writer)
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
        self._lookups_of_present = None

    def _current_lookups(self) -> dict:
        if self._lookups_of_present is None:
            self._lookups_of_present = self.log.kind_tables(np.flatnonzero(self._present))
        return self._lookups_of_present

    def _split(self, bound: int | None) -> list[tuple[np.ndarray, ...]]:
        """Take the pending events before ``bound`` (all at the end), in recording order."""
        pending, self._pending = self._pending, []
        if bound is not _END:
            self._bound = max(self._bound, bound)
        final = []
        for chunk in pending:
            if bound is _END or int(chunk[0].max()) < bound:
                final.append(chunk)
            elif int(chunk[0].min()) >= bound:
                self._pending.append(chunk)
            else:
                early = chunk[0] < bound
                final.append(tuple(c[early] for c in chunk))
                self._pending.append(tuple(c[~early] for c in chunk))
        return final

    def _write_sorted(self, ordered: TimeSorted, writer: _Writer) -> None:
        start = 0
        have = sum(len(c[0]) for c in self._carried)
        for done in ordered.fill():
            while start < done:
                end = min(done, start + event_log.ROW_GROUP - have)
                self._carried.append((*(c[start:end] for c in ordered.columns), ordered.ticks_at(start, end)))
                have += end - start
                start = end
                if have == event_log.ROW_GROUP:
                    self._emit(writer)
                    have = 0

    def _emit(self, writer: _Writer) -> None:
        """Write the carried rows as one row group."""
        pieces, self._carried = self._carried, []
        rows, kinds, ticks = (np.concatenate(part) if len(pieces) > 1 else part[0] for part in zip(*pieces))
        writer.write(self.log._arrow(self.log._rows(rows, kinds, ticks, self._lookups)))


class _Writer:
    """A ParquetWriter opened on the first row group, fed by a thread of its own."""

    def __init__(self, path: Path):
        self.path = path
        self._writer = None
        self._pool: ThreadPoolExecutor | None = None
        self._pending: deque = deque()

    def write(self, table) -> None:
        if self._writer is None:
            import pyarrow.parquet as pq

            options = parquet_options(table.schema, also_dictionary=("version",))
            self._writer = pq.ParquetWriter(self.path, table.schema, **options)
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="journeysim-events")
        while len(self._pending) >= ENCODING_AHEAD:
            self._pending.popleft().result()
        self._pending.append(self._pool.submit(self._writer.write_table, table, event_log.ROW_GROUP))

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
