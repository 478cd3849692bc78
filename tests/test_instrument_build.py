"""``surveyor instrument build``: PDF, HTML, template and codebook, and bad input."""

from __future__ import annotations

import csv
import io
import re
import time
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from surveyor.cli import cli
from surveyor.instrument.build import PageMarks, build_instrument, codebook_csv, output_stem
from surveyor.instrument.model import load_instrument, shipped_instruments
from surveyor.instrument.questionnaire import (
    QuestionnaireOptions,
    questionnaire_context,
    render_questionnaire,
    respondent_code_valid,
)
from surveyor.typeset.environment import make_environment, template_roots
from surveyor.typeset.pdf import font_configuration, restricted_fetcher, weasyprint_messages

MINI = Path(__file__).parent / "fixtures" / "mini.yaml"
A4 = (595.28, 841.89)
LETTER = (612.0, 792.0)

FILLER = (
    "when the set has agreed on a course of action and the people who sponsor the "
    "programme have not yet said whether they would support it in practice"
)


def long_instrument(folder: Path, n_items: int = 30) -> Path:
    """An instrument with ``n_items`` long statements, to force several page breaks."""
    lines = [
        "id: long-test",
        'version: "2.3"',
        "title: A long test instrument",
        "scale:",
        "  values: [1, 2, 3, 4, 5]",
        '  labels: ["Strongly disagree", "Disagree", "Neither agree nor disagree", '
        '"Agree", "Strongly agree"]',
        "  missing: [\"Don't know / not applicable\"]",
        "subscales:",
    ]
    for s in range(3):
        lines += [f"  - {{id: sub{s}, name: Subscale {s}, description: Test subscale {s}.}}"]
    lines.append("items:")
    for i in range(1, n_items + 1):
        text = f"Statement number {i} says something about what happens {FILLER}, case {i}."
        lines.append(f'  - {{id: q{i}, subscale: sub{i % 3}, text: "{text}"}}')
    path = folder / "long-test.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


def page_texts(pdf: Path) -> list[str]:
    return [norm(page.extract_text()) for page in PdfReader(pdf).pages]


def assert_items_once_in_order_on_one_page(instrument, pdf: Path) -> None:
    pages = page_texts(pdf)
    whole = " ".join(pages)
    positions = []
    for item in instrument.items:
        text = norm(item.text)
        assert whole.count(text) == 1, f"{item.id} found {whole.count(text)} times"
        assert sum(text in page for page in pages) == 1, f"{item.id} split across pages"
        positions.append(whole.index(text))
    assert positions == sorted(positions)


def build(source, out: Path, **options):
    with weasyprint_messages() as messages:
        built = build_instrument(source, out, QuestionnaireOptions(**options))
    assert not messages, [m.getMessage() for m in messages]
    return {b.kind: b.path for b in built}


@pytest.fixture(scope="module")
def long_built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("long")
    source = long_instrument(folder)
    start = time.perf_counter()
    files = build(source, folder / "out")
    elapsed = time.perf_counter() - start
    return load_instrument(source), files, elapsed


# ------------------------------------------------------------------------- the files


def test_writes_five_files_and_nothing_else(tmp_path):
    files = build(MINI, tmp_path / "out")
    assert set(files) == {"pdf", "html", "template", "codebook", "layout"}
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        ["mini.pdf", "mini.html", "mini-template.csv", "mini-codebook.csv", "mini-layout.json"]
    )


def test_template_header_is_exact(tmp_path):
    files = build(MINI, tmp_path)
    assert files["template"].read_text(encoding="utf-8") == (
        "respondent_id,organization,set,a1,a2,a3,b1,b2,b3\n"
    )


def test_codebook_content(tmp_path):
    files = build(MINI, tmp_path)
    rows = list(csv.DictReader(io.StringIO(files["codebook"].read_text(encoding="utf-8"))))
    assert list(rows[0]) == [
        "item_id", "position", "text", "subscale_id", "subscale_name", "reverse",
        "values", "labels", "missing",
    ]
    assert [r["item_id"] for r in rows] == ["a1", "a2", "a3", "b1", "b2", "b3"]
    assert [r["position"] for r in rows] == ["1", "2", "3", "4", "5", "6"]
    assert rows[2] == {
        "item_id": "a3",
        "position": "3",
        "text": "Alpha item three, reversed.",
        "subscale_id": "alpha_sub",
        "subscale_name": "Alpha",
        "reverse": "true",
        "values": "1; 2; 3; 4; 5",
        "labels": "Strongly disagree; Disagree; Neither agree nor disagree; Agree; "
        "Strongly agree",
        "missing": "Don't know / not applicable",
    }
    assert rows[3]["reverse"] == "false" and rows[3]["subscale_name"] == "Beta"


