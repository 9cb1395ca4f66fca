"""The operator timeline: target resolution, SFMC request bodies, and the status check (J1, G1, S1, S9).

A timeline the platform would refuse is refused before anything runs. Statuses are replayed
from the timeline and the pause ends it implies (auto resume, guardrail stop); a resume drain is
taken as instantaneous here, and the engine records (and skips) a request that a longer drain
makes invalid at run time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..schema import JourneyTarget, PauseAction, Scenario
from ..units import format_duration, format_elapsed, format_local, seconds_between
from . import blueshift
from .policy import PausePolicy

SFMC_BODY_FIELDS = {
    "PausedDays": int, "ExtendWaitEndDates": bool, "GuardrailAction": str,
    "RetainContactInjectionWhileJourneyPaused": bool,
}
#: fields SFMC's pause request carries that have no effect in journeysim (its own example sends
#: ``ProcessWaitUntilEvents`` and ``version``): accepted and ignored
SFMC_BODY_IGNORED = ("id", "Version", "ProcessWaitUntilEvents")
GUARDRAIL_TO_END = {"Resume": "auto_resume", "Stop": "stop", "None": "stay_paused"}
SFMC_DEFAULT_PAUSED_DAYS = 14
SFMC_VERSION_REQUIRED = "errorcode 10005: AllVersions=true or VersionNumber required."
#: a body SFMC's pause does not take: the sandbox's answer to it (docs/server.md, Refusals), not 10005
SFMC_MALFORMED = "errorcode 400: Please validate that your request is properly formed."
SFMC_RESUME_NOT_PAUSED = "errorcode 10000: An interaction must be in paused status to be resumed."


@dataclass(frozen=True)
class PauseSettings:
    mode: str
    length_s: float
    end: str
    wait_clock: str
    entry_while_paused: str


@dataclass
class PlannedAction:
    index: int
    at: float
    kind: str
    targets: list[int]
    action: Any
    pause: PauseSettings | None = None
    extra: dict = field(default_factory=dict)


Problems = list[tuple[tuple, str]]


def _truthy(value: Any) -> bool:
    return value is True or (isinstance(value, int) and not isinstance(value, bool) and value == 1)


def resolve_targets(target: JourneyTarget, journeys: list, where: tuple, platform: str, problems: Problems) -> list[int]:
    keys: list[str] = []
    if target.journeys is not None:
        keys += target.journeys
    if target.journey is not None:
        keys.append(target.journey)
    if not keys:
        problems.append((where, "name the journey: 'journeys: [KEY, ...]' or 'journey: KEY'"))
        return []
    version = target.version if target.version is not None else target.versionNumber
    if version is not None and (isinstance(version, bool) or not isinstance(version, int) or version < 1):
        problems.append((where + ("versionNumber",), f"versionNumber must be a positive integer, got {version!r}"))
        return []
    all_versions = _truthy(target.allVersions)
    if target.allVersions is not None and not isinstance(target.allVersions, (bool, int)):
        problems.append((where + ("allVersions",), f"allVersions must be true/false (or 1/0), got {target.allVersions!r}"))
        return []
    indices: list[int] = []
    for key in keys:
        versions = [i for i, j in enumerate(journeys) if j.key == key]
        if not versions:
            known = ", ".join(sorted({j.key for j in journeys}))
            vendor = f"; {blueshift.refusal_text(None, key)}" if platform == "blueshift" and where[-1] == "pause" else ""
            problems.append((where, f"no journey with key {key!r} (journeys: {known}){vendor}"))
            continue
        if all_versions:
            indices += versions
        elif version is not None:
            match = [i for i in versions if journeys[i].version == version]
            if not match:
                have = ", ".join(str(journeys[i].version) for i in versions)
                problems.append((where, f"journey {key!r} has no version {version} (versions: {have})"))
            indices += match
        elif len(versions) == 1 and platform != "sfmc":
            indices += versions
        elif platform == "sfmc":
            problems.append((where, SFMC_VERSION_REQUIRED))
        else:
            have = ", ".join(str(journeys[i].version) for i in versions)
            problems.append((where, f"journey {key!r} runs versions {have}: name one with 'version' (a pause applies to one version, J3)"))
    return indices


def version_targets(kind: str, action: Any, journeys: list, where: tuple, problems: Problems) -> list[int]:
    """The versions a ``publish``, ``global_filter`` or ``contact_exit`` names: ``journey`` and
    ``version``; a contact exit without a version acts on every version of the key."""
    every = kind == "contact_exit" and action.version is None
    return resolve_targets(JourneyTarget(journey=action.journey, version=action.version, allVersions=every or None),
                           journeys, where, "ajo", problems)


def sfmc_body(body: dict | None, where: tuple = (), problems: Problems | None = None) -> dict:
    """An SFMC pause body as SFMC reads it: field names in any case (its own example sends ``version``
    for ``Version``), so ``pausedDays`` is ``PausedDays``; the fields in ``SFMC_BODY_IGNORED`` dropped.
    A name given twice, or one SFMC's pause does not have (a typo such as ``PauseDays`` would otherwise
    be a silent 14-day pause), is a problem. The one reading of the body the timeline and the API
    sandbox share."""
    known = {name.lower(): name for name in (*SFMC_BODY_FIELDS, *SFMC_BODY_IGNORED)}
    named: dict = {}
    for key, value in (body or {}).items():
        name = known.get(key.lower()) if isinstance(key, str) else None
        if name is None:
            if problems is not None:
                problems.append((where + ("body", key), f"SFMC would refuse this pause ({SFMC_MALFORMED}): "
                                 f"unknown field {key!r} (fields: {', '.join((*SFMC_BODY_FIELDS, *SFMC_BODY_IGNORED))}, "
                                 "in any case)"))
            continue
        if name in named and problems is not None:
            problems.append((where + ("body", key), f"{name} is given twice (SFMC reads field names in any case)"))
        named[name] = value
    return {name: value for name, value in named.items() if name in SFMC_BODY_FIELDS}


def _body_problems(body: dict, where: tuple, problems: Problems) -> None:
    for name, value in body.items():
        expected = SFMC_BODY_FIELDS[name]
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            problems.append((where + ("body", name), f"SFMC would refuse this pause ({SFMC_MALFORMED}): {name} must be "
                             f"{'an integer' if expected is int else 'a boolean' if expected is bool else 'a string'}, got {value!r}"))


def _paused_days(body: dict) -> int | None:
    days = body.get("PausedDays")
    return days if isinstance(days, int) and not isinstance(days, bool) else None


def pause_settings(action: PauseAction, where: tuple, scenario: Scenario, policy: PausePolicy, problems: Problems) -> PauseSettings:
    """The settings of one pause: the policy's switches, with an SFMC request body applied (S2-S5, S8).

    On another platform the body is translated where it has a meaning there: PausedDays and
    GuardrailAction are the operator's own plan (resume, stop or stay paused after so many days);
    ExtendWaitEndDates and RetainContactInjectionWhileJourneyPaused are SFMC options that other
    platforms do not have, so their preset's switches apply (``translation_notes`` says so).
    """
    body = sfmc_body(action.body, where, problems)
    _body_problems(body, where, problems)
    sfmc = scenario.platform == "sfmc"
    paused_days = _paused_days(body)
    if not sfmc and paused_days is None and "GuardrailAction" in body:
        paused_days = SFMC_DEFAULT_PAUSED_DAYS  # the operator's plan, as SFMC reads it (S3)
    length = policy.pause_length(scenario.org.max_pause)
    if paused_days is not None:
        if not 1 <= paused_days <= 14:
            problems.append((where + ("body", "PausedDays"), f"PausedDays is a whole number of days from 1 to 14 (S8), got {paused_days}"))
        length = paused_days * 86400.0
    end = policy.pause_end
    guardrail = body.get("GuardrailAction")
    if isinstance(guardrail, str):
        if guardrail not in GUARDRAIL_TO_END:
            problems.append((where + ("body", "GuardrailAction"), f"GuardrailAction is Resume, Stop or None (S8), got {guardrail!r}"))
        else:
            end = GUARDRAIL_TO_END[guardrail]
    wait_clock = policy.wait_clock
    if sfmc and "ExtendWaitEndDates" in body and isinstance(body["ExtendWaitEndDates"], bool):
        if body["ExtendWaitEndDates"]:
            wait_clock = wait_clock if wait_clock != "run" else "extend_by_pause"
        else:
            wait_clock = "run"
    entry = policy.entry_while_paused
    retain = body.get("RetainContactInjectionWhileJourneyPaused")
    if sfmc and isinstance(retain, bool):
        entry = "queue" if retain else "drop"
    return PauseSettings(action.mode or policy.at_stop, length, end, wait_clock, entry)


def translation_notes(scenario: Scenario, policy: PausePolicy) -> list[str]:
    """In plain words, how a timeline written for another platform's pause reads under ``scenario.platform``."""
    notes = []
    platform = scenario.platform
    for i, item in enumerate(scenario.timeline):
        if item.kind != "pause":
            continue
        body = sfmc_body(item.action.body)
        if platform != "sfmc":
            if "PausedDays" in body or "GuardrailAction" in body:
                what = {"Resume": "resumed", "Stop": "stopped", "None": "left paused"}.get(body.get("GuardrailAction", "Resume"), "resumed")
                notes.append(f"timeline[{i}]: SFMC's PausedDays/GuardrailAction read as the operator's plan: "
                             f"the journey is {what} after {body.get('PausedDays', SFMC_DEFAULT_PAUSED_DAYS)} day(s)")
            if body.get("ExtendWaitEndDates"):
                notes.append(f"timeline[{i}]: ExtendWaitEndDates is an SFMC option; {platform}'s waits: {policy.wait_clock}")
            if body.get("RetainContactInjectionWhileJourneyPaused"):
                notes.append(f"timeline[{i}]: RetainContactInjectionWhileJourneyPaused is an SFMC option; "
                             f"{platform}'s entries while paused: {policy.entry_while_paused}")
    return notes


