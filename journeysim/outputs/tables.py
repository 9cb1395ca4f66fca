"""Long-format tables: the sampled time series and the step-event log."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..engine.recorder import EVENT_CODE, EVENTS, NOT_IN_REPORT, REASON_CODE, REASONS, SERIES_STATES
from ..engine.simulation import Simulation

IN_JOURNEY_NODE = "(journey)"


def _status_at(log: list[tuple[int, str]], times: np.ndarray) -> np.ndarray:
    ticks = np.array([t for t, _ in log])
    names = np.array([s for _, s in log])
    return names[np.searchsorted(ticks, times, side="right") - 1]


def timeseries(sim: Simulation) -> pd.DataFrame:
    rec = sim.recorder
    times = np.arange(rec.samples, dtype=np.int64) * rec.sample_ticks
    series = rec.series()
    frames = []
    labels = [c.label for c in sim.journeys_c]
    for (key, state), counts in sorted(series.items()):
        if key < 0:
            j, node, state_name = -1 - key, IN_JOURNEY_NODE, "in_journey"
        else:
            j, node, state_name = sim.nodes[key].journey, sim.nodes[key].node_id, SERIES_STATES[state]
        frames.append(pd.DataFrame({"t_s": times * sim.res, "journey": labels[j], "node": node,
                                    "state": state_name, "count": counts.astype(np.int64),
                                    "status": _status_at(rec.journeys[j].status_log, times)}))
    for j, label in enumerate(labels):
        if not any((-1 - j, 0) == k for k in series):
            frames.append(pd.DataFrame({"t_s": times * sim.res, "journey": label, "node": IN_JOURNEY_NODE,
                                        "state": "in_journey", "count": np.zeros(len(times), dtype=np.int64),
                                        "status": _status_at(rec.journeys[j].status_log, times)}))
    frame = pd.concat(frames, ignore_index=True)
    frame = frame.sort_values(["t_s", "journey", "node", "state"], kind="stable").reset_index(drop=True)
    for column in ("journey", "node", "state", "status"):
        frame[column] = frame[column].astype("category")
    return frame


def events(sim: Simulation) -> pd.DataFrame:
    chunks = sim.recorder.event_chunks
    columns = ["t_s", "profile_id", "journey", "version", "node", "event", "reason", "in_report"]
    if not chunks:
        return pd.DataFrame({c: pd.Series(dtype="float64" if c == "t_s" else "bool" if c == "in_report" else "object")
                             for c in columns})
    t, profiles, journeys, nodes, codes, reasons = (np.concatenate(parts) for parts in zip(*chunks))
    order = np.argsort(t, kind="stable")
    t, profiles, journeys, nodes, codes, reasons = (a[order] for a in (t, profiles, journeys, nodes, codes, reasons))
    labels = np.array([c.label for c in sim.journeys_c])
    versions = np.array([c.spec.version for c in sim.journeys_c])
    node_names = np.array([n.node_id for n in sim.nodes])
    reason_names = np.array(list(REASONS) + [""])
    return pd.DataFrame({
        "t_s": t * sim.res,
        "profile_id": sim.population.ids[profiles],
        "journey": pd.Categorical(labels[journeys]),
        "version": versions[journeys],
        "node": pd.Categorical(node_names[nodes]),
        "event": pd.Categorical.from_codes(codes, categories=list(EVENTS)),
        "reason": pd.Categorical(reason_names[np.where(reasons < 0, len(REASONS), reasons)]),
        "in_report": ~((codes == EVENT_CODE["discarded"]) & np.isin(reasons, [REASON_CODE[r] for r in NOT_IN_REPORT])),
    })
