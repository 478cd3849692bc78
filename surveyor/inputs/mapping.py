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
      ll4: {column: Q7_4, occurrence: 2}  # the second of two columns headed Q7_4
      ll5: {letter: AB}                   # the column by its spreadsheet letter
    recode:                             # every other item: export value -> scale value
      0: 1
      1: 2
      2: 3
      3: 4
      4: 5
      5: missing                        # or null: the scale's first never-scored option
      6: "Not applicable"               # another never-scored option, by its text

Recode keys are export values (codes or label texts, matched ignoring case and spacing);
an item value outside its recode table is an error naming row, column and value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from surveyor.errors import Problem, SurveyorError, ValidationError
from surveyor.yaml_files import Checker, read_yaml

if TYPE_CHECKING:
    from surveyor.instrument.model import Instrument

ID_FIELDS = ("respondent_id", "organization", "set", "wave")
CONSTANT_FIELDS = ("organization", "set", "wave")
TOP_FIELDS = ("instrument", "format", *ID_FIELDS, "items", "recode")
ITEM_FIELDS = ("column", "match", "recode", "occurrence", "letter")
SOURCE_FIELDS = ("column", "value", "occurrence", "letter")
MISSING_WORDS = frozenset({"missing", "unanswered"})
# Proposals below this similarity are left for the consultant to fill in.


@dataclass(frozen=True)
class Source:
    """Where an id field comes from: an export ``column`` or a constant ``value``.

    ``occurrence`` (1-based) chooses among columns with the same header, ``letter`` names
    a column by its spreadsheet letter (``column`` is then optional, and checked if given).
    """

    column: str | None = None
    value: str | None = None
    occurrence: int | None = None
    letter: str | None = None

    @property
    def reference(self) -> str:
        """The column as a message names it."""
        return column_reference(self.column, self.occurrence, self.letter)


@dataclass(frozen=True)
class ItemColumn:
    """One item's export column, the proposal's match score, and its own recode table."""

    column: str | None
    match: float | None = None
    recode: dict[str, str | None] | None = None
    occurrence: int | None = None
    letter: str | None = None

    @property
    def reference(self) -> str:
        """The column as a message names it."""
        return column_reference(self.column, self.occurrence, self.letter)


@dataclass
class Mapping:
    """A checked mapping.

    ``ids`` holds the sources of ``respondent_id``, ``organization``, ``set`` and ``wave``
    that the mapping names; ``recode`` maps normalised export values (see
    :func:`recode_key`) to scale codes as text, or None for unanswered. ``comments`` carry
    a proposal's remarks per field for :func:`surveyor.inputs.mapping_init.mapping_yaml`.
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


def column_reference(column: str | None, occurrence: int | None, letter: str | None) -> str:
    """A mapping's column choice in words: ``Q5 (occurrence 2)``, ``column AB``."""
    if letter:
        return f"column {letter}" + (f" ('{column}')" if column else "")
    return f"{column} (occurrence {occurrence})" if occurrence else str(column)


def column_index(letter: str) -> int:
    """The 0-based index of a spreadsheet letter: A -> 0, AA -> 26."""
    index = 0
    for char in letter.upper():
        index = index * 26 + ord(char) - ord("A") + 1
    return index - 1


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

    path = Path(path)
    if not path.exists():
        raise SurveyorError(f"{path}: no such file")
    data = read_yaml(path, "give a mapping .yaml file")
    mapping, problems = parse_mapping(data, instrument)
    if any(p.severity == "error" for p in problems):
        raise ValidationError(str(path), problems)
    mapping.source = path
    return mapping


def parse_mapping(data: Any, instrument: Instrument | None = None) -> tuple[Mapping, list[Problem]]:
    """Check parsed mapping YAML; return the mapping (usable only without errors) and problems."""
    check = Checker()
    mapping = Mapping(items={})
    if not isinstance(data, dict):
        check.error("(top level)", "must be a mapping with an 'items' field")
        return mapping, check.problems
    check.unknown(data, "", TOP_FIELDS, list_allowed=True)
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
        from surveyor.inputs.formats import FORMATS

        if mapping.format not in FORMATS:
            check.error("format", f"'{mapping.format}' is not one of {', '.join(FORMATS)}")
    used: dict[str, str] = {}

    def use(choice: Source | ItemColumn, location: str) -> None:
        if choice.letter:
            key = f"letter {choice.letter.upper()}"
        else:
            key = f"{norm(choice.column)} #{choice.occurrence or 1}"
        if key in used:
            check.error(location, f"column '{choice.reference}' is also used by {used[key]}")
        else:
            used[key] = location.removesuffix(".column")

    for name in ID_FIELDS:
        if name not in data:
            continue
        source = _parse_source(check, data[name], name)
        if source is None:
            continue
        mapping.ids[name] = source
        if source.column is not None or source.letter is not None:
            use(source, name)

    scale_codes = {str(v) for v in instrument.scale.values} if instrument else None
    if instrument is not None:
        # Any never-scored option may be a target by its text, not only the first.
        scale_codes |= {f"option:{norm(o)}" for o in instrument.scale.missing}
    if "recode" in data:
        mapping.recode = _parse_recode(check, data["recode"], "recode", scale_codes)

    items = data.get("items")
    if items is None:
        check.error("items", "is required: one entry per item id, naming its export column")
        items = {}
    elif not isinstance(items, dict):
        check.error("items", "must map item ids to export columns")
        items = {}
    # Item ids match ignoring case and are kept as the instrument spells them.
    known = {i.casefold(): i for i in instrument.item_ids} if instrument else None
    for item_id, raw in items.items():
        where = f"items.{item_id}"
        if known is not None and str(item_id).casefold() not in known:
            check.error(where, f"'{item_id}' is not an item of instrument '{instrument.id}'")
        elif known is not None:
            item_id = known[str(item_id).casefold()]
        entry = _parse_item(check, raw, where, scale_codes)
        if entry is None:
            continue
        mapping.items[str(item_id)] = entry
        if entry.column is not None or entry.letter is not None:
            use(entry, f"{where}.column")
    if known is not None:
        given = {str(key).casefold() for key in items}
        absent = [i for i in instrument.item_ids if i.casefold() not in given]
        if absent:
            check.error("items", f"no entry for {', '.join(absent)}; every item needs a column")
    return mapping, check.problems


