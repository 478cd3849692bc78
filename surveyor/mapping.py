"""Mappings: which export column holds which item, and how its values recode to the scale.

A survey tool names its columns by question text (``Stem [Row label]``) or by its own
field names (``Q5_1``), and may code answers on another range (0-4, or reversed). A
``mapping.yaml`` connects them to the instrument; ``surveyor mapping init`` proposes one
by matching item texts to the export's question texts, for the consultant to check::

    instrument: learning-inaction
    format: qualtrics
    respondent_id: ResponseId           # an export column ...
    organization: Org                   # ... (a Qualtrics embedded-data field, say)
    set: {value: "Set 3"}               # ... or a constant for a single-set export
    wave: {column: Wave}                # optional
    items:
      pe1: Q5_1                         # the column's header (or its question text)
      pe2: {column: Q5_2, match: 0.97}  # match: the proposal's similarity, informative only
      ll3: {column: Q7_3, recode: {1: 5, 2: 4, 3: 3, 4: 2, 5: 1}}   # this item only
    recode:                             # every other item: export value -> scale value
      0: 1
      1: 2
      2: 3
      3: 4
      4: 5
      5: missing                        # or null: read as unanswered

Recode keys are export values (codes or label texts, matched ignoring case and spacing);
an item value outside its recode table is an error naming row, column and value.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import Problem, SurveyorError, ValidationError

if TYPE_CHECKING:
    from .exports import Export
    from .instrument import Instrument

ID_FIELDS = ("respondent_id", "organization", "set", "wave")
CONSTANT_FIELDS = ("organization", "set", "wave")
TOP_FIELDS = ("instrument", "format", *ID_FIELDS, "items", "recode")
ITEM_FIELDS = ("column", "match", "recode")
SOURCE_FIELDS = ("column", "value")
MISSING_WORDS = frozenset({"missing", "unanswered"})
# Proposals below this similarity are left for the consultant to fill in.
MIN_MATCH = 0.6


@dataclass(frozen=True)
class Source:
    """Where an id field comes from: an export ``column`` or a constant ``value``."""

    column: str | None = None
    value: str | None = None


@dataclass(frozen=True)
class ItemColumn:
    """One item's export column, the proposal's match score, and its own recode table."""

    column: str | None
    match: float | None = None
    recode: dict[str, str | None] | None = None


@dataclass
class Mapping:
    """A checked mapping.

    ``ids`` holds the sources of ``respondent_id``, ``organization``, ``set`` and ``wave``
    that the mapping names; ``recode`` maps normalised export values (see
    :func:`recode_key`) to scale codes as text, or None for unanswered. ``comments`` carry
    a proposal's remarks per field for :func:`mapping_yaml`.
    """

    items: dict[str, ItemColumn]
    ids: dict[str, Source] = field(default_factory=dict)
    recode: dict[str, str | None] | None = None
    instrument: str | None = None
    format: str | None = None
    source: Path | None = None
    comments: dict[str, str] = field(default_factory=dict, compare=False)


# ------------------------------------------------------------------------ text helpers


def norm(text: Any) -> str:
    """Text compared ignoring case and runs of spaces."""
    return " ".join(str(text).split()).casefold()


def norm_text(text: str) -> str:
    """Question text compared loosely: also typographic quotes and final punctuation."""
    text = norm(text).replace("\u2019", "'").replace("\u2018", "'")
    text = text.replace("\u201c", '"').replace("\u201d", '"')
    return text.rstrip(" .:?!*")


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def text_candidates(header: str) -> list[str]:
    """The parts of a column's question text that may be exactly an item's text.

    Qualtrics matrix rows read ``Stem - Statement`` (``Stem-Statement`` in legacy
    exports; the stem may hold a dash too, so every tail after one is a candidate), Google
    Forms grids ``Stem [Row label]``, SurveyMonkey rows are shown here as
    ``Block - Row label``; numbering such as ``Q3.`` is dropped.
    """
    header = header.strip()
    candidates = [header]
    # Legacy Qualtrics exports join stem and statement with a bare "-".
    for match in re.finditer(r"\s*-\s*", header):
        candidates.append(header[match.end():])
    bracket = re.match(r"^(.*)\[([^\[\]]+)\]\s*$", header, re.DOTALL)
    if bracket:
        candidates.append(bracket.group(2))
    numbered = re.match(r"^\s*(?:Q\s*)?\d+[.)]\s+(.+)$", header, re.DOTALL | re.IGNORECASE)
    if numbered:
        candidates.append(numbered.group(1))
    return [c.strip() for c in candidates if c.strip()]


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


def recode_key(value: Any) -> str:
    """An export value as a recode table key: numbers without ``.0``, text normalised."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = norm(value)
    if re.fullmatch(r"[+-]?\d+\.0*", text):
        return str(int(float(text)))
    return text


