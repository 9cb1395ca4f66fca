"""Pause policy: what a pause does, as independent switches, with vendor presets.

The engine reads only these switches, never a platform name, so a new vendor is a new preset.
The presets themselves (each a value over the switches, its sources and the switches no source
documents) live in ``model/presets.py``.
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

EntryWhilePaused = Literal["drop", "queue", "requalify", "enter"]
StopPoint = Literal["action", "anywhere"]
AtStop = Literal["hold", "discard", "skip", "park", "exit"]
WaitClock = Literal["run", "extend_by_pause", "extend_by_paused_days", "frozen"]
EventWhileHeld = Literal["discard_profile", "discard_event"]
PauseEnd = Literal["auto_resume", "stop", "stay_paused"]
LateAtRelease = Literal["send", "skip"]
RateScope = Literal["journey", "org"]
NO_LIMIT = "none"

#: Modes in which a paused profile does not stop at a node that is not an action: it goes on as live.
PASS_THROUGH_MODES = frozenset({"skip", "exit"})
#: Modes in which the profile stays in the journey, stopped (held rows).
HOLDING_MODES = frozenset({"hold", "park"})


class PausePolicy(BaseModel):
    """The independent switches of behaviors.md, "Pause policies as switches" (V1-V8)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    entry_while_paused: EntryWhilePaused = Field(
        "drop", description="Fresh entrances while paused: dropped (P2), queued and entered at resume (S5), "
                            "re-evaluated at resume against the entry audience (V7), or entered as live (enter).")
    stop_point: StopPoint = Field(
        "action", description="Where profiles stop: at the next action node (P4) or where they are (S6, V4).")
    stop_at_update_and_jump: bool = Field(
        False, description="Update-profile and jump nodes stop a profile like actions (AJO 2026).")
    at_stop: AtStop = Field(
        "hold", description="Default mode at the stop point: hold or discard (P1), skip the action and go on (V3), "
                            "park until released by hand (V5), or exit the journey there without the action.")
    wait_clock: WaitClock = Field(
        "run", description="Wait clocks while paused: run (A7), wait-by-duration extended by the pause (S2) or by "
                           "PausedDays (S7), or every wait frozen with its remaining delay kept until the resume.")
    event_while_held: EventWhileHeld = Field(
        "discard_profile", description="An event that fires while its profile is held: discards the profile (A4, A6, E5) or only the event.")
    pause_end: PauseEnd = Field(
        "auto_resume", description="What happens when the maximum pause is reached (R4, R8, S4, S8).")
    max_pause: float | Literal["none"] | None = Field(
        None, description="Longest pause in seconds; 'none': no limit, pause_end never fires (V8); "
                          "null: the org's max_pause (L1).")
    release_rate_limited: bool = Field(
        True, description="Held profiles are released at the org's resume_rate (R6); false releases them all at once.")
    late_at_release: LateAtRelease = Field(
        "send", description="A held send released more than late_grace after it came due: sent, or skipped (V6).")
    late_grace: float = Field(0.0, ge=0, description="Seconds a held send may be late and still go (V6).")

    def pause_length(self, org_max_pause: float) -> float:
        """Seconds before the pause end applies: the policy's limit, the org's, or infinity (V8)."""
        if self.max_pause == NO_LIMIT:
            return math.inf
        return float(self.max_pause) if self.max_pause is not None else org_max_pause


SWITCHES = tuple(PausePolicy.model_fields)


def resolve_policy(platform: str, overrides: dict | None) -> PausePolicy:
    from .presets import PRESETS

    base = PRESETS[platform].policy
    return base.model_copy(update=dict(overrides or {})) if overrides else base
