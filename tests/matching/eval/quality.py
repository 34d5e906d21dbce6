"""The matching evaluation set (eval_set.json): load its fixed directory, rank for its people, score.

`evaluate()` ranks each person's top 10 and compares them with the hand-judged relevant services:
nDCG@10 (graded: 2 = best fit, 1 = relevant) and recall@10 (share of the relevant services found in
the top 10). People with nothing relevant (gaps) are left out of the averages and counted apart.
Used by `linkwork bench match-quality` and by tests/matching/eval/test_quality.py.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import uuid
from pathlib import Path
from typing import Any

from linkwork.accounts.models import Organisation
from linkwork.core.time import now
from linkwork.directory.models import EntryState, Location, Organization, Schedule, Service, ServiceAtLocation
from linkwork.matching import index as match_index
from linkwork.matching.engine import MODE, SEMANTIC_STATUS, Options, rank
from linkwork.matching.profile import MatchProfile

EVAL_SET = Path(__file__).with_name("eval_set.json")
K = 10
FACTS = (
    "cost_band",
    "group_size",
    "atmosphere",
    "activity_level",
    "step_free",
    "newcomers_met",
    "companion_free",
    "online_option",
)
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def eval_set() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(EVAL_SET.read_text(encoding="utf-8"))
    return data


def load(owner: Organisation) -> dict[uuid.UUID, str]:
    """Write the fixed directory; returns service id -> the evaluation set's key."""
    data = eval_set()
    provider = Organization.objects.create(owner=owner, name="Evaluation providers", description="")
    keys: dict[uuid.UUID, str] = {}
    for item in data["services"]:
        latitude, longitude = data["places"][item["where"]]
        service = Service.objects.create(
            owner=owner,
            organization=provider,
            name=item["name"],
            description=item["description"],
            state=EntryState.PUBLISHED,
            last_verified_at=now(),
            **{name: item[name] for name in FACTS if name in item},
        )
        location = Location.objects.create(
            owner=owner, organization=provider, name=item["name"], latitude=latitude, longitude=longitude
        )
        ServiceAtLocation.objects.create(service=service, location=location)
        Schedule.objects.create(
            service=service,
            freq="WEEKLY",
            byday=item["weekday"],
            opens_at=dt.time.fromisoformat(item["opens"]),
            closes_at=dt.time.fromisoformat(item["closes"]),
        )
        keys[service.pk] = item["key"]
    match_index.invalidate()
    return keys


def profile_of(person: dict[str, Any]) -> MatchProfile:
    return MatchProfile(
        postcode=person["postcode"],
        interests_now=person.get("interests_now", []),
        text=person.get("text", ""),
        barriers=person.get("barriers", []),
        confidence=person.get("confidence", ""),
        setting_preference=person.get("setting_preference", ""),
        availability=person.get("availability", []),
        travel_limit_minutes=person.get("travel_limit_minutes"),
    )


def ndcg(found: list[str], grades: dict[str, int], k: int = K) -> float:
    def dcg(values: list[int]) -> float:
        gains = [(2.0**grade - 1) / math.log2(position + 2) for position, grade in enumerate(values[:k])]
        return float(sum(gains))

    ideal = dcg(sorted(grades.values(), reverse=True))
    return dcg([grades.get(key, 0) for key in found]) / ideal if ideal else 0.0


def recall(found: list[str], grades: dict[str, int], k: int = K) -> float:
    return len(set(found[:k]) & set(grades)) / len(grades) if grades else 0.0


def evaluate(keys: dict[uuid.UUID, str], *, semantic: bool = False) -> dict[str, Any]:
    """Rank every person's top 10 and score it against the judgements.

    `semantic` blends in semantic similarity when the extra is installed; the report's mode says
    whether it ran, and `semantic` why not.
    """
    per_person = []
    gaps = []
    mode, status = MODE, SEMANTIC_STATUS
    for person in eval_set()["people"]:
        ranking = rank(profile_of(person), Options(limit=K, semantic=semantic))
        mode, status = ranking.mode, ranking.semantic
        results = ranking.results
        found = [keys[result.service_id] for result in results if result.service_id in keys]
        grades: dict[str, int] = person["relevant"]
        if not grades:
            gaps.append({"person": person["key"], "found": len(found)})
            continue
        per_person.append(
            {
                "person": person["key"],
                "ndcg_at_10": round(ndcg(found, grades), 4),
                "recall_at_10": round(recall(found, grades), 4),
            }
        )
    count = len(per_person)
    return {
        "mode": mode,
        "semantic": status,
        "people": count,
        "services": len(keys),
        "ndcg_at_10": round(sum(p["ndcg_at_10"] for p in per_person) / count, 4),
        "recall_at_10": round(sum(p["recall_at_10"] for p in per_person) / count, 4),
        "per_person": per_person,
        "gaps": gaps,
    }
