"""The README's and docs/ pages' examples run as written, so the docs cannot rot.

- Every line of a ```sh block is a command a reader can type, and each is checked: `journeysim ...`
  (or `.venv/bin/journeysim ...`) runs and must succeed and write what it says; `make TARGET` must
  be a Makefile target; `. .venv/bin/activate` must be the venv the Makefile makes;
  `pip install 'journeysim[EXTRA]'` must name an extra of pyproject.toml. Lines with placeholders
  (FILE, DIR, ...) are synopses, not commands; the Dask cluster commands are not run here (the
  executor runs on a LocalCluster in tests/test_sweep.py). Any other line fails until this test
  learns how to check it.
- A ```console block is a transcript: each `$ journeysim ...` line runs and prints exactly the
  lines under it; `$ echo $?` is followed by the exit status of the command before it.
- A ```yaml block whose first line is `# NAME.yaml` is a file the page's commands use: it is
  written before they run.
- The printed quickstart summary and the README's Python snippet are what journeysim prints / runs.
- Nothing in README.md or docs/ points outside the repository.
"""

import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT

from journeysim.cli import main

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
README = (ROOT / "README.md").read_text()
BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", flags=re.S | re.M)
BLOCKS = BLOCK.findall(README)
PLACEHOLDERS = ("FILE", "DIR", "A.yaml", "...", "--scheduler")
CLUSTER = ("dask scheduler", "dask worker")
READS = ("scenarios", "docs", "tests", "benchmarks")  # what the commands may read, seen from a scratch folder


def page_blocks(page: Path) -> list[tuple[str, str]]:
    return BLOCK.findall(page.read_text())


def shell_lines(page: Path) -> list[str]:
    lines = []
    for language, body in page_blocks(page):
        if language != "sh":
            continue
        for line in body.replace("\\\n", " ").splitlines():
            command = line.split("  #")[0].strip()
            if command and not command.startswith("#"):
                lines.append(command)
    return lines


def transcripts(page: Path) -> list[list[tuple[str, str]]]:
    """Each ```console block as [(command, expected output)]."""
    found = []
    for language, body in page_blocks(page):
        if language != "console":
            continue
        steps: list[tuple[str, list[str]]] = []
        for line in body.splitlines():
            if line.startswith("$ "):
                steps.append((line[2:], []))
            else:
                assert steps, f"{page.name}: a console block starts with a '$ ' command line"
                steps[-1][1].append(line)
        found.append([(command, "".join(f"{out}\n" for out in output)) for command, output in steps])
    return found


def example_files(page: Path) -> dict[str, str]:
    files = {}
    for language, body in page_blocks(page):
        first = body.splitlines()[0] if body else ""
        if language == "yaml" and re.fullmatch(r"# [\w.-]+\.yaml", first):
            files[first[2:]] = body
    return files


def cli_args(command: str) -> list[str] | None:
    """The arguments of a journeysim command line, or None if it is not one."""
    words = shlex.split(command)
    if words and words[0] in ("journeysim", ".venv/bin/journeysim"):
        return words[1:]
    return None


def commands() -> list[tuple[Path, str]]:
    return [(page, line) for page in PAGES for line in shell_lines(page)]


def in_a_scratch_folder(tmp_path: Path, monkeypatch, page: Path) -> Path:
    """A folder that sees the repository's inputs and takes the commands' out/ folders."""
    for name in READS:
        (tmp_path / name).symlink_to(ROOT / name)
    for name, text in example_files(page).items():
        (tmp_path / name).write_text(text)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run_cli(args: list[str]):
    return CliRunner().invoke(main, args)


def check_outputs(folder: Path, args: list[str]) -> None:
    out = args[args.index("--out") + 1]
    assert out.startswith("out/"), f"examples write under out/, not {out!r}"
    written = {p.name for p in (folder / out).iterdir()}
    expected = {"run": {"summary.json", "timeseries.parquet"} | (set() if "--no-report" in args else {"report.html"}),
                "compare": {"comparison.csv", "comparison.html"},
                "sweep": {"sweep.parquet", "sweep.html"}}[args[0]]
    assert expected <= written, sorted(written)
    if args[0] == "run" and "--no-report" in args:
        assert "report.html" not in written


