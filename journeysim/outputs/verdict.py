"""The verdict at a glance: the five answers a pause raises, from a run's summary alone.

How many were held, how long the drain took, what the org cap dropped (and the peak held against
it), how late the held sends went out, and how many entrants were turned away. The report puts
them at the top of its first screen and the printed summary right under its title line.
"""

from __future__ import annotations

from ..units import format_duration, format_instant, start_of

QUESTIONS = ("held", "drain", "org cap", "send delay", "turned away")


def _pauses(summary: dict) -> list[tuple[str, dict]]:
    return [(label, p) for label, j in summary["journeys"].items() for p in j["pauses"]]


def _where(label: str, summary: dict) -> str:
    return f" ({label})" if len(summary["journeys"]) > 1 else ""


def _held(summary: dict, pauses: list[tuple[str, dict]]) -> str:
    resumed = [(label, p) for label, p in pauses if p["resumed_at_s"] is not None]
    held = sum(p["held_at_resume"] for _, p in resumed)
    peak = summary["org"]["held_peak"]
    if not resumed:
        return f"no pause was resumed; peak {peak:,} held at once"
    several = f" over {len(resumed)} resumes" if len(resumed) > 1 else ""
    outcomes = [p.get("held_at_resume_outcome") for _, p in resumed]
    sent = f", {sum(o['sent'] for o in outcomes):,} of them sent" if held and all(outcomes) else ""
    return f"{held:,} held at the resume{several}{sent}; peak {peak:,} held at once"


def _drain(summary: dict, pauses: list[tuple[str, dict]]) -> str:
    drained = [(label, p) for label, p in pauses if p["drain_s"] is not None and p["held_at_resume"]]
    if not drained:
        return "nothing to drain: no profile was held at a resume"
    label, longest = max(drained, key=lambda lp: lp[1]["drain_s"])
    start = start_of(summary)
    text = f"{format_duration(longest['drain_s'])}{_where(label, summary)}"
    if longest.get("live_at_s") is not None:
        text += f", live again {format_instant(longest['live_at_s'], start)}"
    return ("longest " if len(drained) > 1 else "") + text


def _org_cap(summary: dict) -> str:
    org = summary["org"]
    dropped = sum(j["discarded"].get("org_cap", 0) for j in summary["journeys"].values())
    peak, cap = org["held_peak"], org["held_cap"]
    if peak > cap:
        how = f"{peak - cap:,} over"
    elif peak == cap:
        how = "at the cap"
    else:
        how = "under 1% of it" if peak < cap / 100 else f"{peak / cap:.0%} of it"
    against = f"peak {peak:,} held against a cap of {cap:,} ({how})"
    over = org["cap_exceeded_checks"]
    checks = f"; {over:,} of {org['cap_checks']:,} checks at or over the cap" if over else ""
    if not dropped:
        return f"none dropped; {against}{checks}"
    windows = [j["org_cap_discards_between_s"] for j in summary["journeys"].values() if j.get("org_cap_discards_between_s")]
    when = ""
    if windows:
        start = start_of(summary)
        first, last = min(w[0] for w in windows), max(w[1] for w in windows)
        when = (f" at {format_instant(first, start)}" if first == last
                else f" between {format_instant(first, start)} and {format_instant(last, start)}")
    return f"{dropped:,} dropped (discarded.org_cap){when}; {against}{checks}"


def _send_delay(pauses: list[tuple[str, dict]], summary: dict) -> str:
    sent = [(label, p) for label, p in pauses if p.get("sent_after_hold", 1) and p["send_delay_s"]["max"]]
    if not sent:
        return "no held send went out late"
    label, latest = max(sent, key=lambda lp: lp[1]["send_delay_s"]["max"])
    delay = latest["send_delay_s"]
    where = _where(label, summary)
    if len(summary["journeys"][label]["pauses"]) > 1:  # the figures are this pause's, not the journey's
        at = f"the pause at {format_instant(latest['paused_at_s'], start_of(summary))}"
        where = f" ({label}, {at})" if where else f" ({at})"
    return (f"up to {format_duration(delay['max'])} late{where}, "
            f"half within {format_duration(delay['p50'])}")


def _turned_away(summary: dict, pauses: list[tuple[str, dict]]) -> str:
    dropped = sum(j["discarded"].get("paused_entry", 0) for j in summary["journeys"].values())
    queued = sum(p.get("entered_from_queue") or 0 for _, p in pauses)
    text = f"{dropped:,} entrants turned away while paused (discarded.paused_entry)" if dropped else "none turned away"
    if queued:
        text += f"; {queued:,} queued entries let in at the resume"
    return text


def glance(summary: dict) -> list[tuple[str, str]]:
    """(question, answer) for each of ``QUESTIONS``; a run without any pause gets one line saying so."""
    pauses = _pauses(summary)
    if not pauses:
        return [("pause", "none in this scenario: every journey ran live"), ("org cap", _org_cap(summary))]
    return [
        ("held", _held(summary, pauses)),
        ("drain", _drain(summary, pauses)),
        ("org cap", _org_cap(summary)),
        ("send delay", _send_delay(pauses, summary)),
        ("turned away", _turned_away(summary, pauses)),
    ]
