"""Plain-words pieces shared by the printed summary and the report (no plotting imports)."""

from __future__ import annotations


def held_outcome_text(outcome: dict) -> str:
    """'87,109 sent, 4,850 discarded (global filter), 12 still held': every profile held at the resume."""
    parts = [f"{outcome['sent']:,} sent"]
    if outcome.get("capped"):
        parts.append(f"{outcome['capped']:,} suppressed by a business rule")
    if outcome.get("skipped_late"):
        parts.append(f"{outcome['skipped_late']:,} skipped as too late")
    for kind in ("exited", "discarded"):
        parts += [f"{n:,} {kind} ({reason.replace('_', ' ')})" for reason, n in outcome[kind].items()]
    if outcome["still_held"]:
        parts.append(f"{outcome['still_held']:,} still held at the end")
    if outcome["in_journey_unsent"]:
        parts.append(f"{outcome['in_journey_unsent']:,} moved on, not yet at an action")
    return ", ".join(parts)
