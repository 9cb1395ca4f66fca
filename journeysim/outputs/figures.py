"""Rendering the report's figures: each plot of ``plots.FIGURES`` drawn on a bare ``Figure`` (the Agg
canvas, no pyplot) and saved as a PNG without a version string, so a rebuild gives the same bytes.

With more than one core, a forked child draws every other figure meanwhile: it starts
with everything already imported and the run in memory, so nothing is pickled but the file names
and titles it returns. Drawing is the same code in a child, so the bytes are the same.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import matplotlib
from matplotlib.figure import Figure

from ..plots import FIGURES, figure_size, in_report

PNG_METADATA = {"Software": None}  # no version string in the PNGs: a rebuild gives the same bytes
FIGURE_DPI = 100

_job: tuple | None = None  # (result, folder) for forked children


def _caption(plot) -> str:
    return (plot.__doc__ or "").strip().splitlines()[0]


def _draw(names: list[str]) -> list[tuple[str, str, str]]:
    result, folder = _job
    drawn = []
    with matplotlib.rc_context({"figure.dpi": FIGURE_DPI, "savefig.dpi": FIGURE_DPI}):
        for name in names:
            plot = FIGURES[name]
            figure = Figure(figsize=figure_size(name, result), layout="constrained")
            ax = plot(result, ax=figure.add_subplot())
            path = Path(folder) / f"fig_{name}.png"
            figure.savefig(path, metadata=PNG_METADATA)
            drawn.append((path.name, ax.get_title() or ax.get_title(loc="left"), _caption(plot)))
    return drawn


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def render(result, folder: Path) -> list[tuple[str, str, str]]:
    """Draw every figure into ``folder``; returns (file name, title, caption) per figure, in FIGURES order."""
    global _job
    names = [name for name in FIGURES if in_report(name, result.summary)]
    workers = min(_cores(), len(names))
    _job = (result, folder)
    try:
        if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
            return _draw(names)
        _ = result.timeseries  # build the frame once, before the fork
        mine, theirs = names[0::2], names[1::2]
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
            child = pool.submit(_draw, theirs)  # a forked child draws every other figure while this process draws the rest
            done = dict(zip(mine, _draw(mine))) | dict(zip(theirs, child.result()))
        return [done[name] for name in names]
    finally:
        _job = None
