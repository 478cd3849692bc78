"""The "Since <previous wave>" section: what changed since the wave before this one.

Built only for a run with two or more waves, in the reports of the latest wave. Every
figure comes from ``changes.csv`` (already through the cross-wave disclosure rules) and
from each wave's own shown group rows; nothing here decides what may be shown.

- Set report: the set's subscales as a dumbbell chart (each wave's mean, with intervals)
  and a plain verdict per subscale, given only when the change's 95% interval leaves out
  zero ("higher than in Autumn 2026"), else "no clear change"; with three or more waves a
  small trend chart.
- Organisation report: the organisation's own change, then each set's change side by side
  (alphabetical). Programme overview: the programme's change, then each organisation's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from markupsafe import Markup

from surveyor.numbers.anonymity import GroupKey
from surveyor.reports.charts.change import (
    ChangeRow,
    TrendSeries,
    dumbbell_chart,
    trend_chart,
    trend_labels_fit,
    trend_wave_room,
)

from .common import CHART_WIDTH, EN_DASH, MINUS, ORGANIZATION, PROGRAMME_KIND, SET, _missing
from .contract import Figure, Table

if TYPE_CHECKING:
    import pandas as pd

NOT_COMPARED = "not compared"


@dataclass(frozen=True)
class ChangeSection:
    """What the template ``partials/change.html`` receives as ``since``.

    Attributes
    ----------
    anchor, title
        Element id and heading ("Since Autumn 2026": wave names as given).
    intro
        Plain sentences: what is compared, and the clearest change (or that none is clear).
    headline
        The clearest change in one sentence for "At a glance" (or that none is clear).
    figure
        The report's own group: each subscale's two means as a dumbbell chart.
    verdicts
        One row per subscale: both means, the change with its interval, and the verdict.
    children
        Organisation and programme reports: each set (organisation) side by side, by name.
    trend
        With three or more waves: each subscale's mean in every wave.
    notes
        What "not compared" means and how the change is computed.
    """

    anchor: str
    title: str
    intro: tuple[str, ...]
    headline: str
    figure: Figure
    verdicts: Table
    children: Table | None = None
    trend: Figure | None = None
    notes: tuple[str, ...] = ()


def _num(value: float, places: int) -> str:
    """A published figure printed to ``places`` (rounded as groups.csv rounds)."""
    from surveyor.numbers.rounding import round_value

    return f"{round_value(value, places):.{places}f}"


def _signed(value: float, places: int = 2) -> str:
    from surveyor.numbers.rounding import round_value

    text = f"{round_value(value, places):+.{places}f}"
    zero = text[1:].strip("0.") == ""
    return ("+" if zero else text[0]).replace("-", MINUS) + text[1:]


def _interval(low: float, high: float, places: int = 2) -> str:
    if _missing(low) or _missing(high):
        return ""
    return f"{_signed(low, places)} to {_signed(high, places)}"


def _places(row: dict, min_group_size: int) -> int:
    """The decimals changes.csv publishes for this row (disclosure rule 5): one for a set
    or a small group, two otherwise; printing more would only add zeros."""
    from surveyor.numbers.disclosure import DECIMALS, SMALL_DECIMALS, small_group_size

    n = row["n_paired"] if row["design"] == "paired" else min(row["n_from"], row["n_to"])
    small = row["level"] == SET or not n >= small_group_size(min_group_size)
    return SMALL_DECIMALS if small else DECIMALS


def verdict(row: dict, previous: str) -> str:
    """"higher/lower than in <previous>" when the interval leaves out zero, else "no clear
    change"; empty for a change that is not shown."""
    if not row or not row["shown"]:
        return ""
    if not _missing(row["ci_low"]) and row["ci_low"] > 0:
        return f"higher than in {previous}"
    if not _missing(row["ci_high"]) and row["ci_high"] < 0:
        return f"lower than in {previous}"
    return "no clear change"


def _clearness(row: dict) -> float:
    """How far the interval is from zero, in half-widths (0 when it includes zero)."""
    half = (row["ci_high"] - row["ci_low"]) / 2
    return abs(row["change"]) / half if half > 0 else 0.0