# --------------------------------------------------------------------------- loading


class _Checker:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def error(self, location: str, message: str) -> None:
        self.problems.append(Problem(location, message))

    def fields(self, value: dict, location: str, allowed: tuple[str, ...]) -> None:
        import difflib

        for name in value:
            if name not in allowed:
                close = difflib.get_close_matches(str(name), allowed, n=1, cutoff=0.6)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                where = f"{location}.{name}" if location else str(name)
                self.error(where, f"unknown field{hint}; allowed: {', '.join(allowed)}")


def load_mapping(path: str | Path, instrument: Instrument | None = None) -> Mapping:
    """Read and check a ``mapping.yaml``; report every problem at once with its location.

    Parameters
    ----------
    path
        The mapping file.
    instrument
        When given, item ids must be the instrument's, every item must have a column, and
        recode targets must be on its scale.

    Raises
    ------
    ValidationError
        Listing unknown fields, unknown or missing items, a column used twice, recode
        targets off the scale, each with its location (``items.a2.column``).
    SurveyorError
        When the file cannot be read or is not valid YAML.
    """
    from .instrument import read_yaml

    path = Path(path)
    if not path.exists():
        raise SurveyorError(f"{path}: no such file")
    data = read_yaml(path)
    mapping, problems = parse_mapping(data, instrument)
    if any(p.severity == "error" for p in problems):
        raise ValidationError(str(path), problems)
    mapping.source = path
    return mapping


def parse_mapping(data: Any, instrument: Instrument | None = None) -> tuple[Mapping, list[Problem]]:
    """Check parsed mapping YAML; return the mapping (usable only without errors) and problems."""
    check = _Checker()
    mapping = Mapping(items={})
    if not isinstance(data, dict):
        check.error("(top level)", "must be a mapping with an 'items' field")
        return mapping, check.problems
    check.fields(data, "", TOP_FIELDS)
    for name in ("instrument", "format"):
        if name in data and not isinstance(data[name], str):
            check.error(name, "must be text")
    mapping.instrument = data.get("instrument") if isinstance(data.get("instrument"), str) else None
    mapping.format = data.get("format") if isinstance(data.get("format"), str) else None
    if instrument is not None and mapping.instrument and mapping.instrument != instrument.id:
        check.error(
            "instrument",
            f"the mapping is for '{mapping.instrument}' but the instrument is '{instrument.id}'",
        )
    if mapping.format is not None:
        from .exports import FORMATS

        if mapping.format not in FORMATS:
            check.error("format", f"'{mapping.format}' is not one of {', '.join(FORMATS)}")
    used: dict[str, str] = {}

    def use(column: str, location: str) -> None:
        key = norm(column)
        if key in used:
            check.error(location, f"column '{column}' is also used by {used[key]}")
        else:
            used[key] = location.removesuffix(".column")

    for name in ID_FIELDS:
        if name not in data:
            continue
        source = _parse_source(check, data[name], name)
        if source is None:
            continue
        mapping.ids[name] = source
        if source.column is not None:
            use(source.column, name)

    scale_codes = {str(v) for v in instrument.scale.values} if instrument else None
    if "recode" in data:
        mapping.recode = _parse_recode(check, data["recode"], "recode", scale_codes)

    items = data.get("items")
    if items is None:
        check.error("items", "is required: one entry per item id, naming its export column")
        items = {}
    elif not isinstance(items, dict):
        check.error("items", "must map item ids to export columns")
        items = {}
    known = set(instrument.item_ids) if instrument else None
    for item_id, raw in items.items():
        where = f"items.{item_id}"
        if known is not None and item_id not in known:
            check.error(where, f"'{item_id}' is not an item of instrument '{instrument.id}'")
        entry = _parse_item(check, raw, where, scale_codes)
        if entry is None:
            continue
        mapping.items[str(item_id)] = entry
        if entry.column is not None:
            use(entry.column, f"{where}.column")
    if known is not None:
        absent = [i for i in instrument.item_ids if i not in items]
        if absent:
            check.error("items", f"no entry for {', '.join(absent)}; every item needs a column")
    return mapping, check.problems


