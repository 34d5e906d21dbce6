"""The staff directory API at /api/v1/directory/: search with the public filters plus editorial fields,
one entry in full, the editors' work queue, and the entry lifecycle (submit, publish, reject, verify,
archive, reopen).

Every member of staff searches and reads the public directory. An organisation's directory editors
also see, and act on, its own entries in every state; an action on an entry you can see but do not
look after is refused with 403, and an entry you cannot see is 404. A move the lifecycle does not
allow from the entry's state is 409. Who suggested an entry, what they wrote about it and its provider
contact are given to the owner's editors only (`for_editors`, null for everyone else).
"""

import uuid
from collections.abc import Callable
from typing import Any

from django.utils import timezone
from ninja import Query, Router

from linkwork.core.policies import Action, can
from linkwork.core.time import LONDON
from linkwork.directory import page_selectors, selectors, services
from linkwork.directory.lifecycle import ENTRY_LIFECYCLE
from linkwork.directory.models import PUBLIC_STATES, Service
from linkwork.directory.policies import is_editor
from linkwork.directory.query import DirectoryQuery
from linkwork.directory.schemas import (
    CheckIn,
    ClaimOut,
    ProblemOut,
    QueueCountsOut,
    QueueEntryOut,
    RejectIn,
    ServiceDetailOut,
    ServiceFilters,
    ServicePageOut,
    WorkQueueOut,
)
from linkwork.web.http import StaffRequest

router = Router(tags=["directory"])

# Which permission each lifecycle action needs (as in linkwork.directory.services).
ACTION_PERMISSION = {
    "submit": Action.UPDATE,
    "publish": Action.APPROVE,
    "reject": Action.APPROVE,
    "verify": Action.UPDATE,
    "archive": Action.UPDATE,
    "reopen": Action.UPDATE,
}


def _query(filters: ServiceFilters) -> DirectoryQuery:
    modified_after = filters.modified_after
    if modified_after is not None and timezone.is_naive(modified_after):
        modified_after = timezone.make_aware(modified_after, LONDON)
    return DirectoryQuery(
        text=filters.q.strip(),
        taxonomy_term_ids=tuple(filters.taxonomy_term_id),
        taxonomy_ids=tuple(filters.taxonomy_id),
        organization_id=filters.organization_id,
        postcode=filters.postcode.strip(),
        max_km=filters.max_km,
        day=filters.day,
        this_week=filters.this_week,
        free_only=filters.free,
        step_free=filters.step_free,
        online=filters.online,
        modified_after=modified_after,
        states=tuple(filters.state) if filters.state else tuple(PUBLIC_STATES),
        owner_id=filters.owner_id,
        page=filters.page,
        per_page=filters.per_page,
    )


def _detail(request: StaffRequest, service: Service) -> ServiceDetailOut:
    actor = request.auth
    actions = [
        action
        for action in ENTRY_LIFECYCLE.allowed_actions(service.state)
        if action in ACTION_PERMISSION and can(actor, ACTION_PERMISSION[action], service)
    ]
    own = is_editor(actor) and service.owner_id == actor.organisation_id
    verifications = page_selectors.entry_verifications(actor=actor, service=service) if own else None
    return ServiceDetailOut.build(service, actions=actions, verifications=verifications, own=own)


def _entry(request: StaffRequest, service_id: uuid.UUID | str) -> Service:
    return page_selectors.staff_entry_get(actor=request.auth, service_id=service_id)


@router.get("/services", response=ServicePageOut, summary="Search the directory")
def service_list(request: StaffRequest, filters: Query[ServiceFilters]) -> ServicePageOut:
    query = _query(filters)
    results = selectors.services_for_staff(request.auth, query)
    found = selectors.services_by_ids([hit.service_id for hit in results.hits], states=query.states)
    return ServicePageOut.build(results, found)


@router.get("/services/{service_id}", response=ServiceDetailOut, summary="One entry in full")
def service_detail(request: StaffRequest, service_id: str) -> ServiceDetailOut:
    return _detail(request, _entry(request, service_id))


@router.get("/work-queue", response=WorkQueueOut, summary="What waits for your organisation's editors")
def work_queue(request: StaffRequest) -> WorkQueueOut:
    queue = selectors.work_queue(request.auth)
    return WorkQueueOut(
        counts=QueueCountsOut(
            submissions=queue.submission_count,
            problem_reports=queue.problem_count,
            claims=queue.claim_count,
            review_due=queue.review_due_count,
            stale=queue.stale_count,
            total=queue.total,
        ),
        submissions=[QueueEntryOut.of(service) for service in queue.submissions],
        problem_reports=[ProblemOut.of(report) for report in queue.problem_reports],
        claims=[ClaimOut.of(claim) for claim in queue.claims],
        review_due=[QueueEntryOut.of(service) for service in queue.review_due],
        stale=[QueueEntryOut.of(service) for service in queue.stale],
    )


def _act(request: StaffRequest, service_id: str, action: str, **arguments: Any) -> ServiceDetailOut:
    service = _entry(request, service_id)
    handlers: dict[str, Callable[..., object]] = {
        "submit": services.entry_submit,
        "publish": services.entry_publish,
        "reject": services.entry_reject,
        "verify": services.entry_verify,
        "archive": services.entry_archive,
        "reopen": services.entry_reopen,
    }
    handlers[action](actor=request.auth, service=service, **arguments)
    return _detail(request, _entry(request, service.pk))


@router.post("/services/{service_id}/submit", response=ServiceDetailOut, summary="Send a draft for approval")
def entry_submit(request: StaffRequest, service_id: str) -> ServiceDetailOut:
    return _act(request, service_id, "submit")


@router.post(
    "/services/{service_id}/publish",
    response=ServiceDetailOut,
    summary="Check and publish a draft or submission",
)
def entry_publish(request: StaffRequest, service_id: str, payload: CheckIn) -> ServiceDetailOut:
    return _act(request, service_id, "publish", method=payload.method, note=payload.note)


@router.post(
    "/services/{service_id}/reject", response=ServiceDetailOut, summary="Reject a submission, with a reason"
)
def entry_reject(request: StaffRequest, service_id: str, payload: RejectIn) -> ServiceDetailOut:
    return _act(request, service_id, "reject", reason=payload.reason)


@router.post(
    "/services/{service_id}/verify",
    response=ServiceDetailOut,
    summary="Record that a live entry was checked and is still right",
)
def entry_verify(request: StaffRequest, service_id: str, payload: CheckIn) -> ServiceDetailOut:
    return _act(request, service_id, "verify", method=payload.method, note=payload.note)


@router.post("/services/{service_id}/archive", response=ServiceDetailOut, summary="Archive an entry")
def entry_archive(request: StaffRequest, service_id: str) -> ServiceDetailOut:
    return _act(request, service_id, "archive")


@router.post(
    "/services/{service_id}/reopen",
    response=ServiceDetailOut,
    summary="Reopen an archived entry or a rejected submission as a draft",
)
def entry_reopen(request: StaffRequest, service_id: str) -> ServiceDetailOut:
    return _act(request, service_id, "reopen")
