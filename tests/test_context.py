"""The report context contract, the anonymity guarantees of reports, and clean rendering."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import numpy as np
import pytest
from markupsafe import Markup

from surveyor.instrument.model import load_instrument
from surveyor.numbers.anonymity import PROGRAMME, Decision, GroupKey
from surveyor.pipeline import score
from surveyor.reports.brand import Brand, load_brand
from surveyor.reports.context import (
    Figure,
    ReportContext,
    ReportData,
    ReportSpec,
    Table,
    build_context,
    report_plan,
)
from surveyor.reports.html import render_report
from surveyor.typeset.environment import make_environment, template_roots

FLAGSHIP = load_instrument("learning-inaction")
EXAMPLE_BRAND = Path(__file__).resolve().parent.parent / "examples" / "brand"
DATE = "12 March 2025"
HOSTILE = '<img src="file:///etc/passwd">'


def make_csv(path: Path, groups, seed: int = 1, blank: tuple[str, ...] = ()) -> Path:
    """Responses to the flagship instrument: ``groups`` is ``[(org, set, n), ...]``."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    rows = []
    for org, name, n in groups:
        shift = rng.normal(0, 0.6)
        for _ in range(n):
            row = {"respondent_id": f"R{len(rows) + 1:05d}", "organization": org, "set": name}
            for item in FLAGSHIP.items:
                value = int(np.clip(np.rint(3 + shift + rng.normal(0, 1)), 1, 5))
                row[item.id] = "" if item.subscale in blank else value
            rows.append(row)
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def contexts(result, brand=None):
    data = ReportData.from_result(result)
    brand = brand or Brand()
    return {spec: build_context(data, spec, brand, DATE) for spec in report_plan(data)}


def render(context, dirs=()):
    return render_report(context, make_environment(dirs))


def strings_in(value) -> list[str]:
    """Every string reachable from a context (dataclasses, tuples, mappings)."""
    if isinstance(value, str):
        return [str(value)]
    if dataclasses.is_dataclass(value):
        return [s for f in dataclasses.fields(value) for s in strings_in(getattr(value, f.name))]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings_in(v)]
    if isinstance(value, (tuple, list)):
        return [s for v in value for s in strings_in(v)]
    return []


def pdf_clean(html: str, dirs=()) -> bytes:
    from surveyor.typeset.pdf import html_to_pdf, weasyprint_messages

    with weasyprint_messages() as messages:
        pdf = html_to_pdf(html, base_url=Path.cwd(), allowed_roots=template_roots(dirs))
    assert not messages, [m.getMessage() for m in messages]
    return pdf


@pytest.fixture(scope="module")
def programme(tmp_path_factory):
    """Two organisations; in North, set 'Tiny' has 3 people (suppressed) and 'Zeta' is the
    next smallest (complementary suppression)."""
    path = tmp_path_factory.mktemp("p") / "programme.csv"
    make_csv(path, [
        ("North", "Zeta", 6), ("North", "Alpha", 8), ("North", "Tiny", 3),
        ("North", "Middle", 7), ("South", "Beta", 9), ("South", "Gamma", 7),
    ])
    return score(path)


@pytest.fixture(scope="module")
def programme_contexts(programme):
    return contexts(programme)


def by_kind(ctxs, kind, label=None):
    return [c for s, c in ctxs.items() if s.kind == kind and (label is None or
                                                              s.key.label == label)]


# ------------------------------------------------------------------- plan and contract


def test_plan_skips_suppressed_groups(programme):
    plan = report_plan(programme)
    labels = [(s.kind, s.key.label, s.n) for s in plan]
    assert labels[0] == ("programme", "programme", 40)
    assert ("organization", "North", 24) in labels
    sets = [s.key.set for s in plan if s.kind == "set"]
    assert sets == ["Alpha", "Middle", "Beta", "Gamma"]  # Tiny and Zeta get no report
    with pytest.raises(ValueError):
        build_context(programme, ReportSpec("set", GroupKey("set", "North", "Tiny"), 3),
                      Brand(), DATE)


