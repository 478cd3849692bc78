"""Tests for surveyor.yaml_files: reading YAML configuration and its structural checks."""

from __future__ import annotations

import pytest

from surveyor.errors import SurveyorError
from surveyor.yaml_files import Checker, closest, kind, read_yaml


def test_read_yaml_names_the_line_of_a_duplicate_key(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text("items:\n  a1: Q1\n  a1: Q2\n", encoding="utf-8")
    with pytest.raises(SurveyorError, match=r"invalid YAML at line 3, column 3: duplicate key"):
        read_yaml(path)


def test_read_yaml_hint_says_what_the_file_should_be(tmp_path):
    with pytest.raises(SurveyorError, match="give a mapping .yaml file"):
        read_yaml(tmp_path, "give a mapping .yaml file")


def test_read_yaml_accepts_a_byte_order_mark(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfid: x\n")
    assert read_yaml(path) == {"id": "x"}


def test_checker_collects_required_unknown_and_wrongly_typed_fields():
    check = Checker()
    data = check.mapping({"titel": "x", "items": "a1"}, "top", {"title": True, "items": False})
    assert data is not None
    check.text({"title": 3}, "title", "top")
    check.sequence({"items": "a1"}, "items", "top")
    assert [(p.location, p.message) for p in check.problems] == [
        ("top.title", "is required"),
        ("top.titel", "unknown field (did you mean 'title'?)"),
        ("top.title", "must be text, not a number"),
        ("top.items", "must be a list, not text"),
    ]
    assert check.mapping([1], "", {}) is None
    assert check.problems[-1].message == "must be a mapping, not a list"


def test_unknown_fields_may_list_what_is_allowed():
    check = Checker()
    check.unknown({"colum": "Q1", "zzz": 1}, "items.a1", ("column", "recode"), list_allowed=True)
    assert [p.message for p in check.problems] == [
        "unknown field (did you mean 'column'?); allowed: column, recode",
        "unknown field; allowed: column, recode",
    ]


def test_kind_and_closest():
    assert [kind(v) for v in (None, True, 1, 1.5, "a", [], {})] == [
        "empty", "true/false", "a number", "a number", "text", "a list", "a mapping"]
    assert closest("organisation_text", ("organization_text", "text")) == "organization_text"
    assert closest("zzz", ("text",)) is None


# ------------------------------------------------------------- resource exhaustion


def alias_bomb(levels: int, width: int = 9, leaf: str = "lol") -> str:
    lines = [f'a0: &a0 [{", ".join([repr(leaf)] * width)}]']
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_with_a_short_message(tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_text(alias_bomb(9) + "id: *a8\n", encoding="utf-8")
    with pytest.raises(SurveyorError) as caught:
        read_yaml(path)
    message = str(caught.value)
    import re

    values = int(re.search(r"aliases \(\*name\) expand to ([\d,]+) values", message)[1]
                 .replace(",", ""))
    assert values > 9 ** 9  # nine levels of nine: the 387 MB of 'lol' it stands for
    assert len(message) < 300


@pytest.mark.parametrize("command", [["instrument", "check"], ["instrument", "build"]])
def test_the_cli_answers_an_alias_bomb_in_a_few_lines(tmp_path, command):
    """The 19 KB bomb that gave a 39 MB error message: now exit 2 and under 1 KB."""
    from click.testing import CliRunner

    from surveyor.cli import cli

    path = tmp_path / "bomb.yaml"
    path.write_text(alias_bomb(8, width=12, leaf="x" * 200) + "reverse: *a7\n",
                    encoding="utf-8")
    result = CliRunner().invoke(cli, [*command, str(path), "--out", str(tmp_path / "out")]
                                if command[-1] == "build" else [*command, str(path)])
    assert result.exit_code == 2, result.output[:500]
    assert "aliases (*name) expand to" in result.output
    assert len(result.output) < 1000
    assert not (tmp_path / "out").exists()


def test_values_below_the_limit_are_quoted_briefly(tmp_path):
    """Just under the limit a value can still be large; the message quoting it is cut."""
    from surveyor.instrument.check import validate_instrument_data

    path = tmp_path / "big.yaml"
    path.write_text(alias_bomb(4, width=9, leaf="y" * 50) + "items:\n"
                    "  - {id: a, subscale: s, text: t, reverse: *a3}\n", encoding="utf-8")
    problems = validate_instrument_data(read_yaml(path))
    lines = [str(p) for p in problems]
    assert any("reverse" in line for line in lines)
    assert max(map(len, lines)) <= 1100


def test_shared_aliases_within_the_limit_still_load(tmp_path):
    path = tmp_path / "bands.yaml"
    path.write_text("bands: &b [{label: Low, upper: 2.5}, {label: High}]\n"
                    "one: *b\ntwo: *b\n", encoding="utf-8")
    data = read_yaml(path)
    assert data["one"] == data["two"] == [{"label": "Low", "upper": 2.5}, {"label": "High"}]


def test_a_self_referencing_alias_is_counted_once(tmp_path):
    from surveyor.yaml_files import expanded_size

    path = tmp_path / "cycle.yaml"
    path.write_text("a: &a [1, *a]\n", encoding="utf-8")
    import yaml

    node = yaml.compose(path.read_text())
    assert expanded_size(node) == 5  # mapping, key, list, 1, the list again


def test_deep_nesting_is_a_user_error(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text("a: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    with pytest.raises(SurveyorError, match="nested too deeply"):
        read_yaml(path)
