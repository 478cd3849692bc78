"""HTML to PDF with WeasyPrint: restricted fetching, tagged and reproducible output.

- WeasyPrint fetches only ``data:`` URLs and files under the folders the caller allows
  (the shipped templates, the brand folder, the fonts). Its default fetcher would follow
  http(s), ftp and any ``file:`` URL, so a group named ``<link rel=attachment
  href=file:///etc/passwd>`` could otherwise embed a local file into a report.
- Identical inputs give byte-identical PDFs: the file identifier is derived from the
  content, and no creation date is written unless the caller passes one.
- WeasyPrint's ``FontConfiguration`` is created once per process and reused (see
  :func:`font_configuration`): a new one per document leaks memory and re-reads fonts.
- :func:`weasyprint_messages` collects what WeasyPrint logs, so tests can fail on any
  warning or error.

WeasyPrint is imported inside the functions so that ``surveyor --help`` needs no Pango.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import mimetypes
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from surveyor.errors import OutputError, SurveyorError

WEASYPRINT_LOGGER = "weasyprint"


@functools.cache
def font_configuration():
    """The process's one WeasyPrint ``FontConfiguration``.

    A documented per-process cache: reports are rendered in worker processes (WeasyPrint
    layout holds the GIL), and each worker reuses this object for every document it
    renders. ``@font-face`` fonts are registered once per configuration.
    """
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def harfbuzz_subset_available() -> bool:
    """Whether WeasyPrint found ``libharfbuzz-subset`` (else it subsets with fontTools,
    logs a deprecation warning per font, runs slower and is not reproducible)."""
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    return harfbuzz_subset is not None and bool(harfbuzz.hb_version_atleast(4, 1, 0))


@functools.cache
def _fetcher_class():
    """Build the fetcher class on first use, so importing this module stays cheap."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse, URLFetchingError

    class RestrictedURLFetcher(URLFetcher):
        """Serve ``data:`` URLs and files under ``allowed_roots``; refuse everything else."""

        def __init__(self, allowed_roots: Sequence[Path], **kwargs):
            super().__init__(allowed_protocols=("file", "data"), allow_redirects=False, **kwargs)
            # Resolve once: a root reached through a symlink is compared by its target.
            self.allowed_roots = tuple(Path(root).resolve() for root in allowed_roots)

        def fetch(self, url, headers=None):
            scheme = url.split(":", 1)[0].lower() if ":" in url else ""
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme != "file":
                raise URLFetchingError(f"refused to fetch {url}: only local assets are used")
            path = self.allowed_path(url)
            if path is None:
                raise URLFetchingError(f"refused to fetch {url}: outside the allowed folders")
            try:
                body = path.read_bytes()
            except OSError as exc:
                raise URLFetchingError(f"cannot read {url} ({exc.strerror})") from exc
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body, {"Content-Type": content_type})

        def allowed_path(self, url: str) -> Path | None:
            """The resolved file a ``file:`` URL names, if it is a file under a root."""
            parts = urlsplit(url)
            if parts.netloc not in ("", "localhost"):
                return None
            try:
                # resolve() follows symlinks and '..', so neither can climb out of a root.
                path = Path(url2pathname(unquote(parts.path))).resolve(strict=True)
            except (OSError, RuntimeError, ValueError):
                return None
            if not path.is_file():
                return None
            if any(path.is_relative_to(root) for root in self.allowed_roots):
                return path
            return None

    return RestrictedURLFetcher


def restricted_fetcher(allowed_roots: Sequence[Path]):
    """A ``weasyprint.urls.URLFetcher`` that serves only ``data:`` URLs and files under
    ``allowed_roots`` (after resolving symlinks and ``..``); any other URL raises
    ``URLFetchingError``, which WeasyPrint logs as an error and skips."""
    return _fetcher_class()(allowed_roots)


