"""report.html: the resume-time report, one self-contained page with its figures as PNG beside it.

Built only from the summary and the time series, so ``journeysim report DIR`` rebuilds the same
page from saved outputs. No script, no CDN: it opens offline.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import matplotlib
import pandas as pd

from ..api import Result
from ..units import format_seconds

PNG_METADATA = {"Software": None}


def clock(seconds: float) -> str:
    """Scenario time as 'day 2, 14:30' (day 1 starts at the scenario start)."""
    seconds = int(seconds)
    day, rest = divmod(seconds, 86400)
    return f"day {day + 1}, {rest // 3600:02d}:{rest % 3600 // 60:02d}"


def verdicts(summary: dict) -> list[str]:
    """One plain-words sentence per pause, and one per journey that lost profiles to the org cap."""
    rate = summary["org"].get("resume_rate_per_s", 5000.0)
    lines = []
    for label, journey in summary["journeys"].items():
        for pause in journey["pauses"]:
            start = f"{label}: paused {clock(pause['paused_at_s'])} ({pause['mode']} mode)"
            if pause["resumed_at_s"] is None:
                end = pause.get("ended_by")
                lines.append(f"{start}; {'stopped by the guardrail' if end == 'stop' else 'still paused at the end'}.")
                continue
            how = "automatically" if pause["resumed_by"] == "auto" else "by hand"
            text = (f"{start}; {pause['held_at_resume']:,} profiles held; resumed {how} {clock(pause['resumed_at_s'])} "
                    f"after {format_seconds(pause['resumed_at_s'] - pause['paused_at_s'])}")
            if pause["held_at_resume"]:
                text += f", drained in {format_seconds(pause['drain_s'])} at {rate:,.0f}/s"
                text += f"; held sends went out up to {format_seconds(pause['send_delay_s']['max'])} late"
            if pause.get("entered_from_queue"):
                text += f"; {pause['entered_from_queue']:,} queued entries let in"
            if pause.get("waits_extended"):
                text += f"; {pause['waits_extended']:,} waits extended"
            lines.append(text + ".")
        window = journey.get("org_cap_discards_between_s")
        if window:
            lines.append(f"{label}: {journey['discarded']['org_cap']:,} discarded by the org cap between "
                         f"{clock(window[0])} and {clock(window[1])}.")
        lost = {k: v for k, v in journey["discarded"].items() if v and k != "org_cap"}
        if lost:
            lines.append(f"{label}: also discarded " + ", ".join(f"{v:,} ({k.replace('_', ' ')})" for k, v in lost.items()) + ".")
    if not lines:
        lines.append("No pause in this scenario: every journey ran live.")
    return lines


def _table(summary: dict) -> str:
    head = ("<tr><th>journey</th><th>arrived</th><th>entered</th><th>exited</th><th>discarded</th>"
            "<th>in journey at end</th><th>held peak</th><th>actions</th><th>status at end</th></tr>")
    rows = []
    for label, j in summary["journeys"].items():
        actions = ", ".join(f"{k} {v:,}" for k, v in j["actions"].items())
        rows.append(f"<tr><td>{html.escape(label)}</td><td>{j['arrived']:,}</td><td>{j['entered']:,}</td>"
                    f"<td>{sum(j['exited'].values()):,}</td><td>{sum(j['discarded'].values()):,}</td>"
                    f"<td>{j['in_journey_at_end'] + j['queued_at_end']:,}</td><td>{j['held_peak']:,}</td>"
                    f"<td>{html.escape(actions)}</td><td>{html.escape(j['status_at_end'])}</td></tr>")
    return f"<table>{head}{''.join(rows)}</table>"


STYLE = """body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:1000px;
color:#222;padding:0 1rem}h1{margin-bottom:.2rem}.meta{color:#555}table{border-collapse:collapse;margin:1rem 0}
td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:right}td:first-child,th:first-child{text-align:left}
figure{margin:1.5rem 0}img{max-width:100%;border:1px solid #eee}li{margin:.3rem 0}.ok{color:#2a7a3b}.bad{color:#b00}"""


def write_report_files(result: Result, folder: Path) -> Path:
    """Write report.html and one PNG per figure into ``folder``; returns the page's path."""
    import matplotlib.pyplot as plt

    from ..plots import FIGURES

    folder = Path(folder)
    summary = result.summary
    figures = []
    with matplotlib.rc_context({"figure.dpi": 100, "savefig.dpi": 100}):
        for name, plot in FIGURES.items():
            ax = plot(result)
            path = folder / f"fig_{name}.png"
            ax.figure.savefig(path, metadata=PNG_METADATA)
            plt.close(ax.figure)
            figures.append((path.name, ax.get_title()))
    ok = summary["conservation"]["ok"]
    conservation = ("every profile is in exactly one place" if ok
                    else "VIOLATED: " + html.escape("; ".join(summary["conservation"]["problems"])))
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(summary['scenario'])}: journeysim report</title>
<style>{STYLE}</style></head><body>
<h1>{html.escape(summary['scenario'])}</h1>
<p class="meta">{html.escape(summary.get('description') or '')}</p>
<p class="meta">seed {summary['seed']} · platform {html.escape(summary['platform'])} · simulated
{format_seconds(summary['duration_s'])} at {summary['resolution_s']:g} s resolution · {summary['population']:,} profiles ·
journeysim {html.escape(summary['journeysim_version'])}</p>
<h2>Verdict</h2>
<ul>{''.join(f'<li>{html.escape(line)}</li>' for line in verdicts(summary))}</ul>
<p class="{'ok' if ok else 'bad'}">Conservation: {conservation}.</p>
<h2>Summary</h2>
{_table(summary)}
<p>Org: held peak {summary['org']['held_peak']:,} of a cap of {summary['org']['held_cap']:,};
{summary['org']['cap_checks']:,} cap checks, {summary['org']['cap_exceeded_checks']:,} at or over the cap.</p>
<h2>Figures</h2>
{''.join(f'<figure><img src="{name}" alt="{html.escape(title)}"><figcaption>{html.escape(title)}</figcaption></figure>' for name, title in figures)}
</body></html>
"""
    out = folder / "report.html"
    out.write_text(page)
    return out


def rebuild_report(folder: Path) -> Path:
    """Rebuild report.html and its figures from a run's saved summary.json and timeseries.parquet."""
    folder = Path(folder)
    summary = json.loads((folder / "summary.json").read_text())
    timeseries = pd.read_parquet(folder / "timeseries.parquet")
    return write_report_files(Result(summary, timeseries), folder)