@pytest.mark.parametrize("page, command", commands(), ids=lambda v: v.name if isinstance(v, Path) else " ".join(v.split()[:3]))
def test_each_shell_command_runs_as_written(tmp_path, monkeypatch, page, command):
    args = cli_args(command.rstrip(" &"))
    if args and args[0] == "serve" and not any(p in command for p in PLACEHOLDERS):
        # runs until stopped: tests/test_server.py drives the same server
        assert (ROOT / args[1]).is_file() and "--speed" in args
        return
    if args is not None:
        if any(p in command for p in PLACEHOLDERS):
            return  # a synopsis (FILE, DIR, ...), not a command to type
        folder = in_a_scratch_folder(tmp_path, monkeypatch, page)
        redirect = args[args.index(">") + 1] if ">" in args else None
        args = args[: args.index(">")] if redirect else args
        result = run_cli([*args, "--quiet"] if args and args[0] in ("run", "compare", "sweep") else args)
        assert result.exit_code == 0, result.output
        if redirect:  # journeysim schema > scenario.schema.json: the committed file is what it prints
            assert result.stdout == (ROOT / redirect).read_text()
        elif "--out" in args:
            check_outputs(folder, args)
        elif args and args[0] == "validate":
            assert ": ok: " in result.output
        return
    words = shlex.split(command)
    makefile = (ROOT / "Makefile").read_text()
    if words[0] == "make":
        for target in words[1:]:
            assert re.search(rf"^{re.escape(target)}:", makefile, re.M), f"no target {target!r} in the Makefile"
    elif words[:2] in ([".", ".venv/bin/activate"], ["source", ".venv/bin/activate"]):
        assert re.search(r"^VENV := \.venv$", makefile, re.M) and "-m venv $(VENV)" in makefile
    elif words[:2] == ["pip", "install"] and re.fullmatch(r"journeysim\[(\w+)\]", words[2]):
        extra = words[2][len("journeysim["):-1]
        extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
        assert extra in extras, f"pyproject.toml has no extra {extra!r}"
    elif words[:3] == ["pip", "install", "-e"] and re.fullmatch(r"\.\[(\w+)\]", words[3]):
        extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
        assert words[3][2:-1] in extras, f"pyproject.toml has no extra {words[3]!r}"
    elif words[0] == "export" and all(w.startswith("JOURNEYSIM_") and "=" in w for w in words[1:]):
        assert all(w.split("=")[0] in (ROOT / "journeysim" / "server" / "auth.py").read_text() for w in words[1:])
    elif words[0] == "curl":  # against the sandbox: the path must be one the server answers
        path = re.search(r"http://127\.0\.0\.1:8787(/[\w/.-]+)", command).group(1)
        assert any(path in f.read_text() for f in (ROOT / "journeysim" / "server").glob("*.py")), path
    elif words[:2] == ["python", "examples/sfmc_pause_automation.py"]:  # tests/test_server.py runs it against serve
        assert (ROOT / words[1]).is_file() and words[1] in (ROOT / "tests" / "test_server.py").read_text()
    elif command.startswith(CLUSTER):
        pass  # needs a cluster of machines; tests/test_sweep.py runs the same executor on a LocalCluster
    else:
        pytest.fail(f"{page.name}: no way to check {command!r}: make it runnable here, or teach tests/test_readme.py")


@pytest.mark.parametrize("page", [p for p in PAGES if transcripts(p)], ids=lambda p: p.name)
def test_each_transcript_prints_what_it_shows(tmp_path, monkeypatch, page):
    in_a_scratch_folder(tmp_path, monkeypatch, page)
    for transcript in transcripts(page):
        status = None
        for command, expected in transcript:
            if command == "echo $?":
                assert expected == f"{status}\n", f"{page.name}: the command before 'echo $?' exited {status}"
                continue
            args = cli_args(command)
            assert args is not None, f"{page.name}: a transcript runs journeysim commands, not {command!r}"
            result = run_cli(args)
            status = result.exit_code
            assert result.output == expected, f"$ {command}"


