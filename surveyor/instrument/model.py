"""Instrument definitions: the dataclasses, and loading them from YAML.

An instrument is a questionnaire: a response scale shared by all items, subscales, and
items keyed to subscales. ``load_instrument`` reads and validates a file and reports
every problem at once with its location (``items[3].subscale: unknown subscale 'pe'``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from surveyor.errors import InstrumentError, SurveyorError
from surveyor.instrument.check import validate_instrument_data
from surveyor.resources import instruments_dir
from surveyor.yaml_files import read_yaml


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
    # The question over a survey tool's matrix of this subscale's items ("How much do you
    # agree...?"): it tells apart items that share a row label across matrices.
    stem: str = ""

    def band_for(self, score: float) -> Band | None:
        """The band a score falls in: the first whose ``upper`` exceeds it, else the last."""
        for band in self.bands:
            if band.upper is None or score < band.upper:
                return band
        return None


@dataclass(frozen=True)
class Item:
    """One statement. ``section`` is the heading of the group it is printed in (by
    referent: "About your set"); an item without one continues the previous item's."""

    id: str
    subscale: str
    text: str
    reverse: bool = False
    stem: str = ""  # the item's own matrix stem, when it is not its subscale's
    section: str = ""


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
    short_title: str = ""
    source: Path | None = field(default=None, compare=False)

    @property
    def display_title(self) -> str:
        """The name a client reads (``short_title``, else ``title``); never the id."""
        return self.short_title or self.title

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

    def stem_of(self, item: Item) -> str:
        """The matrix stem over an item in a survey tool: its own, else its subscale's."""
        return item.stem or self.subscale(item.subscale).stem


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


def _build(data: dict, path: Path) -> Instrument:
    scale = data["scale"]
    items = []
    section = ""
    for raw in data["items"]:
        section = " ".join(str(raw.get("section", section)).split())
        items.append(
            Item(
                id=raw["id"],
                subscale=raw["subscale"],
                text=raw["text"].strip(),
                reverse=raw.get("reverse", False),
                stem=raw.get("stem", "").strip(),
                section=section,
            )
        )
    items = tuple(items)
    subscales = []
    for raw in data["subscales"]:
        n_items = sum(1 for item in items if item.subscale == raw["id"])
        subscales.append(
            Subscale(
                id=raw["id"],
                name=raw["name"].strip(),
                description=raw["description"].strip(),
                min_answered=raw.get("min_answered", default_min_answered(n_items)),
                stem=raw.get("stem", "").strip(),
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
        short_title=data.get("short_title", "").strip(),
        source=path,
    )


def default_min_answered(n_items: int) -> int:
    """All items but one; never prorate a subscale of three items or fewer (DOMAIN.md 3)."""
    return n_items if n_items <= 3 else n_items - 1
