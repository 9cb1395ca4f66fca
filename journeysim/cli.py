"""Command line: ``journeysim run | validate | schema``.

Exit status: 0 success, 2 a refused scenario or bad usage (nothing written), 3 a run whose
conservation check failed (outputs written, for the bug report).
"""

from __future__ import annotations

import json
import math
import os
import sys
from pathlib import Path
from typing import NoReturn

import click

from . import __version__
from .errors import ConservationError, RunTooLarge, ScenarioError
from .outputs.text import held_outcome_text
from .units import format_duration, format_instant, format_local, start_of

EXIT_REFUSED = 2
EXIT_CONSERVATION = 3


def _refused(exc: ScenarioError, what: str) -> NoReturn:
    """Every problem on its own line, then one line saying nothing ran; exit 2."""
    for problem in exc.problems:
        click.echo(str(problem), err=True)
    count = len(exc.problems)
    click.echo(f"{what} ({count} problem{'s' if count != 1 else ''}); nothing was run", err=True)
    sys.exit(EXIT_REFUSED)


def _warn(warning) -> None:
    """A scenario's warning (it runs, but probably not as meant), on stderr, even with --quiet."""
    click.echo(str(warning), err=True)


def _load_or_exit(path: str, sets: tuple[str, ...] = ()):
    from .loader import load
    from .overrides import parse_overrides

    try:
        loaded = load(path, parse_overrides(path, sets))
        for warning in loaded.warnings:
            _warn(warning)
        return loaded
    except ScenarioError as exc:
        _refused(exc, f"{path}: refused")


class WholeNumber(click.ParamType):
    """An integer option whose error message quotes at most 40 characters of what was typed."""

    name = "integer"

    def __init__(self, low: int, high: int):
        self.low, self.high = low, high

    def convert(self, value, param, ctx):
        if isinstance(value, int):
            return value
        text = str(value).strip()
        if text.isdigit() and len(text) <= len(str(self.high)) and self.low <= int(text) <= self.high:
            return int(text)
        shown = text if len(text) <= 40 else text[:39] + "…"
        self.fail(f"expected a whole number from {self.low:,} to {self.high:,}, got {shown!r}", param, ctx)


class FiniteFloatRange(click.FloatRange):
    """A FloatRange that also refuses nan and inf, which its bounds let through (nan compares false)."""

    def convert(self, value, param, ctx):
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return number


def _check_out_or_exit(out: str, inputs: list[Path], force: bool) -> None:
    """Refuse (exit 2, before anything runs) an --out that is not journeysim's to replace or cannot be written."""
    from .outputs.folder import OutputRefused, check_target

    try:
        check_target(out, inputs, force=force)
    except OutputRefused as exc:
        click.echo(f"error: {exc}; nothing was run", err=True)
        sys.exit(EXIT_REFUSED)


def _warn_if_moved_aside(out: str | Path, written_to: Path) -> None:
    from .outputs.folder import moved_aside

    warning = moved_aside(out, written_to)
    if warning is not None:
        click.echo(warning, err=True)


def _scenario_inputs(loaded) -> list[Path]:
    population = loaded.scenario.population.file
    return [loaded.path] + ([loaded.path.parent / population] if population else [])


force_option = click.option("--force", is_flag=True,
                            help="Replace --out even if it holds files journeysim did not write (they are deleted).")
