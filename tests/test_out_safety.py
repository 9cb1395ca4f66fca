"""--out never loses a user's file: a folder journeysim did not write is refused (exit 2) unless
--force, an input's own folder always; links are never written through; an unwritable target is
refused before the run. ``journeysim report DIR`` on a broken folder is a message, not a traceback."""

import json
import os
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import linear_journey, scenario

from journeysim.cli import main
from journeysim.outputs import folder as folder_module
from journeysim.outputs.folder import MANIFEST


@pytest.fixture
def project(tmp_path):
    """p/s.yaml (a 100-profile, 500 s scenario) and p/res/notes.txt, the user's."""
    (tmp_path / "p" / "res").mkdir(parents=True)
    (tmp_path / "p" / "s.yaml").write_text(yaml.safe_dump(scenario(linear_journey(count=20), size=100, duration="500s")))
    (tmp_path / "p" / "res" / "notes.txt").write_text("mine")
    return tmp_path / "p"


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def refused(result, words):
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    assert words in result.stderr, result.stderr
    return result


def leftovers(where: Path) -> list[str]:
    return sorted(p.name for p in where.iterdir() if ".old." in p.name or p.name.startswith("."))


def test_a_users_file_in_out_survives_run(project):
    refused(cli("run", project / "s.yaml", "--out", project / "res", "-q", "--no-report"), "did not write ('notes.txt')")
    assert [p.name for p in (project / "res").iterdir()] == ["notes.txt"] and (project / "res" / "notes.txt").read_text() == "mine"


def test_a_users_file_in_out_survives_compare(project):
    result = cli("compare", project / "s.yaml", "--variant", "b:seed=2", "--out", project / "res", "-q")
    refused(result, "did not write ('notes.txt')")
    assert [p.name for p in (project / "res").iterdir()] == ["notes.txt"]


def test_a_users_file_in_out_survives_sweep(project):
    refused(cli("sweep", project / "s.yaml", "--grid", "seed=1,2", "--out", project / "res", "-q"), "did not write")
    assert [p.name for p in (project / "res").iterdir()] == ["notes.txt"]


def test_force_replaces_a_folder_holding_other_files(project):
    result = cli("run", project / "s.yaml", "--out", project / "res", "-q", "--no-report", "--force")
    assert result.exit_code == 0, result.output
    assert not (project / "res" / "notes.txt").exists() and (project / "res" / "summary.json").is_file()


def test_a_previous_output_is_replaced_and_its_manifest_lists_what_was_written(project):
    out = project / "out"
    for _ in range(2):
        result = cli("run", project / "s.yaml", "--out", out, "-q", "--no-report")
        assert result.exit_code == 0, result.output
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["files"] == ["summary.json", "timeseries.parquet"]
    assert sorted(p.name for p in out.iterdir()) == sorted([MANIFEST, "summary.json", "timeseries.parquet"])
    assert leftovers(project) == []
    compared = project / "cmp"
    for _ in range(2):
        assert cli("compare", project / "s.yaml", "--variant", "b:seed=2", "--out", compared, "-q").exit_code == 0
    assert "comparison.csv" in json.loads((compared / MANIFEST).read_text())["files"]


def test_a_file_added_to_a_previous_output_makes_it_the_users(project):
    out = project / "out"
    assert cli("run", project / "s.yaml", "--out", out, "-q", "--no-report").exit_code == 0
    (out / "analysis.ipynb").write_text("{}")
    refused(cli("run", project / "s.yaml", "--out", out, "-q", "--no-report"), "'analysis.ipynb'")
    assert (out / "analysis.ipynb").read_text() == "{}"


@pytest.mark.parametrize("target", ["scenario folder", "its parent"])
def test_the_scenarios_own_folder_or_an_ancestor_is_refused_even_with_force(project, target):
    out = project if target == "scenario folder" else project.parent
    refused(cli("run", project / "s.yaml", "--out", out, "-q", "--force"), "holds the input file")
    assert (project / "s.yaml").is_file() and (project / "res" / "notes.txt").is_file()


@pytest.mark.parametrize("out", [".", "", "..", "./"])
def test_the_current_folder_an_ancestor_or_an_empty_name_is_refused_and_nothing_is_left_behind(project, out, monkeypatch):
    work = project / "res"
    monkeypatch.chdir(work)
    refused(cli("run", project / "s.yaml", "--out", out, "-q", "--force"), "name a new folder")
    assert sorted(p.name for p in work.iterdir()) == ["notes.txt"] and leftovers(project) == []


