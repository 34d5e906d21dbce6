"""The scoring engine against the published facts: ranges, bands, reversals, subscales, missing items,
the SWEMWBS conversion, flags, answer errors and change."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from linkwork.outcomes.scoring import AnswerError, change, score
from tests.outcomes.facts import SCORES, SWEMWBS_METRIC, answers_totalling, djg_answers

PHQ = SCORES["phq9"]


def phq9(*item_scores: int) -> list[str]:
    return [PHQ[value] for value in item_scores]


@pytest.mark.parametrize(
    ("code", "total", "band"),
    [
        ("ucla3", 3, "not lonely"),
        ("ucla3", 5, "not lonely"),
        ("ucla3", 6, "lonely"),
        ("ucla3", 9, "lonely"),
        ("cel", 0, None),
        ("cel", 12, None),
        ("djg6", 0, "not lonely"),
        ("djg6", 1, "not lonely"),
        ("djg6", 2, "moderately lonely"),
        ("djg6", 4, "moderately lonely"),
        ("djg6", 5, "severely lonely"),
        ("djg6", 6, "severely lonely"),
        ("swemwbs", 7, None),
        ("swemwbs", 35, None),
        ("wemwbs", 14, None),
        ("wemwbs", 70, None),
        ("phq9", 0, "none"),
        ("phq9", 4, "none"),
        ("phq9", 5, "mild"),
        ("phq9", 9, "mild"),
        ("phq9", 10, "moderate"),
        ("phq9", 14, "moderate"),
        ("phq9", 15, "moderately severe"),
        ("phq9", 19, "moderately severe"),
        ("phq9", 20, "severe"),
        ("phq9", 27, "severe"),
        ("gad7", 0, "minimal"),
        ("gad7", 4, "minimal"),
        ("gad7", 5, "mild"),
        ("gad7", 9, "mild"),
        ("gad7", 10, "moderate"),
        ("gad7", 14, "moderate"),
        ("gad7", 15, "severe"),
        ("gad7", 21, "severe"),
    ],
)
def test_totals_and_bands_at_the_ends_and_each_side_of_every_boundary(
    code: str, total: int, band: str
) -> None:
    result = score(code, answers_totalling(code, total))
    assert (result.total, result.band, result.valid, result.missing) == (total, band, True, [])


@pytest.mark.parametrize("raw", sorted(SWEMWBS_METRIC))
def test_swemwbs_converts_every_raw_score_to_the_published_metric(raw: int) -> None:
    result = score("swemwbs", answers_totalling("swemwbs", raw))
    assert (result.total, result.metric) == (raw, SWEMWBS_METRIC[raw])


def test_only_swemwbs_has_a_metric_score() -> None:
    assert score("wemwbs", answers_totalling("wemwbs", 40)).metric is None


@pytest.mark.parametrize("value", range(11))
def test_ons4_scores_each_question_with_its_own_thresholds(value: int) -> None:
    positive = "low" if value <= 4 else "medium" if value <= 6 else "high" if value <= 8 else "very high"
    anxiety = "very low" if value <= 1 else "low" if value <= 3 else "medium" if value <= 5 else "high"
    result = score("ons4", [value, value, value, str(value)])
    assert (result.total, result.band, result.valid) == (None, None, True)
    assert {number: (item.score, item.band) for number, item in result.per_item.items()} == {
        1: (value, positive),
        2: (value, positive),
        3: (value, positive),
        4: (value, anxiety),
    }
    assert [item.name for item in result.per_item.values()] == [
        "life satisfaction",
        "worthwhile",
        "happiness",
        "anxiety",
    ]


def test_ons4_keeps_the_answered_questions_when_one_is_declined() -> None:
    result = score("ons4", [7, "declined", 3, 8])
    assert result.valid and result.missing == [2]
    assert result.per_item[2].score is None and result.per_item[2].band is None
    assert result.per_item[4].band == "high"


def test_ons4_with_every_question_declined_is_not_valid() -> None:
    result = score("ons4", ["declined"] * 4)
    assert not result.valid and result.reason


@pytest.mark.parametrize(
    ("answer", "band"),
    [
        ("Often/always", "Often/always"),
        ("often or always", "Often/always"),
        ("Some of the time", "Some of the time"),
        ("Occasionally", "Occasionally"),
        ("hardly ever", "Hardly ever"),
        ("NEVER", "Never"),
    ],
)
def test_ons_loneliness_gives_the_category_and_no_score(answer: str, band: str) -> None:
    result = score("ons-loneliness", [answer])
    assert (result.total, result.band, result.valid) == (None, band, True)


def test_ons_loneliness_declined_is_not_valid() -> None:
    result = score("ons-loneliness", ["declined"])
    assert (result.band, result.valid, result.missing) == (None, False, [1])


def test_djg6_social_items_are_reversed_and_more_or_less_is_lonely_on_both_subscales() -> None:
    all_yes = score("djg6", ["Yes"] * 6)
    assert all_yes.subscales["emotional"].total == 3 and all_yes.subscales["social"].total == 0
    all_no = score("djg6", ["No"] * 6)
    assert all_no.subscales["emotional"].total == 0 and all_no.subscales["social"].total == 3
    neutral = score("djg6", ["More or less"] * 6)
    assert (neutral.total, neutral.band) == (6, "severely lonely")


@pytest.mark.parametrize(
    ("lonely_items", "emotional", "social"),
    [
        (set(), (0, "not lonely"), (0, "not lonely")),
        ({1}, (1, "lonely"), (0, "not lonely")),
        ({2}, (0, "not lonely"), (1, "lonely")),
        ({1, 4, 6}, (3, "lonely"), (0, "not lonely")),
        ({2, 3, 5}, (0, "not lonely"), (3, "lonely")),
    ],
)
def test_djg6_subscales(lonely_items: set[int], emotional: tuple[int, str], social: tuple[int, str]) -> None:
    result = score("djg6", djg_answers(lonely_items))
    subscales = {code: (subscale.total, subscale.band) for code, subscale in result.subscales.items()}
    assert subscales == {"emotional": emotional, "social": social}


def test_djg6_counts_a_total_with_one_item_missing_but_not_its_subscale() -> None:
    answers = djg_answers({1, 2, 3})
    answers[3] = "declined"  # item 4, emotional
    result = score("djg6", answers)
    assert (result.total, result.band, result.valid, result.missing) == (3, "moderately lonely", True, [4])
    assert result.subscales["emotional"].total is None and result.subscales["emotional"].band is None
    assert result.subscales["social"].total == 2


def test_djg6_gives_no_total_with_two_items_missing() -> None:
    result = score("djg6", ["declined", "Yes", "declined", "Yes", "No", "No"])
    assert (result.total, result.band, result.valid) == (None, None, False)
    assert "2 of 6" in result.reason


@pytest.mark.parametrize(
    ("code", "total"), [("ucla3", 6), ("cel", 6), ("swemwbs", 20), ("wemwbs", 40), ("phq9", 9), ("gad7", 7)]
)
def test_no_total_with_any_item_declined_by_default(code: str, total: int) -> None:
    answers = answers_totalling(code, total)
    answers[1] = "Declined"
    result = score(code, answers)
    assert (result.total, result.band, result.metric, result.valid) == (None, None, None, False)
    assert result.missing == [2]
    assert "1 of" in result.reason and "declined" in result.reason


def test_labels_ignore_case_and_surrounding_spaces() -> None:
    result = score("phq9", ["  NEARLY every DAY ", "not at all", "Several Days"] + ["Not at all"] * 6)
    assert result.total == 4


def test_alternative_published_labels_are_accepted() -> None:
    assert score("ucla3", ["Hardly ever or never", "hardly ever", "Often"]).total == 5
    assert score("djg6", ["somewhat"] * 6).total == 6


@pytest.mark.parametrize("item9", [1, 2, 3])
def test_phq9_item_9_above_not_at_all_raises_the_safeguarding_flag(item9: int) -> None:
    result = score("phq9", phq9(0, 0, 0, 0, 0, 0, 0, 0, item9))
    assert result.flags == ["self-harm-thoughts"]
    assert result.band == "none"


def test_phq9_item_9_not_at_all_raises_no_flag() -> None:
    assert score("phq9", phq9(3, 3, 3, 0, 0, 0, 0, 0, 0)).flags == []


def test_phq9_safeguarding_flag_is_raised_even_when_there_is_no_total() -> None:
    answers = phq9(0, 0, 0, 0, 0, 0, 0, 0, 1)
    answers[0] = "declined"
    result = score("phq9", answers)
    assert result.total is None and result.flags == ["self-harm-thoughts"]


def test_phq9_item_9_declined_prompts_the_worker() -> None:
    answers = phq9(0, 0, 0, 0, 0, 0, 0, 0, 0)
    answers[8] = "declined"
    assert score("phq9", answers).flags == ["self-harm-question-declined"]


@pytest.mark.parametrize(("code", "below", "at"), [("phq9", 9, 10), ("gad7", 7, 8)])
def test_caseness_flag_from_the_talking_therapies_threshold(code: str, below: int, at: int) -> None:
    assert "caseness" not in score(code, answers_totalling(code, below)).flags
    assert "caseness" in score(code, answers_totalling(code, at)).flags


def test_an_unknown_label_names_the_item_and_lists_the_allowed_answers() -> None:
    with pytest.raises(AnswerError) as raised:
        score("ucla3", ["Often", "sometimes", "Often"])
    error = raised.value
    assert error.item == 2
    assert error.allowed == ["Hardly ever", "Hardly ever or never", "Some of the time", "Often", "declined"]
    assert 'ucla3 item 2 ("How often do you feel left out?")' in error.message
    assert "'sometimes'" in error.message and '"Some of the time"' in error.message
    assert error.fields == {"item_2": error.message}
    assert error.code == "INVALID_ANSWER" and error.status == 422


@pytest.mark.parametrize(
    ("answers", "item"),
    [(["Often", "Often"], 3), (["Often"] * 4, 3), ([], 1)],
)
def test_the_wrong_number_of_answers_names_an_item(answers: list[str], item: int) -> None:
    with pytest.raises(AnswerError) as raised:
        score("ucla3", answers)
    assert raised.value.item == item
    assert (
        f"ucla3 item {item} (" in raised.value.message
        and f"{len(answers)} were given" in raised.value.message
    )


@pytest.mark.parametrize("answer", [11, -1, "7.5", "seven", "", True])
def test_ons4_accepts_only_whole_numbers_from_0_to_10(answer: str | int) -> None:
    with pytest.raises(AnswerError) as raised:
        score("ons4", [5, answer, 5, 5])
    assert raised.value.item == 2 and '"0", "1"' in raised.value.message


def test_a_number_is_not_an_answer_to_a_labelled_question() -> None:
    with pytest.raises(AnswerError) as raised:
        score("phq9", [0] + ["Not at all"] * 8)
    assert raised.value.item == 1


# change() ------------------------------------------------------------------------------------------


def test_change_by_polarity_lower_is_better_for_loneliness() -> None:
    before = score("ucla3", answers_totalling("ucla3", 7))
    after = score("ucla3", answers_totalling("ucla3", 4))
    result = change("ucla3", before, after)
    assert (result.difference, result.direction, result.band_change) == (-3, "better", "lonely -> not lonely")
    assert (result.reliable, result.threshold) == (None, None)
    assert change("ucla3", after, before).direction == "worse"


def test_change_with_no_difference_is_the_same_and_names_no_band_change() -> None:
    result = score("gad7", answers_totalling("gad7", 12))
    moved = change("gad7", result, result)
    assert (moved.difference, moved.direction, moved.band_change, moved.reliable) == (0, "same", None, False)


@pytest.mark.parametrize(
    ("code", "before", "after", "reliable"),
    [
        ("phq9", 16, 10, True),
        ("phq9", 16, 11, False),
        ("phq9", 10, 16, True),
        ("gad7", 12, 8, True),
        ("gad7", 12, 9, False),
        ("wemwbs", 40, 43, True),
        ("wemwbs", 40, 42, False),
    ],
)
def test_reliable_change_uses_the_published_threshold(
    code: str, before: int, after: int, reliable: bool
) -> None:
    result = change(
        code, score(code, answers_totalling(code, before)), score(code, answers_totalling(code, after))
    )
    assert (result.difference, result.reliable) == (after - before, reliable)


def test_phq9_change_reports_the_band_change_and_direction() -> None:
    result = change(
        "phq9", score("phq9", answers_totalling("phq9", 16)), score("phq9", answers_totalling("phq9", 4))
    )
    assert (result.direction, result.band_change, result.threshold) == (
        "better",
        "moderately severe -> none",
        6,
    )


@pytest.mark.parametrize(("before", "after", "reliable"), [(20, 25, True), (20, 22, False), (25, 20, True)])
def test_swemwbs_change_is_measured_on_the_metric_score(before: int, after: int, reliable: bool) -> None:
    old, new = (score("swemwbs", answers_totalling("swemwbs", raw)) for raw in (before, after))
    result = change("swemwbs", old, new)
    assert result.difference == round(SWEMWBS_METRIC[after] - SWEMWBS_METRIC[before], 2)
    assert (result.reliable, result.threshold) == (reliable, 3)
    assert result.direction == ("better" if after > before else "worse")


def test_ons4_change_is_per_question_with_anxiety_reversed() -> None:
    result = change("ons4", score("ons4", [5, 5, 5, 7]), score("ons4", [7, 5, 3, 2]))
    assert (result.difference, result.direction) == (None, None)
    directions = {number: item.direction for number, item in result.per_item.items()}
    assert directions == {1: "better", 2: "same", 3: "worse", 4: "better"}
    assert result.per_item[4].band_change == "high -> low"
    assert result.per_item[1].reliable is None


def test_ons_loneliness_change_follows_the_order_of_the_categories() -> None:
    often, hardly = score("ons-loneliness", ["Often/always"]), score("ons-loneliness", ["Hardly ever"])
    result = change("ons-loneliness", often, hardly)
    assert (result.difference, result.direction, result.band_change) == (
        None,
        "better",
        "Often/always -> Hardly ever",
    )
    assert change("ons-loneliness", hardly, often).direction == "worse"


def test_change_without_a_total_has_no_direction() -> None:
    declined = score("ucla3", ["Often", "declined", "Often"])
    result = change("ucla3", declined, score("ucla3", answers_totalling("ucla3", 3)))
    assert (result.difference, result.direction, result.reliable, result.band_change) == (
        None,
        None,
        None,
        None,
    )


def test_change_refuses_results_of_another_instrument() -> None:
    with pytest.raises(ValueError, match="compares two phq9 results"):
        change(
            "phq9", score("gad7", answers_totalling("gad7", 3)), score("phq9", answers_totalling("phq9", 3))
        )


# The command line ---------------------------------------------------------------------------------------


def linkwork_score(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    if "linkwork.outcomes" not in django_settings.INSTALLED_APPS:
        pytest.skip("outcomes app not installed yet")
    return subprocess.run(
        [sys.executable, "-m", "linkwork.cli", "score", *args],
        env={**os.environ, "LINKWORK_VAR_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_cli_prints_one_json_object(tmp_path: Path) -> None:
    result = linkwork_score("phq9", *(["Not at all"] * 8), "More than half the days", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "instrument": "phq9",
        "total": 2,
        "band": "none",
        "subscales": {},
        "flags": ["self-harm-thoughts"],
        "missing": [],
        "valid": True,
    }


def test_cli_adds_the_metric_the_items_and_the_reason(tmp_path: Path) -> None:
    swemwbs = json.loads(linkwork_score("swemwbs", *(["Often"] * 7), tmp_path=tmp_path).stdout)
    assert (swemwbs["total"], swemwbs["metric"]) == (28, 25.03)
    ons4 = json.loads(linkwork_score("ons4", "7", "8", "declined", "2", tmp_path=tmp_path).stdout)
    assert ons4["items"][3] == {"item": 4, "name": "anxiety", "score": 2, "band": "low"}
    djg6 = json.loads(linkwork_score("djg6", *(["declined"] * 2), *(["Yes"] * 4), tmp_path=tmp_path).stdout)
    assert djg6["valid"] is False and djg6["reason"].startswith("No total")
    assert djg6["subscales"]["social"] == {"total": None, "band": None}


def test_cli_refuses_a_bad_answer_with_status_2(tmp_path: Path) -> None:
    result = linkwork_score("ucla3", "Often", "sometimes", "Often", tmp_path=tmp_path)
    assert result.returncode == 2
    assert (
        'item 2 ("How often do you feel left out?")' in result.stderr
        and '"Some of the time"' in result.stderr
    )
    assert result.stdout == ""
