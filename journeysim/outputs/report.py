"""report.html: the resume-time report, one self-contained page with its figures inline as SVG.

Built only from the summary and the time series, so ``journeysim report DIR`` rebuilds the same
page (the same bytes) from a run's saved outputs. No script, no image file, no font or style sheet
from a CDN: it opens offline, and it can be mailed as one file.
"""

from __future__ import annotations

import html
from datetime import datetime
from pathlib import Path

from ..api import Result
from ..readable import title
from ..units import format_duration, format_instant, format_local, format_rate, start_of
from .figures import Renderer
from .figures import render as render_figures
from .text import held_outcome_text
from .verdict import glance

__all__ = ["rebuild_report", "verdicts", "write_report_files"]


def between(start_s: float, end_s: float, start: datetime | None = None) -> str:
    """'between +1d 14:00 and +1d 14:30' (with local date-times when the scenario has a start), or 'at +1d 14:00'."""
    if round(start_s) == round(end_s):
        return f"at {format_instant(start_s, start)}"
    return f"between {format_instant(start_s, start)} and {format_instant(end_s, start)}"


def _release_text(summary: dict, pause: dict) -> str:
    policy = summary.get("policy") or {}
    if pause["drain_s"] is None:  # never live again: stopped during the drain, or still resuming at the end
        return "the release did not finish (stopped during it, or still resuming at the end)"
    drain = format_duration(pause["drain_s"])
    if not policy.get("release_rate_limited", True):
        return f"released all at once (the platform sets no release rate), live again after {drain}"
    org = summary["org"]
    rate = format_rate(org.get("resume_rate_per_s", 5000.0))
    if org.get("resume_rate_scope") == "org":
        rate += " shared across the org"
    return f"released in {drain} at {rate}"


def _pause_sentence(summary: dict, label: str, pause: dict, discarded_by_mode: int | None) -> str:
    start = start_of(summary)
    text = f"{label}: paused {format_instant(pause['paused_at_s'], start)} in {pause.get('mode', 'hold')} mode"
    if pause["resumed_at_s"] is None:
        if pause.get("ended_by") == "stop":
            return text + "; stopped while paused: every profile still inside left (exited.stopped)"
        return text + "; still paused when the simulation ended"
    length = format_duration(pause["resumed_at_s"] - pause["paused_at_s"])
    how = "automatically (its pause time ran out)" if pause["resumed_by"] == "auto" else "by hand"
    held = pause["held_at_resume"]
    parts = [text + f" for {length}",
             f"{held:,} profiles held" if held else
             f"{discarded_by_mode:,} profiles discarded at the stop point instead of held" if discarded_by_mode
             else "no profile held",
             f"resumed {how} {format_instant(pause['resumed_at_s'], start)}"]
    if held:
        parts.append(_release_text(summary, pause))
        delay = pause["send_delay_s"]
        if delay["max"]:
            parts.append(f"held sends went out up to {format_duration(delay['max'])} late "
                         f"(half within {format_duration(delay['p50'])})")
        if "held_at_resume_outcome" in pause:
            parts.append("of the held, " + held_outcome_text(pause["held_at_resume_outcome"]))
    if pause.get("entered_from_queue"):
        parts.append(f"{pause['entered_from_queue']:,} queued entries let in")
    if pause.get("read_at_resume"):
        parts.append(f"{pause['read_at_resume']:,} profiles read at the resume, catching up the scheduled reads it skipped")
    if pause.get("waits_extended"):
        parts.append(f"{pause['waits_extended']:,} waits extended")
    return "; ".join(parts)


