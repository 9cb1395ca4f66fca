"""journeysim compare: variants of one file, or several files, side by side."""

import re

import matplotlib.image as mpimg
import pandas as pd
from click.testing import CliRunner
from conftest import pause, resume, scenario

from journeysim.cli import main


def test_compare_hold_discard_and_no_pause_of_one_file(simulate, tmp_path):
    path = simulate.write(scenario(timeline=[pause("300s"), resume("600s")]))
    out = tmp_path / "cmp"
    result = CliRunner().invoke(main, ["compare", str(path), "--out", str(out), "--quiet",
                                       "--variant", "discard:timeline[0].pause.mode=discard",
                                       "--variant", "no pause:timeline=[]"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "comparison.csv", index_col="figure")
    assert list(table.columns) == ["as written", "discard", "no pause"]
    assert table.loc["held at resume"].astype(int).tolist() == [10, 0, 0]
    assert table.loc["discarded.discard_mode"].astype(int).tolist() == [0, 10, 0]
    assert table.loc["actions executed"].astype(int).tolist() == [64, 54, 100]
    assert {p.name for p in out.iterdir()} == {"comparison.csv", "comparison.html", "fig_held.png", "fig_reasons.png",
                                              "fig_send_delay.png", ".journeysim-manifest.json"}
    page = (out / "comparison.html").read_text()
    assert "<td>discard</td>" in page and "timeline[0].pause.mode=discard" in page and "<td>as written</td>" in page
    for image in re.findall(r"<img src='([^']+)'", page):
        assert mpimg.imread(out / image).std() > 0.01
    assert "http" not in page and "<script" not in page


def test_compare_two_files_and_refuse_a_bad_variant(simulate, tmp_path):
    a = simulate.write(scenario())
    b = simulate.write(scenario(timeline=[pause("300s"), resume("600s")]))
    ok = CliRunner().invoke(main, ["compare", str(a), str(b), "--out", str(tmp_path / "two"), "--quiet"])
    assert ok.exit_code == 0
    assert list(pd.read_csv(tmp_path / "two" / "comparison.csv", index_col=0).columns) == [a.stem, b.stem]
    bad = CliRunner().invoke(main, ["compare", str(b), "--out", str(tmp_path / "bad"),
                                    "--variant", "x:timeline[0].pause.mode=pause"])
    assert bad.exit_code == 2 and "timeline[0].pause.mode" in bad.output and not (tmp_path / "bad").exists()


def test_the_comparison_reads_in_durations_titles_and_separated_counts(simulate, tmp_path):
    """Issue 10 item 14. Ten profiles are held from 300 s to 600 s (arrivals at 200..290 s, 100 s waits ending
    300..390 s): the first waited the whole 300 s pause and the 1 s release tick, so the longest send delay reads
    5m 1s, not 301. Arrivals every 10 s are turned away from 300 s until entries reopen 60 s after the resume
    (R5): 36 of them."""
    path = simulate.write(scenario(timeline=[pause("300s"), resume("600s")], size=20_000))
    out = tmp_path / "cmp"
    result = CliRunner().invoke(main, ["compare", str(path), "--out", str(out),
                                       "--variant", "no pause:timeline=[]"])
    assert result.exit_code == 0, result.output
    printed = {cells[0]: cells[1:] for cells in (re.split(r"\s{2,}", line.strip()) for line in result.stdout.splitlines()[2:])}
    assert printed["longest drain"] == ["1s", "0s"] and printed["longest send delay"] == ["5m 1s", "0s"]
    assert printed["Discarded: paused entry"] == ["36", "0"] and printed["held at resume"] == ["10", "0"]
    assert "e+0" not in result.stdout
    page = (out / "comparison.html").read_text()
    assert "<tr><td>longest send delay</td><td>5m 1s</td><td>0s</td></tr>" in page
    assert "<tr><td>Discarded: paused entry</td><td>36</td><td>0</td></tr>" in page
    assert "<div class='wide'><table><tr><th>figure</th>" in page
    csv = pd.read_csv(out / "comparison.csv", index_col="figure")  # the data file keeps seconds and keys
    assert csv.loc["longest send delay (s)"].astype(float).tolist() == [301.0, 0.0]


def test_a_variants_semicolons_inside_brackets_do_not_split_and_its_problems_are_blamed_on_it(simulate, tmp_path):
    path = simulate.write(scenario(timeline=[pause("300s"), resume("600s")]))
    ok = CliRunner().invoke(main, ["compare", str(path), "--out", str(tmp_path / "a"), "-q",
                                   "--variant", "w:journeys[0].nodes.wait.duration={uniform: [50s, 150s]};seed=2"])
    assert ok.exit_code == 0, ok.output
    bad = CliRunner().invoke(main, ["compare", str(path), "--out", str(tmp_path / "b"), "-q",
                                    "--variant", "w:org.held_cap=-1", "--set", "seed=one"])
    assert bad.exit_code == 2 and not (tmp_path / "b").exists()
    problems = sorted(bad.stderr.splitlines()[:-1])
    assert problems[0].startswith("--set:1:1: seed: ") and problems[1].startswith("--variant w:1:1: org.held_cap: ")


def test_presets_all_may_be_listed_with_others_and_only_the_unknown_are_named():
    from journeysim.compare_presets import PLATFORMS, parse_presets

    assert parse_presets("all,sfmc") == list(PLATFORMS)
    try:
        parse_presets("all,bogus")
    except ValueError as exc:
        assert str(exc).startswith("unknown preset(s) bogus;")
    else:
        raise AssertionError("bogus was accepted")
