"""Questionnaire context, respondent codes and HTML (pure: no files, no PDF)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from surveyor.errors import SurveyorError
from surveyor.instrument.model import load_instrument
from surveyor.instrument.questionnaire import (
    CODE_ALPHABET,
    QuestionnaireOptions,
    pack_code,
    paragraphs,
    questionnaire_context,
    render_copies,
    render_pack,
    render_questionnaire,
    respondent_code_valid,
    respondent_codes,
)
from surveyor.typeset.environment import make_environment

CODE = re.compile(rf"^[{CODE_ALPHABET}]{{4}}-\d{{3,4}}-[{CODE_ALPHABET}]$")


def test_blank_context(mini):
    context = questionnaire_context(mini)
    assert context.page_size == "A4"
    assert context.document_class == "questionnaire"
    assert [row.id for row in context.items] == mini.item_ids
    assert [row.number for row in context.items] == list(range(1, 7))
    assert context.scale_labels == mini.scale.labels
    assert context.missing_labels == ("Don't know / not applicable",)
    assert len(context.copies) == 1 and context.copies[0].respondent_code == ""
    # mini.yaml has no confidentiality text: the default states the minimum group size
    assert "at least 5 people" in context.confidentiality[0]
    assert "Don't know / not applicable" in context.instructions[0]
    assert not context.stacked


def test_options_change_the_context(mini):
    context = questionnaire_context(
        mini, QuestionnaireOptions(paper="LETTER", large_print=True, min_group_size=8)
    )
    assert context.page_size == "letter"
    assert context.document_class == "questionnaire large-print"
    assert context.stacked
    assert context.statement_colspan == 1 + 5 + 1 + 1
    assert "at least 8 people" in context.confidentiality[0]


def test_pack_context(mini):
    options = QuestionnaireOptions(organization="  North   Trust ", set="Set A", count=3)
    copies = questionnaire_context(mini, options).copies
    assert len(copies) == 3
    assert {c.organization for c in copies} == {"North Trust"}
    assert {c.set for c in copies} == {"Set A"}
    assert len({c.respondent_code for c in copies}) == 3
    one = questionnaire_context(mini, QuestionnaireOptions(organization="N", set="S")).copies
    assert len(one) == 1 and one[0].respondent_code


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (QuestionnaireOptions(count=3), "--count needs --organization and --set"),
        (QuestionnaireOptions(organization="N", count=3), "both --organization and --set"),
        (QuestionnaireOptions(set="S"), "both --organization and --set"),
        (QuestionnaireOptions(organization="N", set="S", count=0), "between 1 and 1000"),
        (QuestionnaireOptions(organization="N", set="S", count=1001), "between 1 and 1000"),
        (QuestionnaireOptions(paper="a3"), "use a4 or letter"),
        (QuestionnaireOptions(organization="N", set="S", code_prefix="ILO"), "no I, L, O or U"),
        (QuestionnaireOptions(first_serial=0), "first serial"),
        (QuestionnaireOptions(min_group_size=0), "minimum group size"),
    ],
)
def test_bad_options(mini, options, message):
    with pytest.raises(SurveyorError, match=re.escape(message)):
        questionnaire_context(mini, options)


def test_respondent_codes_are_stable_distinct_and_valid():
    codes = respondent_codes("North Trust", "Set A", 50)
    assert codes == respondent_codes("North Trust", "Set A", 50)
    assert len(set(codes)) == 50
    assert all(CODE.match(code) and respondent_code_valid(code) for code in codes)
    assert codes[0].split("-")[1] == "001"
    # the pack code ignores case and spacing, but not the names themselves
    assert pack_code("north  trust", "SET A") == pack_code("North Trust", "Set A")
    assert pack_code("North Trust", "Set B") != pack_code("North Trust", "Set A")
    assert pack_code("North", "Trust Set A") != pack_code("North Trust", "Set A")


def test_respondent_codes_prefix_serials_and_width():
    codes = respondent_codes("N", "S", 3, prefix="NT", first=998)
    assert [c.rsplit("-", 1)[0] for c in codes] == ["NT-0998", "NT-0999", "NT-1000"]
    assert all(respondent_code_valid(c) for c in codes)
    assert respondent_codes("N", "S", 2, first=3) == respondent_codes("N", "S", 4)[2:]


def test_respondent_code_validity():
    code = respondent_codes("N", "S", 1)[0]
    assert respondent_code_valid(code.lower())
    for bad in ("", "ABCD-001", "ABCD-001-XY", "ABCD-0A1-X", "AB!D-001-X", code[:-1] + "?"):
        assert not respondent_code_valid(bad)


@given(st.integers(1, 999), st.integers(0, 9), st.sampled_from(CODE_ALPHABET))
def test_a_single_mistyped_symbol_is_detected(serial, position, symbol):
    code = respondent_codes("Org", "Set", 1, first=serial)[0]
    chars = [i for i, ch in enumerate(code) if ch != "-"]
    index = chars[position % len(chars)]
    if code[index] == symbol or (code[index].isdigit() != symbol.isdigit() and index in (5, 6, 7)):
        return  # same symbol, or a letter in the serial (rejected by shape anyway)
    typo = code[:index] + symbol + code[index + 1 :]
    assert not respondent_code_valid(typo)


def test_paragraphs():
    assert paragraphs("One\nline.\n\n  Two   here.\n \n") == ("One line.", "Two here.")
    assert paragraphs("") == ()


def test_html_escapes_names_and_text(tmp_path):
    source = (tmp_path / "x.yaml")
    text = (
        "id: x\nversion: '1'\ntitle: 'A <b>title</b>'\n"
        "scale: {values: [1, 2], labels: [Never, Often]}\n"
        "subscales: [{id: s, name: S, description: d}]\n"
        "items:\n  - {id: i1, subscale: s, text: 'Uses <script>alert(1)</script> here'}\n"
        "  - {id: i2, subscale: s, text: 'Plain'}\n"
    )
    source.write_text(text, encoding="utf-8")
    inst = load_instrument(source)
    options = QuestionnaireOptions(organization='<img src="file:///etc/passwd">', set="../../x")
    html = render_questionnaire(questionnaire_context(inst, options), make_environment())
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src" not in html
    assert "A &lt;b&gt;title&lt;/b&gt;" in html
    # no missing options: no gap or "don't know" column
    assert 'class="gap"' not in html


def test_html_structure(mini):
    html = render_questionnaire(questionnaire_context(mini), make_environment())
    assert html.count('<tbody class="item"') == 6
    # Every box names its item and option, so the scan reader's layout map can find it.
    boxes = re.findall(r'<span class="box" data-item="([^"]+)" data-option="(\d+)"></span>',
                       html)
    assert len(boxes) == 6 * 6
    assert sorted(set(boxes)) == sorted(boxes)
    assert '<html lang="en" class="questionnaire">' in html
    assert "@page { size: A4; }" in html
    for item in mini.items:
        assert html.count(item.text) == 1
    assert "Page <span class=\"page-number\"></span>" in html


def test_render_copies_one_document_per_copy(mini):
    options = QuestionnaireOptions(organization="N", set="S", count=4)
    context = questionnaire_context(mini, options)
    env = make_environment()
    documents = render_copies(context, env)
    assert len(documents) == 4
    for copy, html in zip(context.copies, documents, strict=True):
        assert html.count(copy.respondent_code) == 2  # fields box and footer
        assert html.count("<!DOCTYPE html>") == 1
    combined = render_questionnaire(context, env)
    assert combined.count('<section class="copy">') == 4


def test_render_pack_is_the_first_copy_when_only_codes_differ(mini, tmp_path):
    options = QuestionnaireOptions(organization="N", set="S", count=3)
    context = questionnaire_context(mini, options)
    env = make_environment()
    first = render_pack(context, env)
    documents = render_copies(context, env)
    assert first == documents[0]
    codes = [copy.respondent_code for copy in context.copies]
    for document, code in zip(documents, codes, strict=True):
        assert document == first.replace(codes[0], code)
    # a blank questionnaire has no code to swap
    assert render_pack(questionnaire_context(mini), env) is None
    # a brand that puts the code in an attribute cannot be printed by swapping text
    brand = tmp_path / "brand"
    brand.mkdir()
    (brand / "questionnaire.html").write_text(
        '{% extends "default:questionnaire.html" %}'
        '{% block closing %}<p data-code="{{ copy.respondent_code }}">Thanks</p>{% endblock %}',
        encoding="utf-8",
    )
    assert render_pack(context, make_environment([brand])) is None
