"""The technical note for the consultant: every figure that left the client reports.

One per run (``reports/technical-note.pdf``): scoring and missing-data rules with the
prorated counts, pooled reliability (alpha with its Feldt interval), agreement (rwg(j), its
null critical value, AD) for every shown set and subscale whose complete answers reach the
minimum group size, ICC(1) and ICC(2) (a negative estimate read as "no detectable
difference between sets", its raw value printed only here), how intervals are bounded,
the suppression log in words, and the full reproducibility stamp with the data file's
SHA-256. The note adds no figure about a group the reports withhold: suppressed groups
appear by name and reason only, never with a count.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from markupsafe import Markup

from surveyor.numbers.anonymity import BELOW_MINIMUM, COMPLEMENTARY, PROGRAMME, GroupKey
from surveyor.typeset.environment import fmt

from .common import (
    _PLUS_MINUS,
    ALPHA_FLAG,
    EN_DASH,
    FELDT_CAUTION,
    ICC_MIN_SETS,
    MINUS,
    RELIABILITY_MIN_N,
    SET,
    _dot,
    _missing,
)
from .contract import Fact, Footer, Table

if TYPE_CHECKING:
    from surveyor.reports.brand import Brand

    from .data import ReportData

TEMPLATE = "report_technical.html"
KIND = "technical"


@dataclass(frozen=True)
class TechnicalNote:
    """Everything ``report_technical.html`` receives (its variables are these fields)."""

    lang: str
    title: str
    page_size: str
    document_class: str
    kind: str
    template: str
    brand_css: Markup
    strings: dict
    footer: Footer
    intro: tuple[str, ...]
    scoring: tuple[str, ...]
    missing: Table
    reliability_intro: tuple[str, ...]
    reliability: Table
    agreement_intro: tuple[str, ...]
    agreement: tuple[Fact, ...]
    icc_intro: tuple[str, ...]
    icc: Table
    bounds: tuple[str, ...]
    suppression: tuple[str, ...]
    suppressed_groups: Table | None
    suppression_log: tuple[Fact, ...]
    stamp: tuple[Fact, ...]

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def build_technical_note(data: ReportData, brand: Brand, data_date: str = "") -> TechnicalNote:
    """The technical note of one run."""
    return _Note(data, brand, data_date).build()


class _Note:
    def __init__(self, data: ReportData, brand: Brand, data_date: str):
        self.data = data
        self.result = data.result
        self.instrument = data.result.instrument
        self.scale = self.instrument.scale
        self.min_n = data.result.suppression.min_group_size
        self.brand = brand
        self.data_date = data_date

    def build(self) -> TechnicalNote:
        title = self.brand.text("technical_note")
        return TechnicalNote(
            lang=self.instrument.language,
            title=f"{title}: {self.instrument.display_title}",
            page_size="A4",
            document_class="report report-technical",
            kind=KIND,
            template=TEMPLATE,
            brand_css=Markup(self.brand.css()),
            strings=dict(self.brand.strings),
            footer=Footer(self.instrument.display_title, title, self.brand.footer,
                          self.brand.text("page"), self.brand.text("page_of")),
            intro=(
                "For the consultant, not for the sets or the sponsor: the statistics behind "
                "the client reports, which say the same in plain words. Nothing here "
                "describes a group the reports withhold.",
            ),
            scoring=self.scoring(),
            missing=self.missing(),
            reliability_intro=(
                "Cronbach's alpha with its 95% Feldt interval, computed once over everyone in "
                "the programme (in a group of a few people it would mean nothing); printed "
                f"only with at least {RELIABILITY_MIN_N} people. Alpha below "
                f"{_dot(ALPHA_FLAG)} is flagged, and a caution added when the interval "
                f"reaches below {_dot(FELDT_CAUTION)}.",
            ),
            reliability=self.reliability(),
            agreement_intro=self.agreement_intro(),
            agreement=self.agreement(),
            icc_intro=self.icc_intro(),
            icc=self.icc(),
            bounds=(
                "A 95% t interval (mean " + _PLUS_MINUS + " t \u00d7 SD / \u221an) is "
                "symmetric and can run past the ends of the scale in a small group with a "
                "mean near an end. No mean can lie outside the scale, so the client reports "
                f"cut an interval at {self.scale.min} and {self.scale.max} and say so in "
                "words beside it (\u201ccut at the top of the scale\u201d); charts draw the "
                "cut interval. groups.csv keeps the uncut bounds.",
                "A set's result is said to stand apart from its organisation or the "
                "programme only when its (cut) interval leaves out the other's mean; "
                "otherwise the reports say \u201csimilar\u201d.",
            ),
            suppression=self.suppression(),
            **dict(zip(("suppressed_groups", "suppression_log"), self.suppression_log(),
                       strict=True)),
            stamp=self.stamp(),
        )

    def scoring(self) -> tuple[str, ...]:
        s = self.scale
        return (
            f"Answers are scored {s.min} ({s.labels[0]}) to {s.max} ({s.labels[-1]}). "
            "Statements worded the other way round are reverse-scored on the declared scale "
            f"(score = {s.min + s.max} {MINUS} answer).",
            "A person's subscale score is the mean of the statements of that subscale they "
            "answered, given only when they answered at least the number shown below. "
            + (f'"{s.missing[0]}" ' if s.missing else "")
            + "counts as not answered, never as the middle of the scale. A score from fewer "
            "than all the statements is a prorated score.",
            "Group means come with 95% confidence intervals from the t distribution; "
            f"standard deviations use n\u00a0{MINUS}\u00a01.",
        )

    def missing(self) -> Table:
        prorated, unscored = self.result.scored.prorated, self.result.scored.unscored
        shown = PROGRAMME in self.data.counts
        rows = []
        for sub in self.instrument.subscales:
            k = len(self.instrument.items_of(sub.id))
            rows.append((sub.name, str(k), str(sub.min_answered),
                         str(prorated.get(sub.id, 0)) if shown else EN_DASH,
                         str(unscored.get(sub.id, 0)) if shown else EN_DASH))
        return Table(
            ("Subscale", "Statements", "Answered at least", "Prorated scores", "No score"),
            tuple(rows), (False, True, True, True, True),
            notes=("Counted over the whole programme only: counted for one set, they would "
                   "tell a small group how many of its members left statements blank.",),
        )

    def reliability(self) -> Table:
        rows = []
        for rel in self.result.reliability.to_dict("records"):
            sub = self.instrument.subscale(rel["subscale"])
            n = int(rel["n"]) if not _missing(rel["n"]) else 0
            if n < RELIABILITY_MIN_N or _missing(rel["alpha"]):
                rows.append((sub.name, str(int(rel["k"])), str(n), EN_DASH, EN_DASH,
                             f"not reported: fewer than {RELIABILITY_MIN_N} people"))
                continue
            notes = []
            if rel["alpha"] < ALPHA_FLAG:
                notes.append(f"below {_dot(ALPHA_FLAG)}: read scores with care")
            if not _missing(rel["alpha_ci_low"]) and rel["alpha_ci_low"] < FELDT_CAUTION:
                notes.append(f"caution: interval reaches below {_dot(FELDT_CAUTION)}")
            rows.append((sub.name, str(int(rel["k"])), str(n), _dot(rel["alpha"]),
                         f"{_dot(rel['alpha_ci_low'])} to {_dot(rel['alpha_ci_high'])}",
                         "; ".join(notes)))
        headers = ("Subscale", "Statements", "People", "Alpha", "Feldt 95% interval", "Note")
        if not any(row[-1] for row in rows):
            headers, rows = headers[:-1], [row[:-1] for row in rows]
        return Table(headers, tuple(rows), (False, True, True, True, True, False))

    def agreement_intro(self) -> tuple[str, ...]:
        return (
            "rwg(j) (James, Demaree & Wolf 1984) from the members who answered every "
            "statement of the subscale, against the 95th percentile of its value under "
            "purely random answering for the group's size and number of statements; AD "
            "(Burke & Dunlap 2002) against "
            f"{fmt(self.scale.n_options / 6)} scale points ({self.scale.n_options}/6). "
            "Shared view: both signs; divergent: neither; mixed: one of the two.",
            f"Agreement is reported only where at least {self.min_n} members (the minimum "
            "group size) answered every statement; elsewhere the set report says \u201cnot "
            "enough complete answers to judge\u201d and no row appears below.",
        )

    def agreement(self) -> tuple[Fact, ...]:
        """Per shown set, one line per judged subscale (set as the label)."""
        out = []
        for org in sorted(self.data.sets_by_org):
            for name in self.data.sets_by_org[org]:
                key = GroupKey(SET, org, name)
                if key not in self.data.counts:
                    continue
                lines = []
                for sub in self.instrument.subscales:
                    row = self.data.cell(key, sub.id)
                    if row is None or not row["agreement"]:
                        continue
                    complete = self.data.n_agreement(key, sub.id)
                    if complete < self.min_n:
                        continue
                    lines.append(f"{sub.name}: rwg(j) {fmt(row['rwg_j'])} against "
                                 f"{fmt(row['rwg_j_critical'])}, AD {fmt(row['ad'])}, from "
                                 f"{complete} complete answers: {row['agreement']}")
                if lines:
                    out.append(Fact(f"{org} / {name}", "\n".join(lines)))
        return tuple(out)

    def icc_intro(self) -> tuple[str, ...]:
        n_sets = sum(1 for key in self.data.counts if key.level == SET)
        text = (
            "ICC(1) is the share of the variation in scores that lies between sets; ICC(2) "
            "how reliably a set's mean tells sets apart (Bliese 2000). Both use only the "
            "sets shown in this run's reports, so they say nothing about a withheld set. "
            "A negative estimate means sets "
            "differ no more than chance would make them: it is read as \u201cno detectable "
            "difference between sets\u201d, its raw value shown in brackets.",
        )
        if n_sets < ICC_MIN_SETS:
            text += (f"With {n_sets} sets with results (fewer than {ICC_MIN_SETS}) the "
                     "ICCs are withheld: over so few sets they are too unstable to read, and "
                     "with the shown sets' means and sds they could pin down a set's scores. "
                     "The client reports say only that differences between sets should be "
                     "read with care.",)
        return text

    def icc(self) -> Table:
        def reading(value: float) -> str:
            if _missing(value):
                return EN_DASH
            if value <= 0:
                return f"no detectable difference between sets ({_dot(value)})"
            return _dot(value)

        rows = tuple(
            (self.instrument.subscale(rel["subscale"]).name, reading(rel["icc1"]),
             reading(rel["icc2"]))
            for rel in self.result.reliability.to_dict("records"))
        return Table(("Subscale", "ICC(1)", "ICC(2)"), rows, (False, True, True))

    def suppression(self) -> tuple[str, ...]:
        n = self.min_n
        first = (f"The minimum group size in this run is {n}. No result is reported for a "
                 f"set, organisation or the programme with fewer than {n} respondents; within "
                 f"a reported group, no subscale result rests on fewer than {n} scores and no "
                 f"statement's answers on fewer than {n} answers.")
        if self.result.suppression.consented:
            first += (f" The sets consented to a minimum below the usual 5; {n} is the "
                      "lowest surveyor allows.")
        return (
            first,
            "When one group is withheld, the next smallest of its siblings is withheld too "
            f"until the withheld groups hold at least {n} respondents between them, so that "
            "no hidden result can be recovered by subtracting the shown groups from their "
            "organisation or programme. All reports of a run come from this one decision.",
            "No figure can single out one person either: a subscale's statement-level "
            f"answers are withheld where 1 to {n - 1} people answered only some of its "
            f"statements; agreement is assessed only when at least {n} people answered "
            "every statement; no minimum, maximum or median is given for a set; means and "
            "standard deviations of sets and other small groups are rounded to one decimal; "
            "and the intraclass correlations use only the sets that are shown.",
        )

    def suppression_log(self) -> tuple[Table | None, tuple[Fact, ...]]:
        """Each withheld group, subscale result and statement, by name and reason only
        (never a count): a table of the withheld groups (each name followed by its
        reason, as every report prints it), then per shown group what it withholds."""
        from surveyor.numbers.anonymity import PARENT

        why = {BELOW_MINIMUM: self.brand.text("fewer_than", n=self.min_n),
               COMPLEMENTARY: self.brand.text("withheld"), PARENT: "not shown"}
        names = {s.id: s.name for s in self.instrument.subscales}
        items = {i.id: i.text for i in self.instrument.items}
        groups: list[tuple[str, ...]] = []
        within: dict[str, list[str]] = {}
        for record in self.result.suppression.records():
            key = GroupKey(record["level"], record["organization"], record["set"])
            label = key.label if key.level != "programme" else self.brand.text("programme")
            if record["scope"] == "group":
                what = ("its organisation is withheld" if record["reason"] == PARENT
                        else "no report")
                groups.append((record["organization"] or label, record["set"],
                               why.get(record["reason"], "not shown"), what))
            elif record["scope"] == "subscale":
                within.setdefault(label, []).append(
                    f"{names.get(record['name'], '')}: fewer than {self.min_n} scores")
            else:
                text = items.get(record["name"], record["name"])
                within.setdefault(label, []).append(
                    f"\u201c{text}\u201d: fewer than {self.min_n} answers")
        table = Table(("Organisation", "Set", "Reason", "Withheld"), tuple(groups)) if (
            groups) else None
        return table, tuple(Fact(label, "\n".join(lines)) for label, lines in within.items())

    def stamp(self) -> tuple[Fact, ...]:
        r = self.result
        rule = ", ".join(f"{sub.name} {sub.min_answered} of "
                         f"{len(self.instrument.items_of(sub.id))}"
                         for sub in self.instrument.subscales)
        facts = [
            Fact("Instrument", f"{self.instrument.id}, version {self.instrument.version}"),
            Fact("Data file", r.responses.source.name),
            Fact("Data file SHA-256", r.responses.sha256),
            Fact("SHA-256 of the programme's answers", self.data.data_digest(PROGRAMME))
            if PROGRAMME in self.data.counts else None,
            Fact("Date of the data", self.data_date) if self.data_date else None,
            Fact("surveyor version", r.version),
            Fact("Minimum group size", f"{r.settings.min_group_size}"
                 + (" (sets consented)" if r.settings.consented else "")),
            Fact("Scores need answers to", rule),
        ]
        return tuple(f for f in facts if f is not None)
