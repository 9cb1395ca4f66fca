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
import sys
import threading
from typing import NamedTuple

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


def _draw(result, names: list[str]) -> list[Drawn]:
    import io

    import matplotlib
    from matplotlib.figure import Figure

    from ..plots import FIGURES, figure_size

    drawn = []
    for name in names:
        plot = FIGURES[name]
        with matplotlib.rc_context({**SVG_RC, "svg.hashsalt": f"journeysim-{name}"}):
            figure = Figure(figsize=figure_size(name, result), layout="constrained")
            ax = plot(result, ax=figure.add_subplot())
            buffer = io.StringIO()
            figure.savefig(buffer, format="svg", metadata=SVG_METADATA)
        title = ax.get_title() or ax.get_title(loc="left")
        drawn.append((name, title, _caption(plot), _inline(buffer.getvalue(), title)))
    return drawn


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _can_fork() -> bool:
    return hasattr(os, "fork") and _cores() >= 2


def _read_all(fd: int) -> bytes:
    with os.fdopen(fd, "rb") as stream:
        return stream.read()


def _draw_in_two(result, names: list[str]) -> list[Drawn]:
    """Draw ``names``: a forked child draws every other figure while this process draws the rest."""
    if len(names) < 2 or not _can_fork():
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
        payload = _read_all(read_end)
        os.waitpid(pid, 0)
    theirs_drawn = _unpickled(payload) or _draw(result, theirs)
    done |= dict(zip(theirs, theirs_drawn))
    return [done[name] for name in names]


def _unpickled(payload: bytes):
    """What our own child process sent back; None if it sent nothing or died half-way through."""
    try:
        return pickle.loads(payload) if payload else None
    except Exception:  # noqa: BLE001 - a truncated payload: the caller draws the figures itself
        return None


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


class Renderer:
    """A forked process that imports matplotlib now and draws the report's figures when ``submit`` sends a run.

    ``start()`` returns None where it cannot help (no fork, one core): draw with ``render`` then.
    """

    def __init__(self):
        job_read, self._job = os.pipe()
        self._back, back_write = os.pipe()
        self._pid = os.fork()
        if self._pid == 0:
            try:
                os.close(self._job)
                os.close(self._back)
                signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to report
                _serve(job_read, back_write)
            finally:
                os._exit(0)
        os.close(job_read)
        os.close(back_write)
        self._sent = False

    @classmethod
    def start(cls) -> Renderer | None:
        if not _can_fork():
            return None
        try:
            return cls()
        except OSError:  # no process to spare: the figures are drawn here
            return None

    def submit(self, result) -> None:
        """Send the run to draw (it draws while this process writes the tables)."""
        payload = pickle.dumps(_light(result))
        try:
            with os.fdopen(self._job, "wb") as stream:
                stream.write(payload)
        except OSError:  # the renderer is gone: collect() draws here
            pass
        self._sent = True

    def collect(self) -> list[Drawn] | None:
        """The figures of the submitted run, or None if the renderer failed (then draw them with ``render``)."""
        if not self._sent:
            return None
        payload = _read_all(self._back)
        self._back = -1
        self.close()
        return _unpickled(payload)

    def close(self) -> None:
        """Stop the renderer: at once if nothing was submitted (a refused scenario), else once it has finished."""
        for fd in (self._job if not self._sent else -1, self._back):
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass
        if self._pid:
            try:
                if not self._sent:
                    os.kill(self._pid, signal.SIGTERM)
                os.waitpid(self._pid, 0)
            except (ChildProcessError, ProcessLookupError):
                pass
            self._pid = 0
        self._back = -1
        self._sent = True


def _serve(job_read: int, back_write: int) -> None:
    """The renderer: read the job while matplotlib loads, draw it in two processes, send the figures back."""
    job: list[bytes] = []
    reader = threading.Thread(target=lambda: job.append(_read_all(job_read)))
    reader.start()
    try:
        import matplotlib.backends.backend_svg  # noqa: F401 - loaded now, while the parent runs the scenario
        import matplotlib.figure  # noqa: F401

        from .. import plots  # noqa: F401
    except Exception:  # noqa: BLE001 - the parent draws in-process and reports any real error
        pass
    reader.join()
    if not job or not job[0]:
        return
    try:
        payload = pickle.dumps(render(pickle.loads(job[0])))
    except Exception as exc:  # noqa: BLE001 - the parent draws in-process and shows the error there
        print(f"journeysim: the report's figures could not be drawn in a second process ({exc}); drawing them here",
              file=sys.stderr)
        return
    with os.fdopen(back_write, "wb") as stream:
        stream.write(payload)

