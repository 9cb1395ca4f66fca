"""Side-by-side comparison of scenario variants (several files, or one file with overrides).

``journeysim compare A.yaml B.yaml --out DIR`` or
``journeysim compare FILE --variant 'hold:timeline[0].pause.mode=hold' --variant 'discard:...' --out DIR``
runs each variant and writes ``comparison.csv``, ``comparison.html`` and its figures.
"""

from __future__ import annotations

import html
import shutil
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .api import Result
from .api import run as run_scenario
from .engine.recorder import EXIT_REASONS, REASONS
from .errors import ScenarioError
from .loader import load
from .outputs.folder import replace_folder, staging_folder, write_manifest
from .overrides import blamed_on, parse_overrides, paths_written, split_values
from .plots import COUNT_FORMAT, delay_quantiles, short_time_unit, time_unit
from .readable import format_figure, is_time, title


@dataclass(frozen=True)
class Variant:
    name: str
    path: Path
    sets: tuple[str, ...] = ()


def parse_variant(text: str, default_path: Path) -> Variant:
    """'NAME:PATH=VALUE;PATH=VALUE' (overrides of the one scenario file)."""
    name, _, rest = text.partition(":")
    if not name or not rest:
        raise ValueError(f"a variant is NAME:PATH=VALUE[;PATH=VALUE...], got {text!r}")
    return Variant(name, default_path, tuple(part for part in split_values(rest, ";") if part))


def run_variants(variants: list[Variant], common_sets: tuple[str, ...] = (), warn=None) -> dict[str, Result]:
    """Load every variant first (all problems before any run), then run them; ``warn`` gets each distinct
    warning of the loaded files (an always-false condition, an import's assumption) once."""
    loaded, problems = {}, []
    for v in variants:
        try:
            loaded[v.name] = _load_variant(v, common_sets)
        except ScenarioError as exc:
            problems += [p for p in exc.problems if p not in problems]
    if problems:
        raise ScenarioError(problems)
    if warn is not None:
        for warning in dict.fromkeys(w for scenario in loaded.values() for w in scenario.warnings):
            warn(warning)
    return {name: run_scenario(scenario) for name, scenario in loaded.items()}


def _load_variant(variant: Variant, common_sets: tuple[str, ...]):
    try:
        return load(variant.path, _overrides(variant, common_sets))
    except ScenarioError as exc:
        own = paths_written(variant.path, [text.split("=", 1)[0].strip() for text in variant.sets])
        raise ScenarioError(blamed_on(exc.problems, f"--variant {variant.name}", own)) from None


def _overrides(variant: Variant, common_sets: tuple[str, ...]) -> list:
    """The ``--set`` overrides, then the variant's own (a problem is blamed on the option it came from)."""
    overrides, problems = [], []
    for sets, source in ((common_sets, "--set"), (variant.sets, f"--variant {variant.name}")):
        try:
            overrides += parse_overrides(str(variant.path), sets, source)
        except ScenarioError as exc:
            problems += exc.problems
    if problems:
        raise ScenarioError(problems)
    return overrides


