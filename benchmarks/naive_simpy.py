"""The benchmark flow written the way a user would without journeysim: one SimPy process per profile.

The flow of scenarios/bench-10m.yaml: a reader process lets profiles in at 20,000/s (the i-th at
ceil((i + 1) / 20,000) s, as journeysim's read queue does), each profile waits uniform 1-3 days,
takes a 50/50 condition and does one of two actions, then ends. A 12-hour hold from day 1.5:
a profile reaching its action while paused is held; at the resume the held profiles are released
oldest first at 5,000/s, through a SimPy resource (``--drain``):

- ``resource`` (default): a ``simpy.Resource(capacity=5000)``, each release holds a slot for 1 s;
- ``store``: a ``simpy.Store`` of release tokens, 5,000 put per second by a drain process;
- ``batch``: no SimPy resource: a plain list of events, 5,000 succeeded per second.

The held count is checked every 30 minutes (the org cap check); 3 days are simulated at 1 s.

    python benchmarks/naive_simpy.py --size 100000
    python benchmarks/naive_simpy.py --size 1000000 --drain store --json

``simpy.Resource`` and ``simpy.Store`` keep their waiting requests in a list and take the first
with ``pop(0)``: with a quarter of the profiles held at the resume, the drain is quadratic in the
backlog (a known trap of per-entity simulation libraries). Do not run 10M:
about 1 KB per profile process makes it about 10 GB.
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
CAP_EVERY, HELD_CAP = 1800, 10_000_000


class Org:
    """The journey's and the org's state that every profile process looks at."""

    def __init__(self, env: simpy.Environment, drain: str):
        self.env = env
        self.drain = drain
        self.paused = False
        self.cap_over = False
        self.resumed = env.event()            # every held profile waits on this
        self.gate = simpy.Resource(env, capacity=RESUME_RATE)
        self.tokens = simpy.Store(env)
        self.held_list: list[simpy.Event] = []  # --drain batch
        self.held = 0
        self.held_peak = 0
        self.held_at_resume = 0
        self.last_release = None
        self.sent = {"push": 0, "email": 0}
        self.discarded_org_cap = 0
        self.ended = 0


def profile(env: simpy.Environment, org: Org, wait_s: float, has_app: bool):
    yield env.timeout(round(wait_s))                 # wait: uniform 1-3 days
    channel = "push" if has_app else "email"         # condition: has_app (about 50/50)
    if org.paused:                                   # the action is the stop point (AJO P4)
        if org.cap_over:
            org.discarded_org_cap += 1
            return
        org.held += 1
        org.held_peak = max(org.held_peak, org.held)
        if org.drain == "batch":
            released = env.event()
            org.held_list.append(released)
            yield released
        else:
            yield org.resumed
            if org.drain == "resource":
                with org.gate.request() as slot:     # 5,000 slots, each busy 1 s: 5,000/s
                    yield slot
                    yield env.timeout(1)
            else:
                yield org.tokens.get()               # one token per release, 5,000 put per second
        org.held -= 1
        org.last_release = env.now
    org.sent[channel] += 1                           # action, then end
    org.ended += 1


def reader(env: simpy.Environment, org: Org, waits: np.ndarray, has_app: np.ndarray):
    """read_audience at 20,000/s from t=0: one SimPy process per profile read."""
    size = len(waits)
    for first in range(0, size, READ_RATE):
        yield env.timeout(1)
        for i in range(first, min(first + READ_RATE, size)):
            env.process(profile(env, org, waits[i], bool(has_app[i])))


def operator(env: simpy.Environment, org: Org):
    """The timeline: pause (hold) at day 1.5, resume at day 2 with a 5,000/s drain."""
    yield env.timeout(PAUSE_AT)
    org.paused = True
    yield env.timeout(RESUME_AT - PAUSE_AT)
    org.paused = False
    org.held_at_resume = org.held
    if org.drain == "batch":
        while org.held_list:
            batch, org.held_list = org.held_list[:RESUME_RATE], org.held_list[RESUME_RATE:]
            yield env.timeout(1)
            for event in batch:
                event.succeed()
        return
    org.resumed.succeed()
    if org.drain == "store":
        left = org.held_at_resume
        while left > 0:
            yield env.timeout(1)
            for _ in range(min(RESUME_RATE, left)):
                org.tokens.put(1)
            left -= RESUME_RATE


def cap_checks(env: simpy.Environment, org: Org, log: list):
    while True:
        log.append((env.now, org.held))
        org.cap_over = org.held >= HELD_CAP
        if env.now + CAP_EVERY > DURATION:
            return
        yield env.timeout(CAP_EVERY)


def simulate(size: int, seed: int = 1, drain: str = "resource") -> dict:
    rng = np.random.default_rng(seed)
    waits = rng.uniform(DAY, 3 * DAY, size)
    has_app = rng.random(size) < 0.5
    env = simpy.Environment()
    org = Org(env, drain)
    checks: list = []
    env.process(cap_checks(env, org, checks))
    env.process(operator(env, org))
    env.process(reader(env, org, waits, has_app))
    env.run(until=DURATION + 1)
    return {"actions": org.sent, "held_peak": org.held_peak, "held_at_resume": org.held_at_resume,
            "drain_s": (org.last_release - RESUME_AT) if org.last_release is not None else 0,
            "in_journey_at_end": size - org.ended - org.discarded_org_cap, "cap_checks": len(checks)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--drain", choices=["resource", "store", "batch"], default="resource")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="one JSON line (what benchmarks/run.py reads)")
    args = parser.parse_args()
    cpu_before = time.process_time()
    start = time.perf_counter()
    outcome = simulate(args.size, args.seed, args.drain)
    wall = time.perf_counter() - start
    cpu = time.process_time() - cpu_before
    usage = resource.getrusage(resource.RUSAGE_SELF)
    report = {"wall_s": wall, "cpu_s": cpu, "profiles": args.size,
              "drain": args.drain, "peak_rss_mb": usage.ru_maxrss / 1024, **outcome}
    print(json.dumps(report) if args.json else
          f"naive SimPy ({args.drain} drain), {args.size:,} profiles: {wall:.2f} s, "
          f"peak {report['peak_rss_mb']:.0f} MB, {outcome}")


if __name__ == "__main__":
    main()
