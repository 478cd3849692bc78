"""The scoring pipeline: responses file in, a ScoreResult with every frame out.

``score`` reads and validates the responses, keys and scores them, runs the single
suppression pass, and computes every summary. It writes nothing; ``surveyor.outputs``
does that.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from surveyor import __version__
from surveyor.errors import Problem
from surveyor.instrument.model import Instrument, load_instrument
from surveyor.numbers.anonymity import DEFAULT_MIN_GROUP_SIZE, Suppression, check_min_group_size

if TYPE_CHECKING:
    import pandas as pd

    from surveyor.inputs.validate import Responses
    from surveyor.numbers.scoring import Scores
    from surveyor.numbers.summaries import Levels


@dataclass(frozen=True)
class Settings:
    """Everything that changes a run's numbers, recorded in the manifest and reports."""

    min_group_size: int = DEFAULT_MIN_GROUP_SIZE
    consented: bool = False

    def missing_rule(self, instrument: Instrument) -> dict[str, int]:
        return {s.id: s.min_answered for s in instrument.subscales}


@dataclass
class ScoreResult:
    """The numbers of one run.

    Attributes
    ----------
    scores
        Person-level subscale scores (for the consultant only).
    groups
        One row per group and subscale (``summaries.GROUP_COLUMNS``), suppression applied.
    reliability
        One row per subscale (``summaries.RELIABILITY_COLUMNS``), pooled over everyone.
    items
        One row per item: n, keyed mean and sd, r.drop, alpha if deleted, option shares.
    suppression
        The run's single suppression pass.
    """

    instrument: Instrument
    responses: Responses
    scored: Scores
    groups: pd.DataFrame
    reliability: pd.DataFrame
    items: pd.DataFrame
    suppression: Suppression
    settings: Settings
    levels: Levels
    alpha_results: dict
    warnings: list[Problem] = field(default_factory=list)
    version: str = __version__
    waves: WaveRun | None = None

    @property
    def scores(self) -> pd.DataFrame:
        return self.scored.frame

    @property
    def latest(self) -> ScoreResult:
        """The result the reports describe: the latest wave's, or the run's own."""
        if self.waves is None:
            return self
        return self.waves.results[self.waves.order[-1]]


@dataclass
class WaveRun:
    """The waves of a multi-wave run.

    Attributes
    ----------
    order
        Wave names as given, earliest first.
    design
        ``independent`` or ``paired`` (``--paired``: respondent ids link waves).
    results
        Each wave scored and suppressed on its own (one suppression pass per wave); each
        carries this WaveRun in ``waves`` so a report of the latest wave can read the change.
    changes
        ``changes.csv``: one row per group, subscale and consecutive pair of waves.
    change_records
        Every hidden change with its reason, for the manifest.
    """

    order: list[str]
    design: str
    results: dict[str, ScoreResult]
    changes: pd.DataFrame
    change_records: list[dict]


def score(
    responses: str | Path,
    instrument: str | Path | Instrument = "learning-inaction",
    *,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
    consented: bool = False,
    format: str | None = None,
    mapping: str | Path | None = None,
    include_partial: bool = False,
    organization: str | None = None,
    set_name: str | None = None,
    waves: str | list[str] | None = None,
    wave: str | None = None,
    paired: bool = False,
) -> ScoreResult:
    """Read, validate and score a responses file or survey-tool export.

    Parameters
    ----------
    responses
        A CSV or XLSX file of responses.
    instrument
        A shipped instrument id, an instrument file, or a loaded Instrument.
    min_group_size
        The anonymity threshold N (default 5; 3 or 4 only with ``consented``).
    consented
        The sets have agreed to see results from fewer than 5 people.
    format, mapping, include_partial, organization, set_name
        For survey-tool exports: force a format (else detected), a mapping.yaml, keep
        unfinished responses, or name the organisation and set of a single-set file.
    waves
        The order of the waves (``"Autumn 2026,Winter 2027"`` or a list); without it,
        numeric or ISO-date wave names are sorted, anything else is an error.
    wave
        Score this wave alone, as a one-wave file.
    paired
        Respondent ids name the same person across waves: change is computed over the
        people present in both waves (else the waves are independent samples).

    Returns
    -------
    ScoreResult
        With two or more waves, ``groups``, ``reliability`` and ``items`` hold every wave
        (a ``wave`` column first), ``waves`` holds each wave's result and the changes, and
        the other fields describe the latest wave (``latest``).

    Raises
    ------
    ResponsesError
        Listing every problem in the file.
    """
    from surveyor.inputs.read import ReadOptions, read
    from surveyor.numbers.waves import (
        parse_wave_list,
        require_wave_column,
        select_wave,
        wave_order,
    )

    check_min_group_size(min_group_size, consented)
    settings = Settings(min_group_size=min_group_size, consented=consented)
    inst = instrument if isinstance(instrument, Instrument) else load_instrument(instrument)
    given = parse_wave_list(waves) if isinstance(waves, str) else waves
    data = read(responses, inst, ReadOptions(
        format=format, mapping=mapping, include_partial=include_partial,
        organization=organization, set_name=set_name,
    ))
    require_wave_column(data.has_wave, given, str(data.source))
    if wave is not None:
        data = replace(data, frame=select_wave(data.frame, wave, str(data.source)))
    order = wave_order(data.frame, given, str(data.source),
                       data.wave_order) if data.has_wave else []
    if len(order) < 2:
        result = _score_wave(data, inst, settings)
        if paired:
            result.warnings.append(Problem(
                "", "--paired has no effect: the file holds one wave", severity="warning"))
        return result
    return _score_waves(data, inst, settings, order, paired)


