"""The community directory, aligned with Open Referral HSDS 3.0.

Each HSDS table is one model with the HSDS name, uuid id and column names, so import, export and the
Open Referral UK API are a mapping, not a translation. HSDS cross-references (`service_id`,
`organization_id`, ...) are foreign keys without database constraints: published data (the official
examples included) refers to records it does not carry, and a directory must keep what it was given.

On top of HSDS, a `Service` is a directory entry with an editorial life (state, verification,
provenance, owner) and the facts connectors ask about (first visit, group size, access, cost band).
Those facts are typed columns here so search can filter on them, and travel as HSDS attributes under
the linkwork taxonomy (see `connector_facts.py`).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models

from linkwork.accounts.models import Organisation


def _text(help_text: str = "") -> models.TextField[str, str]:
    return models.TextField(blank=True, default="", help_text=help_text)


def _ref(to: type[models.Model] | str, related_name: str, **options: Any) -> Any:
    """An HSDS reference: may point at a record that is not (yet) in the directory."""
    return models.ForeignKey(
        to,
        related_name=related_name,
        db_constraint=False,
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        **options,
    )


class HSDSRecord(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.id}"


# --- HSDS core tables -------------------------------------------------------------------------


class Organization(HSDSRecord):
    """An organisation that provides services (HSDS `organization`), not a linkwork tenant."""

    name = _text()
    alternate_name = _text()
    description = _text()
    email = _text()
    website = _text()
    tax_status = _text()
    tax_id = _text()
    year_incorporated = models.FloatField(null=True, blank=True)
    legal_status = _text()
    logo = _text()
    uri = _text()
    parent_organization = _ref("self", "+")
    owner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="directory_organizations",
        help_text="The linkwork organisation whose directory editors look after this record.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "directory_organization"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Program(HSDSRecord):
    organization = _ref(Organization, "programs")
    name = _text()
    alternate_name = _text()
    description = _text()

    class Meta:
        db_table = "directory_program"


class OrganizationIdentifier(HSDSRecord):
    organization = _ref(Organization, "organization_identifiers")
    identifier_scheme = _text()
    identifier_type = _text()
    identifier = _text()

    class Meta:
        db_table = "directory_organization_identifier"


class EntryState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    PUBLISHED = "published", "Published"
    REVIEW_DUE = "review_due", "Review due"
    STALE = "stale", "Stale"
    ARCHIVED = "archived", "Archived"
    REJECTED = "rejected", "Rejected"


# What the public and the Open Referral API see: stale entries stay visible, flagged as such.
PUBLIC_STATES = (EntryState.PUBLISHED, EntryState.REVIEW_DUE, EntryState.STALE)


class VerificationMethod(models.TextChoices):
    PHONE = "phone", "Phone call"
    VISIT = "visit", "Visit"
    EMAIL = "email", "E-mail"
    PROVIDER_CONFIRMED = "provider_confirmed", "Provider confirmed"


class GroupSize(models.TextChoices):
    ONE_TO_ONE = "one_to_one", "One to one"
    SMALL = "small", "Small group (under 8)"
    MEDIUM = "medium", "Medium group (8 to 20)"
    LARGE = "large", "Large group (over 20)"


class Atmosphere(models.TextChoices):
    QUIET = "quiet", "Quiet"
    BUSY = "busy", "Busy"


class ActivityLevel(models.TextChoices):
    ACTIVE = "active", "Active"
    GENTLE = "gentle", "Gentle"
    SIT_AND_CHAT = "sit_and_chat", "Sit and chat"


class Audience(models.TextChoices):
    GENERAL = "general", "General community"
    SHARED_EXPERIENCE = "shared_experience", "People with shared experience"


class CostBand(models.TextChoices):
    FREE = "free", "Free"
    LOW_COST = "low_cost", "Low cost"
    PAID = "paid", "Cost per session"


class Booking(models.TextChoices):
    DROP_IN = "drop_in", "Drop in"
    BOOKING_NEEDED = "booking_needed", "Booking needed"


class Service(HSDSRecord):
    """A directory entry: one service, with its editorial state and what connectors need to know."""

    organization = _ref(Organization, "services")
    program = _ref(Program, "services")
    name = _text()
    alternate_name = _text()
    description = _text()
    url = _text()
    email = _text()
    status = models.TextField(
        default="active", help_text="HSDS status: active, inactive, defunct, temporarily closed."
    )
    interpretation_services = _text()
    application_process = _text()
    fees_description = _text()
    wait_time = _text()
    fees = _text()
    accreditations = _text()
    eligibility_description = _text()
    minimum_age = models.FloatField(null=True, blank=True)
    maximum_age = models.FloatField(null=True, blank=True)
    assured_date = models.DateField(null=True, blank=True)
    assurer_email = _text()
    licenses = _text()
    alert = _text()
    last_modified = models.DateTimeField(null=True, blank=True)

    # Editorial life (linkwork extension).
    owner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="directory_services",
        help_text="The linkwork organisation whose directory editors look after this entry.",
    )
    state = models.CharField(max_length=12, choices=EntryState.choices, default=EntryState.DRAFT)
    state_changed_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = _text()
    last_verified_at = models.DateTimeField(null=True, blank=True)
    last_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verification_method = models.CharField(max_length=20, choices=VerificationMethod.choices, blank=True)
    review_due_on = models.DateField(null=True, blank=True)
    submitted_by_name = _text()
    submitted_by_email = _text()
    submitted_from = models.CharField(
        max_length=64, blank=True, help_text="Hashed address of a public suggestion."
    )
    suggestion_details = _text(
        "What a suggester wrote about when, where and how to get in touch: for editors, never shown publicly."
    )
    provider_contact_name = _text()
    provider_contact_email = _text()
    source = models.CharField(max_length=200, blank=True, help_text="Where the entry came from.")
    source_recorded_at = models.DateTimeField(null=True, blank=True)
    source_recorded_by = models.CharField(max_length=150, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # What connectors need to know (linkwork extension, exported as HSDS attributes).
    first_visit = _text()
    newcomers_met = models.BooleanField(null=True, blank=True, help_text="Someone meets newcomers.")
    companion_free = models.BooleanField(null=True, blank=True, help_text="A companion may come free.")
    group_size = models.CharField(max_length=12, choices=GroupSize.choices, blank=True)
    atmosphere = models.CharField(max_length=8, choices=Atmosphere.choices, blank=True)
    activity_level = models.CharField(max_length=14, choices=ActivityLevel.choices, blank=True)
    audience = models.CharField(max_length=20, choices=Audience.choices, blank=True)
    shared_experience = _text()
    cost_band = models.CharField(max_length=10, choices=CostBand.choices, blank=True)
    step_free = models.BooleanField(null=True, blank=True)
    accessible_toilet = models.BooleanField(null=True, blank=True)
    hearing_loop = models.BooleanField(null=True, blank=True)
    near_public_transport = models.BooleanField(null=True, blank=True)
    parking = models.BooleanField(null=True, blank=True)
    online_option = models.BooleanField(null=True, blank=True)
    phone_option = models.BooleanField(null=True, blank=True)
    home_visits = models.BooleanField(null=True, blank=True)
    booking = models.CharField(max_length=16, choices=Booking.choices, blank=True)

    class Meta:
        db_table = "directory_service"
        ordering = ["name"]
        indexes = [
            models.Index(fields=["state", "review_due_on"], name="directory_service_state_due"),
            models.Index(fields=["owner", "state"], name="directory_service_owner_state"),
            models.Index(fields=["last_modified"], name="directory_service_modified"),
            # The search index's once-a-second freshness check reads max(updated_at).
            models.Index(fields=["updated_at"], name="directory_service_updated"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_public(self) -> bool:
        return self.state in PUBLIC_STATES


class Location(HSDSRecord):
    location_type = models.TextField(default="physical", help_text="physical, postal or virtual")
    url = _text()
    organization = _ref(Organization, "locations")
    name = _text()
    alternate_name = _text()
    description = _text()
    transportation = _text()
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    external_identifier = _text()
    external_identifier_type = _text()
    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="directory_locations")

    class Meta:
        db_table = "directory_location"

    def __str__(self) -> str:
        return self.name or str(self.id)


class ServiceAtLocation(HSDSRecord):
    service = _ref(Service, "service_at_locations")
    location = _ref(Location, "service_at_locations")
    description = _text()

    class Meta:
        db_table = "directory_service_at_location"


class Address(HSDSRecord):
    location = _ref(Location, "addresses")
    attention = _text()
    address_1 = _text()
    address_2 = _text()
    city = _text()
    region = _text()
    state_province = _text()
    postal_code = _text()
    country = _text()
    address_type = _text()

    class Meta:
        db_table = "directory_address"


class Contact(HSDSRecord):
    organization = _ref(Organization, "contacts")
    service = _ref(Service, "contacts")
    service_at_location = _ref(ServiceAtLocation, "contacts")
    location = _ref(Location, "contacts")
    name = _text()
    title = _text()
    department = _text()
    email = _text()

    class Meta:
        db_table = "directory_contact"


class Phone(HSDSRecord):
    location = _ref(Location, "phones")
    service = _ref(Service, "phones")
    organization = _ref(Organization, "phones")
    contact = _ref(Contact, "phones")
    service_at_location = _ref(ServiceAtLocation, "phones")
    number = _text()
    extension = models.FloatField(null=True, blank=True)
    type = _text()
    description = _text()

    class Meta:
        db_table = "directory_phone"


class Schedule(HSDSRecord):
    service = _ref(Service, "schedules")
    location = _ref(Location, "schedules")
    service_at_location = _ref(ServiceAtLocation, "schedules")
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    dtstart = models.DateField(null=True, blank=True)
    timezone = models.FloatField(null=True, blank=True)
    until = models.DateField(null=True, blank=True)
    count = models.IntegerField(null=True, blank=True)
    wkst = _text()
    freq = _text()
    interval = models.IntegerField(null=True, blank=True)
    byday = _text()
    byweekno = _text()
    bymonthday = _text()
    byyearday = _text()
    description = _text()
    opens_at = models.TimeField(null=True, blank=True)
    closes_at = models.TimeField(null=True, blank=True)
    schedule_link = _text()
    attending_type = _text()
    notes = _text()

    class Meta:
        db_table = "directory_schedule"


class Closure(models.Model):
    """A seasonal closure of a service (linkwork extension): school holidays, "closed in August"."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="closures")
    starts_on = models.DateField()
    ends_on = models.DateField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["starts_on"]

    def __str__(self) -> str:
        return f"{self.starts_on} to {self.ends_on}"


