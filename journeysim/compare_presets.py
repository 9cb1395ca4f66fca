"""One scenario under every vendor preset, side by side (V9): ``journeysim compare FILE --presets all``.

Each preset runs the same file with the same seed. A timeline written for one platform is
translated for the others where it has a meaning, and each translation is said (``notes``):
an AJO pause ``mode`` is AJO's choice, so other presets use their own ``at_stop``; an SFMC
``body`` keeps its length and guardrail, and its SFMC-only options give way to the preset's
switches; SFMC names a version, so one is named for it; the scenario's own ``policy:``
overrides are dropped so that each column is the preset as documented.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .api import Result
from .api import run as run_scenario
from .compare import Variant
from .loader import load
from .model.presets import PLATFORMS, PRESETS
from .model.timeline import translation_notes
from .overrides import parse_overrides
from .units import format_seconds
from .yamlio import load_yaml

AJO_PRESETS = frozenset({"ajo", "ajo-2026"})
TARGETED = ("pause", "resume", "stop", "release_parked")


@dataclass
class PresetRun:
    variant: Variant
    notes: list[str] = field(default_factory=list)


def parse_presets(text: str) -> list[str]:
    """A comma-separated list of preset names, where 'all' stands for every platform's."""
    names = []
    for name in (n.strip() for n in text.split(",") if n.strip()):
        names += list(PLATFORMS) if name == "all" else [name]
    unknown = [n for n in names if n not in PRESETS]
    if unknown or not names:
        raise ValueError(f"unknown preset(s) {', '.join(unknown) or '(none given)'}; presets: all, {', '.join(PLATFORMS)}")
    return list(dict.fromkeys(names))


def _journey_versions(data: dict) -> dict[str, list[int]]:
    versions: dict[str, list[int]] = {}
    for journey in data.get("journeys") or []:
        if isinstance(journey, dict) and "key" in journey:
            versions.setdefault(journey["key"], []).append(journey.get("version", 1))
    return versions


def translate(data: dict, preset: str) -> tuple[tuple[str, ...], list[str]]:
    """The ``--set`` overrides that run ``data`` under ``preset``, and what they change, in words."""
    sets = [f"platform={preset}"]
    notes = []
    if data.get("policy"):
        sets.append("policy={}")
        notes.append(f"the scenario's own policy overrides ({', '.join(data['policy'])}) are dropped: {preset} as documented")
    versions = _journey_versions(data)
    for i, item in enumerate(data.get("timeline") or []):
        if not isinstance(item, dict):
            continue
        for kind in TARGETED:
            action = item.get(kind)
            if not isinstance(action, dict):
                continue
            if kind == "pause" and action.get("mode") is not None and preset not in AJO_PRESETS:
                sets.append(f"timeline[{i}].pause.mode=null")
                notes.append(f"timeline[{i}]: pause mode {action['mode']} is AJO's choice; {preset} does "
                             f"{PRESETS[preset].policy.at_stop}")
            if preset == "sfmc" and not any(k in action for k in ("version", "versionNumber", "allVersions")):
                keys = list(action.get("journeys") or []) + ([action["journey"]] if "journey" in action else [])
                found = {v for k in keys for v in versions.get(k, [])}
                single = bool(keys) and all(len(versions.get(k, [])) == 1 for k in keys)
                if single and len(found) == 1:
                    version = found.pop()
                    sets.append(f"timeline[{i}].{kind}.versionNumber={version}")
                    notes.append(f"timeline[{i}]: SFMC names a version: versionNumber {version} added")
                elif single:  # one version each, not the same number: allVersions names each one
                    sets.append(f"timeline[{i}].{kind}.allVersions=true")
                    notes.append(f"timeline[{i}]: SFMC names a version: allVersions added (each journey has one)")
    return tuple(sets), notes


def preset_runs(path: Path, names: list[str]) -> dict[str, PresetRun]:
    data, _ = load_yaml(path)
    runs = {}
    for name in names:
        sets, notes = translate(data if isinstance(data, dict) else {}, name)
        runs[name] = PresetRun(Variant(name, path, sets), notes)
    return runs


def run_presets(runs: dict[str, PresetRun], common_sets: tuple[str, ...] = (), warn=None) -> dict[str, Result]:
    """Load every preset's scenario first (every problem before any run), then run each with the same seed;
    ``warn`` gets each distinct warning of the loaded files once."""
    loaded = {}
    for name, preset_run in runs.items():
        v = preset_run.variant
        loaded[name] = load(v.path, parse_overrides(str(v.path), common_sets + v.sets))
        preset_run.notes += translation_notes(loaded[name].scenario, loaded[name].policy)
    if warn is not None:
        for warning in dict.fromkeys(w for scenario in loaded.values() for w in scenario.warnings):
            warn(warning)
    return {name: run_scenario(scenario) for name, scenario in loaded.items()}


def verdict(result: Result) -> str:
    """What the pause did under this preset, in plain words."""
    journeys = list(result.summary["journeys"].values())
    pauses = [p for j in journeys for p in j["pauses"]]
    total = lambda f: sum(f(j) for j in journeys)  # noqa: E731
    facts = []
    due = total(lambda j: j["discarded"]["discard_mode"])
    if due:
        facts.append(f"{due:,} users whose step came due during the pause left the journey")
    late = sum(p.get("skipped_late", 0) for p in pauses)
    skipped = total(lambda j: sum(j.get("skipped", {}).values())) - late
    if skipped:
        exits = result.summary["policy"]["at_stop"] == "exit"
        facts.append(f"{skipped:,} messages were skipped while paused and their users "
                     + ("left the journey" if exits else "moved on"))
    if late:
        facts.append(f"{late:,} held messages were skipped as too late at the resume")
    parked = sum(p.get("parked_at_end", 0) for p in pauses)
    if parked:
        facts.append(f"{parked:,} users still wait for a manual send at the end")
    held = sum(p["held_at_resume"] for p in pauses) - late
    if held > 0:
        longest = max(p["send_delay_s"]["max"] for p in pauses)
        facts.append(f"{held:,} users were held and released at the resume"
                     + (f" (messages up to {format_seconds(longest)} late)" if longest else ""))
    frozen = sum(p.get("waits_extended", 0) for p in pauses)
    if frozen:
        facts.append(f"{frozen:,} waits were stopped and finished later")
    lost = total(lambda j: j["discarded"]["paused_entry"] + j["discarded"]["read_queue"])
    if lost:
        facts.append(f"{lost:,} entries were turned away")
    queued = sum(p.get("entered_from_queue", 0) for p in pauses)
    if queued:
        facts.append(f"{queued:,} entries waited and came in after the resume")
    stopped = total(lambda j: j["exited"]["stopped"])
    if stopped:
        facts.append(f"{stopped:,} users were removed when the journey was stopped")
    paused = [label for label, j in result.summary["journeys"].items() if j["status_at_end"] == "paused"]
    if paused:
        facts.append("still paused at the end")
    return "; ".join(facts) if facts else "the pause changed nothing anyone would see"