set_option = click.option("--set", "sets", multiple=True, metavar="PATH=VALUE",
                          help="Override one scenario value, e.g. org.resume_rate=2000/s or timeline[0].at=2d.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="journeysim")
def main() -> None:
    """Simulate what pausing a marketing journey does to the profiles inside it."""


@main.command(short_help="Run a scenario; write its summary, tables and report.")
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--out", "out", type=click.Path(file_okay=False), required=True, help="Folder for the outputs.")
@click.option("--events", is_flag=True, help="Also write the step-event log (events.parquet).")
@click.option("--seed", type=WholeNumber(0, 2**64 - 1), default=None, help="Override the scenario's seed.")
@click.option("--replication", type=WholeNumber(0, 10**6), default=None,
              help="Draw as replication N of a sweep does (its row's 'replication'): rebuilds that run alone.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors and the scenario's warnings.")
@click.option("--no-report", is_flag=True, help="Skip report.html and its figures.")
@force_option
@set_option
def run(scenario: str, out: str, events: bool, seed: int | None, replication: int | None, quiet: bool, no_report: bool,
        force: bool, sets: tuple[str, ...]) -> None:
    """Run SCENARIO; write summary.json, timeseries.parquet, report.html (unless --no-report), events.parquet (--events) to --out."""
    from .engine.memory import freed_memory_reused

    with freed_memory_reused():  # the outputs' big columns reuse the run's freed memory too
        _run_and_write(scenario, out, events, seed, quiet, no_report, force, sets, replication)


def _run_and_write(scenario: str, out: str, events: bool, seed: int | None, quiet: bool, no_report: bool, force: bool,
                   sets: tuple[str, ...], replication: int | None = None) -> None:
    from .outputs.figures import Renderer


    renderer = None if no_report else Renderer.start()  # loads matplotlib in a second process meanwhile
    try:
        result, failed = _run_scenario(scenario, sets, out, force, seed, events, quiet, replication)
        extra = None
        if not no_report:
            from .outputs.report import write_report_files

            if renderer is not None:
                renderer.submit(result)  # drawn there while the tables are written here

            def extra(folder: Path) -> None:
                write_report_files(result, folder, renderer)
        from .outputs.writer import write_outputs

        written = write_outputs(result, Path(out), extra=extra, force=force)
    finally:
        if renderer is not None:
            renderer.close()
    folder = written[0].parent if written else Path(out)
    _warn_if_moved_aside(out, folder)
    if not quiet:
        click.echo(format_summary(result.summary))
        click.echo(f"\nwrote {', '.join(p.name for p in written if p.is_file())} to {folder}")
    if failed is not None:
        click.echo(f"error: {failed}", err=True)
        sys.exit(EXIT_CONSERVATION)


def _run_scenario(scenario: str, sets: tuple[str, ...], out: str, force: bool, seed: int | None, events: bool, quiet: bool,
                  replication: int | None = None):
    """Load, check --out, run: (result, the conservation error or None); exit 2 on a refused scenario."""
    from .api import run as run_scenario

    loaded = _load_or_exit(scenario, sets)
    _check_out_or_exit(out, _scenario_inputs(loaded), force)
    try:
        return run_scenario(loaded, seed=seed, events=events, progress=None if not quiet else False, replication=replication,
                            events_near=Path(out).parent if events else None), None
    except RunTooLarge as exc:
        click.echo(f"{scenario}: {exc}; nothing was written", err=True)
        sys.exit(EXIT_REFUSED)
    except ConservationError as exc:
        return exc.result, exc  # type: ignore[attr-defined]


@main.command(short_help="Run a scenario behind the vendors' pause APIs.")
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--out", "out", type=click.Path(file_okay=False), required=True, help="Folder for the outputs.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8787, show_default=True,
              help="Port to listen on; 0 takes a free one (the first line printed names it).")
@click.option("--speed", type=FiniteFloatRange(min=0), default=3600.0, show_default=True,
              help="Simulated seconds per wall second; 0: the clock moves only by POST /sim/advance.")
@click.option("--sfmc-client-id", envvar="JOURNEYSIM_SFMC_CLIENT_ID", default=None, help="Default $JOURNEYSIM_SFMC_CLIENT_ID, else random.")
@click.option("--sfmc-client-secret", envvar="JOURNEYSIM_SFMC_CLIENT_SECRET", default=None,
              help="Default $JOURNEYSIM_SFMC_CLIENT_SECRET, else random.")
@click.option("--blueshift-api-key", envvar="JOURNEYSIM_BLUESHIFT_API_KEY", default=None,
              help="Default $JOURNEYSIM_BLUESHIFT_API_KEY, else random.")
