"""Scans to grey images: multi-page PDFs, PNG, JPEG and (multi-page) TIFF, or folders.

Pages come out one at a time, in input order (folders sorted by name), each with the
file and the page number in that file, so every message can say where a page came from.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from surveyor.errors import SurveyorError

DPI = 200
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff"}
SUFFIXES = IMAGE_SUFFIXES | {".pdf"}
LIST_SUFFIX = ".csv"  # a pack list (surveyor.scan.packs), given with the scans


@dataclass
class ScanPage:
    """One scanned page: where it came from and its grey pixels (uint8, y down)."""

    source: Path
    index: int  # page number within the file, from 1
    image: object  # numpy.ndarray

    @property
    def where(self) -> str:
        return f"{self.source}, page {self.index}"


def input_files(inputs: Sequence[Path]) -> list[Path]:
    """The scan files (and pack lists, ``.csv``) named or held in folders, in order;
    raise for anything else."""
    found: list[Path] = []
    for given in inputs:
        path = Path(given)
        if path.is_dir():
            inside = sorted(
                p for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in SUFFIXES | {LIST_SUFFIX}
            )
            if not inside:
                raise SurveyorError(
                    f"{path}: no scans found in this folder (PDF, PNG, JPEG or TIFF files)"
                )
            found.extend(inside)
        elif path.is_file():
            if path.suffix.lower() not in SUFFIXES | {LIST_SUFFIX}:
                raise SurveyorError(
                    f"{path}: not a scan surveyor can read; give PDF, PNG, JPEG or TIFF files"
                    " (and a pack's -template.csv list)"
                )
            found.append(path)
        else:
            raise SurveyorError(f"{path}: no such file or folder")
    return found


def pages(files: Sequence[Path], dpi: int = DPI) -> Iterator[ScanPage]:
    """Every page of every file, as grey images."""
    for path in files:
        if path.suffix.lower() == ".pdf":
            yield from _pdf_pages(path, dpi)
        else:
            yield from _image_pages(path)


def _pdf_pages(path: Path, dpi: int) -> Iterator[ScanPage]:
    import numpy as np
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(str(path))
    except (pdfium.PdfiumError, OSError) as exc:
        raise SurveyorError(
            f"{path}: cannot be read as a PDF ({exc}); scan it again or export it as PDF, "
            "PNG or TIFF"
        ) from None
    try:
        for number in range(len(document)):
            try:
                page = document[number]
                image = _scanned_image(page)
                if image is None:
                    bitmap = page.render(scale=dpi / 72, grayscale=True)
                    image = np.array(bitmap.to_numpy(), copy=True)
            except pdfium.PdfiumError as exc:
                raise SurveyorError(
                    f"{path}, page {number + 1}: cannot be rendered ({exc}); scan this page "
                    "again"
                ) from None
            if image.ndim == 3:
                image = image[:, :, 0]
            yield ScanPage(path, number + 1, image)
    finally:
        document.close()


def _scanned_image(page):
    """The page's scan itself when the page is one upright image covering it (as office
    scanners write them), at its own resolution: four times faster than rendering the
    page. None for any other page, which is then rendered."""
    import numpy as np
    import pypdfium2.raw as pdfium_raw

    if page.get_rotation() != 0:
        return None
    objects = list(page.get_objects(max_depth=1))
    if len(objects) != 1 or objects[0].type != pdfium_raw.FPDF_PAGEOBJ_IMAGE:
        return None
    image_object = objects[0]
    a, b, c, d, _, _ = image_object.get_matrix().get()
    width, height = page.get_size()
    if b or c or a < 0.9 * width or d < 0.9 * height:
        return None
    bitmap = image_object.get_bitmap(render=False)
    if getattr(bitmap, "mode", None) not in ("L", "BGR", "BGRA", "BGRX"):
        return None  # a bilevel or indexed scan: let PDFium render it
    pixels = np.array(bitmap.to_numpy(), copy=True)
    if pixels.ndim == 3:
        import cv2

        code = cv2.COLOR_BGRA2GRAY if pixels.shape[2] == 4 else cv2.COLOR_BGR2GRAY
        pixels = cv2.cvtColor(pixels, code)
    return pixels


def _image_pages(path: Path) -> Iterator[ScanPage]:
    import cv2
    import numpy as np

    data = np.frombuffer(_read(path), dtype=np.uint8)
    if path.suffix.lower() in (".tif", ".tiff"):
        ok, images = cv2.imdecodemulti(data, cv2.IMREAD_GRAYSCALE)
        images = list(images) if ok else []
    else:
        image = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE)
        images = [] if image is None else [image]
    if not images:
        raise SurveyorError(
            f"{path}: cannot be decoded as an image; check the file is a complete PNG, JPEG "
            "or TIFF scan and scan it again if not"
        )
    for number, image in enumerate(images, start=1):
        yield ScanPage(path, number, image)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SurveyorError(f"{path}: cannot be read ({exc.strerror})") from None
