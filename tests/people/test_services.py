"""A person's record and consent: bad input is refused naming the field and changes nothing;
NHS numbers, postcodes and dates of birth are checked; likely duplicates are found."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from linkwork.accounts.models import Organisation, User
from linkwork.accounts.roles import Role
from linkwork.audit.models import AuditEvent
from linkwork.core.errors import DomainError, PermissionDenied, ValidationFailed
from linkwork.core.time import now
from linkwork.people import services
from linkwork.people.choices import AgeBand
from linkwork.people.models import Consent, Person, age_band_on
from linkwork.people.nhs_number import NHS_NUMBER_INVALID, is_valid_nhs_number
from tests.factories import OPERATOR, make_staff
from tests.journey_factories import give_consent, make_person

VALID_NHS_NUMBER = "943 476 5919"


def person_row(person: Person) -> dict[str, Any]:
    return dict(Person.objects.filter(pk=person.pk).values().get())


# Each bad value, the field it belongs to, and the field the error must name.
BAD_DETAILS: list[tuple[str, Any]] = [
    ("first_name", "   "),
    ("email", "not-an-address"),
    ("postcode", "NOT A POSTCODE"),
    ("postcode", "12345"),
    ("nhs_number", "943 476 5918"),
    ("nhs_number", "94347659"),
    ("nhs_number", "943476591X"),
    ("date_of_birth", dt.date(2999, 1, 1)),
    ("preferred_contact_method", "carrier-pigeon"),
    ("age_band", "ancient"),
    ("gender", "robot"),
    ("ethnicity", "martian"),
    ("living_arrangement", "castle"),
    ("digital_access", "telepathy"),
    ("mobility", ["flies"]),
    ("trigger_groups", ["walks", "not-a-group"]),
]


def test_a_connector_records_a_person_with_cleaned_details_and_it_is_audited(
    connector: User, organisation: Organisation
) -> None:
    person = services.person_create(
        actor=connector,
        organisation=organisation,
        details={
            "first_name": "  Margaret ",
            "last_name": "Oduya",
            "email": "m.oduya@example.org",
            "postcode": "ls6 2ab",
            "nhs_number": "943-476-5919",
            "mobility": ["walks", "uses-buses", "walks"],
            "interpreter_needed": 1,
        },
    )
    assert person.first_name == "Margaret"
    assert person.postcode == "LS6 2AB"
    assert person.nhs_number == "9434765919"
    assert person.mobility == ["uses-buses", "walks"]
    assert person.interpreter_needed is True
    assert person.team is None, "a new person waits in the intake queue"
    event = AuditEvent.objects.get(event="person.created")
    assert event.actor_id == connector.pk
    assert event.object_id == str(person.pk)
    assert "first_name" in event.fields
    assert event.values == {}, "no personal values are copied into the audit log"


@pytest.mark.parametrize(("field", "value"), BAD_DETAILS)
def test_each_bad_field_on_create_is_named_and_nothing_is_saved(
    organisation: Organisation, field: str, value: Any
) -> None:
    details: dict[str, Any] = {"first_name": "Margaret", "last_name": "Oduya", field: value}
    people, events = Person.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as raised:
        services.person_create(actor=OPERATOR, organisation=organisation, details=details)
    assert list(raised.value.fields) == [field]
    assert Person.objects.count() == people
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize(("field", "value"), BAD_DETAILS)
def test_each_bad_field_on_update_is_named_and_the_person_is_unchanged(
    organisation: Organisation, field: str, value: Any
) -> None:
    person = make_person(organisation=organisation, first_name="Margaret", postcode="LS6 2AB")
    before, events = person_row(person), AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as raised:
        services.person_update(actor=OPERATOR, person=person, details={"last_name": "Changed", field: value})
    assert list(raised.value.fields) == [field]
    assert person_row(person) == before
    assert person.last_name == "Example", "the object in memory is not changed either"
    assert AuditEvent.objects.count() == events


def test_a_person_needs_a_first_name(organisation: Organisation) -> None:
    with pytest.raises(ValidationFailed) as raised:
        services.person_create(actor=OPERATOR, organisation=organisation, details={"last_name": "Oduya"})
    assert raised.value.fields == {"first_name": services.FIRST_NAME_REQUIRED}
    assert not Person.objects.exists()


def test_every_bad_field_is_named_at_once(organisation: Organisation) -> None:
    with pytest.raises(ValidationFailed) as raised:
        services.person_create(
            actor=OPERATOR,
            organisation=organisation,
            details={"first_name": "", "email": "nope", "postcode": "nope", "gender": "nope"},
        )
    assert set(raised.value.fields) == {"first_name", "email", "postcode", "gender"}


def test_unknown_fields_are_refused(organisation: Organisation) -> None:
    with pytest.raises(ValidationFailed):
        services.person_create(
            actor=OPERATOR, organisation=organisation, details={"first_name": "A", "organisation": 7}
        )
    assert not Person.objects.exists()


def test_an_update_changes_only_what_differs_and_audits_non_personal_values(
    organisation: Organisation,
) -> None:
    person = make_person(organisation=organisation, phone="0113 496 0000")
    services.person_update(
        actor=OPERATOR,
        person=person,
        details={"phone": "0113 496 0000", "digital_access": "smartphone", "last_name": "Oduya"},
    )
    person.refresh_from_db()
    assert person.last_name == "Oduya"
    assert person.digital_access == "smartphone"
    event = AuditEvent.objects.get(event="person.updated")
    assert sorted(event.fields) == ["digital_access", "last_name"]
    assert event.values == {"digital_access": ["", "smartphone"]}


def test_an_update_that_changes_nothing_writes_nothing(organisation: Organisation) -> None:
    person = make_person(organisation=organisation, last_name="Oduya")
    events = AuditEvent.objects.count()
    services.person_update(actor=OPERATOR, person=person, details={"last_name": " Oduya "})
    assert AuditEvent.objects.count() == events


def test_only_casework_staff_of_the_organisation_may_create_or_change_people(
    organisation: Organisation, other_organisation: Organisation
) -> None:
    analyst = make_staff(organisation=organisation, roles=[Role.ANALYST])
    outsider = make_staff(organisation=other_organisation, roles=[Role.CONNECTOR])
    with pytest.raises(PermissionDenied):
        services.person_create(actor=analyst, organisation=organisation, details={"first_name": "A"})
    with pytest.raises(PermissionDenied):
        services.person_create(actor=outsider, organisation=organisation, details={"first_name": "A"})
    person = make_person(organisation=organisation, last_name="Oduya")
    with pytest.raises(PermissionDenied):
        services.person_update(actor=outsider, person=person, details={"last_name": "Changed"})
    person.refresh_from_db()
    assert person.last_name == "Oduya"
    assert Person.objects.count() == 1


# NHS numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["9434765919", "943 476 5919", "943-476-5919", " 943 476 5919 "])
def test_the_example_nhs_number_is_valid_however_it_is_spaced(value: str) -> None:
    assert is_valid_nhs_number(value)


@pytest.mark.parametrize("position", range(10))
def test_changing_any_one_digit_of_a_valid_nhs_number_makes_it_invalid(position: int) -> None:
    digits = VALID_NHS_NUMBER.replace(" ", "")
    for replacement in "0123456789":
        if replacement == digits[position]:
            continue
        changed = digits[:position] + replacement + digits[position + 1 :]
        assert not is_valid_nhs_number(changed), changed


@pytest.mark.parametrize("value", ["", "943476591", "94347659190", "943476591a", "9434 7659 19x"])
def test_nhs_numbers_that_are_not_ten_digits_are_invalid(value: str) -> None:
    assert not is_valid_nhs_number(value)


def test_an_nhs_number_whose_check_digit_would_be_ten_is_invalid() -> None:
    # 4 x weight 3 = 12, remainder 1, so the check digit would be 11 - 1 = 10: no last digit fits.
    assert not any(is_valid_nhs_number(f"000000040{last}") for last in range(10))


def test_the_service_stores_a_valid_nhs_number_and_names_an_invalid_one(organisation: Organisation) -> None:
    person = make_person(organisation=organisation, nhs_number=VALID_NHS_NUMBER)
    assert person.nhs_number == "9434765919"
    with pytest.raises(ValidationFailed) as raised:
        services.person_update(actor=OPERATOR, person=person, details={"nhs_number": "943 476 5910"})
    assert raised.value.fields == {"nhs_number": NHS_NUMBER_INVALID}
    person.refresh_from_db()
    assert person.nhs_number == "9434765919"


# Postcodes --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("ls14ap", "LS1 4AP"),
        ("LS1 4AP", "LS1 4AP"),
        (" sw1a  1aa ", "SW1A 1AA"),
        ("m11ae", "M1 1AE"),
        ("B33 8TH", "B33 8TH"),
        ("cr26xh", "CR2 6XH"),
        ("dn551pt", "DN55 1PT"),
    ],
)
def test_postcodes_are_upper_cased_and_spaced(organisation: Organisation, given: str, stored: str) -> None:
    assert services.normalise_postcode(given) == stored
    assert make_person(organisation=organisation, postcode=given).postcode == stored


# Date of birth and age band ---------------------------------------------------------------


def test_a_date_of_birth_today_or_in_the_future_is_refused(organisation: Organisation) -> None:
    today = now().date()
    for born in (today, today + dt.timedelta(days=1)):
        with pytest.raises(ValidationFailed) as raised:
            make_person(organisation=organisation, date_of_birth=born)
        assert raised.value.fields == {"date_of_birth": services.DATE_OF_BIRTH_FUTURE}
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    ("born", "band"),
    [
        (dt.date(2007, 6, 16), AgeBand.UNDER_18),  # 18 tomorrow
        (dt.date(2007, 6, 15), AgeBand.AGE_18_24),  # 18 today
        (dt.date(2000, 6, 16), AgeBand.AGE_18_24),
        (dt.date(2000, 6, 15), AgeBand.AGE_25_34),
        (dt.date(1975, 6, 15), AgeBand.AGE_50_64),
        (dt.date(1960, 6, 16), AgeBand.AGE_50_64),
        (dt.date(1960, 6, 15), AgeBand.AGE_65_74),
        (dt.date(1950, 6, 15), AgeBand.AGE_75_84),
        (dt.date(1940, 6, 15), AgeBand.AGE_85_PLUS),
        (dt.date(1920, 1, 1), AgeBand.AGE_85_PLUS),
    ],
)
def test_the_age_band_follows_the_birthday(born: dt.date, band: AgeBand) -> None:
    assert age_band_on(born, dt.date(2025, 6, 15)) == band


def test_the_age_band_is_derived_from_the_date_of_birth_and_follows_changes(
    organisation: Organisation,
) -> None:
    today = now().date()
    person = make_person(
        organisation=organisation, date_of_birth=today - dt.timedelta(days=40 * 365), age_band="18-24"
    )
    assert person.age_band == AgeBand.AGE_35_49, "the date of birth wins over a band given with it"
    services.person_update(
        actor=OPERATOR, person=person, details={"date_of_birth": today - dt.timedelta(days=70 * 365)}
    )
    person.refresh_from_db()
    assert person.age_band == AgeBand.AGE_65_74
    assert services.age_band_of(person) == AgeBand.AGE_65_74


def test_without_a_date_of_birth_the_recorded_age_band_is_kept(organisation: Organisation) -> None:
    person = make_person(organisation=organisation, age_band="50-64")
    assert person.date_of_birth is None
    assert services.age_band_of(person) == AgeBand.AGE_50_64


# Duplicates -------------------------------------------------------------------------------

MARGARET: dict[str, Any] = {
    "first_name": "Margaret",
    "last_name": "Oduya",
    "date_of_birth": dt.date(1950, 3, 2),
    "phone": "0113 496 0000",
    "email": "m.oduya@example.org",
    "postcode": "LS6 2AB",
}


def reasons_found(organisation: Organisation, details: dict[str, Any]) -> dict[int, tuple[str, ...]]:
    return {
        found.person.pk: found.reasons
        for found in services.person_find_duplicates(organisation=organisation, details=details)
    }


@pytest.mark.parametrize(
    ("details", "reason"),
    [
        (
            {"first_name": "margaret", "last_name": "ODUYA", "date_of_birth": dt.date(1950, 3, 2)},
            "same name and date of birth",
        ),
        ({"first_name": "M", "last_name": "Other", "phone": "01134960000"}, "same phone number"),
        ({"first_name": "M", "last_name": "Other", "phone": "0113 496 0000"}, "same phone number"),
        ({"first_name": "M", "last_name": "Other", "email": " M.Oduya@Example.org "}, "same e-mail address"),
        (
            {"first_name": "Margret", "last_name": "Oduya", "postcode": "ls62ab"},
            "similar name at the same postcode",
        ),
    ],
)
def test_a_likely_duplicate_is_found_with_the_reason(
    organisation: Organisation, details: dict[str, Any], reason: str
) -> None:
    margaret = make_person(organisation=organisation, **MARGARET)
    make_person(organisation=organisation, first_name="Someone", last_name="Else", postcode="M1 1AE")
    assert reasons_found(organisation, details) == {margaret.pk: (reason,)}


def test_a_person_matching_in_every_way_is_found_once_with_every_reason(organisation: Organisation) -> None:
    margaret = make_person(organisation=organisation, **MARGARET)
    assert reasons_found(organisation, MARGARET) == {
        margaret.pk: (
            "same name and date of birth",
            "same phone number",
            "same e-mail address",
            "similar name at the same postcode",
        )
    }


@pytest.mark.parametrize(
    "details",
    [
        {
            "first_name": "John",
            "last_name": "Smith",
            "date_of_birth": dt.date(1980, 1, 1),
            "phone": "07700 900123",
            "email": "john@example.org",
            "postcode": "M1 1AE",
        },
        {"first_name": "Margaret", "last_name": "Oduya", "date_of_birth": dt.date(1950, 3, 3)},
        {"first_name": "Peter", "last_name": "Brown", "postcode": "LS6 2AB"},
        {"first_name": "Margaret", "last_name": "Oduya", "postcode": "LS6 2AD"},
        {"first_name": "M", "last_name": "Other", "phone": "0113 496 0001"},
        {"first_name": "M", "last_name": "Other", "phone": "0000"},
    ],
)
def test_a_different_person_is_not_found(organisation: Organisation, details: dict[str, Any]) -> None:
    make_person(organisation=organisation, **MARGARET)
    assert reasons_found(organisation, details) == {}


def test_people_of_another_organisation_are_never_found(
    organisation: Organisation, other_organisation: Organisation
) -> None:
    theirs = make_person(organisation=other_organisation, **MARGARET)
    assert reasons_found(organisation, MARGARET) == {}
    ours = make_person(organisation=organisation, **MARGARET)
    assert list(reasons_found(organisation, MARGARET)) == [ours.pk]
    assert list(reasons_found(other_organisation, MARGARET)) == [theirs.pk]


# Consent ----------------------------------------------------------------------------------


def test_consent_is_recorded_and_withdrawn_keeping_the_record(
    connector: User, organisation: Organisation
) -> None:
    person = make_person(organisation=organisation)
    consent = services.consent_record(
        actor=connector, person=person, purpose="share-gp-referrer", agreed=True, method="verbal"
    )
    assert consent.recorded_by == connector
    assert consent.in_force
    assert services.consents_in_force(person) == {"share-gp-referrer"}

    services.consent_withdraw(actor=connector, consent=consent)
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert consent.withdrawn_by == connector
    assert not consent.in_force
    assert services.consents_in_force(person) == set()
    assert Consent.objects.filter(person=person).count() == 1, "withdrawing keeps the record"
    assert [e.event for e in AuditEvent.objects.filter(event__startswith="consent.").order_by("seq")] == [
        "consent.recorded",
        "consent.withdrawn",
    ]


def test_a_refusal_is_recorded_but_is_not_in_force(organisation: Organisation) -> None:
    person = make_person(organisation=organisation)
    consent = give_consent(person=person, purpose="story", agreed=False)
    assert not consent.in_force
    assert services.consents_in_force(person) == set()


def test_withdrawing_twice_is_refused_and_keeps_the_first_withdrawal(organisation: Organisation) -> None:
    person = make_person(organisation=organisation)
    consent = give_consent(person=person, purpose="volunteer-contact")
    services.consent_withdraw(actor=OPERATOR, consent=consent)
    first = Consent.objects.get(pk=consent.pk).withdrawn_at
    events = AuditEvent.objects.count()
    for attempt in (consent, Consent.objects.get(pk=consent.pk)):
        with pytest.raises(DomainError) as raised:
            services.consent_withdraw(actor=OPERATOR, consent=attempt)
        assert raised.value.code == "CONSENT_ALREADY_WITHDRAWN"
        assert raised.value.message == services.CONSENT_ALREADY_WITHDRAWN
    assert Consent.objects.get(pk=consent.pk).withdrawn_at == first
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize(("purpose", "method"), [("marketing", "verbal"), ("support", "telepathy")])
def test_consent_for_an_unknown_purpose_or_method_is_refused(
    organisation: Organisation, purpose: str, method: str
) -> None:
    person = make_person(organisation=organisation)
    with pytest.raises(ValidationFailed):
        services.consent_record(actor=OPERATOR, person=person, purpose=purpose, agreed=True, method=method)
    assert not Consent.objects.exists()


def test_staff_who_cannot_see_the_person_cannot_record_or_withdraw_consent(
    organisation: Organisation, other_organisation: Organisation
) -> None:
    person = make_person(organisation=organisation)
    consent = give_consent(person=person, purpose="support")
    outsider = make_staff(organisation=other_organisation, roles=[Role.SUPERVISOR])
    volunteer = make_staff(organisation=organisation, roles=[Role.VOLUNTEER])
    for actor in (outsider, volunteer):
        with pytest.raises(PermissionDenied):
            services.consent_record(actor=actor, person=person, purpose="story", agreed=True, method="verbal")
        with pytest.raises(PermissionDenied):
            services.consent_withdraw(actor=actor, consent=consent)
    assert Consent.objects.count() == 1
    consent.refresh_from_db()
    assert consent.in_force