def comparison_table(results: dict[str, Result]) -> pd.DataFrame:
    """One row per figure, one column per variant."""
    rows: dict[str, dict[str, object]] = {}

    def put(metric: str, name: str, value: object) -> None:
        rows.setdefault(metric, {})[name] = value

    for name, result in results.items():
        s = result.summary
        journeys = s["journeys"].values()
        put("arrived", name, sum(j["arrived"] for j in journeys))
        put("entered", name, sum(j["entered"] for j in journeys))
        put("actions executed", name, sum(sum(j["actions"].values()) for j in journeys))
        put("actions skipped", name, sum(sum(j.get("skipped", {}).values()) for j in journeys))
        for reason in REASONS:
            key = "exited" if reason in EXIT_REASONS else "discarded"
            put(f"{key}.{reason}", name, sum(j[key][reason] for j in journeys))
        put("in journey at end", name, sum(j["in_journey_at_end"] for j in journeys))
        put("queued at end", name, sum(j["queued_at_end"] for j in journeys))
        put("held peak (org)", name, s["org"]["held_peak"])
        put("cap checks at or over the cap", name, s["org"]["cap_exceeded_checks"])
        pauses = [p for j in journeys for p in j["pauses"]]
        put("pauses", name, len(pauses))
        put("held at resume", name, sum(p["held_at_resume"] for p in pauses))
        put("longest drain (s)", name, max([p["drain_s"] or 0 for p in pauses] or [0]))
        put("longest send delay (s)", name, _whole_if_whole(max([p["send_delay_s"]["max"] for p in pauses] or [0])))
        put("skipped late at release", name, sum(p.get("skipped_late", 0) for p in pauses))
        put("parked at end", name, sum(p.get("parked_at_end", 0) for p in pauses))
        put("status at end", name, ", ".join(sorted({j["status_at_end"] for j in journeys})))
        put("conservation ok", name, s["conservation"]["ok"])
    table = pd.DataFrame(rows).T
    table.index.name = "figure"
    return table[list(results)]


def _held_over_time(results: dict[str, Result], path: Path) -> None:
    fig = Figure(figsize=(10.5, 4), layout="constrained")
    ax = fig.add_subplot()
    longest = max(float(r.summary["duration_s"]) for r in results.values())
    scale, unit = time_unit(longest)
    for name, result in results.items():
        ts = result.timeseries
        held = ts[ts["state"] == "held"].groupby("t_s")["count"].sum()
        inside = ts[ts["state"] == "in_journey"].groupby("t_s")["count"].sum()
        line, = ax.plot(inside.index / scale, inside.values, label=f"{name}: in journey")
        if len(held) and held.max() > 0:
            ax.plot(held.index / scale, held.values, ls="--", color=line.get_color(), label=f"{name}: held")
    ax.set_title("Profiles in the journeys and held, per variant")
    ax.set_xlabel(f"time since start ({unit})")
    ax.set_ylabel("profiles")
    ax.set_xlim(0, longest / scale)
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_formatter(COUNT_FORMAT)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    fig.savefig(path, metadata={"Software": None})


def _reasons(table: pd.DataFrame, path: Path) -> None:
    reasons = [r for r in table.index if r.startswith(("exited.", "discarded.")) and table.loc[r].astype(float).sum() > 0]
    fig = Figure(figsize=(10.5, 4), layout="constrained")
    ax = fig.add_subplot()
    if not reasons:
        ax.text(0.5, 0.5, "no profile left any journey", transform=ax.transAxes, ha="center", va="center")
    width = 0.8 / max(len(table.columns), 1)
    x = np.arange(len(reasons))
    for k, name in enumerate(table.columns):
        bars = ax.bar(x + k * width, [float(table.loc[r, name]) for r in reasons], width, label=name)
        ax.bar_label(bars, labels=[f"{int(table.loc[r, name]):,}" for r in reasons], fontsize="x-small")
    ax.set_xticks(x + width * (len(table.columns) - 1) / 2, [title(r) for r in reasons], rotation=25 if len(reasons) > 3 else 0,
                  ha="right" if len(reasons) > 3 else "center", fontsize="small")
    ax.set_title("Exits and discards by reason, per variant")
    ax.set_ylabel("profiles")
    ax.set_ylim(0, max([float(table.loc[reasons].astype(float).values.max())] if reasons else [1]) * 1.15)
    ax.yaxis.set_major_formatter(COUNT_FORMAT)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    fig.savefig(path, metadata={"Software": None})


