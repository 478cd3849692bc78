"""Questions for reflection, "About these results" and the one-line stamp."""

from __future__ import annotations

from surveyor.reports.questions import (
    ReflectiveQuestion,
    SubscalePattern,
    choose_questions,
    level_of,
)

from .common import ORGANIZATION, SET
from .glance import listing

# Characters of a data fingerprint printed in a client report (the technical note and
# manifest.json have all 64): enough to tell two versions of the data apart.
FINGERPRINT = 12


class AppendixMixin:
    """Reflective questions, the plain "About these results" and the stamp line."""

    def set_questions(self) -> list[ReflectiveQuestion]:
        patterns = []
        for sub in self.instrument.subscales:
            row = self.data.cell(self.key, sub.id)
            if row is not None:
                # Agreement not judged (too few complete answers) prompts no question.
                agreement = row["agreement"] if self.agreement_shown(row, sub.id) else ""
                patterns.append(SubscalePattern(sub.id, row["mean"], agreement))
        chosen = choose_questions(self.instrument, patterns)
        names = {s.id: s.name for s in self.instrument.subscales}
        out = []
        for q in chosen:
            name = names.get(q.subscale, "")
            text = q.text
            reason = {
                "high": f"Prompted by: {name}, {self.leaning(q.subscale, 'higher')}",
                "low": f"Prompted by: {name}, {self.leaning(q.subscale, 'lower')}",
                "agreement": (f"Prompted by: differing views on {name.lower()}" if name
                              else "About how the set handles differing views"),
                "always": f"About: {name}" if name else "",
            }.get(q.reason, "")
            if q.reason == "agreement" and name:
                # The question names what the views differ on.
                text = (text.replace(" on this.", f" on {name.lower()}.", 1)
                        if " on this." in text else f"On {name.lower()}: {text}")
            out.append(ReflectiveQuestion(text, q.subscale, reason))
        return out

    def leaning(self, subscale: str, word: str) -> str:
        """Why a high or low question was chosen, never claiming more than the interval:
        "an average in its lower band", or, when the interval reaches the next band,
        "an average in its lower band, its interval reaching mid-range"."""
        sub = next(s for s in self.instrument.subscales if s.id == subscale)
        span = self.interval_bands(sub, self.data.cell(self.key, subscale))
        reason = f"an average in its {word} band"
        if span is not None:
            other = span[1] if word == "lower" else span[0]
            reason += f", its interval reaching {other}"
        return reason

    def organization_questions(self) -> list[ReflectiveQuestion]:
        """Questions for the sponsor, chosen from the organisation's (or programme's) own
        pattern: where its sets differ, then where it sits in a top or bottom band, then the
        instrument's organisation questions in order; three to five."""
        children = [k for k in self.children() if k in self.data.counts]
        noun = "sets" if self.spec.kind == ORGANIZATION else "organisations"
        chosen: list[ReflectiveQuestion] = []
        differ, banded = [], []
        for sub in self.instrument.subscales:
            own = self.data.cell(self.key, sub.id)
            if own is None:
                continue
            sides = {self.standing(row, own["mean"]) for k in children
                     if (row := self.data.cell(k, sub.id)) is not None}
            if sides - {"similar"}:
                differ.append(sub)
            level = level_of(sub, own["mean"])
            if level in ("high", "low"):
                banded.append((sub, level))
        if differ:
            names = listing([s.name.lower() for s in differ])
            chosen.append(ReflectiveQuestion(
                f"The {noun} differ on {names}. What is different about the conditions "
                f"those {noun} work in, and what could each learn from the others?",
                differ[0].id, f"Prompted by: {noun} that stand apart on {names}"))
        for sub, level in banded[:2]:
            word = "higher" if level == "high" else "lower"
            # "reads as" only when the interval stays in the band; else "leans".
            verb = ("reads as" if self.interval_bands(sub, self.data.cell(self.key, sub.id))
                    is None else "leans")
            chosen.append(ReflectiveQuestion(
                f"{sub.name} {verb} {word} here. What might the way things are organised "
                "be doing to produce that, and what would change it?",
                sub.id, f"Prompted by: {sub.name}, {self.leaning(sub.id, word)}"))
        for text in self.instrument.organization_questions:
            if len(chosen) >= 5:
                break
            if len(chosen) >= 3 and (differ or banded):
                break
            chosen.append(ReflectiveQuestion(text, "", ""))
        return chosen[:5]

    def about(self) -> tuple[str, ...]:
        """At most half a page, in plain words: the scale, an interval, anonymity."""
        s = self.scale
        missing = (f' "{s.missing[0]}" and blanks count as no answer.' if s.missing
                   else " Blanks count as no answer.")
        consent = (" The sets agreed to see results from groups this small."
                   if self.result.suppression.consented else "")
        return (
            f"Each statement was answered from {s.labels[0]} ({s.min}) to {s.labels[-1]} "
            f"({s.max}); a subscale score is a person's average over its statements, so it "
            f"runs from {s.min} to {s.max} too.{missing} A higher score means more of what "
            "the subscale describes: a prompt for discussion, not a grade.",
            "Each average comes with a 95% interval: the range the true average is likely "
            "to lie in, given who answered. Small groups have wide intervals. An interval is "
            "cut at the ends of the scale, since no average can lie beyond them.",
            f"Anonymity: nothing is shown for a group, a subscale or a statement with fewer "
            f"than {self.min_n} answers, and a further group may be withheld so that a "
            f"hidden one cannot be worked out from the totals.{consent} There are no "
            "individual answers, comments or breakdowns within a set.",
        )

    def stamp_line(self) -> str:
        """The reproducibility stamp in one line; the technical note has it in full."""
        r = self.result
        whose = {SET: "this set's", ORGANIZATION: "this organisation's"}.get(
            self.spec.kind, "the programme's")
        return (f"{self.instrument.display_title}, version {self.instrument.version}; "
                f"surveyor {r.version}; fingerprint of {whose} "
                f"answers {self.data.data_digest(self.key)[:FINGERPRINT]}.")