def _score_wave(data: Responses, inst: Instrument, settings: Settings) -> ScoreResult:
    """Score one wave (or a file without waves): scores, one suppression pass, summaries."""
    from surveyor.numbers.anonymity import suppression_pass
    from surveyor.numbers.disclosure import partial_answerers, withhold
    from surveyor.numbers.scoring import score as score_items
    from surveyor.numbers.summaries import (
        apply_suppression,
        group_statistics,
        hierarchy,
        item_statistics,
        reliability,
    )

    scored = score_items(data.frame, inst)
    levels = hierarchy(data.frame)
    subscale_ids = [s.id for s in inst.subscales]
    suppression = suppression_pass(
        data.frame,
        _present(scored.frame, subscale_ids),
        _present(data.frame, inst.item_ids),
        min_group_size=settings.min_group_size,
        consented=settings.consented,
        partial=partial_answerers(scored.keyed, inst),
        items_of={s: [i.id for i in inst.items_of(s)] for s in subscale_ids},
    )
    raw_groups = group_statistics(scored.frame, scored.keyed, inst, levels)
    groups = withhold(apply_suppression(raw_groups, suppression), settings.min_group_size)
    reliability_frame, alpha_results = reliability(
        scored.keyed, scored.frame, inst, levels, suppression
    )
    items = item_statistics(data.frame, inst, alpha_results, suppression)
    warnings = (list(data.warnings) + keying_warnings(inst, alpha_results)
                + constant_item_warnings(inst, alpha_results))
    return ScoreResult(
        instrument=inst,
        responses=data,
        scored=scored,
        groups=groups,
        reliability=reliability_frame,
        items=items,
        suppression=suppression,
        settings=settings,
        levels=levels,
        alpha_results=alpha_results,
        warnings=warnings,
    )


def _score_waves(
    data: Responses, inst: Instrument, settings: Settings, order: list[str], paired: bool
) -> ScoreResult:
    """Score each wave on its own, then the changes between consecutive waves."""
    import pandas as pd

    from surveyor.numbers.change import INDEPENDENT, PAIRED, compute_changes, mover_counts
    from surveyor.numbers.change_disclosure import disclose_changes
    from surveyor.numbers.scoring import Scores

    results = {}
    for name in order:
        rows = data.frame[data.frame["wave"] == name]
        one = _score_wave(replace(data, frame=rows, warnings=[]), inst, settings)
        one.warnings = [
            replace(w, location=f"wave {name!r}, {w.location}" if w.location else
                    f"wave {name!r}")
            for w in one.warnings
        ]
        results[name] = one
    design = PAIRED if paired else INDEPENDENT
    subscales = [s.id for s in inst.subscales]
    frames = {name: results[name].scored.frame for name in order}
    raw = compute_changes(frames, order, subscales, design)
    movers = mover_counts(frames, order, subscales) if paired else {}
    changes, records = disclose_changes(
        raw, {name: results[name].suppression for name in order},
        settings.min_group_size, movers, {name: results[name].groups for name in order},
    )
    run = WaveRun(order=list(order), design=design, results=results, changes=changes,
                  change_records=records)
    for one in results.values():
        one.waves = run

    def stacked(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
        parts = [frame.assign(wave=name)[["wave", *frame.columns]]
                 for name, frame in frames.items()]
        return pd.concat(parts, ignore_index=True)

    every = [results[name].scored for name in order]
    scored = Scores(
        frame=pd.concat([s.frame for s in every]).sort_index(),
        keyed=pd.concat([s.keyed for s in every]).sort_index(),
        prorated={k: sum(s.prorated.get(k, 0) for s in every) for k in subscales},
        unscored={k: sum(s.unscored.get(k, 0) for s in every) for k in subscales},
    )
    latest = results[order[-1]]
    warnings = list(data.warnings) + [w for name in order for w in results[name].warnings]
    return replace(
        latest,
        responses=data,
        scored=scored,
        groups=stacked({name: results[name].groups for name in order}),
        reliability=stacked({name: results[name].reliability for name in order}),
        items=stacked({name: results[name].items for name in order}),
        warnings=warnings,
        waves=run,
    )


def _present(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """``frame[columns].notna()``, column by column: selecting the columns first would copy
    every value (a million rows by the items) only to test them."""
    import pandas as pd

    return pd.DataFrame(
        {name: frame[name].notna().to_numpy() for name in columns}, index=frame.index
    )


def constant_item_warnings(instrument: Instrument, alpha_results: dict) -> list[Problem]:
    """Warn about items that alpha deleted because everyone gave the same answer."""
    problems = []
    for subscale in instrument.subscales:
        result = alpha_results[subscale.id]
        total = len(instrument.items_of(subscale.id))
        for item in result.dropped:
            problems.append(
                Problem(
                    f"item {item}",
                    f"never varies (every answer the same, or fewer than two answers), so "
                    f"Cronbach's alpha for '{subscale.id}' leaves it out, as psych::alpha "
                    f"does: alpha is over k={result.k} of its {total} items "
                    "(reliability.csv, column dropped)",
                    severity="warning",
                )
            )
    return problems


def keying_warnings(instrument: Instrument, alpha_results: dict) -> list[Problem]:
    """Warn about items that correlate negatively with the rest of their subscale."""
    import math

    problems = []
    for item in instrument.items:
        r = alpha_results[item.subscale].items.loc[item.id, "r_drop"]
        if not math.isnan(r) and r < 0:
            keyed = "reverse-keyed" if item.reverse else "not reverse-keyed"
            problems.append(
                Problem(
                    f"item {item.id}",
                    f"correlates negatively with the rest of '{item.subscale}' "
                    f"(item-rest r = {r:.2f}) after keying; it is {keyed} in the instrument, "
                    "so check the keying and the data entry for this column",
                    severity="warning",
                )
            )
    return problems
