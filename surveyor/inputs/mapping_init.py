"""``surveyor mapping init``: propose a mapping for an export, and write it as YAML.

Every item's text is compared with every column's question text (:func:`match_score`);
pairs are taken best first, so each item gets its closest column and no column serves
two items. Weak, tied and missing matches are written as comments in the proposal, for
the consultant to check before scoring with it (the file format is in
:mod:`surveyor.inputs.mapping`).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from surveyor.inputs.mapping import (
    ID_FIELDS,
    ItemColumn,
    Mapping,
    Source,
    column_letter,
    norm,
    norm_text,
    recode_key,
    text_candidates,
)

if TYPE_CHECKING:
    from surveyor.inputs.exports import Export
    from surveyor.instrument.model import Instrument

MIN_MATCH = 0.6  # below this similarity an item is left unmatched, for the consultant
STEM_PENALTY = 0.05  # a column not under the item's matrix stem scores this much lower


def match_score(item_text: str, header: str) -> float:
    """Similarity in [0, 1] of an item text and the best-matching part of a column text.

    Notes
    -----
    ``difflib.SequenceMatcher.ratio`` (2 * matches / total length) on loosely normalised
    text; the item counts are small, so the standard library is fast enough.
    """
    import difflib

    wanted = norm_text(item_text)
    best = 0.0
    for candidate in text_candidates(header):
        ratio = difflib.SequenceMatcher(None, wanted, norm_text(candidate), autojunk=False).ratio()
        best = max(best, ratio)
    return best



def propose_mapping(export: Export | str | Path, instrument: Instrument) -> Mapping:
    """Propose, for every item, the export column whose text matches the item text best.

    Parameters
    ----------
    export
        An :class:`~surveyor.inputs.exports.Export` or an export file (format detected).
    instrument
        The instrument the survey asked.

    Returns
    -------
    Mapping
        Items with their best column and its match score (``ItemColumn.match``), columns
        for respondent id, organisation, set and wave where one looks right, and
        ``comments`` flagging weak, tied (duplicated question text) or missing matches
        and numeric codes off the scale.

    Notes
    -----
    Scores are :func:`match_score` for every item and column; pairs are taken best first,
    each item and column at most once, so two items never share a column. A column whose
    header is the item id (a Kobo form built by surveyor) scores 1. Below 0.6 the item is
    left without a column for the consultant to fill in.
    """
    from surveyor.inputs.read import load_export

    if not hasattr(export, "keys"):
        export = load_export(export)
    comments: dict[str, str] = {}
    pairs = []
    for item in instrument.items:
        for index, (key, text) in enumerate(zip(export.keys, export.texts, strict=True)):
            if norm(export.leaf(index)) == norm(item.id):
                score = 1.0
            else:
                score = max(match_score(item.text, text), match_score(item.text, key))
                stem = instrument.stem_of(item)
                if stem and norm(stem) not in norm(text):
                    # A row label shared by two matrices: the one under this stem wins.
                    score -= STEM_PENALTY
            pairs.append((score, item.id, index))
    pairs.sort(key=lambda p: (-p[0], p[2]))
    chosen: dict[str, tuple[float, int]] = {}
    taken: set[int] = set()
    for score, item_id, index in pairs:
        if item_id in chosen or index in taken or score < MIN_MATCH:
            continue
        chosen[item_id] = (score, index)
        taken.add(index)
    best_of = {}
    for score, item_id, index in pairs:
        best_of.setdefault(item_id, []).append((score, index))

    items: dict[str, ItemColumn] = {}
    for item in instrument.items:
        ranked = best_of.get(item.id, [])
        if item.id not in chosen:
            top = ranked[0] if ranked else None
            hint = (
                f"; closest: {export.describe(top[1])} at {top[0]:.2f}" if top else ""
            )
            comments[f"items.{item.id}"] = f"NO MATCH for '{item.text}'{hint}"
            items[item.id] = ItemColumn(column=None)
            continue
        score, index = chosen[item.id]
        ties = [i for s, i in ranked if i != index and s == score]
        duplicates = [i for i, key in enumerate(export.keys) if key == export.keys[index]]
        # A repeated header is told apart by its occurrence, so the proposal loads.
        occurrence = duplicates.index(index) + 1 if len(duplicates) > 1 else None
        items[item.id] = ItemColumn(column=export.keys[index], match=round(score, 2),
                                    occurrence=occurrence)
        if len(duplicates) > 1:
            where = ", ".join(column_letter(i) for i in duplicates)
            comments[f"items.{item.id}"] = (
                f"AMBIGUOUS: this header heads columns {where}; column "
                f"{column_letter(index)} (occurrence {occurrence}) was taken: check it"
            )
        elif ties:
            others = ", ".join(export.describe(i) for i in ties)
            comments[f"items.{item.id}"] = (
                f"CHECK: the same text also heads {others} (duplicated question text)"
            )
        elif score < 0.9:
            comments[f"items.{item.id}"] = f"CHECK: weak match; column text '{export.texts[index]}'"
        else:
            comments[f"items.{item.id}"] = export.texts[index]
    mapping = Mapping(items=items, instrument=instrument.id, format=export.format,
                      comments=comments)
    _propose_ids(export, mapping, taken)
    _propose_recode_hint(export, instrument, mapping)
    return mapping


# Group columns found by what their question asks, not by an exact name. A set: "Which
# set are you in?", "Your action learning set", an embedded-data field "alsset"; never a
# "set-up" or "setting".
MEANINGS = {
    "organization": re.compile(
        r"\b(organi[sz]ations?|org|company|employer|institution|trust)\b(?!-)"
    ),
    "set": re.compile(r"\b(action learning set|learning set|set|als ?set|set ?name)\b(?!-)"),
}
# Headers of columns that hold personal data: never proposed as an id or group.
PERSONAL = re.compile(
    r"\b(e-?mail|first name|last name|full name|your name|surname|address|postal|"
    r"post ?code|zip|phone|mobile|ip ?address|ipaddress|latitude|longitude|birth|age)\b"
    r"|^name$"
)
# A group column repeats its few short values; a free-text column does not.
GROUP_MAX_CHARS = 80


def _propose_ids(export: Export, mapping: Mapping, taken: set[int]) -> None:
    """Propose the respondent id, organisation, set and wave columns.

    The respondent id is a column named as surveyor names it, else the platform's own id
    column (never a guess from words in a question). Organisation and set are a column
    so named, else one whose question asks for it by meaning; never a column of personal
    data or of free text.
    """
    from surveyor.inputs.exports import CANONICAL_IDS

    for name, aliases in CANONICAL_IDS.items():
        free = [i for i in range(len(export.keys)) if i not in taken]
        exact = [i for i in free if norm(export.leaf(i)) in aliases
                 or norm_text(export.texts[i]) in aliases]
        comment = None
        if name == "respondent_id":
            platform = [export.keys.index(export.id_column)] if export.id_column else []
            found = exact or platform
        elif exact:
            found = exact
        else:
            meant = sorted((i for i in free if name in MEANINGS
                            and _asks_for(export, i, MEANINGS[name])),
                           key=lambda i: len(export.texts[i]))
            found = [i for i in meant if _group_like(export, i)]
            comment = "CHECK: found by what its question asks, '{}'"
        if not found:
            continue
        mapping.ids[name] = Source(column=export.keys[found[0]])
        taken.add(found[0])
        if comment:
            mapping.comments[name] = comment.format(export.texts[found[0]])
    if "respondent_id" not in mapping.ids:
        mapping.comments["respondent_id"] = (
            "no respondent id column found; the export's row numbers will be used"
        )


def _asks_for(export: Export, index: int, meaning: re.Pattern) -> bool:
    """Whether a column's question (or field name) asks for a group, and no personal data."""
    text = norm_text(export.texts[index])
    key = norm(re.sub(r"[_.]+", " ", export.leaf(index)))
    # A long text is an introduction or a statement to rate, never the group question.
    if len(text) > GROUP_MAX_CHARS or PERSONAL.search(text) or PERSONAL.search(key):
        return False
    return bool(meaning.search(text) or meaning.search(key))


