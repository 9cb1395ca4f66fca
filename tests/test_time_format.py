"""One way of writing time everywhere (issue 10, item 12) and the calendar start (C1).

Instants read ``+{days}d {HH}:{MM}`` (``:SS`` only when not zero), lengths read as a scenario writes
durations (``1d 6h``); with ``start:`` the local date-time stands beside each instant, and timeline
``at:`` takes date-times, converted to seconds since the start when the file is loaded.
"""

import json
import textwrap

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from journeysim.cli import main
from journeysim.loader import load
from journeysim.units import format_duration, format_elapsed, format_instant, format_rate, parse_datetime, parse_duration, parse_rate


@pytest.mark.parametrize(("seconds", "text"), [
    (0, "+0d 00:00"), (1800, "+0d 00:30"), (86400, "+1d 00:00"), (86400 + 6 * 3600, "+1d 06:00"),
    (90, "+0d 00:01:30"), (2 * 86400 + 15, "+2d 00:00:15"), (40 * 86400 + 23 * 3600 + 59 * 60, "+40d 23:59"),
])
def test_C1_an_instant_reads_days_hours_minutes_since_the_start(seconds, text):
    assert format_elapsed(seconds) == text


@given(st.integers(0, 100 * 365 * 86400))
def test_C1_an_instant_names_exactly_its_second(seconds):
    days, clock = format_elapsed(seconds)[1:].split("d ")
    hours, minutes, *secs = (int(part) for part in clock.split(":"))
    assert int(days) * 86400 + hours * 3600 + minutes * 60 + (secs[0] if secs else 0) == seconds
    assert 0 <= hours < 24 and 0 <= minutes < 60 and (not secs or 0 < secs[0] < 60)


@pytest.mark.parametrize(("seconds", "text"), [
    (0, "0s"), (0.25, "0.25s"), (1, "1s"), (90, "1m 30s"), (1800, "30m"), (84600, "23h 30m"), (86400, "1d"),
    (86400 + 6 * 3600, "1d 6h"), (518400, "6d"), (3 * 86400 + 4 * 3600 + 30, "3d 4h 1m"),
])
def test_a_length_reads_as_a_scenario_writes_durations(seconds, text):
    assert format_duration(seconds) == text


@given(st.floats(0, 100 * 365 * 86400, allow_nan=False))
def test_a_printed_length_reads_back_within_its_rounding(seconds):
    step = 0.001 if seconds < 60 else 1 if seconds < 3600 else 60
    assert abs(parse_duration(format_duration(seconds)) - seconds) <= step / 2 + 1e-6


def test_C1_local_date_times_follow_the_zone_across_a_daylight_saving_change():
    start = parse_datetime("2026-03-07T12:00 America/New_York")  # clocks go forward at 02:00 on 8 March
    assert format_instant(86400, start) == "+1d 00:00 (2026-03-08 13:00 -04:00)"
    assert format_instant(0, parse_datetime("2026-11-27T00:00:00-05:00")) == "+0d 00:00 (2026-11-27 00:00 -05:00)"


C1_SCENARIO = """\
name: c1
start: {start}
duration: 3d
population: {{size: 100}}
journeys:
  - key: a
    start: e
    nodes:
      e: {{type: event, arrivals: {{every: 1m, count: 100}}, next: w}}
      w: {{type: wait, duration: 1d, next: m}}
      m: {{type: action, channel: email, next: done}}
      done: {{type: end}}
timeline:
  - at: {pause_at}
    pause: {{journeys: [a]}}
  - at: 2d
    resume: {{journeys: [a]}}
"""


def write(tmp_path, start="2026-03-07T12:00 America/New_York", pause_at="2026-03-08T12:00"):
    path = tmp_path / "c1.yaml"
    path.write_text(C1_SCENARIO.format(start=start, pause_at=pause_at))
    return path


@pytest.mark.parametrize(("start", "pause_at", "seconds"), [
    ("2026-03-07T12:00 America/New_York", "2026-03-08T12:00", 23 * 3600),  # the night of the change lasts 23 h
    ("2026-03-07T12:00 America/New_York", "2026-03-08T12:00:00-04:00", 23 * 3600),
    ("2026-11-27T00:00:00-05:00", "2026-11-28T06:30:00Z", 86400 + 1.5 * 3600),  # 01:30 at -05:00
    ("2026-11-27T00:00:00-05:00", "2026-11-27T09:00", 9 * 3600),  # no offset: the start's offset
    ("'2026-11-27T00:00[Europe/Paris]'", "6h", 6 * 3600),
])
def test_C1_a_timeline_date_time_becomes_seconds_since_the_start_at_load(tmp_path, start, pause_at, seconds):
    loaded = load(write(tmp_path, start, pause_at))
    assert [p.at for p in loaded.timeline] == [seconds, 2 * 86400]


