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
from collections.abc import Iterator, Sequence
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from .errors import OutputError, SurveyorError

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
        if len(rendered) > 1:
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
        pdf = _write(document, digest, (*sources, repr(described)))
    if strict and errors:
        raise OutputError(f"the PDF could not be rendered cleanly: {errors[0].getMessage()}")
    return pdf


def _write(document, digest, parts) -> bytes:
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


# ------------------------------------------------------------- copies laid out once


def html_copies_to_pdf(
    html: str,
    values: Sequence[str],
    *,
    base_url: Path,
    allowed_roots: Sequence[Path],
    title: str | None = None,
    strict: bool = True,
) -> bytes:
    """Print one document several times, each copy with its own text, as one PDF.

    Copy ``i`` is ``html`` with every occurrence of ``values[0]`` replaced by
    ``values[i]`` (a respondent code, say); each copy starts on a new page and counts its
    own "Page X of Y", as when several documents are given to :func:`html_to_pdf`.

    Parameters
    ----------
    html
        The first copy. ``values[0]`` must appear in it only as the whole text of
        elements (``<td>K7QD-001-M</td>``), never in attributes or mixed with other text.
    values
        The text that differs between copies, one per copy, in print order.
    base_url, allowed_roots, title, strict
        As for :func:`html_to_pdf`.

    Returns
    -------
    bytes
        A tagged PDF; identical inputs give identical bytes.

    Raises
    ------
    SurveyorError
        When ``values`` is empty or ``html`` does not show ``values[0]`` as whole texts.
    OutputError
        With ``strict``, when WeasyPrint reports an error while rendering.

    Notes
    -----
    WeasyPrint keeps every laid-out page in memory until the PDF is written, and laying
    a copy out costs more than painting it, so a pack laid out copy by copy grows by
    megabytes and most of a second per copy. Here the document is laid out once and its
    pages are painted once per copy, with the text boxes that show ``values[0]``
    switched to the copy's value just before painting: memory stays flat and a copy
    costs only its painting. This is exact when the variable text ends its line and is
    aligned to the start (as in a fields box or a footer), so a different value moves
    nothing else; the layout is checked for that. The layout is made with the widest
    value, so boxes sized by their content (page margin boxes) have room for every
    value; a copy whose value would still not fit is laid out on its own. When the check fails
    (a brand template that centres the text, say), every copy is laid out on its own,
    as :func:`html_to_pdf` would.
    """
    from weasyprint import HTML

    values = list(values)
    if not values:
        raise SurveyorError("nothing to render: no copies asked for")
    first = values[0]
    if not first or html.count(first) != html.count(f">{first}<"):
        raise SurveyorError(
            f"'{first}' must appear in the document only as the whole text of elements"
        )
    fetcher = restricted_fetcher(allowed_roots)
    base = Path(base_url).resolve().as_uri() + "/"

    def render(source: str):
        return HTML(string=source, base_url=base, url_fetcher=fetcher).render(
            font_config=font_configuration(), presentational_hints=False
        )

    with weasyprint_messages(logging.ERROR) as errors:
        template = render(html)
        variable = _VariableText.find(template.pages, first)
        if variable is not None:
            # Lay out with the widest value, so that a box sized by its content (a page
            # margin box) leaves room for every other value.
            widest = variable.widest(values)
            if widest != first and widest not in html:
                template = render(html.replace(first, widest))
                variable = _VariableText.find(template.pages, widest)
        pages = []
        for value in values:
            if variable is not None and variable.fits(value):
                pages.extend(_RepaintedPage(page, variable, value) for page in template.pages)
            else:
                pages.extend(render(html.replace(first, value)).pages)
        document = template.copy(pages)
        if title is not None:
            document.metadata.title = title
        described = repr((document.metadata.title, document.metadata.lang))
        with _indexed_page_references():
            pdf = _write(document, hashlib.sha256(), (html, *values, described))
    if strict and errors:
        raise OutputError(f"the PDF could not be rendered cleanly: {errors[0].getMessage()}")
    return pdf


@contextlib.contextmanager
def _indexed_page_references() -> Iterator[None]:
    """Let WeasyPrint's PDF writer look page references up in constant time.

    pydyf 0.13 rebuilds the tuple of all page references on every lookup, and
    WeasyPrint's tagging looks one up for every structure element, so tagging grows
    with the square of the page count: minutes for a pack of a few hundred copies.
    While the block runs, ``weasyprint.pdf`` builds its PDF from a subclass that
    rebuilds the tuple only when a page was added; the bytes written are the same.
    """
    import pydyf
    import weasyprint.pdf as weasyprint_pdf

    class IndexedPDF(pydyf.PDF):
        @property
        def page_references(self):
            count = len(self.pages["Kids"])
            if getattr(self, "_references", (None,))[0] != count:
                self._references = (count, pydyf.PDF.page_references.fget(self))
            return self._references[1]

    class Pydyf:
        PDF = IndexedPDF

        def __getattr__(self, name):
            return getattr(pydyf, name)

    previous = weasyprint_pdf.pydyf
    weasyprint_pdf.pydyf = Pydyf()
    try:
        yield
    finally:
        weasyprint_pdf.pydyf = previous


