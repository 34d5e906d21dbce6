"""The connection pages: making one, its page with the next steps and history, the forms for moves
that need details, the provider link page, the person page's list, and who gets 404."""

from __future__ import annotations

import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from linkwork.audit.models import AuditEvent
from linkwork.matching import connection_selectors as selectors
from linkwork.matching.connections import connection_create, connection_move
from linkwork.matching.models.connections import Connection, ConnectionMove, ProviderLink
from tests.conftest import signed_in
from tests.matching.test_connections import SURNAME, Case, at_stage, build_case


@pytest.fixture
def case(db: None) -> Case:
    return build_case()


@pytest.fixture
def connection(case: Case) -> Connection:
    return connection_create(
        actor=case.connector, person=case.person, service=case.service, note="Nervous about groups"
    )


def test_a_connector_makes_a_connection_from_the_form(case: Case) -> None:
    client = signed_in(case.connector)
    url = reverse("connection_create", args=[case.person.pk])
    form = client.get(f"{url}?service_id={case.service.pk}")
    assert form.status_code == 200
    assert str(case.service.pk) in form.content.decode()
    assert "Connecting Mary with Tuesday Walking Group." in form.content.decode()
    response = client.post(url, {"service_id": str(case.service.pk), "status": "discussed", "note": "Keen"})
    made = Connection.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("connection_detail", args=[made.pk])
    assert (made.status, made.note, made.service_name) == ("discussed", "Keen", "Tuesday Walking Group")


def test_the_form_explains_a_wrong_entry_or_stage(case: Case) -> None:
    client = signed_in(case.connector)
    url = reverse("connection_create", args=[case.person.pk])
    response = client.post(url, {"service_id": "nonsense", "status": "discussed"})
    assert response.status_code == 200
    assert "There is no directory entry with that id" in response.content.decode()
    response = client.post(url, {"service_id": str(case.service.pk), "status": "attended"})
    assert "govuk-error-summary" in response.content.decode()
    assert not Connection.objects.exists()


def test_only_casework_staff_reach_the_form(case: Case) -> None:
    url = reverse("connection_create", args=[case.person.pk])
    for actor in (case.volunteer, case.admin, case.outside_connector, case.outsider):
        assert signed_in(actor).get(url).status_code == 404
        assert (
            signed_in(actor)
            .post(url, {"service_id": str(case.service.pk), "status": "suggested"})
            .status_code
            == 404
        )
    assert not Connection.objects.exists()


