"""Figures of a run: ``plot_x(result, *, ax=None) -> matplotlib Axes``.

Every function reads only ``result.summary`` and ``result.timeseries`` (what a saved run keeps),
draws on ``ax`` or a new figure, and never calls ``plt.show()``.
"""

from __future__ import annotations

from typing import Any

import matplotlib
import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import Patch

STATE_COLORS = {"queued": "#8c6bb1", "waiting": "#4c9be8", "held": "#e8684a"}
STATUS_COLORS = {"draft": "#bbbbbb", "live": "#5bb974", "paused": "#e8684a", "resuming": "#f5b342",
                 "stopped": "#555555", "finished": "#9ecae1"}
REASON_ORDER = ("end", "timeout", "exit_criteria", "jump", "stopped", "paused_entry", "discard_mode",
                "global_filter", "org_cap", "event_while_held", "read_queue")


def _axes(ax: Axes | None, size=(9, 4)) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=size, layout="constrained")
    return ax


def time_unit(seconds: float) -> tuple[float, str]:
    """Divisor and name of a readable unit for a span of ``seconds``."""
    if seconds <= 2 * 3600:
        return 60.0, "minutes"
    if seconds <= 3 * 86400:
        return 3600.0, "hours"
    return 86400.0, "days"


def _duration(result: Any) -> float:
    return float(result.summary.get("duration_s") or result.timeseries["t_s"].max() or 1.0)


def _mark_pauses(ax: Axes, result: Any, scale: float) -> None:
    labelled = False
    for journey in result.summary["journeys"].values():
        for pause in journey["pauses"]:
            end = pause["resumed_at_s"] if pause["resumed_at_s"] is not None else _duration(result)
            ax.axvspan(pause["paused_at_s"] / scale, end / scale, color=STATUS_COLORS["paused"], alpha=0.08,
                       label=None if labelled else "paused")
            if pause["resumed_at_s"] is not None:
                ax.axvline(pause["resumed_at_s"] / scale, color=STATUS_COLORS["resuming"], lw=1, ls="--",
                           label=None if labelled else "resume")
            labelled = True


def _no_data(ax: Axes, text: str) -> Axes:
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", color="#666666")
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


def plot_states(result: Any, *, ax: Axes | None = None) -> Axes:
    """Profiles queued, waiting and held over time, one line per journey and state; pauses shaded."""
    ax = _axes(ax)
    ts = result.timeseries
    ts = ts[ts["state"].isin(list(STATE_COLORS))]
    scale, unit = time_unit(_duration(result))
    styles = ["-", "--", ":", "-."]
    journeys = list(result.summary["journeys"])
    grouped = ts.groupby(["journey", "state", "t_s"], observed=True)["count"].sum()
    for (journey, state), series in grouped.groupby(level=[0, 1], observed=True):
        if series.max() == 0:
            continue
        times = series.index.get_level_values("t_s").to_numpy() / scale
        ax.plot(times, series.to_numpy(), color=STATE_COLORS[state], ls=styles[journeys.index(journey) % 4],
                label=f"{journey}: {state}")
    _mark_pauses(ax, result, scale)
    ax.set_title("Profiles by state over time")
    ax.set_xlabel(f"time since start ({unit})")
    ax.set_ylabel("profiles")
    ax.set_xlim(0, _duration(result) / scale)
    ax.yaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("{x:,.0f}"))
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper right", fontsize="small")
    return ax


def _resumes(result: Any) -> list[tuple[str, dict]]:
    return [(label, p) for label, j in result.summary["journeys"].items() for p in j["pauses"]
            if p["resumed_at_s"] is not None and p["held_at_resume"]]


