"""Organization and set names as one group is meant: normalised, and of bounded length.

Two spellings of one name that differ only in what a reader cannot see, "Équipe" typed
as one character (NFC) or as E plus a combining accent (NFD), "Set A" with a zero-width
space, a doubled or trailing space, would otherwise become two groups: a tiny split twin
that can fall under the minimum group size beside its namesake, or pass it and be shown
(DOMAIN.md, anonymity). Names are therefore read in Unicode NFC, without zero-width or
other invisible format characters, with surrounding spaces removed and inner runs of
whitespace collapsed to one space. Case is kept: "SET A" and "Set A" may be two sets,
and the validator warns about them instead.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

from surveyor.inputs.limits import MAX_NAME_CHARS

if TYPE_CHECKING:
    import numpy as np

# Zero-width space, non-joiner and joiner, left-to-right and right-to-left marks, word
# joiner and the invisible operators, the byte-order mark (zero-width no-break space),
# soft hyphen, and the bidirectional embeddings, overrides and isolates.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def normalise_name(name: str) -> str:
    """A name as it is grouped: NFC, invisible characters removed, whitespace collapsed."""
    name = _INVISIBLE.sub("", unicodedata.normalize("NFC", name))
    return " ".join(name.split())


def normalise_codes(
    codes: np.ndarray, distinct: np.ndarray
) -> tuple[np.ndarray, np.ndarray, list[list[int]]]:
    """Normalise a factorised text column.

    Parameters
    ----------
    codes
        Each row's index into ``distinct``.
    distinct
        The column's distinct values.

    Returns
    -------
    tuple
        The new codes and distinct values, and the groups of old distinct indices that
        became one value (each group listed when it has two or more members).
    """
    import numpy as np
    import pandas as pd

    values = distinct.tolist()
    normalised = [normalise_name(v) for v in values]
    if normalised == values:
        return codes, distinct, []
    recode, merged = pd.factorize(np.array(normalised, dtype=object))
    groups: dict[int, list[int]] = {}
    for old, new in enumerate(recode.tolist()):
        groups.setdefault(new, []).append(old)
    return (
        recode[codes],
        np.asarray(merged, dtype=object),
        [members for members in groups.values() if len(members) > 1],
    )


def too_long(distinct: np.ndarray) -> list[int]:
    """Indices of the distinct values longer than ``MAX_NAME_CHARS``."""
    values = distinct.tolist()
    # One pass in C first: a million respondent ids are all short.
    if not values or max(map(len, values)) <= MAX_NAME_CHARS:
        return []
    return [i for i, value in enumerate(values) if len(value) > MAX_NAME_CHARS]
