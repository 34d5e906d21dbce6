"""Gaps: recording (need, area, barrier), the checks on bad input, who may record and see them, and the
grouped report, which names no one."""

from __future__ import annotations

import json

import pytest

from linkwork.accounts.models import Organisation, User
from linkwork.accounts.roles import Role
from linkwork.audit.models import AuditEvent
from linkwork.core.errors import PermissionDenied, ValidationFailed
from linkwork.matching import gap_selectors as selectors
from linkwork.matching import gaps as services
from linkwork.matching.models import Gap
from linkwork.people.models import Person
from tests.factories import make_staff
from tests.journey_factories import make_person


@pytest.fixture
def person(organisation: Organisation) -> Person:
    return make_person(
        organisation=organisation, first_name="Maud", last_name="Ellery-Zamir", postcode="W10 5BU"
    )


def test_a_gap_records_need_area_barrier_who_and_when(connector: User, person: Person) -> None:
    gap = services.gap_record(
        actor=connector, need="  Swimming for  older women ", area="W10", barrier="transport", person=person
    )
    assert (gap.need, gap.need_key, gap.area, gap.barrier) == (
        "Swimming for older women",
        "swimming for older women",
        "W10",
        "transport",
    )
    assert gap.recorded_by == connector
    assert gap.organisation_id == person.organisation_id
    assert gap.person == person
    assert gap.recorded_at is not None


def test_without_an_area_the_persons_postcode_district_is_used(connector: User, person: Person) -> None:
    gap = services.gap_record(actor=connector, need="chess", person=person)
    assert gap.area == "W10"


@pytest.mark.parametrize("given", ["W10 5BU", "w10 5bu", "W105BU", "W10 5"])
def test_a_full_postcode_or_sector_as_the_area_is_cut_to_its_district(
    connector: User, person: Person, given: str
) -> None:
    assert services.gap_record(actor=connector, need="chess", area=given, person=person).area == "W10"


def test_a_named_area_is_kept(connector: User, person: Person) -> None:
    assert (
        services.gap_record(actor=connector, need="chess", area="Northgate estate").area == "Northgate estate"
    )


def test_a_full_postcode_inside_a_named_area_is_refused(connector: User, person: Person) -> None:
    with pytest.raises(ValidationFailed) as caught:
        services.gap_record(actor=connector, need="chess", area="near W10 5BU", person=person)
    assert caught.value.fields == {"area": services.AREA_POSTCODE}
    assert not Gap.objects.exists()