class _RepaintedPage:
    """A laid-out page painted again for another copy: WeasyPrint's PDF writer reads a
    page's geometry, links and box tree, then calls ``paint``; only painting differs."""

    def __init__(self, page, variable: _VariableText, value: str):
        self._page = page
        self._variable = variable
        self._value = value

    def __getattr__(self, name):
        return getattr(self._page, name)

    def paint(self, stream, scale=1):
        self._variable.show(self._value)
        self._page.paint(stream, scale)
        _freeze(stream)


class _VariableText:
    """The text boxes of a laid-out document that show the variable text.

    Pages are painted one after another and their tags are built from the box tree
    afterwards, which reads no text, so switching these boxes' text between the pages
    of two copies prints each copy with its own value.
    """

    def __init__(self, boxes):
        # (text box, right edge of the room its line leaves it)
        self.boxes = boxes
        self._widths: dict[tuple[int, str], float] = {}

    @classmethod
    def find(cls, pages, text: str) -> _VariableText | None:
        """The boxes showing ``text``, or None when switching them could move other
        content (text not at the end of a start-aligned line, split or transformed)."""
        from weasyprint.formatting_structure import boxes as wboxes

        found = []

        def walk(box, block, line) -> bool:
            if isinstance(box, wboxes.TextBox):
                if box.text != text:
                    # the text split over two lines, or changed by CSS (text-transform)
                    return text not in box.text and text not in _own_text(box.element)
                if line is None or _last_leaf(line) is not box:
                    return False
                style = block.style
                if style["direction"] != "ltr" or style["text_align_all"] not in (
                    "start", "left"
                ):
                    return False
                found.append((box, block.content_box_x() + block.width))
                return True
            if isinstance(box, wboxes.LineBox):
                line = box
            elif isinstance(box, wboxes.BlockContainerBox):
                block, line = box, None
            return all(walk(child, block, line) for child in getattr(box, "children", ()))

        for page in pages:
            if not walk(page._page_box, page._page_box, None):
                return None
        if not found:
            return None
        variable = cls(found)
        # The measurement must agree with the layout, or the room check means nothing.
        for box, _ in found:
            if abs(variable._width(box, text) - box.width) > 1e-3:
                return None
        return variable

    def fits(self, value: str) -> bool:
        """Whether every box has room for ``value`` on its line."""
        return all(
            box.position_x + self._width(box, value) <= right + 1e-6
            for box, right in self.boxes
        )

    def widest(self, values: Sequence[str]) -> str:
        """The value that takes most room, over all the boxes' styles."""
        styles = {id(box.style): box for box, _ in self.boxes}.values()
        return max(values, key=lambda value: sum(self._width(box, value) for box in styles))

    def show(self, value: str) -> None:
        """Make every box show ``value``."""
        for box, _ in self.boxes:
            if box.text != value:
                box.width = self._width(box, value)
                box.text = value
                # WeasyPrint rebuilds the Pango layout from this text when painting.
                box.pango_layout.text = value

    def _width(self, box, value: str) -> float:
        key = (id(box.style), value)
        if key not in self._widths:
            from weasyprint.text.line_break import Layout, line_size

            layout = Layout(box.style, box.justification_spacing)
            layout.set_text(value)
            line, _ = layout.get_first_line()
            self._widths[key] = line_size(line, box.style)[0]
        return self._widths[key]


def _freeze(stream) -> None:
    """Join a painted page's drawing operators into one bytes object.

    pydyf keeps a page's operators as a list of small objects until the PDF is written
    (megabytes per page of a dense grid) and joins them with newlines then; joining
    them as soon as the page is painted writes the same bytes from a fraction of the
    memory. Nothing is drawn into a page's stream after its ``paint``.
    """
    from pydyf import Stream

    serialized = Stream(stream.stream).data  # <</Length n>> stream ... endstream
    start = serialized.index(b"\nstream\n") + len(b"\nstream\n")
    stream.stream = [serialized[start : -len(b"\nendstream")]]


def _last_leaf(box):
    """The last box in ``box`` that has no children and shows something, or None."""
    from weasyprint.formatting_structure import boxes as wboxes

    if not isinstance(box, wboxes.ParentBox):
        is_blank = isinstance(box, wboxes.TextBox) and not box.text.strip()
        return None if is_blank else box
    for child in reversed(box.children):
        leaf = _last_leaf(child)
        if leaf is not None:
            return leaf
    return None


def _own_text(element) -> str:
    """The text directly inside ``element`` (not inside its children)."""
    if element is None:
        return ""
    return (element.text or "") + "".join(child.tail or "" for child in element)
