"""Errors a consultant can act on.

Library code raises these; the CLI turns them into a message and exit status 2.
"""

from __future__ import annotations

from dataclasses import dataclass


class SurveyorError(Exception):
    """A problem with the user's input or environment, explained in one sentence."""

    exit_code = 2


@dataclass(frozen=True)
class Problem:
    """One problem found while validating a file.

    ``location`` says where (``items[3].subscale``, ``row 14, column pe3``) and
    ``message`` what is wrong and, where it helps, what to do.
    """

    location: str
    message: str
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


class ValidationError(SurveyorError):
    """A file failed validation; ``problems`` lists every problem found at once."""

    def __init__(self, source: str, problems: list[Problem], limit: int = 20):
        self.source = source
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        lines = [f"{source}: {len(errors)} problem{'s' if len(errors) != 1 else ''} found"]
        lines += [f"  {p}" for p in errors[:limit]]
        if len(errors) > limit:
            lines.append(f"  ... and {len(errors) - limit} more")
        super().__init__("\n".join(lines))


class InstrumentError(ValidationError):
    """An instrument definition is invalid."""


class ResponsesError(ValidationError):
    """A responses file is invalid."""


class OutputError(SurveyorError):
    """An output folder or file cannot be written."""
