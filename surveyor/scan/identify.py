"""Which page is this, and which way up: the page code (QR) printed in its top corner."""

from __future__ import annotations

from dataclasses import dataclass

from surveyor.instrument.pagemarks import PageId


@dataclass(frozen=True)
class Identified:
    """A page's id and the quarter turns (anticlockwise, as ``numpy.rot90`` counts them)
    that put the page upright."""

    page_id: PageId
    turns: int


def identify(image) -> Identified | None:
    """Find and read the page code anywhere on the image; None when there is none.

    zxing-cpp reports the code's orientation, from which the page's follows: the code is
    printed upright, so a page fed upside down shows it turned by 180 degrees.
    """
    import zxingcpp

    for candidate in _regions(image):
        results = zxingcpp.read_barcodes(
            candidate, formats=zxingcpp.BarcodeFormat.QRCode, try_rotate=True,
            try_downscale=True,
        )
        for result in results:
            page_id = PageId.decode(result.text)
            if page_id is not None:
                # zxing gives the code's turn clockwise; undo it anticlockwise
                turns = round(result.orientation / 90) % 4
                return Identified(page_id, turns)
    return None


def _regions(image):
    # The code sits in a top corner: look in the top and bottom quarters (a page upside
    # down has it at the bottom), then in them enlarged twice (a small code blurred by the
    # scanner reads better with more pixels per module), then in the whole page.
    import cv2

    height = image.shape[0]
    band = height // 4
    bands = (image[:band], image[height - band:])
    yield from bands
    for part in bands:
        yield cv2.resize(part, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
    yield image
