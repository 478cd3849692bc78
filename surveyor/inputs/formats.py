"""The export formats surveyor reads, by name, and how a message says how a file was read.

A small module that imports nothing but the errors, so that the mapping checker, the validator and
the CLI's ``--format`` option can name the formats without loading the readers.
"""

from __future__ import annotations

from surveyor.errors import Problem

# The platforms read by surveyor.inputs.platforms, a module each.
PLATFORM_FORMATS = ("limesurvey", "redcap", "spss")
FORMATS = (
    "csv", "qualtrics", "qualtrics-legacy", "surveymonkey", "google-forms", "ms-forms", "kobo",
    "odk-central", *PLATFORM_FORMATS,
)
# What the CLI's --format accepts: the legacy Qualtrics layout is recognised on its own.
FORMAT_CHOICES = (
    "csv", "qualtrics", "surveymonkey", "google-forms", "ms-forms", "kobo", "odk-central",
    *PLATFORM_FORMATS,
)
FORMAT_NAMES = {
    "csv": "CSV or Excel table",
    "qualtrics": "Qualtrics export",
    "qualtrics-legacy": "Qualtrics legacy export (2 header rows)",
    "surveymonkey": "SurveyMonkey expanded export",
    "google-forms": "Google Forms export",
    "ms-forms": "Microsoft Forms export",
    "kobo": "KoboToolbox export",
    "odk-central": "ODK Central export",
    "limesurvey": "LimeSurvey response export",
    "redcap": "REDCap data export",
    "spss": "SPSS .sav file",
}
# How a format joins an XLSForm group's name to a field's: alpha_sub/a1, alpha_sub-a1.
GROUP_SEPARATORS = {"odk-central": "-"}


def no_responses_left(notes: list[str]) -> Problem:
    """The error for an export whose every row was dropped or blank."""
    dropped = " after the rows dropped above" if any(
        note.startswith(("dropped", "excluded")) for note in notes) else ""
    return Problem("", (
        f"no responses are left in the export{dropped}; check the survey tool's filters "
        "and export the real responses (test and preview responses are never scored; "
        "--include-partial keeps unfinished ones)"
    ))


def reading_notes(format: str, notes: list[str]) -> list[str]:
    """What an error message says first about how an export was read."""
    name = FORMAT_NAMES.get(format, format)
    return [f"read as {'an' if name[:1] in 'AEIOU' else 'a'} {name}", *notes]
