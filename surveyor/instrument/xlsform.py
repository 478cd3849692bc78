"""XLSForm: an instrument as a form that KoboToolbox, ODK and Enketo can put online.

The workbook has the standard ``survey``, ``choices`` and ``settings`` sheets. Its names
are chosen so that a Kobo export of the responses reads with no mapping
(:func:`surveyor.inputs.read.read_export`):

- ``respondent_id``, ``organization`` and ``set`` are text fields at the top level;
- each subscale is a ``begin_group`` named by the subscale id (``field-list``, so a
  subscale's items show on one screen), holding one ``select_one likert`` per item, named
  by the item id, with appearance ``likert``. Kobo exports the item as ``subscale/item``
  or ``item`` depending on its "group names" setting; the reader accepts both;
- choice names are the scale codes (``1`` ... ``5``) and ``dk`` for the first
  never-scored option ("Don't know / not applicable"; ``dk2``, ``dk3`` for any others):
  choice names must be XML names, so the label text cannot be the name, and the reader
  turns ``dk`` back into that option, which scoring treats as missing.

Groups are labelled "Part 1 of 3" rather than by subscale name, so respondents are not
told which construct a block of items measures.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

from surveyor import files
from surveyor.errors import SurveyorError

if TYPE_CHECKING:
    from surveyor.instrument.model import Instrument

SURVEY_COLUMNS = ("type", "name", "label", "hint", "required", "appearance")
CHOICES_COLUMNS = ("list_name", "name", "label")
SETTINGS_COLUMNS = ("form_title", "form_id", "version")
LIST_NAME = "likert"
ID_FIELDS = ("respondent_id", "organization", "set")
# Fixed workbook dates and zip timestamps make the bytes depend on the instrument only.
FIXED_DATE = datetime.datetime(2000, 1, 1)
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def missing_choice_name(position: int) -> str:
    """The XLSForm choice name of the scale's ``position``-th (0-based) missing option."""
    return "dk" if position == 0 else f"dk{position + 1}"


def survey_rows(instrument: Instrument) -> list[dict[str, str]]:
    """The ``survey`` sheet's rows, as column -> text."""
    names = set(ID_FIELDS)
    clashes = sorted(names & (set(instrument.item_ids) | {s.id for s in instrument.subscales}))
    if clashes:
        raise SurveyorError(
            f"instrument '{instrument.id}': item or subscale id {', '.join(clashes)} is also "
            "a form field name; rename it to build an XLSForm"
        )
    rows: list[dict[str, str]] = []
    for name, text in (
        ("introduction_note", instrument.introduction),
        ("confidentiality_note", instrument.confidentiality),
    ):
        if text:
            rows.append({"type": "note", "name": name, "label": text})
    rows += [
        {"type": "text", "name": "respondent_id", "label": "Respondent code",
         "hint": "The code you were given, if any."},
        {"type": "text", "name": "organization", "label": "Organisation", "required": "yes"},
        {"type": "text", "name": "set", "label": "Action learning set", "required": "yes"},
    ]
    if instrument.instructions:
        rows.append({"type": "note", "name": "instructions_note",
                     "label": instrument.instructions})
    subscales = [s for s in instrument.subscales if instrument.items_of(s.id)]
    for number, subscale in enumerate(subscales, start=1):
        rows.append({
            "type": "begin_group", "name": subscale.id,
            "label": f"Part {number} of {len(subscales)}", "appearance": "field-list",
        })
        for item in instrument.items_of(subscale.id):
            rows.append({
                "type": f"select_one {LIST_NAME}", "name": item.id, "label": item.text,
                "appearance": "likert",
            })
        rows.append({"type": "end_group", "name": subscale.id})
    return rows


def choice_rows(instrument: Instrument) -> list[dict[str, str]]:
    """The ``choices`` sheet's rows: the scale codes, then ``dk`` for "Don't know"."""
    scale = instrument.scale
    rows = [
        {"list_name": LIST_NAME, "name": str(value), "label": label}
        for value, label in zip(scale.values, scale.labels, strict=True)
    ]
    rows += [
        {"list_name": LIST_NAME, "name": missing_choice_name(i), "label": label}
        for i, label in enumerate(scale.missing)
    ]
    return rows


def build_xlsform(instrument: Instrument) -> bytes:
    """The instrument as an XLSForm workbook (.xlsx bytes), identical for identical input.

    Parameters
    ----------
    instrument
        The instrument to put online.

    Returns
    -------
    bytes
        An .xlsx with ``survey``, ``choices`` and ``settings`` sheets; ``settings`` holds
        ``form_title`` (the title), ``form_id`` (the instrument id) and ``version`` (the
        instrument version), so every submission records which version was answered.
    """
    import openpyxl

    workbook = openpyxl.Workbook()
    sheets = (
        ("survey", SURVEY_COLUMNS, survey_rows(instrument)),
        ("choices", CHOICES_COLUMNS, choice_rows(instrument)),
        ("settings", SETTINGS_COLUMNS, [{
            "form_title": instrument.title, "form_id": instrument.id,
            "version": instrument.version,
        }]),
    )
    workbook.remove(workbook.active)
    for title, columns, rows in sheets:
        sheet = workbook.create_sheet(title)
        sheet.append(list(columns))
        for row in rows:
            # Every cell is text: a version "1.10" or choice name "1" must not become a number.
            sheet.append([row.get(column, "") or None for column in columns])
            _keep_text(sheet[sheet.max_row])
        for cell in sheet[1]:
            cell.font = openpyxl.styles.Font(bold=True)
        sheet.freeze_panes = "A2"
    properties = workbook.properties
    properties.creator = "surveyor"
    properties.lastModifiedBy = "surveyor"
    properties.title = instrument.title
    properties.created = FIXED_DATE
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _normalise_zip(buffer.getvalue())


def _keep_text(cells) -> None:
    """Keep text cells text: openpyxl stores a string starting with ``=`` as a live formula
    (an item text "=HYPERLINK(...)" would run when the form is opened in Excel). Such a
    cell is stored as a string, and any cell a spreadsheet would read as a formula
    (``csvsafe``'s rule: full-width signs, zero-width characters before them) carries the
    quote-prefix style, so editing it in Excel does not turn it into one either."""
    from surveyor.csvsafe import SEGMENT

    for cell in cells:
        if not isinstance(cell.value, str):
            continue
        if cell.data_type == "f":
            cell.data_type = "s"
        if SEGMENT.match(cell.value) or cell.value.startswith(("\t", "\r")):
            cell.quotePrefix = True


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite an .xlsx with fixed entry timestamps and a fixed modified date.

    openpyxl stamps the save time into ``docProps/core.xml`` and into each zip entry, so
    two builds of the same instrument would otherwise differ.
    """
    stamp = FIXED_DATE.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(
        out, "w", zipfile.ZIP_DEFLATED
    ) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + stamp.encode() + rb"\g<2>",
                    content,
                )
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, content)
    return out.getvalue()


def xlsform_path(instrument: Instrument, out_dir: Path) -> Path:
    """Where :func:`write_xlsform` puts an instrument's form."""
    return Path(out_dir) / f"{instrument.id}-xlsform.xlsx"


def write_xlsform(instrument: Instrument, out_dir: Path) -> Path:
    """Write the instrument's XLSForm into ``out_dir`` (created if needed); return its path.

    The file is written atomically (:mod:`surveyor.files`), so a failure leaves none.
    """
    data = build_xlsform(instrument)
    path = xlsform_path(instrument, out_dir)
    files.ensure_dir(Path(out_dir))
    files.write_bytes(path, data)
    return path