def elapsed_at(at: float | datetime, scenario: Scenario, where: tuple, problems: Problems) -> float:
    """Seconds since the start for a timeline ``at:``: a duration as is, a date-time through ``start:`` (C1).

    A date-time without an offset or zone is read in the start's zone. The one place a date-time becomes
    elapsed time: the engine and the outputs only ever see seconds.
    """
    if not isinstance(at, datetime):
        return float(at)
    start = scenario.start
    if start is None:
        problems.append((where, f"a date-time ({at.isoformat()}) needs the scenario's start: add "
                                "'start: 2026-11-27T00:00:00-05:00' (or a zone name) at the top of the file"))
        return 0.0
    if at.tzinfo is None:
        at = at.replace(tzinfo=start.tzinfo)
    seconds = seconds_between(start, at)
    if seconds < 0:
        problems.append((where, f"{format_local(at)} is before the scenario start {format_local(start)} "
                                f"({format_duration(-seconds)} earlier)"))
        return 0.0
    return seconds


def plan_timeline(scenario: Scenario, policy: PausePolicy) -> tuple[list[PlannedAction], Problems]:
    """Resolved, time-ordered actions, and every problem (key path, message)."""
    problems: Problems = []
    journeys = scenario.journeys
    planned: list[PlannedAction] = []
    for i, item in enumerate(scenario.timeline):
        where = ("timeline", i, item.kind)
        at = elapsed_at(item.at, scenario, ("timeline", i, "at"), problems)
        if at > scenario.duration:
            problems.append((("timeline", i, "at"), f"at {format_elapsed(at)} is after the scenario's duration "
                                                     f"({format_duration(scenario.duration)})"))
        action = item.action
        targets: list[int] = []
        settings = None
        if item.kind in ("pause", "resume", "stop", "release_parked"):
            targets = resolve_targets(action, journeys, where, scenario.platform, problems)
            if item.kind == "pause":
                settings = pause_settings(action, where, scenario, policy, problems)
            elif action.__dict__.get("mode") is not None:
                problems.append((where + ("mode",), "mode belongs to a pause"))
        elif item.kind in ("publish", "global_filter", "contact_exit"):
            targets = version_targets(item.kind, action, journeys, where, problems)
        planned.append(PlannedAction(i, at, item.kind, targets, action, settings))
    planned.sort(key=lambda p: (p.at, p.index))
    if not problems:
        problems += check_statuses(planned, journeys, scenario.platform)
    return planned, problems