def test_csv_cells_are_neutralised(tmp_path):
    source = tmp_path / "f.yaml"
    source.write_text(
        MINI.read_text(encoding="utf-8").replace('"Alpha item one."', '"=HYPERLINK(1)"'),
        encoding="utf-8",
    )
    files = build(source, tmp_path / "out", organization="@org", set="-set", count=1)
    assert "'=HYPERLINK(1)" in files["codebook"].read_text(encoding="utf-8")
    row = list(csv.reader(io.StringIO(files["template"].read_text(encoding="utf-8"))))[1]
    assert row[1:3] == ["'@org", "'-set"]


def test_html_is_self_contained(tmp_path):
    from surveyor.typeset.pdf import html_to_pdf

    html = build(MINI, tmp_path)["html"].read_text(encoding="utf-8")
    assert "file:" not in html and "<link" not in html
    assert html.count("data:font/ttf;base64,") == 4
    # it renders with nothing but data: URLs allowed, and no complaint
    with weasyprint_messages() as messages:
        pdf = html_to_pdf(html, base_url=tmp_path, allowed_roots=[])
    assert not messages
    assert "Alpha item one." in norm(PdfReader(io.BytesIO(pdf)).pages[0].extract_text())


# --------------------------------------------------------------------------- the PDF


def test_every_item_once_in_order_never_split_long(long_built):
    instrument, files, _ = long_built
    assert len(PdfReader(files["pdf"]).pages) >= 3
    assert_items_once_in_order_on_one_page(instrument, files["pdf"])


@pytest.mark.parametrize(
    "options",
    [{"paper": "letter"}, {"large_print": True}, {"paper": "letter", "large_print": True}],
)
def test_long_instrument_other_layouts(tmp_path, options):
    source = long_instrument(tmp_path)
    files = build(source, tmp_path / "out", **options)
    assert_items_once_in_order_on_one_page(load_instrument(source), files["pdf"])


@pytest.mark.parametrize("identifier", sorted(shipped_instruments()))
def test_shipped_instruments(tmp_path, identifier):
    files = build(identifier, tmp_path)
    assert_items_once_in_order_on_one_page(load_instrument(identifier), files["pdf"])


# The shipped forms' page budgets: the full form on one sheet printed on both sides, the
# short form on one side. A layout change that pushes an item onto an extra page fails here.
@pytest.mark.parametrize(
    ("identifier", "paper", "pages"),
    [
        ("learning-inaction", "a4", 2),
        ("learning-inaction", "letter", 2),
        ("learning-inaction-short", "a4", 1),
        ("learning-inaction-short", "letter", 1),
    ],
)
def test_shipped_forms_page_count(tmp_path, identifier, paper, pages):
    files = build(identifier, tmp_path, paper=paper)
    assert len(PdfReader(files["pdf"]).pages) == pages


def laid_out(html: str):
    """The questionnaire's HTML laid out by WeasyPrint, as the build prints it."""
    from weasyprint import HTML

    roots = template_roots()
    return HTML(
        string=html, base_url=roots[0].as_uri() + "/", url_fetcher=restricted_fetcher(roots)
    ).render(font_config=font_configuration())


def item_pages(html: str) -> dict[str, set[int]]:
    """The pages on which each item's rows (statement and tick boxes) are laid out."""
    document = laid_out(html)
    found: dict[str, set[int]] = {}

    def walk(box, page: int) -> None:
        element = getattr(box, "element", None)
        if element is not None and element.tag == "tbody" and element.get("id"):
            found.setdefault(element.get("id"), set()).add(page)
        for child in getattr(box, "children", ()):
            walk(child, page)

    # WeasyPrint (pinned to one major version) has no public box tree; pdf_copies uses it too.
    for number, page in enumerate(document.pages):
        walk(page._page_box, number)
    return found


@pytest.mark.parametrize(
    ("source", "options"),
    [
        # the short form in large print once left item 1's statement at the foot of page 1
        # and its boxes at the top of page 2
        ("learning-inaction-short", {"large_print": True}),
        ("learning-inaction", {"large_print": True, "paper": "letter"}),
        ("learning-inaction", {"paper": "letter"}),
        ("long", {"large_print": True}),
    ],
)
def test_a_statement_never_leaves_its_boxes(tmp_path, source, options):
    instrument = load_instrument(long_instrument(tmp_path) if source == "long" else source)
    context = questionnaire_context(instrument, QuestionnaireOptions(**options))
    pages = item_pages(render_questionnaire(context, make_environment()))
    assert set(pages) == {f"item-{item.id}" for item in instrument.items}
    split = {item: sorted(on) for item, on in pages.items() if len(on) != 1}
    assert not split, split


