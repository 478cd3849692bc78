"""The date a survey-tool export carries: the latest submission among the responses kept.

A report's cover prints "Date of the data": ``--data-date`` when given, else this date,
else nothing. Never the file's modification time, which changes with every copy.

Each platform writes its submission time in a column of its own (headers compared
ignoring case and runs of spaces; the first column in the list that holds a date wins):

=================  ===========================================================
qualtrics          ``RecordedDate``, ``EndDate``
surveymonkey       ``End Date`` (``EndDate`` in older exports)
google-forms       ``Timestamp``
ms-forms           ``Completion time``
kobo               ``_submission_time``, ``end``
odk-central        ``SubmissionDate``, ``end``
limesurvey         ``Date submitted`` / ``submitdate``
redcap             ``Survey Timestamp`` / ``<instrument>_timestamp``
=================  ===========================================================

A value reads as a date when it starts ``YYYY-MM-DD`` or ``YYYY/MM/DD`` (any time after it
is ignored), or ``D/M/YYYY`` / ``M/D/YYYY``: which of those two a column uses is settled
only by a value whose day is above 12, so a column where every value reads either way (or
both ways) gives no date rather than a guess. Dates before 1990 are placeholders
(LimeSurvey writes 1980-01-01 when a survey records no dates) and are ignored.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from surveyor.inputs.mapping import norm

SUBMISSION_COLUMNS: dict[str, tuple[str, ...]] = {
    "qualtrics": ("recordeddate", "enddate"),
    "qualtrics-legacy": ("recordeddate", "enddate"),
    "surveymonkey": ("end date", "enddate"),
    "google-forms": ("timestamp",),
    "ms-forms": ("completion time",),
    "kobo": ("_submission_time", "end"),
    "odk-central": ("submissiondate", "end"),
    "limesurvey": ("date submitted", "submitdate"),
    "redcap": ("survey timestamp",),
}
REDCAP_TIMESTAMP = re.compile(r"^[a-z][a-z0-9_]*_timestamp$")
YEAR_FIRST = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:$|[ T])")
YEAR_LAST = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})(?:$|[ ,T])")
EARLIEST = dt.date(1990, 1, 1)


def submission_columns(keys: Sequence[str], format: str) -> list[int]:
    """Indices of ``format``'s submission-time columns among ``keys``, in the order tried."""
    names = [norm(key) for key in keys]
    found = [names.index(name) for name in SUBMISSION_COLUMNS.get(format, ()) if name in names]
    if format == "redcap":
        found += [i for i, key in enumerate(keys) if REDCAP_TIMESTAMP.match(key.strip())]
    return found


def _valid(year: int, month: int, day: int) -> dt.date | None:
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return None
    return date if date >= EARLIEST else None


def column_dates(values: Sequence[str]) -> list[dt.date]:
    """The dates a column holds (see the module doc); empty when its day/month order cannot
    be told."""
    dates: list[dt.date] = []
    pairs: list[tuple[int, int, int]] = []
    for value in values:
        text = value.strip()
        if m := YEAR_FIRST.match(text):
            if (date := _valid(int(m[1]), int(m[2]), int(m[3]))) is not None:
                dates.append(date)
        elif m := YEAR_LAST.match(text):
            pairs.append((int(m[1]), int(m[2]), int(m[3])))
    if pairs:
        day_first = any(a > 12 for a, _, _ in pairs)
        month_first = any(b > 12 for _, b, _ in pairs)
        if day_first == month_first:  # neither settles it, or the column contradicts itself
            return dates
        for a, b, year in pairs:
            day, month = (a, b) if day_first else (b, a)
            if (date := _valid(year, month, day)) is not None:
                dates.append(date)
    return dates


def latest_submission(keys: Sequence[str], data: Sequence[Sequence[str]],
                      format: str) -> tuple[str, str]:
    """The latest submission date (``YYYY-MM-DD``) among the rows ``data``, and the header
    of the column it came from; ``("", "")`` when the export carries none."""
    for index in submission_columns(keys, format):
        dates = column_dates([row[index] for row in data])
        if dates:
            return max(dates).isoformat(), keys[index].strip()
    return "", ""