def test_a_symlinked_out_is_refused_and_its_target_untouched(project):
    link = project / "link"
    link.symlink_to(project / "res")
    refused(cli("run", project / "s.yaml", "--out", link, "-q", "--force"), "symbolic link")
    assert link.is_symlink() and [p.name for p in (project / "res").iterdir()] == ["notes.txt"]


def test_a_dangling_symlink_is_refused_before_the_run(project):
    (project / "dangling").symlink_to(project / "nowhere")
    refused(cli("run", project / "s.yaml", "--out", project / "dangling", "-q"), "symbolic link")
    assert not (project / "nowhere").exists()


def test_a_parent_that_is_a_file_is_refused_before_the_run(project, monkeypatch):
    ran = []
    monkeypatch.setattr("journeysim.api.run", lambda *a, **k: ran.append(1))
    refused(cli("run", project / "s.yaml", "--out", project / "res" / "notes.txt" / "out", "-q"), "is a file, not a folder")
    refused(cli("run", project / "s.yaml", "--out", project / "res" / "notes.txt", "-q"), "is a file")
    assert ran == []


def test_an_unwritable_place_is_refused_before_the_run(project, monkeypatch):
    """/proc takes no new folder (as a read-only filesystem): refused with the reason, nothing run."""
    ran = []
    monkeypatch.setattr("journeysim.api.run", lambda *a, **k: ran.append(1))
    refused(cli("run", project / "s.yaml", "--out", "/proc/journeysim-out", "-q"), "cannot write in /proc")
    assert ran == []