class ServiceArea(HSDSRecord):
    service = _ref(Service, "service_areas")
    name = _text()
    description = _text()
    extent = _text()
    extent_type = _text()
    uri = _text()

    class Meta:
        db_table = "directory_service_area"


class Language(HSDSRecord):
    service = _ref(Service, "languages")
    location = _ref(Location, "languages")
    phone = _ref(Phone, "languages")
    name = _text()
    code = _text()
    note = _text()

    class Meta:
        db_table = "directory_language"


class Accessibility(HSDSRecord):
    location = _ref(Location, "accessibility")
    description = _text()
    details = _text()
    url = _text()

    class Meta:
        db_table = "directory_accessibility"


class CostOption(HSDSRecord):
    service = _ref(Service, "cost_options")
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    option = _text()
    currency = _text()
    amount = models.FloatField(null=True, blank=True)
    amount_description = _text()

    class Meta:
        db_table = "directory_cost_option"


class Funding(HSDSRecord):
    organization = _ref(Organization, "funding")
    service = _ref(Service, "funding")
    source = _text()

    class Meta:
        db_table = "directory_funding"


class RequiredDocument(HSDSRecord):
    service = _ref(Service, "required_documents")
    document = _text()
    uri = _text()

    class Meta:
        db_table = "directory_required_document"


