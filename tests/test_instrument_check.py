"""Tests for surveyor.instrument.check: every broken instrument file gets located messages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from surveyor.errors import InstrumentError, SurveyorError
from surveyor.instrument.check import validate_instrument_data
from surveyor.instrument.model import load_instrument
from surveyor.yaml_files import read_yaml

from .conftest import edit, write

FIXTURES = Path(__file__).parent / "fixtures"
MINI = (FIXTURES / "mini.yaml").read_text(encoding="utf-8")


BROKEN = [
    pytest.param(
        edit("title: Mini instrument", "titel: Mini instrument"),
        "titel", "unknown field (did you mean 'title'?)", id="typo-top-level-field",
    ),
    pytest.param(
        edit("reverse: true}", "reversed: true}"),
        "items[2].reversed", "unknown field (did you mean 'reverse'?)", id="typo-item-field",
    ),
    pytest.param(
        edit("{id: b1, subscale: beta_sub", "{id: b1, subscale: beta"),
        "items[3].subscale", "unknown subscale 'beta'", id="unknown-subscale",
    ),
    pytest.param(
        edit("{id: b1, subscale: beta_sub", "{id: b1, subscale: [beta_sub]"),
        "items[3].subscale", "unknown subscale", id="subscale-given-as-list",
    ),
    pytest.param(
        edit("{id: b2,", "{id: b1,"),
        "items[4].id", "duplicate item id 'b1'", id="duplicate-item-id",
    ),
    pytest.param(
        edit("  - id: beta_sub", "  - id: alpha_sub"),
        "subscales[1].id", "duplicate subscale id 'alpha_sub'", id="duplicate-subscale-id",
    ),
    pytest.param(
        edit(
            "{id: b3, subscale: beta_sub",
            "{id: b3, subscale: alpha_sub",
            edit("{id: b2, subscale: beta_sub", "{id: b2, subscale: alpha_sub"),
        ),
        "subscales[1]", "subscale 'beta_sub' has 1 item(s); it needs at least 2",
        id="subscale-with-one-item",
    ),
    pytest.param(
        edit('"Agree", "Strongly agree"]', '"Agree"]'),
        "scale.labels", "has 4 labels for 5 values", id="labels-count",
    ),
    pytest.param(
        edit("values: [1, 2, 3, 4, 5]", "values: [1, 2, 4, 3, 5]"),
        "scale.values", "must be strictly increasing", id="values-not-increasing",
    ),
    pytest.param(
        edit("values: [1, 2, 3, 4, 5]", "values: [1, 2, 3, 4, 4.5]"),
        "scale.values[4]", "must be a whole number, not 4.5", id="non-integer-value",
    ),
    pytest.param(
        # Unquoted, YAML 1.1 would read yes as true: the quoted string is the mistake.
        edit("reverse: true}", 'reverse: "yes"}'),
        "items[2].reverse", "must be true or false, not 'yes'", id="reverse-not-boolean",
    ),
    pytest.param(
        edit("upper: 3.5}", "upper: 6}"),
        "subscales[0].bands[1].upper", "6 is outside the scale range 1-5",
        id="band-outside-scale",
    ),
    pytest.param(
        edit("upper: 3.5}", "upper: 2}"),
        "subscales[0].bands[1].upper", "2 must be above the previous cut-point 2.5",
        id="bands-not-increasing",
    ),
    pytest.param(
        edit("text: Above the midpoint.}", "text: Above the midpoint., upper: 5}"),
        "subscales[0].bands[2].upper", "the last band runs to the top of the scale",
        id="last-band-with-upper",
    ),
    pytest.param(
        edit("upper: 2.5}", "upper: 2.5, organisation_text: Across the sets.}"),
        "subscales[0].bands[0].organisation_text",
        "unknown field (did you mean 'organization_text'?)", id="band-field-british-spelling",
    ),
    pytest.param(
        edit("upper: 2.5}", 'upper: 2.5, organization_text: "  "}'),
        "subscales[0].bands[0].organization_text", "must not be empty",
        id="organization-text-empty",
    ),
    pytest.param(
        edit("upper: 2.5}", "upper: 2.5, organization_text: [a, b]}"),
        "subscales[0].bands[0].organization_text", "must be text, not a list",
        id="organization-text-not-text",
    ),
    pytest.param(
        edit("id: mini\n", ""), "id", "is required", id="missing-required-field",
    ),
    pytest.param(
        edit('version: "0.1"', "version: 0.1"),
        "version", 'must be quoted text such as "1.0", not a number', id="version-not-quoted",
    ),
    pytest.param(
        edit("when: high}", "when: often}"),
        "subscales[0].questions[0].when", "'often' must be one of high, low, always",
        id="question-when",
    ),
    pytest.param(
        edit("picture: [alpha_sub, beta_sub]", "picture: [alpha_sub, gamma_sub]"),
        "picture[1]", "unknown subscale 'gamma_sub'", id="picture-unknown-subscale",
    ),
    pytest.param(
        edit("description: The second subscale.", "description: x\n    min_answered: 4"),
        "subscales[1].min_answered", "is 4 but the subscale has only 3 items",
        id="min-answered-above-item-count",
    ),
    pytest.param(
        edit('missing: ["Don\'t know / not applicable"]', 'missing: ["Agree"]'),
        "scale.missing[0]", "'Agree' is also a scale label", id="missing-option-is-a-label",
    ),
    pytest.param(
        re.sub(r"scale:\n(  .*\n)+", "scale:\n", MINI),
        "scale", "must be a mapping, not empty", id="scale-left-empty",
    ),
    pytest.param(
        edit("id: mini", "id: Mini Instrument"), "id", "must be a slug", id="id-not-a-slug",
    ),
    pytest.param(b"", "(top level)", "the file is empty", id="empty-file"),
    pytest.param(
        b"# nothing here yet\n", "(top level)", "the file is empty", id="comments-only",
    ),
    pytest.param(
        "- id: mini\n", "(top level)", "must be a mapping, not a list", id="top-level-list",
    ),
]


@pytest.mark.parametrize(("content", "location", "message"), BROKEN)
def test_broken_instrument_is_rejected_with_location(tmp_path, content, location, message):
    path = write(tmp_path, content)
    with pytest.raises(InstrumentError) as info:
        load_instrument(path)
    found = [(p.location, p.message) for p in info.value.problems if p.severity == "error"]
    assert any(loc == location and message in msg for loc, msg in found), found
    assert f"{location}: " in str(info.value)
    assert str(path) in str(info.value)


UNREADABLE = [
    pytest.param(
        edit("title: Mini instrument", "title: Mini: instrument"),
        "invalid YAML at line 4, column 12", id="invalid-yaml",
    ),
    pytest.param(
        edit("title: Mini instrument\n", "title: Mini instrument\ntitle: Again\n"),
        "invalid YAML at line 5, column 1: duplicate key 'title'", id="duplicate-key",
    ),
    pytest.param(
        edit("title: Mini instrument", "title: Mini instrumént").encode("latin-1"),
        "is not UTF-8 text", id="not-utf-8",
    ),
    pytest.param(MINI + "---\nid: second\n", "invalid YAML at line", id="two-documents"),
    pytest.param("id: x\n[a, b]: c\n", "invalid YAML at line 2", id="list-as-key"),
]


@pytest.mark.parametrize(("content", "message"), UNREADABLE)
def test_unreadable_file_is_one_clear_error(tmp_path, content, message):
    path = write(tmp_path, content)
    with pytest.raises(SurveyorError) as info:
        load_instrument(path)
    assert not isinstance(info.value, InstrumentError)
    assert message in str(info.value)
    assert str(info.value).startswith(str(path))


def test_utf8_with_byte_order_mark_is_accepted(tmp_path):
    path = write(tmp_path, b"\xef\xbb\xbf" + MINI.encode("utf-8"))
    assert load_instrument(path).id == "mini"


def test_every_problem_is_reported_at_once(tmp_path):
    text = edit("title: Mini instrument", "titel: Mini instrument")
    text = edit("{id: b1, subscale: beta_sub", "{id: b1, subscale: beta", text)
    text = edit('version: "0.1"', "version: 0.1", text)
    with pytest.raises(InstrumentError) as info:
        load_instrument(write(tmp_path, text))
    locations = {p.location for p in info.value.problems}
    assert {"titel", "title", "items[3].subscale", "version"} <= locations
    assert str(info.value).splitlines()[0].endswith("4 problems found")


def test_two_reverse_items_in_a_subscale_is_a_warning_not_an_error(tmp_path):
    text = edit('"Alpha item two."}', '"Alpha item two.", reverse: true}')
    path = write(tmp_path, text)
    problems = validate_instrument_data(read_yaml(path))
    assert [(p.location, p.severity) for p in problems] == [("items", "warning")]
    assert "2 reverse-worded items" in problems[0].message
    assert load_instrument(path).id == "mini"


# ------------------------------------------------ upper-case item ids (issue 12 §3)


def upper_case_instrument(tmp_path: Path) -> Path:
    """The mini instrument with its items spelled as a survey tool names fields: A1, B_1."""
    from .conftest import MINI_TEXT

    text = re.sub(r"\{id: ([ab])(\d)", lambda m: f"{{id: {m.group(1).upper()}_{m.group(2)}",
                  MINI_TEXT)
    return write(tmp_path, text)


def test_upper_case_item_ids_are_accepted(tmp_path):
    instrument = load_instrument(upper_case_instrument(tmp_path))
    assert instrument.item_ids == ["A_1", "A_2", "A_3", "B_1", "B_2", "B_3"]


def test_item_ids_differing_only_in_case_are_duplicates(tmp_path):
    text = edit("{id: a2,", "{id: A1,")
    with pytest.raises(InstrumentError, match=r"duplicate item id 'A1' \(ids are matched "
                       r"ignoring case\)"):
        load_instrument(write(tmp_path, text))


def test_upper_case_ids_match_headers_and_mappings_ignoring_case(tmp_path):
    from surveyor.inputs.mapping import parse_mapping
    from surveyor.inputs.read import read_responses

    instrument = load_instrument(upper_case_instrument(tmp_path))
    path = tmp_path / "responses.csv"
    for header, quoted in (("a_1,a_2,a_3,b_1,b_2,b_3", "R2"),
                           ("A_1,A_2,A_3,B_1,B_2,B_3", '"R2"')):  # fast and careful reader
        path.write_text(f"respondent_id,organization,set,{header}\nR1,O,S,1,2,3,4,5,1\n"
                        f"{quoted},O,S,2,2,2,2,2,2\n", encoding="utf-8")
        frame = read_responses(path, instrument).frame
        # Written as the instrument spells them, whatever the file's case.
        assert list(frame.columns[3:]) == instrument.item_ids
        assert frame["A_1"].tolist() == [1.0, 2.0]
    items = {item_id.lower(): item_id.lower() for item_id in instrument.item_ids}
    mapping, problems = parse_mapping({"items": items}, instrument)
    assert not problems and list(mapping.items) == instrument.item_ids


def test_a_stem_must_be_text(tmp_path):
    text = edit("    name: Alpha\n", "    name: Alpha\n    stem: 3\n")
    with pytest.raises(InstrumentError, match=r"subscales\[0\].stem: must be text"):
        load_instrument(write(tmp_path, text))
