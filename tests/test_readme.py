"""The README's examples run as written, so the docs cannot rot: the printed quickstart summary, the
Python snippet, and every complete `journeysim` command of its shell blocks (not the synopsis lines
with FILE/DIR placeholders, and not the cluster command, whose executor tests/test_sweep.py runs on
a LocalCluster)."""

import os
import re
import shlex
import subprocess
import sys

import pytest
from click.testing import CliRunner
from conftest import ROOT

from journeysim.cli import main

README = (ROOT / "README.md").read_text()
BLOCKS = re.findall(r"^```(\w*)\n(.*?)^```", README, flags=re.S | re.M)
PLACEHOLDERS = ("FILE", "DIR", "A.yaml", "--scheduler")


def shell_commands() -> list[str]:
    commands = []
    for language, body in BLOCKS:
        if language != "sh":
            continue
        for line in body.replace("\\\n", " ").splitlines():
            command = line.split("  #")[0].strip()
            serves = command.startswith("journeysim serve ")  # a server: tests/test_server.py runs the example against it
            if command.startswith("journeysim ") and not serves and not any(p in command for p in PLACEHOLDERS):
                commands.append(command)
    return commands


@pytest.fixture
def in_a_copy(tmp_path, monkeypatch):
    """A folder that sees the repository's scenarios/ and takes the commands' out/ folders."""
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_printed_quickstart_summary_is_what_journeysim_prints(in_a_copy):
    printed = next(body for language, body in BLOCKS if body.startswith("quickstart  (seed"))
    result = CliRunner().invoke(main, ["run", "scenarios/quickstart.yaml", "--out", "out/quickstart"])
    assert result.exit_code == 0, result.output
    assert result.stdout.split("\nwrote ")[0].rstrip() + "\n" == printed


def test_the_python_snippet_runs(in_a_copy):
    snippet = next(body for language, body in BLOCKS if language == "python" and "journeysim.load" in body)
    done = subprocess.run([sys.executable, "-c", snippet], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "MPLBACKEND": "Agg"})
    assert done.returncode == 0, done.stderr


def test_the_readme_has_runnable_commands():
    commands = shell_commands()
    assert any(c.startswith("journeysim compare ") for c in commands)
    assert any(c.startswith("journeysim sweep ") for c in commands)


@pytest.mark.parametrize("command", shell_commands(), ids=lambda c: " ".join(c.split()[:2]))
def test_each_shell_command_runs_as_written(in_a_copy, command):
    args = shlex.split(command)[1:]
    redirect = args[args.index(">") + 1] if ">" in args else None
    args = args[: args.index(">")] if redirect else args
    result = CliRunner().invoke(main, [*args, "--quiet"] if args[0] in ("run", "compare", "sweep") else args)
    assert result.exit_code == 0, result.output
    if redirect:  # journeysim schema > scenario.schema.json: the committed file is what it prints
        assert result.stdout == (ROOT / redirect).read_text()
    else:
        out = in_a_copy / args[args.index("--out") + 1]
        assert any(out.glob("*.html")), sorted(p.name for p in out.iterdir())
