"""Publication rounding: half away from zero on the exact value, whatever the row order."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from surveyor.cli import cli
from surveyor.instrument.model import load_instrument
from surveyor.numbers.grouped import grouped_describe
from surveyor.numbers.rounding import round_half_away, round_value
from surveyor.pipeline import score
from surveyor.reports.brand import Brand
from surveyor.reports.context import ReportData, build_context, report_plan
from surveyor.typeset.environment import fmt

INSTRUMENT = load_instrument("learning-inaction")
FIRST = INSTRUMENT.subscales[0].id
EXAMPLE = Path(__file__).parent.parent / "examples" / "responses.csv"


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (4.15, 1, 4.2), (4.25, 1, 4.3), (4.35, 1, 4.4), (83 / 20, 1, 4.2), (87 / 20, 1, 4.4),
        (-0.15, 1, -0.2), (-0.25, 1, -0.3), (0.05, 1, 0.1), (4.125, 2, 4.13),
        (4.275, 2, 4.28), (2.675, 2, 2.68), (1.005, 2, 1.01), (12.5, 0, 13.0),
        (4.149, 1, 4.1), (4.1499999, 1, 4.1), (4.2499, 1, 4.2), (-4.2499, 1, -4.2),
    ],
)
def test_half_away_from_zero_on_the_decimal(value, decimals, expected):
    assert round_value(value, decimals) == expected
    # numpy and Python round these by the binary value, half to even: not a rule a
    # reader can apply to the printed figure.
    assert repr(round_value(value, decimals)) == repr(expected)


def test_rounding_arrays_nan_and_negative_zero():
    out = round_half_away(np.array([np.nan, np.inf, -0.04, -0.0, 0.35]), np.array([1, 1, 1, 2, 1]))
    assert np.isnan(out[0]) and out[1] == np.inf
    assert [repr(float(v)) for v in out[2:]] == ["0.0", "0.0", "0.4"]


def test_a_tie_computed_in_another_order_rounds_the_same():
    # 0.1 + 0.2 + 0.05 and 0.05 + 0.2 + 0.1 differ in the last bit; both stand for .35.
    a, b = (0.1 + 0.2) + 0.05, (0.05 + 0.2) + 0.1
    assert a != b
    assert round_value(a, 1) == round_value(b, 1) == 0.4


def test_report_figures_round_as_the_data_files():
    # A published two-decimal mean printed to one decimal: what a reader rounding
    # groups.csv by hand writes (Python's format gives 4.2 and 4.3).
    assert fmt(4.25, 1) == "4.3" and fmt(4.35, 1) == "4.4" and fmt(-0.04, 1) == "0.0"
    assert fmt(0.125 * 100, 0) == "13"


def test_group_means_are_exact_fractions_in_any_order():
    rng = np.random.default_rng(3)
    # Means of six whole-number answers, some prorated over five.
    values = rng.integers(6, 31, 5000) / np.where(rng.random(5000) < 0.1, 5, 6)
    codes = rng.integers(0, 400, 5000)
    first = grouped_describe(codes, values, 400)
    order = rng.permutation(5000)
    second = grouped_describe(codes[order], values[order], 400)
    for column in ("n", "mean", "sd", "median", "min", "max"):
        np.testing.assert_array_equal(first[column], second[column])
    # The mean is the float nearest the exact fraction.
    from fractions import Fraction

    for g in range(0, 400, 37):
        exact = sum(Fraction(float(v)).limit_denominator(30) for v in values[codes == g])
        assert first["mean"][g] == float(exact / int((codes == g).sum()))


# ------------------------------------------------------------- ties in a real run

# Keyed totals over the first subscale's six items, and the answers that make them.
SPLITS = {25: [5, 4, 4, 4, 4, 4], 26: [5, 5, 4, 4, 4, 4], 27: [5, 5, 5, 4, 4, 4]}


def tie_responses(path: Path) -> Path:
    """Three sets of 20 whose first-subscale means are exact ties.

    North / A: 18 people at 26/6 and 2 at 27/6, mean 87/20 = 4.35 (binary 4.3499...).
    North / B: 16 at 25/6 and 4 at 26/6, mean 4.2; North: 171/40 = 4.275 (binary 4.2749...).
    South / C: as B; programme 255/60 = 4.25, printed to one decimal in reports.
    """
    items = INSTRUMENT.items_of(FIRST)
    rows = []
    for org, name, totals in (
        ("North", "A", [26] * 18 + [27] * 2),
        ("North", "B", [25] * 16 + [26] * 4),
        ("South", "C", [25] * 16 + [26] * 4),
    ):
        for total in totals:
            row = {"respondent_id": f"R{len(rows) + 1:03d}", "organization": org, "set": name}
            for item in INSTRUMENT.items:
                row[item.id] = 3
            for item, keyed in zip(items, SPLITS[total], strict=True):
                row[item.id] = 6 - keyed if item.reverse else keyed
            rows.append(row)
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def groups_csv(tmp_path: Path, responses: Path, name: str) -> bytes:
    out = tmp_path / name
    run = CliRunner().invoke(cli, ["score", str(responses), "--out", str(out), "--no-reports"])
    assert run.exit_code == 0, run.output
    return (out / "groups.csv").read_bytes()


def test_exact_ties_in_groups_csv_and_reports(tmp_path):
    path = tie_responses(tmp_path / "ties.csv")
    groups_csv(tmp_path, path, "out")
    groups = pd.read_csv(tmp_path / "out" / "groups.csv")
    first = groups[groups["subscale"] == FIRST].fillna("").set_index(["organization", "set"])
    assert first.loc[("North", "A"), "mean"] == 4.4  # a set: one decimal (np.round: 4.3)
    assert first.loc[("North", "B"), "mean"] == 4.2
    assert first.loc[("North", ""), "mean"] == 4.28  # 40 people: two decimals (np.round: 4.27)
    assert first.loc[("", ""), "mean"] == 4.25

    result = score(path)
    data = ReportData.from_result(result)
    sections = {
        spec.key.set or spec.key.organization or "programme":
            build_context(data, spec, Brand(), "1 May 2025").subscales[0]
        for spec in report_plan(data)
    }
    assert sections["A"].headline.startswith("Average 4.4 on ")
    assert sections["North"].headline.startswith("Average 4.3 on ")  # 4.28 to one decimal
    # 4.25 to one decimal: half away from zero, as a reader rounds it (format: 4.2).
    assert sections["programme"].headline.startswith("Average 4.3 on ")
    assert "the organisation (4.3)" in sections["A"].references
    assert "the programme (4.3)" in sections["A"].references


PERMUTED_FILES = ("groups.csv", "items.csv", "reliability.csv")


def output_bytes(tmp_path: Path, responses: Path, name: str) -> dict[str, bytes]:
    groups_csv(tmp_path, responses, name)
    return {file: (tmp_path / name / file).read_bytes() for file in PERMUTED_FILES}


@pytest.mark.parametrize("source", ["ties", "example"])
def test_permuted_rows_give_the_same_bytes(tmp_path, source):
    """groups.csv, items.csv and reliability.csv do not depend on the order of the rows
    (item moments and covariances are exact integer sums: ``stats._exact_moments``)."""
    path = tie_responses(tmp_path / "ties.csv") if source == "ties" else EXAMPLE
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    before = output_bytes(tmp_path, path, "a")
    for seed in (1, 2, 3):
        shuffled = tmp_path / f"shuffled{seed}.csv"
        frame.sample(frac=1, random_state=seed).to_csv(shuffled, index=False)
        after = output_bytes(tmp_path, shuffled, f"b{seed}")
        for file in PERMUTED_FILES:
            assert after[file] == before[file], (file, seed)


def test_exact_ties_in_paired_changes(tmp_path):
    """40 people whose paired means are 126/40 = 3.15 then 136/40 = 3.40, a change of .25
    (40: an organisation of fewer pairs is small, one decimal)."""
    import surveyor

    header = "respondent_id,organization,set,wave,a1,a2,a3,b1,b2,b3"
    rows = []
    for wave, values in (("1", [3] * 34 + [4] * 6), ("2", [3] * 24 + [4] * 16)):
        for i, v in enumerate(values):
            # a3 is reverse-keyed: every score equals v.
            rows.append(f"p{i},North,A,{wave},{v},{v},{6 - v},{v},{v},{v}")
    path = tmp_path / "waves.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    result = surveyor.score(path, "tests/fixtures/mini.yaml", waves="1,2", paired=True)
    changes = result.waves.changes
    first = changes[changes["subscale"] == "alpha_sub"].set_index("level")
    row = first.loc["set"]
    # A set: one decimal, halves away from zero (np.round: 3.1 and 0.2).
    assert (row["mean_from"], row["mean_to"], row["change"]) == (3.2, 3.4, 0.3)
    row = first.loc["organization"]
    assert (row["mean_from"], row["mean_to"], row["change"]) == (3.15, 3.4, 0.25)