def html_to_pdf(
    html: str | Sequence[str],
    *,
    base_url: Path,
    allowed_roots: Sequence[Path],
    title: str | None = None,
    authors: Sequence[str] = (),
    description: str | None = None,
    keywords: Sequence[str] = (),
    created: str | None = None,
    modified: str | None = None,
    strict: bool = True,
    identity: str | Sequence[str] | None = None,
    stamp: Callable[[int, int, int, object], Callable | None] | None = None,
) -> bytes:
    """Render HTML to a tagged, reproducible PDF.

    Parameters
    ----------
    html
        One HTML document, or several: each is laid out on its own (so each keeps its own
        "Page X of Y") and their pages are joined into one PDF, with the first document's
        metadata.
    base_url
        Folder that relative URLs in the HTML resolve against.
    allowed_roots
        Folders WeasyPrint may read files from; ``data:`` URLs are always allowed.
    title, authors, description, keywords
        PDF metadata; when not given, taken from ``<title>`` and ``<meta>`` in the HTML.
    created, modified
        W3C dates (``2024-05-01`` or ``2024-05-01T09:00:00Z``) for the PDF's creation and
        modification dates. Omitted by default, which keeps the bytes reproducible.
    strict
        Raise when WeasyPrint logs an error (a refused or missing resource), instead of
        producing a PDF without it.
    identity
        The text the file identifier is derived from in place of ``html``. A copy of a
        document made self-contained for another machine (fonts inlined as ``data:``
        URLs) passes the original here, so both render to the same bytes.

    Returns
    -------
    bytes
        The PDF. Identical inputs give identical bytes: the file identifier is a hash of
        the inputs.

    Raises
    ------
    OutputError
        With ``strict``, when WeasyPrint reports an error while rendering.
    """
    from weasyprint import HTML

    documents = [html] if isinstance(html, str) else list(html)
    if not documents:
        raise SurveyorError("nothing to render: no HTML document given")
    fetcher = restricted_fetcher(allowed_roots)
    base = Path(base_url).resolve().as_uri() + "/"
    with weasyprint_messages(logging.ERROR) as errors:
        rendered = [
            HTML(string=source, base_url=base, url_fetcher=fetcher).render(
                font_config=font_configuration(), presentational_hints=False
            )
            for source in documents
        ]
        document = rendered[0]
        if stamp is not None:
            pages = []
            for index, doc in enumerate(rendered):
                count = len(doc.pages)
                pages.extend(
                    StampedPage(page, stamp(index, number, count, page))
                    for number, page in enumerate(doc.pages)
                )
            document = document.copy(pages)
        elif len(rendered) > 1:
            document = document.copy([page for doc in rendered for page in doc.pages])
        metadata = document.metadata
        if title is not None:
            metadata.title = title
        if authors:
            metadata.authors = list(authors)
        if description is not None:
            metadata.description = description
        if keywords:
            metadata.keywords = list(keywords)
        if created is not None:
            metadata.created = created
        if modified is not None:
            metadata.modified = modified
        digest = hashlib.sha256()
        described = (
            metadata.title, metadata.authors, metadata.description, metadata.keywords,
            metadata.created, metadata.modified, metadata.lang,
        )
        if identity is None:
            sources = documents
        else:
            sources = [identity] if isinstance(identity, str) else list(identity)
        pdf = write_document(document, digest, (*sources, repr(described)))
    if strict and errors:
        raise OutputError(f"the PDF could not be rendered cleanly: {errors[0].getMessage()}")
    return pdf


class StampedPage:
    """A laid-out page with something painted over its content: WeasyPrint's PDF writer
    reads a page's geometry, links and box tree, then calls ``paint``."""

    def __init__(self, page, painter: Callable | None):
        self._page = page
        self._painter = painter

    def __getattr__(self, name):
        return getattr(self._page, name)

    def paint(self, stream, scale=1):
        self._page.paint(stream, scale)
        if self._painter is not None:
            self._painter(stream, scale)


def write_document(document, digest, parts) -> bytes:
    """Write a tagged PDF whose identifier is a hash of ``parts``: same inputs, same bytes."""
    for part in parts:
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return document.write_pdf(
        pdf_identifier=digest.hexdigest()[:32].encode("ascii"),
        pdf_tags=True,
        presentational_hints=False,
    )


@contextlib.contextmanager
def weasyprint_messages(level: int = logging.WARNING) -> Iterator[list[logging.LogRecord]]:
    """Collect the records WeasyPrint logs at ``level`` or above while the block runs.

    Examples
    --------
    >>> with weasyprint_messages() as messages:      # doctest: +SKIP
    ...     pdf = html_to_pdf(html, base_url=root, allowed_roots=[root])
    >>> assert not messages, [m.getMessage() for m in messages]
    """
    logger = logging.getLogger(WEASYPRINT_LOGGER)
    records: list[logging.LogRecord] = []

    class Collector(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Collector(level)
    previous = logger.level
    if previous == logging.NOTSET or previous > level:
        logger.setLevel(level)
    logger.addHandler(handler)
    try:
        yield records
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)
