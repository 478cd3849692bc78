"""``surveyor scan``: read every page of the scans, assemble respondents, write outputs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from surveyor.errors import SurveyorError
from surveyor.instrument.layout import FormLayout, form_layout
from surveyor.instrument.model import Instrument, load_instrument
from surveyor.instrument.pagemarks import PageId, instrument_key
from surveyor.scan import require
from surveyor.scan.marks import (
    REVIEW,
    ItemReading,
    border_found,
    page_levels,
    prepare,
    read_item,
)
from surveyor.scan.packs import read_pack_lists
from surveyor.scan.raster import DPI, LIST_SUFFIX, input_files, pages
from surveyor.scan.register import PX_PER_PT, RegistrationError, register, upright

CROP_MARGIN_PT = 4


@dataclass
class PageReading:
    """What was read from one identified, registered page."""

    source: Path
    index: int
    page_id: PageId
    turns: int
    residual: float
    items: list[ItemReading]
    crops: dict[str, bytes] = field(default_factory=dict)  # item -> PNG of its row
    pack_names: tuple[str, str] | None = None  # (organisation, set) from a pack list

    @property
    def where(self) -> str:
        return f"{self.source}, page {self.index}"

    def answers(self) -> tuple:
        return tuple((r.item, r.decision, r.option) for r in self.items)


@dataclass(frozen=True)
class PageProblem:
    source: Path
    index: int
    status: str
    detail: str


@dataclass
class ScanRun:
    instrument: Instrument
    readings: list[PageReading] = field(default_factory=list)
    problems: list[PageProblem] = field(default_factory=list)


def read_scans(
    inputs: Sequence[Path], id_or_file: str | Path, dpi: int = DPI,
    template_dirs: Sequence[Path] = (),
) -> ScanRun:
    """Read every page of ``inputs`` against the instrument's printed layouts."""
    require()
    instrument = load_instrument(id_or_file)
    files = input_files(inputs)
    lists = [f for f in files if f.suffix.lower() == LIST_SUFFIX]
    layouts: dict[tuple[str, bool], FormLayout] = {}
    packs = read_pack_lists(lists)
    run = ScanRun(instrument)
    for page in pages([f for f in files if f not in lists], dpi):
        reading = read_page(page, instrument, id_or_file, layouts, template_dirs)
        if isinstance(reading, PageProblem):
            run.problems.append(reading)
        else:
            reading.pack_names = packs.get(reading.page_id.respondent_code)
            run.readings.append(reading)
    if not run.readings:
        details = "; ".join(f"{p.source}, page {p.index}: {p.detail}" for p in run.problems[:3])
        raise SurveyorError(
            f"no page of a '{instrument.id}' questionnaire could be read ({details}); check "
            "the scans are of this questionnaire, whole and the right way round"
        )
    return run


def read_page(page, instrument: Instrument, id_or_file, layouts, template_dirs):
    from surveyor.scan.identify import identify

    identified = identify(page.image)
    if identified is None:
        return PageProblem(
            page.source, page.index, "unidentified",
            "no page code found: not a page of a surveyor questionnaire, or the code is "
            "damaged; scan the page again, whole and straight",
        )
    page_id = identified.page_id
    if page_id.instrument != instrument_key(instrument.id, instrument.version):
        return PageProblem(
            page.source, page.index, "other instrument",
            f"a page of another questionnaire or version, not '{instrument.id}' version "
            f"{instrument.version}",
        )
    key = page_id.variant
    if key not in layouts:
        layouts[key] = form_layout(
            instrument.source or id_or_file, page_id.paper, page_id.large_print, template_dirs
        )
    layout = layouts[key]
    if len(layout.pages) != page_id.pages:
        return PageProblem(
            page.source, page.index, "other layout",
            f"printed on {page_id.pages} pages, but the form lays out on "
            f"{len(layout.pages)} here; scan with the instrument file and the brand "
            "folder (--template-dir) it was printed with",
        )
    image = upright(page.image, identified.turns)
    try:
        registered = register(image, page_id.paper)
    except RegistrationError as exc:
        return PageProblem(page.source, page.index, "unregistered", f"{exc}; scan it again")
    canonical = prepare(registered.image)
    levels = page_levels(canonical, layout.fiducials)
    places = layout.page(page_id.page).items
    boxes = [rect for place in places for rect in place.boxes]
    if boxes and sum(border_found(canonical, rect, levels) for rect in boxes) < 0.8 * len(
        boxes
    ):
        return PageProblem(
            page.source, page.index, "other layout",
            f"the tick boxes are not where the '{instrument.id}' layout puts them: was the "
            "form printed with brand templates (give the same --template-dir) or from "
            "another copy of the instrument file?",
        )
    items = [read_item(canonical, place, levels) for place in places]
    crops = {
        reading.item: _crop(registered.image, place.row)
        for reading, place in zip(items, places, strict=True)
        if reading.decision == REVIEW
    }
    return PageReading(
        page.source, page.index, page_id, identified.turns, registered.residual, items, crops
    )


def _crop(image, row) -> bytes:
    import cv2

    x, y, w, h = row
    m = CROP_MARGIN_PT
    x0, y0 = max(0, round((x - m) * PX_PER_PT)), max(0, round((y - m) * PX_PER_PT))
    x1, y1 = round((x + w + m) * PX_PER_PT), round((y + h + m) * PX_PER_PT)
    ok, data = cv2.imencode(".png", image[y0:y1, x0:x1])
    return data.tobytes() if ok else b""