def fields_box(options: QuestionnaireOptions) -> dict[str, tuple]:
    """Each field of page 1's fields box: its cell (x, y, width, height of the border box)
    and the lines of text laid out in it, each as (text, right edge, bottom edge)."""
    context = questionnaire_context(load_instrument("learning-inaction"), options)
    page = laid_out(render_questionnaire(context, make_environment())).pages[0]
    found: dict[str, tuple] = {}

    def lines(box) -> list:
        if getattr(box, "text", None):
            return [(box.text, box.position_x + box.width, box.position_y + box.height)]
        return [line for child in getattr(box, "children", ()) for line in lines(child)]

    def walk(box) -> None:
        element = getattr(box, "element", None)
        if element is not None and element.tag == "td" and "field-" in element.get("class", ""):
            cell = (box.border_box_x(), box.border_box_y(), box.border_width(),
                    box.border_height())
            found[element.get("class").split()[0]] = (cell, lines(box))
            return
        for child in getattr(box, "children", ()):
            walk(child)

    walk(page._page_box)
    return found


# Long names once printed as "Acme Health and Social Care N..." on Letter large print: the
# fields box now holds two lines in every copy (blank ones too, so the scanner's layout
# map does not move) and prints the names and code in full.
@pytest.mark.parametrize(
    ("paper", "large_print"), [("letter", True), ("a4", True), ("letter", False), ("a4", False)]
)
def test_fields_box_prints_long_names_in_full(paper, large_print):
    names = {"field-organization": "Acme Health and Social Care NHS Foundation Trust",
             "field-set": "Leadership set 3 (spring)"}
    filled = fields_box(QuestionnaireOptions(
        paper=paper, large_print=large_print, organization=names["field-organization"],
        set=names["field-set"], count=1))
    blank = fields_box(QuestionnaireOptions(paper=paper, large_print=large_print))
    names["field-code"] = filled["field-code"][1][0][0]
    assert re.fullmatch(r"[A-Z0-9]{4}-\d{3}-[A-Z0-9]", names["field-code"])
    assert set(filled) == set(blank) == set(names)
    for field, full in names.items():
        (x, y, width, height), lines = filled[field]
        assert blank[field][0] == pytest.approx((x, y, width, height), abs=1e-6), field
        assert " ".join(text.strip() for text, _, _ in lines) == full
        assert len(lines) <= 2, (field, lines)
        for text, right, bottom in lines:
            assert right <= x + width + 0.01 and bottom <= y + height + 0.01, (field, text)


def test_footer_and_column_heads_on_every_page(long_built):
    instrument, files, _ = long_built
    pages = page_texts(files["pdf"])
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert "long-test" in text and "version 2.3" in text
        assert "Strongly disagree" in text and "Don't know / not applicable" in text


def test_fields_statements_and_thanks(tmp_path):
    text = " ".join(page_texts(build(MINI, tmp_path)["pdf"]))
    for phrase in ("Mini instrument", "Version 0.1", "ORGANISATION", "SET", "RESPONDENT CODE",
                   "Confidentiality", "at least 5 people", "How to answer",
                   "Thank you for taking part."):
        assert phrase in text


def test_lato_is_embedded_and_pdf_tagged(tmp_path):
    reader = PdfReader(build(MINI, tmp_path)["pdf"])
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert fonts and all("Lato" in f for f in fonts), fonts
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    assert reader.metadata.title == "Mini instrument (version 0.1)"


@pytest.mark.parametrize(("paper", "size"), [("a4", A4), ("letter", LETTER)])
def test_page_size(tmp_path, paper, size):
    reader = PdfReader(build(MINI, tmp_path, paper=paper)["pdf"])
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(
            size, abs=0.1
        )


def test_builds_are_byte_identical(tmp_path):
    first = build(MINI, tmp_path / "one", organization="N", set="S", count=2)
    second = build(MINI, tmp_path / "two", organization="N", set="S", count=2)
    for kind in first:
        assert first[kind].read_bytes() == second[kind].read_bytes(), kind
    assert b"/CreationDate" not in first["pdf"].read_bytes()


