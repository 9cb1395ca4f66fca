"""`journeysim presets` and docs/presets.md, both generated from the preset records (V1)."""

from __future__ import annotations

from click.testing import CliRunner
from conftest import ROOT

from journeysim.cli import main
from journeysim.model.presets import PRESETS
from journeysim.presets_cli import presets_markdown


def test_V1_presets_prints_every_preset_by_switch_with_assumed_marks():
    out = CliRunner().invoke(main, ["presets"])
    assert out.exit_code == 0
    lines = out.output.splitlines()
    assert lines[0].split() == ["switch", *PRESETS]
    at_stop = next(line for line in lines if line.startswith("at_stop "))
    assert at_stop.split()[1:] == ["hold", "hold", "hold", "discard", "skip", "park", "park*", "discard", "discard",
                                   "hold", "hold", "exit", "hold"]
    release = next(line for line in lines if line.startswith("release_rate_limited"))
    assert release.split()[1:4] == ["yes", "yes", "no*"]  # SFMC's release rate is not documented: assumed


def test_V1_presets_name_prints_one_preset_with_its_sources():
    out = CliRunner().invoke(main, ["presets", "simon-data"])
    assert out.exit_code == 0
    assert "docs.simondata.com/docs/pause-and-unpause-journeys" in out.output
    assert "wait_clock               frozen" in out.output
    assert "assumed (no source says): event_while_held, release_rate_limited" in out.output


def test_presets_of_an_unknown_name_exits_2_naming_the_presets():
    out = CliRunner().invoke(main, ["presets", "brazee"])
    assert out.exit_code == 2 and "no preset 'brazee'" in out.output and "braze" in out.output


def test_docs_presets_md_is_generated_from_the_code():
    """docs/presets.md equals presets_markdown(): regenerate it with
    python -c "from journeysim.presets_cli import presets_markdown; open('docs/presets.md','w').write(presets_markdown())"."""
    assert (ROOT / "docs" / "presets.md").read_text() == presets_markdown()
    for preset in PRESETS.values():
        for source in preset.sources:
            assert source in presets_markdown()
