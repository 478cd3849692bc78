"""Qualtrics survey file (.qsf): an instrument as a survey a Qualtrics account imports.

The survey is built so that its export reads with no mapping
(:func:`surveyor.inputs.read.read_export`):

- a first block asks for the organisation and the set in text entry questions whose export
  tags are ``organization`` and ``set`` (Qualtrics' own ``ResponseId`` is the respondent id);
- each subscale is one Likert matrix (single answer) in a block of its own. The matrix's
  export tag is the subscale id and each statement's export tag is the item id, so Qualtrics
  names the column ``<subscale id>_<item id>`` (``alpha_sub_a1``), the form the reader
  recognises;
- each scale point's recode value is the scale code (``1`` ... ``5``), so numeric exports
  carry the codes; the instrument's never-scored options ("Don't know / not applicable")
  follow as further columns of the matrix with recode values ``-1``, ``-2``... (below the
  scale when it reaches 0 or lower: see :func:`missing_recode_values`), which the reader turns
  back into those options. Exports with choice text carry the labels, which read as they are.

Written by :func:`surveyor.instrument.build.write_online_form` (``<id>-qualtrics.qsf``).
Blocks are headed "Part 1 of 3", not by subscale name, so respondents are not told which
construct a block measures. Identifiers inside the file (survey, blocks) derive from the
instrument id and version, so the same instrument gives the same bytes; Qualtrics assigns
its own on import.
"""

from __future__ import annotations

import hashlib
import html
import json
from typing import TYPE_CHECKING

from surveyor.errors import SurveyorError

if TYPE_CHECKING:
    from surveyor.instrument.model import Instrument, Scale

ID_TAGS = ("organization", "set")
FIXED_DATE = "2000-01-01 00:00:00"
NEVER = "0000-00-00 00:00:00"


def missing_recode_values(scale: Scale) -> list[int]:
    """The Qualtrics recode values of the scale's never-scored options, in order.

    ``-1``, ``-2``... (Qualtrics' own convention for "No opinion"), moved below the scale
    when it reaches ``-1`` or lower, so a missing code is never a scale code.
    """
    start = min(0, scale.min) - 1
    return [start - i for i in range(len(scale.missing))]


def export_column(subscale_id: str, item_id: str) -> str:
    """The export column Qualtrics writes for an item of the built survey."""
    return f"{subscale_id}_{item_id}"


def _ident(prefix: str, *parts: str) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return f"{prefix}_{digest[:15]}"


def _paragraphs(*texts: str) -> str:
    """Plain instrument text as Qualtrics HTML: escaped, one paragraph per blank line."""
    out = []
    for text in texts:
        for paragraph in text.split("\n\n"):
            if paragraph.strip():
                out.append(html.escape(" ".join(paragraph.split()), quote=False))
    return "<br><br>".join(out)


def _element(survey_id: str, element: str, primary: str, secondary: str | None,
             payload: object) -> dict:
    return {
        "SurveyID": survey_id, "Element": element, "PrimaryAttribute": primary,
        "SecondaryAttribute": secondary, "TertiaryAttribute": None, "Payload": payload,
    }


def _validation(required: bool) -> dict:
    return {"Settings": {
        "ForceResponse": "ON" if required else "OFF", "ForceResponseType": "ON",
        "Type": "None",
    }}


def _text_question(qid: str, tag: str, text: str, required: bool) -> dict:
    return {
        "QuestionText": html.escape(text, quote=False), "DefaultChoices": False,
        "DataExportTag": tag,
        "QuestionType": "TE", "Selector": "SL",
        "Configuration": {"QuestionDescriptionOption": "UseText"},
        "QuestionDescription": text, "Validation": _validation(required),
        "GradingData": [], "Language": [], "QuestionID": qid,
    }


def _descriptive(qid: str, tag: str, text_html: str) -> dict:
    return {
        "QuestionText": text_html, "DefaultChoices": False, "DataExportTag": tag,
        "QuestionType": "DB", "Selector": "TB",
        "Configuration": {"QuestionDescriptionOption": "UseText"},
        "QuestionDescription": html.unescape(text_html)[:100], "ChoiceOrder": [],
        "Validation": _validation(False), "GradingData": [], "Language": [],
        "QuestionID": qid,
    }


def _matrix(qid: str, instrument: Instrument, subscale_id: str, heading: str) -> dict:
    scale = instrument.scale
    items = instrument.items_of(subscale_id)
    labels = [*scale.labels, *scale.missing]
    codes = [*scale.values, *missing_recode_values(scale)]
    answers = {
        str(i): {"Display": html.escape(label, quote=False)}
        for i, label in enumerate(labels, 1)
    }
    return {
        "QuestionText": html.escape(heading, quote=False), "DefaultChoices": False,
        "DataExportTag": subscale_id, "QuestionType": "Matrix", "Selector": "Likert",
        "SubSelector": "SingleAnswer",
        "Configuration": {
            "QuestionDescriptionOption": "UseText", "TextPosition": "inline",
            "ChoiceColumnWidth": 40, "RepeatHeaders": "none", "WhiteSpace": "OFF",
            "MobileFirst": True,
        },
        "QuestionDescription": heading,
        "Choices": {str(i): {"Display": html.escape(item.text, quote=False)}
                    for i, item in enumerate(items, 1)},
        "ChoiceOrder": list(range(1, len(items) + 1)),
        "Validation": _validation(False), "GradingData": [], "Language": [],
        "NextChoiceId": len(items) + 1, "NextAnswerId": len(labels) + 1,
        "Answers": answers, "AnswerOrder": list(range(1, len(labels) + 1)),
        "RecodeValues": {str(i): str(code) for i, code in enumerate(codes, 1)},
        "ChoiceDataExportTags": {str(i): item.id for i, item in enumerate(items, 1)},
        "QuestionID": qid,
    }


