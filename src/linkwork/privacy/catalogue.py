"""Every table that holds something about a person, how to reach the person from it, and what erasure
does to each of its fields.

Subject access and erasure both walk this one list, so an export shows exactly what erasure changes.
tests/privacy/test_catalogue.py finds every model that leads to a person through foreign keys (from
Django's app registry) and fails if one is missing here, or if any of its own fields has no decision:
a model or field added later cannot be silently left out.

Erasure rules (docs/data-protection.md#erasure-field-by-field):

- ERASE: free text becomes "[erased]" (an empty value stays empty, so "was anything written" survives
  for reports that count it, such as disability recorded or not).
- CLEAR: emptied: "" for text, None for dates, [] or {} for JSON.
- NOTES: a JSON value keeps its structure and ratings; the free-text keys inside become "[erased]".
- DISTRICT: a postcode keeps only its district (the outward code), as reports group by area.
- NEW_REFERENCE: a referral's reference is replaced with a fresh random one.
- AGE_BAND: the age band is kept; when only a date of birth gave it, it is worked out first.
- END_NOW: a link's expiry or revocation time is brought forward to now, so the link stops working.
- Fields not named in `erase` are in `kept`: dates, statuses, categories, scores and counts.
- `delete`: the rows are deleted (nothing in them is useful once de-identified).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from django.db import models

from linkwork.matching.models import (
    Connection,
    ConnectionMove,
    Gap,
    ProviderLink,
    Shortlist,
    ShortlistItem,
    ShortlistLink,
)
from linkwork.networks.models import NetworkEntry, NetworkEntryVersion, NetworkMap, NetworkSnapshot
from linkwork.outcomes.models import Measure, MeasureLink, SafeguardingAlert, Story
from linkwork.people.models import Consent, Person
from linkwork.privacy.models import DataRequest
from linkwork.referrals.models import ContactAttempt, OutcomeMessage, Referral
from linkwork.support.models import (
    BudgetEntry,
    Contact,
    Conversation,
    Extension,
    Goal,
    GoalUpdate,
    MeetUpAttendance,
    Pause,
    SupportEpisode,
)

ERASED = "[erased]"


class Rule(StrEnum):
    ERASE = "erase"
    CLEAR = "clear"
    NOTES = "notes"
    DISTRICT = "district"
    NEW_REFERENCE = "new-reference"
    AGE_BAND = "age-band"
    END_NOW = "end-now"


@dataclass(frozen=True)
class Holding:
    """One table's part of a person's record."""

    key: str
    title: str
    model: type[models.Model]
    # The lookup from a row to its person, e.g. "episode__person".
    path: str
    erase: dict[str, Rule] = field(default_factory=dict)
    kept: frozenset[str] = frozenset()
    # For NOTES: the keys inside the JSON that hold free text.
    note_keys: frozenset[str] = frozenset()
    delete: bool = False
    # Credentials never shown, even to the person (a link's hash is of no use to them).
    hidden: frozenset[str] = frozenset()


def _kept(*names: str) -> frozenset[str]:
    return frozenset(names)


E, C = Rule.ERASE, Rule.CLEAR
# Links and their secrets: the row stays (reports count links sent and answered), the link stops working.
LINK_SECRETS = frozenset({"token_hash"})

HOLDINGS: tuple[Holding, ...] = (
    Holding(
        "person",
        "Your record",
        Person,
        "",
        erase={
            "first_name": E,
            "last_name": C,
            "preferred_name": C,
            "pronouns": C,
            "phone": C,
            "email": C,
            "address": C,
            "postcode": Rule.DISTRICT,
            "preferred_contact_times": C,
            "date_of_birth": C,
            "age_band": Rule.AGE_BAND,
            "gender_description": C,
            "main_language": C,
            "caring_responsibilities": E,
            "disability_and_conditions": E,
            "nhs_number": C,
        },
        kept=_kept(
            "preferred_contact_method",
            "gender",
            "ethnicity",
            "interpreter_needed",
            "living_arrangement",
            "mobility",
            "digital_access",
            "trigger_groups",
            "created_at",
            "updated_at",
            "version",
        ),
    ),
    Holding(
        "consents",
        "Consent",
        Consent,
        "person",
        erase={"note": E},
        kept=_kept("purpose", "agreed", "recorded_at", "method", "withdrawn_at"),
    ),
    Holding(
        "referrals",
        "Referrals",
        Referral,
        "person",
        erase={
            "reference": Rule.NEW_REFERENCE,
            "referrer_name": C,
            "referrer_organisation": C,
            "referrer_contact": C,
            "reason": E,
            "needs": E,
            "redirected_to": E,
            "decision_note": E,
            "submitted_from": C,
            # The referrer's own identifier for it (a FHIR referral's "system|value"): it leads back to them.
            "external_identifier": C,
        },
        kept=_kept(
            "source",
            "urgency",
            "received_at",
            "status",
            "first_contact_at",
            "decided_at",
            "not_appropriate_reason",
            "via_public_form",
        ),
        hidden=frozenset({"submitted_from"}),
    ),
    Holding(
        "contact_attempts",
        "Attempts to contact you about a referral",
        ContactAttempt,
        "referral__person",
        erase={"note": E},
        kept=_kept("attempted_at", "method", "outcome"),
    ),
    Holding(
        "outcome_messages",
        "Letters to the person who referred you",
        OutcomeMessage,
        "referral__person",
        erase={"recipient": E, "subject": E, "body": E, "fhir": C},
        kept=_kept("kind", "created_at", "codes_only"),
    ),
    Holding(
        "episodes",
        "Support",
        SupportEpisode,
        "person",
        erase={
            "continuing_connections": E,
            "contacts_after_ending": E,
            "outcome_note": E,
            "follow_up_note": E,
        },
        kept=_kept(
            "status",
            "started_on",
            "planned_end_on",
            "contact_allowance",
            "budget_allowance_pence",
            "follow_up_on",
            "relies_on_service_for_company",
            "closed_on",
            "outcome",
            "followed_up_on",
            "version",
        ),
    ),
    Holding(
        "contacts",
        "Contacts with you",
        Contact,
        "episode__person",
        erase={"activity": E, "notes": E, "next_steps": E},
        kept=_kept("occurred_at", "type", "duration_minutes", "outcome", "next_contact_on"),
    ),
    Holding(
        "conversations",
        "What matters to you",
        Conversation,
        "episode__person",
        erase={
            "what_matters": E,
            "interests_now": C,
            "interests_past": C,
            "values_and_identities": E,
            "strengths_and_assets": E,
            "barriers_note": E,
            "participation_factors": Rule.NOTES,
            "civic_profile": Rule.NOTES,
        },
        kept=_kept(
            "version",
            "recorded_at",
            "barriers",
            "prefers",
            "setting_preference",
            "largest_group",
            "wants_company_first_visit",
            "availability",
            "travel_limit_km",
            "travel_limit_minutes",
        ),
        note_keys=frozenset({"note"}),
    ),
    Holding(
        "goals",
        "Goals",
        Goal,
        "episode__person",
        erase={"title": E, "steps": E},
        kept=_kept("status", "progress", "created_at", "version"),
    ),
    Holding(
        "goal_updates",
        "Changes to goals",
        GoalUpdate,
        "goal__episode__person",
        erase={"title": E, "steps": E, "note": E},
        kept=_kept("recorded_at", "status", "progress"),
    ),
    Holding(
        "pauses",
        "Pauses in support",
        Pause,
        "episode__person",
        erase={"note": E},
        kept=_kept("started_on", "ended_on", "reason", "paused_from"),
    ),
    Holding(
        "extensions",
        "Extensions to support",
        Extension,
        "episode__person",
        erase={"reason": E, "decision_note": E},
        kept=_kept("new_end_on", "extra_contacts", "status", "requested_at", "decided_at"),
    ),
    Holding(
        "budget",
        "Money spent on your support",
        BudgetEntry,
        "episode__person",
        erase={"purpose": E, "receipt_reference": C},
        kept=_kept("spent_on", "amount_pence"),
    ),
    Holding(
        "meetups",
        "Group meet-ups you came to",
        MeetUpAttendance,
        "episode__person",
        kept=_kept("attended"),
    ),
    Holding(
        "measures",
        "Questionnaires",
        Measure,
        "episode__person",
        kept=_kept(
            "instrument",
            "time_point",
            "months_after_ending",
            "recorded_at",
            "answers",
            "total",
            "band",
            "subscales",
            "flags",
            "metric",
            "items",
            "valid",
            "reason",
            "skipped",
            "skip_reason",
        ),
    ),
    Holding(
        "measure_links",
        "Links sent to you to answer a questionnaire",
        MeasureLink,
        "episode__person",
        erase={"expires_at": Rule.END_NOW},
        kept=_kept("instrument", "time_point", "months_after_ending", "token_hash", "created_at", "used_at"),
        hidden=LINK_SECRETS,
    ),
    Holding(
        "safeguarding_alerts",
        "Safeguarding alerts",
        SafeguardingAlert,
        "episode__person",
        erase={"action_taken": E},
        kept=_kept("flag", "raised_at", "actioned_at"),
    ),
    Holding("stories", "Your story", Story, "episode__person", delete=True),
    Holding(
        "network_map",
        "Your network map",
        NetworkMap,
        "person",
        kept=_kept("completed_at", "shared_with_volunteers", "updated_at"),
    ),
    Holding(
        "network_entries",
        "People and places on your network map",
        NetworkEntry,
        "person",
        erase={"label": E, "note": E},
        kept=_kept(
            "type",
            "ring",
            "frequency",
            "quality",
            "wants",
            "new_since_support",
            "created_at",
            "updated_at",
            "removed_at",
        ),
    ),
    Holding(
        "network_entry_versions",
        "Changes to your network map",
        NetworkEntryVersion,
        "entry__person",
        erase={"label": E, "note": E},
        kept=_kept(
            "change", "recorded_at", "type", "ring", "frequency", "quality", "wants", "new_since_support"
        ),
    ),
    Holding(
        "network_snapshots",
        "Network maps saved at the start and end of support",
        NetworkSnapshot,
        "person",
        erase={"entries": Rule.NOTES},
        kept=_kept("kind", "taken_at"),
        note_keys=frozenset({"label", "note"}),
    ),
    Holding(
        "connections",
        "Activities you were connected with",
        Connection,
        "person",
        erase={"note": E, "visit_arrangements": E, "reason_detail": E, "from_recommendation": C},
        kept=_kept(
            "service_name",
            "status",
            "referral_method",
            "visit_on",
            "accompanied_by",
            "reason",
            "provider_acknowledged_at",
            "created_at",
            "status_changed_at",
        ),
    ),
    Holding(
        "connection_moves",
        "How each connection went",
        ConnectionMove,
        "connection__person",
        erase={"detail": Rule.NOTES},
        kept=_kept("action", "from_status", "to_status", "moved_at", "by_provider", "reason"),
        note_keys=frozenset({"note", "reason_detail", "visit_arrangements"}),
    ),
    Holding(
        "provider_links",
        "Links sent to activity providers",
        ProviderLink,
        "connection__person",
        erase={"request": E, "answer_reason": E, "revoked_at": Rule.END_NOW},
        kept=_kept(
            "token_hash",
            "contact_name",
            "contact_details",
            "created_at",
            "expires_at",
            "answer",
            "answered_at",
        ),
        hidden=LINK_SECRETS,
    ),
    Holding("shortlists", "Your shortlist", Shortlist, "person", kept=_kept("created_at", "updated_at")),
    Holding(
        "shortlist_items",
        "Activities on your shortlist",
        ShortlistItem,
        "shortlist__person",
        erase={"note": E},
        kept=_kept("position", "added_at"),
    ),
    Holding(
        "shortlist_links",
        "Links to your shortlist",
        ShortlistLink,
        "shortlist__person",
        erase={"revoked_at": Rule.END_NOW},
        kept=_kept("token_hash", "created_at", "expires_at"),
        hidden=LINK_SECRETS,
    ),
    Holding(
        "gaps",
        "Needs nothing in the directory met",
        Gap,
        "person",
        # The need is kept: the gap report groups by it, and it was checked for the surname when recorded.
        kept=_kept("need", "need_key", "area", "barrier", "recorded_at"),
    ),
    Holding(
        "data_requests",
        "Your requests about your data",
        DataRequest,
        "person",
        kept=_kept("kind", "reason", "format", "done_at", "done_by_name", "counts"),
    ),
)


def holding_for(model: type[models.Model]) -> Holding | None:
    return next((holding for holding in HOLDINGS if holding.model is model), None)
