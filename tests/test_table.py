"""Steps 1 and 2 of the input stage (surveyor.inputs.source, surveyor.inputs.table):
recognising a file's kind, decoding it and sniffing its delimiter.

Whole files, with every message, are tested through ``read_responses`` in
tests/test_responses.py; these pin the pieces the careful and the fast path share.
"""

from __future__ import annotations

import pytest

from surveyor.errors import SurveyorError
from surveyor.inputs.source import open_source
from surveyor.inputs.table import column_key, csv_text, sniff_delimiter


@pytest.mark.parametrize(("start", "what"), [
    (b"%PDF-1.7\n", "PDF"), (b"\x89PNG\r\n\x1a\n", "PNG"), (b"$FL2@(#) SPSS", "SPSS"),
])
def test_foreign_files_are_refused_by_name(tmp_path, start, what):
    path = tmp_path / "responses.csv"
    path.write_bytes(start + b"\0" * 32)
    with pytest.raises(SurveyorError, match=what):
        open_source(path, spss=False)


def test_format_comes_from_the_content_not_the_name(tmp_path):
    path = tmp_path / "looks-like.xlsx"
    path.write_bytes(b"respondent_id,organization,set\n")
    source = open_source(path)
    assert source.kind == "text"
    assert "read as CSV" in str(source.notes[0])


@pytest.mark.parametrize(("raw", "encoding"), [
    ("id,é\n".encode(), "utf-8"),
    (b"\xef\xbb\xbf" + "id,é\n".encode(), "utf-8-sig"),
    ("id\té\n".encode("utf-16"), "utf-16"),
])
def test_decoding_gives_utf8_bytes_for_the_parser(tmp_path, raw, encoding):
    path = tmp_path / "r.csv"
    path.write_bytes(raw)
    source = open_source(path)
    found, text = csv_text(source), source.decoded().text
    assert found.encoding == encoding
    assert found.body.decode("utf-8") == text and "é" in text


@pytest.mark.parametrize(("sample", "delimiter"), [
    ("a,b,c\n1,2,3\n", ","), ("a;b;c\n1;2,5;3\n", ";"), ("a\tb\tc\n1\t2\t3\n", "\t"),
])
def test_delimiter_is_sniffed_from_the_header(sample, delimiter):
    assert sniff_delimiter(sample) == delimiter


def test_column_key_ignores_case_spaces_and_british_spelling():
    assert column_key(" Organisation ") == "organization"
    assert column_key("PE1") == "pe1"