def test_the_readme_shows_a_refused_scenario_that_exists():
    """The validate example names a real broken file and shows exit status 2."""
    steps = [step for t in transcripts(ROOT / "README.md") for step in t]
    validate = [command for command, _ in steps if command.startswith("journeysim validate ")]
    assert validate and all((ROOT / shlex.split(c)[2]).is_file() for c in validate)
    assert ("echo $?", "2\n") in steps


def test_the_readme_says_how_to_put_journeysim_on_the_path_before_its_first_command():
    """`make` installs into .venv/, which is not on PATH: the first bare `journeysim` line comes after activating it."""
    lines = shell_lines(ROOT / "README.md")
    first = next(i for i, line in enumerate(lines) if line.startswith("journeysim "))
    assert ". .venv/bin/activate" in lines[:first]
    assert "`.venv/bin/journeysim`" in README


def test_the_readme_has_runnable_commands():
    runnable = [c for page, c in commands() if cli_args(c) is not None and not any(p in c for p in PLACEHOLDERS)]
    for verb in ("run", "validate", "compare", "sweep", "schema"):
        assert any(cli_args(c)[0] == verb for c in runnable), verb
    assert any("--no-report" in c for c in runnable)


def test_nothing_in_the_docs_points_outside_the_repository():
    """README.md and docs/ stand alone: a clone has no shared/ folder beside it."""
    files = [ROOT / "README.md", *(p for p in (ROOT / "docs").rglob("*") if p.is_file() and p.suffix != ".png")]
    offenders = [f"{p.relative_to(ROOT)}:{n}" for p in files for n, line in enumerate(p.read_text().splitlines(), 1)
                 if "shared/" in line]
    assert not offenders, offenders


def test_no_file_of_the_repository_reads_the_team_folder():
    """No code, test or doc depends on a folder beside the checkout."""
    needles = ("../" + "shared", "shared" + "/spec", "shared" + "/seeds")
    skip = {".git", ".venv", "out", "node_modules", "__pycache__"}
    offenders = []
    for path in ROOT.rglob("*"):
        if not path.is_file() or skip & set(path.relative_to(ROOT).parts) or path.suffix in (".png", ".parquet"):
            continue
        try:
            text = path.read_text()
        except (UnicodeDecodeError, OSError):
            continue
        offenders += [str(path.relative_to(ROOT)) for needle in needles if needle in text]
    assert not offenders, sorted(set(offenders))


def test_the_notebook_extra_brings_jupyterlab_and_make_notebook_opens_the_notebooks():
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert any(d.startswith("jupyterlab") for d in extras["notebook"])
    assert not any(d.startswith("jupyterlab") for d in extras["dev"]), "keep the dev install fast"
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^notebook:.*\n((?:\t.*\n)+)", makefile, re.M)
    assert recipe and "jupyter lab notebooks/" in recipe.group(1)
    assert ".[dev,notebook]" in makefile


def test_the_printed_quickstart_summary_is_what_journeysim_prints(tmp_path, monkeypatch):
    in_a_scratch_folder(tmp_path, monkeypatch, ROOT / "README.md")
    printed = next(body for language, body in BLOCKS if body.startswith("quickstart  (seed"))
    result = CliRunner().invoke(main, ["run", "scenarios/quickstart.yaml", "--out", "out/quickstart"])
    assert result.exit_code == 0, result.output
    assert result.stdout.split("\nwrote ")[0].rstrip() + "\n" == printed


def test_the_python_snippet_runs(tmp_path, monkeypatch):
    in_a_scratch_folder(tmp_path, monkeypatch, ROOT / "README.md")
    snippet = next(body for language, body in BLOCKS if language == "python" and "journeysim.load" in body)
    done = subprocess.run([sys.executable, "-c", snippet], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "MPLBACKEND": "Agg"})
    assert done.returncode == 0, done.stderr
