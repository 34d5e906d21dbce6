"""Input and output schemas for the staff directory API (/api/v1/directory/...)."""

import datetime as dt
import uuid

from ninja import Field, Schema

from linkwork.core.time import local_today
from linkwork.directory import connector_facts, recurrence, words
from linkwork.directory.geography import Journey, Place
from linkwork.directory.models import ListingClaim, ProblemReport, Service, Verification
from linkwork.directory.query import MAX_PER_PAGE, SearchHit, SearchResults

DAY_HELP = "0 = Monday ... 6 = Sunday: has a session on that day in the coming 7 days"


class ServiceFilters(Schema):
    """The public search's filters, plus `state` and `owner_id` for staff."""

    q: str = Field(
        "", max_length=200, description="Words, matched against name, categories, provider, description"
    )
    taxonomy_term_id: list[uuid.UUID] = Field(default_factory=list, description="Any of these categories")
    taxonomy_id: list[uuid.UUID] = Field(default_factory=list, description="Any term of these taxonomies")
    organization_id: uuid.UUID | None = Field(
        None, description="Services of this provider (HSDS organization)"
    )
    postcode: str = Field("", max_length=10, description="Full, sector or district: sorts by distance")
    max_km: float | None = Field(
        None, gt=0, description="With a postcode: within this distance, or covering it"
    )
    day: int | None = Field(None, ge=0, le=6, description=DAY_HELP)
    this_week: bool = Field(False, description="Has a session between today and Sunday")
    free: bool = False
    step_free: bool = False
    online: bool = Field(False, description="Can take part online or by phone")
    modified_after: dt.datetime | None = None
    state: list[str] = Field(
        default_factory=list,
        description="Entry states (default: published, review due, stale). Others are for directory "
        "editors and return only their own organisation's entries",
    )
    owner_id: int | None = Field(None, description="Only entries this linkwork organisation looks after")
    page: int = Field(1, ge=1)
    per_page: int = Field(20, ge=1, description=f"At most {MAX_PER_PAGE}")


class ProviderOut(Schema):
    id: uuid.UUID
    name: str


class OwnerOut(Schema):
    id: int
    name: str


class JourneyOut(Schema):
    km: float
    walk_minutes: int
    bus_minutes: int

    @staticmethod
    def of(journey: Journey | None) -> "JourneyOut | None":
        if journey is None:
            return None
        return JourneyOut(
            km=round(journey.km, 2), walk_minutes=journey.walk_minutes, bus_minutes=journey.bus_minutes
        )


class PlaceOut(Schema):
    key: str = Field(description="The sector (W10 6) or district (W10) whose centre distances are from")
    precision: str
    latitude: float
    longitude: float

    @staticmethod
    def of(place: Place | None) -> "PlaceOut | None":
        if place is None:
            return None
        return PlaceOut(
            key=place.key, precision=place.precision, latitude=place.latitude, longitude=place.longitude
        )


class AddressOut(Schema):
    address_1: str
    address_2: str
    city: str
    state_province: str
    postal_code: str
    country: str
    address_type: str


class LocationOut(Schema):
    id: uuid.UUID
    name: str
    location_type: str
    description: str
    transportation: str
    latitude: float | None
    longitude: float | None
    addresses: list[AddressOut]


class ScheduleOut(Schema):
    id: uuid.UUID
    when: str = Field(description="In plain English, e.g. 'Tuesdays, 10am to 12pm'")
    freq: str
    interval: int | None
    byday: str
    bymonthday: str
    dtstart: dt.date | None
    until: dt.date | None
    valid_from: dt.date | None
    valid_to: dt.date | None
    opens_at: dt.time | None
    closes_at: dt.time | None
    description: str


class CostOut(Schema):
    option: str
    amount: float | None
    currency: str
    amount_description: str


class FactOut(Schema):
    code: str
    name: str
    value: str = Field(description="As exchanged in HSDS attributes: true/false, a code, or text")
    label: str = Field(description="In plain English")


class AreaOut(Schema):
    name: str
    description: str
    extent: str
    extent_type: str


class VerificationOut(Schema):
    verified_at: dt.datetime
    verified_by: str
    method: str
    note: str

    @staticmethod
    def of(check: Verification) -> "VerificationOut":
        return VerificationOut(
            verified_at=check.verified_at,
            verified_by=check.verified_by_name,
            method=check.method,
            note=check.note,
        )


def _owner(service: Service) -> OwnerOut:
    return OwnerOut(id=service.owner_id, name=service.owner.name)


def _provider(service: Service) -> ProviderOut | None:
    organization = service.organization
    return ProviderOut(id=organization.id, name=organization.name) if organization is not None else None


def _postcode(service: Service) -> str:
    for link in service.service_at_locations.all():
        if link.location is not None:
            for address in link.location.addresses.all():
                if address.postal_code:
                    return str(address.postal_code)
    return ""


