"""Pack lists: the organisation and set of each pre-filled copy, by its respondent code.

The page code printed on a pre-filled copy holds only its respondent code (long names
would make the code too fine to read at 150 dpi), so the names come from the list
``surveyor instrument build`` writes beside each pack, ``<pack>-template.csv``
(``respondent_id,organization,set,...``), given to ``surveyor scan`` with the scans.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

from surveyor.errors import SurveyorError

COLUMNS = ("respondent_id", "organization", "set")


def read_pack_lists(paths: Sequence[Path]) -> dict[str, tuple[str, str]]:
    """Respondent code (upper case) -> (organisation, set), from every list given."""
    names: dict[str, tuple[str, str]] = {}
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise SurveyorError(f"{path}: cannot be read as a pack list ({exc})") from None
        reader = csv.reader(io.StringIO(text))
        header = next(reader, [])
        if tuple(header[:3]) != COLUMNS:
            raise SurveyorError(
                f"{path}: not a pack list; the CSV files given to scan must be the "
                "<pack>-template.csv that 'surveyor instrument build' wrote, starting "
                f"with the columns {','.join(COLUMNS)}"
            )
        for row_number, row in enumerate(reader, start=2):
            if not row or not row[0].strip():
                continue
            code = row[0].strip().upper()
            pair = (row[1].strip(), row[2].strip()) if len(row) >= 3 else ("", "")
            if not all(pair) or names.setdefault(code, pair) != pair:
                raise SurveyorError(
                    f"{path}, row {row_number}, column respondent_id: '{row[0]}' "
                    + ("has no organisation or set" if not all(pair) else
                       f"is already listed for {names[code][0]} / {names[code][1]}")
                    + "; give the pack lists as instrument build wrote them"
                )
    return names
