"""The public directory on a phone: search by postcode, open an entry, suggest a service; with an axe
check on each page and no sideways scrolling at 360 px."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect

from linkwork.accounts.models import Organisation
from linkwork.core.time import now
from linkwork.directory import search
from linkwork.directory.models import EntryState, Service, VerificationMethod
from tests.directory.factories import make_service

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
PAGE_WIDTH = "() => document.documentElement.scrollWidth"

Check = Callable[[Page], None]
NewPage = Callable[..., Page]


def _fits_the_screen(page: Page) -> None:
    assert page.evaluate(PAGE_WIDTH) <= 360


def test_on_a_phone_search_by_postcode_and_open_an_entry(
    new_page: NewPage, organisation: Organisation, assert_accessible: Check
) -> None:
    make_service(
        owner=organisation,
        name="Knit and natter",
        description="Bring your knitting, or learn. Tea and biscuits.",
        cost_band="free",
        step_free=True,
        booking="drop_in",
        first_visit="Ask for Jo at the door.",
        last_verified_at=now(),
        verification_method=VerificationMethod.PHONE,
    )
    make_service(owner=organisation, name="Far away walks", latitude=53.48, longitude=-2.24)
    make_service(owner=organisation, name="Old quiz night", state=EntryState.STALE)
    search.invalidate()
    page = new_page(**PHONE)

    page.goto("/directory/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Find activities and services")
    assert_accessible(page)
    page.get_by_label("Your postcode").fill("W10 6AB")
    page.get_by_label("How far").select_option(label="Within 5 km")
    page.get_by_role("button", name="Search").click()

    results = page.get_by_role("list").filter(has=page.get_by_role("link", name="Knit and natter"))
    expect(results).to_contain_text(re.compile(r"\d+\.\d km · about \d+ minutes’ walk"))
    expect(page.get_by_role("link", name="Far away walks")).to_have_count(0)
    expect(page.get_by_text("May be out of date")).to_be_visible()
    _fits_the_screen(page)
    assert_accessible(page)

    page.get_by_role("link", name="Knit and natter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Knit and natter")
    expect(page.get_by_text(re.compile(r"From W10 6AB: \d+\.\d km"))).to_be_visible()
    expect(page.get_by_text("Ask for Jo at the door.")).to_be_visible()
    expect(page.get_by_role("link", name="Report a problem with this entry")).to_be_visible()
    _fits_the_screen(page)
    assert_accessible(page)


def test_suggest_a_service_shows_errors_then_confirms(
    new_page: NewPage, organisation: Organisation, assert_accessible: Check
) -> None:
    page = new_page(**PHONE)

    page.goto("/directory/suggest/")
    page.get_by_role("button", name="Send suggestion").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the name of the service or activity.")
    _fits_the_screen(page)
    assert_accessible(page)

    page.get_by_label("Name of the service or activity").fill("Knit and natter")
    page.get_by_label("Group or organisation that runs it").fill("St Anne's Church")
    page.get_by_label("What happens there, and who is it for?").fill("Bring your knitting, or learn.")
    page.get_by_label("Your name").fill("Pat Jones")
    page.get_by_label("Your e-mail address").fill("pat@example.org")
    page.get_by_role("button", name="Send suggestion").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Suggestion sent")
    expect(page.get_by_role("main")).to_contain_text("An editor will check the details")
    assert_accessible(page)
    assert Service.objects.get().state == EntryState.SUBMITTED
