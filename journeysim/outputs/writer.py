"""Writing a run's outputs atomically: all files appear together, or none do."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from ..api import Result


def write_outputs(result: Result, out: Path, *, extra=None) -> list[Path]:
    """Write summary.json, timeseries.parquet and (if recorded) events.parquet into ``out``.

    Files are written to a temporary folder beside ``out`` and moved into place; a failure
    leaves ``out`` as it was. ``extra(tmpdir)`` may add files (the report) before the move.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        with open(staging / "summary.json", "w") as handle:
            json.dump(result.summary, handle, indent=2, sort_keys=False)
            handle.write("\n")
        result.write_table("timeseries", staging / "timeseries.parquet")
        if result.has("events"):
            result.write_table("events", staging / "events.parquet")
        if extra is not None:
            extra(staging)
        if out.exists():
            backup = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
            os.replace(out, backup / out.name)
            os.replace(staging, out)
            shutil.rmtree(backup, ignore_errors=True)
        else:
            os.replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return sorted(out.iterdir())