def test_contract_fields_are_finished(programme_contexts):
    for spec, ctx in programme_contexts.items():
        assert isinstance(ctx, ReportContext)
        assert ctx.template == spec.template
        assert ctx.cover.title == FLAGSHIP.title
        assert ctx.footer.instrument == "learning-inaction v1.0"
        assert len(ctx.subscales) == len(FLAGSHIP.subscales)
        assert isinstance(ctx.profile, Figure) and isinstance(ctx.profile.svg, Markup)
        assert ctx.picture is not None and ctx.profile.svg.startswith("<div class=\"chart-frame\"")
        assert isinstance(ctx.summary, Table) and len(ctx.summary.rows) == 5
        assert 3 <= len(ctx.questions) <= 5
        assert {f.label for f in ctx.stamp} >= {"Instrument", "Data file",
                                                "surveyor version", "Minimum group size"}
        # Finished values only: no floats, numpy scalars or frames for templates to format.
        for field in dataclasses.fields(ctx):
            value = getattr(ctx, field.name)
            assert not isinstance(value, float | np.generic), field.name
        cover = {f.label: f.value for f in ctx.cover.facts}
        assert cover["Responses"] == str(spec.n)
        assert cover["Date of the data"] == DATE


def test_set_report_contents(programme_contexts):
    (ctx,) = by_kind(programme_contexts, "set", "North / Alpha")
    assert [f.value for f in ctx.cover.group_lines] == ["North", "Alpha"]
    for section in ctx.subscales:
        assert section.shown and section.headline.startswith("Mean ")
        assert section.band_text and section.agreement is not None
        assert section.agreement.label in ("Shared view", "Mixed", "Divergent", "Not assessed")
        assert "rwg(j)" in section.agreement.sentence or section.agreement.label == "Not assessed"
        assert section.distribution is not None
        assert "organisation" in section.references and "programme" in section.references
    assert ctx.comparison == () and ctx.heatmaps == ()
    assert "whole programme only" in ctx.methods.missing.notes[0]


def test_sets_in_alphabetical_order_and_suppressed_only_by_name(programme_contexts):
    (ctx,) = by_kind(programme_contexts, "organization", "North")
    names = [row[0] for row in ctx.comparison_table.rows]
    assert names == ["Alpha", "Middle", "Tiny", "Zeta"]
    rows = dict((row[0], row[1]) for row in ctx.comparison_table.rows)
    assert rows["Tiny"] == "fewer than 5 responses"
    assert rows["Zeta"] == "withheld to protect a smaller group"
    svg = str(ctx.heatmaps[0].svg)
    assert svg.index("Alpha") < svg.index("Middle") < svg.index("Tiny") < svg.index("Zeta")
    assert len(ctx.comparison) == len(FLAGSHIP.subscales)


def test_no_statistic_of_a_suppressed_group_anywhere(programme, programme_contexts):
    """A suppressed set appears only as its name followed by its note, in every report."""
    notes = {"fewer than 5 responses", "withheld to protect a smaller group", "not shown"}
    hidden = ("Tiny", "Zeta")
    for spec, ctx in programme_contexts.items():
        html = render(ctx)
        nodes = [t.strip() for t in re.findall(r">([^<]+)<", html) if t.strip()]
        for name in hidden:
            places = [k for k, node in enumerate(nodes) if name in node]
            assert all(nodes[k] == name for k in places), [nodes[k] for k in places]
            assert all(nodes[k + 1] in notes for k in places), [nodes[k + 1] for k in places]
            assert html.count(name) == len(places)
        if spec.kind == "set":
            assert not any(name in html for name in hidden)
    # The hidden groups are not even indexed: their statistics cannot be looked up.
    data = ReportData.from_result(programme)
    for name in hidden:
        key = GroupKey("set", "North", name)
        assert key not in data.counts
        assert all(k != key for k, _ in data.stats)
        with pytest.raises(ValueError):
            data.rows_of(key)


def test_reference_marks_only_where_reportable(programme):
    data = ReportData.from_result(programme)
    spec = next(s for s in report_plan(data) if s.key.label == "North / Alpha")
    sub = FLAGSHIP.subscales[0].id
    hidden = dataclasses.replace(programme.suppression, cells=dict(programme.suppression.cells))
    hidden.cells[(GroupKey("organization", "North"), sub)] = Decision(True, "below_minimum")
    hidden.cells[(PROGRAMME, sub)] = Decision(True, "below_minimum")
    result = dataclasses.replace(programme, suppression=hidden)
    ctx = build_context(result, spec, Brand(), DATE)
    assert ctx.subscales[0].references == ""
    assert "organisation" in ctx.subscales[1].references
    assert ctx.subscales[0].shown


