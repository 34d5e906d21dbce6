"""Reads for the directory's web pages.

Public pages read only entries in `PUBLIC_STATES`, and never through `visible_to` (which shows an
anonymous visitor nothing). Staff pages start from `visible_to`, so an editor of another organisation
gets "not found" for your drafts, and problem reports and claims are read only by the owner's editors.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.db.models import Prefetch, QuerySet

from linkwork.accounts.models import User
from linkwork.core.errors import NotFound
from linkwork.core.policies import Action, visible_to
from linkwork.directory.connector_facts import FACTS_BY_TERM_ID
from linkwork.directory.models import (
    Address,
    Attribute,
    ListingClaim,
    ProblemReport,
    Schedule,
    Service,
    ServiceAtLocation,
    TaskStatus,
    TaxonomyTerm,
    Verification,
)
from linkwork.directory.public_selectors import public_services

# Everything an entry page shows, fetched in a fixed number of queries.
ENTRY_PREFETCH = (
    Prefetch(
        "service_at_locations",
        queryset=ServiceAtLocation.objects.select_related("location")
        .prefetch_related(
            Prefetch("location__addresses", queryset=Address.objects.order_by("pk")),
            "location__accessibility",
            "location__phones",
            "location__languages",
        )
        .order_by("pk"),
    ),
    Prefetch("schedules", queryset=Schedule.objects.order_by("opens_at", "pk")),
    "closures",
    "phones",
    "cost_options",
    "languages",
    "contacts",
    "service_areas",
)


def _entries(queryset: QuerySet[Service]) -> QuerySet[Service]:
    return queryset.select_related("organization", "owner").prefetch_related(*ENTRY_PREFETCH)


def _uuid(value: uuid.UUID | str) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise NotFound() from None


# --- Public ----------------------------------------------------------------------------------------


def public_entry_get(service_id: uuid.UUID | str) -> Service:
    """A published (or review due, or stale) entry with everything its page shows; NotFound otherwise."""
    found = _entries(public_services().filter(pk=_uuid(service_id))).first()
    if found is None:
        raise NotFound()
    return found


def entry_categories(service: Service) -> list[TaxonomyTerm]:
    """The categories (taxonomy terms) an entry is filed under, without linkwork's connector facts."""
    term_ids = (
        Attribute.objects.filter(link_id=service.pk, taxonomy_term_id__isnull=False)
        .exclude(taxonomy_term_id__in=list(FACTS_BY_TERM_ID))
        .values_list("taxonomy_term_id", flat=True)
    )
    return list(TaxonomyTerm.objects.filter(pk__in=list(term_ids)).order_by("name"))


# --- Staff -----------------------------------------------------------------------------------------


def staff_entry_get(*, actor: User, service_id: uuid.UUID | str, action: str = Action.VIEW) -> Service:
    """An entry the actor may see (or change, with action=UPDATE); NotFound for anything else."""
    found = _entries(visible_to(actor, action, Service).filter(pk=_uuid(service_id))).first()
    if found is None:
        raise NotFound()
    return found


def staff_entries_by_ids(*, actor: User, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Service]:
    """Entries for a page of search results, limited to those the actor may see."""
    found = visible_to(actor, Action.VIEW, Service).filter(pk__in=list(ids)).select_related("organization")
    return {service.pk: service for service in found.prefetch_related("schedules", "closures")}


def entry_verifications(*, actor: User, service: Service) -> list[Verification]:
    """The checks recorded on an entry, newest first: for the owner's editors only (empty otherwise)."""
    return list(visible_to(actor, Action.VIEW, Verification).filter(service=service))


def entry_problem_reports(*, actor: User, service: Service) -> list[ProblemReport]:
    """Open reports first (oldest first), then closed ones, newest first."""
    reports = visible_to(actor, Action.VIEW, ProblemReport).filter(service=service)
    open_reports = list(reports.filter(status=TaskStatus.OPEN).order_by("reported_at", "pk"))
    closed = list(reports.exclude(status=TaskStatus.OPEN).order_by("-reported_at", "-pk"))
    return open_reports + closed


def entry_claims(*, actor: User, service: Service) -> list[ListingClaim]:
    return list(visible_to(actor, Action.VIEW, ListingClaim).filter(service=service).order_by("-claimed_at"))


def problem_report_get(*, actor: User, report_id: int) -> ProblemReport:
    found = (
        visible_to(actor, Action.UPDATE, ProblemReport).select_related("service").filter(pk=report_id).first()
    )
    if found is None:
        raise NotFound()
    return found


def claim_get(*, actor: User, claim_id: int) -> ListingClaim:
    found = (
        visible_to(actor, Action.APPROVE, ListingClaim).select_related("service").filter(pk=claim_id).first()
    )
    if found is None:
        raise NotFound()
    return found
