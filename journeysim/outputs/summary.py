"""The run summary of the output contract, and the conservation check that every run makes."""

from __future__ import annotations

import numpy as np

from .. import __version__
from ..engine import store as S
from ..engine.recorder import DISCARD_REASONS, EXIT_REASONS, NOT_IN_REPORT, REASON_CODE, PauseRecord
from ..engine.simulation import Simulation


def _seconds(ticks: int | None, resolution: float) -> float | None:
    if ticks is None:
        return None
    value = ticks * resolution
    return int(value) if float(value).is_integer() else round(value, 6)


DRAIN_CURVE_POINTS = 60
_LIVE, _UNSENT = S.state_table(S.IN_JOURNEY + S.AT_DOOR), S.state_table((S.ACTIVE, S.FROZEN))


def _held_steps(sim: Simulation, j: int) -> tuple[np.ndarray, np.ndarray]:
    """Journey ``j``'s held count after each tick at which it changed: (ticks, held), exact."""
    chunks = sim.recorder.held_deltas[j]
    if not chunks:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    times = np.concatenate([c[0] for c in chunks])
    deltas = np.concatenate([c[1] for c in chunks])
    order = np.argsort(times, kind="stable")
    times, deltas = times[order], deltas[order]
    starts = np.concatenate(([0], np.flatnonzero(np.diff(times)) + 1))
    return times[starts], np.cumsum(np.add.reduceat(deltas, starts))


def _drain_curve(record: PauseRecord, steps: tuple[np.ndarray, np.ndarray], resolution: float, now: int) -> dict | None:
    """Held profiles still in the journey from the resume to the return to live, in at most 62 points.

    Measured from the held count, not derived from the rate: an org-wide rate shared with other
    journeys, or profiles timing out while they wait to be released, show up here.
    """
    if record.resumed_at is None or not record.held_at_resume:
        return None
    # up to the return to live; a drain cut short by a stop or by the end of the run ends there
    end = record.live_at if record.live_at is not None else min(record.release_end, now)
    ticks, held = steps
    span = end - record.resumed_at
    at = record.resumed_at + np.unique(np.round(np.linspace(0, span, min(span, DRAIN_CURVE_POINTS) + 1)).astype(np.int64))
    index = np.searchsorted(ticks, at, side="right") - 1
    values = np.where(index >= 0, held[np.maximum(index, 0)], 0)
    after = [_seconds(int(t - record.resumed_at), resolution) for t in at]
    held_after = [int(v) for v in values]
    if held_after[0] != record.held_at_resume:  # released at the resume tick itself: keep the moment before
        after, held_after = [0] + after, [record.held_at_resume] + held_after
    return {"after_resume_s": after, "held": held_after}


def held_at_resume_outcome(record: PauseRecord, store: S.ProfileStore) -> dict:
    """Where every profile held at the resume is at the end, each counted once: its held send went out,
    was suppressed by a business rule or skipped as too late (V6), it left before the send (exited or
    discarded, by reason), it is still held, or it moved on and
    is still in the journey without having reached an action (SFMC holds at waits). The parts add up
    to ``held_at_resume``."""
    rows = record.held_rows if record.held_rows is not None else np.zeros(0, dtype=np.int64)
    sent = _marked(rows, record.sent_rows, store.size)
    capped = ~sent & _marked(rows, record.capped_rows, store.size)
    skipped = ~sent & ~capped & _marked(rows, record.skipped_rows, store.size)
    rest = rows[~sent & ~capped & ~skipped]
    state = store.state[rest]
    left = np.bincount(store.reason[rest[state == S.DONE]], minlength=len(EXIT_REASONS) + len(DISCARD_REASONS))
    return {
        "sent": int(sent.sum()),
        "capped": int(capped.sum()),
        "skipped_late": int(skipped.sum()),
        "exited": {r: int(left[REASON_CODE[r]]) for r in EXIT_REASONS if left[REASON_CODE[r]]},
        "discarded": {r: int(left[REASON_CODE[r]]) for r in DISCARD_REASONS if left[REASON_CODE[r]]},
        "still_held": int((state == S.HELD).sum()),
        "in_journey_unsent": int(np.count_nonzero(_UNSENT[state])),
    }


