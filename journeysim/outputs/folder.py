"""Output folders: checked before a run starts, replaced only when journeysim wrote everything in them.

Every folder journeysim writes holds a manifest (``.journeysim-manifest.json``) naming the
entries it wrote. A folder that holds anything else is the user's: refused unless ``force``.
A symbolic link is never followed to write through it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from pathlib import Path

from .. import __version__

MANIFEST = ".journeysim-manifest.json"


def _read_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _read_umask()  # read once, at import (setting it to read it is not safe while other threads create files)


def ordinary_mode(path: Path) -> None:
    """Give a file or folder made by ``tempfile`` (for its owner only) the mode ``open`` or ``mkdir`` gives."""
    os.chmod(path, (0o777 if os.path.isdir(path) else 0o666) & ~_UMASK)


def staging_folder(out: Path) -> Path:
    """A new hidden folder beside ``out`` to write the outputs into before ``replace_folder`` moves it
    there, with the mode ``mkdir`` gives (not tempfile's owner-only one)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    ordinary_mode(staging)
    return staging


class OutputRefused(ValueError):
    """A target folder journeysim must not write (the message says why and what to do)."""


def manifest_entries(folder: Path) -> set[str] | None:
    """The entry names the manifest in ``folder`` lists, or None when there is no readable manifest."""
    path = Path(folder) / MANIFEST
    if path.is_symlink() or not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        return None
    return set(files)


def write_manifest(folder: Path, kind: str, names: list[str] | None = None) -> None:
    """Record ``names`` (by default every entry now in ``folder``) as the entries journeysim wrote there."""
    folder = Path(folder)
    if names is None:
        names = [p.name for p in folder.iterdir()]
    names = sorted(set(names) - {MANIFEST})
    text = json.dumps({"journeysim": __version__, "kind": kind, "files": names}, indent=2) + "\n"
    _replace_file(folder / MANIFEST, text)


def _replace_file(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        ordinary_mode(Path(temporary))
        os.replace(temporary, path)  # replaces a symbolic link itself, never its target
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# What journeysim wrote before output folders had a manifest: such a folder is still a previous output.
_LEGACY_MARKERS = ("summary.json", "comparison.csv", "sweep.parquet")
_LEGACY_NAMES = re.compile(r"(summary\.json|timeseries\.parquet|events\.parquet|report\.html|comparison\.(csv|html)"
                           r"|sweep\.(parquet|html)|runs|fig_[a-z_]+\.png)")


def _foreign_entries(folder: Path) -> list[str]:
    names = sorted(p.name for p in folder.iterdir())
    known = manifest_entries(folder)
    if known is None:
        if any(marker in names for marker in _LEGACY_MARKERS) and all(_LEGACY_NAMES.fullmatch(n) for n in names):
            return []
        return names
    return [name for name in names if name != MANIFEST and name not in known]


def _is_within(inner: Path, outer: Path) -> bool:
    return inner == outer or outer in inner.parents


def _same_file(one: Path, other: Path) -> bool:
    try:
        return os.path.samefile(one, other)
    except OSError:  # one of them does not exist (or cannot be looked at): not the same existing file
        return False


def destroyed_input(target: Path, inputs: list[Path], *, folder: bool) -> Path | None:
    """The first input that writing ``target`` would destroy, or None.

    A folder target destroys an input it holds; a file target one it is, also through a symbolic
    or hard link (compared with os.path.samefile when both exist)."""
    resolved = Path(os.path.abspath(target)).resolve()
    for source in inputs:
        source_path = Path(os.path.abspath(source)).resolve()
        if folder and _is_within(source_path.parent, resolved):
            return source
        if not folder and (source_path == resolved or _same_file(source_path, target)):
            return source
    return None


def check_file_target(out: str | Path, inputs: list[Path] = ()) -> Path:
    """The file to write, or OutputRefused: an empty name, an input file (or a link to one), a folder
    that is missing, is a file or cannot be written in. Checked before anything is read or written."""
    text = str(out)
    if not text.strip():
        raise OutputRefused("-o is empty: name the file to write")
    target = Path(text)
    source = destroyed_input(target, inputs, folder=False)
    if source is not None:
        raise OutputRefused(f"cannot write {text}: it is the input file {str(source)!r} (writing would destroy it); "
                            "name another file")
    if not os.path.lexists(target.parent):
        raise OutputRefused(f"cannot write {text}: folder {target.parent} does not exist")
    _probe_writable(target)
    return target


def _probe_writable(folder: Path) -> None:
    """Create and remove a folder in the nearest existing ancestor of ``folder``'s parent."""
    parent = Path(os.path.abspath(folder)).parent
    while not os.path.lexists(parent):
        parent = parent.parent
    if not parent.is_dir():
        raise OutputRefused(f"cannot write in {parent}: it is a file, not a folder (--out cannot be inside it)")
    try:
        Path(tempfile.mkdtemp(prefix=".journeysim-probe.", dir=parent)).rmdir()
    except OSError as exc:
        raise OutputRefused(f"cannot write in {parent}: {exc.strerror or exc}") from None


def check_target(out: str | Path, inputs: list[Path] = (), *, force: bool = False) -> Path:
    """The folder to write, or OutputRefused saying why journeysim must not write there.

    Checked before anything runs: an empty name, the current folder or an ancestor of it, the
    folder of an input file (or an ancestor of one), a symbolic link, a file, an unwritable place,
    and a folder holding entries journeysim did not write (unless ``force``).
    """
    text = str(out)
    if not text.strip():
        raise OutputRefused("--out is empty: name a new folder for the outputs")
    out = Path(text)
    absolute = Path(os.path.abspath(out))
    if _is_within(Path.cwd().resolve(), absolute.resolve() if not os.path.islink(absolute) else absolute):
        raise OutputRefused(f"--out {text!r} is the current folder or holds it: name a new folder for the outputs")
    if os.path.islink(absolute):
        raise OutputRefused(f"--out {text!r} is a symbolic link (to {os.readlink(absolute)!r}): "
                            "journeysim does not write through links; name a real folder")
    source = destroyed_input(absolute, inputs, folder=True)
    if source is not None:
        raise OutputRefused(f"--out {text!r} holds the input file {str(source)!r}: replacing it would delete it; "
                            "name a new folder for the outputs")
    if os.path.lexists(absolute) and not absolute.is_dir():
        raise OutputRefused(f"--out {text!r} is a file, not a folder")
    _probe_writable(absolute)
    if absolute.is_dir():
        foreign = _foreign_entries(absolute)
        if foreign and not force:
            shown = ", ".join(repr(name) for name in foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
            raise OutputRefused(f"--out {text!r} holds files journeysim did not write ({shown}): "
                                "name a new folder, or add --force to replace it with everything in it")
    return out


def replace_folder(staging: Path, out: Path, *, force: bool = False) -> Path:
    """Move the finished ``staging`` folder to ``out``, replacing a previous output; no leftover on failure.
    Returns the folder the outputs are in.

    ``out`` is checked again here: a long run or a server session leaves time to put files in it after
    ``check_target``. If it now holds anything journeysim did not write (or became a link or a file),
    and not ``force``, it is left alone and the outputs go to a new folder beside it instead.
    """
    out = Path(out)
    if not os.path.lexists(out):
        os.replace(staging, out)
        return out
    if not force and _taken_meanwhile(out):
        beside = _free_sibling(out)
        os.replace(staging, beside)
        return beside
    backup = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
    moved = False
    try:
        os.replace(out, backup / out.name)
        moved = True
        os.replace(staging, out)
    except BaseException:
        if moved and not os.path.lexists(out):
            os.replace(backup / out.name, out)
        raise
    finally:
        shutil.rmtree(backup, ignore_errors=True)
    return out


def _taken_meanwhile(out: Path) -> bool:
    return os.path.islink(out) or not out.is_dir() or bool(_foreign_entries(out))


def _free_sibling(out: Path) -> Path:
    number = 2
    while os.path.lexists(out.with_name(f"{out.name}-{number}")):
        number += 1
    return out.with_name(f"{out.name}-{number}")


def moved_aside(out: str | Path, written_to: Path) -> str | None:
    """The warning to print when ``replace_folder`` wrote beside ``out`` rather than into it, else None."""
    if Path(written_to) == Path(out):
        return None
    return (f"warning: {str(out)!r} now holds files journeysim did not write (put there while it ran), so it was "
            f"left as it is and the outputs were written to {str(written_to)!r} instead")