def test_icc_sentence_with_fewer_than_ten_sets(programme_contexts):
    (ctx,) = by_kind(programme_contexts, "organization", "North")
    assert ctx.aggregation_table is None
    # The ICCs rest on the shown sets only: 4 of the programme's 6 (two are withheld).
    assert "not reported" in ctx.aggregation[0] and "4 sets with results" in ctx.aggregation[0]


def test_programme_overview_has_contents_and_every_organisation(programme_contexts):
    (ctx,) = by_kind(programme_contexts, "programme")
    assert [p.name for p in ctx.panels] == ["North", "South"]
    html = render(ctx)
    positions = [html.index(f'id="{e.anchor}"') for e in ctx.contents]
    assert positions == sorted(positions)  # the contents follow the document's order
    assert html.count('id="') == len(set(re.findall(r'id="([^"]+)"', html)))


def test_example_brand_is_applied(programme):
    brand = load_brand([EXAMPLE_BRAND])
    data = ReportData.from_result(programme)
    spec = next(s for s in report_plan(data) if s.kind == "set")
    html = render(build_context(data, spec, brand, DATE), [EXAMPLE_BRAND])
    assert "Thornbury Learning Partners" in html
    assert "--accent: #2f5d50;" in html
    assert 'stroke="#2f5d50"' in html or 'fill="#2f5d50"' in html  # charts follow the brand
    assert "Questions for your next meeting" in html  # [strings]
    assert "Bring this report to your next set meeting" in html  # template override
    assert ".question {\n  font-style: italic;" in html  # custom.css
    pdf_clean(html, [EXAMPLE_BRAND])


# ----------------------------------------------------------- edge cases render cleanly


def test_hostile_names_are_escaped(tmp_path):
    path = make_csv(tmp_path / "hostile.csv", [
        (HOSTILE, "../../x", 6), (HOSTILE, "<script>alert(1)</script>", 6), ("Plain", "S", 6),
    ])
    for spec, ctx in contexts(score(path)).items():
        html = render(ctx)
        assert HOSTILE not in html
        assert "<script>alert" not in html
        if spec.key.organization == HOSTILE:
            assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html
        if spec.kind == "set":
            pdf_clean(html)


def test_set_of_three_in_consented_mode(tmp_path):
    path = make_csv(tmp_path / "three.csv", [("Org", "A", 3), ("Org", "B", 3), ("Org", "C", 3)])
    result = score(path, min_group_size=3, consented=True)
    ctxs = contexts(result)
    (ctx,) = by_kind(ctxs, "set", "Org / A")
    assert "consented" in " ".join(ctx.methods.suppression)
    assert "from 3 people" in ctx.subscales[0].headline
    pdf_clean(render(ctx))


def test_subscale_nobody_answered(tmp_path):
    path = make_csv(tmp_path / "blank.csv", [("Org", "A", 6), ("Org", "B", 6)],
                    blank=("collusion",))
    ctxs = contexts(score(path))
    for ctx in ctxs.values():
        section = next(s for s in ctx.subscales if s.name == "Collusion and avoidance")
        assert not section.shown and section.not_shown
        html = render(ctx)
        assert "Collusion and avoidance" in html
    (ctx,) = by_kind(ctxs, "set", "Org / A")
    pdf_clean(render(ctx))
    (ctx,) = by_kind(ctxs, "programme")
    pdf_clean(render(ctx))


def test_long_names_and_one_or_forty_sets(tmp_path):
    long_org = "The Very Long Named Integrated Care Partnership of " + "Northshire " * 8
    long_set = "Senior leadership development cohort " * 5
    groups = [(long_org.strip(), long_set.strip(), 5)]
    groups += [("Forty", f"Set {k:02d} " + "x" * (k % 7), 5) for k in range(40)]
    result = score(make_csv(tmp_path / "wide.csv", groups))
    ctxs = contexts(result)
    (forty,) = by_kind(ctxs, "organization", "Forty")
    assert len(forty.comparison_table.rows) == 40
    assert len(forty.heatmaps) == 2  # split so each part fits a page
    names = [row[0] for row in forty.comparison_table.rows]
    assert names == sorted(names)
    pdf_clean(render(forty))
    (single,) = by_kind(ctxs, "organization", long_org.strip())
    assert len(single.comparison_table.rows) == 1
    pdf_clean(render(single))
    (one_set,) = by_kind(ctxs, "set")[:1]
    assert len(one_set.footer.group) <= 70
    pdf_clean(render(one_set))


