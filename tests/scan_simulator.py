"""A pen and an office scanner, for testing ``surveyor scan`` against a known truth.

:func:`fill` draws answers into the printed boxes of a rasterised questionnaire (ticks,
crosses, blobs of varying pen width and darkness, ticks straying over the box edge, double
ticks, corrections by filling a box, faint marks, blank statements), and :func:`degrade`
does to the page what a scanner does (rotation within 2 degrees, scale within 3%, an
offset, a grey background, noise, blur, JPEG at quality 55 to 85, optionally upside down).
Everything is drawn from a seeded ``numpy.random.Generator``: same seed, same pages.

Truth per statement is a :class:`Truth`: the option that should be read (or None for a
blank statement), and whether the statement must go to review (a double tick) or may
(a faint mark).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

DPI = 200
MM = 72 / 25.4

# How often each way of answering appears (per statement).
KINDS = {
    "tick": 0.46,
    "cross": 0.24,
    "blob": 0.08,
    "stray": 0.08,
    "blank": 0.08,
    "correction": 0.04,
    "double": 0.01,
    "faint": 0.01,
}


@dataclass(frozen=True)
class Truth:
    kind: str
    option: int | None  # the answer to read; None for a blank statement
    must_review: bool = False  # a double tick: never decided
    may_review: bool = False  # a faint mark: either read right or reviewed


def rasterise(pdf: bytes | Path, dpi: int = DPI) -> list[np.ndarray]:
    """The printed pages, as a printer would put them on paper (grey, white paper)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf if isinstance(pdf, bytes) else str(pdf))
    try:
        return [
            np.array(page.render(scale=dpi / 72, grayscale=True).to_numpy(), copy=True)
            for page in document
        ]
    finally:
        document.close()


def choose_truth(rng: np.random.Generator, n_options: int, kinds: dict | None = None) -> Truth:
    """A random way of answering one statement, by the shares in ``kinds`` (or KINDS)."""
    kinds = kinds or KINDS
    kind = rng.choice(list(kinds), p=list(kinds.values()))
    option = int(rng.integers(n_options))
    if kind == "blank":
        return Truth(kind, None)
    if kind == "double":
        return Truth(kind, None, must_review=True)
    if kind == "faint":
        return Truth(kind, option, may_review=True)
    return Truth(kind, option)


def fill(image: np.ndarray, places, truths: dict, rng: np.random.Generator,
         dpi: int = DPI) -> np.ndarray:
    """Draw each statement's answer into its boxes (``places`` from the form's layout),
    on a page rasterised at ``dpi``."""
    image = image.copy()
    px = dpi / 72
    for place in places:
        truth = truths[place.item]
        boxes = place.boxes
        pen = _pen(rng, px)
        if truth.kind == "blank":
            continue
        if truth.kind == "double":
            first, second = rng.choice(len(boxes), size=2, replace=False)
            _tick(image, _box_px(boxes[first], px), rng, pen)
            _tick(image, _box_px(boxes[second], px), rng, _pen(rng, px))
            continue
        target = boxes[truth.option]
        if truth.kind == "correction":
            wrong = int(rng.choice([i for i in range(len(boxes)) if i != truth.option]))
            _fill_box(image, _box_px(boxes[wrong], px), rng, pen)
            _tick(image, _box_px(target, px), rng, pen)
        elif truth.kind == "tick":
            _tick(image, _box_px(target, px), rng, pen)
        elif truth.kind == "stray":
            _tick(image, _box_px(target, px), rng, pen, stray=True)
        elif truth.kind == "cross":
            _cross(image, _box_px(target, px), rng, pen)
        elif truth.kind == "blob":
            _blob(image, _box_px(target, px), rng, pen)
        elif truth.kind == "faint":
            _tick(image, _box_px(target, px), rng, (pen[0], int(rng.integers(150, 185))))
    return image


