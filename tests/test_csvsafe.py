"""Formula injection: the rule in surveyor.csvsafe, and the ways around a startswith check."""

from __future__ import annotations

import re
import sys
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from surveyor.csvsafe import FORMULA_CHARS, INVISIBLE, SEPARATORS, neutralise, safe_cell

ZWSP = "\u200b"
# The lists in csvsafe were made from this Unicode version; a newer one may add characters.
LISTED_FOR = "14.0.0"


def same_or_newer(found: set[str], expected: set[str]) -> None:
    if unicodedata.unidata_version == LISTED_FOR:
        assert found == expected
    else:
        assert found <= expected, "a listed character no longer qualifies"


def test_formula_chars_are_every_character_nfkc_makes_a_formula_start():
    expected = {chr(c) for c in range(sys.maxunicode + 1)
                if not 0xD800 <= c <= 0xDFFF
                and unicodedata.normalize("NFKC", chr(c))[:1] in ("=", "+", "-", "@")}
    found = {chr(c) for c in range(sys.maxunicode + 1)
             if not 0xD800 <= c <= 0xDFFF and re.fullmatch(f"[{FORMULA_CHARS}]", chr(c))}
    same_or_newer(found, expected)


def test_invisible_is_every_format_character():
    expected = {chr(c) for c in range(sys.maxunicode + 1)
                if unicodedata.category(chr(c)) == "Cf"}
    found = {chr(c) for c in range(sys.maxunicode + 1)
             if not 0xD800 <= c <= 0xDFFF and re.fullmatch(f"[{INVISIBLE}]", chr(c))}
    same_or_newer(found, expected)


@pytest.mark.parametrize(("cell", "safe"), [
    ("=1+1", "'=1+1"),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
    ("\uff1dHYPERLINK(\"http://x\")", "'\uff1dHYPERLINK(\"http://x\")"),  # full-width =
    ("\uff0b1+1", "'\uff0b1+1"),  # full-width +
    ("\uff20SUM(A1)", "'\uff20SUM(A1)"),  # full-width @
    (f"{ZWSP}=1+1", f"'{ZWSP}=1+1"),  # zero-width space before =
    ("\ufeff=1+1", "'\ufeff=1+1"),  # a BOM before =
    (" =1+1", "' =1+1"),
    ("Set A;=1+1", "Set A;'=1+1"),  # semicolon-locale Excel splits at ;
    ("Set A; =1+1", "Set A;' =1+1"),
    ("Set A\t=1+1", "Set A\t'=1+1"),  # tab-separated reading splits at tab
    ("a,b,=1", "a,b,'=1"),
    ("a|@x", "a|'@x"),
    ("first line\n=cmd", "first line\n'=cmd"),
    ("\t=1", "'\t'=1"),
    ("\rx", "'\rx"),
    (f"A;{ZWSP}\uff1d1", f"A;'{ZWSP}\uff1d1"),
])
def test_each_way_around_the_guard_is_neutralised(cell, safe):
    assert safe_cell(cell) == safe


@pytest.mark.parametrize("cell", [
    "-0.07", "+3", "1e-5", "Set A", "R-001", "North-East", "a;-3", "x; 0.5", "",
    "email me at a@b.org", "2-3 people", "co-operate; plan",
])
def test_ordinary_text_and_numbers_are_left_alone(cell):
    assert safe_cell(cell) == cell


def test_numbers_pass_through_unchanged():
    assert safe_cell(-3) == -3 and safe_cell(None) is None


def segments_are_safe(text: str) -> bool:
    """What a spreadsheet would see: no part, after blanks, starts like a formula."""
    for part in re.split(f"[{SEPARATORS}]", text):
        core = re.sub(f"^[\\s{INVISIBLE}]+", "", part)
        core = unicodedata.normalize("NFKC", core)
        if core[:1] in ("=", "+", "-", "@") and not re.fullmatch(
                r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?", core.strip()):
            return False
    return True


@given(st.lists(st.sampled_from(["=", "\uff1d", "+", "-", "@", "\uff20", ZWSP, " ", ";",
                                 ",", "\t", "\n", "a", "1", ".", "'"]), max_size=12))
def test_no_segment_of_a_neutralised_cell_starts_like_a_formula(parts):
    text = "".join(parts)
    safe = neutralise(text)
    assert segments_are_safe(safe)
    assert safe.replace("'", "") == text.replace("'", "")  # only apostrophes added


def test_the_vectorised_column_guard_agrees_with_the_cell_guard():
    import pandas as pd

    from surveyor.outputs import _neutralise

    cells = ["=1", "ok", "a;=b", f"{ZWSP}=x", "\uff0b1", "-2", "R-1", "ok", "a;=b", "\t"]
    assert _neutralise(pd.Series(cells)) == [safe_cell(c) for c in cells]
    assert _neutralise(pd.Series(["a", "b"])) == ["a", "b"]
