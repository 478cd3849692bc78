"""Tests for surveyor.instrument.qsf: the .qsf's structure, and its Qualtrics export read back."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from surveyor.errors import ResponsesError, SurveyorError
from surveyor.inputs.read import load_export, read_export
from surveyor.instrument.build import write_online_form
from surveyor.instrument.model import Scale, load_instrument, shipped_instruments
from surveyor.instrument.qsf import build_qsf, missing_recode_values
from surveyor.pipeline import score

FIXTURES = Path(__file__).parent / "fixtures"
EXPORTS = FIXTURES / "exports"


@pytest.fixture(scope="module")
def mini():
    return load_instrument(FIXTURES / "mini.yaml")


def questions(document: dict) -> dict[str, dict]:
    return {
        e["PrimaryAttribute"]: e["Payload"]
        for e in document["SurveyElements"] if e["Element"] == "SQ"
    }


def export_columns(document: dict) -> list[str]:
    """The columns Qualtrics exports for the survey's questions, in survey order."""
    payloads = questions(document)
    blocks = next(e for e in document["SurveyElements"] if e["Element"] == "BL")["Payload"]
    columns = []
    for block in blocks:
        for element in block["BlockElements"]:
            q = payloads[element["QuestionID"]]
            if q["QuestionType"] == "TE":
                columns.append(q["DataExportTag"])
            elif q["QuestionType"] == "Matrix":
                tags = q["ChoiceDataExportTags"]
                columns += [f"{q['DataExportTag']}_{tags[str(c)]}" for c in q["ChoiceOrder"]]
    return columns


@pytest.mark.parametrize("instrument", [str(FIXTURES / "mini.yaml"), *shipped_instruments()])
def test_one_likert_matrix_per_subscale_tagged_by_ids(instrument):
    inst = load_instrument(instrument)
    document = json.loads(build_qsf(inst))
    assert set(document) == {"SurveyEntry", "SurveyElements"}
    matrices = [q for q in questions(document).values() if q["QuestionType"] == "Matrix"]
    subscales = [s for s in inst.subscales if inst.items_of(s.id)]
    assert [m["DataExportTag"] for m in matrices] == [s.id for s in subscales]
    scale = inst.scale
    for matrix, subscale in zip(matrices, subscales, strict=True):
        items = inst.items_of(subscale.id)
        assert matrix["Selector"] == "Likert" and matrix["SubSelector"] == "SingleAnswer"
        assert [matrix["ChoiceDataExportTags"][str(c)] for c in matrix["ChoiceOrder"]] == [
            item.id for item in items
        ]
        assert [matrix["Choices"][str(c)]["Display"] for c in matrix["ChoiceOrder"]] == [
            item.text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            for item in items
        ]
        order = [str(a) for a in matrix["AnswerOrder"]]
        assert [matrix["Answers"][a]["Display"] for a in order] == [
            *scale.labels, *scale.missing
        ]
        assert [matrix["RecodeValues"][a] for a in order] == [
            *(str(v) for v in scale.values), *(str(v) for v in missing_recode_values(scale))
        ]
    qc = next(e for e in document["SurveyElements"] if e["Element"] == "QC")
    assert qc["SecondaryAttribute"] == str(len(questions(document)))


def test_blocks_are_parts_and_the_flow_shows_each(mini):
    document = json.loads(build_qsf(mini))
    elements = {e["Element"]: e["Payload"] for e in document["SurveyElements"]}
    blocks = elements["BL"]
    assert [b["Description"] for b in blocks] == [
        "About you", "Part 1 of 2", "Part 2 of 2", "Trash / Unused Questions"
    ]
    assert [f["ID"] for f in elements["FL"]["Flow"]] == [b["ID"] for b in blocks[:-1]]
    # Subscale names never reach respondents.
    text = build_qsf(mini).decode()
    assert "Alpha" not in text.replace("Alpha item", "")


def test_dont_know_codes_stay_off_the_scale():
    assert missing_recode_values(Scale((1, 2, 3, 4, 5), ("a",) * 5, ("dk",))) == [-1]
    assert missing_recode_values(Scale((0, 1, 2), ("a",) * 3, ("dk", "na"))) == [-1, -2]
    assert missing_recode_values(Scale((-2, -1, 0, 1, 2), ("a",) * 5, ("dk",))) == [-3]


def test_bytes_are_deterministic(mini, tmp_path):
    first = build_qsf(mini)
    assert build_qsf(mini) == first
    path = write_online_form(mini, "qualtrics", tmp_path / "out")
    assert path == tmp_path / "out" / "mini-qualtrics.qsf"
    assert path.read_bytes() == first


def test_clashing_export_tags_are_refused(mini):
    items = (replace(mini.items[0], id="organization"), *mini.items[1:])
    subscales = (replace(mini.subscales[0], id="set"), *mini.subscales[1:])
    bad = replace(mini, subscales=subscales,
                  items=tuple(replace(i, subscale="set") if i.subscale == "alpha_sub" else i
                              for i in items))
    with pytest.raises(SurveyorError, match="export tag set would name two"):
        build_qsf(bad)


def test_round_trip_export_scores_like_the_canonical_csv(mini, scores_like_canonical):
    """The fixture is the survey's export: its question columns are the .qsf's tags."""
    document = json.loads(build_qsf(mini))
    export = load_export(EXPORTS / "qualtrics-qsf.csv")
    assert export.format == "qualtrics"
    assert [k for k in export.keys if k in export_columns(document)] == export_columns(document)
    table = read_export(EXPORTS / "qualtrics-qsf.csv", mini)  # no mapping
    assert table.columns["a1"] == "alpha_sub_a1"
    assert table.columns["respondent_id"] == "ResponseId"
    assert not any("question text" in note for note in table.notes)
    assert "Don't know / not applicable" in set(table.frame["b2"])
    scores_like_canonical(EXPORTS / "qualtrics-qsf.csv")


def test_minus_one_is_dont_know_only_in_the_qsf_columns(mini, tmp_path):
    """-1 in a column the .qsf did not name is an off-scale value, not "Don't know"."""
    text = (EXPORTS / "qualtrics-qsf.csv").read_text(encoding="utf-8-sig")
    renamed = tmp_path / "renamed.csv"
    renamed.write_text(text.replace("beta_sub_b2", "Q9_2", 1), encoding="utf-8")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        "instrument: mini\nformat: qualtrics\nrespondent_id: ResponseId\n"
        "organization: organization\nset: set\nitems:\n"
        + "".join(f"  {i}: {s}_{i}\n" for s, i in (
            ("alpha_sub", "a1"), ("alpha_sub", "a2"), ("alpha_sub", "a3"),
            ("beta_sub", "b1"), ("beta_sub", "b3")))
        + "  b2: Q9_2\n",
        encoding="utf-8",
    )
    with pytest.raises(ResponsesError, match="-1"):
        score(renamed, mini, mapping=mapping, min_group_size=3, consented=True)


@pytest.mark.parametrize(("fmt", "name"), [("qualtrics", "mini-qualtrics.qsf"),
                                           ("limesurvey", "mini-limesurvey.txt")])
def test_cli_builds_the_online_form(tmp_path, fmt, name):
    from click.testing import CliRunner

    from surveyor.cli import cli

    result = CliRunner().invoke(cli, [
        "instrument", "build", str(FIXTURES / "mini.yaml"), "--format", fmt,
        "--out", str(tmp_path),
    ])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(tmp_path / name)
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]
