"""An organisation admin adds a member of staff through the form."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.core.mail import EmailMessage
from playwright.sync_api import Page, expect

from linkwork.accounts.models import User
from linkwork.accounts.roles import Role


def test_admin_adds_a_member_of_staff(
    page: Page,
    make_staff: Callable[..., User],
    sign_in: Callable[[Page, User], None],
    mailoutbox: list[EmailMessage],
) -> None:
    sign_in(page, make_staff("sam.admin", [Role.ORGANISATION_ADMIN]))

    page.get_by_role("main").get_by_role("link", name="Staff", exact=True).click()
    page.get_by_role("link", name="Add a member of staff").click()
    expect(page).to_have_url(re.compile(r"/staff/add/$"))
    page.get_by_label("Username", exact=True).fill("priya.patel")
    page.get_by_label("First name", exact=True).fill("Priya")
    page.get_by_label("Last name", exact=True).fill("Patel")
    page.get_by_label("E-mail address", exact=True).fill("priya.patel@example.org")
    page.get_by_role("group", name="Roles").get_by_label("Connector", exact=True).check()
    page.get_by_role("button", name="Add and send sign-in link").click()

    expect(page).to_have_url(re.compile(r"/staff/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Priya Patel")
    expect(page.get_by_role("alert")).to_contain_text("Priya Patel has been added")
    expect(page.get_by_role("main")).to_contain_text("priya.patel@example.org")
    assert [message.to for message in mailoutbox] == [["priya.patel@example.org"]]


def test_empty_add_staff_form_links_each_error_to_its_field(
    page: Page,
    make_staff: Callable[..., User],
    sign_in: Callable[[Page, User], None],
    assert_accessible: Callable[[Page], None],
) -> None:
    sign_in(page, make_staff("sam.admin", [Role.ORGANISATION_ADMIN]))
    page.goto("/staff/add/")

    page.get_by_role("button", name="Add and send sign-in link").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Error: "))
    links = summary.get_by_role("link")
    expect(links).to_have_count(4)
    hrefs = [links.nth(index).get_attribute("href") for index in range(4)]
    assert hrefs == ["#id_username", "#id_first_name", "#id_email", "#id_roles"]
    links.first.click()
    expect(page.get_by_label("Username", exact=True)).to_be_focused()
    assert_accessible(page)