def _marked(rows: np.ndarray, chunks: list[np.ndarray], size: int) -> np.ndarray:
    """Which of ``rows`` (store rows) are among ``chunks``: a mark per row, linear, where ``np.isin`` sorts."""
    mark = np.zeros(size, dtype=bool)
    for chunk in chunks:
        mark[chunk] = True
    return mark[rows]


def _pause_summary(record: PauseRecord, resolution: float, steps: tuple[np.ndarray, np.ndarray], store: S.ProfileStore,
                   now: int) -> dict:
    delays = np.concatenate(record.send_delays) * resolution if record.send_delays else np.zeros(0)
    quantiles = np.percentile(delays, np.arange(0, 101, 5)) if len(delays) else []  # one partition for all
    drain = None
    if record.resumed_at is not None and record.live_at is not None:
        drain = _seconds(record.live_at - record.resumed_at, resolution)
    return {
        "paused_at_s": _seconds(record.paused_at, resolution),
        "mode": record.mode,
        "resumed_at_s": _seconds(record.resumed_at, resolution),
        "resumed_by": record.resumed_by,
        "ended_by": record.ended_by or ("resume" if record.resumed_at is not None else None),
        "held_at_resume": record.held_at_resume,
        "drain_s": drain,
        "live_at_s": _seconds(record.live_at, resolution),
        "sent_after_hold": int(len(delays)),
        "held_at_resume_outcome": held_at_resume_outcome(record, store),
        "entered_from_queue": record.entered_from_queue,
        "read_at_resume": record.read_at_resume,
        "waits_extended": record.waits_extended,
        "capped_after_hold": int(sum(len(r) for r in record.capped_rows)),
        "skipped_late": record.skipped_late,
        "parked_released": record.parked_released,
        "send_delay_s": {"p50": round(float(quantiles[10]), 6), "p95": round(float(quantiles[19]), 6),
                         "max": round(float(quantiles[20]), 6)}
        if len(delays) else {"p50": 0.0, "p95": 0.0, "max": 0.0},
        "send_delay_quantiles_s": [round(float(q), 3) for q in quantiles],
        "drain_curve": _drain_curve(record, steps, resolution, now),
    }


def _parked_at_end(sim: Simulation, j: int) -> list[int]:
    """Per pause of journey ``j``: its parked profiles still held at the end (V5), by when they were parked."""
    st = sim.store
    n = st.size
    parked = (st.journey[:n] == j) & (st.state[:n] == S.HELD) & st.parked[:n]
    starts = np.array([p.paused_at for p in sim.recorder.journeys[j].pauses], dtype=np.int64)
    if len(starts) == 0:
        return []
    which = np.searchsorted(starts, st.t_state[:n][parked], side="right") - 1
    return [int(c) for c in np.bincount(which[which >= 0], minlength=len(starts))]


