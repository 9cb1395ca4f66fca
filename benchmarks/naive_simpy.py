"""The benchmark flow written the way a user would without journeysim: one SimPy process per profile.

Read at 20,000/s, wait uniform 1-3 days, a 50/50 condition, two actions; a 12-hour hold from day
1.5, released at 5,000/s oldest first; the held count checked every 30 minutes; 3 days.

    python benchmarks/naive_simpy.py --size 100000
"""

from __future__ import annotations

import argparse
import json
import resource
import time

import numpy as np
import simpy

DAY = 86400
READ_RATE, RESUME_RATE = 20_000, 5_000
PAUSE_AT, RESUME_AT, DURATION = int(1.5 * DAY), 2 * DAY, 3 * DAY


class Org:
    def __init__(self, env: simpy.Environment):
        self.env = env
        self.paused = False
        self.held: list[simpy.Event] = []
        self.sent = {"push": 0, "email": 0}
        self.held_peak = 0


def profile(env: simpy.Environment, org: Org, start: int, wait: float, has_app: bool):
    yield env.timeout(start)
    yield env.timeout(round(wait))
    channel = "push" if has_app else "email"
    if org.paused:
        released = env.event()
        org.held.append(released)
        org.held_peak = max(org.held_peak, len(org.held))
        yield released
    org.sent[channel] += 1


def operator(env: simpy.Environment, org: Org):
    yield env.timeout(PAUSE_AT)
    org.paused = True
    yield env.timeout(RESUME_AT - PAUSE_AT)
    org.paused = False
    while org.held:
        batch, org.held = org.held[:RESUME_RATE], org.held[RESUME_RATE:]
        yield env.timeout(1)
        for event in batch:
            event.succeed()


def cap_checks(env: simpy.Environment, org: Org, log: list):
    while env.now + 1800 <= DURATION:
        log.append((env.now, len(org.held)))
        yield env.timeout(1800)


def simulate(size: int, seed: int = 1) -> dict:
    rng = np.random.default_rng(seed)
    waits = rng.uniform(DAY, 3 * DAY, size)
    has_app = rng.random(size) < 0.5
    env = simpy.Environment()
    org = Org(env)
    for i in range(size):
        env.process(profile(env, org, -(-(i + 1) // READ_RATE), waits[i], bool(has_app[i])))
    env.process(operator(env, org))
    checks: list = []
    env.process(cap_checks(env, org, checks))
    env.run(until=DURATION + 1)
    return {"sent": org.sent, "held_peak": org.held_peak, "cap_checks": len(checks)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    start = time.perf_counter()
    outcome = simulate(args.size)
    wall = time.perf_counter() - start
    report = {"wall_s": wall, "profiles": args.size,
              "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, **outcome}
    print(json.dumps(report) if args.json else
          f"naive SimPy, {args.size:,} profiles: {wall:.2f} s, peak {report['peak_rss_mb']:.0f} MB, {outcome}")


if __name__ == "__main__":
    main()
