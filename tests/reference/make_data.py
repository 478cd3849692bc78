"""Generate tests/reference/data.csv, the small dataset the R reference figures use.

Run from the repository root: ``python tests/reference/make_data.py``, then
``Rscript tests/reference/make_reference.R``. The seed is fixed, so the file is
reproducible; it is committed so the tests never need to run this.

Design: 3 organisations, 10 sets of 3 to 9 respondents (61 in all), two subscales of
three items on a 1-5 scale. Each answer is a set effect plus a person effect per subscale
plus item noise, rounded and clipped to the scale, which gives alphas around .6-.85 and
real between-set variance for the ICCs. Item a3 is reverse-worded: the file holds the raw
answer (6 - keyed). About 8% of answers are missing, and one respondent skipped every
alpha_sub item, so the respondents-with-answers count differs from the row count.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20240611
SETS = [
    ("north", "n1", 4),
    ("north", "n2", 7),
    ("north", "n3", 3),
    ("north", "n4", 9),
    ("south", "s1", 5),
    ("south", "s2", 8),
    ("south", "s3", 6),
    ("west", "w1", 3),
    ("west", "w2", 7),
    ("west", "w3", 9),
]


def main() -> None:
    rng = np.random.default_rng(SEED)
    rows = []
    respondent = 0
    for organization, set_id, size in SETS:
        set_effect = rng.normal(0.0, 0.45, size=2)
        for _ in range(size):
            respondent += 1
            person = rng.normal(0.0, 0.75, size=2)
            keyed = {}
            for s, (sub, items) in enumerate((("a", "123"), ("b", "123"))):
                for i in items:
                    raw = 3.1 + set_effect[s] + person[s] + rng.normal(0.0, 0.7)
                    keyed[f"{sub}{i}"] = int(np.clip(np.rint(raw), 1, 5))
            row = {
                "respondent": f"r{respondent:03d}",
                "organization": organization,
                "set": set_id,
                **keyed,
            }
            row["a3"] = 6 - row["a3"]
            rows.append(row)
    frame = pd.DataFrame(rows)
    items = ["a1", "a2", "a3", "b1", "b2", "b3"]
    answers = frame[items].astype("Float64")
    mask = rng.random(answers.shape) < 0.08
    answers = answers.mask(mask)
    # One respondent who skipped every alpha_sub item (psych still counts the row).
    answers.loc[10, ["a1", "a2", "a3"]] = pd.NA
    frame[items] = answers.astype("Int64")
    out = Path(__file__).with_name("data.csv")
    frame.to_csv(out, index=False, na_rep="NA", lineterminator="\n")


if __name__ == "__main__":
    main()
