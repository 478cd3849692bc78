"""``surveyor instrument build``: the printable questionnaire and its data files.

Everything is rendered in memory first and written only when complete, each file through
:mod:`surveyor.files` (temporary name, then rename), so a failure leaves no partial file.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from surveyor import files
from surveyor.csvsafe import csv_text
from surveyor.errors import SurveyorError
from surveyor.instrument.layout import FormLayout, PageLayout, page_layout
from surveyor.instrument.model import Instrument, load_instrument
from surveyor.instrument.pagemarks import PageId, instrument_key, paint_page_marks
from surveyor.instrument.questionnaire import (
    QuestionnaireContext,
    QuestionnaireOptions,
    questionnaire_context,
    render_copies,
    render_pack,
    render_questionnaire,
)

DEFAULT_OUT = Path("output/instruments")
TEMPLATE_COLUMNS = ("respondent_id", "organization", "set")
CODEBOOK_COLUMNS = (
    "item_id", "position", "text", "subscale_id", "subscale_name", "reverse",
    "values", "labels", "missing",
)
LIST_SEPARATOR = "; "


@dataclass(frozen=True)
class BuiltFile:
    """A file the build wrote: its kind (pdf, html, template, codebook), path and sha256."""

    kind: str
    path: Path
    sha256: str


def build_instrument(
    id_or_file: str | Path,
    out_dir: Path = DEFAULT_OUT,
    options: QuestionnaireOptions | None = None,
    template_dirs: Sequence[Path] = (),
) -> list[BuiltFile]:
    """Write the questionnaire PDF and HTML, the data-entry template and the codebook.

    Parameters
    ----------
    id_or_file
        A shipped instrument id or an instrument ``.yaml`` file.
    out_dir
        Output folder, created when missing.
    options
        Paper, large print and pre-filled pack settings.
    template_dirs
        Brand folders searched before the shipped templates.

    Returns
    -------
    list of BuiltFile
        In the order written: pdf, html, template, codebook, layout (where each page's
        tick boxes are, for :mod:`surveyor.scan`). File names start with the
        instrument id; a pre-filled pack adds the organisation and set
        (``learning-inaction-acme-trust-set-a.pdf``) so packs never overwrite the blank
        questionnaire or each other.

    Raises
    ------
    SurveyorError
        Unknown instrument, unreadable or invalid file, inconsistent options.
    OutputError
        When the output folder cannot be created or written.
    """
    from surveyor.instrument.copies import html_copies_to_pdf
    from surveyor.typeset import pdf as pdf_module
    from surveyor.typeset.environment import (
        brand_errors_are_user_errors,
        check_templates,
        inline_fonts,
        make_environment,
        template_roots,
    )

    options = (options or QuestionnaireOptions()).validated()
    instrument = load_instrument(id_or_file)
    check_templates(template_dirs)
    out_dir = files.ensure_dir(Path(out_dir))
    context = questionnaire_context(instrument, options)
    env = make_environment(template_dirs)

    stem = output_stem(instrument.id, options)
    with brand_errors_are_user_errors(env):
        html = inline_fonts(render_questionnaire(context, env))
    roots = template_roots(template_dirs)
    title = f"{instrument.title} (version {instrument.version})"

    def typeset(context: QuestionnaireContext) -> tuple[bytes, PageMarks]:
        with brand_errors_are_user_errors(env):
            first = render_pack(context, env) if len(context.copies) > 1 else None
            copies = render_copies(context, env) if first is None else ""
        marks = PageMarks(instrument, options, context)
        if first is not None:
            # A pack: laid out once, then painted once per copy with its own code.
            codes = [copy.respondent_code for copy in context.copies]
            pdf = html_copies_to_pdf(
                first, codes, base_url=Path(roots[0]), allowed_roots=roots, title=title,
                stamp=marks,
            )
        else:
            pdf = pdf_module.html_to_pdf(
                copies, base_url=Path(roots[0]), allowed_roots=roots, title=title,
                stamp=marks,
            )
        return pdf, marks

    pdf, marks = typeset(context)
    if options.large_print and len(marks.layout.pages) % 2:
        # large print goes on whole sheets printed on both sides: end on an even page
        context = replace(context, blank_last_page=True)
        with brand_errors_are_user_errors(env):
            html = inline_fonts(render_questionnaire(context, env))
        pdf, marks = typeset(context)
    outputs = [
        ("pdf", out_dir / f"{stem}.pdf", pdf),
        ("html", out_dir / f"{stem}.html", html.encode("utf-8")),
        ("template", out_dir / f"{stem}-template.csv", template_csv(instrument, context).encode()),
        ("codebook", out_dir / f"{stem}-codebook.csv", codebook_csv(instrument).encode()),
        ("layout", out_dir / f"{stem}-layout.json", marks.layout.as_json().encode()),
    ]
    return [BuiltFile(kind, path, files.write_bytes(path, data)) for kind, path, data in outputs]


def write_online_form(instrument: Instrument, form_format: str, out_dir: Path) -> Path:
    """Write the instrument as a survey platform imports it; return the file's path.

    ``form_format`` is ``xlsform`` (KoboToolbox, ODK, Enketo: ``<id>-xlsform.xlsx``),
    ``qualtrics`` (``<id>-qualtrics.qsf``) or ``limesurvey`` (survey structure,
    ``<id>-limesurvey.txt``). Each is built so that the platform's export of the answers
    reads with no mapping. Written atomically (:mod:`surveyor.files`).
    """
    from surveyor.instrument import limesurvey, qsf, xlsform

    builders = {
        "xlsform": (xlsform.build_xlsform, "xlsform.xlsx"),
        "qualtrics": (qsf.build_qsf, "qualtrics.qsf"),
        "limesurvey": (limesurvey.build_structure, "limesurvey.txt"),
    }
    if form_format not in builders:
        raise SurveyorError(
            f"unknown form format '{form_format}'; use one of {', '.join(builders)}"
        )
    build, suffix = builders[form_format]
    data = build(instrument)
    path = Path(out_dir) / f"{instrument.id}-{suffix}"
    files.ensure_dir(Path(out_dir))
    files.write_bytes(path, data)
    return path


class PageMarks:
    """The ``stamp`` for the PDF writer: registration marks and a page code on every page
    of every copy, and the layout of the first copy's boxes, read as it is printed."""

    def __init__(self, instrument: Instrument, options: QuestionnaireOptions,
                 context: QuestionnaireContext):
        self.instrument = instrument
        self.options = options
        self.copies = context.copies
        self._pages: dict[int, PageLayout] = {}

    def __call__(self, copy_index: int, page_index: int, page_count: int, page):
        if copy_index == 0:
            self._pages[page_index] = page_layout(page, page_index + 1)
        copy = self.copies[copy_index]
        page_id = PageId(
            instrument=instrument_key(self.instrument.id, self.instrument.version),
            page=page_index + 1, pages=page_count, paper=self.options.paper,
            large_print=self.options.large_print, respondent_code=copy.respondent_code,
        )
        return functools.partial(paint_page_marks, page_id=page_id)

    @property
    def layout(self) -> FormLayout:
        return FormLayout(
            instrument_id=self.instrument.id, version=self.instrument.version,
            paper=self.options.paper, large_print=self.options.large_print,
            pages=tuple(self._pages[i] for i in sorted(self._pages)),
        )