def test_a_gap_without_a_person_can_be_recorded(connector: User) -> None:
    gap = services.gap_record(actor=connector, need="Falconry", area="Northgate")
    assert gap.person is None
    assert gap.organisation_id == connector.organisation_id


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"need": "", "area": "W10"}, "need"),
        ({"need": "   ", "area": "W10"}, "need"),
        ({"need": "x" * 201, "area": "W10"}, "need"),
        ({"need": "chess", "area": ""}, "area"),
        ({"need": "chess", "area": "x" * 61}, "area"),
        ({"need": "chess", "area": "W10", "barrier": "money"}, "barrier"),
    ],
)
def test_bad_input_is_refused_with_the_field_named_and_nothing_saved(
    connector: User, values: dict[str, str], field: str
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        services.gap_record(
            actor=connector, need=values["need"], area=values["area"], barrier=values.get("barrier", "")
        )
    assert field in caught.value.fields
    assert not Gap.objects.exists()


def test_every_problem_is_reported_at_once(connector: User) -> None:
    with pytest.raises(ValidationFailed) as caught:
        services.gap_record(actor=connector, need="", area="", barrier="nope")
    assert set(caught.value.fields) == {"need", "area", "barrier"}


def test_the_persons_surname_is_refused_in_the_need(connector: User, person: Person) -> None:
    with pytest.raises(ValidationFailed) as caught:
        services.gap_record(actor=connector, need="Chess club for Maud Ellery-Zamir", person=person)
    assert caught.value.fields == {"need": services.NEED_SURNAME}


@pytest.mark.parametrize(
    "role", [Role.VOLUNTEER, Role.ANALYST, Role.ORGANISATION_ADMIN, Role.DIRECTORY_EDITOR]
)
def test_only_connectors_and_supervisors_record_gaps(organisation: Organisation, role: Role) -> None:
    actor = make_staff(organisation=organisation, roles=[role])
    with pytest.raises(PermissionDenied):
        services.gap_record(actor=actor, need="chess", area="W10")
    assert not Gap.objects.exists()


def test_a_gap_for_another_organisations_person_is_refused(
    other_organisation: Organisation, person: Person
) -> None:
    outsider = make_staff(organisation=other_organisation, roles=[Role.CONNECTOR])
    with pytest.raises(PermissionDenied):
        services.gap_record(actor=outsider, need="chess", area="W10", person=person)
    assert not Gap.objects.exists()


def test_recording_is_audited_without_the_need_or_area(connector: User, person: Person) -> None:
    services.gap_record(actor=connector, need="Swimming", area="W10", barrier="cost", person=person)
    event = AuditEvent.objects.get(event="gap.recorded")
    assert sorted(event.fields) == ["area", "barrier", "need", "person"]
    stored = json.dumps([event.values, event.detail])
    assert "Swimming" not in stored and "W10" not in stored and "Maud" not in stored
    assert event.organisation_id == person.organisation_id


# --- The report --------------------------------------------------------------------------------------


@pytest.fixture
def recorded(connector: User, supervisor: User, person: Person) -> None:
    services.gap_record(
        actor=connector, need="Swimming for older women", area="W10", barrier="cost", person=person
    )
    services.gap_record(actor=connector, need="swimming FOR older women", area="W10", barrier="cost")
    services.gap_record(actor=supervisor, need="Swimming for older women", area="W10", barrier="cost")
    services.gap_record(actor=supervisor, need="Swimming for older women", area="W11", barrier="cost")
    services.gap_record(actor=supervisor, need="Falconry", area="W10")


@pytest.mark.usefixtures("recorded")
def test_supervisors_see_the_organisations_gaps_grouped_by_need_area_and_barrier(supervisor: User) -> None:
    rows = selectors.gap_report(actor=supervisor)
    assert [(r.need, r.area, r.barrier, r.count) for r in rows] == [
        ("swimming for older women", "W10", "cost", 3),
        ("falconry", "W10", "", 1),
        ("swimming for older women", "W11", "cost", 1),
    ]
    assert rows[0].barrier_label == "Cost"
    assert rows[0].latest is not None


@pytest.mark.usefixtures("recorded")
def test_analysts_see_the_organisations_gaps(organisation: Organisation) -> None:
    analyst = make_staff(organisation=organisation, roles=[Role.ANALYST])
    assert sum(row.count for row in selectors.gap_report(actor=analyst)) == 5
    assert selectors.gap_report_scope(actor=analyst) == "organisation"


@pytest.mark.usefixtures("recorded")
def test_connectors_see_only_the_gaps_they_recorded(connector: User) -> None:
    rows = selectors.gap_report(actor=connector)
    assert [(r.need, r.count) for r in rows] == [("swimming for older women", 2)]
    assert selectors.gap_report_scope(actor=connector) == "own"


@pytest.mark.usefixtures("recorded")
@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.ORGANISATION_ADMIN, Role.DIRECTORY_EDITOR])
def test_other_roles_see_no_gaps(organisation: Organisation, role: Role) -> None:
    actor = make_staff(organisation=organisation, roles=[role])
    assert selectors.gap_report(actor=actor) == []
    assert selectors.gap_report_scope(actor=actor) == "none"


@pytest.mark.usefixtures("recorded")
def test_another_organisation_sees_none_of_the_gaps(other_organisation: Organisation) -> None:
    outsider = make_staff(organisation=other_organisation, roles=[Role.SUPERVISOR])
    assert selectors.gap_report(actor=outsider) == []


@pytest.mark.usefixtures("recorded")
def test_the_report_can_be_narrowed(supervisor: User) -> None:
    assert [r.need for r in selectors.gap_report(actor=supervisor, need="FALCON")] == ["falconry"]
    assert [r.area for r in selectors.gap_report(actor=supervisor, area="w11")] == ["W11"]
    assert {r.barrier for r in selectors.gap_report(actor=supervisor, barrier="cost")} == {"cost"}


@pytest.mark.usefixtures("recorded")
def test_the_report_rows_name_no_one(supervisor: User) -> None:
    text = repr(selectors.gap_report(actor=supervisor))
    for word in ("Maud", "Ellery-Zamir", supervisor.username, "connector"):
        assert word not in text
