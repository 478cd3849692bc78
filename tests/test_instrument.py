"""Tests for surveyor.instrument.model: the shipped instruments, loading, and the CLI."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from surveyor.cli import cli
from surveyor.errors import SurveyorError
from surveyor.instrument.check import validate_instrument_data
from surveyor.instrument.model import Instrument, load_instrument, shipped_instruments
from surveyor.yaml_files import read_yaml

from .conftest import edit, write

FIXTURES = Path(__file__).parent / "fixtures"
MINI = (FIXTURES / "mini.yaml").read_text(encoding="utf-8")

FULL = "learning-inaction"
SHORT = "learning-inaction-short"
SUBSCALES = (
    "political_expediency",
    "emotional_risk",
    "collusion",
    "legitimacy_limits",
    "learning_in_action",
)
ITEM_PREFIX = {
    "political_expediency": "pe",
    "emotional_risk": "er",
    "collusion": "ca",
    "legitimacy_limits": "ll",
    "learning_in_action": "lia",
}
# DOMAIN.md section 2: one referent per subscale, so respondents know whose view they give.
REFERENT = {
    "political_expediency": ("Here, ", "In this organisation, "),
    "legitimacy_limits": ("Here, ", "In this organisation, "),
    "emotional_risk": ("I would ",),
    "collusion": ("In this set, we ",),
    "learning_in_action": ("I ", "In this set, we ", "Acting on "),
}

# Print order of the flagship: the set, then the organisation, then oneself.
REFERENT_GROUPS = (
    {"learning_in_action", "collusion"},
    {"political_expediency", "legitimacy_limits"},
    {"emotional_risk"},
)


@pytest.fixture(scope="module")
def full() -> Instrument:
    return load_instrument(FULL)


@pytest.fixture(scope="module")
def short() -> Instrument:
    return load_instrument(SHORT)


def respondent_texts(inst: Instrument) -> list[str]:
    """Every piece of prose a respondent, set or sponsor reads."""
    texts = [inst.title, inst.introduction, inst.instructions, inst.confidentiality]
    texts += [item.text for item in inst.items]
    texts += list(inst.agreement_questions) + list(inst.organization_questions)
    for sub in inst.subscales:
        texts += [sub.name, sub.description]
        texts += [band.text for band in sub.bands] + [q.text for q in sub.questions]
        texts += [band.organization_text for band in sub.bands]
    return texts


# ------------------------------------------------------------------ shipped instruments


def test_both_instruments_are_shipped_under_their_own_id():
    shipped = shipped_instruments()
    assert {FULL, SHORT} <= set(shipped)
    for identifier in (FULL, SHORT):
        assert load_instrument(shipped[identifier]).id == identifier


@pytest.mark.parametrize("identifier", [FULL, SHORT])
def test_shipped_instrument_has_no_errors_or_warnings(identifier):
    path = shipped_instruments()[identifier]
    assert validate_instrument_data(read_yaml(path)) == []
    inst = load_instrument(identifier)
    assert inst.version == "1.0"
    assert inst.language == "en"
    assert tuple(sub.id for sub in inst.subscales) == SUBSCALES
    assert inst.picture == ("emotional_risk", "political_expediency")


@pytest.mark.parametrize("identifier", [FULL, SHORT])
def test_response_scale_is_five_point_agreement_with_a_missing_option(identifier):
    scale = load_instrument(identifier).scale
    assert scale.values == (1, 2, 3, 4, 5)
    assert scale.labels == (
        "Strongly disagree",
        "Disagree",
        "Neither agree nor disagree",
        "Agree",
        "Strongly agree",
    )
    assert scale.missing == ("Don't know / not applicable",)


def test_full_form_has_six_items_per_subscale_and_few_reverse_items(full):
    reversed_counts = []
    for sub in SUBSCALES:
        items = full.items_of(sub)
        assert 5 <= len(items) <= 6
        assert [item.id for item in items] == [
            f"{ITEM_PREFIX[sub]}{n}" for n in range(1, len(items) + 1)
        ]
        reversed_counts.append(sum(item.reverse for item in items))
        assert full.subscale(sub).min_answered == len(items) - 1
    assert max(reversed_counts) <= 1
    assert 1 in reversed_counts


def test_short_form_has_two_unreversed_items_per_subscale(short):
    for sub in SUBSCALES:
        items = short.items_of(sub)
        assert len(items) == 2
        assert not any(item.reverse for item in items)
        # A two-item subscale is never prorated (DOMAIN.md section 3).
        assert short.subscale(sub).min_answered == 2


def test_short_form_items_are_full_form_items_word_for_word(full, short):
    full_items = {item.id: item for item in full.items}
    for item in short.items:
        assert item == full_items[item.id]
    # Same referent groups in the same order as the full form: set, organisation, oneself.
    group = {sub: n for n, subs in enumerate(REFERENT_GROUPS) for sub in subs}
    ranks = [group[item.subscale] for item in short.items]
    assert ranks == sorted(ranks)


def test_short_form_shares_everything_but_items_and_introduction(full, short):
    for sub_full, sub_short in zip(full.subscales, short.subscales, strict=True):
        assert (sub_full.id, sub_full.name, sub_full.description) == (
            sub_short.id,
            sub_short.name,
            sub_short.description,
        )
        assert sub_full.bands == sub_short.bands
        assert sub_full.questions == sub_short.questions
    for name in (
        "scale", "citation", "confidentiality", "picture", "agreement_questions",
        "organization_questions",
    ):
        assert getattr(full, name) == getattr(short, name), name
    assert len(short.introduction.split()) < len(full.introduction.split())


@pytest.mark.parametrize("identifier", [FULL, SHORT])
def test_items_are_short_distinct_and_keep_their_subscale_referent(identifier):
    inst = load_instrument(identifier)
    texts = [item.text for item in inst.items]
    assert len(set(texts)) == len(texts)
    for item in inst.items:
        assert len(item.text.split()) < 25, item.id
        assert item.text.endswith("."), item.id
        assert item.text.startswith(REFERENT[item.subscale]), item.id


def test_print_order_groups_by_referent_and_alternates_subscales(full):
    order = [item.subscale for item in full.items]
    start = 0
    for group in REFERENT_GROUPS:
        size = sum(len(full.items_of(sub)) for sub in group)
        assert set(order[start : start + size]) == group
        start += size
    # Apart from the single self-referent subscale, no two neighbours share a subscale.
    for a, b in zip(order, order[1:], strict=False):
        assert a != b or a == "emotional_risk"
    # A reverse-worded item never opens a group.
    assert not any(full.items[i].reverse for i in (0, 12, 24))


@pytest.mark.parametrize("identifier", [FULL, SHORT])
def test_prose_is_british_english_and_non_judgemental(identifier):
    text = " ".join(respondent_texts(load_instrument(identifier))).lower()
    for american in ("organization", "behavior", "recognize", "prioritize", "color"):
        assert american not in text
    band_text = " ".join(
        f"{band.text} {band.organization_text}".lower()
        for sub in load_instrument(identifier).subscales
        for band in sub.bands
    )
    for grade in ("good", "bad", "poor", "healthy", "worrying", "concerning", "excellent"):
        assert not re.search(rf"\b{grade}\b", band_text), grade


def test_each_subscale_has_bands_at_the_agreed_cut_points_and_reflective_questions(full):
    for sub in full.subscales:
        assert sub.description
        assert [band.upper for band in sub.bands] == [2.5, 3.5, None]
        assert 3 <= len(sub.questions) <= 5
        whens = {q.when for q in sub.questions}
        assert {"high", "low"} <= whens
        assert all(q.text.endswith("?") for q in sub.questions)


@pytest.mark.parametrize("identifier", [FULL, SHORT])
def test_every_band_has_organisation_wording_about_the_sets_together(identifier):
    """An organisation's mean pools many sets: its text speaks of the sets together, never
    of "the set", and stays about as long as the set text it stands beside."""
    for sub in load_instrument(identifier).subscales:
        for band in sub.bands:
            where = f"{sub.id} {band.label}"
            pooled = band.organization_text
            assert pooled and pooled != band.text, where
            assert band.text_for(pooled=True) == pooled
            assert band.text_for(pooled=False) == band.text
            assert "the sets" in pooled, where
            assert not re.search(r"\b(the|this|a|its) set\b", pooled), where
            assert 30 <= len(pooled.split()) <= 45, where


def test_top_level_texts(full):
    assert 60 <= len(full.introduction.split()) <= 100
    assert "Don't know / not applicable" in full.instructions
    assert "at least five people" in full.confidentiality
    assert "doi:10.1080/14767330802185582" in full.citation
    assert 2 <= len(full.agreement_questions) <= 3
    assert 3 <= len(full.organization_questions) <= 4


# no deadline: each example loads the instrument, which takes longer on a loaded machine
@settings(deadline=None)
@given(st.floats(min_value=1, max_value=5), st.floats(min_value=1, max_value=5))
def test_band_for_covers_the_scale_and_never_goes_down(a, b):
    inst = load_instrument(FULL)
    low, high = sorted((a, b))
    for sub in inst.subscales:
        band_low, band_high = sub.band_for(low), sub.band_for(high)
        assert band_low is not None and band_high is not None
        assert sub.bands.index(band_low) <= sub.bands.index(band_high)


def test_organization_text_is_loaded_and_used_for_pooled_means_only(tmp_path):
    text = edit("text: Lower than the midpoint., upper: 2.5}",
                "text: Lower than the midpoint., upper: 2.5,\n"
                "         organization_text: \"  Across the sets, lower.\\n\"}")
    text = edit("text: Around the midpoint., upper: 3.5}",
                "text: Around the midpoint., upper: 3.5, organization_text: \"Across, middle.\"}",
                text)
    text = edit("text: Above the midpoint.}",
                "text: Above the midpoint., organization_text: \"Across, higher.\"}", text)
    path = write(tmp_path, text)
    assert validate_instrument_data(read_yaml(path)) == []
    lower, middle, higher = load_instrument(path).subscale("alpha_sub").bands
    assert lower.organization_text == "Across the sets, lower."  # stripped like text
    assert [b.text_for(pooled=True) for b in (lower, middle, higher)] == [
        "Across the sets, lower.", "Across, middle.", "Across, higher."
    ]
    assert higher.text_for(pooled=False) == "Above the midpoint."


def test_band_without_organization_text_falls_back_to_the_set_text(mini):
    for band in mini.subscale("alpha_sub").bands:
        assert band.organization_text == ""
        assert band.text_for(pooled=True) == band.text_for(pooled=False) == band.text


def test_organization_text_on_some_bands_only_is_a_warning_naming_the_others(tmp_path):
    text = edit("upper: 3.5}", 'upper: 3.5, organization_text: "Across the sets, middle."}')
    path = write(tmp_path, text)
    problems = validate_instrument_data(read_yaml(path))
    assert [(p.location, p.severity) for p in problems] == [
        ("subscales[0].bands", "warning")
    ]
    assert "bands[0], bands[2]" in problems[0].message
    assert "set text" in problems[0].message
    bands = load_instrument(path).subscale("alpha_sub").bands
    assert [b.text_for(pooled=True) for b in bands] == [
        "Lower than the midpoint.", "Across the sets, middle.", "Above the midpoint."
    ]


def test_unknown_instrument_id_names_the_shipped_ones():
    with pytest.raises(SurveyorError, match="learning-inaction-short"):
        load_instrument("learning-in-action")


# ---------------------------------------------------------------------------- CLI


def run(*args: str):
    return CliRunner().invoke(cli, ["instrument", *args])


@pytest.mark.parametrize("identifier", [FULL, SHORT])
def test_cli_check_accepts_shipped_instrument_by_path_and_by_id(identifier):
    path = shipped_instruments()[identifier]
    counts = {FULL: 30, SHORT: 10}[identifier]
    for argument in (str(path), identifier):
        result = run("check", argument)
        assert result.exit_code == 0, result.output
        assert f"OK ({identifier} v1.0, {counts} items, 5 subscales)" in result.stdout
        assert "Warning" not in result.output


def test_cli_check_lists_every_problem_and_exits_2(tmp_path):
    # 24 unknown-subscale items: more than the 20 the library message shows by default.
    items = "".join(
        f'  - {{id: z{n}, subscale: nowhere, text: "Item {n}."}}\n' for n in range(24)
    )
    path = write(tmp_path, edit("items:\n", "items:\n" + items))
    result = run("check", str(path))
    assert result.exit_code == 2
    assert "24 problems found" in result.stderr
    for n in range(24):
        assert f"items[{n}].subscale: unknown subscale 'nowhere'" in result.stderr
    assert "more" not in result.stderr
    assert "Traceback" not in result.output


def test_cli_check_reports_invalid_yaml_without_traceback(tmp_path):
    path = write(tmp_path, edit("title: Mini instrument", "title: Mini: instrument"))
    result = run("check", str(path))
    assert result.exit_code == 2
    assert "line 4" in result.stderr
    assert "Traceback" not in result.output


def test_cli_check_shows_warnings_but_passes(tmp_path):
    path = write(tmp_path, edit('"Alpha item two."}', '"Alpha item two.", reverse: true}'))
    result = run("check", str(path))
    assert result.exit_code == 0
    assert "Warning:" in result.stderr and "reverse-worded" in result.stderr


def test_cli_check_missing_file(tmp_path):
    result = run("check", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2
    assert "no such file" in result.stderr


def test_cli_list_shows_both_instruments():
    result = run("list")
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.stdout.splitlines()}
    assert "30 items, 5 subscales" in lines[FULL]
    assert "10 items, 5 subscales" in lines[SHORT]
