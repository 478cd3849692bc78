"""The fast reader (surveyor.inputs.fast_csv) gives what the careful reader gives, or declines."""

from __future__ import annotations

import builtins
from pathlib import Path

import pandas as pd
import pytest

from surveyor.errors import ResponsesError
from surveyor.inputs import fast_csv
from surveyor.inputs import read as read_module
from surveyor.inputs.read import read_responses
from surveyor.inputs.source import open_source
from surveyor.inputs.table import csv_text
from surveyor.instrument.model import load_instrument

pytest.importorskip("pyarrow")

FIXTURES = Path(__file__).parent / "fixtures"
HEADER = "respondent_id,organization,set,a1,a2,a3,b1,b2,b3"
MISSING = "Don't know / not applicable"


@pytest.fixture(scope="module")
def mini():
    return load_instrument(FIXTURES / "mini.yaml")


def rows(n: int = 12) -> list[str]:
    out = []
    for i in range(n):
        answers = ",".join(str((i * 7 + k * 3) % 5 + 1) for k in range(6))
        out.append(f"R{i:03d},Org {'AB'[i % 2]},Set {i // 4},{answers}")
    return out


def text(lines: list[str], header: str = HEADER, end: str = "\n") -> str:
    return end.join([header, *lines]) + end


def write(tmp_path: Path, content: str, encoding: str = "utf-8", bom: bool = False) -> Path:
    path = tmp_path / "responses.csv"
    data = content.encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def careful(path: Path, instrument, monkeypatch):
    """Read with the fast path switched off."""
    with monkeypatch.context() as patch:
        patch.setattr(read_module, "_read_plain_csv", lambda source, inst: None)
        return read_responses(path, instrument)


def took_fast_path(path: Path, instrument) -> bool:
    source = csv_text(open_source(path))
    return read_module._read_plain_csv(source, instrument) is not None


def assert_same(fast, slow) -> None:
    pd.testing.assert_frame_equal(fast.frame, slow.frame, check_exact=True)
    assert [str(p) for p in fast.warnings] == [str(p) for p in slow.warnings]
    assert [p.severity for p in fast.warnings] == [p.severity for p in slow.warnings]
    assert (fast.sha256, fast.format, fast.encoding) == (slow.sha256, slow.format, slow.encoding)
    assert (fast.skipped_rows, fast.has_wave) == (slow.skipped_rows, slow.has_wave)


def variant(name: str) -> tuple[str, dict]:
    """A file the fast path must read, by name, and how to write it."""
    lines = rows()
    header = HEADER
    options: dict = {}
    if name == "bom":
        options["bom"] = True
    elif name == "crlf":
        return text(lines, end="\r\n"), options
    elif name == "no final line end":
        return text(lines).rstrip("\n"), options
    elif name == "labels and don't know":
        lines[1] = lines[1].rsplit(",", 3)[0] + ",Strongly agree,  disagree ," + MISSING
        lines[2] = lines[2].rsplit(",", 2)[0] + ",STRONGLY   AGREE,don't know / NOT applicable"
        lines[3] = lines[3].rsplit(",", 1)[0] + ","
    elif name == "numbers written differently":
        lines[1] = lines[1].rsplit(",", 3)[0] + ", 4 ,4.0,03"
    elif name == "leading zeros in ids":
        lines[0] = "007" + lines[0][4:]
        lines[1] = "0007" + lines[1][4:]
    elif name == "surrounding spaces in names":
        lines[1] = lines[1].replace("Org B", "Org B ")
        lines[2] = lines[2].replace("Set 0", " Set 0")
        lines[3] = " R003 " + lines[3][4:]
    elif name == "names differing in case":
        lines[2] = lines[2].replace("Org A", "org a")
    elif name == "non-breaking space":
        lines[2] = lines[2].replace("Org A", "Org\u00a0A")
        lines[3] = lines[3].replace("Set 0", "Set 0\u2003")
    elif name == "semicolons":
        return text([line.replace(",", ";") for line in lines], header.replace(",", ";")), options
    elif name == "decimal commas with semicolons":
        lines[1] = lines[1].rsplit(",", 1)[0] + ",4,0"
        lines = [line.replace(",", ";", 8) for line in lines]
        return text(lines, header.replace(",", ";")), options
    elif name == "tabs":
        return text([line.replace(",", "\t") for line in lines], header.replace(",", "\t")), options
    elif name == "windows-1252":
        options["encoding"] = "cp1252"
        lines = [line.replace("Org A", "Café Zürich") for line in lines]
    elif name == "utf-16":
        options["encoding"] = "utf-16"
        return text([line.replace(",", "\t") for line in lines], header.replace(",", "\t")), options
    elif name == "wave":
        header += ",wave"
        lines = [line + ",2025" for line in lines]
    elif name == "columns in another order and case":
        header = " Respondent_ID ,Organisation,SET,b3,b2,b1,a3,a2,A1"
        lines = [",".join(line.split(",")[:3] + line.split(",")[3:][::-1]) for line in lines]
    elif name == "extra column":
        header += ",note"
        lines = [line + ",hello" for line in lines]
    elif name == "respondent answering nothing":
        lines[4] = ",".join(lines[4].split(",")[:3] + [""] * 6)
    elif name == "formula-like names":
        lines[0] = lines[0].replace("Org A", "=cmd|calc")
        lines[1] = lines[1].replace("Set 0", "-set")
    elif name == "ids out of order":
        lines.reverse()
    return text(lines, header), options


