"""HTML -> PDF: the restricted fetcher, reproducible bytes, log capture."""

from __future__ import annotations

import io
import logging
import os

import pytest
from pypdf import PdfReader

from surveyor.errors import OutputError
from surveyor.typeset.pdf import (
    font_configuration,
    harfbuzz_subset_available,
    html_to_pdf,
    restricted_fetcher,
    weasyprint_messages,
)


def page(body: str, head: str = "") -> str:
    return (
        f"<!DOCTYPE html><html lang=en><head><title>T</title>{head}</head>"
        f"<body>{body}</body></html>"
    )


@pytest.fixture
def root(tmp_path):
    folder = tmp_path / "root"
    folder.mkdir()
    (folder / "ok.css").write_text("p { color: red }", encoding="utf-8")
    return folder


@pytest.fixture
def secret(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text("TOP-SECRET-CONTENT", encoding="utf-8")
    return path


def test_harfbuzz_subset_is_used():
    # Without libharfbuzz-subset0 WeasyPrint falls back to fontTools: slower, a
    # deprecation warning per font, and bytes that are not reproducible.
    assert harfbuzz_subset_available()


def test_font_configuration_is_one_per_process():
    assert font_configuration() is font_configuration()


def test_fetcher_is_a_v70_url_fetcher(root):
    from weasyprint.urls import URLFetcher

    assert isinstance(restricted_fetcher([root]), URLFetcher)


def test_fetcher_serves_files_under_roots_and_data_urls(root):
    fetcher = restricted_fetcher([root])
    response = fetcher.fetch((root / "ok.css").as_uri())
    assert response.read() == b"p { color: red }"
    assert response.content_type == "text/css"
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/x.css",
        "https://example.com/x.css",
        "ftp://example.com/x",
        "file://evil.example.com/etc/passwd",
        "file:///etc/passwd",
        "javascript:alert(1)",
    ],
)
def test_fetcher_refuses_other_urls(root, url):
    from weasyprint.urls import URLFetchingError

    with pytest.raises(URLFetchingError):
        restricted_fetcher([root]).fetch(url)


def test_fetcher_refuses_escapes_through_dotdot_and_symlinks(root, secret):
    from weasyprint.urls import URLFetchingError

    fetcher = restricted_fetcher([root])
    with pytest.raises(URLFetchingError):
        fetcher.fetch(root.as_uri() + "/../secret.txt")
    os.symlink(secret, root / "link.txt")
    with pytest.raises(URLFetchingError):
        fetcher.fetch((root / "link.txt").as_uri())
    with pytest.raises(URLFetchingError):
        fetcher.fetch((root / "missing.css").as_uri())
    with pytest.raises(URLFetchingError):
        fetcher.fetch(root.as_uri())  # a folder is not a file


def test_attachment_link_does_not_embed_local_files(root, secret):
    html = page(
        "<p>hello</p>",
        head=f'<link rel="attachment" href="{secret.as_uri()}">'
        '<link rel="attachment" href="file:///etc/passwd">',
    )
    with weasyprint_messages() as messages:
        pdf = html_to_pdf(html, base_url=root, allowed_roots=[root], strict=False)
    assert b"TOP-SECRET" not in pdf
    assert b"root:x:0:0" not in pdf
    assert b"EmbeddedFile" not in pdf
    assert not PdfReader(io.BytesIO(pdf)).attachments
    assert any("attachment" in m.getMessage() for m in messages)
    with pytest.raises(OutputError, match="could not be rendered cleanly"):
        html_to_pdf(html, base_url=root, allowed_roots=[root])


def test_remote_and_outside_resources_are_not_fetched(root, secret):
    html = page(
        f'<img src="http://127.0.0.1:9/x.png"><img src="{secret.as_uri()}">'
        '<link rel="stylesheet" href="ok.css"><p>x</p>'
    )
    with weasyprint_messages() as messages:
        html_to_pdf(html, base_url=root, allowed_roots=[root], strict=False)
    text = " ".join(m.getMessage() for m in messages)
    assert "127.0.0.1" in text and "secret.txt" in text
    assert "ok.css" not in text  # the allowed stylesheet loaded without complaint


def test_identical_inputs_give_identical_bytes(root):
    html = page("<h1>Same</h1><p>Every time.</p>")
    first = html_to_pdf(html, base_url=root, allowed_roots=[root])
    second = html_to_pdf(html, base_url=root, allowed_roots=[root])
    assert first == second
    other = html_to_pdf(page("<h1>Other</h1>"), base_url=root, allowed_roots=[root])
    assert other != first
    assert b"/CreationDate" not in first and b"/ModDate" not in first


def test_metadata_and_explicit_dates(root):
    pdf = html_to_pdf(
        page("<p>x</p>"),
        base_url=root,
        allowed_roots=[root],
        title="A title",
        authors=["Consultancy"],
        created="2024-05-01T09:00:00Z",
    )
    meta = PdfReader(io.BytesIO(pdf)).metadata
    assert meta.title == "A title"
    assert meta.author == "Consultancy"
    assert meta["/CreationDate"].startswith("D:20240501")


def test_pdf_is_tagged(root):
    pdf = html_to_pdf(page("<p>x</p>"), base_url=root, allowed_roots=[root])
    reader = PdfReader(io.BytesIO(pdf))
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog
    assert catalog["/MarkInfo"]["/Marked"]
    assert catalog["/Lang"] == "en"


def test_several_documents_keep_their_own_page_numbers(root):
    css = (
        "<style>@page { size: A6; @bottom-center { content: element(f) } }"
        ".f { position: running(f) } .n::before { content: counter(page) }"
        ".c::before { content: counter(pages) }</style>"
    )
    body = '<div class="f">P<span class="n"></span>/<span class="c"></span></div>'
    docs = [page(body + "<p>x</p>" * n, head=css) for n in (60, 30)]
    reader = PdfReader(io.BytesIO(html_to_pdf(docs, base_url=root, allowed_roots=[root])))
    footers = [p.extract_text().split()[-1] for p in reader.pages]
    first, second = int(footers[0].split("/")[1]), int(footers[-1].split("/")[1])
    assert len(reader.pages) == first + second
    assert footers[first] == f"P1/{second}"


def test_messages_are_collected_and_logger_restored():
    logger = logging.getLogger("weasyprint")
    before = logger.level
    with weasyprint_messages() as messages:
        logger.warning("a warning")
        logger.info("not collected")
    logger.warning("after")
    assert [m.getMessage() for m in messages] == ["a warning"]
    assert logger.level == before


def test_no_html_is_an_error(root):
    from surveyor.errors import SurveyorError

    with pytest.raises(SurveyorError):
        html_to_pdf([], base_url=root, allowed_roots=[root])


def test_importing_weasyprint_warns_nothing_about_harfbuzz():
    import subprocess
    import sys

    code = (
        "import warnings\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    warnings.simplefilter('always')\n"
        "    import weasyprint.text.ffi\n"
        "print([str(w.message) for w in caught if 'HarfBuzz' in str(w.message)])\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