def _send_delay(results: dict[str, Result], path: Path) -> None:
    fig = Figure(figsize=(10.5, 4), layout="constrained")
    ax = fig.add_subplot()
    curves = [(name, label, k, *delay_quantiles(p)) for name, r in results.items()
              for label, j in r.summary["journeys"].items() for k, p in enumerate(j["pauses"])]
    curves = [c for c in curves if len(c[3])]
    several = any(len(r.summary["journeys"]) > 1 for r in results.values())
    if curves:
        scale, unit = short_time_unit(max(c[3].max() for c in curves) or 1.0)
        for name, label, k, delays, percent in curves:
            ax.plot(delays / scale, percent, marker=".", label=f"{name}" + (f", {label}" if several else "") + f", pause {k + 1}")
        ax.set_xlabel(f"delay of a held action ({unit})")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    else:
        ax.text(0.5, 0.5, "no variant sent a held action", transform=ax.transAxes, ha="center", va="center", color="#666666")
        ax.set_xlabel("delay of a held action")
    ax.set_title("Send delay of held actions, per variant")
    ax.set_ylabel("held actions sent within (%)")
    ax.set_ylim(0, 100)
    ax.grid(alpha=0.3)
    fig.savefig(path, metadata={"Software": None})


FIGURES = (("fig_held.png", "Profiles in the journeys and held, per variant"),
           ("fig_reasons.png", "Exits and discards by reason, per variant"),
           ("fig_send_delay.png", "Send delay of held actions, per variant (CDF)"))


def _variant_rows(results: dict[str, Result], variants: list[Variant] | None) -> str:
    by_name = {v.name: v for v in variants or []}
    rows = []
    for name, result in results.items():
        v = by_name.get(name)
        where = html.escape(str(v.path)) if v else ""
        sets = "; ".join(v.sets) if v and v.sets else "as written"
        rows.append(f"<tr><td>{html.escape(name)}</td><td>{html.escape(result.summary['scenario'])}</td><td>{where}</td>"
                    f"<td>{html.escape(sets)}</td><td>{result.summary['seed']}</td><td>{html.escape(result.summary['platform'])}</td></tr>")
    return ("<table><tr><th>variant</th><th>scenario</th><th>file</th><th>overrides</th><th>seed</th><th>platform</th></tr>"
            + "".join(rows) + "</table>")


OUTCOMES_FIGURE = ("fig_outcomes.png", "What the pause did to the profiles, per preset")
OUTCOMES = (("actions executed", "sent", "#4c72b0"), ("actions skipped", "skipped, not sent", "#dd8452"),
            ("held at resume", "held at the resume", "#55a868"), ("parked at end", "parked at the end", "#8172b3"),
            ("discarded.discard_mode", "left: step due while paused", "#c44e52"),
            ("discarded.paused_entry", "entries turned away", "#937860"))


def _outcomes(table: pd.DataFrame, path: Path) -> None:
    """One horizontal bar group per variant: what happened to the profiles the pause touched."""
    fig = Figure(figsize=(10.5, 0.45 * len(table.columns) + 1.6), layout="constrained")
    ax = fig.add_subplot()
    names = list(table.columns)[::-1]
    y = np.arange(len(names))
    height = 0.8 / len(OUTCOMES)
    for k, (row, label, color) in enumerate(OUTCOMES):
        values = [float(table.loc[row, n]) if row in table.index else 0.0 for n in names]
        ax.barh(y + (len(OUTCOMES) - 1 - k) * height - 0.4 + height / 2, values, height, label=label, color=color)
    ax.set_yticks(y, names)
    ax.set_xlabel("profiles")
    ax.xaxis.set_major_formatter(COUNT_FORMAT)
    ax.set_title(OUTCOMES_FIGURE[1])
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    ax.grid(axis="x", alpha=0.3)
    fig.savefig(path, metadata={"Software": None})


def _verdict_section(verdicts: dict[str, str] | None, notes: dict[str, list[str]] | None) -> str:
    if not verdicts:
        return ""
    items = "".join(f"<li><b>{html.escape(name)}</b>: {html.escape(text)}</li>" for name, text in verdicts.items())
    said = "".join(f"<li><b>{html.escape(name)}</b>: {html.escape(note)}</li>"
                   for name, lines in (notes or {}).items() for note in lines)
    return (f"<h2>In plain words</h2><ul>{items}</ul>"
            + (f"<h2>How the timeline was read for each preset</h2><ul>{said}</ul>" if said else ""))


