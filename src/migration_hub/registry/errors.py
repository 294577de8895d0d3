"""Errors of the registry that the command line reports (importable before Django is set up)."""


class ReferenceDataError(Exception):
    """One or more problems in the reference files; nothing was loaded."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))
