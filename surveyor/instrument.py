"""Instrument definitions: the YAML format, its validation and its dataclasses.

An instrument is a questionnaire: a response scale shared by all items, subscales, and
items keyed to subscales. ``load_instrument`` reads and validates a file and reports
every problem at once with its location (``items[3].subscale: unknown subscale 'pe'``).
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InstrumentError, Problem, SurveyorError
from .resources import instruments_dir

SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
ITEM_ID = re.compile(r"^[a-z][a-z0-9_]*$")
QUESTION_WHEN = ("high", "low", "always")


@dataclass(frozen=True)
class Scale:
    """The response scale: integer ``values``, one label per value, never-scored options."""

    values: tuple[int, ...]
    labels: tuple[str, ...]
    missing: tuple[str, ...] = ()

    @property
    def min(self) -> int:
        return self.values[0]

    @property
    def max(self) -> int:
        return self.values[-1]

    @property
    def n_options(self) -> int:
        """A, the number of response options, used by the rwg(j) null variance."""
        return len(self.values)

    @property
    def midpoint(self) -> float:
        return (self.min + self.max) / 2

    def label_for(self, value: int) -> str:
        return self.labels[self.values.index(value)]


@dataclass(frozen=True)
class Band:
    """An interpretation band: scores below ``upper`` (or up to the scale max) read as ``text``.

    ``text`` is written for a set; ``organization_text``, when given, is written for a mean
    pooled over many sets (organisation and programme reports).
    """

    label: str
    text: str
    upper: float | None = None
    organization_text: str = ""

    def text_for(self, pooled: bool) -> str:
        """The text for a set (``pooled`` false) or for a mean pooled over sets.

        A pooled mean falls back to the set text when the band has no
        ``organization_text``.
        """
        return (self.organization_text or self.text) if pooled else self.text


@dataclass(frozen=True)
class Question:
    """A reflective question, offered when the subscale's pattern is ``when``."""

    text: str
    when: str = "always"


@dataclass(frozen=True)
class Subscale:
    id: str
    name: str
    description: str
    min_answered: int
    bands: tuple[Band, ...] = ()
    questions: tuple[Question, ...] = ()

    def band_for(self, score: float) -> Band | None:
        """The band a score falls in: the first whose ``upper`` exceeds it, else the last."""
        for band in self.bands:
            if band.upper is None or score < band.upper:
                return band
        return None


@dataclass(frozen=True)
class Item:
    id: str
    subscale: str
    text: str
    reverse: bool = False


@dataclass(frozen=True)
class Instrument:
    """A validated instrument definition."""

    id: str
    version: str
    title: str
    scale: Scale
    subscales: tuple[Subscale, ...]
    items: tuple[Item, ...]
    language: str = "en"
    introduction: str = ""
    instructions: str = ""
    confidentiality: str = ""
    citation: str = ""
    picture: tuple[str, str] | None = None
    agreement_questions: tuple[str, ...] = ()
    organization_questions: tuple[str, ...] = ()
    source: Path | None = field(default=None, compare=False)

    @property
    def item_ids(self) -> list[str]:
        return [item.id for item in self.items]

    def subscale(self, subscale_id: str) -> Subscale:
        for subscale in self.subscales:
            if subscale.id == subscale_id:
                return subscale
        raise KeyError(subscale_id)

    def items_of(self, subscale_id: str) -> list[Item]:
        return [item for item in self.items if item.subscale == subscale_id]


# --------------------------------------------------------------------------- loading


def shipped_instruments() -> dict[str, Path]:
    """Instrument ids shipped with surveyor, mapped to their files."""
    return {path.stem: path for path in sorted(instruments_dir().glob("*.yaml"))}


def resolve_instrument(id_or_file: str | Path) -> Path:
    """Turn a shipped instrument id or a file path into a path, or explain why not."""
    text = str(id_or_file)
    path = Path(text)
    if path.suffix.lower() in (".yaml", ".yml") or path.exists() or "/" in text:
        if not path.exists():
            raise SurveyorError(f"{text}: no such file")
        if path.is_dir():
            raise SurveyorError(f"{text}: is a folder; give an instrument .yaml file")
        return path
    shipped = shipped_instruments()
    if text in shipped:
        return shipped[text]
    known = ", ".join(shipped) or "none"
    raise SurveyorError(
        f"unknown instrument '{text}': give a .yaml file or one of the shipped ids ({known})"
    )


