"""The service report in a real browser on a phone-sized screen: a supervisor reads its tables and
charts, asks for a period that ends before it starts and is told what to put right; axe finds no
WCAG A or AA problems either time."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect

from linkwork.accounts.models import Organisation, User
from linkwork.accounts.roles import Role
from linkwork.referrals.models import ReferralSource
from tests.journey_factories import days_ago, london, make_episode, make_person, make_referral

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


def _referrals(organisation: Organisation, connector: User) -> None:
    sources = [ReferralSource.GP] * 6 + [ReferralSource.SELF] * 2
    for number, source in enumerate(sources):
        person = make_person(organisation=organisation, first_name=f"Person{number}")
        referral = make_referral(person=person, source=source, received_at=london(days_ago(40 + number * 9)))
        if number % 2 == 0:
            make_episode(connector=connector, referral=referral, started_on=days_ago(30 + number * 9))


def test_a_supervisor_reads_the_service_report_on_a_phone(
    new_page: Callable[..., Page],
    organisation: Organisation,
    make_staff: Callable[..., User],
    sign_in: Callable[[Page, User], None],
    assert_accessible: Callable[[Page], None],
) -> None:
    _referrals(organisation, make_staff("cara.connector", [Role.CONNECTOR], first_name="Cara"))
    page = new_page(**PHONE)
    sign_in(page, make_staff("sam.supervisor", [Role.SUPERVISOR]))

    page.get_by_role("main").get_by_role("link", name="Reports", exact=True).click()
    expect(page).to_have_url(re.compile(r"/reports/$"))
    page.get_by_role("link", name="Service", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Service")
    expect(page.locator("#table-referrals_by_month")).to_be_visible()
    expect(page.locator("figure.lw-chart").first).to_be_visible()
    expect(page.get_by_role("link", name="The whole report as JSON")).to_be_visible()
    assert_accessible(page)

    page.get_by_text("Change the period, team or connector").click()
    page.get_by_label("From", exact=True).fill("01/03/2026")
    page.get_by_label("To", exact=True).fill("01/02/2026")
    page.get_by_role("button", name="Show the report").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("The last day of the period must be the same as or after the first day")
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator("#table-referrals_by_month")).to_have_count(0)
    assert_accessible(page)