def plot_drain(result: Any, *, ax: Axes | None = None) -> Axes:
    """Held profiles still to release after each resume, with the documented rate and the return to live."""
    ax = _axes(ax)
    resumes = _resumes(result)
    if not resumes:
        return _no_data(ax, "no held profiles at any resume")
    rate = float(result.summary["org"].get("resume_rate_per_s", 5000.0))
    longest = max(max(p["drain_s"], p["held_at_resume"] / rate) for _, p in resumes) or 1.0
    for label, pause in resumes:
        held = pause["held_at_resume"]
        seconds = np.arange(0, int(np.ceil(pause["drain_s"])) + 1)
        remaining = np.maximum(held - rate * seconds, 0)
        line, = ax.step(seconds, remaining, where="post",
                        label=f"{label}, resumed {pause['resumed_at_s'] / 3600:.1f} h: {held:,} held")
        ax.axvline(pause["drain_s"], color=line.get_color(), ls=":", lw=1)
        ax.annotate("live", (pause["drain_s"], held * 0.9), color=line.get_color(), fontsize="small",
                    xytext=(3, 0), textcoords="offset points")
    top = max(p["held_at_resume"] for _, p in resumes)
    ax.plot([0, top / rate], [top, 0], color="#333333", lw=1, ls="--", label=f"documented {rate:,.0f}/s")
    ax.set_xlim(0, longest * 1.1 + 1)
    ax.set_ylim(0, top * 1.05)
    ax.set_title("Resume drain: held profiles still to release")
    ax.set_xlabel("seconds after the resume")
    ax.set_ylabel("held profiles remaining")
    ax.yaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("{x:,.0f}"))
    ax.legend(loc="upper right", fontsize="small")
    return ax


def plot_org_cap(result: Any, *, ax: Axes | None = None) -> Axes:
    """Org-wide held count against the cap; checks marked, checks at or over the cap in red."""
    ax = _axes(ax)
    org = result.summary["org"]
    ts = result.timeseries
    held = ts[ts["state"] == "held"].groupby("t_s")["count"].sum()
    scale, unit = time_unit(_duration(result))
    if len(held):
        ax.plot(held.index.to_numpy() / scale, held.to_numpy(), color=STATE_COLORS["held"], label="held, org-wide")
    ax.axhline(org["held_cap"], color="#333333", ls="--", lw=1, label=f"cap {org['held_cap']:,}")
    checks = org.get("checks_with_held", [])
    if checks:
        times = np.array([c["at_s"] for c in checks]) / scale
        counts = np.array([c["held"] for c in checks])
        over = np.array([c["over_cap"] for c in checks])
        ax.scatter(times[~over], counts[~over], s=14, color="#4c9be8", zorder=3, label="cap check")
        if over.any():
            ax.scatter(times[over], counts[over], s=22, color="#d62728", zorder=4, label="check at or over the cap")
    for label, journey in result.summary["journeys"].items():
        window = journey.get("org_cap_discards_between_s")
        if window:
            ax.axvspan(window[0] / scale, window[1] / scale, color="#d62728", alpha=0.12,
                       label=f"{label}: {journey['discarded']['org_cap']:,} discarded (org_cap)")
    ax.set_title("Org held-profile count against the cap")
    ax.set_xlabel(f"time since start ({unit})")
    ax.set_ylabel("held profiles")
    ax.set_xlim(0, _duration(result) / scale)
    ax.set_ylim(0, max(org["held_cap"], org["held_peak"], 1) * 1.1)
    ax.yaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("{x:,.0f}"))
    ax.legend(loc="upper right", fontsize="small")
    return ax


def reason_counts(result: Any) -> list[tuple[str, str, int]]:
    """(journey, reason, count) for every reason that happened, exits before discards."""
    rows = []
    for label, journey in result.summary["journeys"].items():
        counts = {**journey["exited"], **journey["discarded"]}
        rows += [(label, reason, counts[reason]) for reason in REASON_ORDER if counts.get(reason)]
    return rows