def test_a_failed_move_restores_the_previous_output_and_leaves_no_old_folder(project, monkeypatch):
    out = project / "out"
    assert cli("run", project / "s.yaml", "--out", out, "-q", "--no-report").exit_code == 0
    before = (out / "summary.json").read_bytes()
    real_replace = os.replace
    calls = []

    def failing_second_move(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(16, "Device or resource busy")
        return real_replace(src, dst)

    staging = project / "staging"
    staging.mkdir()
    (staging / "summary.json").write_text("{}")
    monkeypatch.setattr(folder_module.os, "replace", failing_second_move)
    with pytest.raises(OSError):
        folder_module.replace_folder(staging, out)
    assert (out / "summary.json").read_bytes() == before
    assert not [p for p in project.iterdir() if ".old." in p.name]


def test_report_never_writes_through_a_symlinked_report_html(project):
    out = project / "out"
    assert cli("run", project / "s.yaml", "--out", out, "-q").exit_code == 0
    target = project / "res" / "notes.txt"
    (out / "report.html").unlink()
    (out / "report.html").symlink_to(target)
    result = cli("report", out)
    assert result.exit_code == 0, result.output
    assert target.read_text() == "mine"
    assert not (out / "report.html").is_symlink() and "<html" in (out / "report.html").read_text()


@pytest.mark.parametrize("damage, words", [
    ("tampered", "not a journeysim summary"),
    ("not-journeysim", "not a journeysim summary"),
    ("empty", "not valid JSON"),
    ("non-utf8", "not UTF-8"),
    ("missing", "holds no summary.json"),
])
def test_report_on_a_damaged_summary_is_a_message(project, damage, words):
    """Item 7: report DIR on a tampered, empty, non-UTF-8 or missing summary.json exits 2 with a message."""
    out = project / "out"
    assert cli("run", project / "s.yaml", "--out", out, "-q", "--no-report").exit_code == 0
    summary = out / "summary.json"
    data = json.loads(summary.read_text())
    if damage == "tampered":
        first = next(iter(data["journeys"].values()))
        first["pauses"] = "nonsense"
        first.pop("entered")
        summary.write_text(json.dumps(data))
    elif damage == "not-journeysim":
        summary.write_text("[1, 2, 3]")
    elif damage == "empty":
        summary.write_text("")
    elif damage == "non-utf8":
        summary.write_bytes(b"\xff\xfe{\x00")
    else:
        summary.unlink()
    refused(cli("report", out), words)
    assert not (out / "report.html").exists()


def test_an_output_written_before_manifests_is_still_a_previous_output(project):
    """A folder of journeysim's own file names (summary.json among them) and nothing else is replaced."""
    out = project / "old"
    out.mkdir()
    for name in ("summary.json", "timeseries.parquet", "report.html", "fig_states.png"):
        (out / name).write_text("old")
    assert cli("run", project / "s.yaml", "--out", out, "-q", "--no-report").exit_code == 0
    assert (out / MANIFEST).is_file() and not (out / "report.html").exists()
    (out / MANIFEST).unlink()
    (out / "notes.txt").write_text("mine")
    refused(cli("run", project / "s.yaml", "--out", out, "-q", "--no-report"), "'notes.txt'")


def _user_writes_into(out: Path, module, name: str, monkeypatch):
    """While the run goes on (after --out was checked), the user puts notes.txt into ``out``."""
    real = getattr(module, name)

    def meanwhile(*args, **kwargs):
        result = real(*args, **kwargs)
        out.mkdir(exist_ok=True)
        (out / "notes.txt").write_text("written while it ran")
        return result

    monkeypatch.setattr(module, name, meanwhile)


def test_a_users_file_put_in_out_while_run_runs_survives_and_the_outputs_go_beside(project, monkeypatch):
    import journeysim.api

    out = project / "new"
    _user_writes_into(out, journeysim.api, "run", monkeypatch)
    result = cli("run", project / "s.yaml", "--out", out, "--no-report")
    assert result.exit_code == 0, result.output
    assert [p.name for p in out.iterdir()] == ["notes.txt"] and (out / "notes.txt").read_text() == "written while it ran"
    beside = project / "new-2"
    assert (beside / "summary.json").is_file() and (beside / MANIFEST).is_file()
    assert "left as it is" in result.stderr and str(beside) in result.stderr
    assert f"to {beside}" in result.stdout


def test_a_users_file_put_in_out_while_compare_runs_survives(project, monkeypatch):
    import journeysim.compare

    out = project / "cmp"
    _user_writes_into(out, journeysim.compare, "run_variants", monkeypatch)
    result = cli("compare", project / "s.yaml", "--variant", "b:seed=2", "--out", out, "-q")
    assert result.exit_code == 0, result.output
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
    assert (project / "cmp-2" / "comparison.html").is_file() and "cmp-2" in result.stderr


def test_replace_folder_checks_the_target_again_and_force_still_replaces(tmp_path):
    """What serve relies on: its --out is checked at start and again when the outputs are written."""
    def staged(name: str) -> Path:
        staging = tmp_path / name
        staging.mkdir()
        (staging / "summary.json").write_text("{}")
        folder_module.write_manifest(staging, "run")
        return staging

    out = tmp_path / "out"
    assert folder_module.replace_folder(staged(".s1"), out) == out  # new
    assert folder_module.replace_folder(staged(".s2"), out) == out  # a previous output: replaced
    (out / "notes.txt").write_text("mine")
    (tmp_path / "out-2").mkdir()  # taken: the next free name is used
    assert folder_module.replace_folder(staged(".s3"), out) == tmp_path / "out-3"
    assert (out / "notes.txt").read_text() == "mine" and (tmp_path / "out-3" / "summary.json").is_file()
    assert folder_module.replace_folder(staged(".s4"), out, force=True) == out
    assert not (out / "notes.txt").exists()


def test_compare_tells_apart_two_files_of_the_same_name_by_their_folders(tmp_path):
    doc = yaml.safe_dump(scenario(linear_journey(count=20), size=100, duration="500s"))
    for where in ("before", "after"):
        (tmp_path / where).mkdir()
        (tmp_path / where / "q.yaml").write_text(doc)
    result = cli("compare", tmp_path / "before" / "q.yaml", tmp_path / "after" / "q.yaml", "--out", tmp_path / "c", "-q")
    assert result.exit_code == 0, result.output
    header = (tmp_path / "c" / "comparison.csv").read_text().splitlines()[0]
    assert "before/q" in header and "after/q" in header


def test_outputs_get_the_modes_mkdir_and_open_give_not_the_owner_only_modes_of_temporary_files(project, tmp_path):
    """Staging folders and files come from tempfile (0700 / 0600): a shared output folder, its manifest,
    a sweep's runs and an imported scenario must be readable as any folder and file the user makes."""
    out = project / "shared"
    assert cli("run", project / "s.yaml", "--out", out, "-q", "--no-report").exit_code == 0
    sweep = project / "sw"
    assert cli("sweep", project / "s.yaml", "--grid", "seed=1,2", "--out", sweep, "-q").exit_code == 0
    imported = tmp_path / "imported.yaml"
    fixture = Path(__file__).parent / "fixtures" / "sfmc" / "welcome-all-types.json"
    assert cli("import", "sfmc", fixture, "-o", imported, "-q").exit_code == 0
    umask = os.umask(0o022)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o777 & ~umask
    for made in (out / MANIFEST, out / "summary.json", imported, *sorted((sweep / "runs").glob("*.json"))):
        assert made.stat().st_mode & 0o777 == 0o666 & ~umask, made
