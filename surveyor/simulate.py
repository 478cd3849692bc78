"""Synthetic programmes: realistic, seeded response files for examples, tests and benchmarks.

Each respondent has a latent position on every subscale: a programme mean for the
subscale, plus an organisation effect, a set effect and a personal deviation, with a
shared "inaction" factor that raises the four learning-inaction subscales together and
lowers learning-in-action. Answers are the latent value plus item noise, cut into the
scale's categories, reversed for reverse-worded items. Some answers are left empty and
some are "Don't know", at rates you choose.

With ``waves`` above 1 the same people are surveyed again: each later wave keeps everyone's
latent position, adds the programme effect (learning-in-action up, the learning-inaction
subscales down, by ``programme_effect`` scale points per wave) and a little personal drift,
and loses each person with probability ``attrition``. Respondent ids stay the same across
waves, so the file can be scored independently or with ``--paired``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from surveyor.errors import SurveyorError
from surveyor.instrument.model import Instrument

if TYPE_CHECKING:
    import pandas as pd

ORGANIZATION_NAMES = [
    "Northfield NHS Foundation Trust",
    "Riverside Community Health Services",
    "Eastbrook Integrated Care Board",
    "Westmoor Mental Health Partnership",
    "Southgate Ambulance Service",
    "Highcliffe University Hospitals",
    "Meadowvale Primary Care Network",
    "Oakridge Social Care Alliance",
]
SET_NAMES = [
    "Ward managers", "Clinical directors", "Matrons", "Service leads", "Practice managers",
    "Allied health leads", "Quality and safety", "Discharge pathway", "Digital champions",
    "Theatre leads", "Community nursing", "Finance partners", "Estates and facilities",
    "Patient experience", "Workforce planning", "Research leads",
]
# The learning-inaction picture: these subscales rise together, learning-in-action falls.
INACTION_LOADING = 0.55


@dataclass(frozen=True)
class SimulationSettings:
    organizations: int = 3
    sets: int = 11
    min_set_size: int = 3
    max_set_size: int = 9
    respondents: int | None = None
    seed: int = 2008
    set_effect: float = 0.35
    organization_effect: float = 0.2
    missing_rate: float = 0.03
    dont_know_rate: float = 0.02
    small_set: bool = True
    waves: int = 1
    wave_names: tuple[str, ...] | None = None
    programme_effect: float = 0.25
    attrition: float = 0.1

    def check(self) -> None:
        problems = []
        if self.waves < 1:
            problems.append("--waves must be at least 1")
        if self.wave_names is not None and len(self.wave_names) != self.waves:
            problems.append(
                f"--wave-names gives {len(self.wave_names)} names for {self.waves} waves"
            )
        if not 0 <= self.attrition < 0.9:
            problems.append("--attrition must be between 0 and 0.9")
        if self.organizations < 1:
            problems.append("--organizations must be at least 1")
        if self.sets < self.organizations:
            problems.append("--sets must be at least --organizations (each needs a set)")
        if not 1 <= self.min_set_size <= self.max_set_size:
            problems.append("set sizes need 1 <= --min-set-size <= --max-set-size")
        for name in ("missing_rate", "dont_know_rate"):
            value = getattr(self, name)
            if not 0 <= value < 0.5:
                problems.append(f"--{name.replace('_', '-')} must be between 0 and 0.5")
        if self.respondents is not None and not (
            self.sets * self.min_set_size <= self.respondents <= self.sets * self.max_set_size
        ):
            problems.append(
                f"--respondents {self.respondents} cannot be split into {self.sets} sets of "
                f"{self.min_set_size} to {self.max_set_size}"
            )
        if problems:
            raise SurveyorError("; ".join(problems))


def set_sizes(settings: SimulationSettings, rng) -> object:
    """Draw set sizes in range; hit ``respondents`` exactly when it is given."""
    import numpy as np

    lo, hi = settings.min_set_size, settings.max_set_size
    if settings.small_set and settings.respondents is None and lo < 5 <= hi:
        # Examples show what suppression looks like: exactly one set below 5.
        sizes = rng.integers(5, hi + 1, settings.sets)
        sizes[rng.integers(settings.sets)] = lo
    else:
        sizes = rng.integers(lo, hi + 1, settings.sets)
    if settings.respondents is not None:
        sizes = np.clip(np.round(sizes * settings.respondents / sizes.sum()), lo, hi).astype(int)
        difference = settings.respondents - int(sizes.sum())
        while difference != 0:
            step = 1 if difference > 0 else -1
            room = np.flatnonzero(sizes < hi) if step > 0 else np.flatnonzero(sizes > lo)
            chosen = rng.choice(room, size=min(abs(difference), len(room)), replace=False)
            sizes[chosen] += step
            difference -= step * len(chosen)
    return sizes


def _names(pool: list[str], count: int, prefix: str) -> list[str]:
    if count <= len(pool):
        return pool[:count]
    return [f"{prefix} {i + 1:0{len(str(count))}d}" for i in range(count)]


def simulate(instrument: Instrument, settings: SimulationSettings | None = None) -> pd.DataFrame:
    """Generate a synthetic responses table for ``instrument``.

    Parameters
    ----------
    instrument
        The instrument whose items, scale and missing option are used.
    settings
        Sizes, effects, missingness and the seed; the same settings give the same table.

    Returns
    -------
    DataFrame
        ``respondent_id, organization, set`` (and ``wave`` when ``settings.waves`` > 1) then
        one text column per item id holding a scale code, an empty string (unanswered) or
        the instrument's first missing option.
    """
    import numpy as np
    import pandas as pd

    settings = settings or SimulationSettings()
    settings.check()
    rng = np.random.default_rng(settings.seed)
    sizes = set_sizes(settings, rng)
    n_sets, n_orgs = settings.sets, settings.organizations
    set_org = np.concatenate([np.arange(n_orgs), rng.integers(0, n_orgs, n_sets - n_orgs)])
    set_org.sort(kind="stable")
    org_names = _names(ORGANIZATION_NAMES, n_orgs, "Organisation")
    set_names = []
    for org in range(n_orgs):
        count = int(np.sum(set_org == org))
        set_names += _names(SET_NAMES, count, "Set")
    person_set = np.repeat(np.arange(n_sets), sizes)
    n = len(person_set)

    scale = instrument.scale
    mid = (scale.min + scale.max) / 2
    inaction = rng.normal(0, 1, n)
    frame = {
        "respondent_id": [f"R{i + 1:0{max(5, len(str(n)))}d}" for i in range(n)],
        "organization": np.array(org_names, dtype=object)[set_org[person_set]],
        "set": np.array(set_names, dtype=object)[person_set],
    }
    subscale_ids = [s.id for s in instrument.subscales]
    base = rng.uniform(-0.5, 0.6, len(subscale_ids))
    latents = {}
    for index, subscale in enumerate(instrument.subscales):
        sign = -1.0 if subscale.id == "learning_in_action" else 1.0
        org_effect = rng.normal(0, settings.organization_effect, n_orgs)
        set_effect = rng.normal(0, settings.set_effect, n_sets)
        latents[subscale.id] = (
            mid
            + base[index]
            + org_effect[set_org[person_set]]
            + set_effect[person_set]
            + sign * INACTION_LOADING * inaction
            + rng.normal(0, 0.55, n)
        )
        frame.update(_answers(instrument, subscale.id, latents[subscale.id], rng))
    table = _with_missing(pd.DataFrame(frame), instrument, settings, rng)
    columns = ["respondent_id", "organization", "set", *instrument.item_ids]
    if settings.waves == 1:
        return table[columns]
    names = list(settings.wave_names or [str(w + 1) for w in range(settings.waves)])
    tables = [table.assign(wave=names[0])]
    for wave in range(1, settings.waves):
        later = {key: frame[key] for key in ("respondent_id", "organization", "set")}
        for subscale in instrument.subscales:
            direction = 1.0 if subscale.id == "learning_in_action" else -1.0
            latent = (latents[subscale.id] + direction * settings.programme_effect * wave
                      + rng.normal(0, 0.3, n))
            later.update(_answers(instrument, subscale.id, latent, rng))
        present = rng.random(n) >= settings.attrition
        one = _with_missing(pd.DataFrame(later), instrument, settings, rng)
        tables.append(one[present].assign(wave=names[wave]))
    columns.insert(3, "wave")
    return pd.concat(tables, ignore_index=True)[columns]


def _answers(instrument: Instrument, subscale: str, latent, rng) -> dict:
    """Each item of a subscale: latent plus noise, cut into the scale, reverse-keyed."""
    import numpy as np

    lo, hi = instrument.scale.min, instrument.scale.max
    n = len(latent)
    out = {}
    for item in instrument.items_of(subscale):
        value = latent + rng.normal(0, 0.7, n) + rng.normal(0, 0.15)
        answer = np.clip(np.rint(value), lo, hi).astype(int)
        if item.reverse:
            answer = lo + hi - answer
        out[item.id] = answer
    return out


def _with_missing(table: pd.DataFrame, instrument: Instrument, settings: SimulationSettings,
                  rng) -> pd.DataFrame:
    """Answers as text, some left empty and some given as the "Don't know" option."""
    scale = instrument.scale
    n = len(table)
    for item_id in instrument.item_ids:
        column = table[item_id].astype(str).to_numpy(dtype=object)
        draw = rng.random(n)
        column[draw < settings.missing_rate] = ""
        if scale.missing:
            dont_know = (draw >= settings.missing_rate) & (
                draw < settings.missing_rate + settings.dont_know_rate
            )
            column[dont_know] = scale.missing[0]
        table[item_id] = column
    return table