def _check_tags(instrument: Instrument) -> None:
    subscales = [s for s in instrument.subscales if instrument.items_of(s.id)]
    tags = [*ID_TAGS, "introduction", "instructions", *(s.id for s in subscales)]
    tags += [export_column(item.subscale, item.id) for item in instrument.items]
    clashes = sorted({tag for tag in tags if tags.count(tag) > 1})
    if clashes:
        raise SurveyorError(
            f"instrument '{instrument.id}': export tag {', '.join(clashes)} would name two "
            "Qualtrics columns; rename the subscale or item to build a .qsf"
        )


def survey_elements(instrument: Instrument) -> dict:
    """The .qsf document: ``SurveyEntry`` and ``SurveyElements``, as JSON-ready data."""
    _check_tags(instrument)
    survey_id = _ident("SV", instrument.id, instrument.version)
    subscales = [s for s in instrument.subscales if instrument.items_of(s.id)]
    questions: list[dict] = []
    blocks: list[dict] = []

    def add(payload: dict) -> dict:
        questions.append(payload)
        return {"Type": "Question", "QuestionID": payload["QuestionID"]}

    def qid() -> str:
        return f"QID{len(questions) + 1}"

    first: list[dict] = []
    intro = _paragraphs(instrument.introduction, instrument.confidentiality)
    if intro:
        first.append(add(_descriptive(qid(), "introduction", intro)))
    first.append(add(_text_question(qid(), "organization", "Organisation", True)))
    first.append(add(_text_question(qid(), "set", "Action learning set", True)))
    if instrument.instructions:
        first.append(add(_descriptive(qid(), "instructions",
                                      _paragraphs(instrument.instructions))))
    blocks.append({"Type": "Default", "Description": "About you",
                   "ID": _ident("BL", survey_id, "about"), "BlockElements": first})
    for number, subscale in enumerate(subscales, start=1):
        heading = f"Part {number} of {len(subscales)}"
        element = add(_matrix(qid(), instrument, subscale.id, heading))
        blocks.append({"Type": "Standard", "Description": heading,
                       "ID": _ident("BL", survey_id, subscale.id), "BlockElements": [element]})
    blocks.append({"Type": "Trash", "Description": "Trash / Unused Questions",
                   "ID": _ident("BL", survey_id, "trash"), "BlockElements": []})
    flow = [
        {"ID": block["ID"], "Type": "Block", "FlowID": f"FL_{n}"}
        for n, block in enumerate(blocks[:-1], start=2)
    ]
    response_set = _ident("RS", survey_id)
    elements = [
        _element(survey_id, "BL", "Survey Blocks", None, blocks),
        _element(survey_id, "FL", "Survey Flow", None, {
            "Flow": flow, "Properties": {"Count": len(flow) + 1}, "FlowID": "FL_1",
            "Type": "Root",
        }),
        _element(survey_id, "SO", "Survey Options", None, {
            "BackButton": "true", "SaveAndContinue": "true",
            "SurveyProtection": "PublicSurvey", "BallotBoxStuffingPrevention": "false",
            "NoIndex": "Yes", "SecureResponseFiles": "true", "SurveyExpiration": "None",
            "SurveyTermination": "DefaultMessage", "Header": "", "Footer": "",
            "ProgressBarDisplay": "None", "PartialData": "+1 week", "ValidationMessage": "",
            "PreviousButton": " \u2190 ", "NextButton": " \u2192 ",
            "SurveyTitle": instrument.title, "NewScoring": 1, "ProtectSelectionIds": True,
        }),
        _element(survey_id, "SCO", "Scoring", None, {
            "ScoringCategories": [], "ScoringCategoryGroups": [],
            "ScoringSummaryCategory": None, "ScoringSummaryAfterQuestions": 0,
            "ScoringSummaryAfterSurvey": 0, "DefaultScoringCategory": None,
            "AutoScoringCategory": None,
        }),
        _element(survey_id, "STAT", "Survey Statistics", None,
                 {"MobileCompatible": True, "ID": "Survey Statistics"}),
        _element(survey_id, "QC", "Survey Question Count", str(len(questions)), None),
    ]
    for payload in questions:
        elements.append(_element(survey_id, "SQ", payload["QuestionID"],
                                 payload["QuestionDescription"][:100], payload))
    elements.append(_element(survey_id, "RS", response_set, "Default Response Set", None))
    language = instrument.language.split("-")[0].upper() or "EN"
    return {
        "SurveyEntry": {
            "SurveyID": survey_id, "SurveyName": instrument.title,
            "SurveyDescription": f"{instrument.id} version {instrument.version}",
            "SurveyOwnerID": "", "SurveyBrandID": "", "DivisionID": None,
            "SurveyLanguage": language, "SurveyActiveResponseSet": response_set,
            "SurveyStatus": "Inactive", "SurveyStartDate": NEVER,
            "SurveyExpirationDate": NEVER, "SurveyCreationDate": FIXED_DATE,
            "CreatorID": "", "LastModified": FIXED_DATE, "LastAccessed": NEVER,
            "LastActivated": NEVER, "Deleted": None,
        },
        "SurveyElements": elements,
    }


def build_qsf(instrument: Instrument) -> bytes:
    """The instrument as a Qualtrics .qsf (UTF-8 JSON), identical for identical input."""
    text = json.dumps(survey_elements(instrument), ensure_ascii=False, indent=1)
    return (text + "\n").encode("utf-8")