def verdicts(summary: dict) -> list[str]:
    """One plain-words sentence per pause; org-cap losses join the pause they happened in (a sentence of
    their own when they span several pauses: the summary counts them per journey).

    'cart: paused +0d 14:00 in hold mode for 2h; 12,431 profiles held; resumed by hand +0d 16:00;
    released in 3s at 5,000/s; ...; 3,100 discarded by the org cap between +0d 14:00 and +0d 14:30.'
    """
    lines = []
    end_of_run = summary.get("duration_s") or float("inf")
    for label, journey in summary["journeys"].items():
        # discard-mode losses are counted per journey: they belong to a pause sentence only if one pause discarded
        discarding = [p for p in journey["pauses"] if p.get("mode") == "discard"]
        by_mode = journey["discarded"].get("discard_mode", 0) if len(discarding) == 1 else None
        sentences = [_pause_sentence(summary, label, p, by_mode if p in discarding else None) for p in journey["pauses"]]
        window = journey.get("org_cap_discards_between_s")
        if window:
            lost = f"{journey['discarded']['org_cap']:,} discarded by the org cap {between(*window, start_of(summary))}"
            during = [k for k, p in enumerate(journey["pauses"])
                      if p["paused_at_s"] <= window[1] and window[0] <= (p["resumed_at_s"] if p["resumed_at_s"] is not None
                                                                         else end_of_run)]
            if len(during) == 1:
                sentences[during[0]] += "; " + lost
            else:  # the summary counts them per journey: spread over several pauses, no one pause owns them
                sentences.append(f"{label}: {lost}" + (f", over {len(during)} pauses" if during else ""))
        others = {k: v for k, v in journey["discarded"].items()
                  if v and k != "org_cap" and not (k == "discard_mode" and by_mode)}
        if others:
            sentences.append(f"{label}: also discarded "
                             + ", ".join(f"{v:,} ({k.replace('_', ' ')})" for k, v in others.items()))
        lines += [s + "." for s in sentences]
    capped = {label: sum(j.get("capped", {}).values()) for label, j in summary["journeys"].items()}
    if any(capped.values()):
        held = sum(p.get("capped_after_hold", 0) for j in summary["journeys"].values() for p in j["pauses"])
        lines.append(f"Business rules suppressed {sum(capped.values()):,} sends ({held:,} of them held sends): "
                     + ", ".join(f"{label} {n:,}" for label, n in sorted(capped.items(), key=lambda kv: -kv[1]) if n) + ".")
    if not any(j["pauses"] for j in summary["journeys"].values()):
        lines.insert(0, "No pause in this scenario: every journey ran live.")
    return lines


def _cells(values: list, header: bool = False) -> str:
    tag = "th" if header else "td"
    return "<tr>" + "".join(f"<{tag}>{html.escape(str(v))}</{tag}>" for v in values) + "</tr>"


def _journey_table(summary: dict) -> str:
    rows = [_cells(["journey", "status at end", "arrived", "entered", "exited", "discarded", "in journey at end",
                    "held peak", "actions"], header=True)]
    for label, j in summary["journeys"].items():
        actions = ", ".join(f"{k} {v:,}" for k, v in j["actions"].items()) or "none"
        rows.append(_cells([label, j["status_at_end"], f"{j['arrived']:,}", f"{j['entered']:,}",
                            f"{sum(j['exited'].values()):,}", f"{sum(j['discarded'].values()):,}",
                            f"{j['in_journey_at_end'] + j['queued_at_end']:,}", f"{j['held_peak']:,}", actions]))
    return "<table>" + "".join(rows) + "</table>"


def _reason_table(summary: dict) -> str:
    rows = [_cells(["journey", "why profiles left", "profiles"], header=True)]
    for label, j in summary["journeys"].items():
        for kind in ("exited", "discarded"):
            rows += [_cells([label, title(f"{kind}.{reason}"), f"{count:,}"]) for reason, count in j[kind].items() if count]
    return "<table>" + "".join(rows) + "</table>" if len(rows) > 1 else "<p>No profile left any journey.</p>"


