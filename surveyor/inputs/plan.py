"""Survey-tool exports: step 4 of the input stage, the column plan.

:func:`plan_export` takes a recognised export (an :class:`~surveyor.inputs.exports.Export`,
whose header rows :func:`~surveyor.inputs.exports.export_layout` has understood) and makes
its column plan: automatic (item ids, question text, the platform's own id column), or from
a :class:`~surveyor.inputs.mapping.Mapping` where the headers are not item ids. It applies
the plan (constants, recodes, "Don't know" codes, Kobo's group paths) and hands back a
:class:`~surveyor.inputs.exports.CanonicalTable` of text for the one validator
(:func:`surveyor.inputs.validate.validate_export`). Problems (a mapped column the export
lacks, question text that heads two columns, a value outside the recode table) are all
collected and raised together as a :class:`~surveyor.errors.ResponsesError` naming the
export's row, column and value. This module reads no file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from surveyor.errors import Problem, ResponsesError
from surveyor.inputs import platforms
from surveyor.inputs.exports import (
    CANONICAL_IDS,
    MAX_PROBLEMS,
    MISSING_CHOICE,
    REDCAP_EVENT,
    CanonicalTable,
    Export,
)
from surveyor.inputs.formats import no_responses_left, reading_notes
from surveyor.inputs.mapping import (
    Mapping,
    column_index,
    column_letter,
    norm,
    text_candidates,
)
from surveyor.inputs.platforms.base import plural, rows_text
from surveyor.inputs.submitted import latest_submission

if TYPE_CHECKING:

    from surveyor.instrument.model import Instrument


def find_columns(export: Export, reference: str) -> list[int]:
    """Columns a header reference names: the exact header, else ignoring case and spacing,
    else the question text, else (Kobo) the name without its group path."""
    exact = [i for i, key in enumerate(export.keys) if key == reference]
    if exact:
        return exact
    wanted = norm(reference)
    if not wanted:
        return []
    for values in (export.keys, export.texts):
        found = [i for i, value in enumerate(values) if norm(value) == wanted]
        if found:
            return found
    if export.format in ("kobo", "odk-central"):
        return [i for i in range(len(export.keys)) if norm(export.leaf(i)) == wanted]
    return []


def _item_text_columns(export: Export, text: str, stem: str = "") -> list[int]:
    """Columns whose question text, or its statement part, is exactly the item text;
    when several are, those that also show the item's matrix ``stem``."""
    wanted = norm(text)
    found = [
        i for i, header in enumerate(export.texts)
        if any(norm(candidate) == wanted for candidate in text_candidates(header))
    ]
    if len(found) > 1 and stem:
        under = [i for i in found if norm(stem) in norm(export.texts[i])]
        found = under or found
    return found


@dataclass
class _Plan:
    """Where each canonical column comes from: an export column index or a constant."""

    columns: dict[str, int] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    recode: dict[str, dict[str, str | None]] = field(default_factory=dict)
    generated_ids: bool = False


def _choose(
    export: Export, found: list[int], what: str, reference: str, location: str,
    problems: list[Problem],
) -> int | None:
    if len(found) == 1:
        return found[0]
    if not found:
        hint = _closest_header(export, reference)
        problems.append(Problem(
            location, f"{what}: the export has no column '{reference}'{hint}"
        ))
        return None
    where = ", ".join(column_letter(i) for i in found)
    # Qualtrics and Kobo field names should be unique; question texts often repeat.
    named = "header" if export.format == "csv" else "question text"
    if all(export.keys[i] == reference != export.texts[i] for i in found):
        named = "field name"
    problems.append(Problem(
        location,
        f"{what}: the {named} '{reference}' heads {len(found)} columns ({where}), so the "
        "column is ambiguous; choose one in the mapping by its letter "
        f"({{letter: {column_letter(found[0])}}}) or by occurrence ({{column: ..., "
        "occurrence: 2} for the second from the left), or rename one in the survey tool",
    ))
    return None