class Taxonomy(HSDSRecord):
    name = _text()
    description = _text()
    uri = _text()
    version = _text()

    class Meta:
        db_table = "directory_taxonomy"
        verbose_name_plural = "taxonomies"

    def __str__(self) -> str:
        return self.name


class TaxonomyTerm(HSDSRecord):
    code = _text()
    name = _text()
    description = _text()
    parent = _ref("self", "children")
    taxonomy = _text(help_text="HSDS free-text taxonomy name, kept alongside taxonomy_id.")
    language = _text()
    taxonomy_detail = _ref(Taxonomy, "terms", db_column="taxonomy_id")
    term_uri = _text()

    class Meta:
        db_table = "directory_taxonomy_term"

    def __str__(self) -> str:
        return self.name


class Attribute(HSDSRecord):
    """A taxonomy term attached to any record: HSDS's way of categorising and extending."""

    link_id = models.UUIDField(db_index=True)
    taxonomy_term = _ref(TaxonomyTerm, "attributes")
    link_type = _text()
    link_entity = _text()
    value = _text()

    class Meta:
        db_table = "directory_attribute"


class Metadata(HSDSRecord):
    resource_id = models.UUIDField(db_index=True)
    resource_type = _text()
    last_action_date = _text()
    last_action_type = _text()
    field_name = _text()
    previous_value = _text()
    replacement_value = _text()
    updated_by = _text()

    class Meta:
        db_table = "directory_metadata"
        verbose_name_plural = "metadata"


