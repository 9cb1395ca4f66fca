"""The sweep's page writer: a process forked as a sweep on a pool of workers starts. It loads pandas,
pyarrow and matplotlib on the second core while the command loads the scenario and forks the pool,
and does ahead what drawing costs whatever the runs give (``sweep.prepare_page``); it waits while the
workers run, then writes sweep.parquet and sweep.html. The command itself never loads those libraries.

If it fails, ``sweep.write_page`` writes the page in the command: the same bytes either way.
"""

from __future__ import annotations

from pathlib import Path

from .outputs.forked import Forked, serve
from .sweep import prepare_page, write_here  # imported before the fork: the command needs the module too


class PageWriter(Forked):
    """``start()`` forks it (None where it cannot help: no fork, one core); ``submit`` hands it the runs."""

    def __init__(self):
        super().__init__(lambda job_read, back_write: _serve(job_read, back_write))

    def submit(self, out: Path, runs, parameters: list[str]) -> None:
        """Write the page of ``runs`` (a ``sweep.Runs``, all of them finished) into ``out``."""
        self.send((str(out), runs, list(parameters)))


def _write(job: tuple):
    out, runs, parameters = job
    return write_here(Path(out), runs, parameters)


def _serve(job_read: int, back_write: int) -> None:
    serve(job_read, back_write, prepare_page, _write,
          "the sweep page could not be written in a second process ({exc}); writing it here")
