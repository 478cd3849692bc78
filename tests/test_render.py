"""The shared jinja environment: loader chain, strictness, escaping, filters, inlining."""

from __future__ import annotations

import math

import jinja2
import pytest
from hypothesis import given
from hypothesis import strategies as st

from surveyor import resources
from surveyor.errors import SurveyorError
from surveyor.typeset.environment import (
    MISSING,
    count,
    fmt,
    font_faces,
    inline_fonts,
    make_environment,
    pct,
    signed,
    stylesheet,
    template_roots,
)


def test_shipped_templates_are_found():
    env = make_environment()
    assert env.get_template("questionnaire.html").filename.startswith(
        str(resources.templates_dir())
    )


def test_user_folder_overrides_and_default_prefix_reaches_shipped(tmp_path):
    (tmp_path / "base.html").write_text(
        '{% extends "default:base.html" %}'
        "{% block body %}<p class=brand>BRANDED</p>{{ super() }}{% endblock %}",
        encoding="utf-8",
    )
    env = make_environment([tmp_path])
    html = env.get_template("base.html").render(
        lang="en", title="T", page_size="A4", document_class="x"
    )
    assert "BRANDED" in html
    assert "<!DOCTYPE html>" in html  # the shipped base.html still did the work
    assert "@font-face" in html


def test_user_folders_are_searched_in_order(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    (first / "custom.css").write_text("/* first */", encoding="utf-8")
    (second / "custom.css").write_text("/* second */", encoding="utf-8")
    env = make_environment([first, second])
    assert stylesheet(env, "custom.css") == "/* first */"
    assert "--ink" in stylesheet(env, "default:theme.css")


def test_brand_theme_replaces_the_shipped_one_in_a_questionnaire(tmp_path, mini):
    from surveyor.instrument.questionnaire import questionnaire_context, render_questionnaire

    (tmp_path / "theme.css").write_text(":root { --accent: #123456; }", encoding="utf-8")
    html = render_questionnaire(questionnaire_context(mini), make_environment([tmp_path]))
    assert "#123456" in html
    assert "#1d3557" not in html


def test_missing_template_folder_is_an_error(tmp_path):
    with pytest.raises(SurveyorError, match="template folder not found"):
        make_environment([tmp_path / "nope"])


def test_strict_undefined():
    env = make_environment()
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ not_in_context }}").render()
    with pytest.raises(jinja2.UndefinedError):
        env.get_template("base.html").render(lang="en", title="t")


def test_autoescape_in_html_and_strings(tmp_path):
    (tmp_path / "page.html").write_text("<p>{{ name }}</p>", encoding="utf-8")
    (tmp_path / "note.txt").write_text("{{ name }}", encoding="utf-8")
    env = make_environment([tmp_path])
    hostile = '<img src="file:///etc/passwd">'
    assert env.get_template("page.html").render(name=hostile) == (
        "<p>&lt;img src=&#34;file:///etc/passwd&#34;&gt;</p>"
    )
    assert "&lt;img" in env.from_string("{{ name }}").render(name=hostile)
    assert env.get_template("note.txt").render(name="a<b") == "a<b"


def test_stylesheet_refuses_to_close_the_style_element(tmp_path):
    (tmp_path / "custom.css").write_text("</STYLE><script>x()</script>", encoding="utf-8")
    env = make_environment([tmp_path])
    with pytest.raises(SurveyorError, match="</style"):
        stylesheet(env, "custom.css")
    with pytest.raises(SurveyorError, match="not found"):
        stylesheet(env, "nope.css")


def test_font_faces_and_inline_fonts():
    css = str(font_faces())
    files = resources.font_files()
    for path in files.values():
        assert path.as_uri() in css
    html = f"<style>{css}</style>"
    inlined = inline_fonts(html)
    assert "file:" not in inlined
    assert inlined.count("data:font/ttf;base64,") == len(files)


def test_template_roots_cover_templates_and_fonts(tmp_path):
    roots = template_roots([tmp_path])
    assert roots[0] == tmp_path
    assert resources.templates_dir() in roots
    assert all(any(p.is_relative_to(r) for r in roots) for p in resources.font_files().values())


