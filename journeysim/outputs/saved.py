"""A run's saved outputs read back (``journeysim report DIR``): every way they can be broken is a message."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from ..api import Result
from .folder import MANIFEST, manifest_entries, write_manifest

MAX_SUMMARY_BYTES = 64 * 2**20


class SavedRunError(ValueError):
    """A folder that holds no readable journeysim run."""


def read_saved_run(folder: Path) -> Result:
    folder = Path(folder)
    if not folder.is_dir():
        raise SavedRunError(f"{folder} is not a folder")
    path = folder / "summary.json"
    if not path.is_file():
        raise SavedRunError(f"{folder} holds no summary.json: is it a journeysim run's --out folder?")
    if path.stat().st_size > MAX_SUMMARY_BYTES:
        raise SavedRunError(f"{path} is {path.stat().st_size / 2**20:,.0f} MiB, more than any summary journeysim writes")
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise SavedRunError(f"{path} is not UTF-8 text: not a journeysim summary") from None
    try:
        summary = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise SavedRunError(f"{path} is not valid JSON ({str(exc)[:80]}): rerun the scenario to write it again") from None
    if not isinstance(summary, dict) or not isinstance(summary.get("journeys"), dict):
        raise SavedRunError(f"{path} is not a journeysim summary (no 'journeys'): rerun the scenario to write it again")
    try:
        timeseries = pd.read_parquet(folder / "timeseries.parquet")
    except Exception as exc:  # noqa: BLE001 - any reader failure means the saved file is damaged or missing
        reason = "missing" if not (folder / "timeseries.parquet").exists() else str(exc).splitlines()[0][:120]
        raise SavedRunError(f"cannot read {folder / 'timeseries.parquet'}: {reason}") from None
    return Result(summary, timeseries)


def replace_report_files(result: Result, folder: Path, write) -> Path:
    """Run ``write(result, staging)`` in a fresh folder, then move each file it wrote into ``folder``.

    ``os.replace`` replaces a symbolic link at the destination, never the file it points to.
    """
    staging = Path(tempfile.mkdtemp(prefix=".report.", dir=folder))
    try:
        try:
            page = write(result, staging)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError, ArithmeticError) as exc:
            raise SavedRunError(f"{folder / 'summary.json'} is not a journeysim summary "
                                f"({type(exc).__name__}: {str(exc)[:80]}): rerun the scenario to write it again") from None
        names = sorted(p.name for p in staging.iterdir())
        for name in names:
            os.replace(staging / name, folder / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    known = manifest_entries(folder)
    if known is not None:
        write_manifest(folder, "run", sorted(known | set(names) - {MANIFEST}))
    return folder / Path(page).name
