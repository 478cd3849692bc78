"""Decoding input files (surveyor.inputs.text): encodings, NUL characters, the CLI's escaping."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from surveyor.cli import cli
from surveyor.errors import SurveyorError, printable
from surveyor.inputs.read import read_responses
from surveyor.inputs.source import open_source
from surveyor.inputs.table import grid
from surveyor.inputs.text import DecodeError, decode
from surveyor.instrument.model import load_instrument

MINI = Path(__file__).parent / "fixtures" / "mini.yaml"
HEADER = "respondent_id,organization,set,a1,a2,a3,b1,b2,b3"
TEXT = f"{HEADER}\nR1,Équipe Nord,S1,1,2,3,4,5,1\nR2,Équipe Nord,S1,5,4,3,2,1,2\n"


@pytest.fixture(scope="module")
def mini():
    return load_instrument(MINI)


@pytest.mark.parametrize(
    "encoding, read_as",
    [
        ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("utf-16", "utf-16"),
        ("utf-16-le", "utf-16-le"), ("utf-16-be", "utf-16-be"), ("utf-32", "utf-32"),
        ("utf-32-le", "utf-32-le"), ("utf-32-be", "utf-32-be"), ("cp1252", "cp1252"),
    ],
)
def test_every_encoding_reads_the_same_text(encoding, read_as):
    decoded = decode(TEXT.encode(encoding))
    assert (decoded.text, decoded.encoding) == (TEXT, read_as)
    assert bool(decoded.notes) == (read_as == "cp1252")


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32", "utf-32-le"])
def test_unicode_files_without_or_with_a_mark_score(tmp_path, mini, encoding):
    # Before: UTF-16 without a BOM was "a binary file", UTF-32 was read as UTF-16.
    path = tmp_path / "responses.csv"
    path.write_bytes(TEXT.encode(encoding))
    result = read_responses(path, mini)
    assert result.frame["organization"].tolist() == ["Équipe Nord", "Équipe Nord"]
    assert result.frame["a1"].tolist() == [1.0, 5.0]


def test_a_nul_after_the_first_8_kb_is_an_error_naming_its_line(tmp_path, mini):
    rows = [f"R{i},North,S1,1,2,3,4,5,1" for i in range(400)]
    rows.append("R400,Nor\x00th,S1,1,2,3,4,5,1")
    text = HEADER + "\n" + "\n".join(rows) + "\n"
    assert text.index("\x00") > 8192
    path = tmp_path / "responses.csv"
    path.write_bytes(text.encode("utf-8"))
    with pytest.raises(SurveyorError, match="line 402 holds a NUL character"):
        read_responses(path, mini)
    # Survey-tool exports are decoded by the same function.
    with pytest.raises(SurveyorError, match="line 402 holds a NUL character"):
        grid(open_source(path))
    # In UTF-16, where every other byte is 0, a NUL character is found all the same.
    path.write_bytes(text.encode("utf-16"))
    with pytest.raises(SurveyorError, match="line 402 holds a NUL character"):
        read_responses(path, mini)


def test_a_nul_at_the_start_is_a_binary_file():
    with pytest.raises(DecodeError, match="is a binary file"):
        decode(b"abc\x00\x01\x02" * 10)


def test_escape_sequences_in_a_value_never_reach_the_terminal(tmp_path):
    path = tmp_path / "responses.csv"
    value = "\x1b[2J\x1b]0;owned\x07\x9b31mX"
    path.write_text(f"{HEADER}\nR1,North,S1,{value},2,3,4,5,1\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(path), "-i", str(MINI)])
    assert result.exit_code == 2
    assert not {"\x1b", "\x07", "\x9b"} & set(result.output)
    assert "row 2, column a1: '\\x1b[2J\\x1b]0;owned\\x07\\x9b31mX' is not on the scale" in (
        result.output
    )


def test_printable_shows_hidden_characters_and_keeps_lines():
    assert printable("Set A\u200b\nnext") == "Set A\\u200b\nnext"
    assert printable("a\nb", newlines=False) == "a\\x0ab"
    assert printable("Équipe \u202eevil") == "Équipe \\u202eevil"
