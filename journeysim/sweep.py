"""What-if sweeps: a grid of overrides times R replications, on any ``concurrent.futures`` executor.

Each run is a small picklable task (scenario path, overrides, replication) that rebuilds its
scenario and seeds itself from ``SeedSequence(seed, spawn_key=(r,))``, so the result never depends
on where it ran: in-process, in a process pool, or on a Dask cluster. Finished runs are written
to ``DIR/runs/<id>.json`` as they complete; ``--resume`` runs only what is missing or failed.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import math
import os
import tempfile
import traceback
from collections.abc import Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from tqdm import tqdm

from .errors import Problem, ScenarioError
from .overrides import parse_overrides

KEY_FIGURES = ("arrived", "entered", "actions", "held_peak", "drain_s", "send_delay_max_s", "org_cap",
               "discarded", "cap_exceeded_checks")


@dataclass(frozen=True)
class RunTask:
    run_id: str
    scenario: str
    sets: tuple[str, ...]
    replication: int
    grid: tuple[tuple[str, str], ...]


@dataclass
class SweepPlan:
    scenario: Path
    grid: dict[str, list[str]]
    replications: int
    sets: tuple[str, ...] = ()

    def tasks(self) -> list[RunTask]:
        names = list(self.grid)
        tasks = []
        for g, values in enumerate(itertools.product(*(self.grid[n] for n in names)) if names else [()]):
            point = tuple(zip(names, values))
            sets = self.sets + tuple(f"{n}={v}" for n, v in point)
            for r in range(self.replications):
                tasks.append(RunTask(f"g{g:04d}-r{r:03d}", str(self.scenario), sets, r, point))
        return tasks


def parse_grid(texts: tuple[str, ...] | list[str]) -> dict[str, list[str]]:
    """``PATH=V1,V2,...`` flags; a value holding commas can be given in a sweep file instead."""
    grid: dict[str, list[str]] = {}
    for text in texts:
        path, sep, values = text.partition("=")
        if not sep or not path.strip() or not values.strip():
            raise ScenarioError([Problem("--grid", 1, 1, text, "expected PATH=V1,V2,...")])
        grid[path.strip()] = [v.strip() for v in values.split(",")]
    return grid


def read_sweep_file(path: Path) -> SweepPlan:
    """A YAML file with a ``sweep:`` block: scenario (relative to it), grid, replications, set."""
    data = yaml.safe_load(path.read_text()) or {}
    block = data.get("sweep") if isinstance(data, dict) else None
    if not isinstance(block, dict) or "scenario" not in block:
        raise ScenarioError([Problem(str(path), 1, 1, "sweep", "a sweep file has a 'sweep:' block with 'scenario', 'grid' and 'replications'")])
    unknown = set(block) - {"scenario", "grid", "replications", "set"}
    if unknown:
        raise ScenarioError([Problem(str(path), 1, 1, f"sweep.{sorted(unknown)[0]}", "unknown key (scenario, grid, replications, set)")])
    grid = {str(k): [v if isinstance(v, str) else json.dumps(v) for v in values]
            for k, values in (block.get("grid") or {}).items()}
    return SweepPlan((path.parent / block["scenario"]).resolve(), grid, int(block.get("replications", 1)),
                     tuple(block.get("set") or ()))


def is_sweep_file(path: Path) -> bool:
    try:
        data = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError):
        return False
    return isinstance(data, dict) and "sweep" in data


def validate_plan(plan: SweepPlan) -> None:
    """Load every grid point once (not every replication): all problems before anything runs."""
    from .loader import load

    problems = []
    seen = set()
    for task in plan.tasks():
        if task.sets in seen:
            continue
        seen.add(task.sets)
        try:
            load(task.scenario, parse_overrides(task.scenario, task.sets))
        except ScenarioError as exc:
            problems += [p for p in exc.problems if p not in problems]
    if problems:
        raise ScenarioError(problems)


def key_figures(summary: dict) -> dict[str, Any]:
    journeys = list(summary["journeys"].values())
    pauses = [p for j in journeys for p in j["pauses"]]
    row: dict[str, Any] = {
        "arrived": sum(j["arrived"] for j in journeys),
        "entered": sum(j["entered"] for j in journeys),
        "actions": sum(sum(j["actions"].values()) for j in journeys),
        "held_peak": summary["org"]["held_peak"],
        "drain_s": float(max([p["drain_s"] or 0 for p in pauses] or [0])),
        "send_delay_max_s": float(max([p["send_delay_s"]["max"] for p in pauses] or [0])),
        "org_cap": sum(j["discarded"]["org_cap"] for j in journeys),
        "discarded": sum(sum(j["discarded"].values()) for j in journeys),
        "cap_exceeded_checks": summary["org"]["cap_exceeded_checks"],
    }
    for reason in journeys[0]["discarded"] if journeys else []:
        row[f"discarded.{reason}"] = sum(j["discarded"][reason] for j in journeys)
    for label, j in summary["journeys"].items():
        row[f"{label}.held_peak"] = j["held_peak"]
        row[f"{label}.org_cap"] = j["discarded"]["org_cap"]
    return row


def run_task(task: RunTask) -> dict[str, Any]:
    """Run one grid point and replication; never raises (a failure is a row with its error)."""
    from .api import run
    from .loader import load

    row: dict[str, Any] = {"run_id": task.run_id, "replication": task.replication,
                           **{f"grid.{k}": v for k, v in task.grid}}
    try:
        loaded = load(task.scenario, parse_overrides(task.scenario, task.sets))
        row["seed"] = loaded.scenario.seed
        result = run(loaded, replication=task.replication)
        row.update(key_figures(result.summary))
        row["status"], row["error"] = "ok", ""
    except Exception as exc:  # noqa: BLE001 - recorded, the sweep goes on
        row["status"] = "error"
        row["error"] = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    return row


class InProcessExecutor(Executor):
    """Runs each task at submit time, in this process: the default, and the simplest to debug."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001
            future.set_exception(exc)
        return future