def _resolve(
    export: Export, choice, what: str, location: str, problems: list[Problem]
) -> int | None:
    """The column a mapping's choice names (``Source`` or ``ItemColumn``), or None after
    recording why not: by letter, else by header and occurrence."""
    if choice.letter:
        index = column_index(choice.letter)
        if index >= len(export.keys):
            problems.append(Problem(location, (
                f"{what}: the export has no column {choice.letter}; its last column is "
                f"{column_letter(len(export.keys) - 1)}")))
            return None
        if choice.column is not None and index not in find_columns(export, choice.column):
            problems.append(Problem(location, (
                f"{what}: column {choice.letter} is headed '{export.keys[index]}', not "
                f"'{choice.column}'; check the letter")))
            return None
        return index
    found = find_columns(export, choice.column)
    if choice.occurrence:
        if choice.occurrence > len(found):
            problems.append(Problem(location, (
                f"{what}: occurrence {choice.occurrence} of '{choice.column}' is asked for, "
                f"but {len(found)} column{'s' if len(found) != 1 else ''} "
                f"{'are' if len(found) != 1 else 'is'} so headed")))
            return None
        return found[choice.occurrence - 1]
    return _choose(export, found, what, choice.column, location, problems)


def _closest_header(export: Export, reference: str) -> str:
    import difflib

    options = {norm(k): k for k in export.keys if k}
    match = difflib.get_close_matches(norm(reference), list(options), n=1, cutoff=0.6)
    return f" (closest: '{options[match[0]]}')" if match else ""


def _plan_from_mapping(
    export: Export, instrument: Instrument, mapping: Mapping, problems: list[Problem]
) -> _Plan:
    plan = _Plan()
    prefix = f"{mapping.source.name} " if mapping.source else "mapping "
    for name, source in mapping.ids.items():
        if source.value is not None:
            plan.constants[name] = source.value
            continue
        index = _resolve(export, source, f"{name} column", f"{prefix}{name}", problems)
        if index is not None:
            plan.columns[name] = index
    for item in instrument.items:
        entry = mapping.items.get(item.id)
        if entry is None or (entry.column is None and entry.letter is None):
            problems.append(Problem(
                f"{prefix}items.{item.id}",
                "no export column is given for this item; name the column that holds "
                f"'{item.text}'",
            ))
            continue
        index = _resolve(export, entry, f"item {item.id}", f"{prefix}items.{item.id}",
                         problems)
        if index is not None:
            plan.columns[item.id] = index
        table = entry.recode if entry.recode is not None else mapping.recode
        if table is not None:
            plan.recode[item.id] = table
    return plan


def _plan_automatic(export: Export, instrument: Instrument, problems: list[Problem]) -> _Plan:
    """Columns found without a mapping: by item id (Kobo: without the group path), else by
    exactly the item's text; the tool's id column, or a column named like the id field."""
    plan = _Plan()
    for name, aliases in CANONICAL_IDS.items():
        if name == "wave" and export.format == "redcap":
            aliases = aliases + REDCAP_EVENT
        found: list[int] = []
        for alias in aliases:
            found = [i for i in range(len(export.keys)) if norm(export.leaf(i)) == alias]
            if found:
                break
        if not found and export.format == "spss":
            # SPSS variable names are codes (q0001); the variable label is the question.
            found = [i for i, text in enumerate(export.texts)
                     if norm(text) in aliases and name != "respondent_id"]
        if name == "respondent_id" and not found and export.id_column:
            found = [export.keys.index(export.id_column)]
        if len(found) > 1:
            _choose(export, found, f"{name} column", export.keys[found[0]], name, problems)
        elif found:
            plan.columns[name] = found[0]
    text_matched = 0
    for item in instrument.items:
        found = [i for i in range(len(export.keys)) if norm(export.leaf(i)) == norm(item.id)]
        if not found:
            # A survey surveyor built for Qualtrics (alpha_sub_a1) or LimeSurvey (alpha[a1]).
            found = [i for i, key in enumerate(export.keys)
                     if platforms.base.names_item(key, item.id, item.subscale)]
        if not found:
            found = _item_text_columns(export, item.text, instrument.stem_of(item))
            text_matched += bool(found)
        if len(found) == 1:
            plan.columns[item.id] = found[0]
        elif found:
            where = ", ".join(column_letter(i) for i in found)
            problems.append(Problem(
                f"item {item.id}",
                f"the item text '{item.text}' heads {len(found)} columns ({where}): the "
                "question text is duplicated, so the column is ambiguous; write a mapping "
                "with `surveyor mapping init` and name the right column",
            ))
        else:
            problems.append(Problem(
                f"item {item.id}",
                f"no column is headed '{item.id}' or with the item text '{item.text}'; write "
                "a mapping with `surveyor mapping init EXPORT --instrument "
                f"{instrument.id}`, check it and pass it with --mapping",
            ))
    if text_matched:
        export.notes.append(
            f"matched {plural(text_matched, 'item')} to export columns by exact question text"
        )
    return plan


