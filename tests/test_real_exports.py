"""Real exports written by the platforms themselves (../shared/real-exports, not part of
the project): every one with rating questions scores with the proposal of `mapping init`
accepted unchanged, or says exactly why it cannot. Skipped where the folder is absent."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from surveyor.cli import cli
from surveyor.inputs.mapping_init import mapping_yaml, propose_mapping
from surveyor.inputs.read import load_export
from surveyor.instrument.model import load_instrument


def _real_exports() -> Path:
    """SURVEYOR_REAL_EXPORTS, else the nearest ``shared/real-exports`` beside a parent of
    the checkout (``../shared`` from the main checkout or from a worktree one level down)."""
    if "SURVEYOR_REAL_EXPORTS" in os.environ:
        return Path(os.environ["SURVEYOR_REAL_EXPORTS"])
    for parent in Path(__file__).resolve().parents[1:]:
        if (parent / "shared" / "real-exports").is_dir():
            return parent / "shared" / "real-exports"
    return Path(__file__).resolve().parents[2] / "shared" / "real-exports"


REAL = _real_exports()
pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason=f"no real exports at {REAL}")

AGREE = ["Strongly disagree", "Somewhat disagree", "Neither agree nor disagree",
         "Somewhat agree", "Strongly agree"]
FAVOUR = ["Very unfavorably", "Somewhat unfavorably",
          "Neither favorably nor unfavorably (neutral)", "Somewhat favorably", "Very favorably"]
NUMBERS = ["1", "2", "3", "4", "5"]
# Each export with rating questions: the words that start (or are inside) its rating
# questions' text, the scale they use and its never-scored option, and the format.
RATED = {
    "surveymonkey/sleeping-alone-data.csv": (
        "To what extent do you agree with the following statement", AGREE, [], "surveymonkey"),
    "surveymonkey/StarWars.csv": (
        "Please state whether you view the following characters", FAVOUR,
        ["Unfamiliar (N/A)"], "surveymonkey"),
    "google-forms/2019_Spanish_R_Community_Survey_Responses.csv": (
        "en una escala del 1 al 5", NUMBERS, [], "google-forms"),
    "google-forms/2019_Spanish_R_Community_Survey_Responses.xlsx": (
        "en una escala del 1 al 5", NUMBERS, [], "google-forms"),
    "limesurvey/survey_998192_R_data_file.csv": (
        "Describe yourselves [", NUMBERS, [], "limesurvey"),
    "limesurvey/survey_100001_R_data_file.csv": (
        "Please indicate whether you intend to use any of the following.", NUMBERS, [],
        "limesurvey"),
}
# Exports whose every response is a Qualtrics test response: nothing may be scored.
ONLY_TESTS = [
    "qualtrics/Single_Answer_Matrix_Questions_insights.csv",
    "qualtrics/Single_Answer_Matrix_Questions_legacy.csv",
    "qualtrics/No_Basis_for_Evaluation_insights.csv",
    "qualtrics/No_Basis_for_Evaluation_legacy.csv",
    "qualtrics/Long_Exhaustive_Sample_Survey.csv",
]


def instrument_for(path: Path, words: str, labels: list[str], missing: list[str],
                   folder: Path) -> tuple[Path, list[int]]:
    """An instrument whose items are the export's rating questions, in the export's own
    words, so that nothing but the file says which column is which."""
    export = load_export(path)
    columns = [i for i, text in enumerate(export.texts) if words in text]
    assert columns, f"no rating question found in {path}"
    items = [{"id": f"q{n + 1}", "subscale": "rated", "text": export.texts[i]}
             for n, i in enumerate(columns)]
    data = {
        "id": "real", "version": "1", "title": "Rating questions of a real export",
        "scale": {"values": list(range(1, len(labels) + 1)), "labels": labels,
                  "missing": missing},
        "subscales": [{"id": "rated", "name": "Rated", "description": "The ratings."}],
        "items": items,
    }
    target = folder / "real.yaml"
    target.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                      encoding="utf-8")
    return target, columns


@pytest.mark.parametrize("name", list(RATED))
def test_real_export_scores_with_the_proposal_unchanged(name, tmp_path):
    path = REAL / name
    if not path.exists():
        pytest.skip(f"{name} is not in {REAL}")
    words, labels, missing, fmt = RATED[name]
    instrument_path, columns = instrument_for(path, words, labels, missing, tmp_path)
    instrument = load_instrument(instrument_path)
    proposal = propose_mapping(path, instrument)
    export = load_export(path)
    assert proposal.format == fmt
    # Each item gets its own question's column, duplicated headers told apart.
    chosen = []
    for item in instrument.items:
        entry = proposal.items[item.id]
        same = [i for i, key in enumerate(export.keys) if key == entry.column]
        chosen.append(same[(entry.occurrence or 1) - 1])
    assert chosen == columns
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(mapping_yaml(proposal), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, [
        "score", str(path), "-i", str(instrument_path), "--mapping", str(mapping),
        "--organization", "Real", "--set", "All", "--out", str(out), "--no-reports",
    ])
    assert result.exit_code == 0, result.output
    with open(out / "scores.csv", encoding="utf-8", newline="") as handle:
        scores = list(csv.DictReader(handle))
    assert len(scores) == len(export.data)
    assert any(row["rated"] for row in scores)


@pytest.mark.parametrize("name", ONLY_TESTS)
def test_real_export_of_test_responses_says_so(name, tmp_path):
    path = REAL / name
    if not path.exists():
        pytest.skip(f"{name} is not in {REAL}")
    mini = Path(__file__).parent / "fixtures" / "mini.yaml"
    result = CliRunner().invoke(cli, ["validate", str(path), "-i", str(mini)])
    assert result.exit_code == 2
    assert "note: read as a Qualtrics" in result.output
    assert "Survey Test rows" in result.output
    assert "no responses are left in the export after the rows dropped above" in result.output
