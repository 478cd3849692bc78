"""The release register: no group re-published after a change of fewer than N people.

Two releases of the same group that differ by one respondent give that respondent's
scores by subtraction (n2*mean2 - n1*mean1), however well each release is protected on its
own. Every run into an output folder is a release; the register there
(``release-register.json``) records, for each release, who was in each group and which
groups and subscales it showed. A new run compares itself with every earlier release: a
statistic shown in both whose membership changed by at least one and fewer than
``min_group_size`` respondents is refused, unless the consultant passes
``--allow-small-change`` (then each such group is named in a warning).

The register stores no answers and no ids: each respondent is a keyed hash of their
respondent id (SipHash-2-4, 64 bits, keyed with a salt derived from the first release's
input file, so the register is deterministic yet the hashes cannot be matched to ids by
anyone without that file), with their set and a bit for each subscale they have a
score on. It is for the consultant only, like ``scores.csv``.

Notes
-----
A "cell" is a group and a subscale (shown when ``groups.csv`` shows it), or a group and
``*``, its membership as a whole (shown when the group is), which covers the item counts
and distributions that include people without a subscale score. The change of a cell is
the size of the symmetric difference of its member sets between the two releases.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from surveyor.errors import Problem, SurveyorError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from surveyor.pipeline import ScoreResult

REGISTER = "release-register.json"
FORMAT = "surveyor release register 1"
WHOLE = "*"  # a group's membership as a whole, beside its subscales
# Subscales with a bit in the mask; any beyond (an instrument of more than 63) are
# compared by the group's membership as a whole.
MASK_BITS = 63


@dataclass
class Release:
    """One release: its cells shown, and each respondent's hash, set and scored subscales.

    ``hashes``, ``set_codes`` and ``masks`` are parallel arrays in file order (stored as
    base64 of big-endian integers, so a million respondents take seconds, not minutes).
    """

    input_sha256: str
    min_group_size: int
    subscales: list[str]
    shown: list[list[str]]  # [level, organization, set, subscale]
    sets: list[list[str]]  # [organization, set]; set_codes index into it
    hashes: np.ndarray  # uint64: keyed hash of each respondent id
    set_codes: np.ndarray  # int64
    masks: np.ndarray  # int64: bit i set when subscale i has a score

    ARRAYS = {"hashes": ">u8", "set_codes": ">i8", "masks": ">i8"}

    def as_dict(self) -> dict:
        import base64
        import zlib

        data = {"input_sha256": self.input_sha256, "min_group_size": self.min_group_size,
                "subscales": self.subscales, "shown": self.shown, "sets": self.sets}
        for name, dtype in self.ARRAYS.items():
            # Sets and masks repeat and shrink a hundredfold; the hashes stay 8 bytes each.
            packed = zlib.compress(getattr(self, name).astype(dtype).tobytes(), 6)
            data[name] = base64.b64encode(packed).decode("ascii")
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Release:
        import base64
        import zlib

        import numpy as np

        arrays = {name: np.frombuffer(zlib.decompress(base64.b64decode(data[name],
                                                                       validate=True)),
                                      dtype=dtype).astype(dtype[1:])
                  for name, dtype in cls.ARRAYS.items()}
        if len({len(a) for a in arrays.values()}) != 1:
            raise ValueError("a release's arrays differ in length")
        if len(arrays["set_codes"]) and (
                arrays["set_codes"].min() < 0 or arrays["set_codes"].max() >= len(data["sets"])):
            raise ValueError("a release names a set it does not list")
        return cls(input_sha256=str(data["input_sha256"]),
                   min_group_size=int(data["min_group_size"]),
                   subscales=list(data["subscales"]), shown=list(data["shown"]),
                   sets=list(data["sets"]), **arrays)

    def same_publication(self, other: Release) -> bool:
        import numpy as np

        return (self.shown, self.sets, self.subscales) == (
            other.shown, other.sets, other.subscales) and all(
            np.array_equal(getattr(self, name), getattr(other, name)) for name in self.ARRAYS)


def _salt(source: Path) -> str:
    digest = hashlib.sha256(b"surveyor release register\0")
    with open(source, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:32]


def respondent_hashes(ids: pd.Series, salt: str) -> np.ndarray:
    """Keyed 64-bit hashes of respondent ids (SipHash-2-4, keyed by the salt's first half).

    pandas' vectorised SipHash hashes a million ids in a fraction of a second; the
    register stores :func:`probe` so that a pandas whose hash differed would be noticed
    rather than make every respondent look new.
    """
    import pandas as pd

    return pd.util.hash_pandas_object(
        ids.astype(str), index=False, hash_key=salt[:16], categorize=False,
    ).to_numpy(dtype="uint64")


def probe(salt: str) -> str:
    import pandas as pd

    return format(int(respondent_hashes(pd.Series(["surveyor probe"]), salt)[0]), "016x")


def release_of(result: ScoreResult, salt: str) -> Release:
    """This run as a release: who is in each set, what each group shows."""
    import numpy as np
    import pandas as pd

    from surveyor.numbers.anonymity import PROGRAMME, GroupKey

    frame = result.scores
    subscales = list(result.scored.subscale_ids)
    # Factorise organisation and set apart, then their pairs as whole numbers: a
    # MultiIndex of a million rows costs seconds.
    org_codes, orgs = pd.factorize(frame["organization"].astype(str))
    set_codes, set_names = pd.factorize(frame["set"].astype(str))
    pair_codes, pairs = pd.factorize(org_codes.astype(np.int64) * len(set_names) + set_codes)
    unsorted = [(orgs[p // len(set_names)], set_names[p % len(set_names)]) for p in pairs]
    order = sorted(range(len(unsorted)), key=unsorted.__getitem__)
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    codes = rank[pair_codes] if len(order) else pair_codes.astype(np.int64)
    uniques = [unsorted[i] for i in order]
    masks = np.zeros(len(frame), dtype=np.int64)
    for bit, subscale in enumerate(subscales[:MASK_BITS]):
        masks |= frame[subscale].notna().to_numpy().astype(np.int64) << bit
    sets = [[org, name] for org, name in uniques]

    suppression = result.suppression
    groups = [PROGRAMME]
    groups += [GroupKey("organization", org) for org in sorted({org for org, _ in sets})]
    groups += [GroupKey("set", org, name) for org, name in sets]
    shown = []
    for group in groups:
        if not suppression.group_shown(group):
            continue
        cells = [WHOLE] + [s for s in subscales if suppression.cell_shown(group, s)]
        shown += [[group.level, group.organization, group.set, cell] for cell in cells]
    return Release(result.responses.sha256, result.settings.min_group_size, subscales,
                   shown, sets, respondent_hashes(frame["respondent_id"], salt),
                   codes.astype(np.int64), masks)


def _cells(level_sets: tuple[str, str], mask: int, subscales: list[str]) -> set[tuple]:
    """The cells one respondent counts in: every level above their set, whole and scored."""
    org, name = level_sets
    groups = [("programme", "", ""), ("organization", org, ""), ("set", org, name)]
    kinds = [WHOLE] + [s for bit, s in enumerate(subscales)
                       if bit >= MASK_BITS or mask >> bit & 1]
    return {(*group, kind) for group in groups for kind in kinds}


def changed_cells(before: Release, after: Release) -> dict[tuple, int]:
    """How many respondents each cell gained or lost from ``before`` to ``after``.

    Respondents are matched by hash with sorted arrays (a million in well under a second);
    only those who joined, left, moved set or changed which subscales they have a score
    on are looked at one by one.
    """
    import numpy as np

    universe: dict[tuple, int] = {}

    def global_codes(release: Release) -> np.ndarray:
        lookup = np.array([universe.setdefault(tuple(pair), len(universe))
                           for pair in release.sets] or [0], dtype=np.int64)
        return lookup[release.set_codes]

    set_before, set_after = global_codes(before), global_codes(after)
    names = {code: pair for pair, code in universe.items()}
    if np.array_equal(before.hashes, after.hashes):
        in_before = in_after = np.arange(len(after.hashes))
    else:
        _, in_before, in_after = np.intersect1d(before.hashes, after.hashes,
                                                return_indices=True)
    left = np.ones(len(before.hashes), dtype=bool)
    left[in_before] = False
    joined = np.ones(len(after.hashes), dtype=bool)
    joined[in_after] = False
    moved = ((set_before[in_before] != set_after[in_after])
             | (before.masks[in_before] != after.masks[in_after]))

    counts: dict[tuple, int] = {}

    def count(cells: set[tuple]) -> None:
        for cell in cells:
            counts[cell] = counts.get(cell, 0) + 1

    # Subscales are compared by name: one an instrument dropped counts as unscored.
    for i in np.flatnonzero(left).tolist():
        count(_cells(names[int(set_before[i])], int(before.masks[i]), before.subscales))
    for j in np.flatnonzero(joined).tolist():
        count(_cells(names[int(set_after[j])], int(after.masks[j]), after.subscales))
    for i, j in zip(in_before[moved].tolist(), in_after[moved].tolist(), strict=True):
        count(_cells(names[int(set_before[i])], int(before.masks[i]), before.subscales)
              ^ _cells(names[int(set_after[j])], int(after.masks[j]), after.subscales))
    return counts


def small_changes(earlier: list[Release], current: Release, min_group_size: int) -> list[str]:
    """Each group shown now and in an earlier release with a statistic whose membership
    changed by 1 to N - 1 respondents (N the larger of the two releases' thresholds), in
    a sentence per group and release."""
    shown_now = {tuple(cell) for cell in current.shown}
    found = []
    for number, release in enumerate(earlier, start=1):
        both = shown_now & {tuple(cell) for cell in release.shown}
        threshold = max(min_group_size, int(release.min_group_size))
        by_group: dict[tuple, list[tuple[str, int]]] = {}
        for cell, count in sorted(changed_cells(release, current).items()):
            if cell in both and 0 < count < threshold:
                by_group.setdefault(cell[:3], []).append((cell[3], count))
        for (level, org, name), cells in by_group.items():
            group = {"programme": "the programme", "organization": org}.get(
                level, f"{org} / {name}")
            subscales = [what for what, _ in cells if what != WHOLE]
            subjects = ["its respondents"] if any(what == WHOLE for what, _ in cells) else []
            if subscales:
                plural = "s" if len(subscales) > 1 else ""
                subjects.append(f"subscale{plural} {', '.join(subscales)}")
            fewest = min(count for _, count in cells)
            people = "respondent" if fewest == 1 else "respondents"
            found.append(
                f"{group} ({'; '.join(subjects)}) differs by {fewest} {people} from release "
                f"{number} (input {release.input_sha256[:12]}); publishing both would reveal "
                f"{'that person' if fewest == 1 else 'those people'} by subtraction"
            )
    return found


def read_register(out: Path) -> dict | None:
    """The register in ``out``, None when there is none; an unreadable one is an error."""
    import zlib

    path = Path(out) / REGISTER
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT!r} file")
        data["releases"] = [Release.from_dict(r) for r in data["releases"]]
        bytes.fromhex(data["salt"])
        if data.get("probe") != probe(data["salt"]):
            raise ValueError("its respondent hashes were made by a different hash function "
                             "than this installation's (a different pandas?)")
    except (OSError, ValueError, KeyError, TypeError, AttributeError, zlib.error) as exc:
        raise SurveyorError(
            f"{path}: cannot be read as surveyor's release register ({exc}); it protects "
            "the earlier releases in this folder, so restore it from a backup, or score "
            "into a new folder only if no earlier release from here was ever shared"
        ) from None
    return data


def register_release(
    out: Path, result: ScoreResult, allow_small_change: bool = False
) -> tuple[str, list[Problem]]:
    """Check this run against the releases in ``out``; return the new register's text
    and the warnings to record.

    Raises
    ------
    SurveyorError
        When a statistic would be re-published after a change of fewer than N people and
        ``allow_small_change`` is not given.
    """
    data = read_register(out)
    warnings: list[Problem] = []
    if data is None:
        data = {"format": FORMAT, "salt": _salt(result.responses.source), "releases": []}
        if (Path(out) / "manifest.json").exists():
            warnings.append(Problem(
                str(Path(out) / REGISTER), "an earlier run wrote this folder without a "
                "release register, so this release could not be compared with it",
                severity="warning"))
    current = release_of(result, data["salt"])
    n = result.settings.min_group_size
    found = small_changes(data["releases"], current, n)
    if found and not allow_small_change:
        listed = "\n  ".join(found[:10])
        more = f"\n  ... and {len(found) - 10} more" if len(found) > 10 else ""
        raise SurveyorError(
            f"{Path(out) / REGISTER}: this run would re-publish statistics whose membership "
            f"changed by fewer than {n} respondents since an earlier release into this "
            f"folder:\n  {listed}{more}\nWait until at least {n} people have joined or "
            "left, or, if the earlier release was never shared, pass --allow-small-change"
        )
    warnings += [Problem("release register", f"{text} (allowed by --allow-small-change)",
                         severity="warning") for text in found]
    releases = data["releases"]
    if not releases or not releases[-1].same_publication(current):
        releases.append(current)
    text = json.dumps(
        {"format": FORMAT, "salt": data["salt"], "probe": probe(data["salt"]),
         "about": "For the consultant only: which respondents (keyed hashes of their ids, "
                  "no answers) each release published, so that no group is re-published "
                  "after a change of fewer than min_group_size people.",
         "releases": [r.as_dict() for r in releases]},
        ensure_ascii=False, separators=(",", ":"), sort_keys=True,
    ) + "\n"
    return text, warnings
