"""Properties of the engine over any answers: scores stay in range, and a worse answer never scores better."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import given
from hypothesis import strategies as st

from linkwork.outcomes.definitions import DECLINED, SumScoring, instrument_get
from linkwork.outcomes.scoring import change, score
from tests.outcomes.facts import BEST_TO_WORST, CODES, HIGHER_IS_WORSE

SPELLINGS: list[Callable[[str], str]] = [str, str.lower, str.upper, str.title, lambda label: f"  {label} "]


@st.composite
def answer_lists(draw: st.DrawFn) -> tuple[str, list[str | int]]:
    """An instrument and any acceptable answers to it, in any spelling, with any of them declined."""
    code = draw(st.sampled_from(CODES))
    instrument = instrument_get(code)
    accepted = instrument.answers.allowed()
    answers: list[str | int] = []
    for _ in instrument.items:
        answer = draw(st.sampled_from(accepted))
        if instrument.answers.numbers is not None and answer != DECLINED and draw(st.booleans()):
            answers.append(int(answer))
        else:
            answers.append(draw(st.sampled_from(SPELLINGS))(answer))
    return code, answers


@given(answer_lists())
def test_every_score_is_within_its_range(drawn: tuple[str, list[str | int]]) -> None:
    code, answers = drawn
    result = score(code, answers)
    scoring = instrument_get(code).scoring
    if isinstance(scoring, SumScoring):
        low, high = scoring.range
        assert result.valid == (result.total is not None)
        if result.total is not None:
            assert low <= result.total <= high
            assert scoring.bands.bands == () or result.band is not None
        for subscale in scoring.subscales:
            subtotal = result.subscales[subscale.code].total
            assert subtotal is None or subscale.range[0] <= subtotal <= subscale.range[1]
        if scoring.conversion is not None and result.metric is not None:
            assert 7 <= result.metric <= 35
    for item in result.per_item.values():
        assert item.score is None or (0 <= item.score <= 10 and item.band is not None)
    assert all(1 <= number <= len(answers) for number in result.missing)


@st.composite
def one_answer_made_worse(draw: st.DrawFn) -> tuple[str, int, list[str], list[str]]:
    """Complete answers, and the same answers with one item moved one step towards its worst option."""
    code = draw(st.sampled_from(CODES))
    orders = BEST_TO_WORST[code]
    item = draw(st.integers(0, len(orders) - 1))
    positions = [
        draw(st.integers(0, len(order) - (2 if index == item else 1))) for index, order in enumerate(orders)
    ]
    worse = [position + (index == item) for index, position in enumerate(positions)]
    answers, worse_answers = (
        [order[p] for order, p in zip(orders, chosen, strict=True)] for chosen in (positions, worse)
    )
    return code, item + 1, answers, worse_answers


@given(one_answer_made_worse())
def test_a_worse_answer_never_improves_the_score(drawn: tuple[str, int, list[str], list[str]]) -> None:
    code, item, answers, worse_answers = drawn
    before, after = score(code, answers), score(code, worse_answers)
    moved = change(code, before, after)
    if code == "ons4":
        assert moved.per_item[item].direction == "worse"
        assert all(result.direction == "same" for number, result in moved.per_item.items() if number != item)
    elif code == "ons-loneliness":
        assert moved.direction == "worse"
    else:
        assert before.total is not None and after.total is not None
        assert moved.direction in ("worse", "same")
        assert (after.total >= before.total) if code in HIGHER_IS_WORSE else (after.total <= before.total)
