"""Reflective questions chosen by rules from a set's pattern."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from surveyor.instrument.model import load_instrument
from surveyor.reports.questions import (
    SubscalePattern,
    choose_questions,
    level_of,
    organization_questions,
)

FLAGSHIP = load_instrument("learning-inaction")
IDS = [s.id for s in FLAGSHIP.subscales]


def patterns(means: dict[str, float | None], agreement: dict[str, str] | None = None):
    agreement = agreement or {}
    return [SubscalePattern(i, means.get(i, 3.0), agreement.get(i, "shared view")) for i in IDS]


def texts_for(subscale_id: str, when: str) -> list[str]:
    return [q.text for q in FLAGSHIP.subscale(subscale_id).questions if q.when == when]


def test_levels_follow_the_bands():
    sub = FLAGSHIP.subscale("collusion")
    assert level_of(sub, 1.2) == "low"
    assert level_of(sub, 3.0) == "middle"
    assert level_of(sub, 3.5) == "high"
    assert level_of(sub, None) is None


def test_high_and_low_subscales_lead():
    chosen = choose_questions(FLAGSHIP, patterns({"collusion": 4.6, "learning_in_action": 2.0}))
    assert chosen[0].text == texts_for("collusion", "high")[0]
    assert chosen[1].text == texts_for("learning_in_action", "low")[0]
    assert 3 <= len(chosen) <= 5


def test_clearest_pattern_first():
    chosen = choose_questions(FLAGSHIP, patterns({"collusion": 3.8, "emotional_risk": 4.9}))
    assert chosen[0].subscale == "emotional_risk"


def test_low_agreement_adds_the_agreement_question_even_when_all_are_patterned():
    means = dict.fromkeys(IDS, 4.8)
    chosen = choose_questions(FLAGSHIP, patterns(means, {"collusion": "divergent"}))
    assert len(chosen) == 5
    assert FLAGSHIP.agreement_questions[0] in [q.text for q in chosen]
    agreement = [q for q in chosen if q.reason == "agreement"]
    assert agreement[0].subscale == "collusion"


def test_no_agreement_question_when_views_are_shared():
    chosen = choose_questions(FLAGSHIP, patterns({}))
    assert not set(FLAGSHIP.agreement_questions) & {q.text for q in chosen}


def test_middle_pattern_is_filled_with_always_questions():
    chosen = choose_questions(FLAGSHIP, patterns({}))
    assert len(chosen) == 5
    assert all(q.reason == "always" for q in chosen)


def test_never_a_question_written_for_the_opposite_pattern():
    chosen = choose_questions(FLAGSHIP, patterns(dict.fromkeys(IDS, 1.1)))
    highs = {q.text for s in FLAGSHIP.subscales for q in s.questions if q.when == "high"}
    assert not highs & {q.text for q in chosen}


def test_deterministic():
    p = patterns({"collusion": 4.1, "emotional_risk": 1.9}, {"legitimacy_limits": "mixed"})
    assert choose_questions(FLAGSHIP, p) == choose_questions(FLAGSHIP, list(reversed(p)))


def test_fewer_than_three_only_when_the_instrument_has_too_few(mini):
    # mini: one subscale with one question each for high, low and always.
    chosen = choose_questions(mini, [SubscalePattern("alpha_sub", 4.5)])
    assert [q.text for q in chosen] == ["What holds this back?", "What do we notice?"]
    bare = replace(mini, subscales=tuple(replace(s, questions=()) for s in mini.subscales))
    assert choose_questions(bare, [SubscalePattern("alpha_sub", 4.5)]) == []


def test_organization_questions():
    chosen = organization_questions(FLAGSHIP)
    assert [q.text for q in chosen] == list(FLAGSHIP.organization_questions[:5])


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.floats(1, 5)), min_size=5, max_size=5),
    st.lists(st.sampled_from(["shared view", "mixed", "divergent", ""]), min_size=5,
             max_size=5),
)
def test_between_three_and_five_distinct(means, agreements):
    chosen = choose_questions(FLAGSHIP, [
        SubscalePattern(i, m, a) for i, m, a in zip(IDS, means, agreements, strict=True)
    ])
    texts = [q.text for q in chosen]
    assert 3 <= len(texts) <= 5
    assert len(set(texts)) == len(texts)
