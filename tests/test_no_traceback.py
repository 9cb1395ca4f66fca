"""Issue 10 item 7: inputs that used to end in a traceback are an exit-2 message (or exit 130 for Ctrl-C).
Integers past Python's 4,300-digit limit, 3,000 nested brackets and alias bombs in --set, and a
billion-laughs file given to sweep."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import linear_journey, scenario

from journeysim.cli import main

ROOT = Path(__file__).parent.parent
HUGE = "9" * 5000
BOMB = "[&a [x, x, x, x, x, x, x, x, x, x], " + ", ".join(
    f"&{b} [{', '.join([f'*{a}'] * 10)}]" for a, b in zip("abcdefgh", "bcdefghi")) + "]"


@pytest.fixture
def small(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(scenario(linear_journey(count=10), size=20, duration="300s")))
    return path


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def refused(result, words):
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit) and "Traceback" not in result.output
    assert words in result.output, result.output
    assert len(max(result.output.splitlines(), key=len)) < 300, "one problem stays one readable line"


@pytest.mark.parametrize("where", ["seed", "population size", "a mapping value", "a duration", "description list"])
def test_an_integer_of_five_thousand_digits_in_the_file_is_refused(tmp_path, where):
    doc = scenario(linear_journey())
    text = yaml.safe_dump(doc)
    replacement = {"seed": ("seed: 1", f"seed: {HUGE}"), "population size": ("size: 1000", f"size: {HUGE}"),
                   "a mapping value": ("name: test", f"name: test\ndescription: {{a: {HUGE}}}"),
                   "a duration": ("fixed: 100s", f"fixed: {HUGE}"),
                   "description list": ("name: test", f"name: test\ndescription: [1, {HUGE}]")}[where]
    assert replacement[0] in text
    path = tmp_path / "s.yaml"
    path.write_text(text.replace(*replacement, 1))
    refused(cli("validate", path), "a number of 5,000 characters: at most 100 digits")


def test_an_integer_of_five_thousand_digits_in_set_seed_or_a_sweep_file_is_refused(small, tmp_path):
    refused(cli("validate", small, "--set", f"seed={HUGE}"), "--set:1:1: seed: a number of 5,000 characters")
    refused(cli("run", small, "--out", tmp_path / "o", "--seed", HUGE), "--seed")
    sweep_file = tmp_path / "sweep.yaml"
    sweep_file.write_text(f"scenario: {small.name}\ngrid:\n  seed: [1, {HUGE}]\n")
    refused(cli("sweep", sweep_file, "--out", tmp_path / "o"), "a number of 5,000 characters")
    refused(cli("sweep", small, "--grid", f"seed=1,{HUGE}", "--out", tmp_path / "o"), "a number of 5,000 characters")
    assert not (tmp_path / "o").exists()


def test_three_thousand_nested_brackets_in_set_are_refused(small):
    refused(cli("validate", small, "--set", "description=" + "[" * 3000 + "]" * 3000), "nested more than 64 levels")
    refused(cli("validate", small, "--set", "description=" + "{a: " * 3000), "nested more than 64 levels")


def test_an_alias_bomb_in_set_is_refused_like_one_in_the_file(small):
    refused(cli("validate", small, "--set", f"description={BOMB}"), "values once aliases are expanded")


def test_sweep_on_a_billion_laughs_file_is_refused_without_walking_it(tmp_path):
    """The run keys hash the files a scenario names; that scan reads the file through the bounded loader."""
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(f"name: x\ndescription: {BOMB}\n")
    done = subprocess.run([sys.executable, "-m", "journeysim", "sweep", str(bomb), "--grid", "seed=1,2", "--out",
                           str(tmp_path / "o")], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "values once aliases are expanded" in done.stderr


def test_ctrl_c_while_the_libraries_load_is_one_line_and_exit_130(tmp_path):
    """SIGINT as soon as numpy starts loading (python -X importtime reports its first module)."""
    child = subprocess.Popen([sys.executable, "-X", "importtime", "-m", "journeysim", "run",
                              str(ROOT / "scenarios" / "quickstart.yaml"), "--out", str(tmp_path / "o")],
                             stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=tmp_path)
    seen = []
    for line in child.stderr:
        seen.append(line)
        if "numpy" in line:
            child.send_signal(signal.SIGINT)
            break
    _, rest = child.communicate(timeout=60)
    stderr = "".join(seen) + rest
    assert child.returncode == 130, stderr[-2000:]
    messages = [line for line in stderr.splitlines() if not line.startswith("import time:") and line.strip()]
    assert messages == ["journeysim: interrupted; nothing more was written"], messages
    assert not (tmp_path / "o").exists()
    assert os.path.exists(ROOT / "scenarios" / "quickstart.yaml")
