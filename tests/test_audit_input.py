"""Input audit (mutated scenarios and SFMC exports): cases that used to end in a traceback, exit 1,
an invalid imported scenario or a half-written output. Each test fails on the code before its fix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from journeysim.cli import main

ROOT = Path(__file__).parent.parent
WELCOME = ROOT / "tests" / "fixtures" / "sfmc" / "welcome-all-types.json"


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def ok(result):
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output


# ---------------------------------------------------------------- rates at the edges of float and int64

@pytest.mark.parametrize("rate", ["10000000000000000000000/s", "0.0000000000000000000001/s"])
def test_a_read_rate_past_int64_ticks_runs(rate, tmp_path):
    """A read_rate of 1e22/s used to overflow int64 (OverflowError), one of 1e-22/s to wrap negative (ValueError)."""
    out = tmp_path / "out"
    ok(cli("run", ROOT / "scenarios" / "black-friday-caps.yaml", "--out", out, "--no-report", "-q",
           "--set", f"journeys[0].nodes.read.read_rate={rate}", "--set", "population.size=2000"))
    assert json.loads((out / "summary.json").read_text())["conservation"]["ok"]


@pytest.mark.parametrize("rate", ["10000000000000000000000/s", "0.0000000000000000000001/s"])
def test_a_resume_rate_past_int64_ticks_runs(rate, tmp_path):
    out = tmp_path / "out"
    ok(cli("run", ROOT / "scenarios" / "quickstart.yaml", "--out", out, "--no-report", "-q",
           "--set", f"org.resume_rate={rate}", "--set", "population.size=20000", "--set", "journeys[0].nodes.add_to_cart.arrivals.rate=1/s"))
    summary = json.loads((out / "summary.json").read_text())
    assert summary["conservation"]["ok"]


# ---------------------------------------------------------------- imports that wrote a scenario that did not read back

def _export(tmp_path, change) -> Path:
    definition = json.loads(WELCOME.read_text())
    change(definition)
    path = tmp_path / "journey.json"
    path.write_text(json.dumps(definition, ensure_ascii=False))
    return path


def _imported_runs(path: Path, tmp_path) -> dict:
    scenario = tmp_path / "imported.yaml"
    ok(cli("import", "sfmc", path, "-o", scenario, "--population", "300", "-q"))
    ok(cli("validate", scenario))
    ok(cli("run", scenario, "--out", tmp_path / "out", "--no-report", "-q"))
    return yaml.safe_load(scenario.read_text())


@pytest.mark.parametrize("key", ["welcome\u2028series", "welcome\nseries", "welcome\x85series", "welcome\x7fseries"])
def test_a_journey_key_with_a_line_break_or_a_control_character_imports_and_runs(key, tmp_path):
    """The key went raw into a header comment and the pause comment: YAML broke the comment line (exit 2,
    'the imported scenario does not validate (an importer bug...)')."""
    def change(d):
        d["key"] = key
    assert _imported_runs(_export(tmp_path, change), tmp_path)["journeys"][0]["key"] == key


def test_an_activity_key_and_name_with_yaml_line_breaks_read_back_as_the_same_key(tmp_path):
    """A raw U+2028 or NEL inside a double-quoted node id is folded by YAML into a space: the node id changed."""
    key = "WAIT\u2028\x85\x7f1"

    def change(d):
        d["activities"][1]["key"] = key
        d["activities"][0]["outcomes"][0]["next"] = key
        d["activities"][1]["name"] = "two\x07days\u2029later"
    data = _imported_runs(_export(tmp_path, change), tmp_path)
    assert key in data["journeys"][0]["nodes"]
    assert data["journeys"][0]["nodes"]["EMAILV2-1"]["next"] == key


def test_a_long_journey_key_of_letters_is_text_not_a_number(tmp_path):
    """'xxx…' (101+ characters of x, e, b, o) was refused as 'a number of 10,000 characters'."""
    def change(d):
        d["key"] = "x" * 200
    assert _imported_runs(_export(tmp_path, change), tmp_path)["journeys"][0]["key"] == "x" * 200


def test_a_long_plain_text_of_letters_in_a_scenario_is_not_called_a_number(tmp_path):
    text = (ROOT / "scenarios" / "quickstart.yaml").read_text().replace("name: quickstart", "name: " + "e" * 150)
    path = tmp_path / "s.yaml"
    path.write_text(text)
    result = cli("validate", path)
    assert "a number of" not in result.output, result.output
    ok(result)


@pytest.mark.parametrize("version", [1e308, 3.7, -1, 0, "two", True])
def test_a_version_that_is_not_a_whole_number_from_one_is_a_warning_and_version_one(version, tmp_path):
    """1e308 became a 309-digit version the loader refuses (an 'importer bug' exit 2); 3.7, -1, 0 were
    changed quietly."""
    def change(d):
        d["version"] = version
    path = _export(tmp_path, change)
    scenario = tmp_path / "imported.yaml"
    result = cli("import", "sfmc", path, "-o", scenario, "--population", "300")
    ok(result)
    assert "warning: $.version:" in result.output and "version 1 is assumed" in result.output
    assert yaml.safe_load(scenario.read_text())["journeys"][0]["version"] == 1
    strict = cli("import", "sfmc", path, "-o", tmp_path / "strict.yaml", "--strict")
    assert strict.exit_code == 2 and "$.version" in strict.output and not (tmp_path / "strict.yaml").exists()


def test_a_lone_surrogate_in_the_export_is_refused_naming_its_path(tmp_path):
    """JSON's "\\ud800" became a key the loader could not read (an 'importer bug' exit 2)."""
    path = tmp_path / "journey.json"
    path.write_text(WELCOME.read_text().replace('"key": "welcome-all-types"', '"key": "welcome\\ud800"', 1))
    result = cli("import", "sfmc", path, "-o", tmp_path / "s.yaml")
    assert result.exit_code == 2 and "$.key: text holding a lone UTF-16 surrogate" in result.output, result.output
    assert "importer bug" not in result.output and not (tmp_path / "s.yaml").exists()