def load_instrument(id_or_file: str | Path) -> Instrument:
    """Read, validate and return an instrument, by shipped id or file path.

    Raises
    ------
    InstrumentError
        Listing every problem in the file, each with its location.
    SurveyorError
        When the file cannot be found, read or parsed.
    """
    path = resolve_instrument(id_or_file)
    data = read_yaml(path)
    problems = validate_instrument_data(data)
    if any(p.severity == "error" for p in problems):
        raise InstrumentError(str(path), problems)
    return _build(data, path)


def read_yaml(path: Path) -> Any:
    """Parse a YAML file, refusing duplicate keys; errors name the file and line."""
    import yaml

    from .files import read_input

    raw = read_input(path, "give an instrument .yaml file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SurveyorError(
            f"{path}: is not UTF-8 text (byte {exc.start}); save it as UTF-8 and try again"
        ) from exc
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown line"
        what = exc.problem or exc.context or "invalid YAML"
        raise SurveyorError(f"{path}: invalid YAML at {where}: {what}") from exc
    except yaml.YAMLError as exc:
        raise SurveyorError(f"{path}: invalid YAML: {exc}") from exc


def _unique_key_loader():
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def construct_mapping(loader, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = loader.construct_object(key_node, deep=deep)
            # A list or mapping used as a key is left to SafeLoader, whose error has a line.
            if not isinstance(key, Hashable):
                continue
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key '{key}'", key_node.start_mark
                )
            seen.add(key)
        return loader.construct_mapping_plain(node, deep)

    Loader.construct_mapping_plain = yaml.SafeLoader.construct_mapping
    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    return Loader


class _LazyLoader:
    """Build the YAML loader class on first use so importing surveyor stays cheap."""

    _cls = None

    def __call__(self, stream):
        if _LazyLoader._cls is None:
            _LazyLoader._cls = _unique_key_loader()
        return _LazyLoader._cls(stream)


_UniqueKeyLoader = _LazyLoader()


# ------------------------------------------------------------------------ validation

TOP_FIELDS = {
    "id": True, "version": True, "title": True, "scale": True, "subscales": True,
    "items": True, "language": False, "introduction": False, "instructions": False,
    "confidentiality": False, "citation": False, "picture": False,
    "agreement_questions": False, "organization_questions": False,
}
SCALE_FIELDS = {"values": True, "labels": True, "missing": False}
SUBSCALE_FIELDS = {
    "id": True, "name": True, "description": True, "min_answered": False, "bands": False,
    "questions": False,
}
BAND_FIELDS = {"label": True, "text": True, "upper": False, "organization_text": False}
QUESTION_FIELDS = {"text": True, "when": False}
ITEM_FIELDS = {"id": True, "subscale": True, "text": True, "reverse": False}


class _Checker:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def error(self, location: str, message: str) -> None:
        self.problems.append(Problem(location, message))

    def mapping(self, value: Any, location: str, fields: dict[str, bool]) -> dict | None:
        """Check a mapping's type, required and unknown fields; return it when usable."""
        if not isinstance(value, dict):
            self.error(location or "(top level)", f"must be a mapping, not {_kind(value)}")
            return None
        prefix = f"{location}." if location else ""
        for name, required in fields.items():
            if required and name not in value:
                self.error(f"{prefix}{name}", "is required")
        for name in value:
            if name not in fields:
                hint = _closest(str(name), fields)
                suggestion = f" (did you mean '{hint}'?)" if hint else ""
                self.error(f"{prefix}{name}", f"unknown field{suggestion}")
        return value

    def text(self, data: dict, name: str, location: str, required: bool = True) -> str | None:
        if name not in data:
            return None
        value = data[name]
        where = f"{location}.{name}" if location else name
        if not isinstance(value, str):
            self.error(where, f"must be text, not {_kind(value)}")
            return None
        if required and not value.strip():
            self.error(where, "must not be empty")
            return None
        return value

    def sequence(self, data: dict, name: str, location: str) -> list:
        if name not in data:
            return []
        value = data[name]
        where = f"{location}.{name}" if location else name
        if not isinstance(value, list):
            self.error(where, f"must be a list, not {_kind(value)}")
            return []
        return value


