"""Errors a consultant can act on.

Library code raises these; the CLI turns them into a message and exit status 2.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Characters a terminal acts on or a reader cannot see: C0 and C1 controls (ESC starts a
# terminal escape sequence, CR overwrites the line), format characters such as zero-width
# spaces and bidirectional overrides, and line and paragraph separators.
_HIDDEN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e"
    "\u2060-\u206f\ufeff\ufff9-\ufffb]"
)
_HIDDEN_OR_NEWLINE = re.compile(_HIDDEN.pattern[:-1] + "\n]")


def printable(text: str, newlines: bool = True) -> str:
    """``text`` with every control or invisible character written as an escape (``\\x1b``).

    A value from a file then reaches the terminal as text, never as a command to it, and a
    hidden character shows where it is. Line ends are kept unless ``newlines`` is false
    (for a value quoted inside a one-line message).
    """
    pattern = _HIDDEN if newlines else _HIDDEN_OR_NEWLINE
    return pattern.sub(_escape, text)


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


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
    # "error", "warning", or "note": a summary shown above a file's errors, not counted.
    severity: str = "error"

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}" if self.location else self.message
        return clip(printable(text))


MAX_MESSAGE = 1000


def clip(text: str, limit: int = MAX_MESSAGE) -> str:
    """``text``, cut to ``limit`` characters with a note of how much was left out: a
    message quoting a hostile value (a YAML alias bomb, a 10,000-character name) stays a
    line, not megabytes."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text) - limit:,} more characters)"


class ValidationError(SurveyorError):
    """A file failed validation; ``problems`` lists every problem found at once."""

    def __init__(
        self, source: str, problems: list[Problem], limit: int = 20, notes: list[str] = ()
    ):
        self.source = source
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        lines = [f"{source}: {len(errors)} problem{'s' if len(errors) != 1 else ''} found"]
        # How the file was read (its format, the rows dropped), to read the errors by.
        lines += [f"  note: {printable(note)}" for note in notes]
        lines += [f"  note: {p}" for p in problems if p.severity == "note"]
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
