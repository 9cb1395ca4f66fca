"""Audit 4 of `journeysim import sfmc` (docs/import-sfmc.md; D3-D5 of docs/behaviors.md).

Each test pins a defect found in this audit: it fails on the code before the fix and passes after.
"""

from __future__ import annotations

from click.testing import CliRunner

from journeysim.cli import main
from journeysim.importers.sfmc import import_journey


def journey(activities: list[dict], **fields) -> dict:
    body = {"key": "j", "name": "j", "version": 1, "triggers": [{"key": "T", "type": "APIEvent"}], "activities": activities}
    return body | fields


def run_import(tmp_path, body: dict | str, *options: str):
    import json

    source = tmp_path / "journey.json"
    source.write_text(body if isinstance(body, str) else json.dumps(body), encoding="utf-8")
    out = tmp_path / "scenario.yaml"
    return CliRunner().invoke(main, ["import", "sfmc", str(source), "-o", str(out), *options]), out


# ---------------------------------------------------------------- dates with an offset

def test_dates_with_an_offset_are_counted_in_utc():
    """docs/import-sfmc.md: the scenario's `start` is "the day the journey was last published, in UTC" and a
    `specificDate` wait is "`wait` `until` that moment". lastPublishedDate 2026-03-04T23:30-06:00 is
    2026-03-05 05:30 UTC, so the start is 2026-03-05; 2026-03-10T09:00-05:00 is 14:00 UTC, 5 days and 14 hours
    (134h) after it. The offsets were dropped: start 2026-03-04 and 'until 153h' (09:00 read as UTC)."""
    wait = {"key": "W-1", "type": "WAIT", "outcomes": [{"key": "o", "next": None}],
            "configurationArguments": {"specificDate": "2026-03-10T09:00:00-05:00"}}
    imported = import_journey(journey([wait], lastPublishedDate="2026-03-04T23:30:00-06:00"), 100)
    assert imported.start == "2026-03-05T00:00:00+00:00"
    assert imported.journey["nodes"]["W-1"] == {"type": "wait", "until": "134h", "next": "end"}
