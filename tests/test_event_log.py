"""events.parquet: the step-event log in time order across the engine's batches, its dictionary
columns, and the bucketed radix sort and block buffer behind it (issue 10, item 15)."""

from __future__ import annotations

import numpy as np
import pyarrow.parquet as pq
import pytest
import yaml
from click.testing import CliRunner
from conftest import ROOT, Runner, linear_journey, scenario
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import journeysim
from journeysim.cli import main
from journeysim.engine import recorder
from journeysim.engine.simulation import Simulation
from journeysim.errors import RunTooLarge
from journeysim.outputs import event_log, event_stream, ordering
from journeysim.outputs.event_stream import EventStream
from journeysim.outputs.ordering import TimeSorted, time_order
from journeysim.outputs.tables import event_columns

LATER = ["left", "entered", "action", "entered", "exited"]
LATER_NODES = ["wait", "send", "send", "done", "done"]


def expected_steps(wait: int, profiles: int = 3) -> list[tuple[int, str, str]]:
    """entry -> wait -> send -> done, one arrival a second from 0 s: profile p enters the entry and the
    wait at p, and at p + wait leaves the wait, enters send, sends, enters done and exits."""
    rows = []
    for p in range(profiles):
        rows += [(p, "entered", "entry"), (p, "entered", "wait")]
        rows += [(p + wait, event, node) for event, node in zip(LATER, LATER_NODES)]
    return rows


def by_profile(events) -> dict[int, list[tuple[int, str, str]]]:
    steps: dict[int, list] = {}
    for row in events.itertuples():
        steps.setdefault(row.profile_id, []).append((int(row.t_s), row.event, row.node))
    return steps


@pytest.mark.parametrize("wait", [2, 5000])  # 5000 s: the steps fall in two buckets of 4096 ticks
def test_events_are_in_time_order_across_batches_with_each_profiles_steps_in_order(simulate, wait):
    """The engine moves each profile through entry, wait and action in one batch, so it records
    profile 0's t=2 steps before profile 2 enters at t=2; the log is sorted by time, each profile's
    steps in the order they happened (ties keep the recording order)."""
    doc = scenario(linear_journey(every="1s", count=3, wait=f"{wait}s"), duration=f"{wait + 100}s", size=3)
    ev = simulate(doc).events
    assert len(ev) == 21
    assert ev.t_s.tolist() == sorted(t for t, _, _ in expected_steps(wait))
    steps = by_profile(ev)
    arrival = {profile: rows[0][0] for profile, rows in steps.items()}
    assert sorted(arrival.values()) == [0, 1, 2]
    for profile, rows in steps.items():
        a = arrival[profile]
        assert rows == [(a, "entered", "entry"), (a, "entered", "wait")] + [(a + wait, e, n) for e, n in zip(LATER, LATER_NODES)]
    ends = ev[ev.event == "exited"]
    assert ends.reason.tolist() == ["end"] * 3 and (ev[ev.event != "exited"].reason == "").all()
    assert ev.in_report.all() and (ev.version == 1).all() and (ev.journey == "j").all()