def degrade(image: np.ndarray, rng: np.random.Generator, upside_down: bool = False,
            quality: int | None = None, dpi: int = DPI) -> np.ndarray:
    """Scan a page: small rotation, scale and offset, grey paper, noise, blur, JPEG.

    The page sits within a scan 5 mm larger all round, moved up to 3 mm, turned up to
    2 degrees and scaled within 3% about its centre."""
    # the scanner sees a little more than the page (its bed, or overscan): 5 mm each side
    px = dpi / 72
    pad = round(5 * MM * px)
    image = cv2.copyMakeBorder(image, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255)
    height, width = image.shape
    angle = rng.uniform(-2, 2)
    scale = rng.uniform(0.97, 1.03)
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, scale)
    matrix[:, 2] += rng.uniform(-3, 3, size=2) * MM * px
    paper = rng.uniform(205, 245)
    # grey paper: white becomes `paper`, black stays nearly black
    toned = (image.astype(np.float32) * (paper / 255.0))
    scanned = cv2.warpAffine(toned, matrix, (width, height), flags=cv2.INTER_LINEAR,
                             borderMode=cv2.BORDER_CONSTANT, borderValue=float(paper))
    # the blur in pixels at 200 dpi or below (a scanner set to 150 dpi downsamples), and
    # the same blur on paper above
    sigma = rng.uniform(0.4, 1.0) * max(1.0, dpi / DPI)
    scanned = cv2.GaussianBlur(scanned, (0, 0), sigma)
    scanned += rng.normal(0, rng.uniform(3, 8), size=scanned.shape).astype(np.float32)
    scanned = np.clip(scanned, 0, 255).astype(np.uint8)
    if upside_down:
        scanned = np.ascontiguousarray(scanned[::-1, ::-1])
    quality = int(rng.integers(55, 86)) if quality is None else quality
    ok, data = cv2.imencode(".jpg", scanned, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return cv2.imdecode(data, cv2.IMREAD_GRAYSCALE)


def write_pdf(images: list[np.ndarray], path: Path, dpi: int = DPI) -> Path:
    """A multi-page PDF of JPEG pages, as an office scanner makes."""
    from PIL import Image

    pages = [Image.fromarray(image) for image in images]
    pages[0].save(path, "PDF", resolution=dpi, save_all=True, append_images=pages[1:],
                  quality=80)
    return path


# ------------------------------------------------------------------------------ pens


def _pen(rng, px):
    width_mm = rng.uniform(0.3, 0.7)
    return max(2, round(width_mm * MM * px)), int(rng.integers(0, 90))


def _box_px(rect, px):
    x, y, w, h = rect
    return x * px, y * px, w * px, h * px


def _pt(x, y):
    return (round(x * 16), round(y * 16))  # 4 fractional bits for cv2's shift


def _line(image, points, pen):
    thickness, colour = pen
    pts = np.array([_pt(x, y) for x, y in points], dtype=np.int32)
    cv2.polylines(image, [pts], False, colour, thickness, cv2.LINE_AA, shift=4)


def _tick(image, rect, rng, pen, stray=False):
    x, y, w, h = rect
    j = lambda: rng.uniform(-0.08, 0.08) * w  # noqa: E731
    cx, cy = x + w / 2 + j(), y + h / 2 + j()
    end = (cx + (0.75 if stray else 0.38) * w + j(), cy - (0.85 if stray else 0.42) * h + j())
    points = [(cx - 0.32 * w + j(), cy - 0.02 * h + j()), (cx - 0.08 * w, cy + 0.3 * h + j()),
              end]
    _line(image, points, pen)


def _cross(image, rect, rng, pen):
    x, y, w, h = rect
    j = lambda: rng.uniform(-0.1, 0.1) * w  # noqa: E731
    a = 0.18 + rng.uniform(-0.1, 0.05)
    _line(image, [(x + a * w + j(), y + a * h + j()), (x + (1 - a) * w + j(),
                                                       y + (1 - a) * h + j())], pen)
    _line(image, [(x + (1 - a) * w + j(), y + a * h + j()), (x + a * w + j(),
                                                             y + (1 - a) * h + j())], pen)


def _blob(image, rect, rng, pen):
    x, y, w, h = rect
    centre = _pt(x + w / 2 + rng.uniform(-0.1, 0.1) * w, y + h / 2 + rng.uniform(-0.1, 0.1) * h)
    axes = _pt(rng.uniform(0.15, 0.3) * w, rng.uniform(0.15, 0.3) * h)
    cv2.ellipse(image, centre, axes, rng.uniform(0, 180), 0, 360, pen[1], -1, cv2.LINE_AA,
                shift=4)


def _fill_box(image, rect, rng, pen):
    x, y, w, h = rect
    over = rng.uniform(-0.02, 0.12, size=4) * w
    pts = np.array([_pt(x - over[0], y - over[1]), _pt(x + w + over[2], y - over[1]),
                    _pt(x + w + over[2], y + h + over[3]), _pt(x - over[0], y + h + over[3])],
                   dtype=np.int32)
    cv2.fillPoly(image, [pts], pen[1], cv2.LINE_AA, shift=4)
