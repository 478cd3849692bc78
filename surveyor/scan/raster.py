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
    """The scan files named or held in folders, in order; raise for anything else."""
    found: list[Path] = []
    for given in inputs:
        path = Path(given)
        if path.is_dir():
            inside = sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES
            )
            if not inside:
                raise SurveyorError(
                    f"{path}: no scans found in this folder (PDF, PNG, JPEG or TIFF files)"
                )
            found.extend(inside)
        elif path.is_file():
            if path.suffix.lower() not in SUFFIXES:
                raise SurveyorError(
                    f"{path}: not a scan surveyor can read; give PDF, PNG, JPEG or TIFF files"
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