def test_event_columns_are_dictionaries_of_the_values_present(tmp_path):
    """L16, R1: a read at 1/s from 1 s lets profile row 0 in at 1 s; the pause at 2 s discards the two
    reads still due (read_queue: not in the vendor's report); row 0 leaves its 10 s wait at 11 s and is
    held at the send. Text columns hold the names present, sorted (event: all eight, in the contract's
    order); version and in_report keep their types."""

    doc = scenario(linear_journey(every="1s", count=3, wait="10s"), duration="200s", size=3,
                   timeline=[{"at": "2s", "pause": {"journeys": ["j"], "mode": "hold"}}])
    doc["journeys"][0]["nodes"]["entry"] = {"type": "read_audience", "audience": "all", "schedule": {"at": "0s"},
                                           "read_rate": "1/s", "next": "wait"}
    Runner(tmp_path)(doc).write_table("events", tmp_path / "e.parquet")
    table = pq.read_table(tmp_path / "e.parquet")
    assert table.schema.names == ["t_s", "profile_id", "journey", "version", "node", "event", "reason", "in_report"]
    assert [str(table.schema.field(n).type) for n in ("t_s", "profile_id", "version", "in_report")] == \
        ["double", "int64", "int64", "bool"]
    assert not any(field.nullable for field in table.schema)  # required Parquet columns: nothing is ever missing
    ev = table.to_pandas()
    assert [(r.t_s, r.node, r.event, r.reason, r.in_report) for r in ev.itertuples()] == [
        (1.0, "entry", "entered", "", True), (1.0, "wait", "entered", "", True),
        (2.0, "entry", "discarded", "read_queue", False), (2.0, "entry", "discarded", "read_queue", False),
        (11.0, "wait", "left", "", True), (11.0, "send", "entered", "", True), (11.0, "send", "held", "", True)]
    assert sorted(ev.profile_id[ev.reason == "read_queue"]) == [1, 2] and set(ev.profile_id[ev.t_s != 2.0]) == {0}
    dictionary = {name: table.column(name).chunk(0).dictionary.to_pylist() for name in ("journey", "node", "event", "reason")}
    assert dictionary == {"journey": ["j"], "node": ["entry", "send", "wait"], "event": list(recorder.EVENTS),
                          "reason": ["", "read_queue"]}


