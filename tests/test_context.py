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
    build_context,
    build_technical_note,
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
        # The display title everywhere a client reads; the id (a slug) nowhere.
        assert ctx.cover.title == FLAGSHIP.short_title == "Learning in action and inaction"
        assert ctx.footer.instrument == FLAGSHIP.short_title
        assert FLAGSHIP.id not in render(ctx).replace(f"{FLAGSHIP.id}.", "")
        assert len(ctx.subscales) == len(FLAGSHIP.subscales)
        assert isinstance(ctx.profile, Figure) and isinstance(ctx.profile.svg, Markup)
        assert ctx.picture is not None and ctx.profile.svg.startswith("<div class=\"chart-frame\"")
        assert 3 <= len(ctx.glance) <= 5
        # Every subscale is named in "At a glance", on the first page.
        assert all(sub.name.lower() in ctx.glance[0] for sub in FLAGSHIP.subscales)
        assert 3 <= len(ctx.questions) <= 5
        assert ctx.stamp_line.startswith(f"{FLAGSHIP.short_title}, version 1.0; surveyor ")
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
    for sub, section in zip(FLAGSHIP.subscales, ctx.subscales, strict=True):
        assert section.shown and section.headline.startswith("Average ")
        assert section.band_text and section.agreement is not None
        assert section.agreement.label in ("Shared view", "Mixed views", "Views differ",
                                           "Not judged")
        # Plain words naming the subscale; the statistics are in the technical note.
        assert sub.name.lower() in section.agreement.sentence
        assert "rwg" not in section.agreement.sentence
        assert section.distribution is not None
        assert "organisation" in section.references and "programme" in section.references
    assert ctx.side_by_side is None and ctx.heatmaps == () and ctx.actions


def test_sets_in_alphabetical_order_and_suppressed_only_by_name(programme_contexts):
    (ctx,) = by_kind(programme_contexts, "organization", "North")
    names = [row[0] for row in ctx.comparison_table.rows]
    assert names == ["Alpha", "Middle", "Tiny", "Zeta"]
    rows = dict((row[0], row[1]) for row in ctx.comparison_table.rows)
    assert rows["Tiny"] == "fewer than 5 responses"
    assert rows["Zeta"] == "withheld to protect a smaller group"
    for svg in (str(ctx.heatmaps[0].svg), str(ctx.side_by_side.svg)):
        assert svg.index("Alpha") < svg.index("Middle") < svg.index("Tiny") < svg.index("Zeta")
    # One chart of every subscale, not one per subscale.
    assert all(sub.name in str(ctx.side_by_side.svg) for sub in FLAGSHIP.subscales)


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


def test_aggregation_caveat_is_one_plain_sentence(programme_contexts):
    (ctx,) = by_kind(programme_contexts, "organization", "North")
    # Only the 4 shown sets count: the ICCs rest on them alone (disclosure, rule 1).
    assert ctx.caveat == ("With only 4 sets with results in the programme, how much sets "
                          "truly differ cannot be estimated: read differences between sets "
                          "with care.")
    assert "ICC" not in render(ctx)


def test_programme_overview_has_contents_and_every_organisation(programme_contexts):
    (ctx,) = by_kind(programme_contexts, "programme")
    assert [f.title for f in ctx.set_heatmaps] == ["North", "South"]
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
    assert "agreed to see results from groups this small" in " ".join(ctx.about)
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

    # A client report prints a short fingerprint of its own group's answers (the cache
    # stays per group); the technical note has the full file SHA-256.
    stamps = {spec.key: build_context(data, spec, Brand(), DATE).stamp_line
              for spec in report_plan(data)}
    assert stamps[alpha].endswith(f"this set's answers {data.data_digest(alpha)[:12]}.")
    assert stamps[north].endswith(f"organisation's answers {data.data_digest(north)[:12]}.")
    for line in stamps.values():
        assert programme.responses.sha256[:12] not in line
        assert not re.search(r"[0-9a-f]{13,}", line)
    note = build_technical_note(data, Brand())
    facts = {f.label: f.value for f in note.stamp}
    assert facts["Data file SHA-256"] == programme.responses.sha256
    assert facts["SHA-256 of the programme's answers"] == data.data_digest(PROGRAMME)


# ------------------------------------------------- band texts for a set or for many sets


