"""The pages: the person page's link, the rights page and downloads, erasure with its dry run, the
admins' requests page and the retention setting."""

from __future__ import annotations

import json

import pytest

from linkwork.accounts.models import Organisation, User
from linkwork.audit.models import AuditEvent
from linkwork.people.models import Person
from linkwork.privacy import services
from linkwork.privacy.catalogue import ERASED
from linkwork.privacy.models import DataRequest, RetentionSetting
from linkwork.referrals.models import Referral
from tests.conftest import signed_in
from tests.factories import OPERATOR
from tests.journey_factories import make_episode
from tests.privacy.world import PHONE, World

pytestmark = pytest.mark.django_db

LINK = "Download everything we hold about"


def test_the_person_page_offers_the_download_to_the_teams_supervisor_not_the_connector(world: World) -> None:
    page = f"/people/{world.person.pk}/"
    assert LINK in signed_in(world.supervisor).get(page).content.decode()
    assert LINK not in signed_in(world.connector).get(page).content.decode()


def test_the_rights_page_offers_three_formats_and_erasure_only_to_admins(world: World) -> None:
    url = f"/privacy/people/{world.person.pk}/"
    admin_page = signed_in(world.admin).get(url).content.decode()
    assert "?format=pdf" in admin_page and "?format=html" in admin_page and "?format=json" in admin_page
    assert "Check what erasing changes" in admin_page
    supervisor_page = signed_in(world.supervisor).get(url).content.decode()
    assert "?format=pdf" in supervisor_page and "Check what erasing changes" not in supervisor_page
    assert signed_in(world.connector).get(url).status_code == 404


def test_the_download_is_a_file_in_the_format_asked_for(world: World) -> None:
    client = signed_in(world.supervisor)
    response = client.get(f"/privacy/people/{world.person.pk}/download/?format=json")
    assert response["Content-Type"] == "application/json"
    assert f'filename="person-{world.person.pk}-everything.json"' in response["Content-Disposition"]
    assert json.loads(response.content)["person_id"] == world.person.pk
    html = client.get(f"/privacy/people/{world.person.pk}/download/?format=html")
    assert html["Content-Type"].startswith("text/html") and PHONE in html.content.decode()
    assert AuditEvent.objects.filter(event="person.exported", actor_id=world.supervisor.pk).count() == 2


def test_an_unknown_format_is_not_found_and_nothing_is_recorded(world: World) -> None:
    response = signed_in(world.admin).get(f"/privacy/people/{world.person.pk}/download/?format=xls")
    assert response.status_code == 404
    assert not DataRequest.objects.exists()


def test_the_erase_page_lists_what_will_change_and_changes_nothing(world: World) -> None:
    response = signed_in(world.admin).get(f"/privacy/people/{world.person.pk}/erase/")
    page = response.content.decode()
    assert "What will change" in page and "Your story" in page and "Deleted" in page
    assert Person.objects.get(pk=world.person.pk).phone == PHONE


def test_erasing_needs_the_confirmation(world: World) -> None:
    response = signed_in(world.admin).post(f"/privacy/people/{world.person.pk}/erase/", {})
    assert "Confirm that you understand erasure cannot be undone." in response.content.decode()
    assert Person.objects.get(pk=world.person.pk).phone == PHONE


def test_confirming_erases_and_returns_to_the_rights_page(world: World) -> None:
    client = signed_in(world.admin)
    response = client.post(f"/privacy/people/{world.person.pk}/erase/", {"confirm": "on"})
    assert response.status_code == 302 and response["Location"] == f"/privacy/people/{world.person.pk}/"
    assert Person.objects.get(pk=world.person.pk).first_name == ERASED
    assert "have been erased" in client.get(response["Location"]).content.decode()


def test_the_erase_page_explains_why_a_person_with_open_support_cannot_be_erased(
    organisation: Organisation, admin: User, connector: User
) -> None:
    episode = make_episode(connector=connector)
    page = signed_in(admin).get(f"/privacy/people/{episode.person.pk}/erase/").content.decode()
    assert "still has an open referral or support" in page
    assert "Erase now" not in page


def test_a_supervisor_cannot_erase(world: World) -> None:
    client = signed_in(world.supervisor)
    assert client.get(f"/privacy/people/{world.person.pk}/erase/").status_code == 404
    assert client.post(f"/privacy/people/{world.person.pk}/erase/", {"confirm": "on"}).status_code == 404
    assert Person.objects.get(pk=world.person.pk).phone == PHONE


def test_another_organisations_admin_sees_nothing(world: World, outsider_admin: User) -> None:
    client = signed_in(outsider_admin)
    for url in ("", "download/?format=json", "erase/"):
        assert client.get(f"/privacy/people/{world.person.pk}/{url}").status_code == 404
    assert client.post(f"/privacy/people/{world.person.pk}/erase/", {"confirm": "on"}).status_code == 404
    assert Person.objects.get(pk=world.person.pk).phone == PHONE


def test_the_admin_finds_a_record_by_its_referral_reference(world: World) -> None:
    reference = Referral.objects.get(person=world.person).reference
    response = signed_in(world.admin).post("/privacy/", {"record": reference.lower()})
    assert response["Location"] == f"/privacy/people/{world.person.pk}/"


def test_a_reference_from_another_organisation_is_not_found(world: World, outsider_admin: User) -> None:
    reference = Referral.objects.get(person=world.person).reference
    response = signed_in(outsider_admin).post("/privacy/", {"record": reference})
    assert response.status_code == 200
    assert "No one in your organisation has that record number" in response.content.decode()


def test_the_admin_changes_the_retention_period(organisation: Organisation, admin: User) -> None:
    client = signed_in(admin)
    assert "96 months" in client.get("/privacy/").content.decode()
    response = client.post("/privacy/retention/", {"choice": "months", "months": "60"})
    assert response.status_code == 302
    assert RetentionSetting.objects.get(organisation=organisation).months == 60
    client.post("/privacy/retention/", {"choice": "keep"})
    assert RetentionSetting.objects.get(organisation=organisation).months is None
    assert "kept until someone erases them" in client.get("/privacy/").content.decode()


def test_months_are_required_when_chosen(organisation: Organisation, admin: User) -> None:
    response = signed_in(admin).post("/privacy/retention/", {"choice": "months", "months": ""})
    assert "Enter the number of months." in response.content.decode()
    assert not RetentionSetting.objects.exists()


def test_only_admins_reach_the_requests_page(supervisor: User, connector: User) -> None:
    assert signed_in(supervisor).get("/privacy/").status_code == 404
    assert signed_in(connector).get("/privacy/retention/").status_code == 404


def test_the_admin_sees_what_the_retention_task_did(organisation: Organisation, admin: User) -> None:
    services.retention_run(actor=OPERATOR, organisation=organisation, dry_run=True)
    page = signed_in(admin).get("/privacy/").content.decode()
    assert "a dry run, nothing changed; it would have anonymised 0 people kept over 96 months." in page