class ServiceSummaryOut(Schema):
    id: uuid.UUID
    name: str
    description: str
    status: str
    organization: ProviderOut | None
    postcode: str = Field(description="Of the first address given")
    when: list[str]
    cost_band: str
    # Editorial fields.
    state: str
    review_due_on: dt.date | None
    last_verified_at: dt.datetime | None
    verification_method: str
    owner: OwnerOut
    source: str
    # How it matched.
    score: float
    distance_km: float | None
    journey: JourneyOut | None
    in_service_area: bool

    @staticmethod
    def build(hit: SearchHit, service: Service, today: dt.date) -> "ServiceSummaryOut":
        return ServiceSummaryOut(
            id=service.id,
            name=service.name,
            description=service.description,
            status=service.status,
            organization=_provider(service),
            postcode=_postcode(service),
            when=words.when_lines(service, today),
            cost_band=service.cost_band,
            state=service.state,
            review_due_on=service.review_due_on,
            last_verified_at=service.last_verified_at,
            verification_method=service.verification_method,
            owner=_owner(service),
            source=service.source,
            score=round(hit.score, 3),
            distance_km=round(hit.distance_km, 2) if hit.distance_km is not None else None,
            journey=JourneyOut.of(hit.journey),
            in_service_area=hit.in_service_area,
        )


class ServicePageOut(Schema):
    items: list[ServiceSummaryOut]
    total: int
    page: int
    per_page: int
    total_pages: int
    place: PlaceOut | None = Field(description="Where the postcode was placed")

    @staticmethod
    def build(results: SearchResults, services: dict[uuid.UUID, Service]) -> "ServicePageOut":
        today = local_today()
        return ServicePageOut(
            items=[
                ServiceSummaryOut.build(hit, services[hit.service_id], today)
                for hit in results.hits
                if hit.service_id in services
            ],
            total=results.total,
            page=results.page,
            per_page=results.per_page,
            total_pages=results.total_pages,
            place=PlaceOut.of(results.place),
        )


def _fact_label(fact: connector_facts.Fact, value: str) -> str:
    if fact.kind == "boolean":
        return "Yes" if value == "true" else "No"
    if fact.choices is not None:
        labels: dict[str, str] = {str(code): str(label) for code, label in fact.choices.choices}
        return labels.get(value, value)
    return value


class EditorsOnlyOut(Schema):
    """Personal details and what a suggester wrote: for the entry's owner's directory editors only."""

    submitted_by_name: str
    submitted_by_email: str
    suggestion_details: str = Field(description="What the suggester wrote about when, where and a phone")
    provider_contact_name: str
    provider_contact_email: str

    @staticmethod
    def of(service: Service) -> "EditorsOnlyOut":
        return EditorsOnlyOut(
            submitted_by_name=service.submitted_by_name,
            submitted_by_email=service.submitted_by_email,
            suggestion_details=service.suggestion_details,
            provider_contact_name=service.provider_contact_name,
            provider_contact_email=service.provider_contact_email,
        )


