"""One document printed many times, each copy with its own text, laid out only once.

Pre-filled questionnaire packs differ from copy to copy only in a short code: laying
out every copy again cost 0.75 s and 8 MB a copy. Here the first copy is laid out, the
boxes showing its code are found, and each copy's pages are painted from that layout
with the boxes switched to the copy's code.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from surveyor.errors import OutputError, SurveyorError
from surveyor.typeset.pdf import (
    StampedPage,
    font_configuration,
    restricted_fetcher,
    weasyprint_messages,
    write_document,
)


def html_copies_to_pdf(
    html: str,
    values: Sequence[str],
    *,
    base_url: Path,
    allowed_roots: Sequence[Path],
    title: str | None = None,
    strict: bool = True,
    stamp: Callable | None = None,
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
    base_url, allowed_roots, title, strict, stamp
        As for :func:`html_to_pdf` (``stamp`` is given the copy's index as its first
        argument).

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
        for index, value in enumerate(values):
            if variable is not None and variable.fits(value):
                copy_pages = [_RepaintedPage(page, variable, value) for page in template.pages]
            else:
                copy_pages = render(html.replace(first, value)).pages
            if stamp is not None:
                count = len(copy_pages)
                copy_pages = [
                    StampedPage(page, stamp(index, number, count, page))
                    for number, page in enumerate(copy_pages)
                ]
            pages.extend(copy_pages)
        document = template.copy(pages)
        if title is not None:
            document.metadata.title = title
        described = repr((document.metadata.title, document.metadata.lang))
        with _indexed_page_references():
            pdf = write_document(document, hashlib.sha256(), (html, *values, described))
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
