"""The printable questionnaire: its context, its respondent codes and its HTML.

Pure functions: an :class:`~surveyor.instrument.model.Instrument` and
:class:`QuestionnaireOptions` in, a :class:`QuestionnaireContext` and HTML strings out.
Writing files is :mod:`surveyor.instrument.build`'s job.

Respondent codes
----------------
A pre-filled pack prints ``count`` copies for one organisation and set, each with its own
code such as ``K7QD-007-M``:

- ``K7QD``: the *pack code*, four symbols derived from a hash of the organisation and set
  names (or ``code_prefix`` when given), so packs for different sets get different codes
  and the same pack gets the same codes on every build; it reveals nothing about a person
  and the names cannot be read back from it;
- ``007``: the copy's serial number in the pack (three digits, four above 999);
- ``M``: a check symbol (Luhn mod 32), so a mistyped character (and most swaps of two
  adjacent ones) in keyed-in data is caught by :func:`respondent_code_valid`.

Codes use Crockford's base-32 symbols: digits and upper-case letters without ``I``,
``L``, ``O`` and ``U``, so nothing is misread as ``1`` or ``0`` in handwriting.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from surveyor.errors import SurveyorError

if TYPE_CHECKING:
    import jinja2

    from surveyor.instrument.model import Instrument

# Crockford's base 32: no I, L, O (read as 1 and 0) or U; an even size, as Luhn mod N needs.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PACK_CODE_LENGTH = 4
MAX_COPIES = 1000
PAPER_SIZES = {"a4": "A4", "letter": "letter"}
DEFAULT_MIN_GROUP_SIZE = 5
MARKING_INSTRUCTIONS = (
    "Use a dark pen. Tick or cross one box for each statement. To change an answer, "
    "fill the wrong box in completely and tick the right one."
)
RETURN_INSTRUCTIONS = (
    "Hand the form back unfolded, as your set adviser asks. The black squares and the "
    "code on each page let it be read by machine: please do not write on them. The code "
    "names the questionnaire, the page and any respondent code, never you."
)
_PREFIX = re.compile(rf"^[{CODE_ALPHABET}]{{1,8}}$")


@dataclass(frozen=True)
class QuestionnaireOptions:
    """How to print a questionnaire.

    Attributes
    ----------
    paper
        ``"a4"`` (default) or ``"letter"``.
    large_print
        16 pt body text, larger tick boxes.
    organization, set
        Printed in the fields box; give both (with ``count``) for a pre-filled pack.
    count
        Number of pre-filled copies, 1 to 1000; ``None`` for one blank questionnaire
        (or, when ``organization`` and ``set`` are given, one pre-filled copy).
    code_prefix
        Replaces the pack code derived from the organisation and set names
        (1 to 8 of the code symbols).
    first_serial
        Serial number of the first copy, so a second pack for the same set can continue
        where the first stopped instead of repeating its codes.
    min_group_size
        Quoted in the default confidentiality statement.
    """

    paper: str = "a4"
    large_print: bool = False
    organization: str | None = None
    set: str | None = None
    count: int | None = None
    code_prefix: str | None = None
    first_serial: int = 1
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE

    def validated(self) -> QuestionnaireOptions:
        """Return the options with names trimmed and case normalised, or raise."""
        paper = str(self.paper).lower()
        if paper not in PAPER_SIZES:
            raise SurveyorError(f"paper '{self.paper}' is not available; use a4 or letter")
        organization = _clean(self.organization)
        set_name = _clean(self.set)
        if (organization is None) != (set_name is None):
            raise SurveyorError("give both --organization and --set for a pre-filled pack")
        if self.count is not None:
            if organization is None:
                raise SurveyorError("--count needs --organization and --set")
            if isinstance(self.count, bool) or not 1 <= self.count <= MAX_COPIES:
                raise SurveyorError(f"--count must be between 1 and {MAX_COPIES}, not {self.count}")
        prefix = None
        if self.code_prefix is not None:
            prefix = self.code_prefix.strip().upper()
            if not _PREFIX.match(prefix):
                raise SurveyorError(
                    f"code prefix '{self.code_prefix}' must be 1 to 8 letters or digits "
                    "(no I, L, O or U)"
                )
        if self.first_serial < 1:
            raise SurveyorError(
                f"the first serial number must be 1 or more, not {self.first_serial}"
            )
        if self.min_group_size < 1:
            raise SurveyorError(
                f"the minimum group size must be 1 or more, not {self.min_group_size}"
            )
        return replace(
            self, paper=paper, organization=organization, set=set_name, code_prefix=prefix
        )

    @property
    def is_pack(self) -> bool:
        return _clean(self.organization) is not None


@dataclass(frozen=True)
class Copy:
    """One printed copy: what its fields box shows (empty strings on a blank form)."""

    organization: str = ""
    set: str = ""
    respondent_code: str = ""


@dataclass(frozen=True)
class ItemRow:
    """One row of the tick-box grid; ``heading`` is a section heading printed above it
    (where the instrument's section changes), else empty."""

    number: int
    id: str
    text: str
    heading: str = ""


@dataclass(frozen=True)
class QuestionnaireContext:
    """Everything ``questionnaire.html`` receives; the template decides nothing.

    Attributes
    ----------
    lang, title, page_size, document_class
        What ``base.html`` needs: the ``lang`` attribute, ``<title>``, the CSS page size
        (``A4`` or ``letter``) and the ``<html>`` class (``questionnaire`` plus
        ``large-print`` when asked).
    instrument_id, version, citation
        From the instrument; id and version appear in every page footer.
    introduction, confidentiality, instructions
        Paragraphs of text.
    scale_labels, missing_labels
        Column heads of the grid: the scale, then the never-scored options
        ("Don't know / not applicable"), set apart by a gap.
    items
        Grid rows in the instrument's order, numbered from 1.
    stacked, statement_colspan
        Large print puts each statement on a full-width row (spanning
        ``statement_colspan`` columns) with its boxes on the row below, so 16 pt text
        is not squeezed into a narrow column.
    copies
        The copies to print: one blank copy, or one per respondent code in a pack.
    marking, returning
        How to mark a box (and correct a mark) so the form can be read by machine, and
        what to do with the finished form.
    blank_last_page
        End each copy with a page left blank: large print is printed on an even number
        of pages (set by the build once it knows the page count).
    """

    lang: str
    title: str
    page_size: str
    document_class: str
    instrument_id: str
    version: str
    citation: str
    introduction: tuple[str, ...]
    confidentiality: tuple[str, ...]
    instructions: tuple[str, ...]
    scale_labels: tuple[str, ...]
    missing_labels: tuple[str, ...]
    items: tuple[ItemRow, ...]
    stacked: bool = False
    statement_colspan: int = 1
    copies: tuple[Copy, ...] = field(default=(Copy(),))
    marking: str = ""
    returning: str = ""
    blank_last_page: bool = False

    def as_dict(self) -> dict:
        """The template variables (a shallow mapping of the fields)."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    def for_copy(self, index: int) -> QuestionnaireContext:
        """The same questionnaire with only copy ``index`` (to lay each copy out alone)."""
        return replace(self, copies=(self.copies[index],))


def questionnaire_context(
    instrument: Instrument, options: QuestionnaireOptions | None = None
) -> QuestionnaireContext:
    """Build the template context for printing ``instrument``.

    Parameters
    ----------
    instrument
        A validated instrument.
    options
        Paper, print size and pack settings; validated here.

    Returns
    -------
    QuestionnaireContext

    Raises
    ------
    SurveyorError
        When the options are inconsistent (``count`` without names, bad paper size...).
    """
    options = (options or QuestionnaireOptions()).validated()
    classes = ["questionnaire"] + (["large-print"] if options.large_print else [])
    scale = instrument.scale
    return QuestionnaireContext(
        lang=instrument.language,
        title=instrument.title,
        page_size=PAPER_SIZES[options.paper],
        document_class=" ".join(classes),
        instrument_id=instrument.id,
        version=instrument.version,
        citation=instrument.citation,
        introduction=paragraphs(instrument.introduction),
        confidentiality=paragraphs(instrument.confidentiality)
        or (default_confidentiality(options.min_group_size),),
        instructions=paragraphs(instrument.instructions)
        or (default_instructions(scale.missing),),
        scale_labels=tuple(scale.labels),
        missing_labels=tuple(scale.missing),
        items=tuple(
            ItemRow(
                number=i, id=item.id, text=item.text,
                heading=item.section
                if item.section and (i == 1 or instrument.items[i - 2].section != item.section)
                else "",
            )
            for i, item in enumerate(instrument.items, start=1)
        ),
        stacked=options.large_print,
        # the text cell spans itself, the scale columns, and the gap plus "don't know"
        statement_colspan=1 + len(scale.labels) + (1 + len(scale.missing) if scale.missing else 0),
        copies=copies_for(options),
        marking=MARKING_INSTRUCTIONS,
        returning=RETURN_INSTRUCTIONS,
    )


def copies_for(options: QuestionnaireOptions) -> tuple[Copy, ...]:
    """The copies a set of (validated) options asks for."""
    if not options.is_pack:
        return (Copy(),)
    codes = respondent_codes(
        options.organization,
        options.set,
        options.count or 1,
        prefix=options.code_prefix,
        first=options.first_serial,
    )
    return tuple(
        Copy(organization=options.organization, set=options.set, respondent_code=code)
        for code in codes
    )


def render_questionnaire(context: QuestionnaireContext, env: jinja2.Environment) -> str:
    """Render ``questionnaire.html`` with every copy in one HTML document."""
    return env.get_template("questionnaire.html").render(context.as_dict())


def render_copies(context: QuestionnaireContext, env: jinja2.Environment) -> list[str]:
    """Render each copy as its own HTML document.

    Laid out separately and joined into one PDF (see :func:`surveyor.typeset.pdf.html_to_pdf`),
    every copy starts on a new page and counts its own "Page X of Y".
    """
    template = env.get_template("questionnaire.html")
    return [
        template.render(context.for_copy(i).as_dict()) for i in range(len(context.copies))
    ]


def render_pack(context: QuestionnaireContext, env: jinja2.Environment) -> str | None:
    """The first copy's HTML, when every copy is that HTML with its own respondent code.

    Then the copies differ by nothing but the code, and
    :func:`~surveyor.instrument.copies.html_copies_to_pdf` can lay the questionnaire out
    once and print each copy from that layout. A brand template that prints a copy any
    other way (the code in an attribute, say, or something that depends on it) gives
    ``None``, and the
    copies are laid out one by one from :func:`render_copies`.
    """
    template = env.get_template("questionnaire.html")
    first_code = context.copies[0].respondent_code
    if not first_code:
        return None
    first = template.render(context.for_copy(0).as_dict())
    if first.count(first_code) != first.count(f">{first_code}<"):
        return None
    # Rendering a copy costs milliseconds, laying one out most of a second: check them all.
    for index in range(1, len(context.copies)):
        code = context.copies[index].respondent_code
        expected = first.replace(first_code, code)
        if code in first or template.render(context.for_copy(index).as_dict()) != expected:
            return None
    return first


# -------------------------------------------------------------------- respondent codes


def pack_code(organization: str, set_name: str) -> str:
    """Four code symbols derived from the organisation and set names (case and spacing
    ignored), the same on every build."""
    key = f"{_normal(organization)}\x1f{_normal(set_name)}".encode()
    number = int.from_bytes(hashlib.sha256(key).digest()[:8], "big")
    symbols = []
    for _ in range(PACK_CODE_LENGTH):
        number, index = divmod(number, len(CODE_ALPHABET))
        symbols.append(CODE_ALPHABET[index])
    return "".join(symbols)


def respondent_codes(
    organization: str, set_name: str, count: int, *, prefix: str | None = None, first: int = 1
) -> list[str]:
    """``count`` distinct respondent codes for a pack, e.g. ``["K7QD-001-M", ...]``.

    Parameters
    ----------
    organization, set_name
        The pack's names, hashed into the pack code unless ``prefix`` is given.
    count
        Number of codes.
    prefix
        Pack code to use instead of the hash (letters and digits, no I, L, O or U).
    first
        Serial number of the first code.
    """
    pack = prefix or pack_code(organization, set_name)
    last = first + count - 1
    width = max(3, len(str(last)))
    codes = []
    for serial in range(first, last + 1):
        body = f"{pack}-{serial:0{width}d}"
        codes.append(f"{body}-{_check_symbol(body)}")
    return codes


def respondent_code_valid(code: str) -> bool:
    """Whether ``code`` has the respondent-code shape and its check symbol matches."""
    parts = str(code).strip().upper().split("-")
    if len(parts) != 3 or not all(parts) or len(parts[2]) != 1:
        return False
    body = f"{parts[0]}-{parts[1]}"
    if not parts[1].isdigit() or any(ch not in CODE_ALPHABET for ch in parts[0]):
        return False
    return _check_symbol(body) == parts[2]


def _check_symbol(body: str) -> str:
    # Luhn mod N (N = 32): catches every single-symbol error and most adjacent swaps.
    n = len(CODE_ALPHABET)
    total = 0
    factor = 2
    for symbol in reversed(body.replace("-", "")):
        addend = factor * CODE_ALPHABET.index(symbol)
        total += addend // n + addend % n
        factor = 1 if factor == 2 else 2
    return CODE_ALPHABET[(n - total % n) % n]


# ---------------------------------------------------------------------------- text


def paragraphs(text: str) -> tuple[str, ...]:
    """Split text at blank lines into paragraphs, each with its whitespace collapsed."""
    blocks = re.split(r"\n\s*\n", text or "")
    return tuple(" ".join(block.split()) for block in blocks if block.strip())


def default_confidentiality(min_group_size: int) -> str:
    return (
        "Your answers are confidential. No one in your organisation will see your "
        "individual answers: results are only reported for groups of at least "
        f"{min_group_size} people, and never in a way that could identify you."
    )


def default_instructions(missing: tuple[str, ...]) -> str:
    text = (
        "For each statement, please tick one box to show how far you agree with it. "
        "There are no right or wrong answers; your first reaction is usually the best guide."
    )
    if missing:
        text += (
            " If you do not know, or a statement does not apply to you, tick "
            f"\u201c{missing[0]}\u201d."
        )
    return text


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = " ".join(str(value).split())
    return value or None


def _normal(value: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", value).casefold().split())
