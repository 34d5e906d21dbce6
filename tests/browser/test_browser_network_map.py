"""The network map in a real browser, on a phone-sized screen, with an axe check after every change.

A connector adds entries with the short form, sees each one in the picture, moves one between
rings, marks the first map complete and downloads the picture; the person's surname never shows in
a picture. A volunteer assigned to the person sees the map only once the connector shares it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Locator, Page, expect

from linkwork.accounts.models import Organisation, User
from linkwork.accounts.roles import Role
from linkwork.people.models import Person
from tests.journey_factories import make_episode, make_person

Check = Callable[[Page], None]
SignIn = Callable[[Page, User], None]
NewPage = Callable[..., Page]
MakeStaff = Callable[..., User]

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
SURNAME = "Featherstonehaugh"


def _person(organisation: Organisation, connector: User, volunteers: list[User] | None = None) -> Person:
    person = make_person(organisation=organisation, first_name="Edith", last_name=SURNAME)
    make_episode(connector=connector, person=person, volunteers=volunteers or [])
    return person


def _entry(page: Page, label: str) -> Locator:
    """The entry called `label` in the picture of the map as it is now (the last picture)."""
    return page.locator("figure.lw-ecomap").last.locator("svg g.entry", has_text=label)


def _no_sideways_scrolling(page: Page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 360, f"the page is {width}px wide on a 360px screen"


def _no_surname_in_pictures(page: Page) -> None:
    pictures = page.locator("svg")
    assert pictures.count() > 0
    for index in range(pictures.count()):
        assert SURNAME.casefold() not in pictures.nth(index).evaluate("svg => svg.outerHTML").casefold()


def _banner(page: Page, text: str) -> None:
    expect(page.locator(".govuk-notification-banner")).to_contain_text(text)


def _add(page: Page, label: str, kind: str, ring: str) -> None:
    page.get_by_label("Who or what", exact=True).fill(label)
    page.get_by_label("Kind", exact=True).select_option(label=kind)
    page.get_by_role("group", name="How close").get_by_label(ring, exact=True).check()
    page.get_by_role("button", name="Add", exact=True).click()
    _banner(page, f"“{label}” is on the map.")


def test_a_connector_builds_the_map_on_a_phone(
    new_page: NewPage,
    organisation: Organisation,
    make_staff: MakeStaff,
    sign_in: SignIn,
    assert_accessible: Check,
) -> None:
    connector = make_staff("sam.okafor", [Role.CONNECTOR])
    person = _person(organisation, connector)
    page = new_page(**PHONE)
    sign_in(page, connector)

    page.goto(f"/people/{person.pk}/network-map/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Edith's people, places and activities")
    _no_sideways_scrolling(page)
    assert_accessible(page)

    for label, kind, ring, drawn_ring in (
        ("Sister", "Family", "Inner: closest", "inner"),
        ("Lunch club", "Club", "Middle", "middle"),
        ("Bingo", "Activity", "Outer", "outer"),
    ):
        _add(page, label, kind, ring)
        expect(_entry(page, label)).to_have_count(1)
        expect(_entry(page, label)).to_have_attribute("data-ring", drawn_ring)
        _no_sideways_scrolling(page)
        _no_surname_in_pictures(page)
        assert_accessible(page)

    # Bingo moves from the outer ring to the middle one.
    card = page.locator("li.lw-card", has_text="Bingo")
    card.get_by_role("button", name=re.compile(r"^Move to middle")).click()
    expect(_entry(page, "Bingo")).to_have_attribute("data-ring", "middle")
    expect(page.locator("li.lw-card", has_text="Bingo")).to_contain_text("Middle")
    _no_sideways_scrolling(page)
    assert_accessible(page)

    page.get_by_role("button", name="The first map is complete", exact=True).click()
    _banner(page, "The map is saved as it is today.")
    expect(page.locator("figure.lw-ecomap")).to_have_count(2)
    for label in ("Sister", "Lunch club", "Bingo"):
        expect(_entry(page, label)).to_have_count(1)
    expect(page.get_by_role("button", name="The first map is complete")).to_have_count(0)
    _no_sideways_scrolling(page)
    _no_surname_in_pictures(page)
    assert_accessible(page)

    png_link = page.get_by_role("link", name="picture (PNG)", exact=True)
    href = png_link.get_attribute("href")
    assert href is not None
    response = page.request.get(href)
    assert response.status == 200
    assert response.headers["content-type"] == "image/png"
    assert response.body().startswith(b"\x89PNG")


def test_a_volunteer_sees_the_map_only_once_it_is_shared(
    new_page: NewPage,
    organisation: Organisation,
    make_staff: MakeStaff,
    sign_in: SignIn,
    assert_accessible: Check,
) -> None:
    connector = make_staff("sam.okafor", [Role.CONNECTOR])
    volunteer = make_staff("val.jones", [Role.VOLUNTEER], first_name="Val")
    person = _person(organisation, connector, volunteers=[volunteer])
    url = f"/people/{person.pk}/network-map/"

    helper = new_page(**PHONE)
    sign_in(helper, volunteer)
    assert helper.request.get(url).status == 404

    page = new_page(**PHONE)
    sign_in(page, connector)
    page.goto(url)
    _add(page, "Lunch club", "Club", "Middle")
    page.get_by_role("button", name="Share with their volunteer", exact=True).click()
    _banner(page, "Volunteers can now see the map.")
    assert_accessible(page)

    response = helper.goto(url)
    assert response is not None and response.status == 200
    expect(helper.get_by_role("heading", level=1)).to_have_text("Edith's people, places and activities")
    expect(_entry(helper, "Lunch club")).to_have_count(1)
    expect(helper.get_by_role("button", name="Add")).to_have_count(0)
    _no_sideways_scrolling(helper)
    _no_surname_in_pictures(helper)
    assert_accessible(helper)