def test_small_blocks_and_row_groups_give_the_same_file(tmp_path, monkeypatch):
    """The recorder's blocks, the sort's blocks and the Parquet row groups are only ways of cutting the
    log: cut every few rows, the file reads back the same; written twice, it is byte-identical."""
    doc = scenario(linear_journey(every="1s", count=40, wait="5000s"), duration="6000s", size=40)

    runner = Runner(tmp_path)
    runner(doc).write_table("events", tmp_path / "whole.parquet")
    monkeypatch.setattr(recorder.EventBuffer, "BLOCK", 7)
    monkeypatch.setattr(ordering, "BLOCK", 5)
    monkeypatch.setattr(event_log, "ROW_GROUP", 16)
    for name in ("cut1.parquet", "cut2.parquet"):
        runner(doc).write_table("events", tmp_path / name)
    assert pq.read_table(tmp_path / "cut1.parquet").equals(pq.read_table(tmp_path / "whole.parquet"))
    assert pq.ParquetFile(tmp_path / "cut1.parquet").metadata.num_row_groups == -(-40 * 7 // 16)
    assert (tmp_path / "cut1.parquet").read_bytes() == (tmp_path / "cut2.parquet").read_bytes()


def test_the_same_seed_gives_a_byte_identical_events_file(tmp_path):
    doc_path = tmp_path / "s.yaml"
    doc_path.write_text(yaml.safe_dump(scenario(linear_journey(every="1s", count=300, wait="1h"), duration="2h", size=300)))
    for name in ("a", "b"):
        done = CliRunner().invoke(main, ["run", str(doc_path), "--out", str(tmp_path / name), "--events", "-q", "--no-report"])
        assert done.exit_code == 0, done.output
    assert (tmp_path / "a" / "events.parquet").read_bytes() == (tmp_path / "b" / "events.parquet").read_bytes()


@given(arrays(np.int64, st.integers(0, 400), elements=st.integers(0, 2**20)))
def test_the_bucketed_radix_sort_is_the_stable_argsort(t):
    assert (time_order(t) == np.argsort(t, kind="stable")).all()


@given(st.lists(arrays(np.int64, st.integers(0, 60), elements=st.integers(0, 20_000)), max_size=8),
       st.integers(1, 50))
def test_chunks_sorted_in_blocks_keep_their_columns_and_the_recording_order(chunks, block):
    """TimeSorted over chunks (ticks, position) equals a stable argsort of the chunks joined, in any blocks."""
    positions, start = [], 0
    for c in chunks:
        positions.append(np.arange(start, start + len(c)))
        start += len(c)
    joined = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int64)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ordering, "BLOCK", block)
        ordered = TimeSorted(list(zip(chunks, positions)))
        filled = list(ordered.fill())
    if not len(joined):
        return
    assert filled[-1] == len(joined) and filled == sorted(filled)
    order = np.argsort(joined, kind="stable")
    assert (ordered.columns[0] == order).all()
    assert (ordered.ticks_at(0, len(joined)) == joined[order]).all()
    assert (ordered.ticks_at(len(joined) // 3, len(joined) // 2) == joined[order][len(joined) // 3:len(joined) // 2]).all()


def test_ticks_out_of_the_buckets_range_fall_back_to_the_packed_sort():
    t = np.array([2**40, 3, 2**40, -1, 3, 0], dtype=np.int64)
    assert time_order(t).tolist() == [3, 5, 1, 4, 0, 2]


def test_the_event_buffer_keeps_wide_ticks_and_kinds_in_their_own_blocks():
    buffer = recorder.EventBuffer()
    buffer.append(np.array([5, 6]), np.array([0, 1], dtype=np.int32), np.array([3, 4], dtype=np.int32))
    buffer.append(np.array([2**33]), np.array([2], dtype=np.int32), np.array([40_000], dtype=np.int32))
    buffer.append(np.array([7]), np.array([3], dtype=np.int32), np.array([5], dtype=np.int32))
    ticks, rows, kinds = (np.concatenate(part) for part in zip(*buffer.chunks()))
    assert ticks.tolist() == [5, 6, 2**33, 7] and rows.tolist() == [0, 1, 2, 3] and kinds.tolist() == [3, 4, 40_000, 5]
    assert [c[0].dtype for c in buffer.chunks()] == [np.int32, np.int64]


# ---------------------------------------------------------------- events.parquet written during the run

def test_tick_buckets_hand_out_what_is_before_each_bound_in_time_order():
    """Recorded ticks 5, 1, 9, 3 (rows 0-3); before 4: rows 1 (t=1) and 3 (t=3). Then 4, 9, 6 are
    recorded (rows 4-6: none before 4, as the engine promises); the rest: 4, 5, 6 and the two 9s in
    recording order (row 2, then row 5)."""
    buckets = ordering.TickBuckets(last_tick=10)
    buckets.add(np.array([5, 1, 9, 3]), np.arange(4, dtype=np.int32), np.zeros(4, dtype=np.int16))
    first = list(buckets.take_before(4))
    buckets.add(np.array([4, 9, 6]), np.arange(4, 7, dtype=np.int32), np.zeros(3, dtype=np.int16))
    rest = list(buckets.take_before(None))
    assert [(r.tolist(), t.tolist()) for r, _, t in first] == [([1, 3], [1, 3])]
    assert [(r.tolist(), t.tolist()) for r, _, t in rest] == [([4, 0, 6, 2, 5], [4, 5, 6, 9, 9])]


@given(st.lists(st.tuples(st.lists(st.integers(0, 3), max_size=30), st.integers(0, 2)), max_size=6),
       st.sampled_from([1, 3, 5000]))
def test_tick_buckets_taken_bound_by_bound_are_the_stable_argsort(steps, block):
    """Each step records ticks at or after the last bound (0-3 ticks after it; split in blocks of
    ``block``) and moves the bound on by 0-2 ticks: what is taken, bound by bound, is the stable order."""
    buckets, bound, recorded, taken = ordering.TickBuckets(last_tick=50), 0, [], []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ordering, "BLOCK", block)
        for offsets, step in steps:
            ticks = np.array(offsets, dtype=np.int64) + bound
            buckets.add(ticks, np.arange(len(recorded), len(recorded) + len(ticks), dtype=np.int32), np.zeros(len(ticks), np.int16))
            recorded += ticks.tolist()
            bound += step
            taken += [r for rows, _, _ in buckets.take_before(bound) for r in rows.tolist()]
        taken += [r for rows, _, _ in buckets.take_before(None) for r in rows.tolist()]
    assert taken == np.argsort(np.array(recorded, dtype=np.int64), kind="stable").tolist()


def _recorder_driven(tmp_path, steps):
    """A simulation of a 4-node journey that is never run: its recorder is fed ``steps`` by hand,
    each ``(event, ticks, node, reason, final_before)``; the log streamed, and written after the fact.
    The stream takes every bound in turn (it may skip to the latest: the same file, by other ways)."""


    loaded = journeysim.load(Runner(tmp_path).write(scenario(linear_journey(), size=50)))
    sim = Simulation(loaded, record_events=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(EventStream, "_next", lambda self: self._inbox.get())
        stream = EventStream(sim, tmp_path)
        profile = 0
        for event, ticks, node, reason, final_before in steps:
            ticks = np.array(ticks, dtype=np.int64)
            sim.recorder.events(event, ticks, np.arange(profile, profile + len(ticks)) % 50, 0, node, reason)
            profile += len(ticks)
            if final_before is not None:
                sim.recorder.final_before(final_before)
        stream.finish()
        event_columns(sim).write_parquet(tmp_path / "after.parquet")
        stream.deliver(tmp_path / "streamed.parquet")
    return stream


def _same_file_streamed(tmp_path) -> bool:
    return (tmp_path / "streamed.parquet").read_bytes() == (tmp_path / "after.parquet").read_bytes()


def test_an_event_recorded_at_a_later_tick_lands_after_the_earlier_ones(tmp_path, monkeypatch):
    """Row groups of 4 rows, every event an entry at the first node. Recorded: t=3, 1, 8 (8: a tick
    after the bound 5 to come), bound 5; then t=5, 6, bound 7; then t=7 and the end. The file: 1, 3, 5, 6, 7, 8 — the t=8 event recorded first
    comes last — and byte for byte the file written after the run."""
    monkeypatch.setattr(event_log, "ROW_GROUP", 4)
    stream = _recorder_driven(tmp_path, [("entered", [3, 1, 8], 0, -1, 5), ("entered", [5, 6], 0, -1, 7),
                                         ("entered", [7], 0, -1, None)])
    table = pq.read_table(tmp_path / "streamed.parquet")
    assert table.column("t_s").to_pylist() == [1.0, 3.0, 5.0, 6.0, 7.0, 8.0]
    assert table.column("profile_id").to_pylist() == [1, 0, 3, 4, 5, 2]
    assert pq.ParquetFile(tmp_path / "streamed.parquet").metadata.num_row_groups == 2
    assert _same_file_streamed(tmp_path) and stream.starts == 1


def test_a_name_first_recorded_after_a_row_group_was_written_starts_the_file_over(tmp_path, monkeypatch):
    """The node and reason dictionaries hold every name in the log: the first row group (t=1, 2) is
    written with the node entry alone; the entries at wait (node wait), then the exit at done (node
    done, reason end) each make the file start over."""
    monkeypatch.setattr(event_log, "ROW_GROUP", 2)
    stream = _recorder_driven(tmp_path, [("entered", [1, 2, 3], 0, -1, 4), ("entered", [4, 5], 1, -1, 6),
                                         ("exited", [6], 3, 0, None)])
    assert stream.starts == 3 and _same_file_streamed(tmp_path)
    dictionary = pq.read_table(tmp_path / "streamed.parquet").column("node").chunk(0).dictionary.to_pylist()
    assert dictionary == ["done", "entry", "wait"]


def test_an_event_recorded_before_a_bound_already_passed_is_still_in_its_place(tmp_path, monkeypatch):
    """Should the engine ever record an event before a tick it declared final (t=2 after bound 5), the
    stream writes the whole log again at the end: the file is still the one written after the run."""
    monkeypatch.setattr(event_log, "ROW_GROUP", 2)
    stream = _recorder_driven(tmp_path, [("entered", [1, 3, 4], 0, -1, 5), ("entered", [2, 6], 0, -1, None)])
    assert pq.read_table(tmp_path / "streamed.parquet").column("t_s").to_pylist() == [1.0, 2.0, 3.0, 4.0, 6.0]
    assert stream.starts == 2 and _same_file_streamed(tmp_path)


STREAMED_SCENARIOS = ["quickstart.yaml", "hold-vs-discard.yaml", "org-cap-small.yaml", "auto-resume-timeout.yaml",
                      "sfmc-extended-waits-queued.yaml", "recurring-read-catch-up.yaml", "bench-10m.yaml"]


@pytest.mark.parametrize("name", STREAMED_SCENARIOS)
def test_the_streamed_file_is_the_file_written_after_the_run(tmp_path, name):
    """Same bytes, streamed during the run (events_near) or written after it, the same DataFrame;
    no temporary file left."""

    loaded = journeysim.load(ROOT / "scenarios" / name, overrides={"population.size": 20_000} if "bench" in name else None)
    folder = tmp_path / "near"
    folder.mkdir()
    after = journeysim.run(loaded, events=True, check=False)
    after.write_table("events", tmp_path / "after.parquet")
    streamed = journeysim.run(loaded, events_near=folder, check=False)
    streamed.write_table("events", tmp_path / "streamed.parquet")
    assert (tmp_path / "streamed.parquet").read_bytes() == (tmp_path / "after.parquet").read_bytes()
    assert list(folder.iterdir()) == []
    streamed.write_table("events", tmp_path / "again.parquet")  # moved once; written again the old way
    assert (tmp_path / "again.parquet").read_bytes() == (tmp_path / "after.parquet").read_bytes()
    assert streamed.events.equals(after.events)  # and the log in memory


def break_runs_past_tick_100(monkeypatch, error: Exception) -> None:
    """Runs raise ``error`` once the engine has moved the rows due before a tick past 100 (mid-run, events streamed)."""
    original = Simulation.advance

    def advance(self, until):
        original(self, until)
        if until > 100:
            raise error

    monkeypatch.setattr(Simulation, "advance", advance)


def test_a_run_that_fails_leaves_no_temporary_file(tmp_path, monkeypatch):
    break_runs_past_tick_100(monkeypatch, RuntimeError("broken on purpose"))
    loaded = journeysim.load(Runner(tmp_path).write(scenario(linear_journey(), size=100)))
    folder = tmp_path / "near"
    folder.mkdir()
    with pytest.raises(RuntimeError, match="on purpose"):
        journeysim.run(loaded, events_near=folder, progress=False)
    assert list(folder.iterdir()) == []


def test_a_refused_run_writes_nothing_and_leaves_no_temporary_file(tmp_path, monkeypatch):
    """Exit 2 (too large for memory, found mid-run): nothing in --out's folder, not even the stream's file."""
    break_runs_past_tick_100(monkeypatch, RunTooLarge("too many jumps"))
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "s.yaml").write_text(yaml.safe_dump(scenario(linear_journey(), size=100)))
    parent = tmp_path / "outputs"
    parent.mkdir()
    done = CliRunner().invoke(main, ["run", str(tmp_path / "in" / "s.yaml"), "--out", str(parent / "o"), "--events", "-q"])
    assert done.exit_code == 2, done.output
    assert list(parent.iterdir()) == []


def test_a_stream_that_cannot_write_raises_when_delivered_and_leaves_nothing(tmp_path, monkeypatch):


    def broken(self, table):
        raise OSError("disk full, on purpose")

    monkeypatch.setattr(event_stream._Writer, "write", broken)
    folder = tmp_path / "near"
    folder.mkdir()
    result = journeysim.run(journeysim.load(Runner(tmp_path).write(scenario(linear_journey(), size=100))), events_near=folder)
    with pytest.raises(OSError, match="on purpose"):
        result.write_table("events", tmp_path / "e.parquet")
    assert list(folder.iterdir()) == [] and not (tmp_path / "e.parquet").exists()


def test_the_command_writes_the_events_file_the_api_writes_after_the_run(tmp_path):
    """journeysim run --events streams events.parquet; the bytes are those of api.run(events=True)'s
    file written after the run, and nothing is left beside the output folder."""
    doc = scenario(linear_journey(every="1s", count=300, wait="1h"), duration="2h", size=300,
                   timeline=[{"at": "30m", "pause": {"journeys": ["j"], "mode": "hold"}}, {"at": "50m", "resume": {"journeys": ["j"]}}])
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "s.yaml").write_text(yaml.safe_dump(doc))
    parent = tmp_path / "outputs"
    done = CliRunner().invoke(main, ["run", str(tmp_path / "in" / "s.yaml"), "--out", str(parent / "o"), "--events", "-q", "--no-report"])
    assert done.exit_code == 0, done.output
    journeysim.run(tmp_path / "in" / "s.yaml", events=True).write_table("events", tmp_path / "api.parquet")
    assert (parent / "o" / "events.parquet").read_bytes() == (tmp_path / "api.parquet").read_bytes()
    assert [p.name for p in parent.iterdir()] == ["o"]
