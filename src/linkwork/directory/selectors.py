"""Reads for staff and for result pages: staff search, one entry, the editors' work queue, the entries
behind a page of search results, and the categories offered as filters.

One entry in full, its checks, problem reports and claims are read through `page_selectors`.

Staff search runs on the search engine (search.py), which knows nothing of access rules, so the rules
are applied here: every member of staff searches the public directory (published, review due and
stale entries); directory editors may also search the entries in other states, but only their own
organisation's.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace

from django.db.models import Prefetch, QuerySet

from linkwork.accounts.models import User
from linkwork.core.errors import PermissionDenied, ValidationFailed
from linkwork.core.policies import Action, authorize, visible_to
from linkwork.core.time import local_today
from linkwork.directory import connector_facts
from linkwork.directory.models import (
    PUBLIC_STATES,
    Address,
    Attribute,
    ClaimStatus,
    EntryState,
    ListingClaim,
    ProblemReport,
    Schedule,
    Service,
    ServiceAtLocation,
    TaskStatus,
    TaxonomyTerm,
)
from linkwork.directory.policies import is_editor
from linkwork.directory.query import DirectoryQuery, SearchResults
from linkwork.directory.search import search_services

NOT_PUBLIC_FOR_EDITORS = "Only directory editors can search entries that are not published."
QUEUE_LIMIT = 50  # items listed under each heading of the work queue; the counts are complete

# What a page of results (or the API's list) shows for each entry, in a fixed number of queries.
RESULT_PREFETCH = (
    Prefetch(
        "service_at_locations",
        queryset=ServiceAtLocation.objects.select_related("location")
        .prefetch_related(Prefetch("location__addresses", queryset=Address.objects.order_by("pk")))
        .order_by("pk"),
    ),
    Prefetch("schedules", queryset=Schedule.objects.order_by("opens_at", "pk")),
    "closures",
    "cost_options",
)


def _staff(actor: User) -> None:
    if not (actor.is_authenticated and actor.is_active and actor.organisation_id is not None):
        raise PermissionDenied()


def services_for_staff(actor: User, query: DirectoryQuery) -> SearchResults:
    """Staff search. Entries that are not public are searched only for editors, and only their own."""
    _staff(actor)
    unknown = [state for state in query.states if state not in EntryState.values]
    if unknown:
        message = f"Unknown state: {', '.join(unknown)}. Use {', '.join(EntryState.values)}."
        raise ValidationFailed(message, fields={"state": message})
    private = [state for state in query.states if state not in PUBLIC_STATES]
    if private:
        if not is_editor(actor):
            raise PermissionDenied(NOT_PUBLIC_FOR_EDITORS, fields={"state": NOT_PUBLIC_FOR_EDITORS})
        if query.owner_id not in (None, actor.organisation_id):
            # Another organisation's drafts and submissions are theirs alone.
            return SearchResults(hits=[], total=0, page=query.page, per_page=query.per_page, place=None)
        query = replace(query, owner_id=actor.organisation_id)
    return search_services(query)


def services_by_ids(
    ids: Iterable[uuid.UUID], *, states: Iterable[str] | None = tuple(PUBLIC_STATES)
) -> dict[uuid.UUID, Service]:
    """The entries behind a page of search results, with their provider, places, sessions and costs.

    Only entries still in `states` (the public ones unless told otherwise; None for any): the search
    index may be up to a second behind the database, so an entry withdrawn a moment ago is left out
    here rather than shown. Callers skip hits missing from the result.
    """
    found: QuerySet[Service] = Service.objects.filter(pk__in=list(ids))
    if states is not None:
        found = found.filter(state__in=list(states))
    found = found.select_related("organization", "owner").prefetch_related(*RESULT_PREFETCH)
    return {service.pk: service for service in found}


def taxonomy_terms_for_filters() -> list[TaxonomyTerm]:
    """Categories offered as search filters: terms that public entries are filed under, by name.

    linkwork's connector facts (step-free, cost, ...) are filters of their own, not categories.
    """
    public_ids = Service.objects.filter(state__in=PUBLIC_STATES).values("pk")
    used = Attribute.objects.filter(link_id__in=public_ids, taxonomy_term_id__isnull=False).values(
        "taxonomy_term_id"
    )
    excluded = [fact.term_id for fact in connector_facts.FACTS] + [connector_facts.CLOSURE_TERM_ID]
    terms = (
        TaxonomyTerm.objects.filter(pk__in=used)
        .exclude(pk__in=excluded)
        .exclude(taxonomy_detail_id=connector_facts.TAXONOMY_ID)
        .exclude(name="")
        .order_by("name", "pk")
    )
    return list(terms)


# --- The editors' work queue -----------------------------------------------------------------------


@dataclass(frozen=True)
class WorkQueue:
    """What waits for an organisation's directory editors, oldest first under each heading."""

    submissions: list[Service]  # suggested or sent for approval
    problem_reports: list[ProblemReport]  # open
    claims: list[ListingClaim]  # waiting for a decision
    review_due: list[Service]  # published entries whose check is due (or due within two weeks)
    stale: list[Service]  # not checked for too long: still shown to the public, flagged
    submission_count: int
    problem_count: int
    claim_count: int
    review_due_count: int
    stale_count: int

    @property
    def total(self) -> int:
        return (
            self.submission_count
            + self.problem_count
            + self.claim_count
            + self.review_due_count
            + self.stale_count
        )


REVIEW_SOON_DAYS = 14


def work_queue(actor: User, *, today: dt.date | None = None) -> WorkQueue:
    """The editor's queue for their organisation; PermissionDenied (audited) for anyone else."""
    authorize(actor, Action.VIEW, ProblemReport)  # only directory editors see editorial tasks
    today = today or local_today()
    own = visible_to(actor, Action.UPDATE, Service).select_related("organization")
    submissions = own.filter(state=EntryState.SUBMITTED).order_by("state_changed_at", "created_at", "pk")
    soon = today + dt.timedelta(days=REVIEW_SOON_DAYS)
    review_due = own.filter(state=EntryState.REVIEW_DUE) | own.filter(
        state=EntryState.PUBLISHED, review_due_on__lte=soon
    )
    review_due = review_due.order_by("review_due_on", "name", "pk")
    stale = own.filter(state=EntryState.STALE).order_by("review_due_on", "name", "pk")
    problems = (
        visible_to(actor, Action.VIEW, ProblemReport)
        .filter(status=TaskStatus.OPEN)
        .select_related("service")
        .order_by("reported_at", "pk")
    )
    claims = (
        visible_to(actor, Action.VIEW, ListingClaim)
        .filter(status=ClaimStatus.PENDING)
        .select_related("service")
        .order_by("claimed_at", "pk")
    )
    return WorkQueue(
        submissions=list(submissions[:QUEUE_LIMIT]),
        problem_reports=list(problems[:QUEUE_LIMIT]),
        claims=list(claims[:QUEUE_LIMIT]),
        review_due=list(review_due[:QUEUE_LIMIT]),
        stale=list(stale[:QUEUE_LIMIT]),
        submission_count=submissions.count(),
        problem_count=problems.count(),
        claim_count=claims.count(),
        review_due_count=review_due.count(),
        stale_count=stale.count(),
    )
