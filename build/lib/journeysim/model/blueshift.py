"""Blueshift campaign statuses and how its pause endpoint answers (B1).

``PATCH /api/v1/campaigns/{campaign_uuid}/pause`` pauses "all campaign types except completed and
archived": those answer 422, an unknown campaign 404. The scenario checks and the API sandbox
both ask ``pause_refusal``.
"""

from __future__ import annotations

CAMPAIGN_STATUSES = ("draft", "launched", "paused", "completed", "archived")
UNPAUSABLE = frozenset({"completed", "archived"})
NOT_FOUND = "Not Found - The specified campaign was not found. Verify the campaign UUID."
UNPROCESSABLE = ("Unprocessable Entity - The campaign cannot be paused due to its current status "
                 "(e.g., already completed or archived).")

_FROM_JOURNEY_STATUS = {"draft": "draft", "live": "launched", "resuming": "launched", "finishing": "launched",
                        "paused": "paused", "stopped": "completed", "finished": "completed"}


def campaign_status(journey_status: str) -> str:
    """The Blueshift campaign status of a journeysim journey status (J1)."""
    return _FROM_JOURNEY_STATUS.get(journey_status, journey_status)


def pause_refusal(status: str | None, campaign: str) -> tuple[int, dict] | None:
    """(HTTP status, body) with which Blueshift refuses to pause ``campaign`` in ``status``
    (None: no such campaign), or None when the pause is accepted."""
    if status is None:
        return 404, {"status": 404, "error": NOT_FOUND, "campaign_uuid": campaign}
    if status in UNPAUSABLE:
        return 422, {"status": 422, "error": UNPROCESSABLE, "campaign_uuid": campaign, "campaign_status": status}
    return None


def refusal_text(status: str | None, campaign: str) -> str | None:
    """The refusal as one line for a scenario problem, or None."""
    answer = pause_refusal(status, campaign)
    return None if answer is None else f"Blueshift answers {answer[0]} {answer[1]['error']}"