@pytest.mark.parametrize(("start", "pause_at", "line", "key", "says"), [
    ("2026-03-07T12:00 America/New_York", "2026-03-07T11:00", 14, "timeline[0].at",
     "2026-03-07 11:00 -05:00 is before the scenario start 2026-03-07 12:00 -05:00 (1h earlier)"),
    ("2026-11-27T00:00 Mars/Olympus", "1d", 2, "start", "unknown time zone 'Mars/Olympus'"),
    ("2026-11-27T00:00", "1d", 2, "start", "has no offset or zone"),
    ("2026-11-27T00:00:00-05:00", "2026-13-40T00:00", 14, "timeline[0].at", "cannot read date-time"),
    ("2026-11-27T00:00:00-05:00", "soon", 14, "timeline[0].at", "or a date-time like 2026-11-28T09:00"),
    ("2026-11-27", "1d", 2, "start", "2026-11-27 has no offset or zone"),
])
def test_C1_a_date_time_before_the_start_or_a_bad_start_is_refused_with_file_line_and_key(tmp_path, start, pause_at,
                                                                                         line, key, says):
    path = write(tmp_path, start, pause_at)
    result = CliRunner().invoke(main, ["run", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert f"{path}:{line}:" in result.stderr and key in result.stderr and says in result.stderr
    assert not (tmp_path / "out").exists()


def test_C1_a_date_time_without_a_start_says_to_add_one(tmp_path):
    path = tmp_path / "c1.yaml"
    path.write_text(C1_SCENARIO.format(start="x", pause_at="2026-11-28T00:00").replace("start: x\n", ""))
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2 and "timeline[0].at" in result.stderr and "needs the scenario's start" in result.stderr


def test_C1_the_summary_and_the_report_show_local_date_times_beside_elapsed_time(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(write(tmp_path)), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "starts 2026-03-07 12:00 -05:00 (America/New_York)" in result.stdout
    # paused 23 h after the start (the night of the change is 23 h long), resumed at 2d, 13:00 local after it
    assert "pause at +0d 23:00 (2026-03-08 12:00 -04:00), resumed (manual) at +2d 00:00 (2026-03-09 13:00 -04:00)" \
        in result.stdout
    summary = json.loads((out / "summary.json").read_text())
    assert summary["start"] == "2026-03-07T12:00:00-05:00" and summary["start_zone"] == "America/New_York"
    page = (out / "report.html").read_text()
    assert "paused +0d 23:00 (2026-03-08 12:00 -04:00) in hold mode for 1d 1h" in page
    assert "starting 2026-03-07 12:00 -05:00 (America/New_York)" in page


def test_without_a_start_every_output_uses_the_one_elapsed_form(tmp_path):
    path = tmp_path / "c1.yaml"
    path.write_text(textwrap.dedent(C1_SCENARIO.format(start="x", pause_at="1d")).replace("start: x\n", ""))
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    # the first of the 100 leaves its 1-day wait as the pause begins: the timeline acts first, so all 100 are held
    assert "pause at +1d 00:00, resumed (manual) at +2d 00:00: 100 held" in result.stdout
    assert "day " not in result.stdout and " h," not in result.stdout
    page = (out / "report.html").read_text()
    assert "paused +1d 00:00 in hold mode for 1d" in page and "day 2" not in page


@pytest.mark.parametrize("per_second, text", [(5000, "5,000/s"), (2.5, "2.5/s"), (1 / 3, "20/m"), (12 / 3600, "12/h"),
                                              (0, "0/s")])
def test_a_rate_reads_in_the_first_unit_that_makes_it_at_least_one(per_second, text):
    """A resume rate of 20/m was printed '0/s' in the report's verdict and the drain figure's legend."""
    assert format_rate(per_second) == text


@given(st.sampled_from(["s", "m", "h", "d"]), st.integers(1, 10**6))
def test_a_printed_rate_reads_back_as_the_rate(unit, count):
    rate = parse_rate(f"{count}/{unit}")
    assert parse_rate(format_rate(rate).replace(",", "")) == pytest.approx(rate, rel=0.01)
