"""Published facts from the research notes (shared/reference/instruments.md), written out independently of
the JSON definitions so the tests check the definitions rather than repeat them."""

from __future__ import annotations

CODES = ["cel", "djg6", "gad7", "ons-loneliness", "ons4", "phq9", "swemwbs", "ucla3", "wemwbs"]

# Each option's score, for the instruments whose items all score the same way.
SCORES: dict[str, dict[int, str]] = {
    "ucla3": {1: "Hardly ever", 2: "Some of the time", 3: "Often"},
    "cel": {4: "Strongly Disagree", 3: "Disagree", 2: "Neutral", 1: "Agree", 0: "Strongly Agree"},
    "swemwbs": {1: "None of the time", 2: "Rarely", 3: "Some of the time", 4: "Often", 5: "All of the time"},
    "wemwbs": {1: "None of the time", 2: "Rarely", 3: "Some of the time", 4: "Often", 5: "All of the time"},
    "phq9": {0: "Not at all", 1: "Several days", 2: "More than half the days", 3: "Nearly every day"},
    "gad7": {0: "Not at all", 1: "Several days", 2: "More than half the days", 3: "Nearly every day"},
}
ITEM_COUNTS = {"ucla3": 3, "cel": 3, "djg6": 6, "swemwbs": 7, "wemwbs": 14, "phq9": 9, "gad7": 7, "ons4": 4}

# De Jong Gierveld: the answer that counts as lonely on each item, and the one that does not.
DJG_EMOTIONAL = (1, 4, 6)
DJG_SOCIAL = (2, 3, 5)


def djg_answers(lonely_items: set[int]) -> list[str]:
    lonely = {**dict.fromkeys(DJG_EMOTIONAL, "Yes"), **dict.fromkeys(DJG_SOCIAL, "No")}
    not_lonely = {**dict.fromkeys(DJG_EMOTIONAL, "No"), **dict.fromkeys(DJG_SOCIAL, "Yes")}
    return [lonely[n] if n in lonely_items else not_lonely[n] for n in range(1, 7)]


def answers_totalling(code: str, total: int) -> list[str]:
    """Answers, one per item, whose scores add up to `total`."""
    if code == "djg6":
        return djg_answers(set(range(1, total + 1)))
    labels = SCORES[code]
    low, high = min(labels), max(labels)
    remaining = total - low * ITEM_COUNTS[code]
    answers = []
    for _ in range(ITEM_COUNTS[code]):
        extra = min(high - low, remaining)
        answers.append(labels[low + extra])
        remaining -= extra
    assert remaining == 0, f"{code} cannot total {total}"
    return answers


# SWEMWBS raw score -> metric score [WAR-TABLE].
SWEMWBS_METRIC = {
    7: 7.00, 8: 9.51, 9: 11.25, 10: 12.40, 11: 13.33, 12: 14.08, 13: 14.75, 14: 15.32, 15: 15.84,
    16: 16.36, 17: 16.88, 18: 17.43, 19: 17.98, 20: 18.59, 21: 19.25, 22: 19.98, 23: 20.73, 24: 21.54,
    25: 22.35, 26: 23.21, 27: 24.11, 28: 25.03, 29: 26.02, 30: 27.03, 31: 28.13, 32: 29.31, 33: 30.70,
    34: 32.55, 35: 35.00,
}  # fmt: skip

# Each item's options ordered from the best answer to the worst, by what the instrument measures.
BEST_TO_WORST: dict[str, list[list[str]]] = {
    "ucla3": [["Hardly ever", "Some of the time", "Often"]] * 3,
    "cel": [["Strongly Agree", "Agree", "Neutral", "Disagree", "Strongly Disagree"]] * 3,
    "djg6": [
        ["Yes", "More or less", "No"] if n in DJG_SOCIAL else ["No", "More or less", "Yes"]
        for n in range(1, 7)
    ],
    "swemwbs": [["All of the time", "Often", "Some of the time", "Rarely", "None of the time"]] * 7,
    "wemwbs": [["All of the time", "Often", "Some of the time", "Rarely", "None of the time"]] * 14,
    "phq9": [["Not at all", "Several days", "More than half the days", "Nearly every day"]] * 9,
    "gad7": [["Not at all", "Several days", "More than half the days", "Nearly every day"]] * 7,
    "ons4": [[str(n) for n in range(10, -1, -1)]] * 3 + [[str(n) for n in range(11)]],
    "ons-loneliness": [["Never", "Hardly ever", "Occasionally", "Some of the time", "Often/always"]],
}
HIGHER_IS_WORSE = {"ucla3", "cel", "djg6", "phq9", "gad7"}