def conservation(sim: Simulation, *, arrivals_done: bool = True) -> dict:
    """Each profile that arrived is in exactly one place; counters agree with the rows.

    Mid-run (``arrivals_done=False``: ``journeysim serve``'s summary so far) arrivals still to come
    are not a problem."""
    st = sim.store
    n = st.size
    state, journey, reason = st.state[:n], st.journey[:n], st.reason[:n]
    single = len(sim.recorder.journeys) == 1  # every row is the journey's: no mask to build
    problems: list[str] = []
    per_journey = {}
    for j, record in enumerate(sim.recorder.journeys):
        label = sim.journeys_c[j].label
        mine = None if single else journey == j
        states = np.bincount(state if single else state[mine], minlength=S.VOID + 1)
        in_journey = int(states[list(S.IN_JOURNEY)].sum())
        queued = int(states[list(S.AT_DOOR)].sum())
        pending = int(states[S.PENDING])
        done = state == S.DONE
        if not single:
            done &= mine
        reasons_from_rows = np.bincount(reason[done], minlength=len(record.reasons))
        if pending and arrivals_done:
            problems.append(f"{label}: {pending} arrivals were never looked at")
        if not np.array_equal(reasons_from_rows, record.reasons):
            problems.append(f"{label}: exit/discard counters disagree with the rows")
        total = int(record.reasons.sum()) + in_journey + queued
        if record.arrived != total:
            problems.append(f"{label}: arrived {record.arrived} != exited+discarded+in journey+queued {total}")
        door = record.reasons[REASON_CODE["paused_entry"]] + record.reasons[REASON_CODE["read_queue"]]
        if record.entered != record.arrived - door - queued:
            problems.append(f"{label}: entered {record.entered} != arrived - door discards - queued")
        if record.held_now != int(states[S.HELD]):
            problems.append(f"{label}: held count {record.held_now} disagrees with the rows")
        per_journey[label] = {"in_journey_at_end": in_journey, "queued_at_end": queued}
        if in_journey + queued > 1 and not _allows_reentry(sim, j):
            live = _LIVE[state]
            if not single:
                live &= mine
            profiles = st.profile[:n][live]
            if _distinct_profiles(profiles, sim.population.size) != len(profiles):
                problems.append(f"{label}: a profile is in two places at once")
    return {"ok": not problems, "problems": problems, "per_journey": per_journey}


def _distinct_profiles(profiles: np.ndarray, population: int) -> int:
    """How many different profiles ``profiles`` names (row numbers of the population): a mark per
    profile, linear, where ``np.unique`` would hash or sort every row."""
    seen = np.zeros(population, dtype=bool)
    seen[profiles] = True
    return int(np.count_nonzero(seen))


def _allows_reentry(sim: Simulation, j: int) -> bool:
    start = sim.nodes[sim.journeys_c[j].start].spec
    return bool(getattr(start, "reentry", False)) or getattr(start, "schedule", None) is not None \
        or any(n.kind == "jump" for n in sim.nodes)


def _window(chunks: list | None, resolution: float) -> list | None:
    if not chunks:
        return None
    times = np.concatenate(chunks)
    return [_seconds(int(times.min()), resolution), _seconds(int(times.max()), resolution)]


def _report_view(record) -> dict:
    """L16: the counts the vendor's journey report shows, and the discards it leaves out."""
    return {
        "entered": record.entered,
        "exited": {r: int(record.reasons[REASON_CODE[r]]) for r in EXIT_REASONS},
        "discarded": {r: int(record.reasons[REASON_CODE[r]]) for r in DISCARD_REASONS if r not in NOT_IN_REPORT},
        "not_shown": {r: int(record.reasons[REASON_CODE[r]]) for r in NOT_IN_REPORT},
    }


def _org_counts(sim: Simulation) -> dict:
    """L4, L5, L9 and the business rules (L6)."""
    sc = sim.scenario
    st = sim.store
    n = st.size
    arrived = (st.state[:n] != S.VOID) & (st.state[:n] != S.PENDING)
    per_second = sim.entry_events_per_second()
    quota = sc.org.events_per_s_quota
    hourly = sim.capped_sends_hourly
    return {
        "max_live_journeys": sc.org.max_live_journeys,
        "live_journeys_peak": sim.live_journeys_peak,
        "engageable_profiles": _distinct_profiles(st.profile[:n][arrived], sim.population.size),
        "events_per_s_quota": quota,
        "events_per_s_peak": int(per_second.max()) if len(per_second) else 0,
        "seconds_over_events_quota": int((per_second > quota).sum()) if quota is not None else 0,
        "business_rules": [{"channel": r.channel, "max": r.max, "per_s": r.per} for r in sc.org.business_rules],
        "capped": int(hourly["capped"].sum()),
        "capped_sends_per_hour": _per_hour(hourly, sim.hour_ticks * sim.res) if sc.org.business_rules else None,
    }