@contextlib.contextmanager
def make_executor(workers: int | None = None, scheduler: str | None = None) -> Iterator[Executor]:
    scheduler = scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS") or None
    if scheduler:
        try:
            from distributed import Client
        except ImportError:
            raise SystemExit("--scheduler needs dask.distributed: pip install 'journeysim[dask]'") from None
        with Client(scheduler, set_as_default=False) as client:
            yield client.get_executor(pure=False)
    elif workers and workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            yield pool
    else:
        yield InProcessExecutor()


def _write_json(path: Path, row: dict) -> None:
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w") as stream:
        json.dump(row, stream, sort_keys=True)
    os.replace(tmp, path)


def run_sweep(plan: SweepPlan, out: Path, *, workers: int | None = None, scheduler: str | None = None,
              resume: bool = False, progress: bool | None = None) -> pd.DataFrame:
    out = Path(out)
    runs = out / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    tasks = plan.tasks()
    if not resume:
        for stale in runs.glob("*.json"):
            stale.unlink()
    todo = []
    for task in tasks:
        done = runs / f"{task.run_id}.json"
        if resume and done.exists() and json.loads(done.read_text()).get("status") == "ok":
            continue
        todo.append(task)
    bar = tqdm(total=len(tasks), initial=len(tasks) - len(todo), disable=None if progress is None else not progress,
               desc="sweep", unit="run")
    def record(row: dict) -> None:
        _write_json(runs / f"{row['run_id']}.json", row)  # as soon as it finishes: a kill keeps it
        bar.update(1)

    with make_executor(workers, scheduler) as executor:
        if isinstance(executor, InProcessExecutor):
            for task in todo:
                record(run_task(task))
        else:
            for future in as_completed([executor.submit(run_task, task) for task in todo]):
                record(future.result())
    bar.close()
    table = collect(out, tasks)
    write_results(table, out, list(plan.grid))
    return table


def collect(out: Path, tasks: list[RunTask]) -> pd.DataFrame:
    rows = [json.loads((out / "runs" / f"{t.run_id}.json").read_text()) for t in tasks
            if (out / "runs" / f"{t.run_id}.json").exists()]
    table = pd.DataFrame(rows)
    if len(table):
        table = table.sort_values("run_id").reset_index(drop=True)
        first = ["run_id"] + [c for c in table.columns if c.startswith("grid.")] + ["replication", "seed", "status", "error"]
        table = table[[c for c in first if c in table.columns] + sorted(c for c in table.columns if c not in first)]
    return table


def interval(values: pd.Series) -> tuple[float, float]:
    """Mean and half-width of a normal-approximation 95% interval (0 for one replication)."""
    values = values.dropna().astype(float)
    if len(values) == 0:
        return math.nan, math.nan
    half = 1.96 * values.std(ddof=1) / math.sqrt(len(values)) if len(values) > 1 else 0.0
    return float(values.mean()), float(half)


def write_results(table: pd.DataFrame, out: Path, parameters: list[str]) -> None:
    import html

    import matplotlib.pyplot as plt

    table.to_parquet(out / "sweep.parquet", index=False)
    ok = table[table["status"] == "ok"] if len(table) else table
    figures = []
    for k, parameter in enumerate(parameters):
        column = f"grid.{parameter}"
        fig, axes = plt.subplots(1, 4, figsize=(16, 3.6), layout="constrained")
        for ax, figure in zip(axes, ("held_peak", "drain_s", "org_cap", "discarded")):
            if figure not in ok:
                continue
            others = [f"grid.{p}" for p in parameters if p != parameter]
            groups = ok.groupby(others, sort=False) if others else [((), ok)]
            for key, part in groups:
                values = list(dict.fromkeys(part[column]))
                stats = [interval(part.loc[part[column] == v, figure]) for v in values]
                label = ", ".join(f"{o[5:]}={v}" for o, v in zip(others, key if isinstance(key, tuple) else (key,))) or "mean"
                ax.errorbar(range(len(values)), [m for m, _ in stats], yerr=[h for _, h in stats], marker="o",
                            capsize=3, label=label)
                ax.set_xticks(range(len(values)), values, rotation=20, fontsize="small")
            ax.set_title(figure.replace("_", " "))
            ax.set_xlabel(parameter)
            if ax.get_legend_handles_labels()[0] and others:
                ax.legend(fontsize="x-small")
        fig.suptitle(f"Key figures against {parameter} (mean, 95% interval over replications)")
        name = f"fig_sweep_{k}.png"
        fig.savefig(out / name, metadata={"Software": None})
        plt.close(fig)
        figures.append((name, parameter))
    failed = table[table["status"] != "ok"] if len(table) else table
    failures = "".join(f"<li>{html.escape(r.run_id)}: {html.escape(r.error)}</li>" for r in failed.itertuples())
    (out / "sweep.html").write_text(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>journeysim sweep</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:1200px;margin:2rem auto}img{max-width:100%}</style>"
        f"</head><body><h1>Sweep</h1><p>{len(table)} runs, {len(ok)} ok, {len(failed)} failed.</p>"
        + "".join(f"<h2>{html.escape(p)}</h2><img src='{n}' alt='{html.escape(p)}'>" for n, p in figures)
        + (f"<h2>Failed runs</h2><ul>{failures}</ul>" if failures else "") + "</body></html>\n")
