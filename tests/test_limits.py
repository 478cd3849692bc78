"""Every input is bounded (surveyor.inputs.limits, surveyor.files): a clear exit 2 naming
the limit, before the memory or the time runs out."""

from __future__ import annotations

import os
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner

from surveyor import files
from surveyor.cli import cli
from surveyor.errors import SurveyorError
from surveyor.inputs.read import load_export, read_responses
from surveyor.instrument.model import load_instrument

MINI = Path(__file__).parent / "fixtures" / "mini.yaml"
HEADER = "respondent_id,organization,set,a1,a2,a3,b1,b2,b3"


@pytest.fixture(scope="module")
def mini():
    return load_instrument(MINI)


def validate(path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["validate", str(path), "-i", str(MINI)])
    return result.exit_code, result.output


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_a_device_is_refused_without_reading_it():
    # Before: `validate /dev/zero` read until MemoryError.
    tracemalloc.start()
    code, output = validate("/dev/zero")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert code == 2
    assert "/dev/zero: is not a regular file (a device, pipe or socket)" in output
    assert peak < 50_000_000


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
def test_a_named_pipe_is_refused_without_blocking(tmp_path):
    pipe = tmp_path / "responses.csv"
    os.mkfifo(pipe)
    code, output = validate(pipe)
    assert code == 2 and "is not a regular file" in output


def test_a_file_beyond_the_size_limit_is_refused_before_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "MAX_INPUT_BYTES", 1000)
    path = tmp_path / "responses.csv"
    path.write_text(HEADER + "\n" + "R1,North,S1,1,2,3,4,5,1\n" * 100, encoding="utf-8")
    code, output = validate(path)
    assert code == 2
    assert "is larger than surveyor's limit of 1,000 bytes for an input file" in output


def test_a_set_name_beyond_the_limit_is_an_error_naming_row_and_column(tmp_path, mini):
    # Before: a 10,000-character set name was accepted and reports rendered for minutes.
    long_name = "S" * 10_000
    path = tmp_path / "responses.csv"
    path.write_text(f"{HEADER}\nR1,North,S1,1,2,3,4,5,1\nR2,North,{long_name},1,2,3,4,5,1\n",
                    encoding="utf-8")
    code, output = validate(path)
    assert code == 2
    assert "row 3, column set: 'SSSS" in output
    assert "is 10,000 characters long, more than the limit of 200 for a set name" in output
    assert len(output) < 2_000  # the name is not echoed whole
    # The same through the careful reader (a quoted value sends the file there).
    path.write_text(f'{HEADER}\n"R1",North,S1,1,2,3,4,5,1\nR2,North,{long_name},1,2,3,4,5,1\n',
                    encoding="utf-8")
    with pytest.raises(SurveyorError, match="row 3, column set: .* limit of 200"):
        read_responses(path, mini)


def test_an_organization_and_an_id_beyond_the_limit_are_errors(tmp_path, mini):
    path = tmp_path / "responses.csv"
    path.write_text(f"{HEADER}\n{'R' * 201},{'O' * 300},S1,1,2,3,4,5,1\n", encoding="utf-8")
    code, output = validate(path)
    assert code == 2
    assert "row 2, column respondent_id:" in output and "201 characters long" in output
    assert "limit of 200 for an id" in output
    assert "row 2, column organization:" in output
    assert "more than the limit of 200 for an organization name" in output


def test_a_name_of_exactly_the_limit_is_accepted(tmp_path, mini):
    path = tmp_path / "responses.csv"
    path.write_text(f"{HEADER}\nR1,North,{'S' * 200},1,2,3,4,5,1\n", encoding="utf-8")
    assert read_responses(path, mini).frame["set"].str.len().tolist() == [200]


def test_too_many_columns_are_refused_naming_the_limit(tmp_path, mini):
    # 200,000 extra columns: before, a 2 MB warning line.
    extra = ",".join(f"x{i}" for i in range(200_000))
    path = tmp_path / "responses.csv"
    path.write_text(f"{HEADER},{extra}\nR1,North,S1,1,2,3,4,5,1\n", encoding="utf-8")
    code, output = validate(path)
    assert code == 2
    assert "columns or more, beyond surveyor's limit of 10,000" in output
    assert len(output) < 1_000
    google = tmp_path / "google.csv"
    google.write_text(f"Timestamp,Q1,{extra}\n2024-01-01,4\n", encoding="utf-8")
    with pytest.raises(SurveyorError, match="200,002 columns or more, beyond surveyor's limit"):
        load_export(google)


def test_many_ignored_columns_are_summarised(tmp_path, mini):
    extra = ",".join(f"x{i}" for i in range(5_000))
    path = tmp_path / "responses.csv"
    path.write_text(f"{HEADER},{extra}\nR1,North,S1,1,2,3,4,5,1{',' * 5000}\n",
                    encoding="utf-8")
    result = read_responses(path, mini)
    (warning,) = [str(w) for w in result.warnings if "ignored" in str(w)]
    assert warning.endswith("'x19' and 4,980 more")
    assert len(warning) < 400