def _pause_table(summary: dict) -> str:
    rows = [_cells(["journey", "mode", "paused", "resumed", "by", "held at resume", "drain", "live again",
                    "sent after the hold", "held sends capped", "send delay p50", "p95", "max", "what became of the held"], header=True)]
    start = start_of(summary)
    for label, j in summary["journeys"].items():
        for p in j["pauses"]:
            resumed = p["resumed_at_s"] is not None
            delay = p["send_delay_s"]
            rows.append(_cells([
                label, p.get("mode", ""), format_instant(p["paused_at_s"], start),
                format_instant(p["resumed_at_s"], start) if resumed else (p.get("ended_by") or "not resumed"),
                p["resumed_by"] or "", f"{p['held_at_resume']:,}",
                format_duration(p["drain_s"]) if p["drain_s"] is not None else "",
                format_instant(p["live_at_s"], start) if p["live_at_s"] is not None else "",
                f"{p.get('sent_after_hold', 0):,}", f"{p.get('capped_after_hold', 0):,}",
                format_duration(delay["p50"]), format_duration(delay["p95"]), format_duration(delay["max"]),
                held_outcome_text(p["held_at_resume_outcome"]) if "held_at_resume_outcome" in p and p["held_at_resume"] else ""]))
    return _wide("<table>" + "".join(rows) + "</table>") if len(rows) > 1 else "<p>No pause.</p>"


NOT_SHOWN_WHY = {"read_queue": "read-audience discards, read jobs dropped for the pause",
                 "event_while_held": "events discarded while held"}


def _views_table(summary: dict) -> str:
    """L16: discards in the step events against the vendor's journey report."""
    rows = [_cells(["journey", "discarded (step events)", "discarded (journey report)", "not in the journey report"],
                   header=True)]
    for label, j in summary["journeys"].items():
        view = j.get("report_view")
        if view is None:
            continue
        hidden = ", ".join(f"{reason.replace('_', ' ')} {count:,}" for reason, count in view["not_shown"].items() if count) or "none"
        rows.append(_cells([label, f"{sum(j['discarded'].values()):,}", f"{sum(view['discarded'].values()):,}", hidden]))
    if len(rows) == 1:
        return ""
    why = "; ".join(f"{reason.replace('_', ' ')}: {text}" for reason, text in NOT_SHOWN_WHY.items())
    return (_wide("<table>" + "".join(rows) + "</table>")
            + f"<p>The vendor's journey report does not show these discards ({html.escape(why)}); "
              "events.parquet marks them <code>in_report = false</code>.</p>")


def _org_text(org: dict) -> str:
    parts = [f"held peak {org['held_peak']:,} against a cap of {org['held_cap']:,}; {org['cap_checks']:,} cap checks, "
             f"{org['cap_exceeded_checks']:,} at or over the cap"]
    if "live_journeys_peak" in org:
        quota = org.get("max_live_journeys")
        peak = org["live_journeys_peak"]
        parts.append(f"at most {peak:,} journey version{'' if peak == 1 else 's'} live, paused, resuming or finishing at once"
                     + (f" (quota {quota:,})" if quota else ""))
        parts.append(f"{org['engageable_profiles']:,} engageable profiles")
        quota = org.get("events_per_s_quota")
        parts.append(f"entry events peaked at {org['events_per_s_peak']:,}/s"
                     + (f", over the quota of {format_rate(quota)} for {format_duration(org['seconds_over_events_quota'])}"
                        if quota else ""))
        if org.get("business_rules"):
            parts.append(f"{org['capped']:,} sends suppressed by business rules")
    return "Org: " + "; ".join(parts) + "."


def _wide(table: str) -> str:
    """A table that scrolls sideways inside the page instead of running past it."""
    return f'<div class="wide">{table}</div>'


def _glance_table(summary: dict) -> str:
    return ('<table class="glance">' + "".join(f"<tr><th>{html.escape(q)}</th><td>{html.escape(a)}</td></tr>"
                                               for q, a in glance(summary)) + "</table>")