def write_comparison(results: dict[str, Result], out: Path, variants: list[Variant] | None = None,
                     verdicts: dict[str, str] | None = None, notes: dict[str, list[str]] | None = None,
                     force: bool = False) -> Path:
    """Write comparison.csv, comparison.html and its PNGs into ``out`` (atomically; beside it if it came to
    hold a user's files meanwhile and not ``force``: ``folder.replace_folder``); returns the page's path.

    With ``verdicts`` (one line per variant, V9) the page says them, with the timeline ``notes``,
    the CSV gets a ``verdict`` row and an outcomes figure is added."""
    out = Path(out)
    staging = staging_folder(out)
    try:
        table = comparison_table(results)
        figures_list = FIGURES + ((OUTCOMES_FIGURE,) if verdicts else ())
        (table if not verdicts else pd.concat([table, pd.DataFrame([verdicts], index=["verdict"])])).to_csv(
            staging / "comparison.csv", index_label="figure")
        with matplotlib.rc_context({"figure.dpi": 100, "savefig.dpi": 100}):
            _held_over_time(results, staging / "fig_held.png")
            _reasons(table, staging / "fig_reasons.png")
            _send_delay(results, staging / "fig_send_delay.png")
            if verdicts:
                _outcomes(table, staging / OUTCOMES_FIGURE[0])
        shown = readable_table(table)
        rows = "".join(f"<tr><td>{html.escape(str(metric))}</td>"
                       + "".join(f"<td>{html.escape(v)}</td>" for v in shown.loc[metric]) + "</tr>" for metric in shown.index)
        head = "<tr><th>figure</th>" + "".join(f"<th>{html.escape(c)}</th>" for c in table.columns) + "</tr>"
        figures = "".join(f"<figure><img src='{name}' alt='{html.escape(title)}'><figcaption>{html.escape(title)}</figcaption></figure>"
                          for name, title in figures_list)
        (staging / "comparison.html").write_text(
            "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>journeysim comparison</title>"
            "<style>body{font-family:system-ui,sans-serif;max-width:1000px;margin:2rem auto;padding:0 1rem;color:#222}"
            "table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:right}"
            ".wide{overflow-x:auto;max-width:100%}td{white-space:nowrap}th{white-space:normal}"
            "td:first-child,th:first-child{text-align:left}th{background:#f4f4f4}img{max-width:100%}"
            "figcaption{color:#555;font-size:.9rem}</style></head><body><h1>Comparison</h1>"
            f"<h2>Variants</h2><div class='wide'>{_variant_rows(results, variants)}</div>"
            f"{_verdict_section(verdicts, notes)}"
            f"<h2>Side by side</h2><div class='wide'><table>{head}{rows}</table></div><h2>Figures</h2>{figures}</body></html>\n")
        write_manifest(staging, "compare")
        written_to = replace_folder(staging, out, force=force)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return written_to / "comparison.html"


def _cell(metric: str, value: object) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "NO"
    if isinstance(value, (int, float, np.integer, np.floating)):
        return format_figure(metric, float(value))
    return str(value)


def readable_table(table: pd.DataFrame) -> pd.DataFrame:
    """The comparison as people read it: titles for keys, durations for seconds, counts with separators."""
    shown = pd.DataFrame({name: [_cell(metric, table.loc[metric, name]) for metric in table.index] for name in table.columns},
                         index=[_label(metric) for metric in table.index])
    shown.index.name = "figure"
    return shown


def _label(metric: str) -> str:
    if is_time(metric):
        return metric.removesuffix(" (s)")
    return title(metric) if "." in metric else metric


def _whole_if_whole(seconds: float) -> float | int:
    return int(seconds) if float(seconds).is_integer() else seconds


def comparison_text(results: dict[str, Result]) -> str:
    """The side-by-side table as the command prints it."""
    return readable_table(comparison_table(results)).to_string()