class _Changes:
    """The change rows of one pair of waves and each wave's shown group means."""

    def __init__(self, run, previous: str, latest: str):
        self.run = run
        self.previous, self.latest = previous, latest
        frame = run.changes[(run.changes["wave_from"] == previous)
                            & (run.changes["wave_to"] == latest)]
        self.rows = {
            (r["level"], r["organization"], r["set"], r["subscale"]): r
            for r in frame.to_dict("records")
        }
        self.means: dict[str, dict] = {}
        for wave in run.order:
            groups: pd.DataFrame = run.results[wave].groups
            self.means[wave] = {
                (r["level"], r["organization"], r["set"], r["subscale"]): r
                for r in groups.to_dict("records")
                if not r["suppressed"] and not _missing(r["mean"])
            }

    def row(self, key: GroupKey, subscale: str) -> dict | None:
        return self.rows.get((key.level, key.organization, key.set, subscale))

    def point(self, wave: str, key: GroupKey, subscale: str):
        row = self.means[wave].get((key.level, key.organization, key.set, subscale))
        return None if row is None else (row["mean"], row["ci_low"], row["ci_high"])


def change_section(builder) -> ChangeSection | None:
    """The section for the report ``builder`` is building, or ``None`` without waves."""
    run = getattr(builder.result, "waves", None)
    if run is None or len(run.order) < 2:
        return None
    previous, latest = run.order[-2], run.order[-1]
    changes = _Changes(run, previous, latest)
    key, subscales = builder.key, builder.instrument.subscales
    paired = run.design == "paired"

    # One precision per page: the fewest decimals any change this section prints is
    # published to (a set's one decimal beside its organisation's two prints both at one).
    page_places = min(
        (_places(row, builder.min_n) for k in _section_keys(builder, changes)
         for sub in subscales if (row := changes.row(k, sub.id)) is not None and row["shown"]),
        default=2,
    )
    chart_rows, table_rows, clear = [], [], []
    for sub in subscales:
        row = changes.row(key, sub.id)
        if row is None or not row["shown"]:
            absent = changes.point(previous, key, sub.id) is None and row is not None
            note = f"{NOT_COMPARED}: no result in {previous}" if absent else NOT_COMPARED
            chart_rows.append(ChangeRow(sub.name, None, None, note=note))
            table_rows.append((sub.name, EN_DASH, EN_DASH, NOT_COMPARED))
            continue
        if paired:
            before = (row["mean_from"], float("nan"), float("nan"))
            after = (row["mean_to"], float("nan"), float("nan"))
        else:
            before = changes.point(previous, key, sub.id)
            after = changes.point(latest, key, sub.id)
        places = page_places
        interval = _interval(row["ci_low"], row["ci_high"], places)
        text = _signed(row["change"], places) + (f" ({interval})" if interval else "")
        chart_rows.append(ChangeRow(sub.name, before, after, change=text))
        said = verdict(row, previous)
        table_rows.append((sub.name, _num(row["mean_from"], places),
                           _num(row["mean_to"], places), said))
        if said != "no clear change":
            clear.append((_clearness(row), sub.name, said, row, places))

    title = f"Since {previous}"
    svg = dumbbell_chart(
        chart_rows, builder.scale.min, builder.scale.max, before_label=previous,
        after_label=latest, title=title, change_head="Change (95% interval)",
        width=CHART_WIDTH, palette=builder.palette,
    )
    group = {SET: "this set", ORGANIZATION: "the organisation",
             PROGRAMME_KIND: "the programme"}[builder.spec.kind]
    who = ("the people who answered in both waves" if paired
           else "everyone who answered in each wave")
    intro = [f"Each subscale's mean for {group} in {previous} and in {latest}, over {who}."]
    if clear:
        _, name, said, row, places = max(clear, key=lambda c: (c[0], c[1]))
        intro.append(f"The clearest change: {name}, {said} ({_num(row['mean_from'], places)} "
                     f"then {_num(row['mean_to'], places)}).")
        headline = (f"Since {previous}, the clearest change is in {name.lower()}: {said} "
                    f"({_num(row['mean_from'], places)} then {_num(row['mean_to'], places)}).")
    else:
        intro.append(f"No subscale changed clearly since {previous}: every interval for the "
                     "change includes zero, or the change could not be compared.")
        headline = f"No subscale changed clearly since {previous}."
    figure = Figure("since-chart", f"{previous} and {latest}", Markup(svg))
    verdicts = Table(("Subscale", previous, latest, "Verdict"), tuple(table_rows),
                     (False, True, True, False))
    notes = [
        "A verdict is given only when the 95% interval for the change leaves out zero; "
        "otherwise the change is within what chance alone could produce. "
        f"\u201c{NOT_COMPARED.capitalize()}\u201d: the group was not shown in one of the "
        "waves, had too few responses, or the change is withheld so that no one's answers "
        "can be worked out by comparing the two waves.",
    ]
    return ChangeSection(
        anchor="since", title=title, intro=tuple(intro), headline=headline, figure=figure,
        verdicts=verdicts,
        children=_children(builder, changes, previous, page_places),
        trend=_trend(builder, changes, run.order), notes=tuple(notes),
    )


