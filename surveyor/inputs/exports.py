"""Survey-tool exports: steps 3 and 4 of the input stage for a platform's file.

Consultants collect answers in Qualtrics, SurveyMonkey, Google Forms, Microsoft Forms,
KoboToolbox, ODK Central and the tools of :mod:`surveyor.inputs.platforms` (DOMAIN.md
section 8). Each writes its own layout: several header rows, tool columns, preview and
unfinished responses, question text instead of item ids. :func:`export_layout` understands
a recognised export's header rows (an :class:`Export`) and drops what is not a response;
:func:`plan_export` makes its column plan (automatic, or from a
:class:`~surveyor.inputs.mapping.Mapping` where the headers are not item ids), applies it
and hands back a :class:`CanonicalTable` of text for the one validator
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

Problems found here (a mapped column the export lacks, question text that heads two
columns, a value outside the recode table) are all collected and raised together as a
:class:`~surveyor.errors.ResponsesError` naming the export's row, column and value. Labels
and codes are checked against the scale by the validator, using ``rows`` and ``columns``
so its messages name the export's rows and headers too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from surveyor.errors import Problem, ResponsesError, SurveyorError
from surveyor.inputs import platforms
from surveyor.inputs.formats import (
    FORMAT_NAMES,
    FORMATS,
    GROUP_SEPARATORS,
    no_responses_left,
    reading_notes,
)
from surveyor.inputs.mapping import (
    Mapping,
    column_index,
    column_letter,
    norm,
    text_candidates,
)
from surveyor.inputs.platforms.base import plural, rows_text
from surveyor.inputs.recognise import detect_grid_format
from surveyor.inputs.submitted import latest_submission
from surveyor.inputs.table import refuse_wide

if TYPE_CHECKING:
    import pandas as pd

    from surveyor.inputs.source import Source
    from surveyor.instrument.model import Instrument

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


def find_columns(export: Export, reference: str) -> list[int]:
    """Columns a header reference names: the exact header, else ignoring case and spacing,
    else the question text, else (Kobo) the name without its group path."""
    exact = [i for i, key in enumerate(export.keys) if key == reference]
    if exact:
        return exact
    wanted = norm(reference)
    if not wanted:
        return []
    for values in (export.keys, export.texts):
        found = [i for i, value in enumerate(values) if norm(value) == wanted]
        if found:
            return found
    if export.format in ("kobo", "odk-central"):
        return [i for i in range(len(export.keys)) if norm(export.leaf(i)) == wanted]
    return []


def _item_text_columns(export: Export, text: str, stem: str = "") -> list[int]:
    """Columns whose question text, or its statement part, is exactly the item text;
    when several are, those that also show the item's matrix ``stem``."""
    wanted = norm(text)
    found = [
        i for i, header in enumerate(export.texts)
        if any(norm(candidate) == wanted for candidate in text_candidates(header))
    ]
    if len(found) > 1 and stem:
        under = [i for i in found if norm(stem) in norm(export.texts[i])]
        found = under or found
    return found


@dataclass
class _Plan:
    """Where each canonical column comes from: an export column index or a constant."""

    columns: dict[str, int] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    recode: dict[str, dict[str, str | None]] = field(default_factory=dict)
    generated_ids: bool = False


def _choose(
    export: Export, found: list[int], what: str, reference: str, location: str,
    problems: list[Problem],
) -> int | None:
    if len(found) == 1:
        return found[0]
    if not found:
        hint = _closest_header(export, reference)
        problems.append(Problem(
            location, f"{what}: the export has no column '{reference}'{hint}"
        ))
        return None
    where = ", ".join(column_letter(i) for i in found)
    # Qualtrics and Kobo field names should be unique; question texts often repeat.
    named = "header" if export.format == "csv" else "question text"
    if all(export.keys[i] == reference != export.texts[i] for i in found):
        named = "field name"
    problems.append(Problem(
        location,
        f"{what}: the {named} '{reference}' heads {len(found)} columns ({where}), so the "
        "column is ambiguous; choose one in the mapping by its letter "
        f"({{letter: {column_letter(found[0])}}}) or by occurrence ({{column: ..., "
        "occurrence: 2} for the second from the left), or rename one in the survey tool",
    ))
    return None


