"""Issue 10 item 8: messages stay short and blame the right thing. A 100,000-character value is
echoed as at most 80 characters, a wrong node type lists the valid types once, a dotted list index
in --set works, a bad --grid value is the grid's, and numpy never prints an overflow warning."""

import warnings

import pytest
import yaml
from click.testing import CliRunner
from conftest import linear_journey, scenario

from journeysim.cli import main


def write(tmp_path, doc, name="s.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc, sort_keys=False, width=10**7))
    return path


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def problem_lines(result) -> list[str]:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    return result.stderr.splitlines()[:-1]


@pytest.mark.parametrize("where", ["type", "next", "node name"])
def test_a_100000_character_value_is_echoed_as_at_most_80(tmp_path, where):
    long = "x" * 100_000
    doc = scenario(linear_journey())
    nodes = doc["journeys"][0]["nodes"]
    if where == "type":
        nodes["done"]["type"] = long
    elif where == "next":
        nodes["send"]["next"] = long
    else:
        nodes[long] = {"type": "end", "next": "done"}
    lines = problem_lines(cli("validate", write(tmp_path, doc)))
    assert lines and all(len(line) < 400 for line in lines), [len(line) for line in lines]
    assert all("x" * 81 not in line for line in lines)


def test_a_wrong_node_type_gets_one_short_line_listing_the_types(tmp_path):
    doc = scenario(linear_journey())
    doc["journeys"][0]["nodes"]["done"]["type"] = "finsh"
    lines = problem_lines(cli("validate", write(tmp_path, doc)))
    assert len(lines) == 1 and len(lines[0]) < 400
    assert "unknown node type 'finsh'" in lines[0]
    assert "a node type is one of event, " in lines[0] and lines[0].endswith(", end")


def test_set_with_a_dotted_list_index_names_the_item(tmp_path):
    """journeys.0.nodes.wait.duration is journeys[0].nodes.wait.duration (it used to say index 0 is out of range)."""
    path = write(tmp_path, scenario(linear_journey()))
    ok = cli("validate", path, "--set", "journeys.0.nodes.wait.duration=5s")
    assert ok.exit_code == 0, ok.output
    bad = cli("validate", path, "--set", "journeys.0.nodes.wait.duration=soon")
    assert "--set:1:1: journeys[0].nodes.wait.duration: cannot read duration 'soon'" in bad.stderr
    lines = problem_lines(cli("validate", path, "--set", "journeys.3.key=x"))
    assert "index 3 is out of range: the list has 1 item (0 to 0)" in lines[0]


def test_a_bad_grid_value_is_blamed_on_grid_and_a_bad_set_on_set(tmp_path):
    path = write(tmp_path, scenario(linear_journey()))
    result = cli("sweep", path, "--grid", "journeys[j].nodes.wait.duration=5s,soon", "--set", "org.resume_rate=fast",
                 "--out", tmp_path / "o")
    lines = problem_lines(result)
    assert any(line.startswith("--grid:1:1: journeys[0].nodes.wait.duration: cannot read duration 'soon'") for line in lines), lines
    assert any(line.startswith("--set:1:1: org.resume_rate: ") for line in lines), lines
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("when", ["flag * 1.0e308 * 10 > 1", "flag / 0 > 1", "flag * 99999999999999999999 > 1",
                                  "flag < " + "9" * 400])
def test_arithmetic_that_overflows_warns_nothing_and_compares_as_infinity(simulate, when):
    journey = linear_journey(count=20)
    journey["nodes"]["wait"]["next"] = "check"
    journey["nodes"]["check"] = {"type": "condition", "branches": [{"when": when, "next": "send"}, {"otherwise": "done"}]}
    doc = scenario(journey, size=50, attributes={"flag": {"constant": 1}})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = simulate(doc, events=False)
    assert [str(w.message) for w in caught] == []
    sent = result.summary["journeys"]["j"]["actions"].get("send", 0)
    assert sent == 20  # 1 * inf > 1, 1 / 0 = inf > 1, 1e20 > 1, 1 < 10**400: every one of the 20 is sent


# ---------------------------------------------------------------- issue 10 item 11: messages that say the fix


def branching(when: str, **population) -> dict:
    journey = linear_journey(count=20)
    journey["nodes"]["wait"]["next"] = "check"
    journey["nodes"]["check"] = {"type": "condition", "branches": [{"when": when, "next": "send"}, {"otherwise": "done"}]}
    return scenario(journey, size=50, attributes={"country": {"choice": {"FR": 0.5, "US": 0.5}}}, **population)


@pytest.mark.parametrize("when, effect", [
    ("country == 'DE'", "this comparison is always false"),
    ("'DE' != country", "this comparison is always true"),
    ("country in ['FR', 'DE']", "that value never matches"),
])
def test_comparing_with_a_value_the_population_never_holds_is_a_warning(tmp_path, when, effect):
    result = cli("validate", write(tmp_path, branching(when)))
    assert result.exit_code == 0, result.output
    warning = [line for line in result.stderr.splitlines() if "warning:" in line]
    assert len(warning) == 1, result.stderr
    assert ": journeys[0].nodes.check.branches[0].when: warning: country never holds 'DE' in this population " \
           "(it holds 'FR', 'US'): " + effect in warning[0]


def test_a_value_the_population_file_holds_is_no_warning_and_one_it_lacks_is(tmp_path):
    (tmp_path / "people.csv").write_text("profile_id,country\n0,FR\n1,DE\n")
    doc = branching("country == 'DE'")
    doc["population"] = {"file": "people.csv"}
    assert "warning" not in cli("validate", write(tmp_path, doc)).stderr
    doc["journeys"][0]["nodes"]["check"]["branches"][0]["when"] = "country == 'IT'"
    result = cli("run", write(tmp_path, doc), "--out", tmp_path / "o", "-q", "--no-report")
    assert result.exit_code == 0 and "country never holds 'IT' in this population (it holds 'DE', 'FR')" in result.stderr


def test_a_key_from_elsewhere_gets_the_did_you_mean_of_this_place(tmp_path):
    """wait nodes take 'duration'; 'durations' is close to it (a key no node has)."""
    doc = scenario(linear_journey())
    doc["journeys"][0]["nodes"]["wait"]["durations"] = doc["journeys"][0]["nodes"]["wait"].pop("duration")
    lines = problem_lines(cli("validate", write(tmp_path, doc)))
    assert any("journeys[0].nodes.wait.durations: unknown key 'durations' (did you mean 'duration'?)" in line for line in lines)
