"""The sweep's page writer: a process forked as a sweep on a pool of workers starts. It loads pandas,
pyarrow and matplotlib on the second core while the command loads the scenario and forks the pool,
waits while the workers run, then writes sweep.parquet and sweep.html. The command itself then never
loads those libraries, and never draws after its runs.

If it fails, ``sweep.write_page`` writes the page in the command: the same bytes either way.
"""

from __future__ import annotations

from pathlib import Path

from .outputs.forked import Forked, serve


class PageWriter(Forked):
    """``start()`` forks it (None where it cannot help: no fork, one core); ``submit`` hands it the runs."""

    def __init__(self):
        super().__init__(lambda job_read, back_write: _serve(job_read, back_write))

    def submit(self, out: Path, runs, parameters: list[str]) -> None:
        """Write the page of ``runs`` (a ``sweep.Runs``, all of them finished) into ``out``."""
        self.send((str(out), runs, list(parameters)))


def _write(job: tuple):
    from .sweep import write_here

    out, runs, parameters = job
    return write_here(Path(out), runs, parameters)


def _load() -> None:
    from .sweep import load_page_libraries

    load_page_libraries()


def _serve(job_read: int, back_write: int) -> None:
    serve(job_read, back_write, _load, _write,
          "the sweep page could not be written in a second process ({exc}); writing it here")