def test_pack_of_three(tmp_path):
    files = build(MINI, tmp_path, organization="North Trust", set="Set A", count=3)
    assert files["pdf"].name == "mini-north-trust-set-a.pdf"
    rows = list(csv.DictReader(io.StringIO(files["template"].read_text(encoding="utf-8"))))
    codes = [row["respondent_id"] for row in rows]
    assert len(set(codes)) == 3 and all(respondent_code_valid(c) for c in codes)
    assert {(r["organization"], r["set"]) for r in rows} == {("North Trust", "Set A")}
    assert all(r["a1"] == "" for r in rows)
    pages = page_texts(files["pdf"])
    per_copy = len(pages) // 3
    assert len(pages) == 3 * per_copy
    for copy, code in enumerate(codes):
        own = pages[copy * per_copy : (copy + 1) * per_copy]
        assert own[0].startswith("Mini instrument")  # each copy starts on a new page
        for number, text in enumerate(own, start=1):
            assert code in text  # in the footer of every page of its copy
            assert f"Page {number} of {per_copy}" in text
        assert "North Trust" in own[0] and "Set A" in own[0]
        assert all(other not in " ".join(own) for other in codes if other != code)
    html = files["html"].read_text(encoding="utf-8")
    assert all(code in html for code in codes)


def test_pack_prints_what_laying_out_every_copy_would(tmp_path):
    # The pack is laid out once and painted per copy: each page must be drawn exactly as
    # when every copy is laid out on its own (the slow path it replaces).
    from surveyor.instrument.questionnaire import questionnaire_context, render_copies
    from surveyor.typeset.environment import make_environment, template_roots
    from surveyor.typeset.pdf import html_to_pdf

    options = QuestionnaireOptions(organization="North Trust", set="Set A", count=4)
    files = build(MINI, tmp_path, organization="North Trust", set="Set A", count=4)
    context = questionnaire_context(load_instrument(MINI), options)
    roots = template_roots(())
    marks = PageMarks(load_instrument(MINI), options.validated(), context)
    slow = html_to_pdf(render_copies(context, make_environment()), base_url=roots[0],
                       allowed_roots=roots, stamp=marks)
    fast_pages = PdfReader(files["pdf"]).pages
    slow_pages = PdfReader(io.BytesIO(slow)).pages
    assert len(fast_pages) == len(slow_pages)
    for fast, slow_page in zip(fast_pages, slow_pages, strict=True):
        assert fast.get_contents().get_data() == slow_page.get_contents().get_data()
    # one structure element list per page, every page marked
    root = PdfReader(files["pdf"]).trailer["/Root"]
    nums = root["/StructTreeRoot"]["/ParentTree"].get_object()["/Nums"]
    assert nums[0::2] == list(range(len(fast_pages)))


def test_copies_whose_code_cannot_be_swapped_are_laid_out_alone(tmp_path):
    from surveyor.instrument.copies import html_copies_to_pdf

    css = "<style>@page { size: A6 } p.c { text-align: center }</style>"
    html = (
        f"<!DOCTYPE html><html lang=en><head><title>T</title>{css}</head><body>"
        "<p class=c>AAAA-001-X</p><p>AAAA-001-X</p></body></html>"
    )
    values = ["AAAA-001-X", "BBBB-002-Y", "WWWW-003-Z"]
    with weasyprint_messages() as messages:
        pdf = html_copies_to_pdf(html, values, base_url=tmp_path, allowed_roots=[tmp_path])
    assert not messages
    pages = [norm(p.extract_text()) for p in PdfReader(io.BytesIO(pdf)).pages]
    assert pages == [f"{value} {value}" for value in values]


def test_copies_need_the_value_as_whole_text(tmp_path):
    from surveyor.errors import SurveyorError
    from surveyor.instrument.copies import html_copies_to_pdf

    html = '<html lang=en><body><p title="C1">C1</p></body></html>'
    with pytest.raises(SurveyorError, match="whole text"):
        html_copies_to_pdf(html, ["C1", "C2"], base_url=tmp_path, allowed_roots=[tmp_path])
    with pytest.raises(SurveyorError, match="no copies"):
        html_copies_to_pdf(html, [], base_url=tmp_path, allowed_roots=[tmp_path])


def test_page_reference_index_is_removed_after_writing(tmp_path):
    import weasyprint.pdf

    before = weasyprint.pdf.pydyf
    build(MINI, tmp_path, organization="N", set="S", count=2)
    assert weasyprint.pdf.pydyf is before


