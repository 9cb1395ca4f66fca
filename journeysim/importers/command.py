"""``journeysim import sfmc JOURNEY.json -o SCENARIO.yaml``: write a scenario from an exported journey."""

from __future__ import annotations

import math
import os
import sys
import tempfile
from pathlib import Path

import click

EXIT_REFUSED = 2


@click.group(name="import", short_help="Turn an exported journey into a scenario.")
def import_group() -> None:
    """Turn a journey exported from a marketing platform into a scenario."""


@import_group.command(name="sfmc", short_help="Import a Journey Builder journey (its exported JSON).")
@click.argument("journey_file", metavar="JOURNEY.json", type=click.Path(dir_okay=False))
@click.option("-o", "--out", "out", required=True, type=click.Path(dir_okay=False), help="The scenario file to write.")
@click.option("--population", type=click.IntRange(min=1), default=None, help="Profiles in the generated population (default 100000).")
@click.option("--strict", is_flag=True,
              help="Refuse (exit 2) instead of warning: an activity type that is not known, a value replaced by an assumption.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
def sfmc(journey_file: str, out: str, population: int | None, strict: bool, quiet: bool) -> None:
    """Import a Salesforce Marketing Cloud Journey Builder definition (the JSON of
    GET /interaction/v1/interactions/key:KEY, as exported) and print the import report."""
    from ..errors import ScenarioError
    from ..inputs import MAX_SCENARIO_BYTES, size_text
    from ..loader import load
    from ..outputs.folder import OutputRefused, check_file_target
    from .render import report, scenario_data, scenario_yaml
    from .sfmc import DEFAULT_POPULATION, SfmcImportError, import_journey, read_definition

    def refuse(message: str) -> None:
        click.echo(f"{journey_file}: {message}", err=True)
        click.echo(f"{journey_file}: refused; nothing was written", err=True)
        sys.exit(EXIT_REFUSED)

    try:
        target = check_file_target(out, [Path(journey_file)])
    except OutputRefused as exc:
        refuse(str(exc))
        return
    size = population or DEFAULT_POPULATION
    try:
        imported = import_journey(read_definition(Path(journey_file)), size, strict)
    except SfmcImportError as exc:
        refuse(str(exc))
        return
    days = min(120, max(7, math.ceil((imported.longest_s + 8 * 86400) / 86400)))
    data = scenario_data(imported, size, days)
    text = scenario_yaml(imported, data, Path(journey_file).name)
    size = len(text.encode("utf-8"))
    if size > MAX_SCENARIO_BYTES:  # the scenario would be refused by every command that reads it
        refuse(f"$: the scenario would be {size_text(size)}, more than the {size_text(MAX_SCENARIO_BYTES)} a scenario file may be "
               f"({imported.activity_count:,} activities); a scenario can name the export instead: "
               f"journeys: [{{import: sfmc, file: {Path(journey_file).name}}}] (docs/import-sfmc.md, section 4)")
    try:
        _write_checked(text, target, load)
    except OSError as exc:  # the folder changed since it was checked, or the disk is full
        refuse(f"cannot write {out}: {exc.strerror or exc}")
    except ScenarioError as exc:  # a bug of the importer (or a --population the machine cannot hold): say so, write nothing
        chosen = [p for p in exc.problems if p.path == "population.size"] if population is not None else []
        if chosen:
            refuse(f"--population {population}: {chosen[0].message}")
        click.echo("\n".join(str(p) for p in exc.problems), err=True)
        refuse("the imported scenario does not validate (an importer bug: please report it with the journey file)")
    if not quiet:
        click.echo(report(imported, journey_file))
        click.echo(f"\nwrote {out}: check it with `journeysim validate {out}`, run it with `journeysim run {out} --out DIR`")


def _write_checked(text: str, target: Path, load) -> None:
    """Write ``text`` to a temporary file beside ``target``, check it loads, then rename it to ``target``:
    ``target`` is replaced whole or not at all (OSError, or the loader's ScenarioError, and no leftover)."""
    from ..outputs.folder import ordinary_mode

    handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".yaml", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        ordinary_mode(Path(temp))
        load(temp)
        os.replace(temp, target)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