# --------------------------------------------------------------------------- reading


def plan_export(
    export: Export,
    instrument: Instrument,
    mapping: Mapping | None = None,
    *,
    organization: str | None = None,
    set_name: str | None = None,
) -> CanonicalTable:
    """Step 4 for an export: its column plan, applied; the canonical table of text.

    Parameters
    ----------
    export
        The export with its header rows understood (:func:`export_layout`).
    instrument
        The instrument the survey asked.
    mapping
        Connects export columns to items and to respondent id, organisation, set and
        wave. Without one, columns are found by item id (a form built by surveyor) or by
        exactly the item's text.
    organization, set_name
        Constant organisation or set for a single-set export; they override the mapping.

    Returns
    -------
    CanonicalTable
        See the module docstring for the contract.

    Raises
    ------
    ResponsesError
        Listing every problem found: columns the mapping names that the export lacks,
        ambiguous (duplicated) question texts, values outside a recode table, missing
        organisation or set.
    """
    import pandas as pd

    if not export.data:
        # Said before any column problem: with no rows left, the columns do not matter.
        raise ResponsesError(str(export.path), [no_responses_left(export.notes)],
                             notes=reading_notes(export.format, export.notes))
    problems: list[Problem] = []
    if mapping is not None:
        plan = _plan_from_mapping(export, instrument, mapping, problems)
    else:
        plan = _plan_automatic(export, instrument, problems)
    notes = list(export.notes)
    for name, value in (("organization", organization), ("set", set_name)):
        if value is not None:
            if name in plan.columns:
                notes.append(
                    f"{name} given on the command line replaces column "
                    f"{export.describe(plan.columns.pop(name))}"
                )
            plan.constants[name] = value
    if "respondent_id" not in plan.columns and "respondent_id" not in plan.constants:
        plan.generated_ids = True
        notes.append("the export has no respondent id column; its row numbers are used")
    named = mapping.ids if mapping is not None else {}
    for name, option in (("organization", "--organization"), ("set", "--set")):
        # A column the mapping names but the export lacks is reported already.
        if name not in plan.columns and name not in plan.constants and name not in named:
            problems.append(Problem(
                name,
                f"no {name} column was found; name the column in the mapping "
                f"({name}: COLUMN) or, for a single-set export, give {option}",
            ))
    if any(p.severity == "error" for p in problems):
        raise ResponsesError(str(export.path), problems, notes=reading_notes(export.format,
                                                                             notes))

    frame: dict[str, list[str]] = {}
    n = len(export.data)
    order = ["respondent_id", "organization", "set"]
    if "wave" in plan.columns or "wave" in plan.constants:
        order.append("wave")
    for name in order + instrument.item_ids:
        if name in plan.constants:
            frame[name] = [plan.constants[name]] * n
        elif name == "respondent_id" and plan.generated_ids:
            frame[name] = [f"row {row}" for row in export.rows]
        else:
            frame[name] = [cell.strip() for cell in export.column(plan.columns[name])]
    _fill_kobo(export, plan, frame, instrument, notes)
    _fill_missing_codes(export, plan, frame, instrument)
    # A code recoded to "missing" becomes the scale's never-scored option, so the answer
    # stays "Don't know" (counted as such) rather than looking skipped.
    missing = instrument.scale.missing[0] if instrument.scale.missing else ""
    recode_problems: list[tuple[int, int, Problem]] = []
    for item_id, table in plan.recode.items():
        frame[item_id] = _recode(export, plan.columns[item_id], item_id, frame[item_id],
                                 table, missing, recode_problems)
    # Listed row by row, as the consultant walks through the file.
    problems += [problem for _, _, problem in sorted(recode_problems, key=lambda p: p[:2])]
    if any(p.severity == "error" for p in problems):
        raise ResponsesError(str(export.path), problems[:MAX_PROBLEMS],
                             notes=reading_notes(export.format, notes))
    data_date, date_column = latest_submission(export.keys, export.data, export.format)
    wave_order: list[str] = []
    if export.format == "redcap" and "wave" in plan.columns and norm(
            export.keys[plan.columns["wave"]]) in REDCAP_EVENT:
        wave_order = list(dict.fromkeys(frame["wave"]))
        notes.append(
            f"each REDCap event is a wave ({', '.join(wave_order)}), in the order the events "
            "first appear; give --waves to order them otherwise"
        )
    return CanonicalTable(
        frame=pd.DataFrame(frame, dtype=object, columns=list(frame)),
        rows=list(export.rows),
        columns={name: export.keys[index] for name, index in plan.columns.items()},
        format=export.format,
        notes=notes,
        data_date=data_date,
        data_date_column=date_column,
        wave_order=wave_order,
    )


