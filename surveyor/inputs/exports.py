"""Survey-tool exports: step 3 of the input stage for a platform's file.

Consultants collect answers in Qualtrics, SurveyMonkey, Google Forms, Microsoft Forms,
KoboToolbox, ODK Central and the tools of :mod:`surveyor.inputs.platforms` (DOMAIN.md
section 8). Each writes its own layout: several header rows, tool columns, preview and
unfinished responses, question text instead of item ids. :func:`export_layout` understands
a recognised export's header rows (an :class:`Export`) and drops what is not a response;
:func:`surveyor.inputs.plan.plan_export` (step 4) makes its column plan and hands back a
:class:`CanonicalTable` of text for the one validator
(:func:`surveyor.inputs.validate.validate_export`). :mod:`surveyor.inputs.read` runs the
steps; this module reads no file.

The contract with the validator::

    @dataclass
    class CanonicalTable:
        frame: pd.DataFrame     # every cell str; columns respondent_id, organization, set,
                                # [wave], then the instrument's item ids in instrument order.
                                # Item values are still text (codes or labels), recoded by
                                # the mapping's recode table where one is given.
        rows: list[int]         # per frame row, the row number the consultant sees in the
                                # export (Qualtrics data starts at row 4)
        columns: dict[str, str] # canonical column -> the export header it came from; columns
                                # given as constants (--organization) or generated are absent
        format: str             # one of FORMATS
        notes: list[str]        # what was dropped or assumed, in words

Problems found in planning (a mapped column the export lacks, question text that heads
two columns, a value outside the recode table) are all collected and raised together as a
:class:`~surveyor.errors.ResponsesError` naming the export's row, column and value. Labels
and codes are checked against the scale by the validator, using ``rows`` and ``columns``
so its messages name the export's rows and headers too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from surveyor.errors import SurveyorError
from surveyor.inputs import platforms
from surveyor.inputs.formats import (
    FORMAT_NAMES,
    FORMATS,
    GROUP_SEPARATORS,
)
from surveyor.inputs.mapping import (
    column_letter,
    norm,
)
from surveyor.inputs.platforms.base import plural, rows_text
from surveyor.inputs.recognise import detect_grid_format
from surveyor.inputs.table import refuse_wide

if TYPE_CHECKING:
    import pandas as pd

    from surveyor.inputs.source import Source

MAX_PROBLEMS = 10_000

# Qualtrics Status values that are not real respondents, as text and as numeric codes:
# previews, tests, and responses Qualtrics flagged as spam (among them imported and
# offline previews).
QUALTRICS_NOT_RESPONSES = {
    "survey preview": "Survey Preview", "1": "Survey Preview",
    "survey test": "Survey Test", "2": "Survey Test",
    "spam": "Spam", "8": "Spam",
    "preview spam": "Preview Spam", "survey preview spam": "Preview Spam", "9": "Preview Spam",
    "imported spam": "Imported Spam", "12": "Imported Spam",
    "offline survey preview": "Offline Survey Preview", "offline preview": (
        "Offline Survey Preview"), "17": "Offline Survey Preview",
}
SURVEYMONKEY_SINGLE = frozenset({"response", "open-ended response", ""})
CANONICAL_IDS = {
    "respondent_id": ("respondent_id", "respondent id", "respondent code", "respondent", "code"),
    "organization": ("organization", "organisation", "org"),
    "set": ("set", "learning set", "action learning set"),
    "wave": ("wave",),
}
# A REDCap longitudinal export has one row per record and event; the event is the wave.
REDCAP_EVENT = ("redcap_event_name", "event name")
# XLSForm choice names for the scale's never-scored options: "dk", then "dk2", "dk3"...
MISSING_CHOICE = re.compile(r"^dk(\d*)$")


@dataclass
class CanonicalTable:
    """An export turned into the canonical responses table of text (see the module doc)."""

    frame: pd.DataFrame
    rows: list[int]
    columns: dict[str, str]
    format: str
    notes: list[str] = field(default_factory=list)
    # The latest submission date among the rows kept (YYYY-MM-DD) and its column, or "".
    data_date: str = ""
    data_date_column: str = ""
    # The waves in the order the export gives them (REDCap events in order of first
    # appearance), or empty when the order must come from their names or --waves.
    wave_order: list[str] = field(default_factory=list)


@dataclass
class Export:
    """An export with its header rows understood, before any column is picked.

    ``keys`` name each column the way a mapping refers to it (the Qualtrics field name
    ``Q5_1``, the Google Forms header, SurveyMonkey's ``Block - Row label``); ``texts`` hold
    the question text shown over the column, matched against item texts. ``data`` rows are
    padded to the header's width and ``rows`` holds each one's row number in the file.
    """

    path: Path
    format: str
    keys: list[str]
    texts: list[str]
    data: list[list[str]]
    rows: list[int]
    id_column: str | None
    encoding: str | None = None
    notes: list[str] = field(default_factory=list)

    def leaf(self, index: int) -> str:
        """A column's key without its XLSForm group path: ``alpha_sub/a1`` -> ``a1``."""
        separator = GROUP_SEPARATORS.get(self.format, "/")
        return self.keys[index].rsplit(separator, 1)[-1].strip()

    def column(self, index: int) -> list[str]:
        return [row[index] for row in self.data]

    def describe(self, index: int) -> str:
        """A column as a message names it: its header and its spreadsheet letter."""
        key = self.keys[index]
        shown = key if len(key) <= 60 else key[:57] + "..."
        return f"'{shown}' ({column_letter(index)})"


# --------------------------------------------------------------------------- readers


def export_layout(
    source: Source, grid: list[list[str]], format: str | None = None, *,
    include_partial: bool = False,
) -> Export:
    """Understand an export's header rows, dropping rows that are no responses.

    Parameters
    ----------
    source
        The export's bytes (:func:`surveyor.inputs.source.open_source`).
    grid
        Its rows as text (:func:`surveyor.inputs.table.grid`).
    format
        Force a format (one of ``FORMATS``); detected from the header when None. Forcing
        ``qualtrics`` also accepts the legacy 2-header-row layout.
    include_partial
        Keep Qualtrics responses whose ``Finished`` is false.

    Raises
    ------
    SurveyorError
        When the file does not have the forced format's header rows.
    """
    path = source.path
    detected = "spss" if source.kind == "spss" else None
    encoding = source.decoded().encoding if source.kind == "text" else None
    if not grid or not any(cell.strip() for cell in grid[0]):
        raise SurveyorError(f"{path}: the file is empty or its first row is blank")
    detected = detected or detect_grid_format(grid)
    if format is None:
        format = detected
    elif format not in FORMATS:
        raise SurveyorError(f"unknown export format '{format}'; use one of {', '.join(FORMATS)}")
    elif format == "qualtrics" and detected == "qualtrics-legacy":
        format = detected
    elif format != detected and format != "csv":
        raise SurveyorError(
            f"{path}: does not look like a {FORMAT_NAMES[format]} (its header looks like a "
            f"{FORMAT_NAMES[detected]}); check the file or drop --format"
        )
    width = max(len(row) for row in grid)
    refuse_wide(path, width)
    grid = [row + [""] * (width - len(row)) for row in grid]
    platform = platforms.reader(format)
    if platform is not None:
        layout = platform(grid, include_partial)
        export = Export(path=path, format=format, **vars(layout))
    else:
        reader = {
            "csv": _read_plain, "google-forms": _read_plain, "ms-forms": _read_plain,
            "kobo": _read_plain, "odk-central": _read_plain, "qualtrics": _read_qualtrics,
            "qualtrics-legacy": _read_qualtrics, "surveymonkey": _read_surveymonkey,
        }[format]
        export = reader(path, format, grid, include_partial)
    export.encoding = encoding
    if encoding == "cp1252":
        export.notes.append(
            "the file is not UTF-8, so it was read as Windows-1252 (Western European); check "
            "that accented names look right, or export it again as UTF-8"
        )
    _drop_blank_rows(export)
    return export


# Each platform's own id for a response, by format: the first header found wins.
PLATFORM_IDS = {
    "ms-forms": ("id",),
    "kobo": ("_uuid",),
    "odk-central": ("meta-instanceid", "key", "instanceid"),
    "surveymonkey": ("respondent id", "respondentid"),
}


def _read_plain(path: Path, format: str, grid: list[list[str]], include_partial: bool) -> Export:
    header = [cell.strip() for cell in grid[0]]
    export = Export(
        path=path, format=format, keys=header, texts=list(header), data=grid[1:],
        rows=list(range(2, len(grid) + 1)), id_column=None,
    )
    if format in ("kobo", "odk-central"):
        # A form built by surveyor has its own respondent_id field; it comes first.
        own = [key for i, key in enumerate(header) if norm(export.leaf(i)) == "respondent_id"]
        export.id_column = own[0] if own else None
    export.id_column = export.id_column or platform_id_column(header, format)
    _drop_hxl_row(export)
    return export


def platform_id_column(keys: list[str], format: str) -> str | None:
    """The header of the column in which the platform names each response, if any."""
    by_name = {norm(key): key for key in reversed(keys)}
    return next((by_name[name] for name in PLATFORM_IDS.get(format, ()) if name in by_name),
                None)


def _drop_hxl_row(export: Export) -> None:
    """Drop the Humanitarian Exchange Language row (``#fluids``) a Kobo export may carry
    under its header: tags, not answers."""
    if not export.data:
        return
    first = [cell.strip() for cell in export.data[0] if cell.strip()]
    if first and all(re.fullmatch(r"#[A-Za-z][\w+-]*", cell) for cell in first):
        export.notes.append(
            f"dropped the HXL hashtag row (row {export.rows[0]}: {', '.join(first[:3])}...)"
        )
        _keep_rows(export, {export.rows[0]})


def _read_qualtrics(
    path: Path, format: str, grid: list[list[str]], include_partial: bool
) -> Export:
    n_header = 3 if format == "qualtrics" else 2
    if len(grid) < n_header:
        raise SurveyorError(f"{path}: a Qualtrics export needs {n_header} header rows")
    names = [cell.strip() for cell in grid[0]]
    texts = [cell.strip() for cell in grid[1]]
    # Very old exports name the tool columns V1..V10 and put the real names in row 2.
    keys = [
        text if re.fullmatch(r"V\d+", name) and text else name
        for name, text in zip(names, texts, strict=True)
    ]
    export = Export(
        path=path, format=format, keys=keys, texts=texts, data=grid[n_header:],
        rows=list(range(n_header + 1, len(grid) + 1)), id_column=None,
    )
    lookup = {norm(key): i for i, key in enumerate(keys)}
    if "responseid" in lookup:
        export.id_column = keys[lookup["responseid"]]
    if "status" in lookup:
        status = lookup["status"]
        dropped: dict[str, list[int]] = {}
        for row, values in zip(export.rows, export.data, strict=True):
            kind = QUALTRICS_NOT_RESPONSES.get(norm(values[status]))
            if kind:
                dropped.setdefault(kind, []).append(row)
        for kind, rows in dropped.items():
            _keep_rows(export, set(rows))
            export.notes.append(
                f"dropped {plural(len(rows), f'{kind} row')} ({rows_text(rows)})"
            )
    if "finished" in lookup:
        finished = lookup["finished"]
        unfinished = [
            row for row, values in zip(export.rows, export.data, strict=True)
            if norm(values[finished]) in ("false", "0")
        ]
        if unfinished and include_partial:
            export.notes.append(
                f"kept {plural(len(unfinished), 'unfinished response')} "
                f"({rows_text(unfinished)}) as asked"
            )
        elif unfinished:
            _keep_rows(export, set(unfinished))
            export.notes.append(
                f"excluded {plural(len(unfinished), 'unfinished response')} "
                f"({rows_text(unfinished)}); use --include-partial to keep them"
            )
    return export


def _read_surveymonkey(
    path: Path, format: str, grid: list[list[str]], include_partial: bool
) -> Export:
    if len(grid) < 2:
        raise SurveyorError(f"{path}: a SurveyMonkey export needs 2 header rows")
    keys, texts = [], []
    block = ""
    for top, sub in zip(grid[0], grid[1], strict=True):
        top, sub = top.strip(), sub.strip()
        if top:
            block = top
        # Tool columns (Respondent ID...) and single questions carry their own text; matrix
        # rows sit under the block's question text, shown only over its first column.
        single = norm(sub) in SURVEYMONKEY_SINGLE
        key = block if single or not block else f"{block} - {sub}"
        if not single and not block:
            key = sub
        keys.append(key)
        texts.append(key)
    return Export(
        path=path, format=format, keys=keys, texts=texts, data=grid[2:],
        rows=list(range(3, len(grid) + 1)), id_column=platform_id_column(keys, format),
    )


def _keep_rows(export: Export, drop: set[int]) -> None:
    kept = [(r, d) for r, d in zip(export.rows, export.data, strict=True) if r not in drop]
    export.rows = [r for r, _ in kept]
    export.data = [d for _, d in kept]


def _drop_blank_rows(export: Export) -> None:
    blank = [r for r, d in zip(export.rows, export.data, strict=True) if not any(
        cell.strip() for cell in d
    )]
    if blank:
        _keep_rows(export, set(blank))
        export.notes.append(f"skipped {plural(len(blank), 'empty row')} ({rows_text(blank)})")


# ------------------------------------------------------------------ column resolution
