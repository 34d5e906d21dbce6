"""Semantic matching (the linkwork[semantic] extra): off and saying why without it; with it, stored
service embeddings, meaning-based interest fit, and a refused model when its weights do not check out.

Tests that need the model are skipped when sentence_transformers is not installed (as in CI)."""

from __future__ import annotations

import io
import uuid
from typing import Any

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from linkwork.accounts.models import Organisation
from linkwork.core.time import now
from linkwork.directory import editing
from linkwork.directory.importing import import_services_data
from linkwork.directory.models import Service
from linkwork.directory.signals import services_changed
from linkwork.matching import embedding_store, semantic
from linkwork.matching import index as match_index
from linkwork.matching.engine import Options, Ranking, rank
from linkwork.matching.models import ServiceEmbedding
from linkwork.matching.profile import MatchProfile
from tests.directory.factories import make_service
from tests.factories import OPERATOR

pytestmark = pytest.mark.django_db

HOME = "W10 6AB"


def service(owner: Organisation, name: str, description: str, **fields: Any) -> Service:
    fields.setdefault("last_verified_at", now())
    return make_service(owner=owner, name=name, description=description, **fields)


def directory(owner: Organisation) -> None:
    service(owner, "Hillside goats and hens", "Feed the goats, collect eggs and muck out the pigs.")
    service(owner, "Tuesday chess club", "Chess and draughts for all levels, boards provided.")
    service(owner, "Accounts help", "Help with tax returns, budgeting and paperwork.")
    service(owner, "Bus pass advice", "Apply for a concessionary travel pass.")


def ranked(profile: MatchProfile, **options: Any) -> Ranking:
    match_index.invalidate()
    return rank(profile, Options(**options))


def names(ranking: Ranking) -> list[str]:
    return [Service.objects.get(pk=result.service_id).name for result in ranking.results]


def interest(ranking: Ranking, name: str) -> float:
    service_id = Service.objects.get(name=name).pk
    result = next(r for r in ranking.results if r.service_id == service_id)
    return next(p.score for p in result.parts if p.name == "interest")


LOVES_ANIMALS = MatchProfile(postcode=HOME, text="loves animals")
REAL_STATUS = semantic.status  # read at import, before tests/matching/conftest.py stands in for it


# --- Without the extra (always run) -----------------------------------------------------------


