"""The floor: the flow of scenarios/bench-10m.yaml computed directly with numpy, no engine.

It knows only this one journey, so it is as fast as the flow can be computed in numpy; the
engine is measured against it (``benchmarks/run.py --floor``). Every profile is read at 20,000/s
(the i-th at ceil((i + 1) / 20,000) s, R6 slots), waits uniform 1-3 days (whole seconds), takes
the has_app condition (50/50) and does one action at the end of its wait, then ends. An action
due while the journey is held (day 1.5 to day 2) is held at the action (AJO stop point); at the
resume the held profiles go oldest hold first at 5,000/s; a send's delay runs from its hold to
its release. Profiles whose wait ends after day 3 are still in the journey at the end.

    python benchmarks/closed_form.py --size 10000000
    python benchmarks/closed_form.py --size 20000 --json

It prints the figures of the engine's summary that this flow decides: entered, actions per
channel, held at resume and the held peak, drain, sends after the hold and their delay, in the
journey at the end. The engine draws other random numbers (keyed per profile), so the two agree
up to sampling (tests/test_closed_form.py checks it at 20,000 profiles).
"""

from __future__ import annotations

import argparse
import json
import resource
import time

import numpy as np

DAY = 86400
READ_RATE, RESUME_RATE = 20_000, 5_000
WAIT_LOW, WAIT_HIGH = 1 * DAY, 3 * DAY
PAUSE_AT, RESUME_AT, END = DAY + DAY // 2, 2 * DAY, 3 * DAY


def slots(count: int, per_second: int, dtype=np.int64) -> np.ndarray:
    """ceil((i + 1) / rate) for i < count: when the i-th of a queue goes at ``per_second``."""
    index = np.arange(per_second, count + per_second, dtype=dtype)
    index //= per_second
    return index


def simulate(size: int, seed: int = 1) -> dict:
    rng = np.random.default_rng(seed)
    due = slots(size, READ_RATE, np.int32)                     # read: entry second of the i-th profile
    wait = rng.uniform(WAIT_LOW, WAIT_HIGH, size)
    np.rint(wait, out=wait)
    due += wait.astype(np.int32)                               # the wait's end: the condition and the action
    del wait
    has_app = rng.random(size, dtype=np.float32) < 0.5
    acted = due <= END
    held_mask = (due >= PAUSE_AT) & (due < RESUME_AT)
    held_at = np.sort(due[held_mask])                          # oldest hold first
    held = len(held_at)
    release = RESUME_AT + slots(held, RESUME_RATE)
    delays = release - held_at
    push = int(np.count_nonzero(has_app & acted))
    sent = int(np.count_nonzero(acted))
    return {
        "entered": size,
        "actions_by_channel": {"push": push, "email": sent - push},
        "actions": sent,
        "held_at_resume": held,
        "held_peak": held,
        "drain_s": int(release[-1] - RESUME_AT) if held else 0,
        "sent_after_hold": held,
        "send_delay_s": {"p50": float(np.percentile(delays, 50)) if held else 0.0,
                         "p95": float(np.percentile(delays, 95)) if held else 0.0,
                         "max": float(delays.max()) if held else 0.0},
        "in_journey_at_end": size - sent,
        "finished": sent,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="one JSON line (what benchmarks/run.py reads)")
    args = parser.parse_args()
    simulate(1000, args.seed)  # warm-up, as the engine's benchmark child does
    cpu = time.process_time()
    start = time.perf_counter()
    outcome = simulate(args.size, args.seed)
    report = {"wall_s": time.perf_counter() - start, "cpu_s": time.process_time() - cpu, "profiles": args.size,
              "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "ok": True, **outcome}
    print(json.dumps(report) if args.json else
          f"closed form, {args.size:,} profiles: {report['wall_s']:.2f} s, peak {report['peak_rss_mb']:.0f} MB\n"
          + json.dumps(outcome, indent=1))


if __name__ == "__main__":
    main()
