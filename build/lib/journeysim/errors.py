"""Errors a user can act on: each problem names the file, line, column and key path."""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_SHOWN = 80  # characters of one value a user wrote, echoed in a message
_LONG = re.compile(rf"""'[^']{{{MAX_SHOWN},}}'|"[^"]{{{MAX_SHOWN},}}"|[^\s'"]{{{MAX_SHOWN + 40},}}""")


def shorten(text: str) -> str:
    """``text`` with every quoted value longer than MAX_SHOWN (and any very long word) cut with an ellipsis."""
    def cut(match: re.Match) -> str:
        value = match.group(0)
        quote = value[0] if value[0] in "'\"" else ""
        return value[: MAX_SHOWN - 1 - len(quote)] + "…" + quote

    return _LONG.sub(cut, text)


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    column: int
    path: str
    message: str

    def __post_init__(self) -> None:  # a 100,000-character node type is echoed as 80
        object.__setattr__(self, "path", shorten(self.path))
        object.__setattr__(self, "message", shorten(self.message))

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class ScenarioError(Exception):
    """A scenario was refused; ``problems`` lists every reason, one line each."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class RunTooLarge(Exception):
    """A run that would outgrow memory (a jump loop re-entering profiles faster than they leave):
    stopped with a message, nothing written."""


class ConservationError(RuntimeError):
    """A run ended with a profile counted in no place or in two: a bug, never a user error."""
