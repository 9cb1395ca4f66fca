"""Figures of a run: ``plot_x(result, *, ax=None) -> matplotlib Axes``.

Every function reads only ``result.summary`` and ``result.timeseries`` (what a saved run keeps, so
``journeysim report DIR`` redraws them), draws on ``ax`` or on a new figure, and never calls
``plt.show()``: in a notebook the figure shows itself, in a script save it with
``ax.figure.savefig(...)``. All of them work on a run without any pause (they say so on the figure).

The time series is read as numpy columns (``Samples``): a fresh run's figures need no pandas.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib.ticker
import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .engine.recorder import EXIT_REASONS, REASONS
from .units import format_duration, format_elapsed, format_rate

if TYPE_CHECKING:
    from .api import Result

STATE_COLORS = {"queued": "#8c6bb1", "waiting": "#4c9be8", "held": "#e8684a"}
STATUS_COLORS = {"draft": "#bbbbbb", "live": "#5bb974", "paused": "#e8684a", "resuming": "#f5b342", "finishing": "#c7e9c0",
                 "stopped": "#555555", "finished": "#9ecae1"}
EXIT_COLOR, DISCARD_COLOR = "#5bb974", "#e8684a"
COUNT_FORMAT = matplotlib.ticker.StrMethodFormatter("{x:,.0f}")


# ------------------------------------------------------------------ helpers


WIDE = (10.5, 4.0)  # room for a legend beside the axes


def figure_size(name: str, result: Result) -> tuple[float, float]:
    """Size in inches of figure ``name`` (a key of FIGURES) when the plot makes its own figure."""
    if name == "status":
        return (9.0, 1.5 + 0.45 * len(result.summary["journeys"]))
    return WIDE if name in ("states", "drain", "org_cap", "caps") else (9.0, 4.0)


def _axes(ax: Axes | None, name: str, result: Result) -> Axes:
    """The given axes, or those of a new pyplot figure (which a notebook shows by itself)."""
    if ax is None:
        import matplotlib.pyplot as plt  # only here: a report draws on bare Figures, without pyplot's backends

        _, ax = plt.subplots(figsize=figure_size(name, result), layout="constrained")
    return ax


def time_unit(seconds: float) -> tuple[float, str]:
    """Divisor and name of a readable unit for a time axis spanning ``seconds``."""
    if seconds <= 2 * 3600:
        return 60.0, "minutes"
    if seconds <= 3 * 86400:
        return 3600.0, "hours"
    return 86400.0, "days"


def short_time_unit(seconds: float) -> tuple[float, str]:
    """Like ``time_unit`` but down to seconds, for spans that can be a few seconds (a resume drain)."""
    return (1.0, "seconds") if seconds <= 180 else time_unit(seconds)


class Samples:
    """The sampled time series as numpy columns: ``t_s`` and ``count`` per row, journey and state as codes
    into their names. Read from a fresh run's columns (no pandas) or from ``result.timeseries``."""

    def __init__(self, result: Result):
        columns = getattr(result, "_columns", {}).get("timeseries")
        if columns is None or getattr(result, "_frames", {}).get("timeseries") is not None:
            columns = {name: result.timeseries[name] for name in ("t_s", "journey", "state", "count")}
        self.t_s = np.asarray(columns["t_s"], dtype=np.float64)
        self.count = np.asarray(columns["count"], dtype=np.int64)
        self.journey, self.journeys = _codes(columns["journey"])
        self.state, self.states = _codes(columns["state"])

    def where(self, *, journey: str | None = None, states: tuple[str, ...] = ()) -> np.ndarray:
        """Rows of ``journey`` (any if None) in one of ``states`` (any if empty)."""
        rows = np.ones(len(self.t_s), dtype=bool)
        if journey is not None:
            rows &= self.journey == (self.journeys.index(journey) if journey in self.journeys else -1)
        if states:
            rows &= np.isin(self.state, [k for k, name in enumerate(self.states) if name in states])
        return rows

    def per_time(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Sample times among ``rows`` (ascending) and the sum of their counts at each."""
        times, at = np.unique(self.t_s[rows], return_inverse=True)
        total = np.zeros(len(times), dtype=np.int64)
        np.add.at(total, at, self.count[rows])
        return times, total


def _codes(column) -> tuple[np.ndarray, list[str]]:
    """A text column (coded, categorical or plain) as integer codes and the names they stand for."""
    if hasattr(column, "codes") and hasattr(column, "categories"):  # a coded column of a fresh run
        return np.asarray(column.codes), [str(c) for c in column.categories]
    if hasattr(column, "cat"):  # a pandas categorical
        return column.cat.codes.to_numpy(), [str(c) for c in column.cat.categories]
    names, codes = np.unique(np.asarray(column, dtype=str), return_inverse=True)
    return codes, names.tolist()


def _samples(result: Result) -> Samples:
    return Samples(result)


def _duration(result: Result) -> float:
    duration = result.summary.get("duration_s")
    if duration:
        return float(duration)
    samples = _samples(result)
    return float(samples.t_s.max()) if len(samples.t_s) else 1.0


def _legend_outside(ax: Axes) -> None:
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)


def _no_data(ax: Axes, title: str, text: str) -> Axes:
    ax.set_title(title)
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", color="#666666")
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


def _pauses(result: Result) -> list[tuple[str, dict]]:
    return [(label, p) for label, j in result.summary["journeys"].items() for p in j["pauses"]]


def _mark_pauses(ax: Axes, result: Result, scale: float) -> None:
    """Shade each pause (from the pause to the resume, or to the end) and draw a line at each resume."""
    end_of_run = _duration(result)
    shaded = resumed = False
    for _, pause in _pauses(result):
        end = pause["resumed_at_s"] if pause["resumed_at_s"] is not None else end_of_run
        ax.axvspan(pause["paused_at_s"] / scale, end / scale, color=STATUS_COLORS["paused"], alpha=0.08,
                   label=None if shaded else "paused")
        shaded = True
        if pause["resumed_at_s"] is not None:
            ax.axvline(pause["resumed_at_s"] / scale, color=STATUS_COLORS["resuming"], lw=1.2, ls="--",
                       label=None if resumed else "resume")
            resumed = True


# ------------------------------------------------------------------ figures


def plot_states(result: Result, *, ax: Axes | None = None) -> Axes:
    """Profiles queued, waiting and held over time: one line per journey and state, pauses shaded, resumes marked."""
    ax = _axes(ax, "states", result)
    samples = _samples(result)
    scale, unit = time_unit(_duration(result))
    styles = ["-", "--", ":", "-."]
    journeys = list(result.summary["journeys"])
    for journey in sorted(samples.journeys):
        for state in sorted(set(STATE_COLORS) & set(samples.states)):
            rows = samples.where(journey=journey, states=(state,))
            if not rows.any():
                continue
            times, counts = samples.per_time(rows)
            if counts.max() == 0:
                continue
            label = f"{journey}: {state}" if len(journeys) > 1 else state
            ax.plot(times / scale, counts, color=STATE_COLORS[state], ls=styles[journeys.index(journey) % 4], label=label)
    _mark_pauses(ax, result, scale)
    ax.set_title("Profiles by state over time")
    ax.set_xlabel(f"time since start ({unit})")
    ax.set_ylabel("profiles")
    ax.set_xlim(0, _duration(result) / scale)
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_formatter(COUNT_FORMAT)
    _legend_outside(ax)
    return ax


def _resumes(result: Result) -> list[tuple[str, dict]]:
    return [(label, p) for label, p in _pauses(result) if p["resumed_at_s"] is not None and p["held_at_resume"]]


def _rate_curve(pause: dict, rate: float) -> dict:
    """The drain as the documented rate draws it (for summaries saved before ``drain_curve`` existed)."""
    held, drain = pause["held_at_resume"], pause["drain_s"] or 0
    seconds = np.arange(0, int(np.ceil(drain)) + 1)
    remaining = np.maximum(held - rate * seconds, 0) if rate else np.zeros(len(seconds))
    return {"after_resume_s": [0, *seconds.tolist()], "held": [held, *remaining.astype(int).tolist()]}


def plot_drain(result: Result, *, ax: Axes | None = None) -> Axes:
    """Held profiles still to release after each resume (measured), the documented rate, and the moment it went live."""
    ax = _axes(ax, "drain", result)
    title = "Resume drain: held profiles still to release"
    resumes = _resumes(result)
    if not resumes:
        return _no_data(ax, title, "no profile was held at any resume" if _pauses(result) else "no pause in this run")
    summary = result.summary
    limited = bool(summary.get("policy", {}).get("release_rate_limited", True))
    rate = float(summary["org"].get("resume_rate_per_s") or 0) if limited else 0.0
    longest = max(max(p["drain_s"] or 0, p["held_at_resume"] / rate if rate else 0) for _, p in resumes)
    scale, unit = short_time_unit(longest or 1.0)
    top = max(p["held_at_resume"] for _, p in resumes)
    for label, pause in resumes:
        held, drain = pause["held_at_resume"], pause["drain_s"] or 0
        curve = pause.get("drain_curve") or _rate_curve(pause, rate)
        (line,) = ax.step(np.asarray(curve["after_resume_s"], dtype=float) / scale, curve["held"], where="post", lw=2,
                          label=f"{label}: {held:,} held, resumed {format_elapsed(pause['resumed_at_s'])}")
        color = line.get_color()
        if rate:
            ax.plot([0, held / rate / scale], [held, 0], color=color, ls="--", lw=1, alpha=0.9)
        ax.axvline(drain / scale, color=color, ls=":", lw=1)
        ax.annotate(f"live after {format_duration(drain)}", (drain / scale, 0), xytext=(4, 6), textcoords="offset points",
                    rotation=90, va="bottom", ha="left", fontsize="small", color=color)
    handles, labels = ax.get_legend_handles_labels()
    if rate:
        handles.append(Line2D([], [], color="#333333", ls="--", lw=1))
        labels.append(f"documented rate {format_rate(rate)}" + (" (org-wide)" if summary["org"].get("resume_rate_scope") == "org" else ""))
    else:
        ax.text(0.99, 0.02, "release not rate-limited (policy release_rate_limited: false): every held profile goes at the resume",
                transform=ax.transAxes, ha="right", va="bottom", fontsize="small", color="#555555")
    handles.append(Line2D([], [], color="#333333", ls=":", lw=1))
    labels.append("back to live")
    ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    right = (longest * 1.1 or 1.0) / scale
    ax.set_xlim(-0.02 * right, right)  # a drop at 0 s stays visible off the spine
    ax.set_ylim(0, top * 1.08)
    ax.set_title(title)
    ax.set_xlabel(f"time after the resume ({unit})")
    ax.set_ylabel("held profiles remaining")
    ax.yaxis.set_major_formatter(COUNT_FORMAT)
    return ax


def plot_org_cap(result: Result, *, ax: Axes | None = None) -> Axes:
    """Org-wide held count against the cap; 30-minute checks marked, checks at or over the cap in red, org_cap discards shaded."""
    ax = _axes(ax, "org_cap", result)
    org = result.summary["org"]
    held_times, held = _samples(result).per_time(_samples(result).where(states=("held",)))
    duration = _duration(result)
    scale, unit = time_unit(duration)
    if len(held):
        ax.plot(held_times / scale, held, color=STATE_COLORS["held"], label="held, org-wide (sampled)")
    cap, peak = org["held_cap"], org["held_peak"]
    cap_on_scale = peak == 0 or cap <= 4 * peak
    if cap_on_scale:
        ax.axhline(cap, color="#333333", ls="--", lw=1, label=f"cap {cap:,}")
    else:
        ax.text(0.01, 0.97, f"cap {cap:,}: {cap / peak:,.0f}× the peak, off the scale", transform=ax.transAxes,
                ha="left", va="top", fontsize="small", color="#333333")
    checks = org.get("checks_with_held", [])
    if checks:
        times = np.array([c["at_s"] for c in checks], dtype=float) / scale
        counts = np.array([c["held"] for c in checks])
        over = np.array([c["over_cap"] for c in checks], dtype=bool)
        every = org.get("cap_check_every_s")
        name = f"cap check (every {every / 60:g} min)" if every else "cap check"
        if (~over).any():
            ax.scatter(times[~over], counts[~over], s=14, color="#4c9be8", zorder=3, label=name)
        if over.any():
            ax.scatter(times[over], counts[over], s=22, color="#d62728", zorder=4, label="check at or over the cap")
    for label, journey in result.summary["journeys"].items():
        window = journey.get("org_cap_discards_between_s")
        if window:
            start, end = window[0] / scale, max(window[1], window[0] + duration / 400) / scale
            ax.axvspan(start, end, color="#d62728", alpha=0.12,
                       label=f"{label}: {journey['discarded']['org_cap']:,} discarded (org_cap)")
    ax.set_title("Org held-profile count against the cap")
    ax.set_xlabel(f"time since start ({unit})")
    ax.set_ylabel("held profiles")
    ax.set_xlim(0, duration / scale)
    ax.set_ylim(0, max(cap if cap_on_scale else peak * 1.15, peak, 1) * 1.1)
    ax.yaxis.set_major_formatter(COUNT_FORMAT)
    if not peak:
        ax.text(0.5, 0.5, "no profile was held at any time", transform=ax.transAxes,
                ha="center", va="center", color="#666666")
    _legend_outside(ax)
    return ax


def reason_counts(result: Result) -> list[tuple[str, str, int]]:
    """(journey, reason, count) for every reason that happened, exits before discards."""
    rows = []
    for label, journey in result.summary["journeys"].items():
        counts = {**journey["exited"], **journey["discarded"]}
        rows += [(label, reason, counts[reason]) for reason in REASONS if counts.get(reason)]
    return rows


def plot_reasons(result: Result, *, ax: Axes | None = None) -> Axes:
    """Exits and discards by reason: one bar per (journey, reason) that happened."""
    ax = _axes(ax, "reasons", result)
    title = "Exits (green) and discards (red) by reason"
    rows = reason_counts(result)
    if not rows:
        return _no_data(ax, title, "no profile left any journey")
    several = len(result.summary["journeys"]) > 1
    labels = [f"{journey}\n{reason}" if several else reason for journey, reason, _ in rows]
    colors = [EXIT_COLOR if reason in EXIT_REASONS else DISCARD_COLOR for _, reason, _ in rows]
    bars = ax.bar(range(len(rows)), [count for _, _, count in rows], color=colors)
    ax.bar_label(bars, labels=[f"{count:,}" for _, _, count in rows], fontsize="small")
    ax.set_xticks(range(len(rows)), labels, rotation=30 if several or len(rows) > 4 else 0,
                  ha="right" if several or len(rows) > 4 else "center", fontsize="small")
    ax.set_title(title)
    ax.set_ylabel("profiles")
    ax.set_ylim(0, max(count for _, _, count in rows) * 1.25)  # headroom for the labels and the legend
    ax.yaxis.set_major_formatter(COUNT_FORMAT)
    ax.legend(handles=[Patch(color=EXIT_COLOR, label="exited"), Patch(color=DISCARD_COLOR, label="discarded")],
              fontsize="small")
    return ax


def delay_quantiles(pause: dict) -> tuple[np.ndarray, np.ndarray]:
    """(delays, percent sent within): the 5 % quantile list, else the three percentiles of older summaries."""
    quantiles = pause.get("send_delay_quantiles_s")
    if quantiles:
        return np.asarray(quantiles, dtype=float), np.linspace(0, 100, len(quantiles))
    if pause.get("sent_after_hold", 1) and pause["send_delay_s"]["max"]:
        d = pause["send_delay_s"]
        return np.array([d["p50"], d["p95"], d["max"]], dtype=float), np.array([50.0, 95.0, 100.0])
    return np.zeros(0), np.zeros(0)


def plot_send_delay(result: Result, *, ax: Axes | None = None) -> Axes:
    """Distribution (CDF) of how late held actions went out, one line per pause (5 % quantiles of every delay)."""
    ax = _axes(ax, "send_delay", result)
    title = "Send delay caused by the pause"
    drawn = []
    for label, journey in result.summary["journeys"].items():
        for k, pause in enumerate(journey["pauses"]):
            delays, percent = delay_quantiles(pause)
            if len(delays):
                drawn.append((label, k, pause, delays, percent))
    if not drawn:
        return _no_data(ax, title, "no held action was sent" if _pauses(result) else "no pause in this run")
    scale, unit = short_time_unit(max(d.max() for *_, d, _ in drawn) or 1.0)
    for label, k, pause, delays, percent in drawn:
        sent = pause.get("sent_after_hold")
        count = f": {sent:,} sent after the hold" if sent is not None else ""
        ax.plot(delays / scale, percent, marker=".", drawstyle="default", label=f"{label}, pause {k + 1}{count}")
    ax.set_title(title)
    ax.set_xlabel(f"delay of a held action, from reaching the action to its send ({unit})")
    ax.set_ylabel("held actions sent within (%)")
    ax.set_ylim(0, 100)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize="small")
    return ax


def _finished_at(result: Result, label: str) -> float | None:
    """First sample after which the journey stayed empty (a finished journey: entries closed, nobody left)."""
    samples = _samples(result)
    times, inside = samples.per_time(samples.where(journey=label, states=("in_journey",)))
    busy = times[inside > 0]
    if not len(busy):
        return 0.0
    after = times[times > busy.max()]
    return float(after.min()) if len(after) else None


def plot_status(result: Result, *, ax: Axes | None = None) -> Axes:
    """Each journey's status over time (live, paused, resuming, stopped, and finished once it emptied)."""
    journeys = result.summary["journeys"]
    ax = _axes(ax, "status", result)
    duration = _duration(result)
    scale, unit = time_unit(duration)
    thinnest = duration / 300  # a 2-second 'resuming' still shows
    seen: list[str] = []
    for row, (label, journey) in enumerate(journeys.items()):
        changes = journey.get("status_changes") or [{"at_s": 0, "status": "live"}]
        spans = [(c["at_s"], end, c["status"]) for c, end in zip(changes, [c["at_s"] for c in changes[1:]] + [duration])]
        if journey["status_at_end"] == "finished" and changes[-1]["status"] != "finished":
            finished = _finished_at(result, label)
            if finished is not None and finished < duration:
                start, end, status = spans[-1]
                spans[-1] = (start, max(start, finished), status)
                spans.append((max(start, finished), duration, "finished"))
        # wide spans first, thin ones on top so a short 'resuming' is not hidden by what follows
        for start, end, status in sorted(spans, key=lambda s: s[0] - s[1]):
            if end < start or (end == start and status != spans[-1][2]):
                continue
            ax.broken_barh([(start / scale, max(end - start, thinnest) / scale)], (row - 0.35, 0.7),
                           color=STATUS_COLORS.get(status, "#cccccc"))
            if status not in seen:
                seen.append(status)
    ax.set_yticks(range(len(journeys)), list(journeys))
    ax.set_xlim(0, duration / scale)
    ax.set_ylim(-0.6, len(journeys) - 0.4)
    ax.invert_yaxis()
    ax.set_title("Journey status", loc="left")
    ax.set_xlabel(f"time since start ({unit})")
    order = [s for s in STATUS_COLORS if s in seen] + [s for s in seen if s not in STATUS_COLORS]
    ax.legend(handles=[Patch(color=STATUS_COLORS.get(s, "#cccccc"), label=s) for s in order], loc="lower right",
              bbox_to_anchor=(1.0, 1.0), fontsize="small", ncol=len(order), frameon=False, borderaxespad=0.2)
    return ax


def plot_caps(result: Result, *, ax: Axes | None = None) -> Axes:
    """Sends per hour at nodes a business rule caps (L6): those that went out and those the caps suppressed, resumes marked."""
    ax = _axes(ax, "caps", result)
    title = "Sends per hour against the business rules"
    hourly = result.summary["org"].get("capped_sends_per_hour")
    if not hourly or not hourly["hour_s"]:
        return _no_data(ax, title, "no business rule in this run" if not hourly else "no send at a capped node")
    hours = np.array(hourly["hour_s"], dtype=float)
    sent, capped = np.array(hourly["sent"]), np.array(hourly["capped"])
    scale, unit = time_unit(_duration(result))
    width = 3600.0 / scale
    ax.bar(hours / scale, sent, width=width, align="edge", color=EXIT_COLOR, label="sent")
    ax.bar(hours / scale, capped, width=width, align="edge", bottom=sent, color=DISCARD_COLOR, label="suppressed by a cap")
    resumes = [(label, p) for label, j in result.summary["journeys"].items() for p in j["pauses"] if p["resumed_at_s"] is not None]
    for label, pause in resumes:
        ax.axvline(pause["resumed_at_s"] / scale, color=STATUS_COLORS["resuming"], lw=1.2, ls="--",
                   label=f"{label} resumed ({pause.get('capped_after_hold', 0):,} held sends capped)")
    rules = ", ".join(f"{r['channel']} {r['max']} per {format_duration(r['per_s'])}" for r in result.summary["org"]["business_rules"])
    ax.set_title(title)
    ax.text(0.01, 0.97, f"rules: {rules}", transform=ax.transAxes, ha="left", va="top", fontsize="small", color="#333333")
    ax.set_xlabel(f"time since start ({unit})")
    ax.set_ylabel("sends per hour")
    ax.yaxis.set_major_formatter(COUNT_FORMAT)
    if resumes:
        first = min(p["resumed_at_s"] for _, p in resumes)
        last = max(p["resumed_at_s"] for _, p in resumes)
        ax.set_xlim(max(0.0, first - 12 * 3600) / scale, min(_duration(result), last + 12 * 3600) / scale)
    _legend_outside(ax)
    return ax


FIGURES = {
    "states": plot_states,
    "drain": plot_drain,
    "org_cap": plot_org_cap,
    "reasons": plot_reasons,
    "send_delay": plot_send_delay,
    "status": plot_status,
    "caps": plot_caps,
}


def in_report(name: str, summary: dict) -> bool:
    """Does the report draw figure ``name``? The caps figure only for a run with business rules."""
    return name != "caps" or bool(summary["org"].get("business_rules"))
