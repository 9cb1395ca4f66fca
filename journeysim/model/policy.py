"""Pause policy: what a pause does, as independent switches, with vendor presets.

The engine reads only these switches, never a platform name, so a new vendor is a new preset.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

EntryWhilePaused = Literal["drop", "queue"]
StopPoint = Literal["action", "anywhere"]
AtStop = Literal["hold", "discard"]
WaitClock = Literal["run", "extend_by_pause", "extend_by_paused_days"]
EventWhileHeld = Literal["discard_profile", "discard_event"]
PauseEnd = Literal["auto_resume", "stop", "stay_paused"]
RateScope = Literal["journey", "org"]


class PausePolicy(BaseModel):
    """The independent switches of behaviors.md, "Pause policies as switches"."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    entry_while_paused: EntryWhilePaused = Field(
        "drop", description="Fresh entrances while paused: dropped (P2) or queued and entered at resume (S5).")
    stop_point: StopPoint = Field(
        "action", description="Where profiles stop: at the next action node (P4) or where they are (S6).")
    at_stop: AtStop = Field("hold", description="Default mode at the stop point: hold or discard (P1).")
    wait_clock: WaitClock = Field(
        "run", description="Wait-by-duration clocks while paused: run (A7), extended by the pause (S2) or by PausedDays (S7).")
    event_while_held: EventWhileHeld = Field(
        "discard_profile", description="An event that fires while its profile is held: discards the profile (A4, A6, E5) or only the event.")
    pause_end: PauseEnd = Field(
        "auto_resume", description="What happens when the maximum pause is reached (R4, R8, S4, S8).")
    release_rate_limited: bool = Field(
        True, description="Held profiles are released at the org's resume_rate (R6); false releases them all at once.")


PRESETS: dict[str, PausePolicy] = {
    # Adobe Journey Optimizer, ajo-pause-journey.txt: P1-P4, A1-A14, R1-R8, G1-G2, L1-L3, L7.
    "ajo": PausePolicy(),
    # Salesforce Marketing Cloud, sfmc-pause-journey-api.txt: S1-S8. Contacts stay where they are
    # (S6). The release rate at resume is not documented: assumed all at once.
    "sfmc": PausePolicy(
        entry_while_paused="drop", stop_point="anywhere", at_stop="hold", wait_clock="run",
        event_while_held="discard_event", pause_end="auto_resume", release_rate_limited=False,
    ),
}

PLATFORMS = tuple(PRESETS)


def resolve_policy(platform: str, overrides: dict | None) -> PausePolicy:
    base = PRESETS[platform]
    return base.model_copy(update=dict(overrides or {})) if overrides else base
