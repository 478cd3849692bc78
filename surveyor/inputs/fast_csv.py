"""Steps 2, 4 and 5 of the input stage for a plain canonical CSV file, done faster.

A national survey file holds millions of cells; pandas' parser and the careful validation
in ``surveyor.inputs.validate`` spend seconds on them. Most such files are plain: no quoted
values, no blank lines, one value per header column in every row, every answer a scale
code, label or missing option, every respondent named once. For those, this module takes
the same steps with pyarrow (parse the text ``surveyor.inputs.read`` decoded, the identity
column plan of ``checks.resolve_columns``, the rules of ``surveyor.inputs.checks``) and
builds exactly the frame and warnings the careful steps would, several times faster: a
faster implementation behind the same interface, not a second reader.

It answers ``None`` the moment anything is unusual (quotes, blank or ragged rows, a blank
id, a repeated id, a value not on the scale, a header problem, pyarrow not installed), and
the careful steps then run on the same decoded text. So every error message is the
careful validator's own, naming row, column and value; this module never reports an error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from surveyor.errors import Problem
    from surveyor.instrument.model import Instrument

# Bytes per block the parser hands to a thread: few enough chunks that mapping each
# chunk's distinct answers stays cheap, enough of them to keep two cores busy.
BLOCK_SIZE = 8 << 20


def plain_enough(body: bytes) -> bool:
    """Whether the bytes can be split on line ends and delimiters alone.

    No double quote (so no quoted value, hence no delimiter or line end inside a value),
    no NUL byte, and no carriage return except in CRLF line ends. Blank lines need no
    search here: both parsers keep them as rows of empty values, and a row without a
    respondent_id sends the file to the careful steps.
    """
    if not body or b'"' in body or b"\x00" in body:
        return False
    return b"\r" not in body or body.count(b"\r") == body.count(b"\r\n")


def read_plain(
    body: bytes, delimiter: str, instrument: Instrument, problems: list[Problem]
) -> tuple[pd.DataFrame, list[Problem]] | None:
    """Read and validate a plain CSV file, or answer None to leave it to the careful steps.

    Parameters
    ----------
    body
        The file as UTF-8 bytes without BOM (``table.csv_text``'s body).
    delimiter
        The sniffed delimiter.
    instrument
        The instrument the answers must follow.
    problems
        Problems found so far (decoding warnings); the warnings found here are appended.

    Returns
    -------
    tuple or None
        The responses frame and the problems, equal to what ``validate.validate`` gives
        for the same file; None when the file is not plain or holds any error.
    """
    if not plain_enough(body):
        return None
    try:
        import pyarrow as pa
        import pyarrow.csv as pacsv
    except ImportError:
        return None
    import numpy as np

    from surveyor.inputs.checks import (
        ID_COLUMNS,
        WAVE,
        build_frame,
        check_name_variants,
        check_names,
        no_answer_problems,
        resolve_columns,
        scale_lookup,
    )
    from surveyor.inputs.limits import MAX_NAME_CHARS

    end = body.find(b"\n")
    first = body if end < 0 else body[:end]
    header = first.removesuffix(b"\r").decode("utf-8").split(delimiter)
    if end < 0 or any(not name.strip() for name in header):
        return None
    found: list[Problem] = []
    layout = resolve_columns(header, instrument, found)
    if any(p.severity == "error" for p in found):
        return None

    names = [str(i) for i in range(len(header))]
    text_columns = ID_COLUMNS + ((WAVE,) if WAVE in layout else ())
    item_positions = {layout[item_id] for item_id in instrument.item_ids}
    types = {
        str(p): pa.dictionary(pa.int32(), pa.string()) if p in item_positions else pa.string()
        for p in range(len(header))
    }
    try:
        table = pacsv.read_csv(
            pa.py_buffer(body),
            read_options=pacsv.ReadOptions(
                column_names=names, skip_rows=1, block_size=BLOCK_SIZE
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, quote_char=False, double_quote=False, escape_char=False,
                newlines_in_values=False, ignore_empty_lines=False,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=types, null_values=[], strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowException:
        return None  # a ragged row, most likely: the validator names it
    n = table.num_rows
    if n == 0:
        return None
    # The header is row 1 and nothing spans lines, so data row i is row i + 2.
    rows = np.arange(2, n + 2, dtype=np.int64)

    text: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name in text_columns:
        column = table.column(str(layout[name]))
        if _longest(column) > MAX_NAME_CHARS:
            return None  # a name beyond the limit: the validator reports it
        # A repeated id is an error, or fine across waves: the validator decides.
        coded = _stripped_codes(column, name == "respondent_id")
        if coded is None:
            return None
        text[name] = check_names(*coded, rows, f"column {header[layout[name]].strip()}",
                                 name, found, lengths_checked=True)
    check_name_variants(text, rows, found)

    values = _item_values(table, layout, instrument, n, scale_lookup(instrument.scale))
    if values is None:
        return None
    found.extend(no_answer_problems(rows, np.isnan(values).all(axis=1)))
    return build_frame(text, text_columns, values, instrument, rows), problems + found


def _longest(column) -> int:
    """The length of the longest value of a text column, counted by pyarrow."""
    import pyarrow.compute as pc

    longest = pc.max(pc.utf8_length(column)).as_py()
    return longest or 0


def _stripped_codes(column, unique: bool = False) -> tuple[object, object] | None:
    """Codes and distinct values of a text column, values stripped of surrounding spaces.

    None when a value is blank (the validator reports it, or skips an empty row), or
    when ``unique`` is asked for and a value repeats.
    """
    import numpy as np
    import pandas as pd

    column = column.combine_chunks()
    if unique:
        # Ids are all distinct: their codes are their positions, no dictionary needed.
        values = column.to_numpy(zero_copy_only=False)
        if _needs_strip(column):  # also true for an empty value
            values = np.array([value.strip() for value in values.tolist()], dtype=object)
            if not all(values.tolist()) or len(pd.unique(values)) != len(values):
                return None
        elif not _distinct(column):
            return None
        return np.arange(len(values)), values
    encoded = column.dictionary_encode()
    codes = encoded.indices.to_numpy()
    distinct = encoded.dictionary.to_pylist()
    stripped = [value.strip() for value in distinct]
    if "" in stripped:
        return None
    if stripped == distinct:
        return codes, np.array(distinct, dtype=object)
    # Values equal but for surrounding spaces become one, as in validate._stripped.
    recode, merged = pd.factorize(np.array(stripped, dtype=object))
    return recode[codes], np.asarray(merged, dtype=object)


def _distinct(column) -> bool:
    """Whether no value repeats; files listed in id order are recognised without hashing."""
    import pyarrow.compute as pc

    if len(column) < 2 or pc.all(pc.less(column[:-1], column[1:])).as_py():
        return True
    return len(pc.unique(column)) == len(column)


def _needs_strip(column) -> bool:
    """Whether any value starts or ends with whitespace, as Python's ``str.strip`` sees it.

    Only the distinct first and last characters are brought into Python.
    """
    import pyarrow.compute as pc

    ends = set()
    for start, stop in ((0, 1), (-1, None)):
        ends.update(pc.unique(pc.utf8_slice_codeunits(column, start, stop)).to_pylist())
    return any(not end or end.isspace() for end in ends)


def _item_values(table, layout, instrument: Instrument, n: int, lookup: dict):
    """The items' scale codes (NaN when unanswered), or None if any value is off the scale.

    Each distinct text is mapped once by the validator's own ``map_value``, so a
    label in any case and spacing, a missing option or ``4.0`` read exactly as there.
    """
    import math

    import numpy as np

    from surveyor.inputs.checks import map_value

    scale = instrument.scale
    known: dict[str, float] = {}
    # Every cell is set below: each column's chunks cover all rows.
    values = np.empty((n, len(instrument.items)), order="F")
    for j, item in enumerate(instrument.items):
        start = 0
        for chunk in table.column(str(layout[item.id])).chunks:
            distinct = chunk.dictionary.to_pylist()
            for value in distinct:
                if value not in known:
                    known[value] = map_value(value, lookup, scale)
            mapped = np.array([known[value] for value in distinct], dtype=float)
            if any(math.isinf(x) for x in mapped.tolist()):
                return None
            size = len(chunk)
            # Every index is in range (the chunk's own dictionary); "clip" only spares the
            # copy numpy makes of ``out`` to check bounds ("raise"), ten times slower.
            np.take(mapped, chunk.indices.to_numpy(), out=values[start : start + size, j],
                    mode="clip")
            start += size
    return values