def test_the_page_shows_the_stage_next_step_actions_and_history(case: Case, connection: Connection) -> None:
    response = signed_in(case.connector).get(reverse("connection_detail", args=[connection.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Tuesday Walking Group" in html and "Suggested" in html
    assert "Talk it over with the person" in html
    assert "Nervous about groups" in html
    assert reverse("connection_action", args=[connection.pk, "discuss"]) in html
    assert reverse("connection_action", args=[connection.pk, "decline"]) in html
    assert "Connection made" in html


def test_opening_a_connection_is_audited_for_casework_and_for_a_volunteer(
    case: Case, connection: Connection
) -> None:
    address = reverse("connection_detail", args=[connection.pk])
    assert signed_in(case.connector).get(address).status_code == 200
    assert signed_in(case.volunteer).get(address).status_code == 200
    assert signed_in(case.outsider).get(address).status_code == 404
    views = AuditEvent.objects.filter(event="connection.viewed", object_id=str(connection.pk))
    assert sorted(views.values_list("actor_id", "detail__view")) == sorted(
        [(case.connector.pk, "view"), (case.volunteer.pk, "view_practical")]
    )


def test_a_simple_move_is_one_button(case: Case, connection: Connection) -> None:
    client = signed_in(case.connector)
    response = client.post(reverse("connection_action", args=[connection.pk, "discuss"]))
    assert response.status_code == 302
    assert Connection.objects.get(pk=connection.pk).status == "discussed"
    html = client.get(response["Location"]).content.decode()
    assert "Mark as discussed" in html  # in the history


def test_declining_asks_why_on_its_own_page(case: Case, connection: Connection) -> None:
    client = signed_in(case.connector)
    url = reverse("connection_action", args=[connection.pk, "decline"])
    assert "Why did they say no?" in client.get(url).content.decode()
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200 and "govuk-error-summary" in response.content.decode()
    assert Connection.objects.get(pk=connection.pk).status == "suggested"
    client.post(url, {"reason": "Does not like dogs"})
    connection.refresh_from_db()
    assert (connection.status, connection.reason_detail) == ("declined", "Does not like dogs")
    assert (
        "Does not like dogs"
        in client.get(reverse("connection_detail", args=[connection.pk])).content.decode()
    )


def test_planning_the_first_visit_and_stopping_use_their_forms(case: Case, connection: Connection) -> None:
    at_stage(connection, "referred")
    client = signed_in(case.connector)
    plan = reverse("connection_action", args=[connection.pk, "plan_visit"])
    response = client.post(plan, {"accompanied_by": "", "visit_on": ""})
    assert "govuk-error-summary" in response.content.decode()
    client.post(
        plan, {"accompanied_by": "volunteer", "visit_on": "2026-12-01", "visit_arrangements": "At the gate"}
    )
    connection.refresh_from_db()
    assert (connection.status, connection.accompanied_by) == ("visit_planned", "volunteer")
    stop = reverse("connection_action", args=[connection.pk, "stop"])
    response = client.post(stop, {"reason": "other", "detail": ""})
    assert "Say a little more" in response.content.decode()
    client.post(stop, {"reason": "health", "detail": ""})
    assert Connection.objects.get(pk=connection.pk).status == "stopped"


def test_a_move_the_stage_does_not_allow_changes_nothing(case: Case, connection: Connection) -> None:
    client = signed_in(case.connector)
    response = client.post(reverse("connection_action", args=[connection.pk, "attended"]), follow=True)
    assert "cannot be attended" in response.content.decode()
    assert Connection.objects.get(pk=connection.pk).status == "suggested"
    assert (
        client.post(reverse("connection_action", args=[connection.pk, "provider_attended"])).status_code
        == 404
    )
    assert client.post(reverse("connection_action", args=[connection.pk, "nonsense"])).status_code == 404


def test_another_organisation_or_a_connector_outside_the_case_gets_404(
    case: Case, connection: Connection
) -> None:
    for actor in (case.outsider, case.outside_connector, case.admin, case.other_volunteer):
        client = signed_in(actor)
        assert client.get(reverse("connection_detail", args=[connection.pk])).status_code == 404
        assert client.post(reverse("connection_action", args=[connection.pk, "discuss"])).status_code == 404
        assert client.get(reverse("connection_provider_link", args=[connection.pk])).status_code == 404
    assert Connection.objects.get(pk=connection.pk).status == "suggested"
    assert not ProviderLink.objects.exists()


def test_the_assigned_volunteer_sees_the_practical_page_and_cannot_move_it(
    case: Case, connection: Connection
) -> None:
    connection_move(actor=case.connector, connection=connection, action="interested")
    connection_move(
        actor=case.connector,
        connection=connection,
        action="plan_visit",
        accompanied_by="volunteer",
        visit_on="2026-12-01",
        visit_arrangements="Meet at the gate at ten",
    )
    client = signed_in(case.volunteer)
    response = client.get(reverse("connection_detail", args=[connection.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        "Tuesday Walking Group" in html and "Meet at the gate at ten" in html and "with a volunteer" in html
    )
    assert "Nervous about groups" not in html  # the connector's note
    assert reverse("connection_action", args=[connection.pk, "attended"]) not in html
    assert client.post(reverse("connection_action", args=[connection.pk, "attended"])).status_code == 404
    assert Connection.objects.get(pk=connection.pk).status == "visit_planned"


def test_making_a_provider_link_shows_it_once(case: Case, connection: Connection) -> None:
    at_stage(connection, "interested")
    client = signed_in(case.connector)
    url = reverse("connection_provider_link", args=[connection.pk])
    assert case.connector.email in client.get(url).content.decode()
    response = client.post(
        url, {"request": "Can Mary join?", "contact_name": "Sam", "contact_details": "sam@example.org"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    match = re.search(r'value="(http://testserver/confirm/[^"]+/)"', html)
    assert match is not None
    public = client.__class__().get(match.group(1).replace("http://testserver", ""))
    assert public.status_code == 200 and "Can Mary join?" in public.content.decode()
    detail = client.get(reverse("connection_detail", args=[connection.pk])).content.decode()
    assert "no answer yet" in detail


def test_a_provider_link_for_a_connection_not_ready_is_explained(case: Case, connection: Connection) -> None:
    response = signed_in(case.connector).post(
        reverse("connection_provider_link", args=[connection.pk]),
        {"request": "Can Mary join?", "contact_name": "Sam", "contact_details": "sam@example.org"},
    )
    assert "once the person is interested" in response.content.decode()
    assert not ProviderLink.objects.exists()


def test_the_history_names_the_provider_and_their_reason(case: Case, connection: Connection) -> None:
    from linkwork.matching.connections import provider_confirm, provider_link_create

    at_stage(connection, "referred")
    _, token = provider_link_create(actor=case.connector, connection=connection, request="Can Mary join?")
    provider_confirm(token=token, answer="could_not_help", reason="Full until spring")
    html = signed_in(case.connector).get(reverse("connection_detail", args=[connection.pk])).content.decode()
    assert "The provider, through their link" in html
    assert "Full until spring" in html
    assert ConnectionMove.objects.filter(by_provider=True).count() == 1


def test_the_person_page_include_lists_stage_and_next_step(case: Case, connection: Connection) -> None:
    rows = selectors.person_connections(actor=case.connector, person=case.person)
    html = render_to_string(
        "matching/connections/_person_connections.html",
        {"connections": rows, "person": case.person, "may_connect": True},
    )
    assert "Tuesday Walking Group" in html and "Suggested" in html and "Talk it over with the person" in html
    assert reverse("connection_detail", args=[connection.pk]) in html
    assert reverse("connection_create", args=[case.person.pk]) in html
    practical = render_to_string(
        "matching/connections/_person_connections.html",
        {
            "connections": selectors.person_connections(actor=case.volunteer, person=case.person),
            "person": case.person,
        },
    )
    assert "Tuesday Walking Group" in practical and "Talk it over" not in practical
    assert SURNAME not in practical
    empty = render_to_string(
        "matching/connections/_person_connections.html", {"connections": [], "person": case.person}
    )
    assert "No connections yet." in empty


def test_only_casework_staff_are_offered_the_make_a_connection_link(case: Case) -> None:
    assert selectors.connection_may_create(actor=case.connector, person=case.person)
    for actor in (case.volunteer, case.admin, case.outside_connector, case.outsider):
        assert not selectors.connection_may_create(actor=actor, person=case.person)