def _band(sub, section):
    """The subscale's band that a shown section names, or ``None`` where the section says
    "somewhere between" two bands (its interval spans both)."""
    return next((b for b in sub.bands if b.label == section.band_label), None)


def test_pooled_reports_read_organization_text_and_set_reports_the_set_text(programme_contexts):
    """An organisation's or the programme's mean pools many sets, so its subscale sections
    use the band's organisation wording; a set report keeps the wording written for a set."""
    pooled = by_kind(programme_contexts, "organization", "North")
    pooled += by_kind(programme_contexts, "programme")
    (one_set,) = by_kind(programme_contexts, "set", "North / Alpha")
    for ctx in pooled:
        for sub, section in zip(FLAGSHIP.subscales, ctx.subscales, strict=True):
            band = _band(sub, section)
            if band is None:
                assert section.band_label.startswith("Somewhere between")
                continue
            assert band.organization_text and section.band_text == band.organization_text
        html = render(ctx)
        assert all(str(Markup.escape(s.band_text)) in html for s in ctx.subscales)
    for sub, section in zip(FLAGSHIP.subscales, one_set.subscales, strict=True):
        band = _band(sub, section)
        if band is not None and section.agreement.key != "divergent":
            assert section.band_text == band.text


def test_pooled_reports_fall_back_to_the_set_text_without_organization_text(programme):
    plain = dataclasses.replace(FLAGSHIP, subscales=tuple(
        dataclasses.replace(sub, bands=tuple(
            dataclasses.replace(band, organization_text="") for band in sub.bands))
        for sub in FLAGSHIP.subscales))
    ctxs = contexts(dataclasses.replace(programme, instrument=plain))
    (ctx,) = by_kind(ctxs, "organization", "North")
    for sub, section in zip(plain.subscales, ctx.subscales, strict=True):
        if (band := _band(sub, section)) is not None:
            assert section.band_text == band.text


# ------------------------------------------------------------ honesty in client reports


def _edited(tmp_path, name, edit):
    """A two-organisation programme whose answers ``edit(frame)`` changes."""
    import pandas as pd

    path = make_csv(tmp_path / name, [("Org", "A", 6), ("Org", "B", 6), ("Org", "C", 7),
                                      ("Other", "D", 8), ("Other", "E", 7)])
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    edit(frame)
    frame.to_csv(path, index=False)
    return score(path)


def test_agreement_needs_enough_complete_answers(tmp_path):
    """Only 3 of a set's 6 answered every collusion statement: no agreement verdict for
    collusion anywhere (section, glance, questions, technical note)."""
    collusion = [i.id for i in FLAGSHIP.items_of("collusion")]

    def leave_out(frame):
        rows = frame.index[frame["set"] == "A"]
        for k, row in enumerate(rows[:3]):  # each still scored: 5 of 6 statements
            frame.loc[row, collusion[k]] = ""

    result = _edited(tmp_path, "partial.csv", leave_out)
    data = ReportData.from_result(result)
    key = GroupKey("set", "Org", "A")
    assert data.n_agreement(key, "collusion") == 3
    # Whether groups.csv already blanks it (disclosure) or not, the reports withhold it.
    spec = next(s for s in report_plan(data) if s.key == key)
    ctx = build_context(data, spec, Brand(), DATE)
    section = next(s for s in ctx.subscales if s.anchor == "subscale-collusion")
    assert section.agreement.label == "Not judged" and section.agreement.key == ""
    assert "Not enough complete answers to judge" in section.agreement.sentence
    assert not any(q.reason.startswith("Prompted by: differing views on collusion")
                   for q in ctx.questions)
    assert "how alike views are on collusion and avoidance" in " ".join(ctx.glance)
    judged = {f.label: f.value for f in build_technical_note(data, Brand()).agreement}
    assert "Collusion and avoidance" not in judged["Org / A"]
    assert "Learning-in-action: rwg(j)" in judged["Org / A"]  # the others are judged
    # The groups.csv column, when present, is what the reports read.
    groups = result.groups.copy()
    groups["n_agreement"] = 9
    other = ReportData.from_result(dataclasses.replace(result, groups=groups))
    assert other.n_agreement(key, "collusion") == 9