@click.option("--events", is_flag=True, help="Also write the step-event log (events.parquet).")
@click.option("--no-report", is_flag=True, help="Skip report.html and its figures.")
@set_option
def serve(scenario: str, out: str, host: str, port: int, speed: float, sfmc_client_id: str | None, sfmc_client_secret: str | None,
          blueshift_api_key: str | None, events: bool, no_report: bool, sets: tuple[str, ...]) -> None:
    """Run SCENARIO on a virtual clock behind the vendors' pause APIs (docs/server.md); outputs to --out."""
    try:
        from .server.serve import run_cli
    except ImportError as exc:
        raise click.ClickException(f"journeysim serve needs the serve extra: pip install 'journeysim[serve]' ({exc})") from None
    loaded = _load_or_exit(scenario, sets)
    _check_out_or_exit(out, _scenario_inputs(loaded), False)
    run_cli(loaded, out, host, port, speed, sfmc_client_id, sfmc_client_secret, blueshift_api_key, events, no_report)


@main.command(short_help="Check a scenario without running it.")
@click.argument("scenario", type=click.Path(dir_okay=False))
@set_option
def validate(scenario: str, sets: tuple[str, ...]) -> None:
    """Check SCENARIO without running it; exit 2 with one line per problem."""
    loaded = _load_or_exit(scenario, sets)
    sc = loaded.scenario
    click.echo(f"{scenario}: ok: {sc.name!r}, {len(sc.journeys)} journey(s), {len(sc.timeline)} timeline action(s), "
               f"platform {sc.platform}")


@main.command(short_help="Print the JSON Schema of scenario files.")
def schema() -> None:
    """Print the JSON Schema of scenario files (for editor autocompletion)."""
    from .schema import json_schema

    click.echo(json.dumps(json_schema(), indent=2))


@main.command(short_help="Rebuild report.html from a run's saved outputs.")
@click.argument("folder", type=click.Path(file_okay=False, exists=True))
def report(folder: str) -> None:
    """Rebuild report.html in FOLDER from its saved summary.json and timeseries.parquet."""
    from .outputs.report import rebuild_report
    from .outputs.saved import SavedRunError

    try:
        path = rebuild_report(Path(folder))
    except SavedRunError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_REFUSED)
    click.echo(f"wrote {path}")


@main.command(short_help="Run files, variants or presets side by side.")
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--variant", "variants", multiple=True, metavar="NAME:PATH=VALUE[;PATH=VALUE]",
              help="A variant of the one SCENARIO, e.g. 'discard:timeline[0].pause.mode=discard'.")
@click.option("--presets", "presets", default=None, metavar="all|NAME,NAME",
              help="Run the one SCENARIO under each vendor preset (same seed), e.g. all or ajo,sfmc,braze.")
@click.option("--out", "out", type=click.Path(file_okay=False), required=True, help="Folder for the comparison.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors and the scenario's warnings.")
@force_option
@set_option
def compare(scenarios: tuple[str, ...], variants: tuple[str, ...], presets: str | None, out: str, quiet: bool,
            force: bool, sets: tuple[str, ...]) -> None:
    """Run several SCENARIOS (or one with --variant overrides, or under --presets) and write a side-by-side table and figures."""
    from .compare import Variant, parse_variant, run_variants, write_comparison

    if presets is not None:
        _check_out_or_exit(out, [Path(p) for p in scenarios], force)
        _compare_presets(scenarios, variants, presets, Path(out), quiet, sets, force)
        return
    if variants:
        if len(scenarios) != 1:
            raise click.UsageError("--variant takes exactly one scenario file")
        try:
            chosen = [Variant("as written", Path(scenarios[0]))] + [parse_variant(v, Path(scenarios[0])) for v in variants]
        except ValueError as exc:
            raise click.UsageError(str(exc)) from None
    else:
        if len(scenarios) < 2:
            raise click.UsageError("give two or more scenario files, or one file and --variant")
        chosen = [Variant(name, Path(p)) for name, p in zip(_distinct_names(scenarios), scenarios)]
    names = [v.name for v in chosen]
    twice = list(dict.fromkeys(name for name in names if names.count(name) > 1))
    if twice:
        what = "file" if not variants else "variant name"
        raise click.UsageError(f"each {what} once: {', '.join(repr(n) for n in twice)} is given more than once"
                               + (" ('as written' is the file itself)" if "as written" in twice and variants else ""))
    _check_out_or_exit(out, [v.path for v in chosen], force)
    try:
        results = run_variants(chosen, sets, warn=_warn)
    except ScenarioError as exc:
        _refused(exc, f"{', '.join(scenarios)}: compare refused")
    page = write_comparison(results, Path(out), chosen, force=force)
    _warn_if_moved_aside(out, page.parent)
    if not quiet:
        from .compare import comparison_text
        click.echo(comparison_text(results))
        click.echo(_wrote_line(page.parent))