def _parse_source(check: _Checker, raw: Any, where: str) -> Source | None:
    if isinstance(raw, str | int) and not isinstance(raw, bool):
        return Source(column=str(raw))
    if not isinstance(raw, dict):
        check.error(where, "must be a column header, {column: HEADER} or {value: TEXT}")
        return None
    check.fields(raw, where, SOURCE_FIELDS)
    if ("column" in raw) == ("value" in raw):
        check.error(where, "give either column (an export header) or value (a constant)")
        return None
    if "value" in raw:
        if where not in CONSTANT_FIELDS:
            check.error(f"{where}.value", "respondent ids cannot be a constant; name a column")
            return None
        value = raw["value"]
        if value is None or isinstance(value, bool | dict | list) or not str(value).strip():
            check.error(f"{where}.value", "must be non-empty text")
            return None
        return Source(value=str(value).strip())
    column = raw["column"]
    if column is None or isinstance(column, bool | dict | list) or not str(column).strip():
        check.error(f"{where}.column", "must be an export column header")
        return None
    return Source(column=str(column))


def _parse_item(
    check: _Checker, raw: Any, where: str, scale_codes: set[str] | None
) -> ItemColumn | None:
    if isinstance(raw, str | int) and not isinstance(raw, bool):
        return ItemColumn(column=str(raw))
    if raw is None:
        check.error(where, "no export column chosen; name the column that holds this item")
        return None
    if not isinstance(raw, dict):
        check.error(where, "must be a column header or {column: HEADER, recode: {...}}")
        return None
    check.fields(raw, where, ITEM_FIELDS)
    column = raw.get("column")
    if column is None or isinstance(column, bool | dict | list) or not str(column).strip():
        check.error(
            f"{where}.column", "no export column chosen; name the column that holds this item"
        )
        return None
    match = raw.get("match")
    if match is not None and (isinstance(match, bool) or not isinstance(match, int | float)):
        check.error(f"{where}.match", "must be a number (the proposal's similarity)")
        match = None
    recode = None
    if "recode" in raw:
        recode = _parse_recode(check, raw["recode"], f"{where}.recode", scale_codes)
    return ItemColumn(column=str(column), match=match, recode=recode)


def _parse_recode(
    check: _Checker, raw: Any, where: str, scale_codes: set[str] | None
) -> dict[str, str | None] | None:
    if not isinstance(raw, dict) or not raw:
        check.error(where, "must map export values to scale values, e.g. {0: 1, 1: 2}")
        return None
    table: dict[str, str | None] = {}
    for key, target in raw.items():
        location = f"{where}.{key}"
        if key is None or isinstance(key, dict | list):
            check.error(where, f"'{key}' cannot be an export value")
            continue
        normal = recode_key(key)
        if normal in table:
            check.error(location, f"'{key}' is listed twice (keys ignore case and spacing)")
            continue
        if target is None or (isinstance(target, str) and norm(target) in MISSING_WORDS):
            table[normal] = None
            continue
        if isinstance(target, bool) or not isinstance(target, int):
            check.error(
                location, f"must be a scale value (a whole number) or missing, not {target!r}"
            )
            continue
        if scale_codes is not None and str(target) not in scale_codes:
            low, high = min(scale_codes, key=int), max(scale_codes, key=int)
            check.error(location, f"{target} is not on the scale {low}-{high}")
            continue
        table[normal] = str(target)
    return table