def test_no_interval_past_the_scale_and_stands_apart_only_outside_the_interval(tmp_path):
    """Legitimacy limits 4.67 with a t interval reaching 5.52: printed cut at 5, marked;
    collusion far above the organisation's: "higher"; everything else "similar"."""
    legitimacy = [i.id for i in FLAGSHIP.items_of("legitimacy_limits")]
    collusion = [i.id for i in FLAGSHIP.items_of("collusion")]
    reverse = {i.id for i in FLAGSHIP.items if i.reverse}

    def edit(frame):
        rows = frame.index[frame["set"] == "A"]
        for k, row in enumerate(rows):
            for item in legitimacy:
                high = "5" if k else "3"
                frame.loc[row, item] = ("1" if high == "5" else "3") if item in reverse else high
            for item in collusion:
                frame.loc[row, item] = "1" if item in reverse else "5"

    result = _edited(tmp_path, "high.csv", edit)
    data = ReportData.from_result(result)
    key = GroupKey("set", "Org", "A")
    assert data.cell(key, "legitimacy_limits")["ci_high"] > 5
    ctx = build_context(data, next(s for s in report_plan(data) if s.key == key), Brand(), DATE)
    section = next(s for s in ctx.subscales if s.anchor == "subscale-legitimacy_limits")
    assert "to 5.0 (cut at the top of the scale)" in section.headline
    html = render(ctx)
    printed = [float(x) for node in re.findall(r">([^<]+)<", html)
               for x in re.findall(r"\b\d\.\d\b", node)]
    assert printed and max(printed) <= 5
    assert "higher than the organisation on collusion and avoidance" in ctx.glance[0]
    for sub in FLAGSHIP.subscales:
        row, org = data.cell(key, sub.id), data.cell(GroupKey("organization", "Org"), sub.id)
        outside = org["mean"] < row["ci_low"] or org["mean"] > min(row["ci_high"], 5)
        assert (sub.name.lower() in ctx.glance[0].split(";")[0]) == outside or (
            not outside and "similar" in ctx.glance[0])


def test_no_statistics_jargon_in_client_reports(programme_contexts):
    """rwg, ICC, Feldt, Cronbach and SHA-256 are for the technical note only."""
    for spec, ctx in programme_contexts.items():
        text = " ".join(re.findall(r">([^<]+)<", render(ctx)))
        for word in ("rwg", "ICC", "Feldt", "Cronbach", "SHA-256", "intraclass"):
            assert word not in text, (spec.key.label, word)


def test_roster_sizes_on_the_cover(programme):
    data = ReportData.from_result(programme)
    data.roster = {("North", "Alpha"): 10, ("North", "Middle"): 9, ("North", "Tiny"): 4,
                   ("North", "Zeta"): 8}
    specs = {s.key.label: s for s in report_plan(data)}
    cover = {f.label: f.value for f in build_context(data, specs["North / Alpha"], Brand(),
                                                     DATE).cover.facts}
    assert cover["Responses"] == "8 of 10 members"
    org = build_context(data, specs["North"], Brand(), "")
    facts = {f.label: f.value for f in org.cover.facts}
    assert facts["Responses"] == "24 of 31 members"
    assert "Date of the data" not in facts  # no date given: none printed
    south = build_context(data, specs["South"], Brand(), DATE)  # not in the roster
    assert {f.label: f.value for f in south.cover.facts}["Responses"] == "16"


def test_question_reasons_and_glance_never_claim_more_than_the_interval(programme_contexts):
    """A question prompted by a high or low average says when the interval reaches the next
    band (the heading then reads "somewhere between"), and the glance's leaning words
    follow the same rule: "leans" where the interval reaches another band."""
    checked = 0
    for spec, ctx in programme_contexts.items():
        if spec.kind != "set":
            continue
        sections = {s.anchor.removeprefix("subscale-"): s for s in ctx.subscales}
        for question in ctx.questions:
            if "band" not in question.reason:
                continue
            section = sections[question.subscale]
            spans = section.band_label.startswith("Somewhere between")
            assert ("its interval reaching" in question.reason) == spans, question.reason
            checked += 1
        for line in ctx.glance:
            for sub in FLAGSHIP.subscales:
                section = sections[sub.id]
                name = sub.name.lower()
                for verb in ("leans", "reads as"):
                    if f"{name} {verb} " in line.lower():
                        spans = section.band_label.startswith("Somewhere between")
                        assert (verb == "leans") == spans, (line, section.band_label)
    assert checked