def _wrote_line(folder: Path) -> str:
    """'wrote comparison.csv, comparison.html, fig_held.png, ... to FOLDER'."""
    from .outputs.folder import MANIFEST

    names = sorted(p.name for p in folder.iterdir() if p.name != MANIFEST and p.is_file())
    return f"\nwrote {', '.join(names)} to {folder}"


def _distinct_names(paths: tuple[str, ...]) -> list[str]:
    """Each file's name without its suffix, with as many of its folders before it as tell the files apart
    (``before/q`` and ``after/q``); the same file given twice keeps one name (refused by the caller)."""
    files = [Path(os.path.abspath(p)) for p in paths]
    deepest = max(len(f.parts) for f in files)
    for depth in range(deepest):
        names = ["/".join((*f.parent.parts[max(0, len(f.parent.parts) - depth):], f.stem)) if depth else f.stem for f in files]
        if len(set(names)) == len(names):
            return names
    return [f.stem for f in files]


def _compare_presets(scenarios: tuple[str, ...], variants: tuple[str, ...], presets: str, out: Path, quiet: bool,
                     sets: tuple[str, ...], force: bool) -> None:
    from .compare import comparison_text, write_comparison
    from .compare_presets import parse_presets, preset_runs, run_presets, verdict

    if len(scenarios) != 1 or variants:
        raise click.UsageError("--presets takes exactly one scenario file and no --variant")
    try:
        names = parse_presets(presets)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--presets") from None
    try:
        runs = preset_runs(Path(scenarios[0]), names)
        results = run_presets(runs, sets, warn=_warn)
    except ScenarioError as exc:
        _refused(exc, f"{scenarios[0]}: compare refused")
    verdicts = {name: verdict(result) for name, result in results.items()}
    notes = {name: r.notes for name, r in runs.items() if r.notes}
    page = write_comparison(results, out, [r.variant for r in runs.values()], verdicts, notes, force=force)
    _warn_if_moved_aside(out, page.parent)
    if not quiet:
        click.echo(comparison_text(results))
        click.echo("\n" + "\n".join(f"{name}: {text}" for name, text in verdicts.items()))
        for name, lines in notes.items():
            click.echo("\n".join(f"  note, {name}: {line}" for line in lines))
        click.echo(_wrote_line(page.parent))


@main.command(short_help="Print the vendor presets by switch, or one preset.")
@click.argument("name", required=False)
def presets(name: str | None) -> None:
    """Print the vendor presets by switch (* on assumed values), or preset NAME with its sources."""
    from .presets_cli import PRESETS, preset_text, presets_table

    if name is not None and name not in PRESETS:
        raise click.BadParameter(f"no preset {name!r}; presets: {', '.join(PRESETS)}", param_hint="NAME")
    click.echo(presets_table() if name is None else preset_text(name))


@main.command(short_help="Run a scenario over a grid of overrides and replications.")
@click.argument("file", type=click.Path(dir_okay=False, exists=True))
@click.option("--grid", "grids", multiple=True, metavar="PATH=V1,V2,...",
              help="A swept key path and its values, e.g. org.resume_rate=1000/s,5000/s (repeat for a cartesian grid).")
