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