# ---------------------------------------------------------------- arithmetic on yes/no attributes

@pytest.mark.parametrize("when, push", [("-has_app < 0", True), ("has_app - has_app == 0", None), ("True - False == 1", None),
                                        ("-has_app", True)])
def test_minus_on_a_yes_no_attribute_counts_it_as_one_or_zero(when, push, tmp_path):
    """numpy refuses - on booleans: '-has_app' or 'has_app - has_app' validated, then the run ended in a TypeError
    traceback (exit 1). has_app + 1 already counted true as 1; now - does too."""
    out = tmp_path / "out"
    ok(cli("run", ROOT / "scenarios" / "quickstart.yaml", "--out", out, "--no-report", "-q", "--set", "population.size=500",
           "--set", f"journeys[cart-abandon].nodes.has_app.branches[0].when={when}"))
    actions = json.loads((out / "summary.json").read_text())["journeys"]["cart-abandon"]["actions"]
    if push is None:
        assert actions["email"] == 0
    else:
        assert 0 < actions["push"] < 500


# ---------------------------------------------------------------- numbers at the edges in an export or a generator

def _wait_1(d, amount, unit="MINUTES"):
    wait = next(a for a in d["activities"] if a["key"] == "WAIT-1")
    wait["configurationArguments"].update(waitDuration=amount, waitUnit=unit)


@pytest.mark.parametrize("amount, unit, seconds", [(52142.9, "MINUTES", "3128574s"), (1e-300, "DAYS", "0s"),
                                                   (5e-324, "MONTHS", "0s"), (1.5, "MINUTES", "90s")])
def test_a_wait_of_an_odd_length_is_written_in_plain_digits(amount, unit, seconds, tmp_path):
    """'{:g}' wrote 3.12857e+06s and 8.64e-296s: the import ended in a ValueError traceback (exit 1)."""
    data = _imported_runs(_export(tmp_path, lambda d: _wait_1(d, amount, unit)), tmp_path)
    assert data["journeys"][0]["nodes"]["WAIT-1"]["duration"] == {"fixed": seconds}


