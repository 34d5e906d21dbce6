"""Every table that leads to a person is in the catalogue, with a decision for each of its fields."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models

from linkwork.people.models import Person
from linkwork.privacy.catalogue import HOLDINGS, Rule, holding_for


def models_leading_to_person() -> set[type[models.Model]]:
    """Person, and every model with a foreign key to one of these, found from the app registry."""
    found: set[type[models.Model]] = {Person}
    grew = True
    while grew:
        grew = False
        for model in apps.get_models():
            if model in found or model._meta.proxy:
                continue
            if any(
                model_field.is_relation and model_field.related_model in found
                for model_field in model._meta.concrete_fields
            ):
                found.add(model)
                grew = True
    return found


def test_every_model_that_leads_to_a_person_is_in_the_catalogue() -> None:
    missing = sorted(model._meta.label for model in models_leading_to_person() if holding_for(model) is None)
    assert missing == [], f"add these to privacy/catalogue.py HOLDINGS: {missing}"


def test_the_catalogue_names_each_table_once() -> None:
    labels = [holding.model._meta.label for holding in HOLDINGS]
    assert len(labels) == len(set(labels))
    assert len({holding.key for holding in HOLDINGS}) == len(HOLDINGS)


def test_every_field_of_every_table_has_an_erasure_decision() -> None:
    undecided = {}
    for holding in HOLDINGS:
        if holding.delete:
            continue
        own = {f.name for f in holding.model._meta.concrete_fields if not f.is_relation and not f.primary_key}
        decided = set(holding.erase) | holding.kept
        if own - decided:
            undecided[holding.key] = sorted(own - decided)
        assert not (set(holding.erase) & holding.kept), holding.key
        assert decided <= own, f"{holding.key}: no such fields {sorted(decided - own)}"
    assert undecided == {}


@pytest.mark.django_db
def test_each_path_leads_from_its_table_to_the_person() -> None:
    for holding in HOLDINGS:
        if holding.path:
            holding.model._default_manager.filter(**{holding.path: Person(pk=1)}).exists()


def test_json_note_rules_name_the_keys_they_erase() -> None:
    for holding in HOLDINGS:
        if Rule.NOTES in holding.erase.values():
            assert holding.note_keys, holding.key