def _resolve(
    export: Export, choice, what: str, location: str, problems: list[Problem]
) -> int | None:
    """The column a mapping's choice names (``Source`` or ``ItemColumn``), or None after
    recording why not: by letter, else by header and occurrence."""
    if choice.letter:
        index = column_index(choice.letter)
        if index >= len(export.keys):
            problems.append(Problem(location, (
                f"{what}: the export has no column {choice.letter}; its last column is "
                f"{column_letter(len(export.keys) - 1)}")))
            return None
        if choice.column is not None and index not in find_columns(export, choice.column):
            problems.append(Problem(location, (
                f"{what}: column {choice.letter} is headed '{export.keys[index]}', not "
                f"'{choice.column}'; check the letter")))
            return None
        return index
    found = find_columns(export, choice.column)
    if choice.occurrence:
        if choice.occurrence > len(found):
            problems.append(Problem(location, (
                f"{what}: occurrence {choice.occurrence} of '{choice.column}' is asked for, "
                f"but {len(found)} column{'s' if len(found) != 1 else ''} "
                f"{'are' if len(found) != 1 else 'is'} so headed")))
            return None
        return found[choice.occurrence - 1]
    return _choose(export, found, what, choice.column, location, problems)


def _closest_header(export: Export, reference: str) -> str:
    import difflib

    options = {norm(k): k for k in export.keys if k}
    match = difflib.get_close_matches(norm(reference), list(options), n=1, cutoff=0.6)
    return f" (closest: '{options[match[0]]}')" if match else ""


def _plan_from_mapping(
    export: Export, instrument: Instrument, mapping: Mapping, problems: list[Problem]
) -> _Plan:
    plan = _Plan()
    prefix = f"{mapping.source.name} " if mapping.source else "mapping "
    for name, source in mapping.ids.items():
        if source.value is not None:
            plan.constants[name] = source.value
            continue
        index = _resolve(export, source, f"{name} column", f"{prefix}{name}", problems)
        if index is not None:
            plan.columns[name] = index
    for item in instrument.items:
        entry = mapping.items.get(item.id)
        if entry is None or (entry.column is None and entry.letter is None):
            problems.append(Problem(
                f"{prefix}items.{item.id}",
                "no export column is given for this item; name the column that holds "
                f"'{item.text}'",
            ))
            continue
        index = _resolve(export, entry, f"item {item.id}", f"{prefix}items.{item.id}",
                         problems)
        if index is not None:
            plan.columns[item.id] = index
        table = entry.recode if entry.recode is not None else mapping.recode
        if table is not None:
            plan.recode[item.id] = table
    return plan


def _plan_automatic(export: Export, instrument: Instrument, problems: list[Problem]) -> _Plan:
    """Columns found without a mapping: by item id (Kobo: without the group path), else by
    exactly the item's text; the tool's id column, or a column named like the id field."""
    plan = _Plan()
    for name, aliases in CANONICAL_IDS.items():
        if name == "wave" and export.format == "redcap":
            aliases = aliases + REDCAP_EVENT
        found: list[int] = []
        for alias in aliases:
            found = [i for i in range(len(export.keys)) if norm(export.leaf(i)) == alias]
            if found:
                break
        if not found and export.format == "spss":
            # SPSS variable names are codes (q0001); the variable label is the question.
            found = [i for i, text in enumerate(export.texts)
                     if norm(text) in aliases and name != "respondent_id"]
        if name == "respondent_id" and not found and export.id_column:
            found = [export.keys.index(export.id_column)]
        if len(found) > 1:
            _choose(export, found, f"{name} column", export.keys[found[0]], name, problems)
        elif found:
            plan.columns[name] = found[0]
    text_matched = 0
    for item in instrument.items:
        found = [i for i in range(len(export.keys)) if norm(export.leaf(i)) == norm(item.id)]
        if not found:
            # A survey surveyor built for Qualtrics (alpha_sub_a1) or LimeSurvey (alpha[a1]).
            found = [i for i, key in enumerate(export.keys)
                     if platforms.base.names_item(key, item.id, item.subscale)]
        if not found:
            found = _item_text_columns(export, item.text, instrument.stem_of(item))
            text_matched += bool(found)
        if len(found) == 1:
            plan.columns[item.id] = found[0]
        elif found:
            where = ", ".join(column_letter(i) for i in found)
            problems.append(Problem(
                f"item {item.id}",
                f"the item text '{item.text}' heads {len(found)} columns ({where}): the "
                "question text is duplicated, so the column is ambiguous; write a mapping "
                "with `surveyor mapping init` and name the right column",
            ))
        else:
            problems.append(Problem(
                f"item {item.id}",
                f"no column is headed '{item.id}' or with the item text '{item.text}'; write "
                "a mapping with `surveyor mapping init EXPORT --instrument "
                f"{instrument.id}`, check it and pass it with --mapping",
            ))
    if text_matched:
        export.notes.append(
            f"matched {plural(text_matched, 'item')} to export columns by exact question text"
        )
    return plan


