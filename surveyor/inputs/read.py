"""The input stage's one entry point: a file walks five steps, once, to ``Responses``.

1. bytes (:mod:`~surveyor.inputs.source`): read once, foreign files refused, sha256;
2. decoded text table (:mod:`~surveyor.inputs.table`, decoding by
   :mod:`~surveyor.inputs.text`): one decoder and one delimiter sniffer for every format;
3. format recognised (:mod:`~surveyor.inputs.recognise`): surveyor's canonical table, or
   which survey tool wrote the export (:mod:`~surveyor.inputs.exports`,
   :mod:`~surveyor.inputs.platforms`);
4. column plan: the canonical table's identity plan (its own headers,
   :func:`~surveyor.inputs.checks.resolve_columns`), or an export's automatic plan or the
   one its mapping gives (:func:`~surveyor.inputs.plan.plan_export`);
5. one validator (:mod:`~surveyor.inputs.validate`) -> ``Responses``.

A plain canonical CSV takes steps 2, 4 and 5 in :mod:`~surveyor.inputs.fast_csv`, a faster
implementation of the same checks: it answers None for anything unusual or wrong, and
the careful steps then run, so every message is theirs.

:func:`read` is what the pipeline and the CLI call; :func:`load_export` stops after step 3
(``mapping init`` proposes a plan from it), :func:`read_export` after step 4, and
:func:`read_responses` reads a file as the canonical format whatever its header.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from surveyor.errors import Problem, ResponsesError
from surveyor.inputs.exports import CanonicalTable, Export, export_layout
from surveyor.inputs.mapping import Mapping, load_mapping
from surveyor.inputs.plan import plan_export
from surveyor.inputs.recognise import detect_grid_format, is_canonical
from surveyor.inputs.source import Source, open_source, refuse_magic
from surveyor.inputs.table import csv_table, csv_text, grid, head, xlsx_table
from surveyor.inputs.validate import Responses, responses, validate, validate_export

if TYPE_CHECKING:
    from surveyor.instrument.model import Instrument


@dataclass(frozen=True)
class ReadOptions:
    """How to read a file; the defaults detect everything.

    ``format`` forces a format (one of ``surveyor.inputs.formats.FORMATS``); ``mapping``
    (a ``mapping.yaml`` path or a :class:`~surveyor.inputs.mapping.Mapping`) gives an
    export's column plan; ``include_partial`` keeps unfinished responses;
    ``organization`` and ``set_name`` are constants for a single-set export.
    """

    format: str | None = None
    mapping: str | Path | Mapping | None = None
    include_partial: bool = False
    organization: str | None = None
    set_name: str | None = None


def read(path: str | Path, instrument: Instrument,
         options: ReadOptions | None = None) -> Responses:
    """Read any responses file or survey-tool export and check it against ``instrument``.

    Parameters
    ----------
    path
        Surveyor's canonical table (CSV or .xlsx: ``respondent_id``, ``organization``,
        ``set``, optionally ``wave``, then one column per item id), or an export of a
        survey tool (``surveyor.inputs.formats.FORMATS``).
    instrument
        The instrument whose items and response scale the answers must follow.
    options
        See :class:`ReadOptions`.

    Returns
    -------
    Responses
        One row per respondent, numbered as the file shows it, with the file's sha256,
        the format read and any warnings.

    Raises
    ------
    ResponsesError
        Listing every problem found, each with its row and column (an export's messages
        name its own columns, and say first how it was read and what was dropped).
    SurveyorError
        When the file cannot be read, is no table, or is not of the forced format.
    """
    options = options or ReadOptions()
    source = open_source(path)
    if source.kind != "spss":
        first = head(source)
        detected = options.format or detect_grid_format(first)
        if (detected == "csv" and options.mapping is None and options.organization is None
                and options.set_name is None and is_canonical(first, instrument.item_ids)):
            return _read_canonical(source, instrument)
    table = _planned(source, instrument, options)
    return validate_export(table, instrument, source.path, source.sha256)


def read_responses(path: str | Path, instrument: Instrument) -> Responses:
    """Read a file as surveyor's canonical table, whatever its header (see :func:`read`).

    Notes
    -----
    A value is a scale code (``4``, ``" 4 "``, ``4.0``), a scale label in any case and
    spacing (``strongly  agree``), or empty or one of the scale's ``missing`` options,
    both read as unanswered (NaN). ``NA`` and similar texts are errors, never silently
    missing. A respondent id may repeat only across waves. CSV files may be UTF-8 (with
    or without BOM), UTF-16 or Windows-1252, delimited by ``,``, ``;`` or tab.
    """
    return _read_canonical(open_source(path, spss=False), instrument)


def load_export(
    path: str | Path, format: str | None = None, *, include_partial: bool = False
) -> Export:
    """Steps 1 to 3: an export's header rows understood, rows that are no responses dropped.

    See :func:`surveyor.inputs.exports.export_layout` for ``format`` and
    ``include_partial``.
    """
    source = open_source(path)
    return export_layout(source, grid(source), format, include_partial=include_partial)


def read_export(
    path: str | Path,
    instrument: Instrument,
    *,
    format: str | None = None,
    mapping: str | Path | Mapping | None = None,
    include_partial: bool = False,
    organization: str | None = None,
    set_name: str | None = None,
) -> CanonicalTable:
    """Steps 1 to 4: an export turned into the canonical table of text by its column plan
    (:func:`surveyor.inputs.plan.plan_export`), before validation."""
    options = ReadOptions(format, mapping, include_partial, organization, set_name)
    return _planned(open_source(path), instrument, options)


def _planned(source: Source, instrument: Instrument, options: ReadOptions) -> CanonicalTable:
    """Steps 2 to 4 for an export: its layout, then the plan its mapping or matching makes."""
    mapping = options.mapping
    if isinstance(mapping, str | Path):
        mapping = load_mapping(mapping, instrument)
    format = options.format
    if format is None and mapping is not None:
        format = mapping.format
    export = export_layout(source, grid(source), format, include_partial=options.include_partial)
    return plan_export(export, instrument, mapping, organization=options.organization,
                       set_name=options.set_name)


def _read_canonical(source: Source, instrument: Instrument) -> Responses:
    """Steps 2, 4 and 5 for the canonical format: the fast path when the file is plain."""
    path = source.path
    if source.kind == "spss":
        refuse_magic(path, source.raw)
    fmt = "xlsx" if source.kind == "xlsx" else "csv"
    if source.kind == "xlsx":
        table = xlsx_table(source)
    else:
        text = csv_text(source)
        fast = _read_plain_csv(text, instrument)
        if fast is not None:
            frame, found = fast
            return responses(path, frame, source.notes + found, source.sha256, fmt,
                             text.encoding, [])
        table = csv_table(path, text, instrument)
    problems = source.notes + table.problems
    if table.cells is None:
        problems.append(Problem("", "the file is empty; export the responses again"))
        raise ResponsesError(str(path), problems)
    return validate(path, table, instrument, problems, source.sha256, fmt)


def _read_plain_csv(text, instrument: Instrument):
    """The fast path's frame and problems, or None when the careful steps must run."""
    from surveyor.inputs.fast_csv import read_plain

    if text.leading != 0:
        return None
    return read_plain(text.body, text.delimiter, instrument, list(text.problems))