def test_pack_does_not_overwrite_the_blank_questionnaire():
    blank = output_stem("x", QuestionnaireOptions().validated())
    pack = output_stem("x", QuestionnaireOptions(organization="../../A", set="B/C").validated())
    assert blank == "x"
    assert pack == "x-a-b-c"
    greek = output_stem("x", QuestionnaireOptions(organization="Ωμέγα", set="Σ").validated())
    assert re.fullmatch(r"x-[a-z0-9-]+", greek)


def test_letter_and_large_print_do_not_overwrite_the_a4_form():
    stems = {output_stem("x", QuestionnaireOptions(paper=paper, large_print=large).validated())
             for paper in ("a4", "letter") for large in (False, True)}
    assert stems == {"x", "x-letter", "x-large-print", "x-letter-large-print"}


def test_codebook_for_shipped_instrument():
    for identifier in shipped_instruments():
        instrument = load_instrument(identifier)
        rows = list(csv.reader(io.StringIO(codebook_csv(instrument))))
        assert len(rows) == len(instrument.items) + 1


def test_build_time_is_reasonable(long_built):
    _, files, elapsed = long_built
    pages = len(PdfReader(files["pdf"]).pages)
    assert elapsed < 2.0 * pages + 3, f"{elapsed:.1f}s for {pages} pages"


# ----------------------------------------------------------------------- the command


def run(*args):
    return CliRunner().invoke(cli, ["instrument", "build", *map(str, args)])


def test_cli_prints_the_files_written(tmp_path):
    result = run(MINI, "--out", tmp_path, "--paper", "letter", "--large-print")
    assert result.exit_code == 0, result.output
    # The letter, large-print version under its own name: the A4 form is never overwritten.
    stem = "mini-letter-large-print"
    assert result.output.splitlines() == [
        str(tmp_path / name)
        for name in (f"{stem}.pdf", f"{stem}.html", f"{stem}-template.csv",
                     f"{stem}-codebook.csv", f"{stem}-layout.json")
    ]


def test_cli_pack(tmp_path):
    result = run(MINI, "--out", tmp_path, "--organization", "N", "--set", "S", "--count", "2")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "mini-n-s-template.csv").read_text().count("\n") == 3


def no_output_left(folder: Path) -> bool:
    return not folder.exists() or not any(folder.rglob("*"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no-such-instrument"], "unknown instrument 'no-such-instrument'"),
        (["missing.yaml"], "missing.yaml: no such file"),
        (["{tmp}"], "is a folder"),
        ([MINI, "--count", "3"], "--count needs --organization and --set"),
        ([MINI, "--organization", "N", "--count", "3"], "both --organization and --set"),
        ([MINI, "--organization", "N", "--set", "S", "--count", "0"], "0 is not in the range"),
        ([MINI, "--organization", "N", "--set", "S", "--count", "1001"], "not in the range"),
        ([MINI, "--paper", "a3"], "'a3' is not one of"),
    ],
)
def test_cli_bad_input(tmp_path, args, message):
    out = tmp_path / "out"
    args = [str(a).replace("{tmp}", str(tmp_path)) for a in args]
    result = run(*args, "--out", out)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert no_output_left(out)


def test_cli_unwritable_out(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    for out in (blocker, blocker / "sub"):
        result = run(MINI, "--out", out)
        assert result.exit_code == 2
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: ") and str(out) in lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


def test_cli_invalid_instrument_leaves_nothing(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: bad\nversion: 1\n", encoding="utf-8")
    result = run(bad, "--out", tmp_path / "out")
    assert result.exit_code == 2 and "problem" in result.output
    assert no_output_left(tmp_path / "out")


def test_failed_render_leaves_no_partial_files(tmp_path, monkeypatch):
    import surveyor.typeset.pdf

    def boom(*args, **kwargs):
        raise surveyor.errors.OutputError("the PDF could not be rendered cleanly: test")

    monkeypatch.setattr(surveyor.typeset.pdf, "html_to_pdf", boom)
    result = run(MINI, "--out", tmp_path)
    assert result.exit_code == 2
    assert list(tmp_path.iterdir()) == []


def test_a_brand_template_error_in_a_build_is_a_user_error(tmp_path):
    from click.testing import CliRunner

    from surveyor.cli import cli

    brand = tmp_path / "brand"
    brand.mkdir()
    (brand / "questionnaire.html").write_text(
        "<p>\n{{ cycler.__init__.__globals__.os.popen('id').read() }}</p>", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["instrument", "build", "learning-inaction-short", "--out",
                                      str(out), "--template-dir", str(brand)])
    assert result.exit_code == 2, result.output
    assert "questionnaire.html, line 2: an error in a brand template" in result.output
    assert "uid=" not in result.output
    assert not list(out.rglob("*.pdf"))