def _kind(value: Any) -> str:
    if value is None:
        return "empty"
    return {
        bool: "true/false", int: "a number", float: "a number", str: "text",
        list: "a list", dict: "a mapping",
    }.get(type(value), type(value).__name__)


def _closest(name: str, options) -> str | None:
    import difflib

    match = difflib.get_close_matches(name, list(options), n=1, cutoff=0.6)
    return match[0] if match else None


def validate_instrument_data(data: Any) -> list[Problem]:
    """Check parsed YAML against the instrument format; return every problem found."""
    check = _Checker()
    if data is None:
        return [Problem("(top level)", "the file is empty; it must define an instrument")]
    top = check.mapping(data, "", TOP_FIELDS)
    if top is None:
        return check.problems

    identifier = check.text(top, "id", "")
    if identifier is not None and not SLUG.match(identifier):
        check.error("id", f"'{identifier}' must be a slug: lower-case letters, digits, '-' or '_'")
    if "version" in top and not isinstance(top["version"], str):
        check.error("version", f"must be quoted text such as \"1.0\", not {_kind(top['version'])}")
    elif "version" in top and not top["version"].strip():
        check.error("version", "must not be empty")
    check.text(top, "title", "")
    for name in ("language", "introduction", "instructions", "confidentiality", "citation"):
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


def _check_scale(check: _Checker, scale: Any) -> tuple[int, int] | None:
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


def _check_subscales(check: _Checker, top: dict, scale_range) -> set[str]:
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


def _check_bands(check: _Checker, sub: dict, where: str, scale_range) -> None:
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


def _check_items(check: _Checker, top: dict, subscale_ids: set[str]) -> None:
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
            if not ITEM_ID.match(iid):
                check.error(f"{where}.id", f"'{iid}' must be lower-case letters, digits and '_'")
            if iid.lower() in ids:
                check.error(f"{where}.id", f"duplicate item id '{iid}'")
            if iid in subscale_ids:
                check.error(f"{where}.id", f"'{iid}' is also a subscale id")
            ids.add(iid.lower())
        sub = item.get("subscale")
        # Checked as text first: a list or mapping here cannot be looked up in a set.
        if "subscale" in item and (not isinstance(sub, str) or sub not in subscale_ids):
            check.error(f"{where}.subscale", f"unknown subscale '{sub}'")
        check.text(item, "text", where)
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


def _build(data: dict, path: Path) -> Instrument:
    scale = data["scale"]
    items = tuple(
        Item(
            id=raw["id"],
            subscale=raw["subscale"],
            text=raw["text"].strip(),
            reverse=raw.get("reverse", False),
        )
        for raw in data["items"]
    )
    subscales = []
    for raw in data["subscales"]:
        n_items = sum(1 for item in items if item.subscale == raw["id"])
        subscales.append(
            Subscale(
                id=raw["id"],
                name=raw["name"].strip(),
                description=raw["description"].strip(),
                min_answered=raw.get("min_answered", default_min_answered(n_items)),
                bands=tuple(
                    Band(
                        label=b["label"].strip(),
                        text=b["text"].strip(),
                        upper=b.get("upper"),
                        organization_text=b.get("organization_text", "").strip(),
                    )
                    for b in raw.get("bands", [])
                ),
                questions=tuple(
                    Question(text=q["text"].strip(), when=q.get("when", "always"))
                    for q in raw.get("questions", [])
                ),
            )
        )
    picture = data.get("picture")
    return Instrument(
        id=data["id"],
        version=data["version"],
        title=data["title"].strip(),
        scale=Scale(
            values=tuple(scale["values"]),
            labels=tuple(label.strip() for label in scale["labels"]),
            missing=tuple(m.strip() for m in scale.get("missing", [])),
        ),
        subscales=tuple(subscales),
        items=items,
        language=data.get("language", "en"),
        introduction=data.get("introduction", "").strip(),
        instructions=data.get("instructions", "").strip(),
        confidentiality=data.get("confidentiality", "").strip(),
        citation=data.get("citation", "").strip(),
        picture=tuple(picture) if picture else None,
        agreement_questions=tuple(q.strip() for q in data.get("agreement_questions", [])),
        organization_questions=tuple(q.strip() for q in data.get("organization_questions", [])),
        source=path,
    )


def default_min_answered(n_items: int) -> int:
    """All items but one; never prorate a subscale of three items or fewer (DOMAIN.md 3)."""
    return n_items if n_items <= 3 else n_items - 1
