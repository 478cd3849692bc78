"""The scoring pipeline: responses file in, a ScoreResult with every frame out.

``score`` reads and validates the responses, keys and scores them, runs the single
suppression pass, and computes every summary. It writes nothing; ``surveyor.outputs``
does that.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from surveyor import __version__
from surveyor.errors import Problem
from surveyor.instrument.model import Instrument, load_instrument
from surveyor.numbers.anonymity import DEFAULT_MIN_GROUP_SIZE, Suppression, check_min_group_size

if TYPE_CHECKING:
    import pandas as pd

    from surveyor.inputs.responses import Responses
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

    @property
    def scores(self) -> pd.DataFrame:
        return self.scored.frame


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

    Returns
    -------
    ScoreResult

    Raises
    ------
    ResponsesError
        Listing every problem in the file.
    """
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

    check_min_group_size(min_group_size, consented)
    settings = Settings(min_group_size=min_group_size, consented=consented)
    inst = instrument if isinstance(instrument, Instrument) else load_instrument(instrument)
    data = load_responses(
        responses, inst, format=format, mapping=mapping, include_partial=include_partial,
        organization=organization, set_name=set_name,
    )
    check_single_wave(data)
    scored = score_items(data.frame, inst)
    levels = hierarchy(data.frame)
    subscale_ids = [s.id for s in inst.subscales]
    suppression = suppression_pass(
        data.frame,
        _present(scored.frame, subscale_ids),
        _present(data.frame, inst.item_ids),
        min_group_size=min_group_size,
        consented=consented,
        partial=partial_answerers(scored.keyed, inst),
        items_of={s: [i.id for i in inst.items_of(s)] for s in subscale_ids},
    )
    raw_groups = group_statistics(scored.frame, scored.keyed, inst, levels)
    groups = withhold(apply_suppression(raw_groups, suppression), min_group_size)
    reliability_frame, alpha_results = reliability(
        scored.keyed, scored.frame, inst, levels, suppression
    )
    items = item_statistics(data.frame, inst, alpha_results, suppression)
    warnings = list(data.warnings) + keying_warnings(inst, alpha_results)
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


def _present(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """``frame[columns].notna()``, column by column: selecting the columns first would copy
    every value (a million rows by the items) only to test them."""
    import pandas as pd

    return pd.DataFrame(
        {name: frame[name].notna().to_numpy() for name in columns}, index=frame.index
    )


def load_responses(
    responses: str | Path,
    instrument: Instrument,
    *,
    format: str | None = None,
    mapping: str | Path | None = None,
    include_partial: bool = False,
    organization: str | None = None,
    set_name: str | None = None,
) -> Responses:
    """Read a canonical file directly, or any survey-tool export through its adapter."""
    from surveyor.inputs.export_files import detect_format, header_has_items
    from surveyor.inputs.exports import read_export
    from surveyor.inputs.platforms.spss import is_sav
    from surveyor.inputs.response_files import refuse_foreign_file
    from surveyor.inputs.responses import read_responses, responses_from_table

    path = Path(responses)
    if not path.is_file():
        return read_responses(path, instrument)  # it explains a missing file or a folder
    try:
        if not is_sav(path):  # an SPSS file is read through its platform module
            refuse_foreign_file(path)
    except PermissionError:
        return read_responses(path, instrument)  # it explains an unreadable file
    detected = format or detect_format(path)
    plain = (
        detected == "csv"
        and mapping is None
        and organization is None
        and set_name is None
        and header_has_items(path, instrument.item_ids)
    )
    if plain:
        return read_responses(responses, instrument)
    table = read_export(
        responses, instrument, format=format, mapping=mapping,
        include_partial=include_partial, organization=organization, set_name=set_name,
    )
    return responses_from_table(table, instrument, responses)


def check_single_wave(data: Responses) -> None:
    """Refuse a file that mixes waves: pooling them would count people twice.

    Comparing waves (DOMAIN.md section 5, rule 6: change is shown for a set only when both
    waves pass the threshold) is not built yet, so each wave is scored on its own.
    """
    if not data.has_wave:
        return
    waves = sorted(str(w) for w in data.frame["wave"].unique())
    if len(waves) > 1:
        from surveyor.errors import SurveyorError

        raise SurveyorError(
            f"{data.source}: holds {len(waves)} waves ({', '.join(waves[:5])}"
            f"{', ...' if len(waves) > 5 else ''}); pooling them would count people twice. "
            "Score one wave at a time: keep only that wave's rows in the file"
        )


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
