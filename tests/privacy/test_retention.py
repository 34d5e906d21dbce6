"""Retention: people whose every referral and support closed longer ago than the organisation's period
are anonymised by the daily task, which logs what it did; the admin sets the period."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from linkwork.accounts.models import Organisation, User
from linkwork.accounts.roles import Role
from linkwork.audit.models import AuditEvent
from linkwork.core.errors import PermissionDenied, ValidationFailed
from linkwork.core.time import local_today
from linkwork.people.models import Person
from linkwork.privacy import services
from linkwork.privacy.catalogue import ERASED
from linkwork.privacy.models import (
    DEFAULT_RETENTION_MONTHS,
    DataRequest,
    RequestReason,
    RetentionRun,
    RetentionSetting,
)
from linkwork.referrals.models import Referral
from linkwork.support.services import episode_close
from tests.factories import OPERATOR, make_staff
from tests.journey_factories import london, make_episode

pytestmark = pytest.mark.django_db


def closed_months_ago(connector: User, months: int) -> Person:
    """Someone whose support started and closed (and whose referral was decided) `months` months ago."""
    closed_on = local_today() - dt.timedelta(days=round(months * 30.44))
    episode = make_episode(connector=connector, started_on=closed_on - dt.timedelta(days=90))
    episode_close(actor=OPERATOR, episode=episode, outcome="goals-met", on=closed_on)
    Referral.objects.filter(person=episode.person).update(
        received_at=london(closed_on - dt.timedelta(days=100)),
        decided_at=london(closed_on - dt.timedelta(days=90)),
    )
    return episode.person


@pytest.fixture
def people(connector: User) -> dict[str, Person]:
    return {
        "old": closed_months_ago(connector, DEFAULT_RETENTION_MONTHS + 2),
        "recent": closed_months_ago(connector, DEFAULT_RETENTION_MONTHS - 2),
        "open": make_episode(connector=connector).person,
    }


def test_the_default_period_is_eight_years() -> None:
    assert DEFAULT_RETENTION_MONTHS == 96


def test_only_people_closed_longer_ago_than_the_period_are_due(
    organisation: Organisation, people: dict[str, Person]
) -> None:
    due = list(services.retention_due(organisation, DEFAULT_RETENTION_MONTHS))
    assert due == [people["old"]]
    assert set(services.retention_due(organisation, 1)) == {people["old"], people["recent"]}


def test_a_later_follow_up_or_referral_keeps_a_person(organisation: Organisation, connector: User) -> None:
    person = closed_months_ago(connector, DEFAULT_RETENTION_MONTHS + 2)
    Referral.objects.filter(person=person).update(decided_at=london(local_today() - dt.timedelta(days=10)))
    assert list(services.retention_due(organisation, DEFAULT_RETENTION_MONTHS)) == []


def test_the_run_anonymises_those_due_and_logs_what_it_did(
    organisation: Organisation, people: dict[str, Person]
) -> None:
    result = services.retention_run(actor=OPERATOR, organisation=organisation)
    assert result.person_ids == [people["old"].pk]
    assert Person.objects.get(pk=people["old"].pk).first_name == ERASED
    assert Person.objects.get(pk=people["recent"].pk).first_name != ERASED
    run = RetentionRun.objects.get()
    assert (run.count, run.person_ids, run.months, run.dry_run) == (1, [people["old"].pk], 96, False)
    assert DataRequest.objects.get(person=people["old"]).reason == RequestReason.RETENTION
    entry = AuditEvent.objects.get(event="retention.ran")
    assert entry.detail == {"months": 96, "people": 1}
    assert AuditEvent.objects.filter(event="person.erased", object_id=str(people["old"].pk)).exists()


def test_a_second_run_finds_no_one_left(organisation: Organisation, people: dict[str, Person]) -> None:
    services.retention_run(actor=OPERATOR, organisation=organisation)
    assert services.retention_run(actor=OPERATOR, organisation=organisation).person_ids == []


def test_a_dry_run_changes_no_one_but_is_logged(
    organisation: Organisation, people: dict[str, Person]
) -> None:
    result = services.retention_run(actor=OPERATOR, organisation=organisation, dry_run=True)
    assert result.person_ids == [people["old"].pk]
    assert Person.objects.get(pk=people["old"].pk).first_name != ERASED
    assert RetentionRun.objects.get().dry_run is True
    assert not DataRequest.objects.exists()


def test_keep_means_no_one_is_anonymised(
    organisation: Organisation, admin: User, people: dict[str, Person]
) -> None:
    services.retention_update(actor=admin, organisation=organisation, months=None)
    result = services.retention_run(actor=OPERATOR, organisation=organisation)
    assert result.person_ids == []
    assert Person.objects.get(pk=people["old"].pk).first_name != ERASED


def test_the_admin_sets_the_period_and_it_is_audited(
    organisation: Organisation, admin: User, people: dict[str, Person]
) -> None:
    services.retention_update(actor=admin, organisation=organisation, months=12)
    assert RetentionSetting.objects.get(organisation=organisation).months == 12
    entry = AuditEvent.objects.get(event="retention.updated")
    assert entry.values == {"months": [96, 12]}
    result = services.retention_run(actor=OPERATOR, organisation=organisation)
    assert set(result.person_ids) == {people["old"].pk, people["recent"].pk}


@pytest.mark.parametrize("months", [0, -1, 1201])
def test_a_period_out_of_range_is_refused_and_nothing_changes(
    organisation: Organisation, admin: User, months: int
) -> None:
    with pytest.raises(ValidationFailed):
        services.retention_update(actor=admin, organisation=organisation, months=months)
    assert not RetentionSetting.objects.exists()


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.CONNECTOR, Role.ANALYST])
def test_only_organisation_admins_set_the_period(organisation: Organisation, role: Role) -> None:
    staff = make_staff(organisation=organisation, roles=[role])
    with pytest.raises(PermissionDenied):
        services.retention_update(actor=staff, organisation=organisation, months=12)
    assert not RetentionSetting.objects.exists()


def test_an_admin_cannot_set_another_organisations_period(
    organisation: Organisation, outsider_admin: User
) -> None:
    with pytest.raises(PermissionDenied):
        services.retention_update(actor=outsider_admin, organisation=organisation, months=12)


def test_each_organisation_keeps_to_its_own_period(
    organisation: Organisation, other_organisation: Organisation, people: dict[str, Person]
) -> None:
    other_connector = make_staff(organisation=other_organisation, roles=[Role.CONNECTOR])
    theirs = closed_months_ago(other_connector, DEFAULT_RETENTION_MONTHS + 2)
    services.retention_update(actor=OPERATOR, organisation=other_organisation, months=None)
    results = services.retention_run_all(actor=OPERATOR)
    assert {r.organisation.pk: r.person_ids for r in results} == {
        organisation.pk: [people["old"].pk],
        other_organisation.pk: [],
    }
    assert Person.objects.get(pk=theirs.pk).first_name != ERASED


def test_linkwork_daily_runs_the_retention_task(people: dict[str, Person]) -> None:
    out = StringIO()
    call_command("daily", stdout=out)
    assert "1 person(s) kept past their retention period anonymised." in out.getvalue()
    assert Person.objects.get(pk=people["old"].pk).first_name == ERASED


def test_the_retention_command_dry_run_lists_who_would_be_anonymised(
    organisation: Organisation, people: dict[str, Person]
) -> None:
    out = StringIO()
    call_command("person", "retention", "--dry-run", stdout=out)
    assert (
        f"{organisation.name}: would anonymise 1 person(s) kept over 96 months: {people['old'].pk}."
        in out.getvalue()
    )
    assert Person.objects.get(pk=people["old"].pk).first_name != ERASED
