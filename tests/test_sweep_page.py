"""sweep.html: one page with its figures inline (SVG), written by a page-writer process when the runs go to a
pool (its libraries load while the scenario does), by the command itself otherwise or if that process fails."""

import json
import multiprocessing
import re
import signal

import pandas as pd
import pytest
from click.testing import CliRunner
from test_startup import modules_after

from journeysim import page_writer
from journeysim import sweep as sweep_module
from journeysim.cli import main
from journeysim.outputs import forked
from journeysim.outputs.folder import MANIFEST, write_manifest

RATES = ["2/s", "20/s"]
RESUMES = ["500s", "700s"]
GRID = ["--grid", f"org.resume_rate={','.join(RATES)}", "--grid", f"timeline[1].at={','.join(RESUMES)}", "-r", "2"]
can_fork = pytest.mark.skipif(not forked.can_fork(), reason="no fork, or one core: the page is written in the command")


def sweep(path, out, *extra):
    done = CliRunner().invoke(main, ["sweep", str(path), *GRID, "--out", str(out), "-q", *extra])
    assert done.exit_code == 0, done.output
    return done


def figures(page: str) -> list[str]:
    return re.findall(r"<figure>(<svg\b.*?</svg>)</figure>", page, re.DOTALL)


def test_the_page_holds_one_inline_figure_per_swept_parameter_and_every_grid_value(tiny, tmp_path):
    out = tmp_path / "s"
    sweep(tiny, out, "--workers", "2")
    page = (out / "sweep.html").read_text()
    drawn = figures(page)
    assert len(drawn) == 2
    for svg, parameter, values in zip(drawn, ["org.resume_rate", "timeline[1].at"], [RATES, RESUMES]):
        assert f'aria-label="key figures against {parameter}"' in svg
        assert all(f">{value}</text>" in svg for value in values)  # tick labels, kept as text
        assert "<image" not in svg  # drawn, not a picture inside the svg
    table = page[page.index("<h2>Per grid point</h2>"):]
    assert all(f"<td>{value}</td>" in table for value in RATES + RESUMES)
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "runs", "sweep.html", "sweep.parquet"]
    assert json.loads((out / MANIFEST).read_text())["files"] == ["runs", "sweep.html", "sweep.parquet"]
    sweep(tiny, tmp_path / "here")  # in-process, no page writer: the same page, to the byte
    assert (tmp_path / "here" / "sweep.html").read_text() == page


@can_fork
def test_with_a_pool_the_command_never_loads_the_pages_libraries(tiny, tmp_path):
    code = ("import sys\nfrom journeysim.cli import main\nsys.argv = ['journeysim', 'sweep', *sys.argv[1:]]\n"
            "try:\n    main()\nexcept SystemExit as e:\n    assert not e.code, e.code")
    loaded = modules_after(code, str(tiny), *GRID, "--out", str(tmp_path / "s"), "-q", "--workers", "2")
    assert not {"pandas", "pyarrow", "matplotlib"} & loaded
    assert len(figures((tmp_path / "s" / "sweep.html").read_text())) == 2


@can_fork
@pytest.mark.parametrize("failure", ["leaves without answering", "raises"])
def test_a_page_writer_that_fails_leaves_the_page_to_the_command(tiny, tmp_path, monkeypatch, failure):
    sweep(tiny, tmp_path / "here")  # in-process: no page writer
    tried = tmp_path / "the writer tried"
    if failure == "raises":
        def broken(job):
            tried.touch()  # in the writer process: this one never sees the call
            raise RuntimeError("no room to draw")
        monkeypatch.setattr(page_writer, "_write", broken)
    else:
        monkeypatch.setattr(page_writer, "_serve", lambda job_read, back_write: tried.touch())
    sweep(tiny, tmp_path / "pool", "--workers", "2")
    assert tried.exists()
    for name in ("sweep.html", "sweep.parquet"):
        assert (tmp_path / "pool" / name).read_bytes() == (tmp_path / "here" / name).read_bytes()
    assert len(figures((tmp_path / "pool" / "sweep.html").read_text())) == 2


def test_resume_writes_the_page_from_the_kept_runs_and_drops_the_old_png_figures(tiny, tmp_path):
    out = tmp_path / "s"
    sweep(tiny, out, "--workers", "2")
    first = pd.read_parquet(out / "sweep.parquet")
    (out / "runs" / "g0001-r000.json").unlink()
    (out / "fig_sweep_0.png").write_bytes(b"\x89PNG")  # what a sweep page had beside it before its figures were inline
    write_manifest(out, "sweep", ["runs", "sweep.html", "sweep.parquet", "fig_sweep_0.png"])
    done = CliRunner().invoke(main, ["sweep", str(tiny), *GRID, "--out", str(out), "--resume", "--workers", "2"])
    assert done.exit_code == 0, done.output
    assert "8 runs (0 failed, 7 reused from" in done.stdout
    page = (out / "sweep.html").read_text()
    assert "7 of them reused from a previous sweep (--resume)" in page and len(figures(page)) == 2
    pd.testing.assert_frame_equal(pd.read_parquet(out / "sweep.parquet"), first)
    assert not (out / "fig_sweep_0.png").exists()
    assert "fig_sweep_0.png" not in json.loads((out / MANIFEST).read_text())["files"]


def test_a_figure_made_ahead_of_the_runs_draws_the_same_bytes_as_one_made_after():
    table = pd.DataFrame({"grid.rate": ["1/s", "1/s", "5/s", "5/s"], "status": "ok",
                          **{figure: [1.0, 2.0, 3.0, 5.0] for figure in sweep_module.PLOTTED}})
    shown = list(sweep_module.PLOTTED)
    fresh = sweep_module._figure_svg(table, shown, ["rate"], 0)
    sweep_module.prepare_page()
    assert len(shown) in sweep_module._made_ahead
    ahead = sweep_module._figure_svg(table, shown, ["rate"], 0)
    assert sweep_module._made_ahead == {}  # it was used, once
    assert ahead == fresh


def _twice(job):
    return job * 2


def _serve_twice(job_read, back_write):
    forked.serve(job_read, back_write, lambda: None, _twice, "({exc})")


def _hold_until_released(release):
    release.wait()


@can_fork
def test_a_helper_gets_its_job_while_a_later_fork_still_holds_the_job_pipe():
    """The pool's workers are forked after the page writer and hold a copy of its job pipe: the job goes
    behind its length, so the helper does not wait for every copy to close."""
    helper = forked.Forked(_serve_twice)
    context = multiprocessing.get_context("fork")
    release = context.Event()
    holder = context.Process(target=_hold_until_released, args=(release,))
    holder.start()
    previous = signal.signal(signal.SIGALRM, lambda *_: pytest.fail("the helper waited for the pipe to close"))
    signal.alarm(60)  # a deadlock guard, not a measure of speed
    try:
        helper.send(21)
        assert helper.collect() == 42
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        release.set()
        holder.join()