STYLE = """body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:2rem auto;max-width:1000px;
color:#222;padding:0 1rem;line-height:1.4}h1{margin-bottom:.2rem}.meta{color:#555;margin:.2rem 0}
table{border-collapse:collapse;margin:1rem 0;font-size:.95rem}td,th{border:1px solid #ccc;padding:.25rem .55rem;
text-align:right}td{white-space:nowrap}td:first-child,th:first-child{text-align:left}th{background:#f4f4f4}figure{margin:1.5rem 0}
.wide{overflow-x:auto;max-width:100%}table.glance{font-size:1.05rem}table.glance th{text-align:left;white-space:nowrap}
table.glance td{text-align:left;white-space:normal}
figure svg{display:block;max-width:100%;height:auto;border:1px solid #eee}figcaption{color:#555;font-size:.9rem}li{margin:.35rem 0}
.ok{color:#2a7a3b}.bad{color:#b00;font-weight:bold}"""


def write_report_files(result: Result, folder: Path, renderer: Renderer | None = None) -> Path:
    """Write report.html, its figures inline, into ``folder``; returns the page's path.

    Figures are drawn on bare ``Figure`` objects, not through pyplot: no GUI backend, no display
    needed, and nothing left open in a notebook that writes a report. ``renderer``: a
    ``figures.Renderer`` this run was submitted to (it drew the figures meanwhile).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    summary = result.summary
    figures = (renderer.collect() if renderer is not None else None) or render_figures(result)
    ok = summary["conservation"]["ok"]
    conservation = ("every profile that arrived is in exactly one place" if ok
                    else "VIOLATED: " + "; ".join(summary["conservation"].get("problems", [])))
    org = summary["org"]
    description = summary.get("description") or ""
    meta = [f"seed {summary['seed']}", f"platform {summary['platform']}"]
    if summary.get("duration_s") is not None:
        meta.append(f"simulated {format_duration(summary['duration_s'])} at {format_duration(summary.get('resolution_s', 1))} resolution")
    start = start_of(summary)
    if start is not None:
        meta.append(f"starting {format_local(start)}"
                    + (f" ({summary['start_zone']})" if summary.get("start_zone") else ""))
    if summary.get("population") is not None:
        meta.append(f"{summary['population']:,} profiles")
    if summary.get("replication") is not None:
        meta.append(f"replication {summary['replication']}")
    if summary.get("journeysim_version"):
        meta.append(f"journeysim {summary['journeysim_version']}")
    time_note = " (then the local date-time)" if start is not None else ""
    figure_html = "\n".join(
        f'<figure id="fig-{html.escape(name)}">\n{svg}\n<figcaption>{html.escape(caption)}</figcaption></figure>'
        for name, _title, caption, svg in figures)
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(summary['scenario'])}: journeysim report</title>
<style>{STYLE}</style></head><body>
<h1>{html.escape(summary['scenario'])}</h1>
<p class="meta">{html.escape(description)}</p>
<p class="meta">{html.escape(' · '.join(meta))}</p>
<h2>Verdict</h2>
{_glance_table(summary)}
<p class="meta">Times read +Nd HH:MM, time since the scenario start{time_note}; lengths read as a scenario writes them (1d 6h, 30m, 2s).</p>
<ul>
{''.join(f'<li>{html.escape(line)}</li>' for line in verdicts(summary))}
</ul>
<p class="{'ok' if ok else 'bad'}">Conservation: {html.escape(conservation)}.</p>
<h2>Summary</h2>
{_wide(_journey_table(summary))}
<h3>Pauses</h3>
{_pause_table(summary)}
<h3>Exits and discards</h3>
{_reason_table(summary)}
<h3>Step events and the journey report</h3>
{_views_table(summary)}
<p>{html.escape(_org_text(org))}</p>
<h2>Figures</h2>
{figure_html}
</body></html>
"""
    out = folder / "report.html"
    out.write_text(page, encoding="utf-8")
    return out


def rebuild_report(folder: Path) -> Path:
    """Rebuild report.html and its figures from a run's saved summary.json and timeseries.parquet.

    Raises ``saved.SavedRunError`` for a folder that holds no readable run. Files are replaced,
    never written through a symbolic link.
    """
    from .saved import read_saved_run, replace_report_files

    folder = Path(folder)
    return replace_report_files(read_saved_run(folder), folder, write_report_files)