# --------------------------------------------------------------------------- reading


def plan_export(
    export: Export,
    instrument: Instrument,
    mapping: Mapping | None = None,
    *,
    organization: str | None = None,
    set_name: str | None = None,
) -> CanonicalTable:
    """Step 4 for an export: its column plan, applied; the canonical table of text.

    Parameters
    ----------
    export
        The export with its header rows understood (:func:`export_layout`).
    instrument
        The instrument the survey asked.
    mapping
        Connects export columns to items and to respondent id, organisation, set and
        wave. Without one, columns are found by item id (a form built by surveyor) or by
        exactly the item's text.
    organization, set_name
        Constant organisation or set for a single-set export; they override the mapping.

    Returns
    -------
    CanonicalTable
        See the module docstring for the contract.

    Raises
    ------
    ResponsesError
        Listing every problem found: columns the mapping names that the export lacks,
        ambiguous (duplicated) question texts, values outside a recode table, missing
        organisation or set.
    """
    import pandas as pd

    if not export.data:
        # Said before any column problem: with no rows left, the columns do not matter.
        raise ResponsesError(str(export.path), [no_responses_left(export.notes)],
                             notes=reading_notes(export.format, export.notes))
    problems: list[Problem] = []
    if mapping is not None:
        plan = _plan_from_mapping(export, instrument, mapping, problems)
    else:
        plan = _plan_automatic(export, instrument, problems)
    notes = list(export.notes)
    for name, value in (("organization", organization), ("set", set_name)):
        if value is not None:
            if name in plan.columns:
                notes.append(
                    f"{name} given on the command line replaces column "
                    f"{export.describe(plan.columns.pop(name))}"
                )
            plan.constants[name] = value
    if "respondent_id" not in plan.columns and "respondent_id" not in plan.constants:
        plan.generated_ids = True
        notes.append("the export has no respondent id column; its row numbers are used")
    named = mapping.ids if mapping is not None else {}
    for name, option in (("organization", "--organization"), ("set", "--set")):
        # A column the mapping names but the export lacks is reported already.
        if name not in plan.columns and name not in plan.constants and name not in named:
            problems.append(Problem(
                name,
                f"no {name} column was found; name the column in the mapping "
                f"({name}: COLUMN) or, for a single-set export, give {option}",
            ))
    if any(p.severity == "error" for p in problems):
        raise ResponsesError(str(export.path), problems, notes=reading_notes(export.format,
                                                                             notes))

    frame: dict[str, list[str]] = {}
    n = len(export.data)
    order = ["respondent_id", "organization", "set"]
    if "wave" in plan.columns or "wave" in plan.constants:
        order.append("wave")
    for name in order + instrument.item_ids:
        if name in plan.constants:
            frame[name] = [plan.constants[name]] * n
        elif name == "respondent_id" and plan.generated_ids:
            frame[name] = [f"row {row}" for row in export.rows]
        else:
            frame[name] = [cell.strip() for cell in export.column(plan.columns[name])]
    _fill_kobo(export, plan, frame, instrument, notes)
    _fill_missing_codes(export, plan, frame, instrument)
    # A code recoded to "missing" becomes the scale's never-scored option, so the answer
    # stays "Don't know" (counted as such) rather than looking skipped.
    missing = instrument.scale.missing[0] if instrument.scale.missing else ""
    recode_problems: list[tuple[int, int, Problem]] = []
    for item_id, table in plan.recode.items():
        frame[item_id] = _recode(export, plan.columns[item_id], item_id, frame[item_id],
                                 table, missing, recode_problems)
    # Listed row by row, as the consultant walks through the file.
    problems += [problem for _, _, problem in sorted(recode_problems, key=lambda p: p[:2])]
    if any(p.severity == "error" for p in problems):
        raise ResponsesError(str(export.path), problems[:MAX_PROBLEMS],
                             notes=reading_notes(export.format, notes))
    data_date, date_column = latest_submission(export.keys, export.data, export.format)
    wave_order: list[str] = []
    if export.format == "redcap" and "wave" in plan.columns and norm(
            export.keys[plan.columns["wave"]]) in REDCAP_EVENT:
        wave_order = list(dict.fromkeys(frame["wave"]))
        notes.append(
            f"each REDCap event is a wave ({', '.join(wave_order)}), in the order the events "
            "first appear; give --waves to order them otherwise"
        )
    return CanonicalTable(
        frame=pd.DataFrame(frame, dtype=object, columns=list(frame)),
        rows=list(export.rows),
        columns={name: export.keys[index] for name, index in plan.columns.items()},
        format=export.format,
        notes=notes,
        data_date=data_date,
        data_date_column=date_column,
        wave_order=wave_order,
    )


