"""The preset table (V1) as text for ``journeysim presets`` and as Markdown for docs/presets.md.

Both are generated from ``model.presets.PRESETS``; a test checks that the committed page equals
``presets_markdown()``, so the documentation cannot drift from the code.
"""

from __future__ import annotations

from .model.policy import SWITCHES, PausePolicy
from .model.presets import PRESETS, Preset
from .units import format_seconds

ASSUMED_MARK = "*"


def switch_value(policy: PausePolicy, switch: str) -> str:
    value = getattr(policy, switch)
    if switch == "max_pause":
        return "org max_pause" if value is None else "none" if value == "none" else format_seconds(float(value))
    if switch == "late_grace":
        return format_seconds(float(value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def cell(preset: Preset, switch: str) -> str:
    return switch_value(preset.policy, switch) + (ASSUMED_MARK if preset.is_assumed(switch) else "")


def presets_table() -> str:
    """Presets by switch, one column per preset, ``*`` on assumed values."""
    names = list(PRESETS)
    rows = [["switch", *names]] + [[s, *(cell(PRESETS[n], s) for n in names)] for s in SWITCHES]
    widths = [max(len(row[k]) for row in rows) for k in range(len(rows[0]))]
    lines = ["  ".join(text.ljust(width) for text, width in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines) + f"\n\n{ASSUMED_MARK} assumed: no source documents this value (journeysim presets NAME gives the sources)"


def preset_text(name: str) -> str:
    preset = PRESETS[name]
    width = max(len(s) for s in SWITCHES)
    lines = [f"{preset.name}: {preset.vendor}", "", preset.summary, ""]
    lines += [f"  {s.ljust(width)}  {cell(preset, s)}" for s in SWITCHES]
    lines += ["", "sources:"] + [f"  {source}" for source in preset.sources]
    if preset.assumed:
        lines.append(f"\n{ASSUMED_MARK} assumed (no source says): {', '.join(s for s in SWITCHES if preset.is_assumed(s))}")
    return "\n".join(lines)


def presets_markdown() -> str:
    """docs/presets.md."""
    names = list(PRESETS)
    head = "| switch | " + " | ".join(f"`{n}`" for n in names) + " |"
    rule = "|---" * (len(names) + 1) + "|"
    body = [f"| `{s}` | " + " | ".join(cell(PRESETS[n], s).replace(ASSUMED_MARK, "\\" + ASSUMED_MARK) for n in names) + " |"
            for s in SWITCHES]
    descriptions = [f"- `{s}`: {PausePolicy.model_fields[s].description}" for s in SWITCHES]
    vendors = []
    for preset in PRESETS.values():
        vendors += [f"### `{preset.name}`: {preset.vendor}", "", preset.summary, "", "Sources:", ""]
        vendors += [f"- {source}" for source in preset.sources]
        assumed = [s for s in SWITCHES if preset.is_assumed(s)]
        vendors += ["", f"Assumed: {', '.join(f'`{s}`' for s in assumed) if assumed else 'nothing'}.", ""]
    return "\n".join([
        "# Vendor presets",
        "",
        "<!-- Generated from journeysim/model/presets.py by journeysim.presets_cli.presets_markdown(); "
        "do not edit by hand (tests/test_presets_cli.py checks it). -->",
        "",
        "A pause is a set of independent switches; each platform is a preset, a value over the switches "
        "(`platform: NAME` in a scenario). A scenario may override single switches under `policy:`. "
        f"`{ASSUMED_MARK}` marks a value that no source documents: the preset assumes it.",
        "`journeysim presets` prints this table; `journeysim presets NAME` one preset with its sources.",
        "",
        head, rule, *body,
        "",
        "## The switches",
        "",
        *descriptions,
        "",
        "## Presets and their sources",
        "",
        *vendors,
    ]).rstrip() + "\n" + MODEL_DECISIONS


MODEL_DECISIONS = """
## Model decisions

- **Conditions while paused.** MoEngage evaluates no condition while paused. Under
  `stop_point: anywhere` no profile moves while paused, so no condition is evaluated: no separate
  switch is needed. Under `stop_point: action` conditions are evaluated (AJO, HubSpot).
- **A wait that ends while paused.** Go on to the next stop point (AJO: `stop_point: action`), stay
  at the wait (SFMC: `stop_point: anywhere`, `at_stop: hold`) or leave the journey (Braze, Airship,
  MoEngage: `stop_point: anywhere`, `at_stop: discard`, reason `discard_mode`, V4).
- **`at_stop: skip`** (HubSpot, V3): the action is not executed and counted in the journey's
  `skipped`; the profile goes on at once. Nodes that are not actions are passed as live.
- **`at_stop: exit`** (Dittofeed): the message node fails and the profile goes to the exit node:
  the action is counted in `skipped` and the profile leaves with reason `end`.
- **`at_stop: park`** (Klaviyo Manual, Customer.io queued drafts, V5): held like `hold`, but a
  resume does not release parked profiles; the timeline action `release_parked: {journeys: [KEY]}`
  ("Send All") releases them at the resume rate. Parked profiles still held at the end are in
  `in_journey_at_end` and in `pauses[].parked_at_end`.
- **`wait_clock: frozen`** (Simon Data, Pinpoint): every wait in progress at the pause, by
  duration or until a time, keeps its remaining delay and runs again at the resume. SFMC's
  `extend_by_pause` moves wait-by-duration only (S7).
- **`late_at_release: skip`** (Blueshift, Braze, V6): at its release, a held send that came due
  more than `late_grace` before is skipped (`skipped`, `pauses[].skipped_late`) and the profile
  goes on. Blueshift's 5-10 minute delay before a status change is seen is not modelled.
- **`entry_while_paused: requalify`** (Blueshift segment-triggered, HubSpot "enroll existing",
  V7): arrivals during the pause wait; when entries reopen after the resume, those that still
  match the entry node's `audience` enter, the others are discarded (`paused_entry`).
  **`enter`** (Klaviyo, assumed): entries (events and scheduled reads) go on while paused and stop where profiles stop.
- **`max_pause: none`** (V8): the pause lasts until a resume or a stop; `pause_end` never applies.
- **`stop_at_update_and_jump`** (AJO 2026): update-profile and jump nodes stop profiles like actions.
  AJO 2026 lets the operator choose a pause of 1 to 14 days: set `org.max_pause` (or `policy.max_pause`)
  to the length chosen.
- **Pinpoint.** "Activities in progress complete" and "wait time is paused": profiles stop where they
  are once their current activity is done (`stop_point: anywhere`, assumed), waits keep their
  remaining time (`wait_clock: frozen`).
- **Customer.io.** Its documented choice on stop (force everyone out, or let them finish) is a
  `stop` or no pause at all; the preset models its queued-draft messages (`at_stop: park`, assumed).
- **Blueshift campaign statuses (B1).** A pause of a `completed` or `archived` campaign is refused
  with 422 ("Unprocessable Entity - The campaign cannot be paused due to its current status"), an
  unknown campaign with 404; in a scenario a stopped or finished journey is `completed`.
- **A timeline written for another platform.** An SFMC pause `body` is translated: `PausedDays` and
  `GuardrailAction` become the pause's length and end on every platform; `ExtendWaitEndDates` and
  `RetainContactInjectionWhileJourneyPaused` are SFMC options, so another platform's own switches
  apply. In `journeysim compare --presets`, an AJO `mode` applies to the AJO presets only; every
  other preset uses its own `at_stop`. The comparison lists each such translation.
"""
