"""Where the cost of ``journeysim run --events`` goes, in one process: the run without and with the
step-event log recorded, then the parts of writing events.parquet (the time order, the columns of
each row group, Parquet encoding), the whole write after a run, and a run that streams the file
while it runs as ``journeysim run --events`` does (with what is left to do once the run ends), each
with its CPU time (user and system, all threads) and page faults. Fresh memory is dear on small
virtual machines: system time is mostly page faults, so the faults are shown beside it.

    python benchmarks/events_cost.py                       # bench-10m at 1M profiles (8.5M events)
    python benchmarks/events_cost.py --size 200000

The whole commands, in fresh processes, are timed by ``python benchmarks/commands.py --only events``.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def measured(label: str, call):
    before, start = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    out = call()
    after, wall = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter() - start
    print(f"  {label:<44}{wall:>7.2f} s{after.ru_utime - before.ru_utime:>7.2f} s{after.ru_stime - before.ru_stime:>7.2f} s"
          f"{after.ru_minflt - before.ru_minflt:>9,}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", type=Path, default=HERE.parent / "scenarios" / "bench-10m.yaml")
    parser.add_argument("--size", type=int, default=1_000_000)
    args = parser.parse_args()

    import journeysim
    from journeysim.engine.memory import freed_memory_reused

    with freed_memory_reused():  # as the run command does
        measure(args, journeysim.load(args.scenario, overrides={"population.size": args.size}))


def measure(args, loaded) -> None:
    import pyarrow.parquet as pq

    import journeysim
    from journeysim.engine.simulation import Simulation
    from journeysim.outputs import event_log, tables
    from journeysim.outputs.event_stream import EventStream

    journeysim.run(journeysim.load(args.scenario, overrides={"population.size": 1000}), events=True)  # warm up

    def run(events: bool) -> Simulation:
        sim = Simulation(loaded, record_events=events, progress=False)
        sim.run()
        return sim

    print(f"{args.scenario.name} at {args.size:,} profiles")
    print(f"  {'':<44}{'wall':>9}{'user':>9}{'system':>9}{'faults':>9}")
    measured("run, no events", lambda: run(False))
    sim = measured("run, events recorded", lambda: run(True))
    log = tables.event_columns(sim)
    groups = measured("time order, row group slices", lambda: list(log._row_groups()))
    print(f"  ({sum(len(g[0]) for g in groups):,} events, {len(groups)} row groups)")
    arrow = measured("columns of each row group, as Arrow", lambda: [log._arrow(log._rows(*g)) for g in groups])
    with tempfile.TemporaryDirectory() as tmp:
        def encode():
            with pq.ParquetWriter(Path(tmp) / "e.parquet", arrow[0].schema,
                                  **tables.parquet_options(arrow[0].schema, also_dictionary=("version",))) as writer:
                for table in arrow:
                    writer.write_table(table, event_log.ROW_GROUP)

        measured("Parquet encoding alone", encode)
        log = tables.event_columns(run(True))  # the parts above sorted the first log already
        measured("events.parquet written after a run", lambda: tables.write_parquet(log, Path(tmp) / "f.parquet"))

        def streamed() -> None:
            sim = Simulation(loaded, record_events=True, progress=False)
            stream = EventStream(sim, tmp)
            sim.run()
            stream.finish()
            measured("  of which: left once the run ended", lambda: stream.deliver(Path(tmp) / "g.parquet"))

        measured("run streaming events.parquet (--events)", streamed)


if __name__ == "__main__":
    main()
