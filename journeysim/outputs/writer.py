"""Writing a run's outputs atomically: all files appear together, or none do."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from ..api import Result
from .folder import MANIFEST, replace_folder, staging_folder, write_manifest


def write_outputs(result: Result, out: Path, *, extra=None, force: bool = False) -> list[Path]:
    """Write summary.json, timeseries.parquet and (if recorded) events.parquet into ``out``; returns
    the files written (in a new folder beside ``out`` if it came to hold a user's files meanwhile and
    not ``force``: see ``folder.replace_folder``).

    Files are written to a temporary folder beside ``out`` and moved into place with a manifest
    (``folder.MANIFEST``); a failure leaves ``out`` as it was. Check ``out`` first with
    ``folder.check_target``. ``extra(tmpdir)`` may add files (the report) before the move.
    """
    out = Path(out)
    staging = staging_folder(out)
    try:
        events = _in_background(result.write_table, "events", staging / "events.parquet") if result.has("events") else None
        try:  # the biggest file is written while the others are
            with open(staging / "summary.json", "w") as handle:
                json.dump(result.summary, handle, indent=2, sort_keys=False)
                handle.write("\n")
            result.write_table("timeseries", staging / "timeseries.parquet")
            if extra is not None:
                extra(staging)
        finally:
            if events is not None:
                events.result()
        write_manifest(staging, "run")
        written_to = replace_folder(staging, out, force=force)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return sorted(p for p in written_to.iterdir() if p.name != MANIFEST)


def _in_background(function, *args):
    """Run ``function(*args)`` in a thread; ``.result()`` waits for it (and raises what it raised)."""
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(1, thread_name_prefix="journeysim-outputs")
    future = pool.submit(function, *args)
    pool.shutdown(wait=False)  # its thread ends with the call
    return future