FAST = [
    "plain", "bom", "crlf", "no final line end", "labels and don't know",
    "numbers written differently", "leading zeros in ids", "surrounding spaces in names",
    "names differing in case", "non-breaking space", "semicolons",
    "decimal commas with semicolons", "tabs", "windows-1252",
    "utf-16", "wave", "columns in another order and case", "extra column",
    "respondent answering nothing", "formula-like names", "ids out of order",
]


@pytest.mark.parametrize("name", FAST)
def test_fast_and_careful_readers_agree(tmp_path, mini, monkeypatch, name):
    content, options = variant(name)
    path = write(tmp_path, content, **options)
    assert took_fast_path(path, mini)
    assert_same(read_responses(path, mini), careful(path, mini, monkeypatch))


def declined(name: str) -> str:
    """A file the fast path must leave to the careful reader."""
    lines = rows()
    if name == "quoted value":
        lines[2] = lines[2].replace("Org A", '"Org, A"')
    elif name == "blank line":
        lines.insert(3, "")
    elif name == "blank line in CRLF file":
        lines.insert(3, "")
        return text(lines, end="\r\n")
    elif name == "row of empty values":
        lines.insert(3, ",,,,,,,,")
    elif name == "blank line before the header":
        return "\n" + text(lines)
    elif name == "row with more values":
        lines[2] += ",extra"
    elif name == "row with fewer values":
        lines[2] = lines[2].rsplit(",", 1)[0]
    elif name == "value off the scale":
        lines[2] = lines[2].rsplit(",", 1)[0] + ",7"
    elif name == "NA for missing":
        lines[2] = lines[2].rsplit(",", 1)[0] + ",NA"
    elif name == "repeated id":
        lines[3] = "R002" + lines[3][4:]
    elif name == "id repeated but for spaces":
        lines[3] = "R002 " + lines[3][4:]
    elif name == "blank organization":
        lines[3] = lines[3].replace("Org B", " ")
    elif name == "blank id":
        lines[3] = lines[3][4:]
    elif name == "header only":
        lines = []
    elif name == "missing item column":
        return text([line.rsplit(",", 1)[0] for line in lines], HEADER.rsplit(",", 1)[0])
    elif name == "unnamed column":
        return text([line + ",x" for line in lines], HEADER + ",")
    elif name == "same id in two waves":
        lines = [line + ",2024" for line in lines] + [lines[0] + ",2025"]
        return text(lines, HEADER + ",wave")
    elif name == "carriage return alone":
        return text(lines).replace("\n", "\r")
    return text(lines)


DECLINED = [
    "quoted value", "blank line", "row of empty values", "blank line before the header",
    "blank line in CRLF file", "row with more values", "row with fewer values",
    "value off the scale", "NA for missing",
    "repeated id", "id repeated but for spaces", "blank organization", "blank id",
    "header only", "missing item column", "unnamed column", "same id in two waves",
    "carriage return alone",
]


@pytest.mark.parametrize("name", DECLINED)
def test_unusual_files_fall_back_to_the_careful_reader(tmp_path, mini, monkeypatch, name):
    path = write(tmp_path, declined(name))
    assert not took_fast_path(path, mini)
    try:
        expected = careful(path, mini, monkeypatch)
    except ResponsesError as exc:
        with pytest.raises(ResponsesError) as info:
            read_responses(path, mini)
        assert [str(p) for p in info.value.problems] == [str(p) for p in exc.problems]
    else:
        assert_same(read_responses(path, mini), expected)


def test_without_pyarrow_the_careful_reader_reads(tmp_path, mini, monkeypatch):
    path = write(tmp_path, text(rows()))
    real_import = builtins.__import__

    def no_pyarrow(name, *args, **kwargs):
        if name == "pyarrow" or name.startswith("pyarrow."):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pyarrow)
    assert not took_fast_path(path, mini)
    result = read_responses(path, mini)
    monkeypatch.undo()
    assert_same(result, careful(path, mini, monkeypatch))


@pytest.mark.parametrize(
    "body, plain",
    [
        (b"a,b\n1,2\n", True),
        (b"a,b\r\n1,2\r\n", True),
        (b'a,b\n"1",2\n', False),
        (b"a,b\r1,2\r", False),
        (b"a,b\r\n1,2\r3,4\r\n", False),
        (b"a,b\n1,\x002\n", False),
        (b"", False),
    ],
)
def test_plain_enough(body, plain):
    assert fast_csv.plain_enough(body) is plain
