"""Writing the reports of a run: file names, hostile names, manifest, anonymity in the PDF
text, determinism, standalone HTML, the cache, branding and consented small sets.

PDFs are slow to make (about a second each), so a few module-scoped runs of `surveyor
score` on a small programme of the 6-item test instrument feed most of the tests.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import json
import logging
import re
import shutil
import string
import unicodedata
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from surveyor.cli import cli
from surveyor.reports.workers import MAX_NAME, report_paths, safe_name

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "fixtures" / "mini.yaml"
EXAMPLE_BRAND = ROOT / "examples" / "brand"
DATE = "2025-03-12"
HOSTILE_ORG = '<img src="file:///etc/passwd">'
TRAVERSAL_SET = "../../x"
LINK_SET = "<link rel=attachment href=file:///etc/passwd>"
# In the hostile organisation 'Tiny' is below the minimum and 'Zeta', the next smallest,
# is withheld to protect it (complementary suppression).
HIDDEN = ("Tiny", "Zeta")
NOTES = ("fewer than 5 responses", "withheld to protect a smaller group", "not shown")
GROUPS = [
    (HOSTILE_ORG, TRAVERSAL_SET, 6), (HOSTILE_ORG, LINK_SET, 7), (HOSTILE_ORG, "Tiny", 3),
    (HOSTILE_ORG, "Zeta", 5), ("North", "Kestrel", 6), ("North", "Heron", 5),
]
ITEMS = ("a1", "a2", "a3", "b1", "b2", "b3")
DEVICES = {"con", "prn", "aux", "nul", *(f"{p}{i}" for p in ("com", "lpt") for i in range(10))}


# ----------------------------------------------------------------------------- helpers


def write_csv(path: Path, groups, seed: int = 7) -> Path:
    """Answers to the test instrument for ``groups`` of ``(organization, set, n)``."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    rows = []
    for org, name, n in groups:
        shift = rng.normal(0, 0.6)
        for _ in range(n):
            row = {"respondent_id": f"R{len(rows) + 1:03d}", "organization": org, "set": name}
            for item in ITEMS:
                row[item] = int(np.clip(np.rint(3 + shift + rng.normal(0, 1)), 1, 5))
            rows.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def run_score(csv: Path, out: Path, *args: str) -> tuple[str, dict]:
    """``surveyor score`` in-process; return its output and the manifest it wrote."""
    result = CliRunner().invoke(
        cli, ["score", str(csv), "-i", str(MINI), "-o", str(out), "--data-date", DATE, *args]
    )
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return result.output, manifest


