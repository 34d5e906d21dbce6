"""Erasure: no personal value of the person is left anywhere in the database, the reports count the
same, the audit log is untouched, and every refusal changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection

from linkwork.accounts.models import Organisation
from linkwork.accounts.roles import Role
from linkwork.audit.models import AuditEvent
from linkwork.audit.services import audit_verify
from linkwork.core.errors import DomainError, PermissionDenied
from linkwork.core.time import local_today
from linkwork.matching.models import ProviderLink, ShortlistLink
from linkwork.outcomes.models import MeasureLink, Story
from linkwork.people.models import Person
from linkwork.people.selectors import person_get
from linkwork.privacy import services
from linkwork.privacy.catalogue import ERASED
from linkwork.privacy.models import DataRequest, RequestKind
from linkwork.referrals.models import Referral
from linkwork.reporting import exporting
from linkwork.reporting.reports import build_report
from linkwork.reporting.scope import ReportName, ReportScope
from tests.factories import OPERATOR, make_staff
from tests.journey_factories import make_episode, make_person, make_referral
from tests.privacy.world import POSTCODE, World

pytestmark = pytest.mark.django_db


def database_text() -> str:
    """Every column of every table, as text: what a search of the whole database would see."""
    parts: list[str] = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = [
                column.name for column in connection.introspection.get_table_description(cursor, table)
            ]
            selected = ", ".join(f"CAST({quote(column)} AS TEXT)" for column in columns)
            cursor.execute(f"SELECT {selected} FROM {quote(table)}")  # noqa: S608
            parts.extend("\x1f".join(value or "" for value in row) for row in cursor.fetchall())
    return "\n".join(parts)


def reports(organisation: Organisation) -> dict[str, Any]:
    today = local_today()
    scope = ReportScope(organisation.pk, today - dt.timedelta(days=365), today)
    built = {}
    for name in (
        ReportName.SERVICE,
        ReportName.OUTCOMES,
        ReportName.CONNECTIONS,
        ReportName.GAPS,
        ReportName.EQUITY,
    ):
        report = exporting.report_json(build_report(name, scope, suppressed=False))
        report.pop("generated_at")
        built[name.value] = report
    return built


def test_after_erasure_no_personal_value_of_the_person_is_anywhere_in_the_database(world: World) -> None:
    before = database_text()
    for value in world.personal:
        assert value in before, f"the test's own check: {value!r} should be there before erasure"
    services.person_erase(actor=world.admin, person=world.person)
    after = database_text()
    left = [value for value in world.personal if value in after]
    assert left == []


def test_reports_count_the_same_before_and_after_erasure(world: World) -> None:
    before = reports(world.organisation)
    assert before["outcomes"]["sections"][0]["tables"][0]["rows"], (
        "the outcomes report has the person's scores"
    )
    services.person_erase(actor=world.admin, person=world.person)
    assert reports(world.organisation) == before


def test_erasure_keeps_the_facts_reports_need_and_marks_free_text(world: World) -> None:
    reference = Referral.objects.get(person=world.person).reference
    services.person_erase(actor=world.admin, person=world.person)
    person = Person.objects.get(pk=world.person.pk)
    assert person.first_name == ERASED
    assert (person.last_name, person.phone, person.email, person.nhs_number, person.address) == (
        "",
        "",
        "",
        "",
        "",
    )
    assert person.date_of_birth is None
    assert person.age_band == "75-84"
    assert person.postcode == "LS6 ***"
    assert (person.gender, person.ethnicity) == ("woman", "white-irish")
    assert person.disability_and_conditions == ERASED
    episode = person.episodes.get()
    assert (episode.status, episode.outcome, episode.closed_on) == (
        world.episode.status,
        "goals-met",
        world.episode.closed_on,
    )
    assert episode.outcome_note == ERASED
    assert not Story.objects.filter(episode=episode).exists()
    referral = Referral.objects.get(person=person)
    assert referral.reference != reference and referral.reference.startswith("LW-")


def test_links_sent_out_stop_working_after_erasure(world: World) -> None:
    services.person_erase(actor=world.admin, person=world.person)
    assert all(link.revoked_at is not None for link in ProviderLink.objects.all())
    assert all(link.revoked_at is not None for link in ShortlistLink.objects.all())
    unused = MeasureLink.objects.filter(used_at__isnull=True).get()
    assert unused.expires_at <= dt.datetime.now(dt.UTC)


def test_erasure_leaves_the_audit_log_as_it_was_and_adds_counts_only(world: World) -> None:
    before = list(AuditEvent.objects.order_by("seq").values_list("seq", "hash"))
    plan = services.person_erase(actor=world.admin, person=world.person)
    after = list(AuditEvent.objects.order_by("seq").values_list("seq", "hash"))
    assert after[: len(before)] == before
    assert audit_verify().ok
    entry = AuditEvent.objects.get(event="person.erased")
    assert entry.object_id == str(world.person.pk) and entry.actor_id == world.admin.pk
    assert entry.fields == [] and entry.values == {}
    assert entry.detail == {"reason": "person-asked", "counts": plan.counts()}
    assert all(isinstance(n, int) for counts in entry.detail["counts"].values() for n in counts.values())


def test_past_audit_entries_about_the_person_hold_ids_and_field_names_not_their_details(world: World) -> None:
    entries = AuditEvent.objects.filter(organisation_id=world.organisation.pk)
    text = " ".join(f"{e.fields} {e.values} {e.detail} {e.object_id}" for e in entries)
    for value in world.personal:
        assert value not in text


def test_the_dry_run_lists_the_changes_and_changes_nothing(world: World) -> None:
    before = database_text()
    plan = services.erasure_preview(actor=world.admin, person=world.person)
    assert database_text() == before
    lines = {line.key: line for line in plan.touched}
    assert lines["stories"].deleted == 1
    assert lines["person"].changed["Phone"] == 1
    assert lines["contacts"].changed["Notes"] == 1
    assert "measures" not in lines  # scores are kept as they are


def test_a_failure_part_way_leaves_everything_as_it_was(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = database_text()

    def broken(**_: Any) -> None:
        raise RuntimeError("the audit log is unavailable")

    monkeypatch.setattr(services, "audit_record", broken)
    with pytest.raises(RuntimeError):
        services.person_erase(actor=world.admin, person=world.person)
    assert database_text() == before


def test_a_person_is_erased_only_once(world: World) -> None:
    services.person_erase(actor=world.admin, person=world.person)
    with pytest.raises(DomainError) as refused:
        services.person_erase(actor=world.admin, person=world.person)
    assert refused.value.code == "ALREADY_ERASED"
    assert DataRequest.objects.filter(kind=RequestKind.ERASURE).count() == 1


def test_a_person_with_open_support_is_not_erased(organisation: Organisation) -> None:
    admin = make_staff(organisation=organisation, roles=[Role.ORGANISATION_ADMIN])
    connector = make_staff(organisation=organisation, roles=[Role.CONNECTOR])
    episode = make_episode(connector=connector)
    with pytest.raises(DomainError) as refused:
        services.person_erase(actor=admin, person=episode.person)
    assert refused.value.code == "STILL_OPEN"
    assert Person.objects.get(pk=episode.person.pk).first_name == episode.person.first_name
    assert not DataRequest.objects.exists()


def test_a_person_with_a_referral_waiting_is_not_erased(organisation: Organisation) -> None:
    person = make_person(organisation=organisation)
    make_referral(person=person)
    with pytest.raises(DomainError):
        services.erasure_preview(actor=OPERATOR, person=person)


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.CONNECTOR, Role.ANALYST])
def test_only_organisation_admins_may_erase(world: World, role: Role) -> None:
    staff = make_staff(organisation=world.organisation, roles=[role], teams=[world.team])
    with pytest.raises(PermissionDenied):
        services.person_erase(actor=staff, person=world.person)
    assert Person.objects.get(pk=world.person.pk).phone == world.person.phone


def test_another_organisations_admin_may_not_erase(world: World, outsider_admin: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.person_erase(actor=outsider_admin, person=world.person)
    assert Person.objects.get(pk=world.person.pk).postcode == POSTCODE


def test_the_erased_persons_page_still_opens_for_their_connector(world: World) -> None:
    services.person_erase(actor=world.admin, person=world.person)
    assert person_get(actor=world.connector, person_id=world.person.pk).first_name == ERASED
