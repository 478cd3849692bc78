"""Questions, methods, reliability, suppression wording and the reproducibility stamp."""

from __future__ import annotations

from typing import TYPE_CHECKING

from surveyor.numbers.anonymity import PROGRAMME
from surveyor.reports.questions import (
    ReflectiveQuestion,
    SubscalePattern,
    choose_questions,
)
from surveyor.typeset.environment import fmt

if TYPE_CHECKING:
    pass

from .common import (
    _PLUS_MINUS,
    ALPHA_FLAG,
    EN_DASH,
    FELDT_CAUTION,
    MINUS,
    ORGANIZATION,
    PROGRAMME_KIND,
    RELIABILITY_MIN_N,
    SET,
    _dot,
    _missing,
)
from .contract import (
    Fact,
    Methods,
    Table,
)


class AppendixMixin:
    """Reflective questions, methods appendix, reliability table and stamp."""

    def set_questions(self) -> list[ReflectiveQuestion]:
        patterns = []
        for sub in self.instrument.subscales:
            row = self.data.cell(self.key, sub.id)
            if row is not None:
                patterns.append(SubscalePattern(sub.id, row["mean"], row["agreement"]))
        chosen = choose_questions(self.instrument, patterns)
        names = {s.id: s.name for s in self.instrument.subscales}
        out = []
        for q in chosen:
            name = names.get(q.subscale, "")
            reason = {
                "high": f"Prompted by: {name}, in its higher band",
                "low": f"Prompted by: {name}, in its lower band",
                "agreement": (f"Prompted by: differing views on {name}" if name
                              else "About how the set handles differing views"),
                "always": f"About: {name}" if name else "",
            }.get(q.reason, "")
            out.append(ReflectiveQuestion(q.text, q.subscale, reason))
        return out

    def methods(self) -> Methods:
        s = self.scale
        reverse_total = s.min + s.max
        scoring = (
            f"Answers are scored {s.min} ({s.labels[0]}) to {s.max} ({s.labels[-1]}). "
            "Statements worded the other way round are reverse-scored on the declared scale "
            f"(score = {reverse_total} {MINUS} answer).",
            "A person's subscale score is the mean of the statements of that subscale they "
            "answered, given only when they answered at least the number shown below. "
            + (f'"{s.missing[0]}" ' if s.missing else "")
            + "counts as not answered, never as the middle of the scale. A score from fewer "
            "than all the statements is a prorated score.",
            "Group means come with 95% confidence intervals from the t distribution "
            f"(mean {_PLUS_MINUS} t \u00d7 SD / \u221an); standard deviations use "
            f"n\u00a0{MINUS}\u00a01.",
        )
        rows = []
        prorated, unscored = self.result.scored.prorated, self.result.scored.unscored
        programme_shown = PROGRAMME in self.data.counts
        for sub in self.instrument.subscales:
            k = len(self.instrument.items_of(sub.id))
            rows.append((
                sub.name, str(k), str(sub.min_answered),
                str(prorated.get(sub.id, 0)) if programme_shown else EN_DASH,
                str(unscored.get(sub.id, 0)) if programme_shown else EN_DASH,
            ))
        missing = Table(
            ("Subscale", "Statements", "Answered at least", "Prorated scores",
             "No score"),
            tuple(rows), (False, True, True, True, True),
            notes=(
                "Prorated scores and people without a score are counted over the whole "
                "programme only. Counted for one set, they would tell a small group how "
                "many of its members left statements blank, which comes close to "
                "identifying them.",
            ),
        )
        agreement = (
            "Agreement within a set uses rwg(j) (James, Demaree & Wolf 1984), computed from "
            "members who answered every statement of the subscale, and the average "
            "deviation AD (Burke & Dunlap 2002). Small groups can look in agreement by "
            "chance, so rwg(j) is compared with the 95th percentile of its value under "
            "purely random answering, worked out for the group's size and the number of "
            f"statements, rather than a fixed .70. AD is read against {fmt(s.n_options / 6)} "
            f"scale points ({s.n_options}/6).",
            "Shared view: rwg(j) above that critical value and AD within the guide. "
            "Divergent: neither. Mixed: one but not the other.",
        )
        return Methods(
            scoring=scoring,
            missing=missing,
            agreement=agreement if self.spec.kind == SET else (),
            reliability_intro=(
                "Reliability (Cronbach's alpha, with a 95% Feldt interval) is computed once, "
                "over everyone in the programme: in a group of a few people it would mean "
                f"nothing. It is printed only when at least {RELIABILITY_MIN_N} people have "
                f"answered; alpha below {_dot(ALPHA_FLAG)} is flagged, and a caution added "
                f"when the interval reaches below {_dot(FELDT_CAUTION)}.",
            ),
            reliability=self.reliability(),
            suppression=self.suppression_text(),
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
        headers = ("Subscale", "Statements", "People", "Alpha", "95% interval", "Note")
        if not any(row[-1] for row in rows):
            headers, rows = headers[:-1], [row[:-1] for row in rows]
        return Table(headers, tuple(rows), (False, True, True, True, True, False))

    def suppression_text(self) -> tuple[str, ...]:
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
            "organisation or programme. All reports of a run come from one such decision, "
            "so no two reports can be subtracted from each other either.",
            "No figure can single out one person either: a subscale's statement-level "
            f"answers are withheld where 1 to {n - 1} people answered only some of its "
            f"statements; agreement is assessed only when at least {n} people answered "
            "every statement; no minimum, maximum or median is given for a set; means and "
            "standard deviations of sets and other small groups are rounded to one decimal; "
            "and the intraclass correlations use only the sets that are shown.",
            "Reports contain no individual answers, no free-text comments and no breakdown "
            "within a set, and sets are never ranked.",
        )

    def stamp(self) -> tuple[Fact, ...]:
        r = self.result
        # The group's own answers, not the whole file: see ReportData.data_digest.
        whose = {SET: "this set's", ORGANIZATION: "this organisation's"}.get(
            self.spec.kind, "the programme's")
        rule = ", ".join(f"{sub.name} {sub.min_answered} of "
                         f"{len(self.instrument.items_of(sub.id))}"
                         for sub in self.instrument.subscales)
        # The programme overview describes every answer, so it changes with any
        # correction anyway: it can carry the file's own hash at no cost to the cache.
        whole_file = ((Fact("Data file SHA-256", r.responses.sha256),)
                      if self.spec.kind == PROGRAMME_KIND else ())
        return (
            Fact("Instrument", f"{self.instrument.id}, version {self.instrument.version}"),
            Fact("Data file", r.responses.source.name),
            *whole_file,
            Fact(f"SHA-256 of {whose} answers", self.data.data_digest(self.key)),
            Fact("surveyor version", r.version),
            Fact("Minimum group size",
                 f"{r.settings.min_group_size}"
                 + (" (sets consented)" if r.settings.consented else "")),
            Fact("Scores need answers to", rule),
        )