class ServiceDetailOut(Schema):
    id: uuid.UUID
    name: str
    alternate_name: str
    description: str
    url: str
    email: str
    status: str
    organization: ProviderOut | None
    application_process: str
    fees_description: str
    eligibility_description: str
    minimum_age: float | None
    maximum_age: float | None
    alert: str
    last_modified: dt.datetime | None
    facts: list[FactOut] = Field(description="What connectors need to know")
    schedules: list[ScheduleOut]
    closures: list[str] = Field(description="Closures that have not ended, in plain English")
    locations: list[LocationOut]
    phones: list[str]
    cost_options: list[CostOut]
    service_areas: list[AreaOut]
    # Editorial fields.
    state: str
    state_changed_at: dt.datetime | None
    rejection_reason: str
    review_due_on: dt.date | None
    last_verified_at: dt.datetime | None
    verification_method: str
    owner: OwnerOut
    source: str
    source_recorded_at: dt.datetime | None
    source_recorded_by: str
    version: int
    actions: list[str] = Field(description="Lifecycle actions you may take on it now")
    verifications: list[VerificationOut] | None = Field(
        description="Every check, newest first: for the owner's directory editors, null for others"
    )
    for_editors: EditorsOnlyOut | None = Field(
        description="Who suggested it, what they wrote, and the provider contact: for the owner's "
        "directory editors, null for others"
    )

    @staticmethod
    def build(
        service: Service, *, actions: list[str], verifications: list[Verification] | None, own: bool
    ) -> "ServiceDetailOut":
        today = local_today()
        closures = words.closures_of(service)
        return ServiceDetailOut(
            id=service.id,
            name=service.name,
            alternate_name=service.alternate_name,
            description=service.description,
            url=service.url,
            email=service.email,
            status=service.status,
            organization=_provider(service),
            application_process=service.application_process,
            fees_description=service.fees_description,
            eligibility_description=service.eligibility_description,
            minimum_age=service.minimum_age,
            maximum_age=service.maximum_age,
            alert=service.alert,
            last_modified=service.last_modified,
            facts=[
                FactOut(code=fact.code, name=fact.name, value=value, label=_fact_label(fact, value))
                for fact, value in connector_facts.fact_values(service)
            ],
            schedules=[
                ScheduleOut(
                    id=schedule.id,
                    when=recurrence.describe(words.recurrence_of(schedule, closures), today),
                    freq=schedule.freq,
                    interval=schedule.interval,
                    byday=schedule.byday,
                    bymonthday=schedule.bymonthday,
                    dtstart=schedule.dtstart,
                    until=schedule.until,
                    valid_from=schedule.valid_from,
                    valid_to=schedule.valid_to,
                    opens_at=schedule.opens_at,
                    closes_at=schedule.closes_at,
                    description=schedule.description,
                )
                for schedule in service.schedules.all()
            ],
            closures=recurrence.describe_closures(recurrence.Recurrence(closures=closures), today),
            locations=[
                LocationOut(
                    id=link.location.id,
                    name=link.location.name,
                    location_type=link.location.location_type,
                    description=link.location.description,
                    transportation=link.location.transportation,
                    latitude=link.location.latitude,
                    longitude=link.location.longitude,
                    addresses=[
                        AddressOut(
                            address_1=address.address_1,
                            address_2=address.address_2,
                            city=address.city,
                            state_province=address.state_province,
                            postal_code=address.postal_code,
                            country=address.country,
                            address_type=address.address_type,
                        )
                        for address in link.location.addresses.all()
                    ],
                )
                for link in service.service_at_locations.all()
                if link.location is not None
            ],
            phones=[phone.number for phone in service.phones.all() if phone.number],
            cost_options=[
                CostOut(
                    option=option.option,
                    amount=option.amount,
                    currency=option.currency,
                    amount_description=option.amount_description,
                )
                for option in service.cost_options.all()
            ],
            service_areas=[
                AreaOut(
                    name=area.name,
                    description=area.description,
                    extent=area.extent,
                    extent_type=area.extent_type,
                )
                for area in service.service_areas.all()
            ],
            state=service.state,
            state_changed_at=service.state_changed_at,
            rejection_reason=service.rejection_reason,
            review_due_on=service.review_due_on,
            last_verified_at=service.last_verified_at,
            verification_method=service.verification_method,
            owner=_owner(service),
            source=service.source,
            source_recorded_at=service.source_recorded_at,
            source_recorded_by=service.source_recorded_by,
            version=service.version,
            actions=actions,
            verifications=None
            if verifications is None
            else [VerificationOut.of(check) for check in verifications],
            for_editors=EditorsOnlyOut.of(service) if own else None,
        )


class QueueEntryOut(Schema):
    id: uuid.UUID
    name: str
    state: str
    state_changed_at: dt.datetime | None
    review_due_on: dt.date | None
    submitted_by_name: str

    @staticmethod
    def of(service: Service) -> "QueueEntryOut":
        return QueueEntryOut(
            id=service.id,
            name=service.name,
            state=service.state,
            state_changed_at=service.state_changed_at,
            review_due_on=service.review_due_on,
            submitted_by_name=service.submitted_by_name,
        )


class ProblemOut(Schema):
    id: int
    service_id: uuid.UUID
    service_name: str
    kind: str
    details: str
    reporter_name: str
    reporter_email: str
    reported_at: dt.datetime

    @staticmethod
    def of(report: ProblemReport) -> "ProblemOut":
        return ProblemOut(
            id=report.pk,
            service_id=report.service_id,
            service_name=report.service.name,
            kind=report.kind,
            details=report.details,
            reporter_name=report.reporter_name,
            reporter_email=report.reporter_email,
            reported_at=report.reported_at,
        )


class ClaimOut(Schema):
    id: int
    service_id: uuid.UUID
    service_name: str
    claimant_name: str
    claimant_email: str
    claimant_role: str
    claimed_at: dt.datetime

    @staticmethod
    def of(claim: ListingClaim) -> "ClaimOut":
        return ClaimOut(
            id=claim.pk,
            service_id=claim.service_id,
            service_name=claim.service.name,
            claimant_name=claim.claimant_name,
            claimant_email=claim.claimant_email,
            claimant_role=claim.claimant_role,
            claimed_at=claim.claimed_at,
        )


class QueueCountsOut(Schema):
    submissions: int
    problem_reports: int
    claims: int
    review_due: int
    stale: int
    total: int


class WorkQueueOut(Schema):
    counts: QueueCountsOut
    submissions: list[QueueEntryOut]
    problem_reports: list[ProblemOut]
    claims: list[ClaimOut]
    review_due: list[QueueEntryOut] = Field(description="Due for a check now, or within two weeks")
    stale: list[QueueEntryOut]


class CheckIn(Schema):
    method: str = Field(description="How it was checked: phone, visit, email or provider_confirmed")
    note: str = Field("", max_length=2000)


class RejectIn(Schema):
    reason: str = Field(max_length=2000, description="Kept with the submission and shown to editors")