def _fill_kobo(
    export: Export, plan: _Plan, frame: dict[str, list[str]], instrument: Instrument,
    notes: list[str],
) -> None:
    """XLSForm platforms (Kobo, ODK Central): choice names ``dk``... stand for the
    never-scored options, and (Kobo) an unanswered respondent code falls back to the
    submission's ``_uuid``."""
    if export.format not in ("kobo", "odk-central"):
        return
    missing = instrument.scale.missing
    for item_id in instrument.item_ids:
        if item_id in plan.recode:
            continue
        values = frame[item_id]
        for i, value in enumerate(values):
            match = MISSING_CHOICE.match(value)
            if match:
                position = int(match.group(1) or 1) - 1
                if position < len(missing):
                    values[i] = missing[position]
    if "_uuid" in export.keys and "respondent_id" in plan.columns and (
        export.keys[plan.columns["respondent_id"]] != "_uuid"
    ):
        uuids = export.column(export.keys.index("_uuid"))
        ids = frame["respondent_id"]
        blank = [export.rows[i] for i, value in enumerate(ids) if not value]
        for i, value in enumerate(ids):
            if not value:
                ids[i] = uuids[i].strip()
        if blank:
            notes.append(
                f"{plural(len(blank), 'submission')} without a respondent code "
                f"({rows_text(blank)}) use the submission's _uuid instead"
            )


def _fill_missing_codes(
    export: Export, plan: _Plan, frame: dict[str, list[str]], instrument: Instrument
) -> None:
    """The codes surveyor's online forms give the never-scored options become those options:
    LimeSurvey answer codes and REDCap raw codes ``DK``, ``DK2``...; Qualtrics recode values
    ``-1``, ``-2``... in the columns its .qsf names (``alpha_sub_a1``), never elsewhere."""
    from surveyor.instrument.qsf import missing_recode_values

    missing = instrument.scale.missing
    if not missing:
        return
    by_format = platforms.base.dk_codes(missing) if (
        export.format in ("limesurvey", "redcap")
    ) else {}
    tagged = {str(code): option for code, option in zip(
        missing_recode_values(instrument.scale), missing, strict=True
    )}
    for item in instrument.items:
        if item.id in plan.recode or item.id not in plan.columns:
            continue
        codes = dict(by_format)
        key = export.keys[plan.columns[item.id]]
        if norm(key) == norm(f"{item.subscale}_{item.id}"):
            codes.update(tagged)
        if codes:
            frame[item.id] = [codes.get(value.lower(), value) for value in frame[item.id]]


def _recode(
    export: Export, index: int, item_id: str, values: list[str],
    table: dict[str, str | None], missing: str, problems: list[tuple[int, int, Problem]],
) -> list[str]:
    """Apply a recode table (normalised export value -> scale code, None for ``missing``)."""
    from surveyor.inputs.mapping import recode_key

    out = []
    keys = ", ".join(sorted(table, key=_numeric_first))
    for row, value in zip(export.rows, values, strict=True):
        if not value:
            out.append("")
            continue
        key = recode_key(value)
        if key in table:
            target = table[key]
            out.append(missing if target is None else target)
            continue
        out.append(value)
        if len(problems) < MAX_PROBLEMS:
            problems.append((row, index, Problem(
                f"row {row}, column {export.describe(index)}",
                f"'{value}' (item {item_id}) is not in the mapping's recode table ({keys}); "
                "add it to the recode table or check the export's recode values",
            )))
    return out


def _numeric_first(key: str) -> tuple[int, float, str]:
    try:
        return (0, float(key), key)
    except ValueError:
        return (1, 0.0, key)
