"""Input and output schemas for recommendations (no `from __future__`: ninja reads the annotations)."""

import uuid

from ninja import Field, Schema

from linkwork.matching.selectors import MAX_LIMIT, MAX_MINUTES, MAX_TEXT, Recommendation, Recommendations


class RecommendationsIn(Schema):
    limit: int = Field(20, ge=1, le=MAX_LIMIT, description="How many results, best first")
    max_minutes: int | None = Field(
        None, ge=1, le=MAX_MINUTES, description="Travel time limit; replaces the person's own limit"
    )
    free_only: bool = Field(False, description="Only services known to be free")
    text: str = Field("", max_length=MAX_TEXT, description="A free-text need, e.g. 'something with animals'")
    include_beyond_limit: bool = Field(False, description="Also show services beyond the travel limit")


class PartOut(Schema):
    name: str = Field(description="interest, practical, cost, social, identity or freshness")
    score: float = Field(description="0 to 1; 0.5 where the facts are not known")
    weight: float
    explanation: str


class RecommendationOut(Schema):
    service_id: uuid.UUID
    name: str
    provider: str
    score: float = Field(description="The weighted mean of the parts, 0 to 1")
    parts: list[PartOut]
    reasons: list[str]
    cautions: list[str]
    distance_km: float | None
    walk_minutes: int | None
    bus_minutes: int | None
    beyond_limit: bool

    @staticmethod
    def of(item: Recommendation) -> "RecommendationOut":
        result = item.result
        return RecommendationOut(
            service_id=result.service_id,
            name=item.name,
            provider=item.provider_name,
            score=result.score,
            parts=[PartOut(**vars(part)) for part in result.parts],
            reasons=result.reasons,
            cautions=result.cautions,
            distance_km=result.distance_km,
            walk_minutes=result.walk_minutes,
            bus_minutes=result.bus_minutes,
            beyond_limit=result.beyond_limit,
        )


class GapOut(Schema):
    need: str
    area: str
    barrier: str


class RecommendationsOut(Schema):
    person_id: int
    mode: str = Field(description="lexical, or lexical+semantic when the semantic extra is on")
    semantic: str = Field(description="on (model), or why semantic matching is off")
    considered: int = Field(description="Services within the hard limits")
    beyond_limit: int = Field(description="Services left out only for being beyond the travel limit")
    travel_limit_minutes: float | None
    travel_limit_km: float | None
    results: list[RecommendationOut]
    gap: GapOut | None = Field(description="What to record as a gap if nothing suits")

    @staticmethod
    def of(found: Recommendations) -> "RecommendationsOut":
        ranking = found.ranking
        return RecommendationsOut(
            person_id=found.person.pk,
            mode=ranking.mode,
            semantic=ranking.semantic,
            considered=ranking.considered,
            beyond_limit=ranking.beyond_limit,
            travel_limit_minutes=ranking.travel_limit_minutes,
            travel_limit_km=ranking.travel_limit_km,
            results=[RecommendationOut.of(item) for item in found.items],
            gap=GapOut(**vars(found.gap)) if found.gap else None,
        )
