"""Staff editing of directory entries: details and connector facts, the address, session times and
closures; who may edit; version conflicts; and what the audit log keeps."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from linkwork.accounts.models import Organisation, User
from linkwork.audit.models import AuditEvent
from linkwork.core.errors import NotFound, PermissionDenied, ValidationFailed
from linkwork.directory import editing, geography
from linkwork.directory.models import (
    Closure,
    EntryState,
    Location,
    Organization,
    Schedule,
    Service,
    ServiceAtLocation,
)
from tests.directory.factories import make_provider, make_service

pytestmark = pytest.mark.django_db

DETAILS: dict[str, Any] = {
    "name": "Walk and talk",
    "organization_name": "Riverside Walkers",
    "description": "A gentle walk by the river, then tea.",
    "email": "walks@example.org",
    "phone": "020 7946 0000",
}


def _updates(service: Service) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(event="directory_service.updated", object_id=str(service.pk)))


class TestCreate:
    def test_an_editor_creates_a_draft_for_their_organisation_with_its_provider_and_phone(
        self, editor: User, organisation: Organisation
    ) -> None:
        service = editing.service_create(actor=editor, owner=organisation, details=DETAILS)

        service.refresh_from_db()
        assert service.state == EntryState.DRAFT
        assert service.owner == organisation
        assert service.organization.name == "Riverside Walkers"
        assert service.organization.owner == organisation
        assert [phone.number for phone in service.phones.all()] == ["020 7946 0000"]
        assert service.last_modified is not None
        assert service.version == 1

    def test_creating_is_audited_with_field_names_and_no_values(
        self, editor: User, organisation: Organisation
    ) -> None:
        service = editing.service_create(actor=editor, owner=organisation, details=DETAILS)

        event = AuditEvent.objects.get(event="directory_service.created")
        assert event.object_id == str(service.pk)
        assert event.organisation_id == organisation.pk
        assert {"name", "email", "phones", "organization"} <= set(event.fields)
        assert event.values == {}

    def test_an_existing_provider_of_the_same_name_is_reused(
        self, editor: User, organisation: Organisation
    ) -> None:
        provider = make_provider(owner=organisation, name="Riverside Walkers")

        service = editing.service_create(actor=editor, owner=organisation, details=DETAILS)

        assert service.organization_id == provider.pk

    def test_a_connector_cannot_create_entries(self, connector: User, organisation: Organisation) -> None:
        with pytest.raises(PermissionDenied):
            editing.service_create(actor=connector, owner=organisation, details=DETAILS)
        assert not Service.objects.exists()

    def test_an_editor_cannot_create_entries_for_another_organisation(
        self, other_editor: User, organisation: Organisation
    ) -> None:
        with pytest.raises(PermissionDenied):
            editing.service_create(actor=other_editor, owner=organisation, details=DETAILS)
        assert not Service.objects.exists()

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("name", " "),
            ("organization_name", ""),
            ("email", "not an address"),
            ("url", "http://"),
            ("minimum_age", "old"),
            ("minimum_age", "-1"),
            ("group_size", "enormous"),
            ("step_free", "maybe"),
            ("status", "sleeping"),
        ],
    )
    def test_bad_details_are_refused_on_their_field_and_save_nothing(
        self, editor: User, organisation: Organisation, field: str, value: str
    ) -> None:
        with pytest.raises(ValidationFailed) as caught:
            editing.service_create(actor=editor, owner=organisation, details={**DETAILS, field: value})
        assert field in caught.value.fields
        assert not Service.objects.exists()
        assert not Organization.objects.exists()

    def test_the_oldest_age_cannot_be_below_the_youngest(
        self, editor: User, organisation: Organisation
    ) -> None:
        with pytest.raises(ValidationFailed) as caught:
            editing.service_create(
                actor=editor, owner=organisation, details={**DETAILS, "minimum_age": 30, "maximum_age": 18}
            )
        assert "maximum_age" in caught.value.fields

    def test_a_web_address_without_a_scheme_gets_https(
        self, editor: User, organisation: Organisation
    ) -> None:
        service = editing.service_create(
            actor=editor, owner=organisation, details={**DETAILS, "url": "walkers.example.org"}
        )
        assert service.url == "https://walkers.example.org"

    def test_fields_that_are_not_part_of_an_entry_are_a_programming_error(
        self, editor: User, organisation: Organisation
    ) -> None:
        with pytest.raises(ValueError, match="state"):
            editing.service_create(
                actor=editor, owner=organisation, details={**DETAILS, "state": "published"}
            )


class TestUpdate:
    def test_only_the_given_fields_change_and_the_version_goes_up(
        self, editor: User, organisation: Organisation
    ) -> None:
        service = make_service(owner=organisation, name="Old name", description="Kept as it was")
        before = service.last_modified

        updated = editing.service_update(
            actor=editor, service=service, details={"name": "New name"}, expected_version=1
        )

        service.refresh_from_db()
        assert (service.name, service.description, service.version) == ("New name", "Kept as it was", 2)
        assert updated.version == 2
        assert service.last_modified is not None and before is not None and service.last_modified >= before

    def test_an_update_is_audited_with_the_names_of_changed_fields_only(
        self, editor: User, organisation: Organisation
    ) -> None:
        service = make_service(owner=organisation, email="old@example.org")

        editing.service_update(
            actor=editor,
            service=service,
            details={"email": "new@example.org", "description": service.description},
            expected_version=None,
        )

        [event] = _updates(service)
        assert event.fields == ["email"]
        assert event.values == {}
        assert "new@example.org" not in str(event.detail)

    def test_saving_without_changes_leaves_the_version_and_the_log_alone(
        self, editor: User, organisation: Organisation
    ) -> None:
        service = make_service(owner=organisation, name="Same")

        editing.service_update(actor=editor, service=service, details={"name": "Same"}, expected_version=1)

        service.refresh_from_db()
        assert service.version == 1
        assert _updates(service) == []

    def test_a_change_made_by_someone_else_meanwhile_is_a_conflict_and_nothing_is_saved(
        self, editor: User, organisation: Organisation
    ) -> None:
        service = make_service(owner=organisation, name="First")
        editing.service_update(actor=editor, service=service, details={"name": "Second"}, expected_version=1)

        with pytest.raises(editing.EditConflict) as caught:
            editing.service_update(
                actor=editor, service=service, details={"name": "Third"}, expected_version=1
            )

        assert caught.value.status == 409
        assert caught.value.code == "EDIT_CONFLICT"
        assert f"Changed by {editor} at " in caught.value.message
        assert caught.value.current["name"] == "Second" and caught.value.current["version"] == 2
        assert caught.value.yours["name"] == "Third" and caught.value.yours["version"] == 1
        service.refresh_from_db()
        assert (service.name, service.version) == ("Second", 2)

    def test_connector_facts_are_saved_in_their_typed_columns(
        self, editor: User, organisation: Organisation
    ) -> None:
        service = make_service(owner=organisation)

        editing.service_update(
            actor=editor,
            service=service,
            details={
                "step_free": "yes",
                "hearing_loop": False,
                "newcomers_met": True,
                "group_size": "small",
                "booking": "drop_in",
                "first_visit": "Ask for Jo at the door.",
                "parking": None,
            },
            expected_version=None,
        )

        service.refresh_from_db()
        assert (service.step_free, service.hearing_loop, service.newcomers_met) == (True, False, True)
        assert (service.group_size, service.booking, service.parking) == ("small", "drop_in", None)
        assert service.first_visit == "Ask for Jo at the door."

    def test_changing_the_provider_links_to_one_with_that_name(
        self, editor: User, organisation: Organisation
    ) -> None:
        service = make_service(owner=organisation)
        old_provider = service.organization_id

        editing.service_update(
            actor=editor, service=service, details={"organization_name": "New Group"}, expected_version=None
        )

        service.refresh_from_db()
        assert service.organization_id != old_provider
        assert service.organization.name == "New Group"
        assert [event.fields for event in _updates(service)] == [["organization"]]

    def test_the_main_phone_number_is_changed_or_removed(
        self, editor: User, organisation: Organisation
    ) -> None:
        service = make_service(owner=organisation)
        editing.service_update(
            actor=editor, service=service, details={"phone": "020 7946 0001"}, expected_version=None
        )
        editing.service_update(
            actor=editor, service=service, details={"phone": "020 7946 0002"}, expected_version=None
        )
        assert [phone.number for phone in service.phones.all()] == ["020 7946 0002"]

        editing.service_update(actor=editor, service=service, details={"phone": ""}, expected_version=None)
        assert not service.phones.exists()

    def test_an_editor_of_another_organisation_cannot_edit(
        self, other_editor: User, organisation: Organisation
    ) -> None:
        service = make_service(owner=organisation, name="Ours")
        with pytest.raises(PermissionDenied):
            editing.service_update(
                actor=other_editor, service=service, details={"name": "Theirs"}, expected_version=None
            )
        service.refresh_from_db()
        assert service.name == "Ours"

    def test_a_connector_cannot_edit(self, connector: User, organisation: Organisation) -> None:
        service = make_service(owner=organisation)
        with pytest.raises(PermissionDenied):
            editing.service_update(
                actor=connector, service=service, details={"name": "X"}, expected_version=None
            )


class TestLocation:
    ADDRESS: dict[str, Any] = {
        "name": "St Anne's Hall",
        "address_1": "1 Church Lane",
        "city": "London",
        "postal_code": "w106ab",
        "transportation": "Bus 52 to Ladbroke Grove.",
    }

    def test_the_postcode_places_the_venue_and_is_tidied(
        self, editor: User, organisation: Organisation
    ) -> None:
        service = make_service(owner=organisation, latitude=None, longitude=None)

        location = editing.service_location_set(actor=editor, service=service, details=self.ADDRESS)

        place = geography.locate("W10 6AB")
        assert (location.latitude, location.longitude) == (place.latitude, place.longitude)
        address = location.addresses.get()
        assert (address.address_1, address.postal_code) == ("1 Church Lane", "W10 6AB")
        assert location.transportation == "Bus 52 to Ladbroke Grove."
        service.refresh_from_db()
        assert service.version == 2
        assert [event.fields for event in _updates(service)] == [["location"]]

    def test_the_entrys_own_venue_is_changed_in_place(self, editor: User, organisation: Organisation) -> None:
        service = make_service(owner=organisation)
        original = service.service_at_locations.get().location_id

        location = editing.service_location_set(actor=editor, service=service, details=self.ADDRESS)

        assert location.pk == original
        assert Location.objects.count() == 1

    def test_a_venue_shared_with_another_entry_is_left_alone(
        self, editor: User, organisation: Organisation
    ) -> None:
        service = make_service(owner=organisation)
        shared = service.service_at_locations.get().location
        other = make_service(owner=organisation)
        ServiceAtLocation.objects.create(service=other, location=shared)
        shared_name = shared.name

        location = editing.service_location_set(actor=editor, service=service, details=self.ADDRESS)

        assert location.pk != shared.pk
        shared.refresh_from_db()
        assert shared.name == shared_name
        assert list(service.service_at_locations.values_list("location_id", flat=True)) == [location.pk]
        assert other.service_at_locations.filter(location=shared).exists()

    def test_an_unknown_postcode_is_refused_on_the_postcode_field(
        self, editor: User, organisation: Organisation
    ) -> None:
        service = make_service(owner=organisation)
        with pytest.raises(ValidationFailed) as caught:
            editing.service_location_set(
                actor=editor, service=service, details={**self.ADDRESS, "postal_code": "ZZ9 9ZZ"}
            )
        assert "postal_code" in caught.value.fields
        service.refresh_from_db()
        assert service.version == 1

    def test_an_address_needs_a_first_line_or_a_venue_name(
        self, editor: User, organisation: Organisation
    ) -> None:
        service = make_service(owner=organisation)
        with pytest.raises(ValidationFailed) as caught:
            editing.service_location_set(actor=editor, service=service, details={"postal_code": "W10 6AB"})
        assert "address_1" in caught.value.fields

    def test_a_stale_version_is_a_conflict(self, editor: User, organisation: Organisation) -> None:
        service = make_service(owner=organisation)
        with pytest.raises(editing.EditConflict):
            editing.service_location_set(
                actor=editor, service=service, details=self.ADDRESS, expected_version=7
            )


class TestSchedulesAndClosures:
    def test_a_session_time_is_added_checked_and_audited(
        self, editor: User, organisation: Organisation
    ) -> None:
        service = make_service(owner=organisation)

        schedule = editing.schedule_add(
            actor=editor,
            service=service,
            details={"freq": "monthly", "byday": "1fr", "opens_at": dt.time(14), "closes_at": dt.time(16)},
        )

        assert (schedule.freq, schedule.byday, schedule.service_id) == ("MONTHLY", "1FR", service.pk)
        service.refresh_from_db()
        assert service.version == 2
        [event] = _updates(service)
        assert (event.fields, event.detail) == (["schedules"], {"change": "added"})

    @pytest.mark.parametrize(
        ("details", "field"),
        [
            ({"freq": "WEEKLY"}, "byday"),
            ({"freq": "WEEKLY", "byday": "TU", "interval": 2}, "dtstart"),
            (
                {"freq": "WEEKLY", "byday": "TU", "opens_at": dt.time(12), "closes_at": dt.time(10)},
                "closes_at",
            ),
            ({"freq": "", "description": ""}, "description"),
        ],
    )
    def test_a_session_time_we_could_not_put_into_words_is_refused(
        self, editor: User, organisation: Organisation, details: dict[str, Any], field: str
    ) -> None:
        service = make_service(owner=organisation)
        with pytest.raises(ValidationFailed) as caught:
            editing.schedule_add(actor=editor, service=service, details=details)
        assert field in caught.value.fields
        assert service.schedules.count() == 1

    def test_a_session_time_is_removed(self, editor: User, organisation: Organisation) -> None:
        service = make_service(owner=organisation)
        schedule = service.schedules.get()

        editing.schedule_remove(actor=editor, service=service, schedule_id=schedule.pk)

        assert not Schedule.objects.filter(pk=schedule.pk).exists()
        assert [event.detail for event in _updates(service)] == [{"change": "removed"}]

    def test_removing_another_entrys_session_time_is_not_found(
        self, editor: User, organisation: Organisation
    ) -> None:
        service = make_service(owner=organisation)
        other = make_service(owner=organisation)
        with pytest.raises(NotFound):
            editing.schedule_remove(actor=editor, service=service, schedule_id=other.schedules.get().pk)
        assert other.schedules.exists()

    def test_a_closure_is_added_and_removed(self, editor: User, organisation: Organisation) -> None:
        service = make_service(owner=organisation)

        closure = editing.closure_add(
            actor=editor,
            service=service,
            starts_on=dt.date(2026, 12, 21),
            ends_on=dt.date(2027, 1, 4),
            reason="Christmas",
        )
        assert service.closures.get() == closure

        editing.closure_remove(actor=editor, service=service, closure_id=closure.pk)
        assert not Closure.objects.exists()
        service.refresh_from_db()
        assert service.version == 3

    def test_a_closure_cannot_end_before_it_starts(self, editor: User, organisation: Organisation) -> None:
        service = make_service(owner=organisation)
        with pytest.raises(ValidationFailed) as caught:
            editing.closure_add(
                actor=editor, service=service, starts_on=dt.date(2026, 8, 31), ends_on=dt.date(2026, 8, 1)
            )
        assert "ends_on" in caught.value.fields
        assert not Closure.objects.exists()

    def test_other_organisations_editors_cannot_change_times(
        self, other_editor: User, organisation: Organisation
    ) -> None:
        service = make_service(owner=organisation)
        with pytest.raises(PermissionDenied):
            editing.schedule_add(
                actor=other_editor, service=service, details={"freq": "WEEKLY", "byday": "MO"}
            )
        with pytest.raises(PermissionDenied):
            editing.closure_add(
                actor=other_editor,
                service=service,
                starts_on=dt.date(2026, 8, 1),
                ends_on=dt.date(2026, 8, 2),
            )
