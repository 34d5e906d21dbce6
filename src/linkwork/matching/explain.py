"""Reasons and cautions in plain English, for one ranked service.

Reasons say why a service suits the person ("12 minutes by bus", "free", "small group", "someone
meets newcomers at the door"); cautions say what to check first ("busy venue", "last checked 14
months ago", "stairs, no step-free access"). A fact nobody recorded is said as "not known" where it
matters to this person, and never counted against the service.
"""

from __future__ import annotations

import math
import time
import uuid

import numpy as np
import numpy.typing as npt

from linkwork.directory.geography import journey
from linkwork.directory.recurrence import DAY_NAMES
from linkwork.matching.engine import (
    MONTH_SECONDS,
    PART_NAMES,
    REVIEW_DUE_CODE,
    STALE_CODE,
    Part,
    Result,
    Scored,
)
from linkwork.matching.index import DAY_KEYS, DAY_PARTS, slot_bit

_GROUP_WORDS = ("one-to-one", "small group", "medium-sized group", "large group")
_ACTIVITY_WORDS = ("an active session", "a gentle, structured activity", "a sit-and-chat group")


def _months_ago(scored: Scored, row: int) -> int | None:
    verified = float(scored.index.verified[row])
    if math.isnan(verified):
        return None
    return max(0, int((time.time() - verified) // MONTH_SECONDS))


# A semantic interest score (0 to 0.9 after rescaling) this high is worth saying out loud.
CLOSE_IN_MEANING = 0.45


def _interest_words(scored: Scored, row: int) -> tuple[str, list[str]]:
    """The best interest match at this row: (explanation, reasons)."""
    best: tuple[float, str, str] | None = None
    for phrase, rows, weights in scored.phrase_hits:
        at = int(np.searchsorted(rows, row))
        if at < rows.size and int(rows[at]) == row:
            weight = float(weights[at])
            if best is None or weight > best[0]:
                best = (weight, " ".join(phrase.words), phrase.how + ":" + phrase.interest)
    if best is None:
        if not scored.phrase_hits and not _has_interests(scored):
            return "No interests recorded yet, so this part is neutral.", []
        meaning = scored.semantic_scores
        if meaning is not None and float(meaning[row]) >= CLOSE_IN_MEANING:
            return (
                "No words in common, but close in meaning to the interests or need given.",
                ["close in meaning to what they are interested in"],
            )
        return "Does not match the interests or need given.", []
    _weight, matched, how_interest = best
    how, _, interest = how_interest.partition(":")
    if how == "direct":
        return f"Matches “{interest}”.", [f"matches “{interest}”"]
    if how == "synonym":
        return f"“{matched}” is another word for “{interest}”.", [f"{matched} (for “{interest}”)"]
    return f"“{matched}” is related to “{interest}”.", [f"{matched}, related to “{interest}”"]


def _has(rows: npt.NDArray[np.int32], row: int) -> bool:
    at = int(np.searchsorted(rows, row))
    return at < rows.size and int(rows[at]) == row


def _has_interests(scored: Scored) -> bool:
    profile = scored.profile
    return bool(profile.interests_now or profile.interests_past or profile.text)


def _travel(scored: Scored, row: int, reasons: list[str], cautions: list[str]) -> str:
    index, profile = scored.index, scored.profile
    facts = index.facts
    comes_to_them = []
    if facts["home_visits"][row] == 1:
        comes_to_them.append("home visits")
    if facts["online_option"][row] == 1:
        comes_to_them.append("online")
    if facts["phone_option"][row] == 1:
        comes_to_them.append("by phone")
    km = float(scored.km[row])
    text: str
    if math.isfinite(km):
        trip = journey(km)
        walks_only = "walks" in profile.mobility and not (
            {"uses-buses", "drives", "door-to-door"} & set(profile.mobility)
        )
        if walks_only or trip.walk_minutes <= trip.bus_minutes:
            text = f"{trip.walk_minutes} minutes on foot"
        else:
            text = f"{trip.bus_minutes} minutes by bus"
        reasons.append(text)
        if scored.beyond[row]:
            cautions.append("further than they said they can travel")
    elif scored.place is None:
        text = "travel time not known (no postcode)"
    else:
        text = "where it meets is not known"
        if not comes_to_them:
            cautions.append("where it meets is not known")
    if comes_to_them:
        reasons.append("also " + ", ".join(comes_to_them) if math.isfinite(km) else ", ".join(comes_to_them))
    if "door-to-door" in profile.mobility and not comes_to_them:
        cautions.append("needs door-to-door transport: arrange how to get there")
    if profile.step_free_needed:
        step_free = int(facts["step_free"][row])
        if step_free == 1:
            reasons.append("step-free access")
        elif step_free == 0:
            cautions.append("stairs, no step-free access")
        else:
            cautions.append("step-free access not known")
    if scored.person_slots:
        if not index.has_schedule[row]:
            cautions.append("session times not known")
        elif int(index.slots[row]) & scored.person_slots:
            reasons.append("meets " + _when(int(index.slots[row]) & scored.person_slots))
        elif int(index.days[row]) & scored.person_days:
            cautions.append("on a day they are free: check the time")
        else:
            cautions.append("not at a time they said they are free")
    if profile.language_needed:
        language = profile.main_language.strip()
        rows = index.languages.get(language.casefold())
        if rows is not None and _has(rows, row):
            reasons.append(f"in {language}")
        elif index.has_language[row]:
            cautions.append(f"not offered in {language}")
        else:
            cautions.append(f"whether {language} is spoken is not known")
    return text


def _when(mask: int) -> str:
    for weekday in range(len(DAY_KEYS)):
        for part, name in enumerate(DAY_PARTS):
            if mask & slot_bit(weekday, part):
                return f"{DAY_NAMES[weekday]} {name}s"
    return "when they are free"


def _cost(scored: Scored, row: int, reasons: list[str], cautions: list[str]) -> str:
    code = int(scored.index.cost[row])
    profile = scored.profile
    if code == 0:
        reasons.append("free")
        return "Free."
    if code < 0:
        if profile.money_barrier:
            cautions.append("cost not known")
        return "Cost not known."
    label = "low cost" if code == 1 else "costs per session"
    if code == 1:
        reasons.append("low cost")
    if profile.money_barrier:
        if code == 2:
            cautions.append("costs per session, and money is tight")
        if profile.budget_left_pence:
            left = profile.budget_left_pence / 100
            reasons.append(f"£{left:.2f} left in the support budget could help at first")
        cautions.append("check it stays affordable after support ends")
    return label.capitalize() + "."


def _social(scored: Scored, row: int, reasons: list[str], cautions: list[str]) -> str:
    index, profile = scored.index, scored.profile
    said: list[str] = []
    group = int(index.group_size[row])
    if group >= 0:
        said.append(_GROUP_WORDS[group])
        if group <= 1:
            reasons.append(_GROUP_WORDS[group])
        if profile.largest_group is not None and (1, 2, 8, 21)[group] > profile.largest_group:
            cautions.append(f"bigger than the {profile.largest_group} people they feel able to join")
        elif group == 3 and profile.low_confidence:
            cautions.append("large group")
    elif profile.low_confidence:
        said.append("group size not known")
    atmosphere = int(index.atmosphere[row])
    if atmosphere == 0:
        reasons.append("quiet")
        said.append("quiet")
    elif atmosphere == 1:
        cautions.append("busy venue")
        said.append("busy")
    activity = int(index.activity[row])
    if activity >= 0:
        said.append(_ACTIVITY_WORDS[activity])
        if profile.low_confidence and activity in (0, 1):
            reasons.append("something to do side by side")
    if index.facts["newcomers_met"][row] == 1:
        reasons.append("someone meets newcomers at the door")
    elif index.facts["newcomers_met"][row] == -1 and profile.low_confidence:
        said.append("whether someone meets newcomers is not known")
    companion = int(index.facts["companion_free"][row])
    if companion == 1:
        reasons.append("a companion can come free")
    elif profile.wants_company_first_visit:
        unknown = "whether a companion can come free is not known"
        cautions.append("a companion may have to pay" if companion == 0 else unknown)
    return (", ".join(said) or "Nothing known about the group") + "."


def _identity(scored: Scored, row: int, reasons: list[str]) -> str:
    index, profile = scored.index, scored.profile
    audience = int(index.audience[row])
    said = []
    if audience == 1:
        experience = index.shared_experience[row].strip()
        said.append(f"for people who share an experience{f' ({experience})' if experience else ''}")
        if profile.setting_preference == "shared-experience":
            reasons.append(f"people who share their experience{f' ({experience})' if experience else ''}")
    elif audience == 0:
        said.append("a general community setting")
        if profile.setting_preference == "general":
            reasons.append("a general community setting")
    low, high = float(index.minimum_age[row]), float(index.maximum_age[row])
    if not math.isnan(low) and not math.isnan(high):
        said.append(f"ages {low:g} to {high:g}")
    elif not math.isnan(low):
        said.append(f"ages {low:g} and over")
        if low >= 50:
            reasons.append(f"for people {low:g} and over")
    elif not math.isnan(high):
        said.append(f"up to age {high:g}")
    return (", ".join(said).capitalize() or "Audience not known") + "."


def _freshness(scored: Scored, row: int, cautions: list[str]) -> str:
    months = _months_ago(scored, row)
    state = int(scored.index.base.states[row])
    if state == STALE_CODE:
        cautions.append("marked out of date: check it still runs")
    elif state == REVIEW_DUE_CODE:
        cautions.append("due for a check")
    if months is None:
        cautions.append("never checked by the directory team")
        return "Never checked."
    if months >= 12:
        cautions.append(f"last checked {months} months ago")
    if months == 0:
        return "Checked this month."
    return f"Last checked {months} month{'s' if months != 1 else ''} ago."


def result_for(scored: Scored, row: int) -> Result:
    """One ranked service: its parts, each explained, and the reasons and cautions."""
    reasons: list[str] = []
    cautions: list[str] = []
    interest_text, interest_reasons = _interest_words(scored, row)
    reasons += interest_reasons
    explanations = {
        "interest": interest_text,
        "practical": _travel(scored, row, reasons, cautions).capitalize() + ".",
        "cost": _cost(scored, row, reasons, cautions),
        "social": _social(scored, row, reasons, cautions).capitalize(),
        "identity": _identity(scored, row, reasons),
        "freshness": _freshness(scored, row, cautions),
    }
    parts = [
        Part(name, round(float(scored.parts[name][row]), 4), scored.weights[name], explanations[name])
        for name in PART_NAMES
    ]
    km = float(scored.km[row])
    trip = journey(km) if math.isfinite(km) else None
    return Result(
        service_id=uuid.UUID(hex=scored.index.base.ids[row]),
        row=row,
        score=round(float(scored.total[row]), 4),
        parts=parts,
        reasons=list(dict.fromkeys(reasons)),
        cautions=list(dict.fromkeys(cautions)),
        distance_km=round(km, 2) if trip else None,
        walk_minutes=trip.walk_minutes if trip else None,
        bus_minutes=trip.bus_minutes if trip else None,
        beyond_limit=bool(scored.beyond[row]),
    )
