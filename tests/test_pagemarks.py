"""The page code printed on every questionnaire page, and its geometry."""

from __future__ import annotations

import pytest

from surveyor.instrument.pagemarks import (
    FIDUCIAL_INSET,
    FIDUCIAL_SIZE,
    PAGE_SIZES_PT,
    PageId,
    fiducial_centres,
    instrument_key,
    qr_geometry,
    qr_modules,
)


@pytest.mark.parametrize(
    "page_id",
    [
        PageId(instrument_key("learning-inaction", "1.0"), 1, 2, "a4", False),
        PageId(instrument_key("learning-inaction-short", "2.1"), 4, 4, "letter", True,
               "K7QD-007-M"),
        PageId(instrument_key("x", "1"), 10, 12, "letter", False, "K7QD-0107-M"),
        PageId(instrument_key("x", "1"), 1, 2, "a4", True),
    ],
)
def test_page_id_round_trip(page_id):
    assert PageId.decode(page_id.encode()) == page_id


@pytest.mark.parametrize(
    "text",
    ["", "https://example.org", "SVY2:1F0C9A2E:3/2:A4:", "SVY2:1F0C9A2E:1/2:A5:",
     "SVY2:1F0C9A2E:ONE/2:A4:", "SVY3:1F0C9A2E:1/2:A4:", "SVYQ1|x|1.0|1/2|a4|||"],
)
def test_foreign_or_broken_codes_are_not_page_ids(text):
    assert PageId.decode(text) is None


@pytest.mark.parametrize("paper", sorted(PAGE_SIZES_PT))
def test_marks_stay_in_the_printable_margin(paper):
    width, height = PAGE_SIZES_PT[paper]
    for x, y in fiducial_centres(paper):
        for v, size in ((x, width), (y, height)):
            edge = min(v, size - v) - FIDUCIAL_SIZE / 2
            assert edge == pytest.approx(FIDUCIAL_INSET)
    longest = PageId(instrument_key("learning-inaction-short", "1.0"), 10, 12, paper, True,
                     "K7QD-0107-M")
    modules = qr_modules(longest.encode())
    left, top, module = qr_geometry(paper, len(modules))
    mm = 72 / 25.4
    # the longest page key: 25 modules of 0.46 mm, 2.7 pixels at 150 dpi (read in the
    # simulator at 150 dpi: tests/test_scan.py)
    assert len(modules) <= 25
    assert module >= 0.45 * mm
    assert top >= 4 * mm and top + module * len(modules) <= 17 * mm  # within the top margin
    assert left + module * len(modules) <= width - 16 * mm + 1e-6


def test_page_key_is_short_and_holds_no_names():
    # names would make the code finer as they grow; the key has a fixed shape instead
    page_id = PageId(instrument_key("learning-inaction", "1.0"), 1, 2, "a4", False,
                     "K7QD-001-M")
    key = instrument_key("learning-inaction", "1.0")
    assert page_id.encode() == f"SVY2:{key}:1/2:A4:K7QD-001-M"
    assert instrument_key("learning-inaction", "1.0") != instrument_key("learning-inaction",
                                                                         "1.1")
