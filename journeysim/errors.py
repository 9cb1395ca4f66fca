"""Errors a user can act on: each problem names the file, line, column and key path."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    column: int
    path: str
    message: str

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
