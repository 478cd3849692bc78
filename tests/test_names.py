"""Organization and set names (surveyor.inputs.names): spellings a reader cannot tell apart
are one group, with a warning; no tiny split twin of a group appears in any output."""

from __future__ import annotations

import csv
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from surveyor.cli import cli
from surveyor.inputs.names import normalise_codes, normalise_name
from surveyor.inputs.read import read_responses
from surveyor.instrument.model import load_instrument

MINI = Path(__file__).parent / "fixtures" / "mini.yaml"
HEADER = "respondent_id,organization,set,a1,a2,a3,b1,b2,b3"
NFC = "Équipe"
NFD = unicodedata.normalize("NFD", NFC)
ZWSP = "Set A\u200b"


@pytest.fixture(scope="module")
def mini():
    return load_instrument(MINI)


def test_normalise_name():
    assert NFC != NFD and normalise_name(NFD) == NFC
    assert normalise_name(ZWSP) == "Set A"
    assert normalise_name("\ufeff  Set\u00a0\u00a0 A \t") == "Set A"
    assert normalise_name("Set\u200d A\u2066") == "Set A"
    assert normalise_name("SET A") == "SET A"  # case is kept: the validator warns instead


def test_normalise_codes_reports_the_merged_spellings():
    codes = np.array([0, 1, 2, 1])
    new_codes, distinct, merged = normalise_codes(codes, np.array([NFC, NFD, "B"], dtype=object))
    assert distinct.tolist() == [NFC, "B"] and new_codes.tolist() == [0, 0, 1, 0]
    assert merged == [[0, 1]]


def twins(quote: bool = False) -> str:
    """Two sets of five, each with a twin of two written invisibly differently. The twins
    answer unlike their namesakes, so a split would show in any figure."""
    first = '"r00"' if quote else "r00"  # a quoted value sends the file to the careful reader
    rows = [HEADER]
    rows += [f"{first if i == 0 else f'r{i:02}'},North,{NFC},4,4,2,3,3,3" for i in range(5)]
    rows += [f"r{i:02},North,{NFD},1,1,5,1,1,1" for i in range(5, 7)]
    rows += [f"r{i:02},North,Set A,3,3,3,3,3,3" for i in range(7, 12)]
    rows += [f"r{i:02},North,{ZWSP},5,5,1,5,5,5" for i in range(12, 14)]
    rows += [f"r{i:02},North ,Set  A,3,3,3,3,3,3" for i in range(14, 15)]
    return "\n".join(rows) + "\n"


@pytest.mark.parametrize("quote", [False, True], ids=["fast reader", "careful reader"])
def test_invisible_differences_merge_with_a_warning(tmp_path, mini, quote):
    path = tmp_path / "responses.csv"
    path.write_text(twins(quote), encoding="utf-8")
    result = read_responses(path, mini)
    assert sorted(set(result.frame["set"])) == ["Set A", NFC]
    assert set(result.frame["organization"]) == {"North"}
    warnings = [str(w) for w in result.warnings]
    assert (
        "column set: 'Équipe' (row 2) and 'E\\u0301quipe' (row 7) differ only in spacing, "
        "invisible characters or how accents are encoded, and are read as one set, 'Équipe'"
    ) in warnings
    assert (
        "column set: 'Set A' (row 9) and 'Set A\\u200b' (row 14) and 'Set  A' (row 16) differ "
        "only in spacing, invisible characters or how accents are encoded, and are read as "
        "one set, 'Set A'"
    ) in warnings
    assert (
        "column organization: 'North' (row 2) and 'North ' (row 16) differ only in spacing, "
        "invisible characters or how accents are encoded, and are read as one organization, "
        "'North'"
    ) not in warnings  # surrounding spaces were always stripped: no news, no warning


def test_attack_no_split_twin_group_appears_in_any_output(tmp_path):
    """The attacker's view: every shareable file of a run. A twin of two beside its
    namesake of five would be a group of two (suppressed, yet its namesake's figures then
    differ from the organization's by exactly the twin) or, once it grows, a shown group
    that singles out whoever typed the name differently."""
    path = tmp_path / "responses.csv"
    path.write_text(twins(), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["score", str(path), "-i", str(MINI), "--out", str(out),
                                      "--no-reports", "--consented"])
    assert result.exit_code == 0, result.output
    with open(out / "groups.csv", encoding="utf-8", newline="") as handle:
        groups = list(csv.DictReader(handle))
    sets = {(g["organization"], g["set"]): g["n"] for g in groups if g["level"] == "set"}
    assert sets == {("North", "Set A"): "8", ("North", NFC): "7"}
    assert {g["n"] for g in groups if g["level"] == "organization"} == {"15"}
    for written in sorted(out.rglob("*")):
        if written.is_file():
            text = written.read_bytes().decode("utf-8", errors="replace")
            assert NFD not in text and "\u200b" not in text, written
            # The manifest's warning names the doubled space; no data file holds it.
            assert written.suffix != ".csv" or "Set  A" not in text, written
