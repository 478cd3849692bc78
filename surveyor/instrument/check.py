"""Validation of an instrument's parsed YAML against the instrument format.

Every problem is collected with its location (``items[3].subscale: unknown subscale
'pe'``), so ``surveyor instrument check`` lists them all at once; warnings (such as
more than one reverse-worded item in a subscale) do not stop a file from loading.
"""

from __future__ import annotations

import re
from typing import Any

from surveyor.errors import Problem
from surveyor.yaml_files import Checker, kind

SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
ITEM_ID = re.compile(r"^[a-z][a-z0-9_]*$")
# Item ids may be spelled as a survey tool names its fields (A1, Q5_1): they are matched
# ignoring case, and written as the instrument spells them.
ITEM_ID_ANY_CASE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
QUESTION_WHEN = ("high", "low", "always")

TOP_FIELDS = {
    "id": True, "version": True, "title": True, "short_title": False, "scale": True,
    "subscales": True, "items": True, "language": False, "introduction": False,
    "instructions": False, "confidentiality": False, "citation": False, "picture": False,
    "agreement_questions": False, "organization_questions": False,
}
SCALE_FIELDS = {"values": True, "labels": True, "missing": False}
SUBSCALE_FIELDS = {
    "id": True, "name": True, "description": True, "min_answered": False, "bands": False,
    "questions": False, "stem": False,
}
BAND_FIELDS = {"label": True, "text": True, "upper": False, "organization_text": False}
QUESTION_FIELDS = {"text": True, "when": False}
ITEM_FIELDS = {
    "id": True, "subscale": True, "text": True, "reverse": False, "stem": False,
    "section": False,
}


def validate_instrument_data(data: Any) -> list[Problem]:
    """Check parsed YAML against the instrument format; return every problem found."""
    check = Checker()
    if data is None:
        return [Problem("(top level)", "the file is empty; it must define an instrument")]
    top = check.mapping(data, "", TOP_FIELDS)
    if top is None:
        return check.problems

    identifier = check.text(top, "id", "")
    if identifier is not None and not SLUG.match(identifier):
        check.error("id", f"'{identifier}' must be a slug: lower-case letters, digits, '-' or '_'")
    if "version" in top and not isinstance(top["version"], str):
        check.error("version", f"must be quoted text such as \"1.0\", not {kind(top['version'])}")
    elif "version" in top and not top["version"].strip():
        check.error("version", "must not be empty")
    check.text(top, "title", "")
    for name in ("short_title", "language", "introduction", "instructions", "confidentiality",
                 "citation"):
        check.text(top, name, "", required=False)

    scale_range = _check_scale(check, top["scale"]) if "scale" in top else None
    subscale_ids = _check_subscales(check, top, scale_range)
    _check_items(check, top, subscale_ids)

    if "picture" in top:
        picture = top["picture"]
        if not (isinstance(picture, list) and len(picture) == 2):
            check.error("picture", "must list two subscale ids: [x-axis, y-axis]")
        else:
            for i, sub in enumerate(picture):
                if not isinstance(sub, str) or sub not in subscale_ids:
                    check.error(f"picture[{i}]", f"unknown subscale '{sub}'")
            if picture[0] == picture[1]:
                check.error("picture", "the two axes must be different subscales")
    for name in ("agreement_questions", "organization_questions"):
        for i, question in enumerate(check.sequence(top, name, "")):
            if not isinstance(question, str) or not question.strip():
                check.error(f"{name}[{i}]", "must be non-empty text")
    return check.problems


def _check_scale(check: Checker, scale: Any) -> tuple[int, int] | None:
    scale = check.mapping(scale, "scale", SCALE_FIELDS)
    if scale is None:
        return None
    values = check.sequence(scale, "values", "scale")
    labels = check.sequence(scale, "labels", "scale")
    valid = True
    for i, value in enumerate(values):
        if isinstance(value, bool) or not isinstance(value, int):
            check.error(f"scale.values[{i}]", f"must be a whole number, not {value!r}")
            valid = False
    if valid and len(values) < 2:
        check.error("scale.values", "needs at least two values")
        valid = False
    if valid and any(b <= a for a, b in zip(values, values[1:], strict=False)):
        check.error("scale.values", f"must be strictly increasing, got {values}")
        valid = False
    if valid and any(b - a != 1 for a, b in zip(values, values[1:], strict=False)):
        check.error("scale.values", f"must be consecutive whole numbers, got {values}")
        valid = False
    if "labels" in scale and "values" in scale and len(labels) != len(values):
        check.error(
            "scale.labels", f"has {len(labels)} labels for {len(values)} values; give one each"
        )
    seen: set[str] = set()
    for i, label in enumerate(labels):
        if not isinstance(label, str) or not label.strip():
            check.error(f"scale.labels[{i}]", "must be non-empty text")
        elif _norm(label) in seen:
            check.error(f"scale.labels[{i}]", f"'{label}' is repeated")
        else:
            seen.add(_norm(label))
    for i, option in enumerate(check.sequence(scale, "missing", "scale")):
        if not isinstance(option, str) or not option.strip():
            check.error(f"scale.missing[{i}]", "must be non-empty text")
        elif _norm(option) in seen:
            check.error(f"scale.missing[{i}]", f"'{option}' is also a scale label")
    return (values[0], values[-1]) if valid else None


