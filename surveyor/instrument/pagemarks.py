"""What a printed questionnaire page carries for the scanner: corner marks and a page code.

Every page of a questionnaire gets, painted into its margins after layout:

- four *fiducials*, solid squares near the corners, from which :mod:`surveyor.scan` finds
  the page in a scan at any small rotation, scale or offset;
- a QR code, the *page identifier*, saying which instrument and version (as a short
  hash), which page of how many, which layout (paper size, large print) and, on a
  pre-filled pack, which respondent code the page belongs to. It sits in the top right
  corner, so a page fed upside down is recognised by where its code is found.

The geometry here is the single source for the printer and the reader; the positions of
the tick boxes are not computed here but read from the laid-out page
(:mod:`surveyor.instrument.layout`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

MM = 72 / 25.4  # PDF points per millimetre

PAGE_SIZES_PT = {"a4": (595.276, 841.89), "letter": (612.0, 792.0)}

# Solid squares whose outer edges are FIDUCIAL_INSET from the page edges: inside the
# area every office printer prints, outside the text area.
FIDUCIAL_SIZE = 5 * MM
FIDUCIAL_INSET = 8 * MM

# The page code: top right, its right edge on the text's right margin, within the top
# margin (see questionnaire.css: the top margin leaves room for it).
QR_RIGHT = 16 * MM
QR_TOP = 5 * MM
QR_MAX = 11.5 * MM
QR_MODULE = 0.5 * MM

QR_MASK = 4

PAYLOAD_TAG = "SVY2"
PAPER_CODES = {("a4", False): "A4", ("a4", True): "A4L", ("letter", False): "LT",
               ("letter", True): "LTL"}


def instrument_key(instrument_id: str, version: str) -> str:
    """Eight hex digits (upper case) naming an instrument and version in the page code."""
    digest = hashlib.sha256(f"{instrument_id}\x1f{version}".encode()).hexdigest()
    return digest[:8].upper()


@dataclass(frozen=True)
class PageId:
    """What a page's code says: a short page key.

    The code holds no names, only upper-case letters, digits and ``:/-`` (QR's compact
    alphanumeric mode), so it stays at most 25 modules wide (0.46 mm modules, 2.7 pixels
    at 150 dpi) whatever the organisation and set are called; a pack's names are looked
    up from its respondent codes in the pack's list (``<pack>-template.csv``).

    Attributes
    ----------
    instrument
        :func:`instrument_key` of the instrument id and version printed.
    page, pages
        This page's number in its copy (from 1) and the copy's page count.
    paper
        ``"a4"`` or ``"letter"``.
    large_print
        Whether the large-print layout was printed.
    respondent_code
        The pre-filled copy's code; empty on a blank form.
    """

    instrument: str
    page: int
    pages: int
    paper: str
    large_print: bool
    respondent_code: str = ""

    @property
    def variant(self) -> tuple[str, bool]:
        """The layout the page was printed in: (paper, large print)."""
        return (self.paper, self.large_print)

    def encode(self) -> str:
        """The text the QR code holds, e.g. ``SVY2:1F0C9A2E:1/2:A4:K7QD-001-M``."""
        return ":".join([
            PAYLOAD_TAG, self.instrument, f"{self.page}/{self.pages}",
            PAPER_CODES[self.variant], self.respondent_code.upper(),
        ])

    @classmethod
    def decode(cls, text: str) -> PageId | None:
        """The page id a QR code's text holds, or None when it is not a surveyor code."""
        parts = text.split(":")
        if len(parts) != 5 or parts[0] != PAYLOAD_TAG:
            return None
        try:
            page, pages = (int(n) for n in parts[2].split("/"))
        except ValueError:
            return None
        variants = {code: variant for variant, code in PAPER_CODES.items()}
        if parts[3] not in variants or not 1 <= page <= pages:
            return None
        paper, large = variants[parts[3]]
        return cls(instrument=parts[1], page=page, pages=pages, paper=paper,
                   large_print=large, respondent_code=parts[4])


def fiducial_centres(paper: str) -> list[tuple[float, float]]:
    """Centres of the four fiducials in points, y down from the top left:
    top left, top right, bottom right, bottom left."""
    width, height = PAGE_SIZES_PT[paper]
    near = FIDUCIAL_INSET + FIDUCIAL_SIZE / 2
    return [(near, near), (width - near, near), (width - near, height - near),
            (near, height - near)]


def qr_modules(text: str) -> list[list[bool]]:
    """The QR code's dark modules, row by row, without the quiet zone."""
    import segno

    # 15% error correction: a page key is at most 25 modules wide (version 2) at that
    # level; a longer text (an instrument's own long respondent codes) gets 7%, which
    # keeps the modules as large as they can be.
    # The mask is fixed rather than chosen by segno's scoring of all eight (10 ms a page,
    # a fifth of a pack's printing time): any mask is valid, and the decoder reads them
    # all alike (the simulator's round trips, tests/test_scan.py).
    code = segno.make_qr(text, error="m", boost_error=False, mask=QR_MASK)
    if code.version > 5:
        code = segno.make_qr(text, error="l", boost_error=False, mask=QR_MASK)
    return [[bool(module) for module in row] for row in code.matrix]


def qr_geometry(paper: str, n_modules: int) -> tuple[float, float, float]:
    """Left, top and module size of the page code, in points (y down)."""
    width, _ = PAGE_SIZES_PT[paper]
    module = min(QR_MODULE, QR_MAX / n_modules)
    left = width - QR_RIGHT - module * n_modules
    return left, QR_TOP, module


def paint_page_marks(stream, scale: float = 1, *, page_id: PageId) -> None:
    """Paint the fiducials and the page code onto a WeasyPrint page stream.

    WeasyPrint paints a page in CSS pixels, y down, scaled by ``scale``; the marks are
    drawn in the same space, in black, after the page's own content.
    """
    px = scale / 0.75  # CSS pixels per point, times WeasyPrint's scale
    stream.push_state()
    stream.set_color_rgb(0, 0, 0)
    for cx, cy in fiducial_centres(page_id.paper):
        half = FIDUCIAL_SIZE / 2
        stream.rectangle((cx - half) * px, (cy - half) * px, FIDUCIAL_SIZE * px,
                         FIDUCIAL_SIZE * px)
    matrix = qr_modules(page_id.encode())
    left, top, module = qr_geometry(page_id.paper, len(matrix))
    for row_index, row in enumerate(matrix):
        column = 0
        while column < len(row):
            if not row[column]:
                column += 1
                continue
            start = column
            while column < len(row) and row[column]:
                column += 1
            # runs of dark modules as one rectangle, slightly overlapping the next row
            # so no hairline seam shows between rows
            stream.rectangle(
                (left + start * module) * px, (top + row_index * module) * px,
                (column - start) * module * px, module * px * 1.02,
            )
    stream.fill()
    stream.pop_state()