def test_every_string_reachable_is_text(programme_contexts):
    for ctx in programme_contexts.values():
        assert all(isinstance(s, str) for s in strings_in(ctx))


def test_stamp_digest_is_of_the_groups_answers_not_the_file(programme, tmp_path):
    """The stamp's SHA-256 follows the answers a report describes: the same answers laid
    out differently (columns reordered, semicolons) give the same digests, another set's
    correction leaves this set's digest alone, and a suppressed group has none."""
    import pandas as pd

    source = programme.responses.source
    frame = pd.read_csv(source, dtype=str, keep_default_na=False)
    relaid = tmp_path / "relaid.csv"
    frame[list(frame.columns[::-1])].to_csv(relaid, index=False, sep=";")
    edited = frame.copy()
    row = edited.index[edited["set"] == "Beta"][0]
    item = FLAGSHIP.items[0].id
    edited.loc[row, item] = "1" if edited.loc[row, item] != "1" else "5"
    corrected = tmp_path / "corrected.csv"
    edited.to_csv(corrected, index=False)

    data = ReportData.from_result(programme)
    same = ReportData.from_result(score(relaid))
    other = ReportData.from_result(score(corrected))
    alpha, beta = GroupKey("set", "North", "Alpha"), GroupKey("set", "South", "Beta")
    north, south = GroupKey("organization", "North"), GroupKey("organization", "South")
    for key in (alpha, beta, north, south, PROGRAMME):
        assert re.fullmatch(r"[0-9a-f]{64}", data.data_digest(key))
        assert same.data_digest(key) == data.data_digest(key)
    assert len({data.data_digest(k) for k in (alpha, beta, north, south, PROGRAMME)}) == 5
    assert other.data_digest(alpha) == data.data_digest(alpha)
    assert other.data_digest(north) == data.data_digest(north)
    for key in (beta, south, PROGRAMME):
        assert other.data_digest(key) != data.data_digest(key)
    with pytest.raises(ValueError, match="suppressed"):
        data.data_digest(GroupKey("set", "North", "Tiny"))

    stamps = {spec.key: {f.label: f.value for f in build_context(data, spec, Brand(), DATE).stamp}
              for spec in report_plan(data)}
    assert stamps[alpha]["SHA-256 of this set's answers"] == data.data_digest(alpha)
    assert stamps[north]["SHA-256 of this organisation's answers"] == data.data_digest(north)
    assert programme.responses.sha256 not in stamps[alpha].values()
    assert programme.responses.sha256 not in stamps[north].values()
    # The overview changes with any correction anyway, so it names the file's hash too.
    assert stamps[PROGRAMME]["Data file SHA-256"] == programme.responses.sha256
    assert stamps[PROGRAMME]["SHA-256 of the programme's answers"] == data.data_digest(PROGRAMME)


# ------------------------------------------------- band texts for a set or for many sets


def _band(sub, section):
    """The subscale's band that a shown section names."""
    return next(b for b in sub.bands if b.label == section.band_label)


def test_pooled_reports_read_organization_text_and_set_reports_the_set_text(programme_contexts):
    """An organisation's or the programme's mean pools many sets, so its subscale sections
    use the band's organisation wording; a set report keeps the wording written for a set."""
    pooled = by_kind(programme_contexts, "organization", "North")
    pooled += by_kind(programme_contexts, "programme")
    (one_set,) = by_kind(programme_contexts, "set", "North / Alpha")
    for ctx in pooled:
        for sub, section in zip(FLAGSHIP.subscales, ctx.subscales, strict=True):
            band = _band(sub, section)
            assert band.organization_text and section.band_text == band.organization_text
        html = render(ctx)
        assert all(str(Markup.escape(s.band_text)) in html for s in ctx.subscales)
    for sub, section in zip(FLAGSHIP.subscales, one_set.subscales, strict=True):
        assert section.band_text == _band(sub, section).text


def test_pooled_reports_fall_back_to_the_set_text_without_organization_text(programme):
    plain = dataclasses.replace(FLAGSHIP, subscales=tuple(
        dataclasses.replace(sub, bands=tuple(
            dataclasses.replace(band, organization_text="") for band in sub.bands))
        for sub in FLAGSHIP.subscales))
    ctxs = contexts(dataclasses.replace(programme, instrument=plain))
    (ctx,) = by_kind(ctxs, "organization", "North")
    for sub, section in zip(plain.subscales, ctx.subscales, strict=True):
        assert section.band_text == _band(sub, section).text
