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
