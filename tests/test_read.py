"""The input stage's one entry point (surveyor.inputs.read): every format walks the same
steps once. Messages and values per format are tested in test_responses.py,
test_exports.py and test_platforms.py; these pin the path itself."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from surveyor.inputs import source as source_module
from surveyor.inputs import text as text_module
from surveyor.inputs.read import ReadOptions, read, read_export, read_responses

EXPORTS = Path(__file__).parent / "fixtures" / "exports"


@pytest.fixture
def counted(monkeypatch):
    """How often a file's bytes are read and decoded."""
    calls = {"read": 0, "decode": 0}
    read_input, decode = source_module.read_input, text_module.decode

    def counting_read(*args, **kwargs):
        calls["read"] += 1
        return read_input(*args, **kwargs)

    def counting_decode(*args, **kwargs):
        calls["decode"] += 1
        return decode(*args, **kwargs)

    monkeypatch.setattr(source_module, "read_input", counting_read)
    monkeypatch.setattr(text_module, "decode", counting_decode)
    return calls


@pytest.mark.parametrize("name", ["canonical.csv", "qualtrics-labels.csv", "kobo.csv",
                                  "questions-utf16.txt", "kobo.xlsx"])
def test_a_file_is_read_and_decoded_once(mini, counted, name):
    options = ReadOptions(mapping=EXPORTS / "qualtrics-labels.mapping.yaml") if (
        name == "qualtrics-labels.csv") else None
    result = read(EXPORTS / name, mini, options)
    assert counted == {"read": 1, "decode": 0 if name.endswith(".xlsx") else 1}
    assert result.sha256 == hashlib.sha256((EXPORTS / name).read_bytes()).hexdigest()


def test_the_canonical_format_reads_as_read_responses(mini):
    through_read = read(EXPORTS / "canonical.csv", mini)
    assert through_read.format == "csv"
    assert through_read.frame.equals(read_responses(EXPORTS / "canonical.csv", mini).frame)


def test_a_canonical_table_with_a_constant_takes_the_export_plan(mini, tmp_path):
    # --set replaces the file's set column: that is a column plan, made by the export
    # step, and the note says so; the values are validated by the same validator.
    result = read(EXPORTS / "canonical.csv", mini, ReadOptions(set_name="All"))
    assert set(result.frame["set"]) == {"All"}
    table = read_export(EXPORTS / "canonical.csv", mini, set_name="All")
    assert any("replaces column" in note for note in table.notes)
    assert result.frame.drop(columns="set").equals(
        read(EXPORTS / "canonical.csv", mini).frame.drop(columns="set"))


def test_the_format_comes_from_the_content_not_the_name(mini, tmp_path):
    renamed = tmp_path / "responses.csv"
    shutil.copy(EXPORTS / "kobo.xlsx", renamed)
    assert read(renamed, mini).format == "kobo"
