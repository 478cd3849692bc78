"""LimeSurvey survey structure (.txt): an instrument as a survey LimeSurvey imports.

LimeSurvey's "tab-separated-values format (*.txt)" survey structure has one row per survey
setting (class ``S``, ``SL``), group (``G``), question (``Q``), subquestion (``SQ``) and
answer option (``A``). The survey is built so that its response export reads with no
mapping (:func:`surveyor.inputs.read.read_export`):

- the first group asks for the organisation and the set in short free text questions coded
  ``organization`` and ``set`` (LimeSurvey's own response id is the respondent id);
- each subscale is one Array question (type ``F``) in a group of its own, with one
  subquestion per item coded by the item id, so the export names the column
  ``<question code>[<item id>]`` (or ``Part 1 of 3 [item text]`` with full question text);
- the answer options are coded by the scale codes (``1`` ... ``5``) with the scale labels,
  then ``DK`` (``DK2``, ``DK3``...) for the instrument's never-scored options ("Don't know /
  not applicable"), which the reader turns back into those options.

Written by :func:`surveyor.instrument.build.write_online_form` (``<id>-limesurvey.txt``).
LimeSurvey codes allow letters and digits only: question codes are the subscale ids without
other characters, and an item id or scale code that cannot be a code is refused with a
message naming it. Groups are headed "Part 1 of 3", not by subscale name. The survey is
anonymous, with no IP address, referrer or timestamps recorded.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import re
from typing import TYPE_CHECKING

from surveyor.errors import SurveyorError

if TYPE_CHECKING:
    from surveyor.instrument.model import Instrument

COLUMNS = (
    "id", "related_id", "class", "type/scale", "name", "relevance", "text", "help",
    "language", "validation", "mandatory", "encrypted", "other", "default", "same_default",
    "same_script",
)
ID_CODES = ("organization", "set")
QUESTION_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9]{0,19}$")
SUBQUESTION_CODE = re.compile(r"^[A-Za-z0-9]{1,20}$")
ANSWER_CODE = re.compile(r"^[A-Za-z0-9]{1,5}$")
SETTINGS = (
    ("anonymized", "Y"), ("format", "G"), ("datestamp", "N"), ("ipaddr", "N"),
    ("refurl", "N"), ("savetimings", "N"), ("usecookie", "N"), ("allowregister", "N"),
    ("allowsave", "N"), ("allowprev", "Y"), ("shownoanswer", "Y"), ("showgroupinfo", "N"),
    ("showqnumcode", "X"), ("showwelcome", "Y"), ("questionindex", "0"),
)


def missing_answer_code(position: int) -> str:
    """The LimeSurvey answer code of the scale's ``position``-th (0-based) missing option."""
    return "DK" if position == 0 else f"DK{position + 1}"


def question_code(subscale_id: str) -> str:
    """The Array question's code for a subscale: its id with letters and digits only."""
    return re.sub(r"[^A-Za-z0-9]", "", subscale_id)


def _html(*texts: str) -> str:
    out = []
    for text in texts:
        for paragraph in text.split("\n\n"):
            if paragraph.strip():
                out.append(html.escape(" ".join(paragraph.split()), quote=False))
    return "<br /><br />".join(out)


def _check_codes(instrument: Instrument) -> None:
    problems = []
    subscales = [s for s in instrument.subscales if instrument.items_of(s.id)]
    codes = [*ID_CODES, "instructions", *(question_code(s.id) for s in subscales)]
    for subscale in subscales:
        code = question_code(subscale.id)
        if not QUESTION_CODE.match(code):
            problems.append(
                f"subscale '{subscale.id}' gives the question code '{code}', which must be a "
                "letter then up to 19 letters or digits"
            )
        elif codes.count(code) > 1:
            problems.append(f"subscale '{subscale.id}' gives the question code '{code}' twice")
    for item in instrument.items:
        if not SUBQUESTION_CODE.match(item.id):
            problems.append(
                f"item id '{item.id}' cannot be a subquestion code (letters and digits only, "
                "at most 20)"
            )
    for value in instrument.scale.values:
        if not ANSWER_CODE.match(str(value)):
            problems.append(f"scale code {value} cannot be an answer code (letters and digits)")
    if problems:
        raise SurveyorError(
            f"instrument '{instrument.id}': cannot be written as a LimeSurvey survey: "
            + "; ".join(problems) + "; rename them to build the survey structure"
        )


def structure_rows(instrument: Instrument) -> list[dict[str, str]]:
    """The survey structure's rows, as column -> text, in LimeSurvey's order."""
    _check_codes(instrument)
    language = instrument.language or "en"
    digest = hashlib.sha256(f"{instrument.id}\x1f{instrument.version}".encode()).hexdigest()
    survey_id = str(100000 + int(digest[:8], 16) % 900000)
    rows: list[dict[str, str]] = [{"class": "S", "name": "sid", "text": survey_id}]
    rows.append({"class": "S", "name": "language", "text": language})
    rows.append({"class": "S", "name": "additional_languages", "text": ""})
    rows += [{"class": "S", "name": name, "text": value} for name, value in SETTINGS]
    for name, text in (
        ("surveyls_survey_id", survey_id),
        ("surveyls_language", language),
        ("surveyls_title", instrument.title),
        ("surveyls_description", f"{instrument.id} version {instrument.version}"),
        ("surveyls_welcometext", _html(instrument.introduction, instrument.confidentiality)),
    ):
        rows.append({"class": "SL", "name": name, "text": text, "language": language})

    next_id = iter(range(1, 10**6))

    def question(kind: str, code: str, text: str, mandatory: bool) -> dict[str, str]:
        return {
            "id": str(next(next_id)), "class": "Q", "type/scale": kind, "name": code,
            "relevance": "1", "text": text, "language": language,
            "mandatory": "Y" if mandatory else "N", "encrypted": "N", "other": "N",
            "same_default": "0", "same_script": "0",
        }

    subscales = [s for s in instrument.subscales if instrument.items_of(s.id)]
    rows.append({"id": "1", "class": "G", "type/scale": "0", "name": "About you",
                 "relevance": "1", "language": language})
    rows.append(question("S", "organization", "Organisation", True))
    rows.append(question("S", "set", "Action learning set", True))
    if instrument.instructions:
        rows.append(question("X", "instructions", _html(instrument.instructions), False))
    scale = instrument.scale
    answers = [(str(v), label) for v, label in zip(scale.values, scale.labels, strict=True)]
    answers += [(missing_answer_code(i), label) for i, label in enumerate(scale.missing)]
    for number, subscale in enumerate(subscales, start=1):
        heading = f"Part {number} of {len(subscales)}"
        rows.append({"id": str(number + 1), "class": "G", "type/scale": str(number),
                     "name": heading, "relevance": "1", "language": language})
        parent = question("F", question_code(subscale.id), html.escape(heading), False)
        rows.append(parent)
        for item in instrument.items_of(subscale.id):
            rows.append({
                "id": str(next(next_id)), "related_id": parent["id"], "class": "SQ",
                "type/scale": "0", "name": item.id, "relevance": "1",
                "text": html.escape(item.text, quote=False), "language": language,
            })
        for code, label in answers:
            rows.append({"class": "A", "type/scale": "0", "name": code, "relevance": "0",
                         "text": html.escape(label, quote=False), "language": language})
    return rows


def build_structure(instrument: Instrument) -> bytes:
    """The instrument as a LimeSurvey survey structure (.txt, UTF-8, tab-separated)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in structure_rows(instrument):
        writer.writerow([row.get(column, "") for column in COLUMNS])
    return buffer.getvalue().encode("utf-8")