def _fill_kobo(
    export: Export, plan: _Plan, frame: dict[str, list[str]], instrument: Instrument,
    notes: list[str],
) -> None:
    """XLSForm platforms (Kobo, ODK Central): choice names ``dk``... stand for the
    never-scored options, and (Kobo) an unanswered respondent code falls back to the
    submission's ``_uuid``."""
    if export.format not in ("kobo", "odk-central"):
        return
    missing = instrument.scale.missing
    for item_id in instrument.item_ids:
        if item_id in plan.recode:
            continue
        values = frame[item_id]
        for i, value in enumerate(values):
            match = MISSING_CHOICE.match(value)
            if match:
                position = int(match.group(1) or 1) - 1
                if position < len(missing):
                    values[i] = missing[position]
    if "_uuid" in export.keys and "respondent_id" in plan.columns and (
        export.keys[plan.columns["respondent_id"]] != "_uuid"
    ):
        uuids = export.column(export.keys.index("_uuid"))
        ids = frame["respondent_id"]
        blank = [export.rows[i] for i, value in enumerate(ids) if not value]
        for i, value in enumerate(ids):
            if not value:
                ids[i] = uuids[i].strip()
        if blank:
            notes.append(
                f"{plural(len(blank), 'submission')} without a respondent code "
                f"({rows_text(blank)}) use the submission's _uuid instead"
            )


def _fill_missing_codes(
    export: Export, plan: _Plan, frame: dict[str, list[str]], instrument: Instrument
) -> None:
    """The codes surveyor's online forms give the never-scored options become those options:
    LimeSurvey answer codes and REDCap raw codes ``DK``, ``DK2``...; Qualtrics recode values
    ``-1``, ``-2``... in the columns its .qsf names (``alpha_sub_a1``), never elsewhere."""
    from surveyor.instrument.qsf import missing_recode_values

    missing = instrument.scale.missing
    if not missing:
        return
    by_format = platforms.base.dk_codes(missing) if (
        export.format in ("limesurvey", "redcap")
    ) else {}
    tagged = {str(code): option for code, option in zip(
        missing_recode_values(instrument.scale), missing, strict=True
    )}
    for item in instrument.items:
        if item.id in plan.recode or item.id not in plan.columns:
            continue
        codes = dict(by_format)
        key = export.keys[plan.columns[item.id]]
        if norm(key) == norm(f"{item.subscale}_{item.id}"):
            codes.update(tagged)
        if codes:
            frame[item.id] = [codes.get(value.lower(), value) for value in frame[item.id]]


def _recode(
    export: Export, index: int, item_id: str, values: list[str],
    table: dict[str, str | None], missing: str, problems: list[tuple[int, int, Problem]],
) -> list[str]:
    """Apply a recode table (normalised export value -> scale code, None for ``missing``)."""
    from surveyor.inputs.mapping import recode_key

    out = []
    keys = ", ".join(sorted(table, key=_numeric_first))
    for row, value in zip(export.rows, values, strict=True):
        if not value:
            out.append("")
            continue
        key = recode_key(value)
        if key in table:
            target = table[key]
            out.append(missing if target is None else target)
            continue
        out.append(value)
        if len(problems) < MAX_PROBLEMS:
            problems.append((row, index, Problem(
                f"row {row}, column {export.describe(index)}",
                f"'{value}' (item {item_id}) is not in the mapping's recode table ({keys}); "
                "add it to the recode table or check the export's recode values",
            )))
    return out


def _numeric_first(key: str) -> tuple[int, float, str]:
    try:
        return (0, float(key), key)
    except ValueError:
        return (1, 0.0, key)