# ------------------------------------------------------------------------- proposals


def propose_mapping(export: Export | str | Path, instrument: Instrument) -> Mapping:
    """Propose, for every item, the export column whose text matches the item text best.

    Parameters
    ----------
    export
        An :class:`~surveyor.exports.Export` or an export file (format detected).
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
    from .exports import load_export

    if not hasattr(export, "keys"):
        export = load_export(export)
    comments: dict[str, str] = {}
    pairs = []
    for item in instrument.items:
        for index, (key, text) in enumerate(zip(export.keys, export.texts, strict=True)):
            if norm(key.rsplit("/", 1)[-1]) == item.id.lower():
                score = 1.0
            else:
                score = max(match_score(item.text, text), match_score(item.text, key))
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
        items[item.id] = ItemColumn(column=export.keys[index], match=round(score, 2))
        ties = [i for s, i in ranked if i != index and s == score]
        duplicates = [i for i, key in enumerate(export.keys) if key == export.keys[index]]
        if len(duplicates) > 1:
            where = ", ".join(column_letter(i) for i in duplicates)
            comments[f"items.{item.id}"] = (
                f"AMBIGUOUS: this header heads columns {where}; rename one in the export"
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


def _propose_ids(export: Export, mapping: Mapping, taken: set[int]) -> None:
    from .exports import CANONICAL_IDS

    free = [i for i in range(len(export.keys)) if i not in taken]
    for name, aliases in CANONICAL_IDS.items():
        exact = [
            i for i in free if i not in taken
            and (norm(export.keys[i].rsplit("/", 1)[-1]) in aliases
                 or norm_text(export.texts[i]) in aliases)
        ]
        words = [
            i for i in free if i not in taken and any(
                re.search(rf"\b{re.escape(alias)}\b", norm_text(export.texts[i]))
                for alias in aliases
            )
        ]
        found = exact or sorted(words, key=lambda i: len(export.texts[i]))
        if found:
            mapping.ids[name] = Source(column=export.keys[found[0]])
            taken.add(found[0])
            if not exact:
                mapping.comments[name] = f"CHECK: guessed from '{export.texts[found[0]]}'"
    if "respondent_id" not in mapping.ids and export.id_column is not None:
        mapping.ids["respondent_id"] = Source(column=export.id_column)
    if "respondent_id" not in mapping.ids:
        mapping.comments["respondent_id"] = (
            "no respondent id column found; the export's row numbers will be used"
        )


def _propose_recode_hint(export: Export, instrument: Instrument, mapping: Mapping) -> None:
    """Flag numeric item codes off the scale: the export needs a recode table."""
    codes: set[int] = set()
    for entry in mapping.items.values():
        if entry.column is None:
            continue
        index = export.keys.index(entry.column)
        for row in export.data:
            value = recode_key(row[index])
            if re.fullmatch(r"[+-]?\d+", value):
                codes.add(int(value))
    off = sorted(codes - set(instrument.scale.values))
    if off:
        listed = ", ".join(str(c) for c in sorted(codes))
        mapping.comments["recode"] = (
            f"the export's item codes ({listed}) are not all on the scale "
            f"{instrument.scale.min}-{instrument.scale.max}; add a recode table from the "
            "survey tool's recode values"
        )


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
        lines.append("# recode: {0: 1, 1: 2, 2: 3, 3: 4, 4: 5, 5: missing}")
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
