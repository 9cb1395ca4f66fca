"""events.parquet: the step-event log in time order across the engine's batches, its dictionary
columns, and the bucketed radix sort and block buffer behind it (issue 10, item 15)."""

from __future__ import annotations

import numpy as np
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from conftest import linear_journey, scenario
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from journeysim.cli import main
from journeysim.engine import recorder
from journeysim.outputs import event_log, ordering
from journeysim.outputs.ordering import TimeSorted, time_order

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
    from conftest import Runner

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
    from conftest import Runner

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
    import yaml

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