# --- Editorial work ---------------------------------------------------------------------------


class Verification(models.Model):
    """One check that an entry is still right: who, when and how."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="verifications")
    verified_at = models.DateTimeField()
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verified_by_name = models.CharField(max_length=150)
    method = models.CharField(max_length=20, choices=VerificationMethod.choices)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-verified_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.service_id} verified {self.verified_at:%Y-%m-%d}"


class ProblemKind(models.TextChoices):
    UNCLEAR = "unclear", "The information is unclear"
    CONTACT_WRONG = "contact_wrong", "Contact details are wrong"
    CLOSED = "closed", "The service has closed"
    WRONG_AREA = "wrong_area", "It is in the wrong area"
    OTHER = "other", "Something else"


class TaskStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"
    DISMISSED = "dismissed", "Dismissed"


class ProblemReport(models.Model):
    """A problem with an entry reported by anyone; a task for the entry's directory editors."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="problem_reports")
    kind = models.CharField(max_length=16, choices=ProblemKind.choices)
    details = models.TextField(blank=True)
    reporter_name = models.CharField(max_length=150, blank=True)
    reporter_email = models.EmailField(blank=True)
    reported_at = models.DateTimeField()
    submitted_from = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolution_note = models.TextField(blank=True)

    class Meta:
        ordering = ["reported_at", "pk"]
        indexes = [models.Index(fields=["status", "reported_at"], name="directory_problem_open")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.service_id}"


class ClaimStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a decision"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class ListingClaim(models.Model):
    """A provider asking to be recognised as the people who run a listed service."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="claims")
    claimant_name = models.CharField(max_length=150)
    claimant_email = models.EmailField()
    claimant_phone = models.CharField(max_length=40, blank=True)
    claimant_role = models.CharField(max_length=150, help_text="Their role at the provider.")
    evidence = models.TextField(blank=True, help_text="How editors can check they run the service.")
    claimed_at = models.DateTimeField()
    submitted_from = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.PENDING)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["claimed_at", "pk"]

    def __str__(self) -> str:
        return f"Claim on {self.service_id} by {self.claimant_name}"
