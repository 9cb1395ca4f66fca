"""report.html: the resume-time report (figures and verdicts come with the report issue)."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pandas as pd

from ..api import Result


def write_report_files(result: Result, folder: Path) -> Path:
    summary = result.summary
    rows = "".join(
        f"<tr><td>{html.escape(label)}</td><td>{j['arrived']:,}</td><td>{j['entered']:,}</td>"
        f"<td>{j['held_peak']:,}</td><td>{html.escape(j['status_at_end'])}</td></tr>"
        for label, j in summary["journeys"].items())
    page = (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(summary['scenario'])}</title></head>"
            f"<body><h1>{html.escape(summary['scenario'])}</h1><p>{html.escape(summary.get('description', ''))}</p>"
            f"<table><tr><th>journey</th><th>arrived</th><th>entered</th><th>held peak</th><th>status</th></tr>{rows}</table>"
            f"</body></html>")
    path = Path(folder) / "report.html"
    path.write_text(page)
    return path


def rebuild_report(folder: Path) -> Path:
    summary = json.loads((folder / "summary.json").read_text())
    timeseries = pd.read_parquet(folder / "timeseries.parquet")
    return write_report_files(Result(summary, timeseries), folder)