@click.option("--replications", "-r", type=WholeNumber(1, 1_000_000), default=None, help="Runs per grid point (default 1).")
@click.option("--out", "out", type=click.Path(file_okay=False), required=True, help="Folder for sweep.parquet, sweep.html, runs/.")
@click.option("--workers", type=WholeNumber(1, 4096), default=None, help="Run in a pool of N processes.")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Dask scheduler (tcp://host:8786) to run on; default $DASK_SCHEDULER_ADDRESS (unless --workers), else local.")
@click.option("--resume", is_flag=True, help="Keep the finished runs in --out/runs and run only what is missing or failed.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors and the scenario's warnings (no progress bar).")
@force_option
@set_option
def sweep(file: str, grids: tuple[str, ...], replications: int | None, out: str, workers: int | None,
          scheduler: str | None, resume: bool, quiet: bool, force: bool, sets: tuple[str, ...]) -> None:
    """Run FILE (a scenario, or a sweep file naming one) over a grid of overrides times replications.

    Replication r of every grid point draws from SeedSequence(seed, spawn_key=(r,)): common random
    numbers, and the same results in-process, in a pool or on a Dask cluster.
    """
    from .page_writer import PageWriter

    if workers and scheduler:
        raise click.UsageError("give --workers or --scheduler, not both")
    # forked before the scenario loads: it loads the page's libraries on the second core meanwhile
    writer = PageWriter.start() if workers and workers > 1 else None
    try:
        _sweep(file, grids, replications, out, workers, scheduler, resume, quiet, force, sets, writer)
    finally:
        if writer is not None:
            writer.close()


def _sweep(file: str, grids: tuple[str, ...], replications: int | None, out: str, workers: int | None,
           scheduler: str | None, resume: bool, quiet: bool, force: bool, sets: tuple[str, ...], writer) -> None:
    from .sweep import DaskMissing, SweepPlan, describe, is_sweep_file, parse_grid, read_sweep_file, run_runs, validate_plan, write_page

    path = Path(file)
    try:
        if is_sweep_file(path):
            plan = read_sweep_file(path)
            command_grid = parse_grid(grids)
            plan.given_on_command_line([*command_grid, *(text.split("=", 1)[0] for text in sets)])
            plan.grid.update(command_grid)
            plan.sets = plan.sets + sets
            if replications:
                plan.replications = replications
        else:
            plan = SweepPlan(path, parse_grid(grids), replications or 1, sets)
        warnings = validate_plan(plan)
    except ScenarioError as exc:
        _refused(exc, f"{file}: sweep refused")
    for warning in warnings:
        _warn(warning)
    _check_out_or_exit(out, [path, plan.scenario], force)
    total = len(plan.points()) * plan.replications
    if workers:
        workers = min(workers, total)  # a process per run at most (run_runs starts no more)
    if not quiet:
        click.echo(f"{total} runs ({total // plan.replications} grid point(s) x {plan.replications} replication(s)) "
                   f"in {describe(workers, scheduler)}", err=True)
    try:
        runs = run_runs(plan, Path(out), workers=workers, scheduler=scheduler, resume=resume,
                        progress=False if quiet else None, writer=writer)
        written = write_page(Path(out), runs, list(plan.grid), writer)
    except DaskMissing as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(f"sweep stopped: {exc}; finished runs are kept in {Path(out) / 'runs'}, "
                                   "rerun with --resume") from None
    except KeyboardInterrupt:
        kept = len(list((Path(out) / "runs").glob("*.json")))
        click.echo(f"\ninterrupted: {kept} of {total} runs kept in {Path(out) / 'runs'}; rerun with --resume to finish", err=True)
        sys.exit(130)
    if not quiet:
        kept = f", {written.reused} reused from {Path(out) / 'runs'}" if resume else ""
        click.echo(f"{written.runs} runs ({written.failed} failed{kept}): wrote {Path(out) / 'sweep.parquet'} and {Path(out) / 'sweep.html'}")
        if written.failed:
            click.echo("failed runs are listed in sweep.html; rerun with --resume to retry them", err=True)


from .importers.command import import_group  # noqa: E402

main.add_command(import_group)


def _drain_text(pause: dict, journey: dict) -> str:
    """'drained in 1s', or why the drain has no end: the journey was stopped during it, or the run ended first."""
    if pause["drain_s"] is not None:
        return f"drained in {format_duration(pause['drain_s'])}"
    return "still draining at the end" if journey["status_at_end"] == "resuming" else "drain cut short by a stop"


def format_summary(summary: dict) -> str:
    """A readable plain-text summary: the verdict at a glance, then the table per journey and each pause."""
    from .outputs.verdict import glance

    lines = [f"{summary['scenario']}  (seed {summary['seed']}, platform {summary['platform']}, "
             f"journeysim {summary['journeysim_version']})"]
    start = start_of(summary)
    if start is not None:
        zone = f" ({summary['start_zone']})" if summary.get("start_zone") else ""
        lines.append(f"starts {format_local(start)}{zone}; times are +days hh:mm since then, local date-time beside")
    answers = glance(summary)
    width = max(len(q) for q, _ in answers) + 2
    lines += ["", "verdict"] + [f"  {q:<{width}}{a}" for q, a in answers] + [""]
    header = f"{'journey':<24}{'arrived':>11}{'entered':>11}{'exited':>11}{'discarded':>11}{'in at end':>11}{'held peak':>11}  status"
    lines.append(header)
    lines.append("-" * len(header))
    for label, j in summary["journeys"].items():
        lines.append(f"{label:<24}{j['arrived']:>11,}{j['entered']:>11,}{sum(j['exited'].values()):>11,}"
                     f"{sum(j['discarded'].values()):>11,}{j['in_journey_at_end'] + j['queued_at_end']:>11,}"
                     f"{j['held_peak']:>11,}  {j['status_at_end']}")
    for label, j in summary["journeys"].items():
        reasons = {**{f"exited.{k}": v for k, v in j["exited"].items()}, **{f"discarded.{k}": v for k, v in j["discarded"].items()}}
        shown = ", ".join(f"{k} {v:,}" for k, v in reasons.items() if v)
        lines.append(f"\n{label}: {shown or 'nobody left'}")
        if j["actions"]:
            lines.append("  actions: " + ", ".join(f"{k} {v:,}" for k, v in j["actions"].items()))
            if any(j.get("capped", {}).values()):
                lines.append("  capped by business rules: " + ", ".join(f"{k} {v:,}" for k, v in j["capped"].items() if v))
        if any(j.get("skipped", {}).values()):
            lines.append("  skipped (not sent): " + ", ".join(f"{k} {v:,}" for k, v in j["skipped"].items() if v))
        if j.get("skipped_reads_at_s"):
            lines.append(f"  scheduled reads skipped while paused: {len(j['skipped_reads_at_s']):,} ("
                         + ", ".join(format_instant(t, start) for t in j["skipped_reads_at_s"]) + ")")
        for p in j["pauses"]:
            if p["resumed_at_s"] is None:
                lines.append(f"  pause at {format_instant(p['paused_at_s'], start)}: {p['ended_by'] or 'still paused at the end'}")
                continue
            line = (f"  pause at {format_instant(p['paused_at_s'], start)}, resumed ({p['resumed_by']}) at "
                    f"{format_instant(p['resumed_at_s'], start)}: {p['held_at_resume']:,} held, "
                    f"{_drain_text(p, j)}, send delay p50 {format_duration(p['send_delay_s']['p50'])}, "
                    f"max {format_duration(p['send_delay_s']['max'])}")
            if p.get("entered_from_queue"):
                line += f"; {p['entered_from_queue']:,} queued entries let in"
            if p.get("read_at_resume"):
                line += f"; {p['read_at_resume']:,} read at the resume (the skipped reads caught up)"
            if p.get("waits_extended"):
                line += f"; {p['waits_extended']:,} waits extended"
            if p.get("skipped_late"):
                line += f"; {p['skipped_late']:,} late sends skipped"
            if p.get("parked_at_end"):
                line += f"; {p['parked_at_end']:,} still parked at the end"
            lines.append(line)
            if p["held_at_resume"] and "held_at_resume_outcome" in p:
                lines.append(f"    of the {p['held_at_resume']:,} held: {held_outcome_text(p['held_at_resume_outcome'])}")
        for refused in j["refused_actions"]:
            lines.append(f"  refused at {format_instant(refused['at_s'], start)}: {refused['action']}: {refused['reason']}")
    org = summary["org"]
    lines.append(f"\norg: held peak {org['held_peak']:,} of cap {org['held_cap']:,}; "
                 f"{org['cap_checks']:,} cap checks, {org['cap_exceeded_checks']:,} at or over the cap")
    ok = summary["conservation"]["ok"]
    lines.append("conservation: ok (every profile is in exactly one place)" if ok
                 else "conservation: VIOLATED: " + "; ".join(summary["conservation"]["problems"]))
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    main()