def test_without_the_extra_the_engine_is_lexical_and_says_why(
    organisation: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory(organisation)
    real_find_spec = semantic._find_spec
    monkeypatch.setattr(
        semantic,
        "_find_spec",
        lambda name: None if name == "sentence_transformers" else real_find_spec(name),
    )
    monkeypatch.setattr(semantic, "status", REAL_STATUS)  # not the conftest's stand-in
    monkeypatch.delenv(semantic.SWITCH)
    semantic.reset()
    try:
        ranking = ranked(LOVES_ANIMALS)
    finally:
        semantic.reset()
    assert ranking.mode == "lexical"
    assert ranking.semantic == "not installed"
    assert not ServiceEmbedding.objects.exists()


def test_the_environment_switch_keeps_an_installation_lexical(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(semantic.SWITCH, "off")
    assert semantic._check() == (False, "turned off (LINKWORK_SEMANTIC=off)")


def test_a_search_can_turn_semantic_matching_off(organisation: Organisation) -> None:
    directory(organisation)
    ranking = ranked(LOVES_ANIMALS, semantic=False)
    assert ranking.mode == "lexical"
    assert ranking.semantic == "off for this search"


def test_similarity_is_rescaled_below_a_direct_word_match() -> None:
    scores = semantic.rescale(np.asarray([-0.2, 0.05, 0.3, 1.0], dtype=np.float32))
    assert scores[0] == scores[1] == 0.0
    assert 0.0 < scores[2] < semantic.SEMANTIC_CEILING
    assert scores[3] == semantic.SEMANTIC_CEILING < 1.0


def test_the_embed_command_says_when_semantic_matching_is_not_installed() -> None:
    with pytest.raises(CommandError, match="not installed"):
        call_command("match", "embed")


def test_editing_a_service_announces_it_after_commit_and_without_the_extra_nothing_is_embedded(
    organisation: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    heard: list[list[Any]] = []

    def listen(sender: Any, service_ids: list[Any], **kwargs: Any) -> None:
        heard.append(service_ids)

    services_changed.connect(listen)
    try:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            created = editing.service_create(actor=OPERATOR, owner=organisation, details=NEW_ENTRY)
        assert heard == [[created.pk]] and len(callbacks) == 1
        with django_capture_on_commit_callbacks(execute=True):
            editing.service_update(
                actor=OPERATOR, service=created, details={"description": "Goats."}, expected_version=None
            )
        assert heard[-1] == [created.pk]
    finally:
        services_changed.disconnect(listen)
    assert not ServiceEmbedding.objects.exists()


NEW_ENTRY = {
    "name": "Riverside goat walk",
    "organization_name": "Riverside Farm",
    "description": "Walk the goats along the river.",
}


# --- With the extra ---------------------------------------------------------------------------


def test_a_service_is_embedded_when_it_is_created_and_again_when_its_text_is_edited(
    semantic_on: None, organisation: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        created = editing.service_create(actor=OPERATOR, owner=organisation, details=NEW_ENTRY)
    first = ServiceEmbedding.objects.get(service=created)
    with django_capture_on_commit_callbacks(execute=True):
        editing.service_update(
            actor=OPERATOR,
            service=created,
            details={"description": "Chess and draughts for all levels."},
            expected_version=None,
        )
    second = ServiceEmbedding.objects.get(service=created)
    assert second.text_hash != first.text_hash


def test_imported_services_are_embedded_unless_the_import_is_larger_than_the_inline_limit(
    semantic_on: None,
    organisation: Organisation,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def entry(name: str) -> dict[str, Any]:
        return {
            "id": str(uuid.uuid4()),
            "name": name,
            "status": "active",
            "organization": {"id": str(uuid.uuid4()), "name": "Riverside Farm"},
        }

    with django_capture_on_commit_callbacks(execute=True):
        import_services_data([entry("Goat walk"), entry("Hen keeping")], actor=OPERATOR, owner=organisation)
    assert ServiceEmbedding.objects.count() == 2

    monkeypatch.setattr(embedding_store, "INLINE_LIMIT", 1)
    with django_capture_on_commit_callbacks(execute=True):
        import_services_data(
            [entry("Pony grooming"), entry("Lamb feeding")], actor=OPERATOR, owner=organisation
        )
    assert ServiceEmbedding.objects.count() == 2  # left for the next index build
    ranked(LOVES_ANIMALS)
    assert ServiceEmbedding.objects.count() == 4


def test_the_bundled_weights_check_out(semantic_on: None) -> None:
    assert semantic.status() == (True, "")
    folder = semantic.model_dir()
    assert folder is not None
    assert semantic.file_sha256(folder / semantic.WEIGHTS_FILE) == semantic.WEIGHTS_SHA256


def test_embeddings_are_normalised_float32(semantic_on: None) -> None:
    vectors = semantic.embed(["knitting", "walking football"])
    assert vectors.dtype == np.float32
    assert vectors.shape == (2, semantic.DIMENSIONS)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_loves_animals_ranks_the_city_farm_first_where_lexical_alone_does_not(
    semantic_on: None, organisation: Organisation
) -> None:
    directory(organisation)
    lexical = ranked(LOVES_ANIMALS, semantic=False)
    assert interest(lexical, "Hillside goats and hens") == interest(lexical, "Tuesday chess club")
    assert names(lexical)[0] != "Hillside goats and hens"

    blended = ranked(LOVES_ANIMALS)
    assert blended.mode == "lexical+semantic"
    assert blended.semantic == semantic.ACTIVE
    assert names(blended)[0] == "Hillside goats and hens"
    farm = interest(blended, "Hillside goats and hens")
    assert farm > interest(blended, "Tuesday chess club")
    assert farm > interest(blended, "Accounts help")
    assert "close in meaning to what they are interested in" in blended.results[0].reasons
    chess = next(
        r for r in blended.results if r.service_id == Service.objects.get(name="Tuesday chess club").pk
    )
    assert "close in meaning to what they are interested in" not in chess.reasons


def test_service_embeddings_are_stored_and_recomputed_when_the_text_changes(
    semantic_on: None, organisation: Organisation
) -> None:
    directory(organisation)
    ranked(LOVES_ANIMALS)
    assert ServiceEmbedding.objects.count() == Service.objects.count() == 4
    stored = ServiceEmbedding.objects.get(service__name="Tuesday chess club")
    vector = np.frombuffer(bytes(stored.vector), dtype=np.float32)
    assert vector.shape == (semantic.DIMENSIONS,)
    assert stored.model_name == semantic.MODEL_NAME

    chess = Service.objects.get(name="Tuesday chess club")
    chess.description = "Feed the lambs and groom the ponies."
    chess.save()
    ranked(LOVES_ANIMALS)
    changed = ServiceEmbedding.objects.get(service=chess)
    assert changed.text_hash != stored.text_hash
    assert not np.array_equal(np.frombuffer(bytes(changed.vector), dtype=np.float32), vector)
    untouched = ServiceEmbedding.objects.get(service__name="Accounts help")
    assert untouched.computed_at < changed.computed_at


def test_the_embed_command_fills_missing_embeddings_and_recomputes_all_with_all(
    semantic_on: None, organisation: Organisation
) -> None:
    directory(organisation)
    out = io.StringIO()
    call_command("match", "embed", stdout=out)
    assert "4 embeddings computed; 4 services have one" in out.getvalue()
    out = io.StringIO()
    call_command("match", "embed", stdout=out)
    assert "0 embeddings computed" in out.getvalue()
    out = io.StringIO()
    call_command("match", "embed", "--all", stdout=out)
    assert "4 embeddings computed" in out.getvalue()


def test_tampered_weights_are_refused_and_the_engine_falls_back_to_lexical(
    semantic_on: None, organisation: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory(organisation)
    monkeypatch.setattr(semantic, "WEIGHTS_SHA256", "0" * 64)
    semantic.reset()
    ranking = ranked(LOVES_ANIMALS)
    assert ranking.mode == "lexical"
    assert "failed its SHA-256 check" in ranking.semantic
    assert semantic._state.model is None
    assert not ServiceEmbedding.objects.exists()