def drafts(planned: list[PlannedAction], journeys: list = ()) -> set[int]:
    """Journey versions a timeline ``publish`` names, and those marked ``draft: true``: they take no
    entries until published (S10)."""
    return {j for step in planned if step.kind == "publish" for j in step.targets} | {
        i for i, spec in enumerate(journeys) if spec.draft}


def refuses(kind: str, status: str, all_versions: bool = False) -> bool:
    """Whether a journey version in ``status`` refuses the request ``kind`` (J1, G1, S10, V5): the rule
    the timeline check below and the API sandbox share, so a call is refused exactly when the same
    request in a timeline would be. ``allVersions`` passes over drafts (it acts on the versions
    published so far)."""
    if kind in ("pause", "resume", "stop") and status == "draft" and all_versions:
        return False
    if kind == "pause":
        return status not in ("live", "finishing")
    if kind in ("resume", "global_filter"):
        return status != "paused"
    if kind == "stop":
        return status in ("stopped", "draft", "finished")  # J1: a version is stopped from live or paused, never before it is published
    if kind == "release_parked":
        return status not in ("live", "resuming", "finishing")
    if kind == "publish":
        return status != "draft"
    return False


def check_statuses(planned: list[PlannedAction], journeys: list, platform: str) -> Problems:
    """Replay statuses (J1) and report every request the platform would refuse."""
    unpublished = drafts(planned, journeys)
    status = {j: "draft" if j in unpublished else "live" for j in range(len(journeys))}
    superseded: set[int] = set()
    pause_ends: dict[int, tuple[float, str]] = {}
    problems: Problems = []

    def settle(until: float) -> None:
        for j, (end_at, end) in list(pause_ends.items()):
            if end_at < until and status[j] == "paused":
                del pause_ends[j]
                status[j] = {"auto_resume": "finishing" if j in superseded else "live", "stop": "stopped"}.get(end, "paused")

    for step in planned:
        settle(step.at)
        where = ("timeline", step.index, step.kind)
        for j in step.targets:
            name = f"journey {journeys[j].key!r} v{journeys[j].version}"
            current = status[j]
            if step.kind in ("pause", "resume", "stop") and current == "draft" and _truthy(step.action.allVersions):
                continue  # allVersions acts on the versions published so far (see refuses)
            if step.kind == "publish":
                if refuses("publish", current):
                    problems.append((where, f"cannot publish {name} at {format_elapsed(step.at)}: it is already published (S10)"))
                    continue
                status[j] = "live"
                for other, spec in enumerate(journeys):
                    if other != j and spec.key == journeys[j].key and status[other] != "draft":
                        superseded.add(other)
                        if status[other] == "live":
                            status[other] = "finishing"
            elif step.kind == "pause":
                if refuses("pause", current):
                    refused = blueshift.refusal_text(blueshift.campaign_status(current), journeys[j].key) if platform == "blueshift" else None
                    problems.append((where, f"cannot pause {name} at {format_elapsed(step.at)}: it is {current} "
                                            "(only a live journey can be paused, J1"
                                            + (f"; {refused}, B1)" if refused else ")")))
                    continue
                status[j] = "paused"
                if math.isfinite(step.pause.length_s):
                    pause_ends[j] = (step.at + step.pause.length_s, step.pause.end)
            elif step.kind == "resume":
                if refuses("resume", current):
                    extra = f"; SFMC answers {SFMC_RESUME_NOT_PAUSED}" if platform == "sfmc" else ""
                    problems.append((where, f"cannot resume {name} at {format_elapsed(step.at)}: it is {current} "
                                            f"(only a paused journey can be resumed, J1{extra})"))
                    continue
                status[j] = "finishing" if j in superseded else "live"
                pause_ends.pop(j, None)
            elif step.kind == "stop":
                if refuses("stop", current):
                    why = "already stopped" if current == "stopped" else f"{current} (only a published version can be stopped, J1)"
                    problems.append((where, f"cannot stop {name} at {format_elapsed(step.at)}: it is {why}"))
                    continue
                status[j] = "stopped"
                pause_ends.pop(j, None)
            elif step.kind == "release_parked" and refuses("release_parked", current):
                problems.append((where, f"cannot release the parked profiles of {name} at {format_elapsed(step.at)}: it is {current} "
                                        "(resume it first: parked profiles are sent from a live journey, V5)"))
            elif step.kind == "global_filter" and refuses("global_filter", current):
                problems.append((where, f"a global filter on {name} can only be set while it is paused; "
                                        f"at {format_elapsed(step.at)} it is {current} (G1)"))
    return problems
