"""Errors the user can act on, kept apart from internal failures."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, named by where it is."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class BadInput(Exception):  # noqa: N818 - the name reads as what it is
    """Input refused: nothing was written. Carries one problem per cause."""

    def __init__(self, problems: Iterable[Problem | str]):
        items = [p if isinstance(p, Problem) else Problem("", str(p)) for p in problems]
        self.problems: list[Problem] = items
        super().__init__("\n".join(str(p) for p in items))

    @classmethod
    def one(cls, where: str, message: str) -> BadInput:
        return cls([Problem(where, message)])


class FileBusy(BadInput):
    """Another window or computer holds the file's write lock: try again in a moment."""


class Cancelled(Exception):  # noqa: N818
    """Long work stopped at the user's request; nothing was written."""