@functools.cache
def _page_texts(data: bytes) -> tuple[str, ...]:
    # pypdf takes about a second per report: each distinct PDF is read once per session.
    return tuple(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def pdf_pages(path: Path) -> tuple[str, ...]:
    return _page_texts(path.read_bytes())


def pdf_text(path: Path) -> str:
    return "\n".join(pdf_pages(path))


def pdf_internals(data: bytes) -> bytes:
    """Every object of a PDF, streams decompressed: what an attachment would be found in."""
    from pypdf.generic import StreamObject

    reader = PdfReader(io.BytesIO(data))
    chunks = []
    for number in range(1, int(reader.trailer["/Size"])):
        try:
            obj = reader.get_object(number)
        except Exception:  # free entries of the cross-reference table
            continue
        if isinstance(obj, StreamObject):
            chunks.append(obj.get_data())
        chunks.append(repr(obj).encode("utf-8", "replace"))
    return b"\n".join(chunks)


def without_styles(html: str) -> str:
    """The HTML without its <style> elements (the inlined fonts are long base64 text)."""
    return re.sub(r"<style\b.*?</style>", "", html, flags=re.S)


def files_under(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def pdfs(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*.pdf")}


class References(HTMLParser):
    """Collect every URL an HTML document would fetch: src/href attributes and CSS url()."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.in_style = False

    def handle_starttag(self, tag, attrs):
        self.in_style = tag == "style"
        for name, value in attrs:
            if name in ("src", "href", "xlink:href", "data", "poster") and value:
                self.urls.append(value)
            if name == "style" and value:
                self.urls += css_urls(value)

    def handle_endtag(self, tag):
        if tag == "style":
            self.in_style = False

    def handle_data(self, data):
        if self.in_style:
            self.urls += css_urls(data)


def css_urls(css: str) -> list[str]:
    found = re.findall(r"url\(\s*['\"]?([^'\")]+)", css)
    found += re.findall(r"@import\s+['\"]([^'\"]+)", css)
    return found


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """`surveyor score --jobs 2 --html` on the hostile programme, run from an empty folder."""
    sandbox = tmp_path_factory.mktemp("sandbox")
    csv = write_csv(sandbox / "in" / "programme.csv", GROUPS)
    work = sandbox / "cwd"
    work.mkdir()
    out = sandbox / "out"
    with contextlib.chdir(work):
        output, manifest = run_score(csv, out, "--jobs", "2", "--html")
    entries = {e["path"]: e for e in manifest["reports"]}
    return SimpleNamespace(sandbox=sandbox, csv=csv, work=work, out=out, reports=out / "reports",
                           output=output, manifest=manifest, entries=entries)


@pytest.fixture(scope="module")
def inprocess(run, tmp_path_factory):
    """The same programme through `write_reports` in this process (jobs=1), with every
    WeasyPrint warning and error collected."""
    from surveyor.pipeline import score
    from surveyor.reports.workers import write_reports
    from surveyor.typeset.pdf import weasyprint_messages

    out = tmp_path_factory.mktemp("inprocess") / "reports"
    result = score(run.csv, MINI)
    with weasyprint_messages(logging.WARNING) as messages:
        entries = write_reports(result, out, jobs=1, data_date=DATE)
    return SimpleNamespace(out=out, entries=entries,
                           messages=[m.getMessage() for m in messages])


def entry_of(run, kind: str, org: str = "", name: str = "") -> dict:
    (entry,) = [e for e in run.manifest["reports"]
                if e["kind"] == kind and e["organization"] == org and e["set"] == name]
    return entry


# ----------------------------------------------------------------------- 1. file names


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Ward managers", "Ward managers"),
        ("a/b\\c", "a_b_c"),
        ("../../x", "x"),
        ("..", "unnamed"),
        ("...", "unnamed"),
        ("", "unnamed"),
        ("/", "unnamed"),
        (".hidden", "hidden"),
        ("a..b", "a.b"),
        ("tab\tnew\nline", "tab_new_line"),
        ("bell\x07null\x00esc\x1b", "bell_null_esc"),
        ("del\x7f", "del"),
        ("CON", "_CON"),
        ("nul", "_nul"),
        ("Com1", "_Com1"),
        ("lpt9", "_lpt9"),
        ("COM0", "_COM0"),
        ("COM\u00b9", "_COM1"),  # superscript one: also a device name on Windows
        ("nul.txt", "_nul.txt"),  # a device name with an extension is still the device
        ("Aux. services", "_Aux. services"),
        ("console", "console"),
        ("C:drive", "C_drive"),
        ('a<b>c:d"e|f?g*h', "a_b_c_d_e_f_g_h"),
        ("ＡＢＣ／ｄｅｆ", "ABC_def"),  # NFKC first, so fullwidth forms are caught
        ("trailing dot.", "trailing dot"),
        ("  spaced  out  ", "spaced out"),
    ],
)
def test_safe_name(name, expected):
    assert safe_name(name) == expected


def test_safe_name_length_limit():
    assert safe_name("x" * 200) == "x" * MAX_NAME
    assert len(safe_name("é" * 200)) == MAX_NAME
    assert safe_name("a" * 79 + " b") == "a" * 79  # no trailing space after the cut
    assert safe_name("nul." + "y" * 100) == "_nul." + "y" * (MAX_NAME - 5)


def test_safe_name_resolves_collisions_case_insensitively():
    taken: set[str] = set()
    names = [safe_name(n, taken) for n in ("Alpha", "alpha", "ALPHA", "A/B", "A_B", "a:b")]
    assert names == ["Alpha", "alpha-2", "ALPHA-3", "A_B", "A_B-2", "a_b-3"]
    # A real name that looks like a suffixed one does not steal or reuse a slot.
    taken = set()
    assert [safe_name(n, taken) for n in ("x", "x-2", "X")] == ["x", "x-2", "X-3"]
    # The suffix is kept inside the length limit.
    taken = set()
    long = [safe_name("y" * 100, taken) for _ in range(3)]
    assert long == ["y" * 80, "y" * 78 + "-2", "y" * 78 + "-3"]


def spec(kind: str, org: str = "", name: str = "") -> SimpleNamespace:
    return SimpleNamespace(kind=kind, organization=org, set=name)


def test_report_paths_layout():
    specs = [spec("programme"), spec("organization", "North"), spec("set", "North", "A"),
             spec("organization", "South"), spec("set", "South", "A")]
    assert report_paths(specs) == [
        "programme.pdf", "North/organization.pdf", "North/sets/A.pdf",
        "South/organization.pdf", "South/sets/A.pdf",  # the same set name in two orgs
    ]


def test_report_paths_distinct_for_names_differing_by_case_or_separator():
    specs = [spec("programme"), spec("organization", "Org"),
             spec("set", "Org", "Alpha"), spec("set", "Org", "alpha"),
             spec("set", "Org", "A/B"), spec("set", "Org", "A_B"),
             spec("organization", "org"), spec("set", "org", "Alpha"),
             spec("organization", "programme.pdf"), spec("organization", "programme.html"),
             spec("organization", "../.."), spec("set", "../..", "../../etc")]
    paths = report_paths(specs)
    assert len({p.casefold() for p in paths}) == len(paths)
    assert paths[2:6] == ["Org/sets/Alpha.pdf", "Org/sets/alpha-2.pdf", "Org/sets/A_B.pdf",
                          "Org/sets/A_B-2.pdf"]
    assert paths[6:8] == ["org-2/organization.pdf", "org-2/sets/Alpha.pdf"]
    # Organisation folders never collide with the programme's own files.
    folders = {p.split("/")[0] for p in paths[1:]}
    assert not folders & {"programme.pdf", "programme.html"}
    assert paths[-2:] == ["unnamed/organization.pdf", "unnamed/sets/etc.pdf"]
    for path in paths:
        parts = path.split("/")
        assert ".." not in parts and "" not in parts and not path.startswith("/")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300), st.lists(st.text(max_size=90), max_size=5))
def test_safe_name_is_always_one_safe_path_component(name, others):
    taken: set[str] = set()
    for other in others:
        safe_name(other, taken)
    before = set(taken)
    for result in (safe_name(name), safe_name(name, taken)):
        assert result and len(result) <= MAX_NAME
        assert result not in (".", "..") and not result.startswith(".")
        assert "/" not in result and "\\" not in result and "\0" not in result
        assert not any(unicodedata.category(ch).startswith("C") for ch in result)
        assert result == result.strip(" ")
        assert result.split(".", 1)[0].lower() not in DEVICES
        assert Path(result).name == result and len(Path(result).parts) == 1
    assert result.casefold() not in before and result.casefold() in taken


# -------------------------------------------------------------------- 2. hostile names


def test_every_file_stays_inside_the_output_folder(run):
    out = run.out.resolve()
    assert not list(run.work.iterdir())  # nothing written relative to the working folder
    written = {p for p in run.sandbox.rglob("*") if p.is_file() or p.is_symlink()}
    assert {p for p in written if not p.resolve().is_relative_to(out)} == {run.csv}
    assert not any(p.is_symlink() for p in written)
    # Nothing reached the folders above either ("../../x" climbing out of sets/).
    for above in (run.sandbox.parent, run.sandbox.parent.parent):
        assert not [p for p in above.iterdir() if p.name.startswith("x.")]
    expected = {"manifest.json", "scores.csv", "groups.csv", "reliability.csv", "items.csv",
                ".surveyor.lock", "release-register.json"}
    expected |= {f"reports/{path}" for path in run.entries}
    expected |= {f"reports/{path[:-4]}.html" for path in run.entries}
    assert files_under(run.out) == expected
    (traversal,) = [p for p, e in run.entries.items() if e["set"] == TRAVERSAL_SET]
    assert traversal == "img src__file____etc_passwd/sets/x.pdf"


def test_no_local_file_leaks_into_any_pdf(run, tmp_path):
    from surveyor.typeset.pdf import html_to_pdf

    passwd = Path("/etc/passwd")
    secret = (passwd.read_text(encoding="utf-8", errors="replace").splitlines() or ["root:x"])[0]
    secret_bytes = secret.encode("utf-8")
    # The scan would see an attachment: one allowed on purpose is found, with its content.
    (tmp_path / "note.txt").write_text("ATTACHED-CONTENT", encoding="utf-8")
    note = (tmp_path / "note.txt").as_uri()
    control = html_to_pdf(
        f'<html lang=en><head><link rel=attachment href="{note}"></head><body><p>x</p></body>'
        "</html>", base_url=tmp_path, allowed_roots=[tmp_path])
    assert b"ATTACHED-CONTENT" in pdf_internals(control)
    assert b"/EmbeddedFile" in pdf_internals(control)
    for path, data in pdfs(run.reports).items():
        inside = pdf_internals(data)
        assert secret_bytes not in inside, path
        assert b"root:x:0:0" not in inside, path
        assert b"/EmbeddedFile" not in inside and b"/FileAttachment" not in inside, path
        assert not PdfReader(io.BytesIO(data)).attachments, path


def test_hostile_names_are_printed_as_text(run):
    escaped_org = "&lt;img src=&#34;file:///etc/passwd&#34;&gt;"
    escaped_link = "&lt;link rel=attachment href=file:///etc/passwd&gt;"
    for path, entry in run.entries.items():
        html = (run.reports / f"{path[:-4]}.html").read_text(encoding="utf-8")
        assert HOSTILE_ORG not in html and LINK_SET not in html
        assert not re.search(r"<\s*(img|link|script|iframe|object|embed)\b[^>]*passwd", html)
        if entry["organization"] == HOSTILE_ORG:
            assert escaped_org in html
        if entry["set"] == LINK_SET:
            assert escaped_link in html
            # The real name is printed inside the report.
            assert LINK_SET in pdf_text(run.reports / path)
    org_pdf = run.reports / entry_of(run, "organization", HOSTILE_ORG)["path"]
    text = pdf_text(org_pdf)
    assert HOSTILE_ORG in text and TRAVERSAL_SET in text


def test_weasyprint_logs_nothing(inprocess):
    assert inprocess.messages == []
    assert len(inprocess.entries) == 8  # seven reports and the technical note


# --------------------------------------------------------------------------- 3. manifest


def test_manifest_lists_every_report(run):
    reports = run.manifest["reports"]
    assert [(e["kind"], e["organization"], e["set"], e["n"]) for e in reports] == [
        ("programme", "", "", 32),
        ("organization", HOSTILE_ORG, "", 21),
        ("set", HOSTILE_ORG, TRAVERSAL_SET, 6),
        ("set", HOSTILE_ORG, LINK_SET, 7),
        ("organization", "North", "", 11),
        ("set", "North", "Heron", 5),
        ("set", "North", "Kestrel", 6),
        ("technical", "", "", 32),
    ]
    for entry in reports:
        assert {"kind", "organization", "set", "n", "path", "sha256"} <= set(entry)
        data = (run.reports / entry["path"]).read_bytes()
        assert data.startswith(b"%PDF-")
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert entry["rendered"] is True
    assert set(pdfs(run.reports)) == set(run.entries)
    assert (run.reports / "programme.pdf").is_file()
    assert "Wrote 8 reports" in run.output and "(8 rendered, 0 unchanged)" in run.output
    # Where to start, and which sets got no report, for the consultant to warn them.
    assert f"Start with {run.out / 'reports' / 'programme.pdf'}" in run.output
    assert "No report for 2 sets" in run.output


def test_suppressed_groups_get_no_report(run):
    suppressed = {(r["organization"], r["set"]) for r in run.manifest["suppression"]
                  if r["level"] == "set" and r["scope"] == "group"}
    assert suppressed == {(HOSTILE_ORG, name) for name in HIDDEN}
    assert not [e for e in run.manifest["reports"] if e["set"] in HIDDEN]
    names = {p.name for p in run.reports.rglob("*")}
    assert not names & ({f"{n}.pdf" for n in HIDDEN} | {f"{n}.html" for n in HIDDEN})


# --------------------------------------------------- 4. no suppressed statistic anywhere


def hidden_figures(run) -> dict[str, list[str]]:
    """Each hidden set's n and subscale means, formatted as the reports format them."""
    import pandas as pd

    from surveyor.typeset.environment import fmt

    scores = pd.read_csv(run.out / "scores.csv")
    figures = {}
    for name in HIDDEN:
        rows = scores[(scores["organization"] == HOSTILE_ORG) & (scores["set"] == name)]
        means = [rows[c].mean() for c in ("alpha_sub", "beta_sub")]
        figures[name] = [str(len(rows))] + [fmt(m, d) for m in means for d in (1, 2)]
    return figures


def test_suppressed_sets_only_by_name_and_note_in_pdf_text(run):
    figures = hidden_figures(run)
    seen = 0
    for path, entry in run.entries.items():
        text = pdf_text(run.reports / path)
        for name in HIDDEN:
            places = [m.end() for m in re.finditer(re.escape(name), text)]
            if entry["kind"] == "set":
                assert not places, (path, name)
            for end in places:
                after = text[end:end + 60].lstrip()
                assert after.startswith(NOTES), (path, name, after)
            for figure in figures[name]:
                assert not re.search(rf"{name}\s+{re.escape(figure)}\b", text), (name, figure)
            seen += len(places)
    org_text = pdf_text(run.reports / entry_of(run, "organization", HOSTILE_ORG)["path"])
    assert "Tiny fewer than 5 responses" in org_text
    assert "Zeta withheld to protect a smaller group" in org_text
    assert seen >= 4


def test_suppressed_sets_only_by_name_and_note_in_html(run):
    for path, entry in run.entries.items():
        html = without_styles((run.reports / f"{path[:-4]}.html").read_text(encoding="utf-8"))
        nodes = [t.strip() for t in re.findall(r">([^<]+)<", html) if t.strip()]
        for name in HIDDEN:
            places = [k for k, node in enumerate(nodes) if name in node]
            if entry["kind"] == "set":
                assert not places
            assert all(nodes[k] == name for k in places), [nodes[k] for k in places]
            assert all(nodes[k + 1] in NOTES for k in places), [nodes[k + 1] for k in places]
            assert html.count(name) == len(places)


def test_suppressed_sets_have_no_statistics_in_csv(run):
    import pandas as pd

    groups = pd.read_csv(run.out / "groups.csv", dtype=str, keep_default_na=False)
    hidden = groups[groups["set"].isin(HIDDEN)]
    assert len(hidden) == 4 and (hidden["suppressed"] == "true").all()
    statistics = [c for c in groups.columns
                  if c not in ("level", "organization", "set", "subscale", "suppressed")]
    assert (hidden[statistics] == "").all().all()


# ------------------------------------------------------------------------ 5. determinism


def test_identical_pdfs_across_runs_and_job_counts(run, inprocess):
    # `run` used two worker processes, `inprocess` rendered in this process.
    assert pdfs(run.reports) == pdfs(inprocess.out)
    assert [e["sha256"] for e in inprocess.entries] == [
        e["sha256"] for e in run.manifest["reports"]]


# --------------------------------------------------------------------- 6. standalone HTML


def test_html_is_self_contained(run):
    from surveyor.resources import font_files

    font_uris = {p.as_uri() for p in font_files().values()}
    for path in run.entries:
        html = (run.reports / f"{path[:-4]}.html").read_text(encoding="utf-8")
        parser = References()
        parser.feed(html)
        assert parser.urls, path
        external = [u for u in parser.urls if not u.startswith(("data:", "#"))]
        assert external == [], (path, external)
        fonts = re.findall(r"@font-face\s*{[^}]*}", html)
        assert fonts and all("url(\"data:font/" in f for f in fonts), path
        assert "file:" not in "".join(fonts) and not any(u in html for u in font_uris)


def test_html_renders_to_the_same_pdf(run, tmp_path):
    from surveyor.typeset.pdf import html_to_pdf, weasyprint_messages

    entry = entry_of(run, "organization", HOSTILE_ORG)  # hostile names and charts
    html = (run.reports / f"{entry['path'][:-4]}.html").read_text(encoding="utf-8")
    with weasyprint_messages(logging.WARNING) as messages:
        # No folder allowed: only data: URLs can be fetched, so nothing outside the file.
        pdf = html_to_pdf(html, base_url=tmp_path, allowed_roots=[])
    assert not messages, [m.getMessage() for m in messages]
    (tmp_path / "again.pdf").write_bytes(pdf)
    assert pdf_pages(tmp_path / "again.pdf") == pdf_pages(run.reports / entry["path"])


# ----------------------------------------------------------------------------- 7. cache


@pytest.fixture
def cached(run, tmp_path):
    """A fresh copy of the first run's output folder, for a test that changes it."""
    out = tmp_path / "out"
    shutil.copytree(run.out, out)
    return out


def test_unchanged_inputs_render_nothing(run, cached):
    before = pdfs(cached / "reports")
    output, manifest = run_score(run.csv, cached, "--jobs", "1")
    assert "(0 rendered, 8 unchanged)" in output
    assert all(e["rendered"] is False for e in manifest["reports"])
    assert [e["sha256"] for e in manifest["reports"]] == [
        e["sha256"] for e in run.manifest["reports"]]
    assert pdfs(cached / "reports") == before


def test_missing_or_altered_pdfs_are_rendered_again(run, cached):
    reports = cached / "reports"
    heron = entry_of(run, "set", "North", "Heron")["path"]
    kestrel = entry_of(run, "set", "North", "Kestrel")["path"]
    (reports / heron).unlink()
    (reports / kestrel).write_bytes(b"%PDF-1.7 tampered")
    output, manifest = run_score(run.csv, cached, "--jobs", "1")
    rendered = {e["path"] for e in manifest["reports"] if e["rendered"]}
    assert rendered == {heron, kestrel}
    assert "(2 rendered, 6 unchanged)" in output
    assert pdfs(reports) == pdfs(run.reports)


def test_one_changed_answer_renders_only_the_reports_it_changes(run, cached, tmp_path):
    """A report is rendered again exactly when its HTML changed, and the reports kept from
    the cache are byte-identical to what a fresh run on the changed file writes. Each
    stamp carries its own group's answers' SHA-256, not the file's. (This programme is
    so small that one answer moves the programme mean marked in every report; the
    workload tests show a larger programme where only three reports change.)"""
    import pandas as pd

    reports = cached / "reports"
    before_html = {p: (run.reports / f"{p[:-4]}.html").read_text(encoding="utf-8")
                   for p in run.entries}
    before_pdf = pdfs(reports)
    frame = pd.read_csv(run.csv, dtype=str, keep_default_na=False)
    row = frame.index[frame["set"] == "Kestrel"][0]
    frame.loc[row, "a1"] = "1" if frame.loc[row, "a1"] != "1" else "5"
    changed = tmp_path / run.csv.name  # same file name: only the content differs
    frame.to_csv(changed, index=False)

    _, manifest = run_score(changed, cached, "--jobs", "1", "--html")
    after_html = {p: (reports / f"{p[:-4]}.html").read_text(encoding="utf-8")
                  for p in run.entries}
    for entry in manifest["reports"]:
        path = entry["path"]
        assert entry["rendered"] is (before_html[path] != after_html[path]), path
        assert (entry["sha256"] != hashlib.sha256(before_pdf[path]).hexdigest()) is (
            entry["rendered"]), path
    must = {entry_of(run, "set", "North", "Kestrel")["path"],
            entry_of(run, "organization", "North")["path"], "programme.pdf"}
    rendered = {e["path"] for e in manifest["reports"] if e["rendered"]}
    assert must <= rendered
    kestrel = entry_of(run, "set", "North", "Kestrel")["path"]
    assert run.manifest["input"]["sha256"] not in after_html[kestrel]

    fresh = tmp_path / "fresh"
    run_score(changed, fresh, "--jobs", "1")
    assert pdfs(reports) == pdfs(fresh / "reports")


# ------------------------------------------------- 8, 10. brand; a consented set of three


@pytest.fixture(scope="module")
def branded(tmp_path_factory):
    """One organisation with one set of 3 people, scored in consented mode with the
    example brand."""
    folder = tmp_path_factory.mktemp("branded")
    csv = write_csv(folder / "three.csv", [("Fenwick", "Three", 3)], seed=3)
    out = folder / "out"
    output, manifest = run_score(csv, out, "--jobs", "1", "--html", "--min-group-size", "3",
                                 "--consented", "--template-dir", str(EXAMPLE_BRAND))
    return SimpleNamespace(csv=csv, out=out, reports=out / "reports", output=output,
                           manifest=manifest, first=pdfs(out / "reports"))


def test_consented_set_of_three_gets_its_own_report(branded):
    reports = [(e["kind"], e["organization"], e["set"], e["n"], e["path"])
               for e in branded.manifest["reports"]]
    assert reports == [("programme", "", "", 3, "programme.pdf"),
                       ("organization", "Fenwick", "", 3, "Fenwick/organization.pdf"),
                       ("set", "Fenwick", "Three", 3, "Fenwick/sets/Three.pdf"),
                       ("technical", "", "", 3, "technical-note.pdf")]
    text = pdf_text(branded.reports / "Fenwick/sets/Three.pdf")
    assert "Three" in text and "agreed to see results from groups this small" in text
    assert "fewer than" not in text.split("Three", 1)[1][:40]


def test_example_brand_is_applied(branded):
    for path in ("programme.pdf", "Fenwick/organization.pdf", "Fenwick/sets/Three.pdf"):
        assert "Thornbury Learning Partners" in pdf_text(branded.reports / path)
        html = (branded.reports / f"{path[:-4]}.html").read_text(encoding="utf-8")
        assert "--accent: #2f5d50" in html
    set_text = pdf_text(branded.reports / "Fenwick/sets/Three.pdf")
    assert "Questions for your next meeting" in set_text  # brand strings
    assert "Bring this report to your next set meeting" in set_text  # template override


def test_force_renders_everything_again_identically(branded):
    output, manifest = run_score(branded.csv, branded.out, "--jobs", "1", "--html", "--force",
                                 "--min-group-size", "3", "--consented",
                                 "--template-dir", str(EXAMPLE_BRAND))
    assert all(e["rendered"] is True for e in manifest["reports"])
    assert "(4 rendered, 0 unchanged)" in output
    assert pdfs(branded.reports) == branded.first  # a second run: the same bytes


def test_reports_of_groups_now_suppressed_are_removed(branded, tmp_path):
    # The same folder without consent: the set of 3, its organisation and the programme
    # are all below 5 now, so their earlier reports must not stay behind.
    out = tmp_path / "out"
    shutil.copytree(branded.out, out)
    (out / "reports" / "notes.txt").write_text("the consultant's own file", encoding="utf-8")
    _, manifest = run_score(branded.csv, out, "--jobs", "1")
    assert manifest["reports"] == []
    assert not list(out.rglob("*.pdf")) and not list(out.rglob("*.html"))
    assert not (out / "reports" / "Fenwick").exists()  # its emptied folders go too
    assert files_under(out / "reports") == {"notes.txt"}  # files it did not write stay


# ------------------------------------------------------------------------ 9. --no-reports


def test_no_reports_writes_no_reports_folder(tmp_path):
    csv = write_csv(tmp_path / "small.csv", [("Org", "A", 5)])
    out = tmp_path / "out"
    output, manifest = run_score(csv, out, "--no-reports")
    assert not (out / "reports").exists()
    assert manifest["reports"] == []
    assert "reports to" not in output
    assert files_under(out) == {"manifest.json", "scores.csv", "groups.csv",
                                "reliability.csv", "items.csv", ".surveyor.lock",
                                "release-register.json"}


def test_printable_names_are_kept():
    # Ordinary names survive as they are, so a consultant recognises the files.
    for name in ("Ward managers", "Quality & safety", "St John's (North)", "Set 1, 2025"):
        assert safe_name(name) == name
    assert set(safe_name(string.printable)) <= set(string.ascii_letters + string.digits
                                                   + " -_.()&,'")


def test_assets_digest_follows_brand_files_but_not_outputs(tmp_path):
    from surveyor.reports.workers import assets_digest

    brand = tmp_path / "brand"
    (brand / "output" / "reports").mkdir(parents=True)
    (brand / "custom.css").write_text("h1 { color: #123; }")
    (brand / "notes.txt").write_text("not an asset")
    first = assets_digest([str(brand)], skip=brand / "output" / "reports")
    (brand / "output" / "reports" / "x.html").write_text("<p>a report</p>")
    (brand / "notes.txt").write_text("changed, still not an asset")
    assert assets_digest([str(brand)], skip=brand / "output" / "reports") == first
    (brand / "custom.css").write_text("h1 { color: #456; }")
    assert assets_digest([str(brand)], skip=brand / "output" / "reports") != first


# ------------------------------------------------------------------- worker recycling


def test_workers_are_replaced_and_results_do_not_change(monkeypatch):
    """Workers are replaced after REPORTS_PER_WORKER reports (WeasyPrint grows with every
    report it renders); with a replacement after every second report, seven small reports
    on two workers come back complete and identical to rendering them in this process."""
    from surveyor.reports import workers as reports
    from surveyor.resources import templates_dir

    monkeypatch.setattr(reports, "REPORTS_PER_WORKER", 2)
    root = str(templates_dir())
    page = '<html lang="en"><title>r{0}</title><p>Report {0}</p></html>'
    tasks = [reports.RenderTask(f"r{k}.pdf", page.format(k), root, (root,), f"r{k}")
             for k in range(7)]
    pooled = dict(reports.run_tasks(iter(tasks), jobs=2))
    alone = dict(reports.run_tasks(iter(tasks), jobs=1))
    assert sorted(pooled) == [t.path for t in tasks]
    assert pooled == alone


# ----------------------------------------------------------- 8. reports a client can use


def test_same_bytes_whatever_the_files_time_stamps(tmp_path):
    """The cover prints no date unless given one (never the file's modification time), so
    the same data copied on another day gives the same PDFs."""
    import os

    first = write_csv(tmp_path / "one" / "answers.csv", [("Fenwick", "Five", 5),
                                                         ("Fenwick", "Six", 6)])
    second = tmp_path / "two" / "answers.csv"
    second.parent.mkdir()
    shutil.copyfile(first, second)
    os.utime(first, (86_400 * 400, 86_400 * 400))
    os.utime(second, (86_400 * 9_000, 86_400 * 9_000))
    outputs = []
    for csv in (first, second):
        out = csv.parent / "out"
        result = CliRunner().invoke(cli, ["score", str(csv), "-i", str(MINI), "-o", str(out),
                                          "--jobs", "1"])
        assert result.exit_code == 0, result.output
        outputs.append(pdfs(out / "reports"))
    assert outputs[0] == outputs[1] and len(outputs[0]) == 5  # four reports and the note
    assert "Date of the data" not in pdf_text(first.parent / "out" / "reports" / "programme.pdf")


def test_a_bad_data_date_is_a_clear_error(tmp_path):
    csv = write_csv(tmp_path / "answers.csv", [("Fenwick", "Five", 5)])
    result = CliRunner().invoke(cli, ["score", str(csv), "-i", str(MINI), "-o",
                                      str(tmp_path / "out"), "--data-date", "12/03/2025"])
    assert result.exit_code == 2
    assert "'12/03/2025' is not a date; write it as YYYY-MM-DD" in result.output


def render_example(out: Path, csv: str, *args: str) -> SimpleNamespace:
    """Score a shipped example as a consultant would; its output and report list."""
    result = CliRunner().invoke(cli, ["score", str(ROOT / "examples" / csv), *args,
                                      "-o", str(out), "--jobs", "2"])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return SimpleNamespace(out=out, output=result.output, reports=manifest["reports"])


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    """The shipped example programme, rendered as a consultant would."""
    return render_example(tmp_path_factory.mktemp("example") / "out", "responses.csv")


def test_example_reports_are_short(example):
    limits = {"set": 6, "organization": 8, "programme": 12}
    for entry in example.reports:
        pages = len(PdfReader(example.out / "reports" / entry["path"]).pages)
        assert pages <= limits.get(entry["kind"], 8), (entry["path"], pages)


@pytest.fixture(scope="module")
def waves_example(tmp_path_factory):
    """The shipped three-wave example, rendered with its "Since" sections."""
    return render_example(tmp_path_factory.mktemp("waves") / "out", "waves.csv",
                          "--waves", "Autumn 2026,Winter 2027,Spring 2027")


def test_waves_example_reports_are_short(waves_example):
    """The "Since" section must not push a report past its limit."""
    limits = {"set": 6, "organization": 8, "programme": 12}
    kinds = set()
    for entry in waves_example.reports:
        pages = pdf_pages(waves_example.out / "reports" / entry["path"])
        assert len(pages) <= limits.get(entry["kind"], 8), (entry["path"], len(pages))
        if entry["kind"] != "technical":
            assert "Since Winter 2027" in " ".join(pages), entry["path"]
        kinds.add(entry["kind"])
    assert {"set", "organization", "programme"} <= kinds


def _glance(pages: tuple[str, ...]) -> str:
    text = " ".join(" ".join(pages[:2]).split())
    return text[text.index("At a glance"):text.index("The report closes")]


def test_example_glance_quotes_only_statements_the_report_shows(example):
    """With statements withheld, the glance still names where the subscales lean, and it
    never quotes a statement whose answers the report withholds."""
    import re

    leaning = 0
    for entry in example.reports:
        if entry["kind"] != "set":
            continue
        pages = pdf_pages(example.out / "reports" / entry["path"])
        glance = _glance(pages)
        shown = " ".join(" ".join(pages[2:]).split())
        quoted = re.findall("\u201c(.+?)\u201d", glance)
        if "Most agreed with" in glance:
            for statement in quoted:
                assert statement[:30] in shown, (entry["path"], statement)
        else:
            assert not quoted, entry["path"]
            assert "subscale results are the detail to discuss" in glance, entry["path"]
            leaning += 1
    assert leaning  # the example has set reports whose statements are all withheld


def test_example_reports_say_each_caveat_once(example, waves_example):
    """Why a heading names two bands and why statements are withheld: once per report,
    not under every subscale."""
    for run_ in (example, waves_example):
        for entry in run_.reports:
            if entry["kind"] == "technical":
                continue
            text = " ".join(" ".join(pdf_pages(run_.out / "reports" / entry["path"])).split())
            assert "The interval is too wide to say which" not in text
            assert text.count("its interval reaches both") <= 1, entry["path"]
            assert text.count("The answers to each statement are not shown") <= 1
            assert "likely between" not in text, entry["path"]


def test_example_set_reports_name_every_subscale_early_and_carry_no_statistics(example):
    from surveyor.instrument.model import load_instrument

    names = [s.name for s in load_instrument("learning-inaction").subscales]
    for entry in example.reports:
        if entry["kind"] == "technical":
            continue
        pages = pdf_pages(example.out / "reports" / entry["path"])
        opening = " ".join(" ".join(pages[:2]).split())
        assert all(name in opening or name.lower() in opening for name in names), entry["path"]
        if entry["kind"] == "set":
            text = " ".join(pages)
            for word in ("rwg", "ICC", "Feldt", "Cronbach", "SHA-256", "learning-inaction"):
                assert word not in text, (entry["path"], word)


def test_score_says_where_to_start_in_plain_words(example):
    assert "3 organisations (0 suppressed), 11 sets (2 suppressed" in example.output
    assert "Collusion and avoidance" in example.output and "collusion " not in example.output
    assert "No report for 2 sets" in example.output
    assert "  Eastbrook Integrated Care Board / Clinical directors" in example.output
    assert f"Start with {example.out / 'reports' / 'programme.pdf'}" in example.output
    note = pdf_text(example.out / "reports" / "technical-note.pdf")
    for word in ("rwg(j)", "ICC(1)", "Feldt", "no detectable difference between sets"):
        assert word in note
