"""Waves: their order, checking a file's wave column against it, and choosing one wave.

A programme surveys its sets several times. The order of the waves decides which change
is "since" which, so it is never guessed from text: ``--waves "Autumn 2026,Winter 2027"``
gives it; without it, waves that are all numbers sort numerically and waves that are all
ISO dates (``2026-10-01``) by date; anything else is an error asking for ``--waves``.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import TYPE_CHECKING

from surveyor.errors import Problem, ResponsesError, SurveyorError

if TYPE_CHECKING:
    import pandas as pd

WAVE = "wave"


def parse_wave_list(text: str | None) -> list[str] | None:
    """``"Autumn 2026, Winter 2027"`` as a list of names; None for no option.

    Raises
    ------
    SurveyorError
        For an empty name or a name given twice.
    """
    if text is None:
        return None
    names = [part.strip() for part in text.split(",")]
    if any(not name for name in names):
        raise SurveyorError(
            f"--waves {text!r}: a wave name is empty; give the names in order, separated by "
            "commas, e.g. --waves \"Autumn 2026,Winter 2027\""
        )
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise SurveyorError(
            f"--waves {text!r}: {', '.join(map(repr, repeated))} given more than once; "
            "name each wave once, in order"
        )
    return names


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value else None


def _date(text: str) -> datetime.date | None:
    if len(text) != 10:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


def natural_order(waves: Sequence[str], source: str = "") -> list[str]:
    """Order waves that are all numbers, or all ISO dates; else ask for ``--waves``.

    Raises
    ------
    SurveyorError
        When the names are neither all numbers nor all ISO dates (``YYYY-MM-DD``).
    """
    distinct = sorted(set(waves))
    if len(distinct) < 2:
        return distinct
    numbers = [_number(w) for w in distinct]
    if all(n is not None for n in numbers):
        return [w for _, w in sorted(zip(numbers, distinct, strict=True))]
    dates = [_date(w) for w in distinct]
    if all(d is not None for d in dates):
        return [w for _, w in sorted(zip(dates, distinct, strict=True))]
    where = f"{source}: " if source else ""
    shown = ", ".join(repr(w) for w in distinct[:6]) + (", ..." if len(distinct) > 6 else "")
    raise SurveyorError(
        f"{where}the wave column holds {len(distinct)} waves ({shown}) that are neither all "
        "numbers nor all dates (YYYY-MM-DD), so their order is unknown; give it with "
        f"--waves, e.g. --waves \"{','.join(distinct[:3])}\""
    )


def wave_order(
    frame: pd.DataFrame, given: Sequence[str] | None, source: str = "",
    default: Sequence[str] = (),
) -> list[str]:
    """The order of the waves present in ``frame``'s wave column.

    Parameters
    ----------
    frame
        Validated responses, indexed by the row number in the file, with a ``wave`` column.
    given
        The order from ``--waves``, or None.
    source
        The file, for messages.
    default
        The order the file itself gives (REDCap events in order of first appearance),
        used when ``given`` is None; empty to order the waves by their names.

    Returns
    -------
    list of str
        The waves present, earliest first (``given`` order, waves absent from the data
        left out).

    Raises
    ------
    ResponsesError
        Naming each row whose wave is not in ``given``, with its value.
    SurveyorError
        Without ``given``, when the waves cannot be ordered from their names.
    """
    present = set(frame[WAVE].unique().tolist())
    if given is None and default:
        return [w for w in default if w in present]
    if given is None:
        return natural_order(sorted(present), source)
    unknown = frame.index[~frame[WAVE].isin(list(given))]
    if len(unknown):
        allowed = ", ".join(repr(w) for w in given)
        problems = [
            Problem(
                f"row {row}, column wave",
                f"{frame.at[row, WAVE]!r} is not one of the waves given with --waves "
                f"({allowed}); correct the row, or add the wave to --waves in its place",
            )
            for row in unknown.tolist()
        ]
        raise ResponsesError(source, problems)
    return [w for w in given if w in present]


def require_wave_column(has_wave: bool, given, source: str = "") -> None:
    """Refuse ``--waves`` for a file without a wave column (a wrong file, most likely)."""
    if given is not None and not has_wave:
        where = f"{source}: " if source else ""
        raise SurveyorError(
            f"{where}--waves given, but the file has no wave column; add a 'wave' column "
            "naming each row's wave, or leave out --waves"
        )


def absent_waves(frame: pd.DataFrame, given: Sequence[str] | None) -> list[str]:
    """Waves named in ``--waves`` that no row of the file belongs to."""
    if given is None or WAVE not in frame.columns:
        return list(given or [])
    present = set(frame[WAVE].unique().tolist())
    return [w for w in given if w not in present]


def select_wave(frame: pd.DataFrame, wave: str, source: str = "") -> pd.DataFrame:
    """The rows of one wave (``--wave NAME``).

    Raises
    ------
    SurveyorError
        When the file has no wave column, or no row of that wave.
    """
    where = f"{source}: " if source else ""
    if WAVE not in frame.columns:
        raise SurveyorError(
            f"{where}--wave {wave!r} given, but the file has no wave column; leave out --wave"
        )
    rows = frame[frame[WAVE] == wave]
    if rows.empty:
        found = ", ".join(repr(w) for w in sorted(frame[WAVE].unique().tolist()))
        raise SurveyorError(
            f"{where}no row belongs to wave {wave!r}; the waves in the file are {found}"
        )
    return rows


def wave_counts(frame: pd.DataFrame, order: Sequence[str]) -> list[tuple[str, int]]:
    """Respondents per wave, in wave order."""
    counts = frame[WAVE].value_counts()
    return [(w, int(counts.get(w, 0))) for w in order]