def _check_subscales(check: Checker, top: dict, scale_range) -> set[str]:
    subscales = check.sequence(top, "subscales", "")
    if "subscales" in top and not subscales and isinstance(top["subscales"], list):
        check.error("subscales", "must list at least one subscale")
    ids: set[str] = set()
    items = top.get("items") if isinstance(top.get("items"), list) else []
    for i, raw in enumerate(subscales):
        where = f"subscales[{i}]"
        sub = check.mapping(raw, where, SUBSCALE_FIELDS)
        if sub is None:
            continue
        sid = check.text(sub, "id", where)
        if sid is not None:
            if not ITEM_ID.match(sid):
                check.error(f"{where}.id", f"'{sid}' must be lower-case letters, digits and '_'")
            if sid in ids:
                check.error(f"{where}.id", f"duplicate subscale id '{sid}'")
            ids.add(sid)
        check.text(sub, "name", where)
        check.text(sub, "stem", where)
        check.text(sub, "description", where)
        n_items = sum(1 for it in items if isinstance(it, dict) and it.get("subscale") == sid)
        if sid is not None and n_items < 2:
            check.error(where, f"subscale '{sid}' has {n_items} item(s); it needs at least 2")
        if "min_answered" in sub:
            m = sub["min_answered"]
            if isinstance(m, bool) or not isinstance(m, int) or m < 1:
                check.error(f"{where}.min_answered", f"must be a whole number >= 1, not {m!r}")
            elif n_items and m > n_items:
                check.error(
                    f"{where}.min_answered", f"is {m} but the subscale has only {n_items} items"
                )
        _check_bands(check, sub, where, scale_range)
        for j, raw_q in enumerate(check.sequence(sub, "questions", where)):
            qwhere = f"{where}.questions[{j}]"
            question = check.mapping(raw_q, qwhere, QUESTION_FIELDS)
            if question is None:
                continue
            check.text(question, "text", qwhere)
            when = question.get("when", "always")
            if when not in QUESTION_WHEN:
                check.error(f"{qwhere}.when", f"'{when}' must be one of {', '.join(QUESTION_WHEN)}")
    return ids


def _check_bands(check: Checker, sub: dict, where: str, scale_range) -> None:
    bands = check.sequence(sub, "bands", where)
    previous = None
    with_pooled: list[int] = []
    without_pooled: list[int] = []
    for j, raw in enumerate(bands):
        bwhere = f"{where}.bands[{j}]"
        band = check.mapping(raw, bwhere, BAND_FIELDS)
        if band is None:
            continue
        check.text(band, "label", bwhere)
        check.text(band, "text", bwhere)
        check.text(band, "organization_text", bwhere)
        (with_pooled if "organization_text" in band else without_pooled).append(j)
        last = j == len(bands) - 1
        if "upper" not in band:
            if not last:
                check.error(f"{bwhere}.upper", "is required on every band but the last")
            continue
        upper = band["upper"]
        if last:
            check.error(f"{bwhere}.upper", "the last band runs to the top of the scale; remove it")
            continue
        if isinstance(upper, bool) or not isinstance(upper, int | float):
            check.error(f"{bwhere}.upper", f"must be a number, not {upper!r}")
            continue
        if scale_range and not scale_range[0] < upper <= scale_range[1]:
            check.error(
                f"{bwhere}.upper",
                f"{upper} is outside the scale range {scale_range[0]}-{scale_range[1]}",
            )
        if previous is not None and upper <= previous:
            check.error(
                f"{bwhere}.upper", f"{upper} must be above the previous cut-point {previous}"
            )
        previous = upper
    # Allowed, since every band falls back to its set text, but a sponsor would then read
    # set wording at some levels of the subscale and organisation wording at others.
    if with_pooled and without_pooled:
        missing = ", ".join(f"bands[{j}]" for j in without_pooled)
        check.problems.append(
            Problem(
                f"{where}.bands",
                f"organization_text is given for some bands but not for {missing}; "
                "organisation and programme reports will use the set text there",
                severity="warning",
            )
        )


def _check_items(check: Checker, top: dict, subscale_ids: set[str]) -> None:
    items = check.sequence(top, "items", "")
    if "items" in top and not items and isinstance(top["items"], list):
        check.error("items", "must list at least two items")
    ids: set[str] = set()
    reversed_per_subscale: dict[str, int] = {}
    for i, raw in enumerate(items):
        where = f"items[{i}]"
        item = check.mapping(raw, where, ITEM_FIELDS)
        if item is None:
            continue
        iid = check.text(item, "id", where)
        if iid is not None:
            if not ITEM_ID_ANY_CASE.match(iid):
                check.error(f"{where}.id", f"'{iid}' must be letters, digits and '_', starting "
                            "with a letter")
            if iid.lower() in ids:
                check.error(f"{where}.id", f"duplicate item id '{iid}' (ids are matched "
                            "ignoring case)")
            if iid in subscale_ids:
                check.error(f"{where}.id", f"'{iid}' is also a subscale id")
            ids.add(iid.lower())
        sub = item.get("subscale")
        # Checked as text first: a list or mapping here cannot be looked up in a set.
        if "subscale" in item and (not isinstance(sub, str) or sub not in subscale_ids):
            check.error(f"{where}.subscale", f"unknown subscale '{sub}'")
        check.text(item, "text", where)
        check.text(item, "stem", where)
        if "section" in item:
            check.text(item, "section", where)
        reverse = item.get("reverse", False)
        if not isinstance(reverse, bool):
            check.error(f"{where}.reverse", f"must be true or false, not {reverse!r}")
        elif reverse and isinstance(sub, str) and sub in subscale_ids:
            reversed_per_subscale[sub] = reversed_per_subscale.get(sub, 0) + 1
    for sub, count in reversed_per_subscale.items():
        if count > 1:
            check.problems.append(
                Problem(
                    "items",
                    f"subscale '{sub}' has {count} reverse-worded items; more than one "
                    "tends to form a method artefact",
                    severity="warning",
                )
            )


def _norm(text: str) -> str:
    return " ".join(str(text).split()).casefold()