def plot_reasons(result: Any, *, ax: Axes | None = None) -> Axes:
    """Exits and discards by reason, one bar per (journey, reason) that happened."""
    ax = _axes(ax)
    rows = reason_counts(result)
    if not rows:
        return _no_data(ax, "nobody left any journey")
    labels = [f"{journey}\n{reason}" if len(result.summary["journeys"]) > 1 else reason for journey, reason, _ in rows]
    colors = ["#5bb974" if reason in REASON_ORDER[:5] else "#e8684a" for _, reason, _ in rows]
    bars = ax.bar(range(len(rows)), [count for _, _, count in rows], color=colors)
    ax.bar_label(bars, labels=[f"{count:,}" for _, _, count in rows], fontsize="small")
    ax.set_xticks(range(len(rows)), labels, rotation=30, ha="right", fontsize="small")
    ax.set_title("Exits (green) and discards (red) by reason")
    ax.set_ylabel("profiles")
    ax.yaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("{x:,.0f}"))
    ax.legend(handles=[Patch(color="#5bb974", label="exited"), Patch(color="#e8684a", label="discarded")],
              fontsize="small")
    return ax


def plot_send_delay(result: Any, *, ax: Axes | None = None) -> Axes:
    """Distribution (CDF) of how late held actions went out, one line per pause."""
    ax = _axes(ax)
    lines = 0
    longest = max([p["send_delay_s"]["max"] for _, j in result.summary["journeys"].items() for p in j["pauses"]] or [0])
    scale, unit = time_unit(longest or 1.0)
    for label, journey in result.summary["journeys"].items():
        for k, pause in enumerate(journey["pauses"]):
            quantiles = pause.get("send_delay_quantiles_s") or []
            if not quantiles:
                continue
            ax.plot(np.asarray(quantiles) / scale, np.linspace(0, 100, len(quantiles)), marker=".",
                    label=f"{label}, pause {k + 1}: {pause['sent_after_hold']:,} sent after the hold")
            lines += 1
    if not lines:
        return _no_data(ax, "no action was held")
    ax.set_title("Send delay caused by the pause")
    ax.set_xlabel(f"delay of a held action ({unit})")
    ax.set_ylabel("held actions sent within (%)")
    ax.set_ylim(0, 100)
    ax.legend(loc="lower right", fontsize="small")
    return ax


def plot_status(result: Any, *, ax: Axes | None = None) -> Axes:
    """Each journey's status over time (live, paused, resuming, stopped, finished)."""
    journeys = result.summary["journeys"]
    ax = _axes(ax, size=(9, 1.2 + 0.5 * len(journeys)))
    duration = _duration(result)
    scale, unit = time_unit(duration)
    seen = set()
    for row, journey in enumerate(journeys.values()):
        changes = journey.get("status_changes") or [{"at_s": 0, "status": "live"}]
        bounds = [c["at_s"] for c in changes[1:]] + [duration]
        for change, end in zip(changes, bounds):
            if end > change["at_s"] or change is changes[-1]:
                width = max(end - change["at_s"], duration / 400)
                ax.broken_barh([(change["at_s"] / scale, width / scale)], (row - 0.35, 0.7),
                               color=STATUS_COLORS.get(change["status"], "#cccccc"))
                seen.add(change["status"])
        if journey["status_at_end"] == "finished":
            seen.add("finished")
    ax.set_yticks(range(len(journeys)), list(journeys))
    ax.set_xlim(0, duration / scale)
    ax.set_ylim(-0.6, len(journeys) - 0.4)
    ax.invert_yaxis()
    ax.set_title("Journey status")
    ax.set_xlabel(f"time since start ({unit})")
    ax.legend(handles=[Patch(color=STATUS_COLORS[s], label=s) for s in STATUS_COLORS if s in seen],
              loc="upper right", fontsize="small", ncol=len(seen))
    return ax


FIGURES = {
    "states": plot_states,
    "drain": plot_drain,
    "org_cap": plot_org_cap,
    "reasons": plot_reasons,
    "send_delay": plot_send_delay,
    "status": plot_status,
}