def _parse_choice(check: Checker, raw: dict, where: str) -> dict[str, Any] | None:
    """The column, occurrence and letter of a column choice; None after an error."""
    column = raw.get("column")
    if "column" in raw and column is None and "letter" not in raw:
        check.error(f"{where}.column",
                    "no export column chosen; name the column that holds this item")
        return None
    if column is not None and (isinstance(column, bool | dict | list)
                               or not str(column).strip()):
        check.error(f"{where}.column", "must be an export column header")
        return None
    occurrence = raw.get("occurrence")
    if occurrence is not None and (isinstance(occurrence, bool) or not isinstance(
            occurrence, int) or occurrence < 1):
        check.error(f"{where}.occurrence", "must be a whole number from 1: which of the "
                    "columns with this header (1 for the first, from the left)")
        return None
    letter = raw.get("letter")
    if letter is not None and not (isinstance(letter, str)
                                   and re.fullmatch(r"[A-Za-z]{1,3}", letter.strip())):
        check.error(f"{where}.letter", "must be a spreadsheet column letter such as F or AB")
        return None
    if letter is None and column is None:
        check.error(f"{where}.column",
                    "no export column chosen; name the column that holds this item")
        return None
    if letter is not None and occurrence is not None:
        check.error(where, "give a letter or an occurrence, not both")
        return None
    return {"column": None if column is None else str(column), "occurrence": occurrence,
            "letter": None if letter is None else letter.strip().upper()}


def _parse_source(check: Checker, raw: Any, where: str) -> Source | None:
    if isinstance(raw, str | int) and not isinstance(raw, bool):
        return Source(column=str(raw))
    if not isinstance(raw, dict):
        check.error(where, "must be a column header, {column: HEADER} or {value: TEXT}")
        return None
    check.unknown(raw, where, SOURCE_FIELDS, list_allowed=True)
    if "value" in raw and any(k in raw for k in ("column", "occurrence", "letter")) or not any(
            k in raw for k in ("value", "column", "letter")):
        check.error(where, "give either column (an export header, or letter) or value (a "
                    "constant)")
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
    choice = _parse_choice(check, raw, where)
    return None if choice is None else Source(**choice)


def _parse_item(
    check: Checker, raw: Any, where: str, scale_codes: set[str] | None
) -> ItemColumn | None:
    if isinstance(raw, str | int) and not isinstance(raw, bool):
        return ItemColumn(column=str(raw))
    if raw is None:
        check.error(where, "no export column chosen; name the column that holds this item")
        return None
    if not isinstance(raw, dict):
        check.error(where, "must be a column header or {column: HEADER, recode: {...}}")
        return None
    check.unknown(raw, where, ITEM_FIELDS, list_allowed=True)
    choice = _parse_choice(check, raw, where)
    if choice is None:
        return None
    match = raw.get("match")
    if match is not None and (isinstance(match, bool) or not isinstance(match, int | float)):
        check.error(f"{where}.match", "must be a number (the proposal's similarity)")
        match = None
    recode = None
    if "recode" in raw:
        recode = _parse_recode(check, raw["recode"], f"{where}.recode", scale_codes)
    return ItemColumn(match=match, recode=recode, **choice)


def _parse_recode(
    check: Checker, raw: Any, where: str, scale_codes: set[str] | None
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
        if isinstance(target, str) and f"option:{norm(target)}" in (scale_codes or ()):
            # The validator reads a never-scored option's text as that option.
            table[normal] = target.strip()
            continue
        if isinstance(target, bool) or not isinstance(target, int):
            check.error(location, (
                f"must be a scale value (a whole number), missing, or one of the scale's "
                f"never-scored options by its text, not {target!r}"))
            continue
        codes = [c for c in (scale_codes or ()) if not c.startswith("option:")]
        if scale_codes is not None and str(target) not in codes:
            low, high = min(codes, key=int), max(codes, key=int)
            check.error(location, f"{target} is not on the scale {low}-{high}")
            continue
        table[normal] = str(target)
    return table
