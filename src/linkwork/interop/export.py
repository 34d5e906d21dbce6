"""Exporting a support episode as a FHIR R4 Bundle, for the API and the `linkwork fhir export` command.

Whoever may view the episode (people.policies.casework_filter: its connector, and connectors and
supervisors of the person's team) may export it; anyone else gets NotFound, as for a missing episode.
The operator (command line) may export any episode of the organisation it names. Every export is
audited as `fhir.exported`.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from linkwork.accounts.models import User
from linkwork.audit.services import audit_record
from linkwork.core.errors import NotFound
from linkwork.core.policies import Action, Operator, visible_to
from linkwork.core.time import now
from linkwork.interop.fhir import EpisodeRecords, episode_bundle
from linkwork.interop.summary import loneliness_summary
from linkwork.support.models import SupportEpisode

Actor = User | Operator


def _episode(actor: Actor, episode_id: int, organisation_id: int | None) -> SupportEpisode:
    episodes = (
        SupportEpisode.objects.all()
        if isinstance(actor, Operator)
        else visible_to(actor, Action.VIEW, SupportEpisode)
    )
    if organisation_id is not None:
        episodes = episodes.filter(organisation_id=organisation_id)
    episode = (
        episodes.select_related("person", "programme", "organisation", "referral", "connector")
        .filter(pk=episode_id)
        .first()
    )
    if episode is None:
        raise NotFound()
    return episode


def episode_records(episode: SupportEpisode) -> EpisodeRecords:
    """Everything the Bundle holds for an episode the caller has already been allowed to see."""
    return EpisodeRecords(
        episode=episode,
        person=episode.person,
        organisation_name=episode.organisation.name,
        referral=episode.referral,
        goals=list(episode.goals.all()),
        contacts=list(episode.contacts.all()),
        connections=list(episode.connections.all()),
        measures=list(episode.measures.filter(skipped=False)),
        loneliness_text=loneliness_summary(episode=episode).as_text(),
    )


def fhir_export_episode(
    *, actor: Actor, episode_id: int, organisation_id: int | None = None, channel: str = "api"
) -> dict[str, Any]:
    """The episode as a FHIR R4 Bundle (a JSON-ready dict). `organisation_id` narrows the search (the
    command line's --organisation); `channel` says in the audit log how it left ("api" or "command")."""
    with transaction.atomic():
        episode = _episode(actor, episode_id, organisation_id)
        bundle = episode_bundle(episode_records(episode), exported_at=now())
        kinds: dict[str, int] = {}
        for entry in bundle["entry"]:
            kind = entry["resource"]["resourceType"]
            kinds[kind] = kinds.get(kind, 0) + 1
        audit_record(
            actor=actor,
            event="fhir.exported",
            target=episode,
            detail={"format": "FHIR R4 Bundle", "channel": channel, "resources": kinds},
        )
    return bundle
