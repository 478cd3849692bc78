""""At a glance": the few plain sentences a report opens with, generated from its results.

Every sentence rests on a rule a reader can check in the report itself:

- a group "stands apart" from another only when its 95% interval leaves out the other's
  mean; otherwise it is "similar";
- views "differ" only where agreement could be judged (enough complete answers) and was
  found divergent or mixed;
- the statements most and least agreed with are counted as ticked, over the statements
  the report shows; when it shows none, the subscales whose averages fall in their top or
  bottom band are named instead ("leans" where the interval reaches another band).

Every subscale is named in the first sentence, so a reader meets them all on page one.
"""

from __future__ import annotations

import math

from surveyor.numbers.anonymity import PROGRAMME, GroupKey
from surveyor.typeset.environment import fmt

from .common import (
    ICC_MIN_SETS,
    MEAN_DECIMALS,
    ORGANIZATION,
    PROGRAMME_KIND,
    SET,
    bounded,
)


def listing(names: list[str]) -> str:
    """``"a"``, ``"a and b"``, ``"a, b and c"``."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def plural(n: int, word: str, many: str | None = None) -> str:
    """``"1 set"``, ``"2 sets"``, ``"1 organisation"``."""
    return f"{n} {word if n == 1 else (many or word + 's')}"


class GlanceMixin:
    """The "At a glance" sentences of every report kind."""

    def glance(self, questions: tuple) -> tuple[str, ...]:
        kind = self.spec.kind
        if kind == SET:
            reference = (self.org_key if self.org_key in self.data.counts else PROGRAMME)
            sentences = [self.apart(self.key, reference, "This set")]
            views = self.views()
            if views:
                sentences.append(views)
        elif kind == ORGANIZATION:
            sentences = [self.apart(self.key, PROGRAMME, "The organisation")]
            sentences.append(self.sets_apart())
        else:
            sentences = [self.against_middle(), self.sets_apart()]
        # The statements most and least agreed with; when none can be shown, where the
        # subscale averages lean instead (never a pointer to a withheld statement).
        statements = self.most_and_least() or self.leanings()
        if statements:
            sentences.append(statements)
        if questions:
            first = questions[0]
            about = self.instrument.subscale(first.subscale).name.lower() if (
                first.subscale) else ""
            where = (" for your next meeting" if kind == SET else " for the sponsor and "
                     "those who support the sets")
            sentences.append(
                f"The report closes with {plural(len(questions), 'question')}{where}"
                + (f", starting with {about}." if about else ".")
            )
        return tuple(s for s in sentences if s)

    def apart(self, key: GroupKey, reference: GroupKey, who: str) -> str:
        """Where ``key`` stands apart from ``reference``, naming every subscale."""
        ref_name = {ORGANIZATION: "the organisation", PROGRAMME_KIND: "the programme"}[
            reference.level]
        higher, lower, similar, hidden = [], [], [], []
        for sub in self.instrument.subscales:
            row, ref = self.data.cell(key, sub.id), self.data.cell(reference, sub.id)
            name = sub.name.lower()
            if row is None:
                hidden.append(name)
            elif ref is None:
                similar.append(name)
            else:
                {"higher": higher, "lower": lower, "similar": similar}[
                    self.standing(row, ref["mean"])].append(name)
        if reference not in self.data.counts:
            shown = listing(higher + lower + similar)
            text = f"{who} has results on {shown}; {ref_name} cannot be shown for comparison."
        elif not higher and not lower:
            text = (f"{who} is similar to {ref_name} on {listing(similar)}: no difference is "
                    "larger than chance could make it.")
        else:
            parts = []
            if higher:
                parts.append(f"higher than {ref_name} on {listing(higher)}")
            if lower:
                parts.append(f"lower on {listing(lower)}" if higher
                             else f"lower than {ref_name} on {listing(lower)}")
            text = f"{who} scores {' and '.join(parts)}"
            text += f"; on {listing(similar)} it is similar." if similar else "."
        if hidden:
            text += f" No result can be shown on {listing(hidden)}."
        return text[:1].upper() + text[1:]

    def views(self) -> str:
        """Where views in the set differ, and where they could not be judged."""
        differ, mixed, alike, unjudged = [], [], [], []
        for sub in self.instrument.subscales:
            row = self.data.cell(self.key, sub.id)
            if row is None:
                continue
            name = sub.name.lower()
            if not self.agreement_shown(row, sub.id):
                unjudged.append(name)
            elif row["agreement"] == "divergent":
                differ.append(name)
            elif row["agreement"] == "mixed":
                mixed.append(name)
            else:
                alike.append(name)
        # The same words as each subscale's agreement label: "differ", "mixed", "alike".
        parts = []
        if differ:
            parts.append(f"views in the set differ on {listing(differ)}")
        if mixed:
            parts.append(f"the picture is mixed on {listing(mixed)}")
        if alike:
            parts.append(f"members see {listing(alike)} alike")
        text = "; ".join(parts) + ("." if parts else "")
        text = text[:1].upper() + text[1:]
        if unjudged:
            text += (" " if text else "") + ("There are not enough complete answers to judge "
                                             f"how alike views are on {listing(unjudged)}.")
        return text

    def against_middle(self) -> str:
        """The programme against the middle of the scale, naming every subscale."""
        mid = self.scale.midpoint
        above, below, around = [], [], []
        for sub in self.instrument.subscales:
            row = self.data.cell(self.key, sub.id)
            if row is None:
                continue
            cut = bounded(row, self.scale.min, self.scale.max)
            target = around if cut is None or cut[0] <= mid <= cut[1] else (
                above if cut[0] > mid else below)
            target.append(sub.name.lower())
        parts = []
        if above:
            parts.append(f"above the middle of the scale on {listing(above)}")
        if below:
            parts.append(f"below it on {listing(below)}" if above
                         else f"below the middle of the scale on {listing(below)}")
        if around:
            parts.append(f"around the middle on {listing(around)}")
        return "Across the programme, scores are " + "; ".join(parts) + "."

    def sets_apart(self) -> str:
        """Which shown sets (organisation report) or organisations (overview) stand apart
        from the group the report is about, subscale by subscale; never a ranking."""
        children = self.children()
        noun = "set" if self.spec.kind == ORGANIZATION else "organisation"
        shown = [k for k in children if k in self.data.counts]
        hidden = len(children) - len(shown)
        head = f"{plural(len(shown), noun)} can be shown"
        if hidden:
            head += f" ({hidden} of {len(children)} withheld for anonymity)"
        apart = []
        for sub in self.instrument.subscales:
            own = self.data.cell(self.key, sub.id)
            if own is None:
                continue
            named = []
            for key in shown:
                row = self.data.cell(key, sub.id)
                if row is not None and (side := self.standing(row, own["mean"])) != "similar":
                    named.append(f"{self.child_name(key)} {side}")
            if named:
                apart.append(f"{sub.name.lower()} ({listing(named)})")
        whom = "the organisation" if self.spec.kind == ORGANIZATION else "the programme"
        if not shown:
            return head + "."
        if not apart:
            return (f"{head}; none stands apart from {whom} on any subscale: differences "
                    f"between {noun}s are within chance.")
        return f"{head}; {noun}s stand apart from {whom} on {listing(apart)}."

    def most_and_least(self) -> str:
        """The statements most and least agreed with, as counts or percentages."""
        import numpy as np

        mid = self.scale.midpoint
        values = np.asarray(self.scale.values, dtype=float)
        best = worst = None
        for sub in self.instrument.subscales:
            if self.data.cell(self.key, sub.id) is None:
                continue
            for item, counts in self.item_counts(sub):
                total = sum(counts)
                if not total:
                    continue
                agree = int(sum(c for c, v in zip(counts, values, strict=True) if v > mid))
                entry = (agree / total, agree, total, item)
                if best is None or entry[0] > best[0]:
                    best = entry
                if worst is None or entry[0] < worst[0]:
                    worst = entry
        if best is None or best[3] is worst[3]:
            return ""

        def share(entry) -> str:
            if self.spec.n < 10:
                return f"{entry[1]} of {entry[2]}"
            return f"{math.floor(100 * entry[0] + 0.5)}%"

        return (f"Most agreed with: \u201c{best[3].text}\u201d ({share(best)}). "
                f"Least agreed with: \u201c{worst[3].text}\u201d ({share(worst)}).")

    def leanings(self) -> str:
        """The subscales whose averages fall in their top or bottom band, the clearest
        first, for a report whose statements are withheld: "lean" where the interval
        reaches another band, "read as" where it stays within."""
        from surveyor.reports.questions import HIGH, LOW, level_of

        mid = self.scale.midpoint
        found, shown = [], []
        for sub in self.instrument.subscales:
            row = self.data.cell(self.key, sub.id)
            if row is None:
                continue
            shown.append((row["mean"], sub))
            level = level_of(sub, row["mean"])
            if level in (HIGH, LOW):
                found.append((-abs(row["mean"] - mid), sub, level, row))
        closing = (" The answers to single statements cannot be shown here, so these "
                   "subscale results are the detail to discuss.")
        if not found:
            if len(shown) < 2:
                return ""
            shown.sort(key=lambda entry: entry[0])
            (low, lowest), (high, highest) = shown[0], shown[-1]
            return ("No subscale's average falls in its top or bottom band; the highest is "
                    f"{highest.name.lower()} ({fmt(high, MEAN_DECIMALS)}), the lowest "
                    f"{lowest.name.lower()} ({fmt(low, MEAN_DECIMALS)})." + closing)
        found.sort(key=lambda entry: entry[0])
        parts = []
        for _, sub, level, row in found[:3]:
            verb = "leans" if self.interval_bands(sub, row) is not None else "reads as"
            word = "higher" if level == HIGH else "lower"
            parts.append(f"{sub.name.lower()} {verb} {word} "
                         f"({fmt(row['mean'], MEAN_DECIMALS)})")
        text = "; ".join(parts)
        return text[:1].upper() + text[1:] + "." + closing

    def caveat(self) -> str:
        """The aggregation caveat as one plain sentence (organisation and programme)."""
        # The ICCs rest on the shown sets only (surveyor.numbers.disclosure, rule 1).
        n_sets = sum(1 for key in self.data.counts if key.level == SET)
        if n_sets < ICC_MIN_SETS:
            # Counted over the programme (the estimate pools every shown set), so say so.
            return (f"With only {plural(n_sets, 'set')} with results in the programme, how "
                    "much sets truly differ cannot be estimated: read differences between "
                    "sets with care.")
        little = []
        for rel in self.result.reliability.to_dict("records"):
            icc2 = rel["icc2"]
            if icc2 != icc2 or icc2 < 0.70:
                little.append(self.instrument.subscale(rel["subscale"]).name.lower())
        if not little:
            return ("Sets differ enough on every subscale for their averages to be compared, "
                    "interval by interval.")
        if len(little) == len(self.instrument.subscales):
            return ("Sets differ little on every subscale: read differences between sets "
                    "with care.")
        return f"Sets differ little on {listing(little)}: read differences between sets with care."