def _child_keys(builder, changes: _Changes) -> list[tuple[str, GroupKey]]:
    """Organisation: its sets; programme: its organisations; by name, never ranked."""
    kind = builder.spec.kind
    if kind == SET:
        return []
    if kind == ORGANIZATION:
        org = builder.key.organization
        names = sorted({k[2] for k in changes.rows if k[0] == SET and k[1] == org})
        return [(name, GroupKey(SET, org, name)) for name in names]
    names = sorted({k[1] for k in changes.rows if k[0] == ORGANIZATION})
    return [(name, GroupKey(ORGANIZATION, name)) for name in names]


def _section_keys(builder, changes: _Changes) -> list[GroupKey]:
    """The report's own group and the children its section lists."""
    return [builder.key, *(key for _, key in _child_keys(builder, changes))]


def _children(builder, changes: _Changes, previous: str, places: int) -> Table | None:
    """Organisation: its sets; programme: its organisations; by name, never ranked."""
    keys = _child_keys(builder, changes)
    if not keys:
        return None
    head = "Set" if builder.spec.kind == ORGANIZATION else "Organisation"
    subscales = builder.instrument.subscales
    rows = []
    for name, key in [(builder.group_name(), builder.key), *keys]:
        cells = [name]
        for sub in subscales:
            row = changes.row(key, sub.id)
            if row is None or not row["shown"]:
                cells.append(EN_DASH)
                continue
            said = verdict(row, previous)
            mark = {"no clear change": ""}.get(said, f" ({said.split()[0]})")
            cells.append(_signed(row["change"], places) + mark)
        rows.append(tuple(cells))
    return Table(
        (head, *(sub.name for sub in subscales)), tuple(rows),
        (False, *([True] * len(subscales))),
        notes=(f"Change in mean since {previous}; \u201chigher\u201d or \u201clower\u201d "
               f"only where the 95% interval leaves out zero; {EN_DASH}: not compared.",),
        caption=f"Change since {previous}, side by side",
    )


def _trend(builder, changes: _Changes, order) -> Figure | None:
    if len(order) < 3:
        return None
    series = [
        TrendSeries(sub.name, [changes.point(w, builder.key, sub.id) for w in order])
        for sub in builder.instrument.subscales
    ]
    if not any(p is not None for s in series for p in s.points):
        return None
    svg = trend_chart(series, list(order), builder.scale.min, builder.scale.max,
                      title="Over the waves", width=CHART_WIDTH, palette=builder.palette)
    room, size = trend_wave_room(len(series), len(order), CHART_WIDTH,
                                 builder.palette.font_size)
    notes = () if trend_labels_fit(order, room, size) else (
        "Left to right in each panel: " + ", ".join(order) + ".",)
    return Figure("trend", "Over the waves", Markup(svg),
                  ("Each subscale's mean and 95% interval in every wave where it is shown.",),
                  notes)