def _group_like(export: Export, index: int) -> bool:
    """Whether a column's values look like group names: short, and repeated."""
    values = [row[index].strip() for row in export.data if row[index].strip()]
    if not values:
        return True
    if max(len(value) for value in values) > GROUP_MAX_CHARS:
        return False
    distinct = len(set(values))
    return distinct <= max(3, len(values) // 2)


def _propose_recode_hint(export: Export, instrument: Instrument, mapping: Mapping) -> None:
    """Flag numeric item codes off the scale, per item with the codes seen there, and
    suggest a recode table built from those codes and this instrument's scale."""
    scale = list(instrument.scale.values)
    seen: dict[str, list[int]] = {}
    for item_id, entry in mapping.items.items():
        if entry.column is None:
            continue
        index = [i for i, key in enumerate(export.keys) if key == entry.column][
            (entry.occurrence or 1) - 1]
        codes = {int(value) for row in export.data
                 if re.fullmatch(r"[+-]?\d+", value := recode_key(row[index]))}
        seen[item_id] = sorted(codes)
    off = {item_id: codes for item_id, codes in seen.items() if set(codes) - set(scale)}
    if not off:
        return
    union = sorted({code for codes in off.values() for code in codes})
    for item_id, codes in off.items():
        key = f"items.{item_id}"
        # Too few codes seen for this item to tell its coding: the export's as a whole.
        example = _recode_flow(suggest_recode(codes if len(codes) >= len(scale) else union,
                                              scale))
        note = (f"codes seen {', '.join(map(str, codes))}, not all on the scale "
                f"{scale[0]}-{scale[-1]}; e.g. recode: {example}")
        mapping.comments[key] = f"{mapping.comments[key]}; {note}" if key in (
            mapping.comments) else note
    shared = len({tuple(codes) for codes in off.values()}) == 1
    mapping.comments["recode"] = (
        f"the export's item codes ({', '.join(map(str, union))}) are not all on the scale "
        f"{scale[0]}-{scale[-1]}; add a recode table from the survey tool's recode values"
        + ("" if shared else " (the items use different codes: give each its own recode)")
    )
    mapping.comments["recode.example"] = _recode_flow(suggest_recode(union, scale))


def suggest_recode(codes: list[int], scale: list[int]) -> dict[str, str | None]:
    """A guess at the recode table: the codes seen, in order, onto the scale's values;
    codes beyond the scale's length (a "Don't know" coded 6 or 99) read as missing."""
    ordered = sorted(codes)
    if len(ordered) < len(scale):
        # Not every answer was given: assume the codes run on from the lowest one seen.
        ordered = list(range(ordered[0], ordered[0] + len(scale))) + [
            c for c in ordered if c >= ordered[0] + len(scale)]
    return {str(code): (str(scale[i]) if i < len(scale) else None)
            for i, code in enumerate(ordered)}


def mapping_yaml(mapping: Mapping) -> str:
    """The mapping as commented YAML text that :func:`load_mapping` reads back."""
    comments = mapping.comments
    lines = [
        "# surveyor mapping: which export column holds each item.",
        "# Check every line, above all those marked CHECK, AMBIGUOUS or NO MATCH, then pass",
        "# this file with --mapping. 'match' is the text similarity of the proposal (0-1).",
    ]
    if mapping.instrument:
        lines.append(f"instrument: {_scalar(mapping.instrument)}")
    if mapping.format:
        lines.append(f"format: {_scalar(mapping.format)}")
    for name in ID_FIELDS:
        source = mapping.ids.get(name)
        note = comments.get(name)
        if source is None:
            if name == "wave":
                continue
            hint = "" if name == "respondent_id" else " (or {value: TEXT}, or the --" + (
                "organization" if name == "organization" else "set"
            ) + " option)"
            lines.append(f"# {name}: COLUMN{hint}" + (f"  # {note}" if note else ""))
            continue
        if source.value is not None:
            text = f"{name}: {{value: {_scalar(source.value)}}}"
        else:
            text = f"{name}: {_scalar(source.column)}"
        lines.append(text + (f"  # {_comment(note)}" if note else ""))
    lines.append("items:")
    for item_id, entry in mapping.items.items():
        note = comments.get(f"items.{item_id}")
        parts = [f"column: {_scalar(entry.column)}"]
        if entry.occurrence is not None:
            parts.append(f"occurrence: {entry.occurrence}")
        if entry.match is not None:
            parts.append(f"match: {entry.match:.2f}")
        if entry.recode is not None:
            parts.append(f"recode: {_recode_flow(entry.recode)}")
        line = f"  {item_id}: {{{', '.join(parts)}}}"
        lines.append(line + (f"  # {_comment(note)}" if note else ""))
    if mapping.recode is not None:
        lines.append("recode:")
        for key, target in mapping.recode.items():
            lines.append(f"  {_scalar(key)}: {'missing' if target is None else target}")
    elif "recode" in comments:
        lines.append(f"# {_comment(comments['recode'])}, e.g.")
        lines.append(f"# recode: {comments['recode.example']}")
    return "\n".join(lines) + "\n"


def _recode_flow(table: dict[str, str | None]) -> str:
    pairs = [f"{_scalar(k)}: {'missing' if v is None else v}" for k, v in table.items()]
    return "{" + ", ".join(pairs) + "}"


def _scalar(value: Any) -> str:
    """A YAML scalar: plain when unambiguous, else a JSON string (valid YAML)."""
    if value is None:
        return "null"
    text = str(value)
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", text) and text.lower() not in {
        "null", "true", "false", "yes", "no", "on", "off", "y", "n", "missing",
    }:
        return text
    if re.fullmatch(r"[+-]?\d+", text):
        return text
    return json.dumps(text, ensure_ascii=False)


def _comment(text: str) -> str:
    return " ".join(text.split())