def _per_hour(hourly: dict, hour_s: float) -> dict:
    """Sends at capped nodes that went out and that a rule suppressed, per hour that had any."""
    hours = np.flatnonzero(hourly["sent"] + hourly["capped"])
    return {"hour_s": [_seconds(int(h), hour_s) for h in hours],
            "sent": hourly["sent"][hours].tolist(), "capped": hourly["capped"][hours].tolist()}


def build_summary(sim: Simulation, check: dict) -> dict:
    res = sim.res
    sc = sim.scenario
    journeys = {}
    for j, record in enumerate(sim.recorder.journeys):
        compiled = sim.journeys_c[j]
        label = compiled.label
        runtime = sim.runtime[j]
        counts = check["per_journey"][label]
        status = runtime.status
        held_steps = _held_steps(sim, j) if record.pauses else (np.zeros(0, dtype=np.int64),) * 2
        if status == "live" and runtime.entries_closed and counts["in_journey_at_end"] == 0 and counts["queued_at_end"] == 0:
            status = "finished"
        actions = {sim.nodes[g].node_id: record.actions.get(sim.nodes[g].node_id, 0) for g in compiled.action_nodes}
        journeys[label] = {
            "key": compiled.spec.key,
            "version": compiled.spec.version,
            "arrived": record.arrived,
            "entered": record.entered,
            "in_journey_at_end": counts["in_journey_at_end"],
            "queued_at_end": counts["queued_at_end"],
            "exited": {r: int(record.reasons[REASON_CODE[r]]) for r in EXIT_REASONS},
            "discarded": {r: int(record.reasons[REASON_CODE[r]]) for r in DISCARD_REASONS},
            "actions": actions,
            "capped": {sim.nodes[g].node_id: record.capped.get(sim.nodes[g].node_id, 0) for g in compiled.action_nodes
                       if sim.cap_rules_of[g]},
            "held_peak": sim.recorder.held_peak([j]),
            "status_at_end": status,
            "status_changes": [{"at_s": _seconds(t, res), "status": s} for t, s in record.status_log],
            "skipped": {sim.nodes[g].node_id: record.skipped.get(sim.nodes[g].node_id, 0) for g in compiled.action_nodes},
            "pauses": [{**_pause_summary(p, res, held_steps, sim.store, min(int(sim.env.now), sim.end_tick)), "parked_at_end": parked}
                       for p, parked in zip(record.pauses, _parked_at_end(sim, j))],
            "population_exhausted_at_s": _seconds(record.population_exhausted_at, res),
            "skipped_reads_at_s": [_seconds(t, res) for t in record.skipped_reads],
            "refused_actions": record.refused,
            "org_cap_discards_between_s": _window(sim.recorder.discard_windows.get(j), res),
            "report_view": _report_view(record),
        }
    checks = sim.recorder.cap_checks
    return {
        "scenario": sc.name,
        "description": sc.description,
        "seed": sc.seed,
        "replication": sim.replication,
        "platform": sc.platform,
        "start": sc.start.isoformat() if sc.start else None,  # C1: the outputs show local date-times beside elapsed time
        "start_zone": getattr(sc.start.tzinfo, "key", None) if sc.start else None,
        "policy": sim.policy.model_dump(),
        "journeysim_version": __version__,
        "duration_s": _seconds(sim.end_tick, res),
        "resolution_s": res,
        "population": sim.population.size,
        "journeys": journeys,
        "org": {
            "held_cap": sc.org.held_cap,
            "resume_rate_per_s": sc.org.resume_rate,
            "resume_rate_scope": sc.org.resume_rate_scope,
            "cap_check_every_s": sc.org.cap_check_every,
            "held_peak": sim.recorder.held_peak(list(range(len(sim.recorder.journeys)))),
            "cap_checks": len(checks),
            "cap_exceeded_checks": sum(1 for _, _, over in checks if over),
            "checks_with_held": [{"at_s": _seconds(t, res), "held": h, "over_cap": over} for t, h, over in checks if h],
            **_org_counts(sim),
        },
        "conservation": {"ok": check["ok"], "problems": check["problems"]},
    }
