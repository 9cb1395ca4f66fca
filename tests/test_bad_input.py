"""Broken scenario files: one line per problem (FILE:LINE:COL: key.path: message), exit 2,
never a traceback, nothing written. Each file in bad_scenarios/ has one defect, named in its
first line; expected.tsv holds the key path and the words its message must carry."""

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from journeysim.cli import main

HERE = Path(__file__).parent / "bad_scenarios"
EXPECTED = {
    stem: (path, message)
    for stem, path, message in (line.split("\t") for line in (HERE / "expected.tsv").read_text().splitlines()
                                if line and not line.startswith("#"))
}


def test_the_corpus_has_at_least_thirty_broken_files():
    assert len(list(HERE.glob("*.yaml"))) >= 30
    assert {p.stem for p in HERE.glob("*.yaml")} == set(EXPECTED)


@pytest.mark.parametrize("stem", sorted(EXPECTED))
def test_each_broken_file_is_refused_with_its_key_path(stem, tmp_path):
    file = HERE / f"{stem}.yaml"
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(file), "--out", str(out), "--quiet"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
    assert not out.exists()
    lines = [line for line in result.output.splitlines() if line.strip()]
    problems, closing = lines[:-1], lines[-1]
    assert closing.endswith("nothing was run") and problems
    key_path, words = EXPECTED[stem]
    pattern = re.compile(rf"^{re.escape(str(file))}:\d+:\d+: (\S+: )?")
    for line in problems:
        assert pattern.match(line), line
    assert any(words in line and (not key_path or f": {key_path}: " in line) for line in problems), problems


@pytest.mark.parametrize("stem, line", [("node-key-typo", 16), ("dangling-next", 16), ("seed-wrong-type", 3),
                                        ("duplicate-key", 25), ("expression-unknown-attribute", 20),
                                        ("resume-live", 27), ("sfmc-unknown-body-field", 27)])
def test_the_line_number_points_at_the_problem(stem, line, tmp_path):
    result = CliRunner().invoke(main, ["validate", str(HERE / f"{stem}.yaml")])
    assert result.exit_code == 2
    assert result.output.splitlines()[0].startswith(f"{HERE / stem}.yaml:{line}:"), result.output


def test_every_problem_of_a_file_is_reported_at_once(tmp_path):
    text = (HERE / "node-key-typo.yaml").read_text()
    text = text.replace("seed: 1", "seed: one").replace("rate: 1/s", "rate: fast")
    file = tmp_path / "three.yaml"
    file.write_text(text)
    result = CliRunner().invoke(main, ["validate", str(file)])
    assert result.exit_code == 2
    problems = result.output.splitlines()[:-1]
    assert len(problems) == 3
    assert {p.split(": ")[1] for p in problems} == {"seed", "journeys[0].nodes.entry.arrivals.rate",
                                                    "journeys[0].nodes.wait_1.duraton"}


def test_a_bad_override_names_the_closest_valid_path():
    result = CliRunner().invoke(main, ["validate", str(HERE.parent / "spec_examples" / "ajo-end-to-end-sample.yaml"),
                                       "--set", "journeys[cart-abandon].nodes.wait_1hh.duration=2h"])
    assert result.exit_code == 2
    assert "closest valid path: journeys[cart-abandon].nodes.wait_1h" in result.output


def test_validate_accepts_a_good_file_and_refuses_a_bad_one():
    good = CliRunner().invoke(main, ["validate", str(HERE.parent.parent / "scenarios" / "quickstart.yaml")])
    bad = CliRunner().invoke(main, ["validate", str(HERE / "unknown-node-type.yaml")])
    assert good.exit_code == 0 and "ok" in good.output
    assert bad.exit_code == 2
