"""Rendering the report's figures: each plot of ``plots.FIGURES`` drawn on a bare ``Figure`` (no pyplot)
and written as SVG with its text kept as text, inlined in report.html: one self-contained page whose
figures stay sharp at any zoom. Ids inside each figure are seeded by its name and no date is written,
so a rebuild gives the same bytes.

Drawing costs matplotlib's import (some 0.4 s) and the drawing itself. ``Renderer`` hides both on
two cores: ``journeysim run`` forks it before loading the scenario, it imports matplotlib while the
run goes on, then draws half the figures while a fork of itself draws the other half. Without fork
(or on one core) the figures are drawn here, in the same way: the bytes never depend on where.
"""

from __future__ import annotations

import os
import pickle
import re
import signal
from typing import NamedTuple

from .forked import Forked, can_fork, read_all, serve, unpickled

#: (file-free name, title, caption, inline svg) per figure
Drawn = tuple[str, str, str, str]

SVG_RC = {"svg.fonttype": "none", "svg.image_inline": True}
SVG_METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}
_PROLOGUE = re.compile(r"\A.*?(?=<svg\b)", re.DOTALL)
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.DOTALL)
_NAMESPACES = re.compile(r'\s+xmlns(:xlink)?="[^"]*"')


def _caption(plot) -> str:
    return (plot.__doc__ or "").strip().splitlines()[0]


def _inline(svg: str, title: str) -> str:
    """matplotlib's SVG file as an element of an HTML page: no XML prologue, no RDF metadata, no
    namespace declarations (HTML gives them), labelled for screen readers."""
    import html

    svg = _METADATA.sub("", _PROLOGUE.sub("", svg, count=1), count=1)
    svg = _NAMESPACES.sub("", svg, count=2)
    return svg.replace("<svg ", f'<svg role="img" aria-label="{html.escape(title)}" ', 1).strip()


def inline_svg(figure, name: str, title: str) -> str:
    """``figure`` (a bare matplotlib ``Figure``) as an inline ``<svg>`` element: text kept as text, ids
    seeded by ``name`` and no date, so the same figure always gives the same bytes."""
    import io

    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({**SVG_RC, "svg.hashsalt": f"journeysim-{name}"}):
        figure.savefig(buffer, format="svg", metadata=SVG_METADATA)
    return _inline(buffer.getvalue(), title)


def _draw(result, names: list[str]) -> list[Drawn]:
    from matplotlib.figure import Figure

    from ..plots import FIGURES, figure_size

    drawn = []
    for name in names:
        plot = FIGURES[name]
        figure = Figure(figsize=figure_size(name, result), layout="constrained")
        ax = plot(result, ax=figure.add_subplot())
        title = ax.get_title() or ax.get_title(loc="left")
        drawn.append((name, title, _caption(plot), inline_svg(figure, name, title)))
    return drawn


def _draw_in_two(result, names: list[str]) -> list[Drawn]:
    """Draw ``names``: a forked child draws every other figure while this process draws the rest."""
    if len(names) < 2 or not can_fork():
        return _draw(result, names)
    mine, theirs = names[0::2], names[1::2]
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: draw, hand the figures back, leave without running the parent's exit code
        try:
            os.close(read_end)
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            payload = pickle.dumps(_draw(result, theirs))
            with os.fdopen(write_end, "wb") as stream:
                stream.write(payload)
        finally:
            os._exit(0)
    os.close(write_end)
    try:
        done = dict(zip(mine, _draw(result, mine)))
    finally:
        payload = read_all(read_end)
        os.waitpid(pid, 0)
    theirs_drawn = unpickled(payload) or _draw(result, theirs)
    done |= dict(zip(theirs, theirs_drawn))
    return [done[name] for name in names]


def figure_names(summary: dict) -> list[str]:
    from ..plots import FIGURES, in_report

    return [name for name in FIGURES if in_report(name, summary)]


def render(result) -> list[Drawn]:
    """Draw every figure of the report, in ``plots.FIGURES`` order, here (and in a forked child)."""
    return _draw_in_two(result, figure_names(result.summary))


class Column(NamedTuple):
    """A text column as codes into names (what ``plots.Samples`` reads of a coded column)."""

    codes: object
    categories: list[str]


class Drawable:
    """What the figures read of a run (its summary and time series): small to send to the renderer, and
    unpickled there without importing the loader, pydantic or pandas."""

    def __init__(self, summary: dict, columns: dict | None = None, frame=None):
        self.summary = summary
        self._columns = {"timeseries": columns} if columns is not None else {}
        self._frames = {"timeseries": frame}

    @property
    def timeseries(self):
        return self._frames["timeseries"]


def _light(result) -> Drawable:
    columns = getattr(result, "_columns", {}).get("timeseries")
    if columns is None or getattr(result, "_frames", {}).get("timeseries") is not None:
        return Drawable(result.summary, frame=result.timeseries)
    light = {name: Column(c.codes, list(c.categories)) if hasattr(c, "categories") else c for name, c in columns.items()}
    return Drawable(result.summary, light)


class Renderer(Forked):
    """A forked process that imports matplotlib now and draws the report's figures when ``submit`` sends a run.

    ``start()`` returns None where it cannot help (no fork, one core): draw with ``render`` then.
    """

    def __init__(self):
        super().__init__(lambda job_read, back_write: _serve(job_read, back_write))

    def submit(self, result) -> None:
        """Send the run to draw (it draws while this process writes the tables)."""
        self.send(_light(result))


def _load_matplotlib() -> None:
    import matplotlib.backends.backend_svg  # noqa: F401 - loaded now, while the parent runs the scenario
    import matplotlib.figure  # noqa: F401

    from .. import plots  # noqa: F401


def _serve(job_read: int, back_write: int) -> None:
    """The renderer: load matplotlib while the run goes on, then draw the run in two processes."""
    serve(job_read, back_write, _load_matplotlib, render,
          "the report's figures could not be drawn in a second process ({exc}); drawing them here")