def template_csv(instrument: Instrument, context: QuestionnaireContext) -> str:
    """The data-entry sheet: ``respondent_id,organization,set`` then the item ids.

    A blank questionnaire gives the header only; a pack gives one row per copy with its
    code, organisation and set filled in, ready for the answers to be keyed in.
    """
    header = [*TEMPLATE_COLUMNS, *instrument.item_ids]
    rows = [
        [copy.respondent_code, copy.organization, copy.set, *([""] * len(instrument.items))]
        for copy in context.copies
        if copy.respondent_code
    ]
    return csv_text(header, rows)


def codebook_csv(instrument: Instrument) -> str:
    """One row per item: id, position, text, subscale, reverse keying, values and labels."""
    scale = instrument.scale
    values = LIST_SEPARATOR.join(str(v) for v in scale.values)
    labels = LIST_SEPARATOR.join(scale.labels)
    missing = LIST_SEPARATOR.join(scale.missing)
    rows = []
    for position, item in enumerate(instrument.items, start=1):
        subscale = instrument.subscale(item.subscale)
        rows.append(
            [
                item.id, position, item.text, subscale.id, subscale.name,
                "true" if item.reverse else "false", values, labels, missing,
            ]
        )
    return csv_text(CODEBOOK_COLUMNS, rows)


def output_stem(instrument_id: str, options: QuestionnaireOptions) -> str:
    """``<id>`` for the blank A4 questionnaire, ``<id>-<organisation>-<set>`` for a pack,
    then ``-letter`` and ``-large-print`` for those versions, so that no version of the
    form overwrites another."""
    parts = [instrument_id]
    if options.is_pack:
        parts += [_slug(options.organization), _slug(options.set)]
    if options.paper != "a4":
        parts.append(_slug(options.paper))
    if options.large_print:
        parts.append("large-print")
    return "-".join(parts)


def _slug(text: str, limit: int = 40) -> str:
    # Names become file-name parts: ASCII letters and digits only, so no separator,
    # '..' or control character can reach the path.
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:limit].strip("-")
    # A name with no ASCII letter or digit (all Greek, say) still gets a stable part.
    return slug or "n" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