def test_filters():
    assert fmt(1.23456) == "1.23"
    assert fmt(1.25, 1) in ("1.2", "1.3")
    assert fmt(None) == MISSING
    assert fmt(float("nan")) == MISSING
    assert fmt(float("nan"), missing="n/a") == "n/a"
    assert fmt(-0.001) == "0.00"
    assert fmt(-1.5, 1) == "-1.5"
    assert fmt(float("inf")) == MISSING
    assert pct(0.456) == "46%"
    assert pct(0.4567, 1) == "45.7%"
    assert pct(None) == MISSING
    assert signed(0.25) == "+0.25"
    assert signed(-0.1) == "-0.10"
    assert signed(0.0) == "0.00"
    assert signed(-0.0001) == "0.00"
    assert count(1234) == "1,234"
    assert count(None) == MISSING


def test_filters_accept_numpy_and_pandas_missing():
    import numpy as np
    import pandas as pd

    assert fmt(np.float64(2.5), 1) == "2.5"
    assert fmt(np.nan) == MISSING
    assert fmt(pd.NA) == MISSING
    assert pct(pd.NA) == MISSING


def test_filters_are_registered():
    env = make_environment()
    out = env.from_string("{{ 0.5|pct }} {{ x|fmt(1) }} {{ 3.14159|fmt }}").render(x=None)
    assert out == f"50% {MISSING} 3.14"


@given(st.floats(allow_nan=True, allow_infinity=True), st.integers(0, 4))
def test_fmt_never_prints_negative_zero(value, digits):
    text = fmt(value, digits)
    assert text == MISSING or not (text.startswith("-") and float(text) == 0)
    if text != MISSING and math.isfinite(value):
        assert abs(float(text) - value) <= 0.5 * 10**-digits + 1e-9 * abs(value)


# ----------------------------------------------------- brand templates are sandboxed

ESCAPES = [
    "{{ cycler.__init__.__globals__.os.popen('echo PWNED').read() }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ lipsum.__globals__['os'].system('echo PWNED') }}",
    "{{ self._TemplateReference__context }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ stylesheet.func.__globals__ }}",
]


@pytest.mark.parametrize("source", ESCAPES)
def test_a_brand_template_cannot_reach_python_internals(tmp_path, source):
    from jinja2.exceptions import SecurityError

    (tmp_path / "evil.html").write_text(source, encoding="utf-8")
    env = make_environment([tmp_path])
    with pytest.raises((SecurityError, jinja2.UndefinedError)) as caught:
        env.get_template("evil.html").render()
    assert "PWNED" not in str(caught.value)


def test_a_brand_template_error_names_file_and_line(tmp_path):
    from surveyor.typeset.environment import brand_template_error, check_templates

    (tmp_path / "report_set.html").write_text("<p>ok</p>\n<p>{% if %}</p>\n", encoding="utf-8")
    with pytest.raises(SurveyorError) as caught:
        check_templates([tmp_path])
    assert f"{tmp_path / 'report_set.html'}, line 2" in str(caught.value)
    assert "syntax error in a brand template" in str(caught.value)
    # An error while rendering names the brand template's line too ...
    (tmp_path / "report_set.html").write_text("<p>\n{{ nothing_here }}</p>\n")
    env = make_environment([tmp_path])
    try:
        env.get_template("report_set.html").render()
    except jinja2.TemplateError as exc:
        problem = brand_template_error(exc, env)
    assert problem is not None and "report_set.html, line 2" in str(problem)
    # ... but a problem in a shipped template is not the user's.
    try:
        make_environment().from_string("{% if %}")
    except jinja2.TemplateError as exc:
        assert brand_template_error(exc, make_environment()) is None


def test_check_templates_passes_the_example_brand():
    from pathlib import Path

    from surveyor.typeset.environment import check_templates

    check_templates([Path(__file__).resolve().parent.parent / "examples" / "brand"])
