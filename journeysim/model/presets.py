"""The vendor presets (V1): each a value over the pause switches, with the public sources it rests
on and the switches no source documents (assumed). ``journeysim presets`` and docs/presets.md are
generated from these records.
"""

from __future__ import annotations

from dataclasses import dataclass

from .policy import PausePolicy


@dataclass(frozen=True)
class Preset:
    name: str
    vendor: str
    policy: PausePolicy
    sources: tuple[str, ...]
    assumed: frozenset[str] = frozenset()
    summary: str = ""

    def is_assumed(self, switch: str) -> bool:
        return switch in self.assumed


AJO_DOC = "github.com/AdobeDocs/journey-optimizer.en, help/using/building-journeys/journey-pause.md"
SFMC_DOCS = ("help.salesforce.com, article mc_jb_pause.htm (Pause a Journey)",
             "developer.salesforce.com, Journey Builder REST API: JourneyPauseByDefinitionId (pause, resume)")

_PRESETS = (
    Preset(
        "ajo", "Adobe Journey Optimizer", PausePolicy(),
        (AJO_DOC,),
        summary="Profiles go on to the next action node and are held (or discarded) there; waits and conditions "
                "run; entries are discarded; held profiles are released at 5,000/s; 14 days then automatic resume.",
    ),
    Preset(
        "ajo-2026", "Adobe Journey Optimizer (2026 behaviour)",
        PausePolicy(stop_at_update_and_jump=True, event_while_held="discard_event"),
        (AJO_DOC,),
        summary="As ajo, but update-profile and jump nodes stop profiles like actions, and an event after a "
                "held action discards the event, not the profile. Pauses last 1-14 days.",
    ),
    Preset(
        "sfmc", "Salesforce Marketing Cloud",
        PausePolicy(stop_point="anywhere", event_while_held="discard_event", release_rate_limited=False),
        SFMC_DOCS,
        frozenset({"event_while_held", "release_rate_limited"}),
        summary="Contacts stay where they are; no new sends; waits optionally extended; entries dropped unless "
                "retained; 1-14 days then GuardrailAction Resume / Stop / None.",
    ),
    Preset(
        "braze", "Braze Canvas",
        PausePolicy(stop_point="anywhere", at_stop="discard", max_pause="none", pause_end="stay_paused",
                    late_at_release="skip", release_rate_limited=False),
        ("github.com/braze-inc/braze-docs, _docs/_user_guide/engagement_tools/canvas/managing_canvases/"
         "change_your_canvas_after_launch.md",),
        frozenset({"entry_while_paused", "max_pause", "pause_end", "release_rate_limited"}),
        summary="Stopping a Canvas does not exit waiting users and clocks keep running; a user whose step comes "
                "due while stopped exits instead of receiving it; users still waiting at restart go on on schedule.",
    ),
    Preset(
        "hubspot", "HubSpot workflows",
        PausePolicy(entry_while_paused="requalify", at_stop="skip", max_pause="none", pause_end="stay_paused"),
        ("knowledge.hubspot.com/workflows/turn-off-workflows",
         "knowledge.hubspot.com/workflows/manage-your-workflow-settings"),
        frozenset({"release_rate_limited"}),
        summary="A turned-off workflow skips its actions and records move on; delays and branches still run; "
                "no enrolment while off; turning it on can enrol records that meet the criteria then.",
    ),
    Preset(
        "klaviyo", "Klaviyo flows (message set to Manual)",
        PausePolicy(entry_while_paused="enter", at_stop="park", max_pause="none", pause_end="stay_paused"),
        ("help.klaviyo.com, article 115002775132", "help.klaviyo.com, article 115002779331",
         "community.klaviyo.com, thread 1418"),
        frozenset({"entry_while_paused", "event_while_held", "max_pause", "pause_end", "release_rate_limited"}),
        summary="A Manual message parks recipients in Needs Review; switching back to Live does not send them: "
                "only Send All by hand (release_parked). Changed delays do not reschedule people already waiting.",
    ),
    Preset(
        "customerio", "Customer.io campaigns",
        PausePolicy(at_stop="park", max_pause="none", pause_end="stay_paused"),
        ("docs.customer.io/journeys/campaign-statuses",),
        frozenset({"at_stop", "wait_clock", "event_while_held", "max_pause", "pause_end", "release_rate_limited"}),
        summary="Stopped campaigns take no entries and can be restarted; messages queued as drafts wait for a "
                "person to send them (release_parked).",
    ),
    Preset(
        "moengage", "MoEngage flows",
        PausePolicy(stop_point="anywhere", at_stop="discard", max_pause="none", pause_end="stay_paused",
                    release_rate_limited=False),
        ("help.moengage.com, article 115003791043", "help.moengage.com, article 20997636914964"),
        frozenset({"max_pause", "pause_end", "release_rate_limited"}),
        summary="No messages and no condition evaluated while paused; users do not advance; users moving on "
                "from a wait or condition after its period are dropped; entries blocked.",
    ),
    Preset(
        "airship", "Airship journeys",
        PausePolicy(stop_point="anywhere", at_stop="discard", max_pause="none", pause_end="stay_paused",
                    release_rate_limited=False),
        ("docs.airship.com/guides/messaging/user-guide/manage/change-status",),
        frozenset({"max_pause", "pause_end", "release_rate_limited"}),
        summary="Delivery disabled; the timer between messages keeps running; users whose delay elapsed during "
                "the pause fall out of the funnel; entries blocked.",
    ),
    Preset(
        "pinpoint", "Amazon Pinpoint journeys",
        PausePolicy(stop_point="anywhere", wait_clock="frozen", max_pause="none", pause_end="stay_paused",
                    release_rate_limited=False),
        ("docs.aws.amazon.com/pinpoint/latest/apireference, JourneyStateRequest",),
        frozenset({"stop_point", "event_while_held", "max_pause", "pause_end", "release_rate_limited"}),
        summary="PAUSED stops entries; activities in progress complete; wait time is paused and continues at "
                "resume. Only journeys with a segment refresh can be paused.",
    ),
    Preset(
        "simon-data", "Simon Data journeys",
        PausePolicy(stop_point="anywhere", wait_clock="frozen", max_pause="none", pause_end="stay_paused",
                    release_rate_limited=False),
        ("docs.simondata.com/docs/pause-and-unpause-journeys",),
        frozenset({"event_while_held", "release_rate_limited"}),
        summary="Contacts pause at their current step; the remaining delay is kept (12 h of a 24 h delay still "
                "left at unpause); entries not queued; no pause limit.",
    ),
    Preset(
        "dittofeed", "Dittofeed (open source)",
        PausePolicy(at_stop="exit", max_pause="none", pause_end="stay_paused"),
        ("github.com/dittofeed/dittofeed, packages/backend-lib/src/journeys/userWorkflow/activities.ts",
         "github.com/dittofeed/dittofeed, packages/backend-lib/src/journeys/userWorkflow.ts"),
        frozenset({"max_pause", "pause_end", "release_rate_limited"}),
        summary="A message node of a journey that is not running fails and the user goes to the exit node; only "
                "running journeys take entries; delays keep running (read from the code).",
    ),
    Preset(
        "blueshift", "Blueshift campaigns",
        PausePolicy(entry_while_paused="requalify", late_at_release="skip", max_pause="none", pause_end="stay_paused",
                    release_rate_limited=False),
        ("help.blueshift.com, article 6314649190291 (Pausing and Relaunching Campaigns)",
         "developer.blueshift.com, Pause a campaign (PATCH /api/v1/campaigns/{campaign_uuid}/pause)"),
        frozenset({"stop_point", "event_while_held", "late_grace", "max_pause", "pause_end", "release_rate_limited"}),
        summary="Sending stops until relaunch; users whose delay ends before the relaunch are skipped, the others "
                "sent; segment-triggered campaigns message users still in the segment after relaunch.",
    ),
)

PRESETS: dict[str, Preset] = {p.name: p for p in _PRESETS}
PLATFORMS = tuple(PRESETS)
