"""The instrument definitions: published facts, the loud failure of a malformed file, and overrides."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from linkwork.core.errors import NotFound
from linkwork.outcomes.definitions import (
    DIRECTORY,
    CategoryScoring,
    PerItemScoring,
    SumScoring,
    definitions_read,
    instrument_get,
    instrument_list,
    instrument_parse,
)
from linkwork.outcomes.scoring import change, score
from tests.outcomes.facts import CODES, ITEM_COUNTS, SWEMWBS_METRIC, answers_totalling

RAW = definitions_read(DIRECTORY)
DOCS = Path(__file__).resolve().parents[2] / "docs" / "instruments.md"


def test_every_instrument_loads() -> None:
    assert [instrument.code for instrument in instrument_list()] == CODES


@pytest.mark.parametrize(("code", "count"), sorted({**ITEM_COUNTS, "ons-loneliness": 1}.items()))
def test_item_counts(code: str, count: int) -> None:
    assert len(instrument_get(code).items) == count


def test_published_wording_in_published_order() -> None:
    assert [item.text for item in instrument_get("ucla3").items] == [
        "How often do you feel that you lack companionship?",
        "How often do you feel left out?",
        "How often do you feel isolated from others?",
    ]
    phq9 = instrument_get("phq9")
    assert (
        phq9.items[8].text == "Thoughts that you would be better off dead or of hurting yourself in some way"
    )
    assert phq9.introduction is not None and phq9.introduction.text.startswith("Over the last 2 weeks")
    assert len(phq9.unscored_items) == 1
    assert instrument_get("gad7").items[0].text == "Feeling nervous, anxious or on edge"
    assert instrument_get("ons4").items[3].text == "Overall, how anxious did you feel yesterday?"
    assert instrument_get("ons-loneliness").items[0].text == "How often do you feel lonely?"
    assert (
        instrument_get("djg6").items[1].text
        == "There are plenty of people I can rely on when I have problems"
    )


def test_swemwbs_items_are_wemwbs_items_1_2_3_6_7_9_and_11() -> None:
    wemwbs = [item.text for item in instrument_get("wemwbs").items]
    assert [item.text for item in instrument_get("swemwbs").items] == [
        wemwbs[n - 1] for n in (1, 2, 3, 6, 7, 9, 11)
    ]


def test_reversed_items_and_presentation_order() -> None:
    assert [item.number for item in instrument_get("djg6").items if item.reversed] == [2, 3, 5]
    assert not any(item.reversed for code in CODES for item in instrument_get(code).items if code != "djg6")
    assert [item.number for item in instrument_get("cel").items if item.options_shown_reversed] == [2]


@pytest.mark.parametrize(
    ("code", "low", "high", "polarity"),
    [
        ("ucla3", 3, 9, "higher_is_worse"),
        ("cel", 0, 12, "higher_is_worse"),
        ("djg6", 0, 6, "higher_is_worse"),
        ("swemwbs", 7, 35, "higher_is_better"),
        ("wemwbs", 14, 70, "higher_is_better"),
        ("phq9", 0, 27, "higher_is_worse"),
        ("gad7", 0, 21, "higher_is_worse"),
    ],
)
def test_ranges_and_polarity(code: str, low: int, high: int, polarity: str) -> None:
    scoring = instrument_get(code).scoring
    assert isinstance(scoring, SumScoring)
    assert (scoring.range, scoring.polarity) == ((low, high), polarity)


def test_instruments_without_a_total() -> None:
    ons4 = instrument_get("ons4")
    assert isinstance(ons4.scoring, PerItemScoring)
    assert [item.polarity for item in ons4.items] == ["higher_is_better"] * 3 + ["higher_is_worse"]
    assert isinstance(instrument_get("ons-loneliness").scoring, CategoryScoring)


@pytest.mark.parametrize(
    ("code", "bands"),
    [
        ("ucla3", [("not lonely", 3, 5), ("lonely", 6, 9)]),
        ("djg6", [("not lonely", 0, 1), ("moderately lonely", 2, 4), ("severely lonely", 5, 6)]),
        (
            "phq9",
            [
                ("none", 0, 4),
                ("mild", 5, 9),
                ("moderate", 10, 14),
                ("moderately severe", 15, 19),
                ("severe", 20, 27),
            ],
        ),
        ("gad7", [("minimal", 0, 4), ("mild", 5, 9), ("moderate", 10, 14), ("severe", 15, 21)]),
        ("cel", []),
        ("swemwbs", []),
        ("wemwbs", []),
    ],
)
def test_bands_as_published(code: str, bands: list[tuple[str, int, int]]) -> None:
    scoring = instrument_get(code).scoring
    assert isinstance(scoring, SumScoring)
    assert [(band.label, band.minimum, band.maximum) for band in scoring.bands.bands] == bands


def test_swemwbs_conversion_table_is_the_published_one() -> None:
    scoring = instrument_get("swemwbs").scoring
    assert isinstance(scoring, SumScoring) and scoring.conversion is not None
    assert dict(scoring.conversion.table) == SWEMWBS_METRIC


def test_change_thresholds() -> None:
    assert {code: instrument_get(code).change.threshold for code in CODES} == {
        "cel": None,
        "djg6": None,
        "gad7": 4,
        "ons-loneliness": None,
        "ons4": None,
        "phq9": 6,
        "swemwbs": 3,
        "ucla3": None,
        "wemwbs": 3,
    }


def test_flags_other_parts_of_linkwork_key_on() -> None:
    flags = {
        (flag.name, flag.kind, flag.when, flag.item, flag.value) for flag in instrument_get("phq9").flags
    }
    assert flags == {
        ("self-harm-thoughts", "safeguarding", "item_score_at_least", 9, 1),
        ("self-harm-question-declined", "prompt", "item_declined", 9, None),
        ("caseness", "threshold", "total_at_least", None, 10),
    }


def test_unverified_rules_are_marked() -> None:
    def unverified(code: str) -> set[str]:
        instrument = instrument_get(code)
        rules = {"answers": instrument.answers.provenance, "change": instrument.change.provenance}
        scoring = instrument.scoring
        if isinstance(scoring, SumScoring):
            rules |= {"scoring": scoring.provenance, "bands": scoring.bands.provenance}
            rules |= {"missing": scoring.missing.provenance}
            if scoring.conversion:
                rules["conversion"] = scoring.conversion.provenance
        rules |= {f"flag {flag.name}": flag.provenance for flag in instrument.flags}
        return {name for name, provenance in rules.items() if not provenance.verified}

    assert {code: unverified(code) for code in CODES} == {
        "cel": {"answers", "scoring", "missing", "change"},
        "djg6": {"change"},
        "gad7": {"missing", "change", "flag caseness"},
        "ons-loneliness": set(),
        "ons4": {"change"},
        "phq9": {"missing", "change", "flag caseness"},
        "swemwbs": {"bands", "missing", "change", "conversion"},
        "ucla3": {"bands", "missing", "change"},
        "wemwbs": {"missing", "change"},
    }


def test_every_instrument_has_sources_and_a_licence() -> None:
    for instrument in instrument_list():
        assert instrument.sources and instrument.licence.text
    assert instrument_get("swemwbs").licence.notice == (
        "Short Warwick Edinburgh Mental Wellbeing Scale (SWEMWBS) © NHS Health Scotland, "
        "University of Warwick and University of Edinburgh, 2008, all rights reserved."
    )


def test_the_documentation_covers_every_instrument_and_flag() -> None:
    docs = DOCS.read_text()
    for instrument in instrument_list():
        assert f"`{instrument.code}`" in docs
        for flag in instrument.flags:
            assert f"`{flag.name}`" in docs
    assert "LINKWORK_INSTRUMENT_OVERRIDES" in docs


def test_an_unknown_code_is_not_found() -> None:
    with pytest.raises(NotFound, match="There is no instrument 'phq-9'"):
        instrument_get("phq-9")


# Malformed definitions ----------------------------------------------------------------------------------


def _set(path: list[str | int], value: object) -> Callable[[dict[str, Any]], None]:
    def mutate(data: dict[str, Any]) -> None:
        target: Any = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return mutate


def _delete(path: list[str | int]) -> Callable[[dict[str, Any]], None]:
    def mutate(data: dict[str, Any]) -> None:
        target: Any = data
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return mutate


@pytest.mark.parametrize(
    ("code", "mutate", "problem"),
    [
        ("ucla3", _delete(["name"]), "name: must be a non-empty string"),
        ("djg6", _set(["items", 1, "reverse"], True), "items[1].reverse: is not expected here"),
        ("ucla3", _set(["items", 0, "number"], 2), "items: must be numbered 1, 2, 3"),
        ("ucla3", _set(["bands", "bands", 1, "min"], 7), "bands: 'lonely' must start at 6"),
        ("ucla3", _set(["bands", "bands", 1, "max"], 8), "bands: must run from 3 to 9"),
        ("phq9", _set(["range"], [0, 26]), "range: the items add up to [0, 27]"),
        (
            "phq9",
            _set(["answers", "options", 0, "score"], "0"),
            "answers.options[0].score: must be a whole number",
        ),
        ("ucla3", _set(["answers", "options", 0, "also"], ["OFTEN"]), "two labels are the same"),
        ("ucla3", _set(["scoring", "kind"], "mean"), "scoring.kind: must be one of sum, per_item, category"),
        ("cel", _set(["polarity"], "up"), "polarity: must be one of higher_is_better, higher_is_worse"),
        ("gad7", _set(["bands", "source"], ["NOPE 1"]), "bands.source: 'NOPE 1' does not start with a key"),
        ("gad7", _delete(["bands", "verified"]), "bands.verified: must be true or false"),
        ("swemwbs", _delete(["conversion", "table", "29"]), "conversion.table: needs exactly one entry"),
        ("phq9", _set(["flags", 0, "item"], 10), "flags self-harm-thoughts: item must be an item number"),
        ("phq9", _set(["flags", 0, "value"], 4), "flags self-harm-thoughts: value must be a score"),
        ("djg6", _set(["missing", "max_missing"], 6), "missing: max_missing must be from 0 to 5"),
        ("djg6", _set(["missing", "method"], "none"), 'missing: method is "none" exactly when'),
        (
            "djg6",
            _set(["subscales", 0, "items"], [1, 4, 7]),
            "subscales emotional: items must be item numbers",
        ),
        ("ons4", _set(["items", 3, "bands", "bands", 1, "min"], 3), "items[3].bands: 'low' must start at 2"),
        ("ons4", _set(["range"], [0, 40]), "range: is not expected here"),
        ("ons-loneliness", _set(["answers", "options", 0, "score"], 1), "answers: a category has no scores"),
        ("wemwbs", _set(["change", "threshold"], "3"), "change.threshold: must be a number or null"),
    ],
)
def test_a_malformed_definition_fails_naming_the_file_and_the_problem(
    code: str, mutate: Callable[[dict[str, Any]], None], problem: str
) -> None:
    data = copy.deepcopy(RAW[code])
    mutate(data)
    with pytest.raises(ImproperlyConfigured) as raised:
        instrument_parse(data, origin=f"instruments/{code}.json")
    assert str(raised.value).startswith(f"instruments/{code}.json: ")
    assert problem in str(raised.value)


def test_a_file_that_is_not_json_fails_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text('{"code": "broken",')
    with pytest.raises(ImproperlyConfigured, match=r"broken\.json: cannot be read as JSON"):
        definitions_read(tmp_path)


def test_a_file_named_differently_from_its_code_fails(tmp_path: Path) -> None:
    (tmp_path / "phq-9.json").write_text('{"code": "phq9"}')
    with pytest.raises(
        ImproperlyConfigured, match=r"phq-9\.json: must be an object whose \"code\" is 'phq-9'"
    ):
        definitions_read(tmp_path)


# Overrides of the UNVERIFIED rules ---------------------------------------------------------------------


def test_a_service_can_set_the_ucla3_cut_off(settings: Any) -> None:
    settings.LINKWORK_INSTRUMENT_OVERRIDES = {
        "ucla3": {
            "bands": [{"label": "not lonely", "min": 3, "max": 3}, {"label": "lonely", "min": 4, "max": 9}]
        }
    }
    assert score("ucla3", answers_totalling("ucla3", 4)).band == "lonely"
    scoring = instrument_get("ucla3").scoring
    assert isinstance(scoring, SumScoring) and scoring.bands.provenance.note.startswith("Overridden")


def test_a_service_can_adopt_phq9_prorating(settings: Any) -> None:
    settings.LINKWORK_INSTRUMENT_OVERRIDES = {"phq9": {"missing": {"max_missing": 2, "method": "prorate"}}}
    one_missing = ["declined", "Several days", "Several days", "Several days", "Several days"] + [
        "Not at all"
    ] * 4
    result = score("phq9", one_missing)  # 4 over 8 items is 4.5 over 9: rounded half up to 5
    assert (result.total, result.band, result.valid) == (5, "mild", True)
    assert score("phq9", ["declined"] * 3 + ["Several days"] * 6).total is None


def test_a_service_can_set_change_and_flag_thresholds(settings: Any) -> None:
    settings.LINKWORK_INSTRUMENT_OVERRIDES = {
        "wemwbs": {"change_threshold": 8},
        "gad7": {"flags": {"caseness": 10}},
    }
    before, after = (score("wemwbs", answers_totalling("wemwbs", total)) for total in (40, 47))
    assert change("wemwbs", before, after).reliable is False
    assert "caseness" not in score("gad7", answers_totalling("gad7", 9)).flags


def test_overrides_passed_in_win_over_the_setting(settings: Any) -> None:
    settings.LINKWORK_INSTRUMENT_OVERRIDES = {"phq9": {"change_threshold": 3}}
    assert instrument_get("phq9").change.threshold == 3
    assert instrument_get("phq9", overrides={"change_threshold": 5}).change.threshold == 5
    before, after = (score("phq9", answers_totalling("phq9", total)) for total in (12, 7))
    assert change("phq9", before, after, overrides={"change_threshold": 5}).reliable is True
    assert change("phq9", before, after, overrides={"change_threshold": 6}).reliable is False


@pytest.mark.parametrize(
    ("setting", "problem"),
    [
        ({"phq9": {"bands": []}}, "bands: this rule is published (verified) and cannot be overridden"),
        ({"phq9": {"flags": {"self-harm-thoughts": 2}}}, "self-harm-thoughts: this rule is published"),
        ({"djg6": {"missing": {"max_missing": 0, "method": "none"}}}, "missing: this rule is published"),
        ({"phq9": {"flags": {"suicide": 2}}}, "suicide: this instrument has no such rule"),
        ({"phq9": {"range": [0, 30]}}, "range: not an override"),
        ({"phq9": {"missing": {"max_missing": 2, "verified": True}}}, "missing: not an override"),
        ({"phq-9": {"change_threshold": 5}}, "LINKWORK_INSTRUMENT_OVERRIDES must map instrument codes"),
        ({"ucla3": {"bands": [{"label": "lonely", "min": 6, "max": 9}]}}, "bands: must run from 3 to 9"),
        ({"phq9": {"missing": {"max_missing": 2, "method": "none"}}}, 'method is "none" exactly when'),
        ({"phq9": "prorate"}, "LINKWORK_INSTRUMENT_OVERRIDES['phq9'] must be a dict"),
    ],
)
def test_bad_overrides_fail_clearly(settings: Any, setting: dict[str, Any], problem: str) -> None:
    settings.LINKWORK_INSTRUMENT_OVERRIDES = setting
    code = "phq9" if "phq-9" in setting else next(iter(setting))
    with pytest.raises(ImproperlyConfigured) as raised:
        instrument_get(code)
    assert problem in str(raised.value)
