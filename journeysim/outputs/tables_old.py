"""Long-format tables: the sampled time series and the step-event log."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..engine.recorder import EVENTS, REASONS, SERIES_STATES
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
    columns = ["t_s", "profile_id", "journey", "version", "node", "event", "reason"]
    if not chunks:
        return pd.DataFrame({c: pd.Series(dtype="float64" if c == "t_s" else "object") for c in columns})
    t = np.concatenate([c[0] for c in chunks])
    order = time_order(t)
    t = t[order]
    profiles, journeys, nodes, codes, reasons = (np.concatenate(parts)[order] for parts in list(zip(*chunks))[1:])
    labels = np.array([c.label for c in sim.journeys_c])
    versions = np.array([c.spec.version for c in sim.journeys_c])
    node_names = np.array([n.node_id for n in sim.nodes])
    reason_names = np.array(list(REASONS) + [""])
    reasons = np.where(reasons < 0, len(REASONS), reasons)
    return pd.DataFrame({
        "t_s": t * sim.res,
        "profile_id": sim.population.ids[profiles],
        "journey": _categorical(journeys, labels),
        "version": versions[journeys],
        "node": _categorical(nodes, node_names),
        "event": pd.Categorical.from_codes(codes, categories=list(EVENTS)),
        "reason": _categorical(reasons, reason_names),
    })


def time_order(t: np.ndarray) -> np.ndarray:
    """``np.argsort(t, kind="stable")`` for non-negative ticks, in linear time: a least-significant-digit
    radix sort over 16-bit digits (numpy sorts 16-bit keys stably by counting)."""
    if len(t) == 0 or t.min() < 0:
        return np.argsort(t, kind="stable")
    order = np.argsort((t & 0xFFFF).astype(np.uint16), kind="stable")
    shift, top = 16, int(t.max())
    while top >> shift:
        digit = (t[order] >> shift) & 0xFFFF
        order = order[np.argsort(digit.astype(np.uint16), kind="stable")]
        shift += 16
    return order


def _categorical(codes: np.ndarray, names: np.ndarray) -> pd.Categorical:
    """``pd.Categorical(names[codes])`` without building a string per row: the names present, sorted, as
    categories (what pandas infers), and the codes mapped onto them."""
    present = np.flatnonzero(np.bincount(codes, minlength=len(names)))
    categories = pd.Index(names[present]).sort_values()
    remap = np.full(len(names), -1, dtype=np.int8 if len(names) < 127 else np.int32)
    remap[present] = categories.get_indexer(names[present])
    return pd.Categorical.from_codes(remap[codes], dtype=pd.CategoricalDtype(categories))
