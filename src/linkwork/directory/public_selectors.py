"""What anyone may read without signing in: the public directory, for the Open Referral UK API and exports.

Only entries in `PUBLIC_STATES` (published, review due, stale) are public. Around them:

- An organisation is public when one of its services is public, and only then. Organisations have no
  review of their own: one with no services (an import's bare organisation, or the one a suggestion
  named before an editor moved the entry to another provider) or known only through a suggestion, a
  draft or a rejected submission stays out of sight.
- A service-at-location is public when its service is.
- Taxonomies and taxonomy terms are reference data and always public.

Categories come from HSDS `attribute` rows whose `link_id` is the service's id (whatever their
`link_entity`); the connector facts, which are columns, are not categories here.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce

from linkwork.core.errors import NotFound
from linkwork.directory.models import (
    PUBLIC_STATES,
    Attribute,
    Organization,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)


def public_services() -> QuerySet[Service]:
    return Service.objects.filter(state__in=PUBLIC_STATES)


def _categorised(
    taxonomy_term_ids: Sequence[uuid.UUID], taxonomy_ids: Sequence[uuid.UUID], prefix: str = ""
) -> Q:
    """Services with any of the terms, and (if given) any term of the taxonomies; `prefix` for joins."""
    condition = Q()
    link = OuterRef(f"{prefix}id")
    if taxonomy_term_ids:
        terms = Attribute.objects.filter(link_id=link, taxonomy_term_id__in=taxonomy_term_ids)
        condition &= Q(Exists(terms))
    if taxonomy_ids:
        taxonomies = Attribute.objects.filter(
            link_id=link, taxonomy_term__taxonomy_detail_id__in=taxonomy_ids
        )
        condition &= Q(Exists(taxonomies))
    return condition


def public_service_list(
    *,
    taxonomy_term_ids: Sequence[uuid.UUID] = (),
    taxonomy_ids: Sequence[uuid.UUID] = (),
    organization_id: uuid.UUID | None = None,
    modified_after: dt.datetime | None = None,
) -> QuerySet[Service]:
    """Public services matching every filter given, by name. `modified_after` is inclusive and uses
    `last_modified`, or when linkwork last saved the entry if it has none."""
    services = public_services().filter(_categorised(taxonomy_term_ids, taxonomy_ids))
    if organization_id is not None:
        services = services.filter(organization_id=organization_id)
    if modified_after is not None:
        services = services.alias(modified=Coalesce("last_modified", "updated_at")).filter(
            modified__gte=modified_after
        )
    return services.order_by("name", "id")


def public_service_get(service_id: uuid.UUID) -> Service:
    service = public_services().filter(id=service_id).first()
    if service is None:
        raise NotFound("There is no public service with that id.")
    return service


def public_services_by_id(service_ids: Sequence[uuid.UUID]) -> list[Service]:
    """The public ones among `service_ids`, in the order given (for search results)."""
    found = {service.id: service for service in public_services().filter(id__in=service_ids)}
    return [found[service_id] for service_id in service_ids if service_id in found]


def public_services_of(organization_ids: Sequence[uuid.UUID]) -> QuerySet[Service]:
    return public_services().filter(organization_id__in=organization_ids).order_by("name", "id")


def _public_organization_filter() -> Q:
    return Q(Exists(public_services().filter(organization_id=OuterRef("id"))))


def public_organization_list(*, search: str = "") -> QuerySet[Organization]:
    organizations = Organization.objects.filter(_public_organization_filter())
    if search.strip():
        organizations = organizations.filter(
            Q(name__icontains=search.strip()) | Q(alternate_name__icontains=search.strip())
        )
    return organizations.order_by("name", "id")


def public_organization_get(organization_id: uuid.UUID) -> Organization:
    organization = (
        Organization.objects.filter(_public_organization_filter()).filter(id=organization_id).first()
    )
    if organization is None:
        raise NotFound("There is no public organization with that id.")
    return organization


def public_service_at_location_list(
    *,
    service_ids: Sequence[uuid.UUID] | None = None,
    taxonomy_term_ids: Sequence[uuid.UUID] = (),
    taxonomy_ids: Sequence[uuid.UUID] = (),
    organization_id: uuid.UUID | None = None,
    modified_after: dt.datetime | None = None,
) -> QuerySet[ServiceAtLocation]:
    """Service-at-locations of public services matching every filter, by service name."""
    services = public_service_list(
        taxonomy_term_ids=taxonomy_term_ids,
        taxonomy_ids=taxonomy_ids,
        organization_id=organization_id,
        modified_after=modified_after,
    )
    if service_ids is not None:
        services = services.filter(id__in=service_ids)
    return ServiceAtLocation.objects.filter(service_id__in=services.values("id")).order_by(
        "service__name", "service_id", "id"
    )


def public_service_at_location_get(service_at_location_id: uuid.UUID) -> ServiceAtLocation:
    found = (
        ServiceAtLocation.objects.filter(id=service_at_location_id)
        .filter(service_id__in=public_services().values("id"))
        .first()
    )
    if found is None:
        raise NotFound("There is no public service at a location with that id.")
    return found


def service_at_locations_of(service_ids: Sequence[uuid.UUID]) -> list[ServiceAtLocation]:
    """Those of the public services among `service_ids`, with their locations (None when the reference
    dangles). The search engine's ids can include an entry that left the public directory a moment ago."""
    found = (
        ServiceAtLocation.objects.filter(service_id__in=service_ids)
        .filter(service_id__in=public_services().values("id"))
        .select_related("location")
    )
    return list(found.order_by("id"))


def taxonomy_list(*, search: str = "") -> QuerySet[Taxonomy]:
    taxonomies = Taxonomy.objects.all()
    if search.strip():
        taxonomies = taxonomies.filter(name__icontains=search.strip())
    return taxonomies.order_by("name", "id")


def taxonomy_get(taxonomy_id: uuid.UUID) -> Taxonomy | None:
    return Taxonomy.objects.filter(id=taxonomy_id).first()


def taxonomy_term_list(
    *,
    search: str = "",
    taxonomy_id: uuid.UUID | None = None,
    parent_id: uuid.UUID | None = None,
    top_only: bool = False,
) -> QuerySet[TaxonomyTerm]:
    """Terms by name. `top_only`: terms without a parent (the top of each hierarchy)."""
    terms = TaxonomyTerm.objects.select_related("taxonomy_detail")
    if search.strip():
        terms = terms.filter(Q(name__icontains=search.strip()) | Q(code__iexact=search.strip()))
    if taxonomy_id is not None:
        terms = terms.filter(taxonomy_detail_id=taxonomy_id)
    if parent_id is not None:
        terms = terms.filter(parent_id=parent_id)
    if top_only:
        terms = terms.filter(parent_id__isnull=True)
    return terms.order_by("name", "id")


def taxonomy_terms_stored(term_ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    """Which of these term ids are in the database."""
    return set(TaxonomyTerm.objects.filter(id__in=term_ids).values_list("id", flat=True))


def taxonomy_term_get(term_id: uuid.UUID) -> TaxonomyTerm | None:
    return TaxonomyTerm.objects.select_related("taxonomy_detail").filter(id=term_id).first()
