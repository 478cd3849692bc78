"""The page code printed on every questionnaire page, and its geometry."""

from __future__ import annotations

import pytest

from surveyor.instrument.pagemarks import (
    FIDUCIAL_INSET,
    FIDUCIAL_SIZE,
    PAGE_SIZES_PT,
    PageId,
    fiducial_centres,
    qr_geometry,
    qr_modules,
)


@pytest.mark.parametrize(
    "page_id",
    [
        PageId("learning-inaction", "1.0", 1, 2, "a4", False),
        PageId("learning-inaction-short", "2.1", 4, 4, "letter", True, "K7QD-007-M",
               "Acme | Health % Trust", "Set A/B, \u00e9quipe"),
    ],
)
def test_page_id_round_trip(page_id):
    assert PageId.decode(page_id.encode()) == page_id


@pytest.mark.parametrize(
    "text",
    ["", "https://example.org", "SVYQ1|x|1.0|3/2|a4|||", "SVYQ1|x|1.0|1/2|a5|||",
     "SVYQ1|x|1.0|one/2|a4|||", "SVYQ2|x|1.0|1/2|a4|||"],
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
    long_code = PageId("learning-inaction-short", "1.0", 1, 2, paper, True, "K7QD-0007-M",
                       "An organisation with a long name", "A set with a long name too")
    modules = qr_modules(long_code.encode())
    left, top, module = qr_geometry(paper, len(modules))
    mm = 72 / 25.4
    # long names: 41 modules of 0.28 mm, 2.2 pixels at 200 dpi, still read in the
    # simulator (tests/test_scan.py, test_missing_duplicate_and_unknown_pages...)
    assert module >= 0.27 * mm
    assert top >= 4 * mm and top + module * len(modules) <= 17 * mm  # within the top margin
    assert left + module * len(modules) <= width - 16 * mm + 1e-6
