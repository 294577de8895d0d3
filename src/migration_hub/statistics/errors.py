"""What an importer says when a file cannot be imported: one line per problem, with where."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RowProblem:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class ImportRejected(Exception):
    """The file was not imported; nothing was written. `problems` says what to fix, row by row."""

    MAX_PROBLEMS = 1000

    def __init__(self, file_name: str, problems: list[RowProblem]):
        self.file_name = file_name
        self.problems = problems
        super().__init__("\n".join([self.summary(), *self.lines(limit=5)]))

    def summary(self) -> str:
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        return f"{self.file_name}: {count} {noun}, nothing was imported"

    def lines(self, limit: int = 50) -> list[str]:
        shown = [str(problem) for problem in self.problems[:limit]]
        if len(self.problems) > limit:
            shown.append(f"... and {len(self.problems) - limit} more")
        return shown


class ProblemList(list[RowProblem]):
    """Collects problems while a file is read; raises once at the end so the report is complete."""

    def add(self, where: str, message: str) -> None:
        if len(self) < ImportRejected.MAX_PROBLEMS:
            self.append(RowProblem(where, message))

    def raise_if_any(self, file_name: str) -> None:
        if self:
            raise ImportRejected(file_name, list(self))
