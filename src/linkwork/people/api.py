"""Endpoints for people and their consent. Volunteers get only the practical view."""

from django.db.models import QuerySet
from ninja import Router, Status
from ninja.pagination import paginate

from linkwork.accounts.selectors import organisation_get
from linkwork.audit.versions import version_wanted
from linkwork.core.errors import EditConflict
from linkwork.core.pagination import BoundedLimitOffsetPagination
from linkwork.core.policies import Action
from linkwork.people import selectors, services
from linkwork.people.models import Person
from linkwork.people.schemas import (
    ConsentIn,
    ConsentOut,
    DuplicateOut,
    DuplicatesErrorOut,
    DuplicatesOut,
    PersonCreateIn,
    PersonOut,
    PersonPracticalOut,
    PersonSummaryOut,
    PersonUpdateIn,
)
from linkwork.support.selectors import episode_list_for_person, practical_arrangements
from linkwork.web.conflict_schemas import EditConflictOut
from linkwork.web.http import StaffRequest

router = Router(tags=["people"])

POSSIBLE_DUPLICATES = (
    "This person may already be on record. Use one of the people listed, or send the request again "
    'with "confirm_new": true.'
)


def _person_out(request: StaffRequest, person: Person) -> PersonOut:
    return PersonOut.build(person, list(episode_list_for_person(actor=request.auth, person_id=person.pk)))


@router.get("/people", response=list[PersonSummaryOut], summary="Search people")
@paginate(BoundedLimitOffsetPagination)
def person_list(request: StaffRequest, search: str = "") -> QuerySet[Person]:
    return selectors.person_list(actor=request.auth, search=search)


@router.post(
    "/people",
    response={201: PersonOut, 409: DuplicatesOut},
    summary="Add a person (409 POSSIBLE_DUPLICATES unless confirm_new)",
)
def person_create(request: StaffRequest, payload: PersonCreateIn) -> Status[PersonOut | DuplicatesOut]:
    organisation = organisation_get(actor=request.auth)
    details = payload.dict(exclude_unset=True, exclude={"confirm_new"})
    if not payload.confirm_new:
        duplicates = services.person_find_duplicates(
            organisation=organisation,
            details=details,
            candidates=selectors.person_list(actor=request.auth),
        )
        if duplicates:
            error = DuplicatesErrorOut(
                code="POSSIBLE_DUPLICATES",
                message=POSSIBLE_DUPLICATES,
                fields={},
                candidates=[DuplicateOut.build(d) for d in duplicates],
            )
            return Status(409, DuplicatesOut(error=error))
    person = services.person_create(actor=request.auth, organisation=organisation, details=details)
    return Status(201, _person_out(request, person))


@router.get("/people/{person_id}", response=PersonOut, summary="A person's full record (casework roles)")
def person_get(request: StaffRequest, person_id: int) -> PersonOut:
    return _person_out(request, selectors.person_get(actor=request.auth, person_id=person_id))


@router.get(
    "/people/{person_id}/practical",
    response=PersonPracticalOut,
    summary="The practical view: contact details and arrangements only",
)
def person_practical(request: StaffRequest, person_id: int) -> PersonPracticalOut:
    person = selectors.person_get(actor=request.auth, person_id=person_id, action=Action.VIEW_PRACTICAL)
    return PersonPracticalOut.build(person, practical_arrangements(actor=request.auth, person=person))


@router.patch(
    "/people/{person_id}",
    response={200: PersonOut, 409: EditConflictOut},
    summary="Change a person's details (409 EDIT_CONFLICT when `version` or If-Match is stale)",
)
def person_update(
    request: StaffRequest, person_id: int, payload: PersonUpdateIn
) -> Status[PersonOut | EditConflictOut]:
    person = selectors.person_get(actor=request.auth, person_id=person_id, action=Action.UPDATE)
    details = payload.dict(exclude_unset=True, exclude={"version"})
    version = version_wanted(payload.version, request.headers.get("If-Match"))
    try:
        updated = services.person_update(
            actor=request.auth, person=person, details=details, expected_version=version
        )
    except EditConflict as conflict:
        return Status(409, EditConflictOut.build(conflict))
    return Status(200, _person_out(request, updated))


@router.get("/people/{person_id}/consents", response=list[ConsentOut])
def consent_list(request: StaffRequest, person_id: int) -> list[ConsentOut]:
    person = selectors.person_get(actor=request.auth, person_id=person_id)
    return [ConsentOut.build(c) for c in selectors.consent_list(actor=request.auth, person=person)]


@router.post("/people/{person_id}/consents", response={201: ConsentOut}, summary="Record a consent decision")
def consent_record(request: StaffRequest, person_id: int, payload: ConsentIn) -> Status[ConsentOut]:
    person = selectors.person_get(actor=request.auth, person_id=person_id, action=Action.UPDATE)
    consent = services.consent_record(
        actor=request.auth,
        person=person,
        purpose=payload.purpose,
        agreed=payload.agreed,
        method=payload.method,
        note=payload.note,
    )
    return Status(201, ConsentOut.build(consent))


@router.post("/consents/{consent_id}/withdraw", response=ConsentOut, summary="Withdraw a consent")
def consent_withdraw(request: StaffRequest, consent_id: int) -> ConsentOut:
    consent = selectors.consent_get(actor=request.auth, consent_id=consent_id)
    return ConsentOut.build(services.consent_withdraw(actor=request.auth, consent=consent))