def test_a_send_time_window_of_a_tiny_number_of_hours_imports(tmp_path):
    def change(d):
        next(a for a in d["activities"] if a["key"] == "STOWAIT-1")["configurationArguments"]["params"]["slidingWindowHours"] = 1e-9
    data = _imported_runs(_export(tmp_path, change), tmp_path)
    assert data["journeys"][0]["nodes"]["STOWAIT-1"]["duration"] == {"uniform": ["0s", "0s"]}


def test_split_percentages_whose_sum_overflows_are_an_even_split_with_a_warning(tmp_path):
    """1e308 + 1e308 overflowed math.fsum: OverflowError traceback (exit 1)."""
    def change(d):
        for outcome in next(a for a in d["activities"] if a["key"] == "RANDOMSPLIT-1")["outcomes"]:
            outcome["arguments"]["percentage"] = 1e308
    path = _export(tmp_path, change)
    result = cli("import", "sfmc", path, "-o", tmp_path / "s.yaml", "--population", "300")
    ok(result)
    assert "add up to inf" in result.output and "an even split is assumed" in result.output


@pytest.mark.parametrize("generator", ["{choice: {99999999999999991611392: 0.5, 3: 0.5}}", "{constant: 99999999999999999999999}",
                                       "{uniform: [0, 99999999999999999999999]}"])
def test_a_whole_number_past_64_bits_in_a_generator_is_a_number(generator, tmp_path):
    """Held as a Python object, the column read as text: 'x > 5' validated, then the run ended in
    ExpressionError 'cannot order text against a number' (or numpy's 'high is out of bounds'), exit 1."""
    ok(cli("run", ROOT / "scenarios" / "quickstart.yaml", "--out", tmp_path / "out", "--no-report", "-q",
           "--set", "population.size=500", "--set", f"population.attributes.x={generator}",
           "--set", "journeys[cart-abandon].nodes.has_app.branches[0].when=x > 5"))


@pytest.mark.parametrize("bounds", ["[0, .inf]", "[-1.0e+308, 1.0e+308]", "[-.inf, 0]"])
def test_a_uniform_generator_over_an_infinite_span_is_refused_naming_the_key(bounds, tmp_path):
    """numpy's OverflowError 'high - low range exceeds valid bounds' ended the run (exit 1)."""
    result = cli("run", ROOT / "scenarios" / "quickstart.yaml", "--out", tmp_path / "out", "--no-report", "-q",
                 "--set", f"population.attributes.x={{uniform: {bounds}}}")
    assert result.exit_code == 2 and "population.attributes.x: uniform needs a finite low and high" in result.output, result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("length", [1000, 1100])
def test_an_activity_key_and_a_compared_value_past_yaml_key_length_import_and_run(length, tmp_path):
    """YAML reads ``key: value`` keys only up to 1,024 characters: a longer activity key (a node id) or a value
    a decision compares (a key of the attribute's choice) made a scenario that did not read back ('importer bug')."""
    key, value = "K" * length, "Z" * length

    def change(d):
        d["activities"][1]["key"] = key
        d["activities"][0]["outcomes"][0]["next"] = key
        text = json.dumps(d).replace("<![CDATA[FR]]>", f"<![CDATA[{value}]]>")
        d.clear()
        d.update(json.loads(text))
    data = _imported_runs(_export(tmp_path, change), tmp_path)
    assert data["journeys"][0]["nodes"]["EMAILV2-1"]["next"] == key and key in data["journeys"][0]["nodes"]
    compared = any(value in str(spec) for spec in data["population"]["attributes"].values())
    assert compared == (length <= 1000)  # longer than a profile's text may be: a generated yes/no column, with a warning


def test_a_compared_value_longer_than_a_profile_value_may_be_is_a_warning(tmp_path):
    def change(d):
        text = json.dumps(d).replace("<![CDATA[FR]]>", f"<![CDATA[{'Z' * 1100}]]>")
        d.clear()
        d.update(json.loads(text))
    result = cli("import", "sfmc", _export(tmp_path, change), "-o", tmp_path / "s.yaml")
    ok(result)
    assert "a Value of 1,100 characters, more than 1,000; modelled as a generated yes/no column" in result.output
