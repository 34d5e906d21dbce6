"""Gap pages: one-click recording from the results (a POST of hidden fields), the form by hand, and the
gap report for supervisors and analysts (connectors see their own; it never shows names)."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.urls import include, path, reverse

from linkwork.accounts.models import Organisation, User
from linkwork.accounts.roles import Role
from linkwork.matching import gaps as services
from linkwork.matching.models import Gap
from linkwork.people.models import Person
from tests.conftest import signed_in
from tests.factories import make_staff
from tests.journey_factories import make_person

urlpatterns = [
    path("", include("linkwork.matching.urls_gaps")),
    path("", include("linkwork.web.urls")),
]
pytestmark = pytest.mark.urls(__name__)


@pytest.fixture
def person(organisation: Organisation) -> Person:
    return make_person(
        organisation=organisation, first_name="Maud", last_name="Ellery-Zamir", postcode="W10 5BU"
    )


def test_one_click_from_the_results_records_the_gap_and_returns(connector: User, person: Person) -> None:
    results = f"/people/{person.pk}/?tab=results"
    response = signed_in(connector).post(
        reverse("gap_record", args=[person.pk]),
        {"need": "Swimming for older women", "area": "W10", "barrier": "transport", "next": results},
    )
    assert response.status_code == 302
    assert response["Location"] == results
    gap = Gap.objects.get()
    assert (gap.need, gap.area, gap.barrier, gap.person) == (
        "Swimming for older women",
        "W10",
        "transport",
        person,
    )


def test_without_a_safe_next_it_returns_to_the_person(connector: User, person: Person) -> None:
    response = signed_in(connector).post(
        reverse("gap_record", args=[person.pk]), {"need": "Chess", "next": "//evil.example/"}
    )
    assert response["Location"] == reverse("person_detail", args=[person.pk])
    assert Gap.objects.get().area == "W10"


def test_the_form_is_filled_in_from_the_address(connector: User, person: Person) -> None:
    url = reverse("gap_record", args=[person.pk]) + "?need=Falconry&barrier=cost"
    html = signed_in(connector).get(url).content.decode()
    assert 'value="Falconry"' in html
    assert 'value="W10"' in html  # the person's district, never the full postcode
    assert "W10 5BU" not in html
    assert '<option value="cost" selected>' in html
    assert not Gap.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"need": "", "area": "W10"}, "This field is required."),
        ({"need": "Chess", "area": "near W10 5BU"}, services.AREA_POSTCODE),
        ({"need": "Chess for Maud Ellery-Zamir", "area": "W10"}, services.NEED_SURNAME),
        ({"need": "Chess", "area": "W10", "barrier": "money"}, "Select a valid choice."),
    ],
)
def test_bad_input_shows_the_form_with_the_error(
    connector: User, person: Person, data: dict[str, str], message: str
) -> None:
    response = signed_in(connector).post(reverse("gap_record", args=[person.pk]), data)
    assert response.status_code == 200
    assert message in unescape(response.content.decode())
    assert not Gap.objects.exists()


def test_another_organisations_person_is_not_found(person: Person, other_organisation: Organisation) -> None:
    outsider = signed_in(make_staff(organisation=other_organisation, roles=[Role.CONNECTOR]))
    assert outsider.post(reverse("gap_record", args=[person.pk]), {"need": "Chess"}).status_code == 404
    assert outsider.get(reverse("gap_record", args=[person.pk])).status_code == 404
    assert not Gap.objects.exists()


def test_a_volunteer_cannot_record_a_gap(volunteer: User, person: Person) -> None:
    assert (
        signed_in(volunteer).post(reverse("gap_record", args=[person.pk]), {"need": "Chess"}).status_code
        == 404
    )
    assert not Gap.objects.exists()


# --- The report --------------------------------------------------------------------------------------


@pytest.fixture
def recorded(connector: User, supervisor: User, person: Person) -> None:
    services.gap_record(
        actor=connector, need="Swimming for older women", area="W10", barrier="cost", person=person
    )
    services.gap_record(actor=supervisor, need="swimming for older women", area="W10", barrier="cost")
    services.gap_record(actor=supervisor, need="Falconry", area="Northgate")


@pytest.mark.usefixtures("recorded")
def test_the_report_groups_and_counts_without_names(supervisor: User) -> None:
    response = signed_in(supervisor).get(reverse("gap_list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "swimming for older women" in html
    assert "falconry" in html
    assert "3 gaps recorded" in html
    assert "Maud" not in html and "Ellery-Zamir" not in html


@pytest.mark.usefixtures("recorded")
def test_the_report_can_be_narrowed_by_barrier(supervisor: User) -> None:
    html = signed_in(supervisor).get(reverse("gap_list") + "?barrier=cost").content.decode()
    assert "swimming for older women" in html
    assert "falconry" not in html


@pytest.mark.usefixtures("recorded")
def test_analysts_see_the_report(organisation: Organisation) -> None:
    analyst = make_staff(organisation=organisation, roles=[Role.ANALYST])
    assert "falconry" in signed_in(analyst).get(reverse("gap_list")).content.decode()


@pytest.mark.usefixtures("recorded")
def test_connectors_see_the_gaps_they_recorded(connector: User) -> None:
    html = signed_in(connector).get(reverse("gap_list")).content.decode()
    assert "Gaps you recorded" in html
    assert "1 gap recorded" in html
    assert "falconry" not in html


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.ORGANISATION_ADMIN, Role.DIRECTORY_EDITOR])
def test_other_roles_are_refused_the_report(organisation: Organisation, role: Role) -> None:
    actor = make_staff(organisation=organisation, roles=[role])
    assert signed_in(actor).get(reverse("gap_list")).status_code == 403


def test_the_report_needs_signing_in() -> None:
    assert Client().get(reverse("gap_list")).status_code == 302


# --- Small numbers are hidden from analysts ------------------------------------------------------------


def shown_counts(html: str) -> list[str]:
    return [unescape(cell) for cell in re.findall(r'govuk-table__cell--numeric">([^<]*)<', html)]


def caption(html: str) -> str:
    found = re.search(r'id="gaps-caption">([^<]*)<', html)
    assert found is not None
    return found.group(1)


def record(actor: User, need: str, area: str, times: int) -> None:
    for _ in range(times):
        services.gap_record(actor=actor, need=need, area=area)


@pytest.fixture
def analyst(organisation: Organisation) -> User:
    return make_staff(organisation=organisation, roles=[Role.ANALYST])


@pytest.mark.usefixtures("recorded")
def test_analysts_see_counts_below_the_threshold_as_less_than_five_and_no_total(analyst: User) -> None:
    html = signed_in(analyst).get(reverse("gap_list")).content.decode()
    assert shown_counts(html) == ["<5", "<5"]
    assert caption(html) == "Gaps recorded"
    assert "3 gaps" not in html
    assert "Counts below 5 are shown as" in html


@pytest.mark.usefixtures("recorded")
def test_supervisors_see_the_counts_as_they_are(supervisor: User) -> None:
    html = signed_in(supervisor).get(reverse("gap_list")).content.decode()
    assert shown_counts(html) == ["2", "1"]
    assert "Counts below" not in html


def test_analysts_see_counts_at_the_threshold_and_hidden_rows_last(supervisor: User, analyst: User) -> None:
    record(supervisor, "Falconry", "Northgate", 1)
    record(supervisor, "Swimming", "W10", 5)
    record(supervisor, "Bingo", "W11", 4)
    html = signed_in(analyst).get(reverse("gap_list")).content.decode()
    assert shown_counts(html) == ["5", "<5", "<5"]
    assert html.index("bingo") < html.index("falconry")  # hidden rows in a fixed order, not by count
    assert caption(html) == "Gaps recorded"  # 10 would give away that the hidden rows add up to 5


def test_analysts_see_the_total_when_no_count_is_hidden(supervisor: User, analyst: User) -> None:
    record(supervisor, "Swimming", "W10", 5)
    record(supervisor, "Bingo", "W11", 6)
    html = signed_in(analyst).get(reverse("gap_list")).content.decode()
    assert shown_counts(html) == ["6", "5"]
    assert caption(html) == "11 gaps recorded"


def test_narrowing_the_report_never_shows_an_analyst_a_small_count(supervisor: User, analyst: User) -> None:
    record(supervisor, "Swimming", "W10", 5)
    record(supervisor, "Swimming", "W11", 2)
    client = signed_in(analyst)
    for query in ("", "?need=swimming", "?area=W11", "?area=W10"):
        html = client.get(reverse("gap_list") + query).content.decode()
        assert all(count == "<5" or int(count) >= 5 for count in shown_counts(html))
        assert caption(html) in ("Gaps recorded", "5 gaps recorded")


def test_the_threshold_follows_the_setting(supervisor: User, analyst: User, settings: Any) -> None:
    settings.LINKWORK_REPORT_THRESHOLD = 3
    record(supervisor, "Swimming", "W10", 3)
    record(supervisor, "Bingo", "W11", 2)
    html = signed_in(analyst).get(reverse("gap_list")).content.decode()
    assert shown_counts(html) == ["3", "<3"]


def test_connectors_see_the_counts_of_their_own_gaps(connector: User, person: Person) -> None:
    services.gap_record(actor=connector, need="Chess", area="W10", person=person)
    html = signed_in(connector).get(reverse("gap_list")).content.decode()
    assert shown_counts(html) == ["1"]
