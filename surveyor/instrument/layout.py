"""Where the tick boxes are on each printed page, read from WeasyPrint's layout.

Nothing here computes a position: the questionnaire is laid out by WeasyPrint, and the
boxes it placed for the elements carrying ``data-item`` and ``data-option`` (the tick
boxes) and ``id="item-..."`` (a statement's rows) are read back from its box tree. The
reader (:mod:`surveyor.scan`) looks for marks exactly there.

Coordinates are PDF points from the top left corner of the page, y down.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from surveyor.instrument.pagemarks import PAGE_SIZES_PT, fiducial_centres

CSS_PX_TO_PT = 0.75
Rect = tuple[float, float, float, float]  # x, y, width, height in points


@dataclass(frozen=True)
class ItemPlace:
    """One statement on a page: its rows (for review crops) and its boxes, in option
    order (the scale values, then the never-scored options)."""

    item: str
    row: Rect
    boxes: tuple[Rect, ...]


@dataclass(frozen=True)
class PageLayout:
    page: int
    items: tuple[ItemPlace, ...]


@dataclass(frozen=True)
class FormLayout:
    """Every page of one printed layout of an instrument."""

    instrument_id: str
    version: str
    paper: str
    large_print: bool
    pages: tuple[PageLayout, ...]

    @property
    def page_size(self) -> tuple[float, float]:
        return PAGE_SIZES_PT[self.paper]

    @property
    def fiducials(self) -> list[tuple[float, float]]:
        return fiducial_centres(self.paper)

    def page(self, number: int) -> PageLayout:
        return self.pages[number - 1]

    def as_json(self) -> str:
        data = {
            "instrument": self.instrument_id,
            "version": self.version,
            "paper": self.paper,
            "large_print": self.large_print,
            "units": "pt, origin top left, y down",
            "page_size": [round(v, 3) for v in self.page_size],
            "fiducials": [[round(x, 3), round(y, 3)] for x, y in self.fiducials],
            "pages": [
                {
                    "page": page.page,
                    "items": [
                        {
                            "item": place.item,
                            "row": [round(v, 3) for v in place.row],
                            "boxes": [[round(v, 3) for v in box] for box in place.boxes],
                        }
                        for place in page.items
                    ],
                }
                for page in self.pages
            ],
        }
        return json.dumps(data, indent=1) + "\n"

    @classmethod
    def from_json(cls, text: str) -> FormLayout:
        data = json.loads(text)
        return cls(
            instrument_id=data["instrument"],
            version=data["version"],
            paper=data["paper"],
            large_print=bool(data["large_print"]),
            pages=tuple(
                PageLayout(
                    page=page["page"],
                    items=tuple(
                        ItemPlace(
                            item=place["item"],
                            row=tuple(place["row"]),
                            boxes=tuple(tuple(box) for box in place["boxes"]),
                        )
                        for place in page["items"]
                    ),
                )
                for page in data["pages"]
            ),
        )


def page_layout(page, number: int) -> PageLayout:
    """The statements and tick boxes on one laid-out WeasyPrint page."""
    boxes: dict[str, dict[int, Rect]] = {}
    rows: dict[str, Rect] = {}
    order: list[str] = []

    def rect(box) -> Rect:
        return (
            box.border_box_x() * CSS_PX_TO_PT,
            box.border_box_y() * CSS_PX_TO_PT,
            box.border_width() * CSS_PX_TO_PT,
            box.border_height() * CSS_PX_TO_PT,
        )

    def walk(box) -> None:
        element = getattr(box, "element", None)
        if element is not None and getattr(box, "element_tag", None) in ("span", "tbody"):
            item = element.get("data-item")
            option = element.get("data-option")
            if item is not None and option is not None and box.element_tag == "span":
                boxes.setdefault(item, {}).setdefault(int(option), rect(box))
            element_id = element.get("id") or ""
            if box.element_tag == "tbody" and element_id.startswith("item-"):
                key = element_id[len("item-"):]
                if key not in rows:
                    rows[key] = rect(box)
                    order.append(key)
        for child in getattr(box, "children", ()):
            walk(child)

    walk(page._page_box)
    places = []
    for key in order:
        if key not in boxes:
            continue
        options = boxes[key]
        places.append(
            ItemPlace(item=key, row=rows[key], boxes=tuple(options[i] for i in sorted(options)))
        )
    return PageLayout(page=number, items=tuple(places))


def document_layout(pages: Sequence, instrument_id: str, version: str, paper: str,
                    large_print: bool) -> FormLayout:
    """The layout of one copy's laid-out pages."""
    return FormLayout(
        instrument_id=instrument_id,
        version=version,
        paper=paper,
        large_print=large_print,
        pages=tuple(page_layout(page, i) for i, page in enumerate(pages, start=1)),
    )


def form_layout(
    id_or_file: str | Path, paper: str = "a4", large_print: bool = False,
    template_dirs: Sequence[Path] = (),
) -> FormLayout:
    """Lay out one copy of the questionnaire and read where its boxes are.

    A pre-filled copy has the same layout as a blank one: the fields box has a fixed
    height of two lines, whatever its text (see ``questionnaire.css``).
    """
    from weasyprint import HTML

    from surveyor.instrument.model import load_instrument
    from surveyor.instrument.questionnaire import (
        QuestionnaireOptions,
        questionnaire_context,
        render_copies,
    )
    from surveyor.typeset.environment import make_environment, template_roots
    from surveyor.typeset.pdf import font_configuration, restricted_fetcher

    instrument = load_instrument(id_or_file)
    options = QuestionnaireOptions(paper=paper, large_print=large_print)
    context = questionnaire_context(instrument, options)
    env = make_environment(template_dirs)
    roots = template_roots(template_dirs)

    def pages(context):
        return HTML(
            string=render_copies(context, env)[0],
            base_url=Path(roots[0]).resolve().as_uri() + "/",
            url_fetcher=restricted_fetcher(roots),
        ).render(font_config=font_configuration(), presentational_hints=False).pages

    laid_out = pages(context)
    if large_print and len(laid_out) % 2:  # as the build does: large print ends even
        laid_out = pages(replace(context, blank_last_page=True))
    return document_layout(
        laid_out, instrument.id, instrument.version, options.paper, large_print
    )
