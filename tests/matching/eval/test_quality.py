"""The evaluation set is well formed, and lexical ranking quality stays above a floor."""

from __future__ import annotations

import pytest

from linkwork.accounts.models import Organisation
from tests.matching.eval.quality import eval_set, evaluate, load, ndcg, recall


def test_the_set_has_at_least_30_judged_people_and_120_services() -> None:
    data = eval_set()
    keys = {service["key"] for service in data["services"]}
    assert len(keys) == len(data["services"]) >= 120
    judged = [person for person in data["people"] if person["relevant"]]
    assert len(judged) >= 30
    for person in data["people"]:
        assert set(person["relevant"]) <= keys, person["key"]
        assert set(person["relevant"].values()) <= {1, 2}


def test_metrics() -> None:
    grades = {"a": 2, "b": 1}
    assert ndcg(["a", "b"], grades) == 1.0
    assert ndcg(["b", "a"], grades) < 1.0
    assert ndcg(["x", "y"], grades) == 0.0
    assert recall(["a", "x"], grades) == 0.5


@pytest.mark.django_db
def test_lexical_quality_stays_above_the_floor(organisation: Organisation) -> None:
    report = evaluate(load(organisation))
    assert report["mode"] == "lexical"
    assert report["people"] >= 30
    # Measured 2026-11 (docs/benchmarks.md); the floor catches a regression, not noise.
    assert report["ndcg_at_10"] >= 0.7
    assert report["recall_at_10"] >= 0.7
