"""Reflective questions chosen by rules from a group's pattern of results.

The rules (DOMAIN.md section 6), applied to a set:

1. A subscale whose mean falls in its instrument's top band is *high*, in its bottom band
   *low*; its first question written for that pattern (``when: high`` / ``when: low``)
   is a candidate. Candidates are ordered by how far the mean sits from the scale
   midpoint (the clearest pattern first), ties in instrument order.
2. When any subscale shows low agreement ("divergent", then "mixed"), one of the
   instrument's ``agreement_questions`` follows, naming the subscale it is about.
3. Then each patterned subscale's further questions for its pattern, then the ``always``
   questions of patterned subscales, then those of the others, in instrument order; no
   more than two questions about one subscale while other subscales have questions left.
4. Never more than ``maximum`` (5); at least ``minimum`` (3) whenever the instrument has
   that many questions that fit, filling from the ``always`` questions of subscales not
   shown if need be. A question written for a high score is never put to a set whose
   score is low, so an instrument with few ``always`` questions may yield fewer.

The result is deterministic: the same pattern always gives the same questions in the same
order. Organisation and programme reports use ``instrument.organization_questions``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from surveyor.instrument.model import Instrument, Subscale

HIGH = "high"
LOW = "low"
MIDDLE = "middle"
LOW_AGREEMENT = ("divergent", "mixed")
MAX_QUESTIONS = 5
MIN_QUESTIONS = 3
PER_SUBSCALE = 2


@dataclass(frozen=True)
class SubscalePattern:
    """What a group's results say about one subscale.

    Attributes
    ----------
    subscale
        Subscale id.
    mean
        The group's mean, or ``None`` when it is not shown (suppressed or nobody scored).
    agreement
        "shared view", "mixed", "divergent", or "" when not assessed.
    """

    subscale: str
    mean: float | None
    agreement: str = ""


@dataclass(frozen=True)
class ReflectiveQuestion:
    """A question for the set, and the pattern that prompted it (for the facilitator)."""

    text: str
    subscale: str = ""
    reason: str = ""  # "high", "low", "agreement" or "always"


def level_of(subscale: Subscale, mean: float | None) -> str | None:
    """``"high"`` in the top band, ``"low"`` in the bottom band, else ``"middle"``.

    ``None`` when there is no mean, or the subscale has fewer than two bands (no top and
    bottom to tell apart).
    """
    if mean is None or mean != mean or len(subscale.bands) < 2:
        return None
    band = subscale.band_for(mean)
    if band is subscale.bands[-1]:
        return HIGH
    if band is subscale.bands[0]:
        return LOW
    return MIDDLE


def choose_questions(
    instrument: Instrument,
    patterns: Sequence[SubscalePattern],
    *,
    minimum: int = MIN_QUESTIONS,
    maximum: int = MAX_QUESTIONS,
) -> list[ReflectiveQuestion]:
    """Choose a set's reflective questions from its pattern of results.

    Parameters
    ----------
    instrument
        Supplies the bands and questions of each subscale and the agreement questions.
    patterns
        One per subscale the report shows (order does not matter).
    minimum, maximum
        Bounds on the number of questions (3 and 5).

    Returns
    -------
    list of ReflectiveQuestion
        Between ``minimum`` and ``maximum`` questions when the instrument has enough that
        fit, never more than ``maximum``, no text twice.
    """
    by_id = {p.subscale: p for p in patterns}
    midpoint = instrument.scale.midpoint
    levels = {}
    for subscale in instrument.subscales:
        pattern = by_id.get(subscale.id)
        levels[subscale.id] = level_of(subscale, pattern.mean if pattern else None)
    patterned = [s for s in instrument.subscales if levels[s.id] in (HIGH, LOW)]
    patterned.sort(key=lambda s: -abs(by_id[s.id].mean - midpoint))

    def matching(subscale: Subscale) -> list[ReflectiveQuestion]:
        level = levels[subscale.id]
        return [ReflectiveQuestion(q.text, subscale.id, level)
                for q in subscale.questions if q.when == level]

    first = [m[0] for s in patterned if (m := matching(s))]
    further = [q for s in patterned for q in matching(s)[1:]]

    agreement = []
    if instrument.agreement_questions:
        for label in LOW_AGREEMENT:
            spread = [s for s in instrument.subscales
                      if s.id in by_id and by_id[s.id].agreement == label]
            if spread:
                agreement.append(ReflectiveQuestion(
                    instrument.agreement_questions[0], spread[0].id, "agreement"))
                break

    shown = {p.subscale for p in patterns if p.mean is not None and p.mean == p.mean}
    ordered_subscales = patterned + [s for s in instrument.subscales if s not in patterned]
    always = [ReflectiveQuestion(q.text, s.id, "always")
              for s in ordered_subscales if s.id in shown
              for q in s.questions if q.when == "always"]

    # Keep a place for the agreement question even when every subscale is patterned.
    head = first[: maximum - len(agreement)]
    candidates = head + agreement + further + first[len(head):] + always
    # Two passes: at most PER_SUBSCALE questions about any one subscale while others are
    # available, so that one strong pattern does not crowd out the rest.
    chosen: list[ReflectiveQuestion] = []
    seen: set[str] = set()
    per_subscale: dict[str, int] = {}
    for capped in (True, False):
        for question in candidates:
            if len(chosen) == maximum:
                break
            if question.text in seen:
                continue
            if capped and per_subscale.get(question.subscale, 0) >= PER_SUBSCALE:
                continue
            seen.add(question.text)
            per_subscale[question.subscale] = per_subscale.get(question.subscale, 0) + 1
            chosen.append(question)
    order = {id(q): k for k, q in enumerate(candidates)}
    chosen.sort(key=lambda q: order[id(q)])
    # Too few: an ``always`` question fits any pattern, even of a subscale not shown.
    spare = [ReflectiveQuestion(q.text, s.id, "always")
             for s in instrument.subscales if s.id not in shown
             for q in s.questions if q.when == "always"]
    for question in spare:
        if len(chosen) >= minimum:
            break
        if question.text not in seen:
            seen.add(question.text)
            chosen.append(question)
    return chosen


def organization_questions(
    instrument: Instrument, maximum: int = MAX_QUESTIONS
) -> list[ReflectiveQuestion]:
    """The instrument's organisation-level questions, in its order, at most ``maximum``."""
    return [ReflectiveQuestion(text, "", "")
            for text in instrument.organization_questions[:maximum]]
