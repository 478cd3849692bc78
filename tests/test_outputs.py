"""`surveyor score` end to end: data files, manifest, determinism, refusal to half-write."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from surveyor.cli import cli


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_score_writes_every_data_file(dozen_csv, mini_path, tmp_path):
    out = tmp_path / "out"
    result = run("score", dozen_csv, "-i", mini_path, "--out", out, "--no-reports")
    assert result.exit_code == 0, result.output
    for name in ("scores.csv", "groups.csv", "reliability.csv", "items.csv", "manifest.json"):
        assert (out / name).is_file()
    assert "Read 12 respondents" in result.output
    assert not list(out.glob(".*.tmp"))
    scores = pd.read_csv(out / "scores.csv")
    assert list(scores.columns) == ["respondent_id", "organization", "set", "alpha_sub", "beta_sub"]
    groups = pd.read_csv(out / "groups.csv", keep_default_na=False, dtype=str)
    assert list(groups.columns)[:5] == ["level", "organization", "set", "subscale", "n"]
    assert set(groups["level"]) == {"programme", "organization", "set"}


def test_manifest_records_inputs_settings_and_files(dozen_csv, mini_path, tmp_path):
    import hashlib

    out = tmp_path / "out"
    run("score", dozen_csv, "-i", mini_path, "--out", out, "--no-reports")
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["instrument"] == {"id": "mini", "version": "0.1", "title": "Mini instrument"}
    assert manifest["input"]["sha256"] == hashlib.sha256(dozen_csv.read_bytes()).hexdigest()
    assert manifest["settings"]["min_group_size"] == 5
    assert manifest["settings"]["min_answered"] == {"alpha_sub": 3, "beta_sub": 3}
    files = {f["path"]: f["sha256"] for f in manifest["files"]}
    for name, digest in files.items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest
    # South (4 people) is below 5, so North joins it; set B (3) is below 5 in its own right.
    suppressed = {
        (r["organization"], r["set"], r["reason"])
        for r in manifest["suppression"]
        if r["scope"] == "group"
    }
    assert ("South", "", "below_minimum") in suppressed
    assert ("North", "", "complementary") in suppressed
    assert ("North", "B", "below_minimum") in suppressed
    assert ("North", "A", "parent_suppressed") in suppressed


def test_suppressed_set_statistics_appear_nowhere(dozen_csv, mini_path, tmp_path):
    out = tmp_path / "out"
    run("score", dozen_csv, "-i", mini_path, "--out", out, "--no-reports")
    groups = pd.read_csv(out / "groups.csv", keep_default_na=False, dtype=str)
    hidden = groups[groups["set"].isin(["A", "B"])]
    assert (hidden["suppressed"] == "true").all()
    assert (hidden[["n", "mean", "sd", "median", "rwg_j", "ad"]] == "").all().all()


def test_two_runs_give_byte_identical_files(dozen_csv, mini_path, tmp_path):
    first, second = tmp_path / "one", tmp_path / "two"
    run("score", dozen_csv, "-i", mini_path, "--out", first, "--no-reports")
    run("score", dozen_csv, "-i", mini_path, "--out", second, "--no-reports")
    for name in ("scores.csv", "groups.csv", "reliability.csv", "items.csv", "manifest.json"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_formula_cells_are_neutralised(mini_path, tmp_path):
    rows = ["respondent_id,organization,set,a1,a2,a3,b1,b2,b3"]
    rows += [f"=HYPERLINK(\"x\"){i},@Org,+Set,4,4,2,3,3,3" for i in range(6)]
    path = tmp_path / "evil.csv"
    path.write_text("\n".join(rows) + "\n")
    out = tmp_path / "out"
    result = run("score", path, "-i", mini_path, "--out", out, "--no-reports")
    assert result.exit_code == 0, result.output
    text = (out / "scores.csv").read_text()
    assert "'=HYPERLINK" in text and "'@Org" in text and "'+Set" in text
    for line in text.splitlines()[1:]:
        assert not line.startswith(("=", "+", "@", "-"))


def test_thirty_defects_listed_exit_2_nothing_written(mini_path, tmp_path):
    header = "respondent_id,organization,set,a1,a2,a3,b1,b2,b3"
    rows = [header]
    for i in range(30):
        rows.append(f"r{i},Org,S,{7 + i},4,2,3,3,3")  # a1 off the scale on every row
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(rows) + "\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["score", str(path), "-i", str(mini_path), "--out", str(out)])
    assert result.exit_code == 2
    assert "30 problems" in result.output
    assert "row 2, column a1: '7'" in result.output
    assert "and 10 more" in result.output
    assert not out.exists()


def test_min_group_size_below_floor_is_refused(dozen_csv, mini_path, tmp_path):
    result = CliRunner().invoke(
        cli, ["score", str(dozen_csv), "-i", str(mini_path), "--min-group-size", "2"]
    )
    assert result.exit_code == 2
    assert "floor is 3" in result.output


def test_unwritable_out_gives_one_sentence(dozen_csv, mini_path, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = CliRunner().invoke(
        cli, ["score", str(dozen_csv), "-i", str(mini_path), "--out", str(blocker), "--no-reports"]
    )
    assert result.exit_code == 2
    assert "not a folder" in result.output
    assert "Traceback" not in result.output


def test_validate_writes_nothing(dozen_csv, mini_path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("validate", dozen_csv, "-i", mini_path)
    assert result.exit_code == 0
    assert "12 respondents" in result.output
    assert not (tmp_path / "output").exists()


def test_file_with_two_numbered_waves_scores_each(mini_path, tmp_path):
    rows = ["respondent_id,organization,set,wave,a1,a2,a3,b1,b2,b3"]
    rows += [f"r{i},Org,S,{1 + i % 2},4,4,2,3,3,3" for i in range(12)]
    path = tmp_path / "waves.csv"
    path.write_text("\n".join(rows) + "\n")
    out = tmp_path / "out"
    result = run("score", path, "-i", mini_path, "--out", out, "--no-reports")
    assert result.exit_code == 0, result.output
    assert pd.read_csv(out / "groups.csv")["wave"].unique().tolist() == [1, 2]
    assert (out / "changes.csv").exists()


def test_file_with_one_wave_keeps_the_column(mini_path, tmp_path):
    rows = ["respondent_id,organization,set,wave,a1,a2,a3,b1,b2,b3"]
    rows += [f"r{i},Org,S,2026-autumn,4,4,2,3,3,3" for i in range(6)]
    path = tmp_path / "wave.csv"
    path.write_text("\n".join(rows) + "\n")
    out = tmp_path / "out"
    result = run("score", path, "-i", mini_path, "--out", out, "--no-reports")
    assert result.exit_code == 0, result.output
    assert pd.read_csv(out / "scores.csv").columns[3] == "wave"


def test_a_pdf_given_as_responses_is_named_as_such(tmp_path):
    path = tmp_path / "responses.csv"
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 2
    assert "PDF" in result.output and "not a CSV or .xlsx file" in result.output


def reference_csv(frame: pd.DataFrame) -> str:
    """The writer's contract spelled out cell by cell, then written by pandas' CSV writer."""
    from surveyor.csvsafe import safe_cell

    out = pd.DataFrame(index=frame.index)
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_bool_dtype(column):
            out[name] = column.map({True: "true", False: "false"})
        elif pd.api.types.is_float_dtype(column):
            out[name] = ["" if v != v else repr(v) for v in column.to_numpy(dtype=float).tolist()]
        elif pd.api.types.is_numeric_dtype(column):
            out[name] = column
        else:
            out[name] = [safe_cell(str(v)) for v in column.fillna("").astype(str)]
    out.columns = [str(c) for c in frame.columns]
    return out.to_csv(index=False, lineterminator="\n", na_rep="")


TRICKY_TEXT = [
    "plain", "with, comma", 'with "quotes"', "two\nlines", "cr\rinside", "=SUM(A1)", "+1",
    "-0.07", "-x", "@me", "\tTab", "\rCR", "", "0042", "é ü", "'already",
]


def tricky_frame(rows: int = 40) -> pd.DataFrame:
    import numpy as np

    rng = np.random.default_rng(7)
    # 0.0 and -0.0 never share a column: with few distinct values the writer formats
    # each distinct value once, and equal values share one text.
    floats = rng.choice([1.0, 2.5, -0.0, np.nan, 1e-7, 123456789.125, -3.2, np.inf], rows)
    return pd.DataFrame(
        {
            "text": [TRICKY_TEXT[i % len(TRICKY_TEXT)] for i in range(rows)],
            "names": ["Org A" if i % 3 else None for i in range(rows)],
            "score": floats,
            "zero": np.where(np.isnan(floats), 0.0, np.abs(floats)),
            "many": rng.random(rows),
            "n": pd.array([i if i % 4 else None for i in range(rows)], dtype="Int64"),
            "k": np.arange(rows, dtype=np.int64),
            "flag": [bool(i % 2) for i in range(rows)],
        }
    )


def test_frame_csv_matches_the_cell_by_cell_contract():
    from surveyor.outputs import frame_csv

    frame = tricky_frame()
    assert frame_csv(frame) == reference_csv(frame)
    # Without any cell needing quotes the rows are joined directly: same text.
    plain = frame[frame["text"].isin(["plain", "=SUM(A1)", "-0.07", "0042", "é ü"])]
    assert frame_csv(plain) == reference_csv(plain)
    assert frame_csv(frame.iloc[:0]) == reference_csv(frame.iloc[:0])
    single = frame[["names"]]
    assert frame_csv(single) == reference_csv(single)


def test_frame_csv_many_distinct_floats_and_zeros():
    import numpy as np

    from surveyor.outputs import frame_csv

    values = np.random.default_rng(3).normal(size=5000)
    values[::7] = 0.0
    values[::11] = -0.0
    values[::13] = np.nan
    for column in (values, np.where(values == 0, 1.5, values)):
        frame = pd.DataFrame({"id": [f"R{i}" for i in range(len(column))], "x": column})
        assert frame_csv(frame) == reference_csv(frame)


def test_json_text_is_json_dumps_indented_byte_for_byte():
    from surveyor.outputs import json_text

    records = [{"level": "set", "organization": "Org é", "set": "},\n    {", "n": 3},
               {"level": "organization", "x": None, "y": True, "z": 0.1 + 0.2}]
    for data in (
        {"suppression": records, "empty": {}, "none": [], "nested": [records, [[]], {1: {}}]},
        [{"a": 1}, {}], [{"a": [1, {"b": 2.5}]}], records, "text", 1e16, {None: False},
    ):
        assert json_text(data) == json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False)
    with pytest.raises(ValueError):
        json_text({"records": [{"a": float("nan")}]})


def test_neutralise_finds_a_formula_among_many_plain_cells():
    """The quick search for formula signs lets no risky cell through: a full-width sign or
    a tab behind thousands of plain names is still neutralised, plain names stay as they are."""
    from surveyor.outputs import _neutralise

    plain = [f"R{i:05d}" for i in range(5000)]
    assert _neutralise(pd.Series(plain)) == plain
    for risky in ("＝1+2", "\t=cmd", "a;-2+3", "a,\u200b@SUM(A1)"):
        cells = _neutralise(pd.Series([*plain, risky]))
        assert cells[:-1] == plain and cells[-1] != risky
    assert _neutralise(pd.Series([*plain, "-2.5"]))[-1] == "-2.5"
