"""Signing in and out, each role's home page, and pages at phone width."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from linkwork.accounts.models import User
from linkwork.accounts.roles import Role

# The entry points (home page cards and header links) each role must and must not see.
ENTRY_POINTS: dict[Role, tuple[set[str], set[str]]] = {
    Role.CONNECTOR: ({"Staff", "API tokens"}, {"Teams", "Audit log"}),
    Role.VOLUNTEER: ({"API tokens"}, {"Staff", "Teams", "Audit log"}),
    Role.SUPERVISOR: ({"Staff", "Audit log", "API tokens"}, {"Teams"}),
    Role.DIRECTORY_EDITOR: ({"API tokens"}, {"Staff", "Teams", "Audit log"}),
    Role.ANALYST: ({"API tokens"}, {"Staff", "Teams", "Audit log"}),
    Role.ORGANISATION_ADMIN: ({"Teams", "Staff", "Audit log", "API tokens"}, set()),
}
PAGE_WIDTH = "() => document.documentElement.scrollWidth"


def test_sign_in_page_is_accessible(page: Page, assert_accessible: Callable[[Page], None]) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/sign-in/\?next=/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    assert_accessible(page)


@pytest.mark.parametrize("role", list(ENTRY_POINTS), ids=lambda role: role.value)
def test_each_role_lands_on_its_home_page(
    role: Role,
    page: Page,
    make_staff: Callable[..., User],
    sign_in: Callable[[Page, User], None],
    assert_accessible: Callable[[Page], None],
) -> None:
    user = make_staff(f"sam.{role.value}", [role])

    sign_in(page, user)

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("main")).to_contain_text(role.label)
    shown, hidden = ENTRY_POINTS[role]
    for area in (page.get_by_role("main"), page.get_by_role("navigation", name="Menu")):
        for label in sorted(shown):
            expect(area.get_by_role("link", name=label, exact=True)).to_be_visible()
        for label in sorted(hidden):
            expect(area.get_by_role("link", name=label, exact=True)).to_have_count(0)
    assert_accessible(page)


def test_wrong_password_shows_the_error_summary(
    page: Page, make_staff: Callable[..., User], assert_accessible: Callable[[Page], None]
) -> None:
    user = make_staff("sam.connector", [Role.CONNECTOR])

    page.goto("/sign-in/")
    page.get_by_label("Username", exact=True).fill(user.username)
    page.get_by_label("Password", exact=True).fill("not-the-password")
    page.get_by_role("button", name="Sign in", exact=True).click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(summary).to_contain_text("Enter a correct username and password")
    expect(summary).to_be_focused()  # GOV.UK Frontend moves focus to the summary
    expect(page).to_have_title(re.compile(r"^Error: Sign in"))
    expect(page.get_by_label("Password", exact=True)).to_have_value("")
    assert_accessible(page)


def test_pages_fit_a_phone_screen(
    new_page: Callable[..., Page],
    make_staff: Callable[..., User],
    sign_in: Callable[[Page, User], None],
    assert_accessible: Callable[[Page], None],
) -> None:
    user = make_staff("sam.admin", [Role.ORGANISATION_ADMIN], first_name="Samantha-Josephine")
    page = new_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)

    sign_in(page, user)

    assert page.evaluate(PAGE_WIDTH) <= 360
    # The header links fold away behind a Menu button.
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_be_visible()
    menu.click()
    expect(page.get_by_role("navigation", name="Menu").get_by_role("link", name="Audit log")).to_be_visible()
    assert page.evaluate(PAGE_WIDTH) <= 360
    assert_accessible(page)
    # Wide tables scroll inside their own box instead of widening the page.
    for path in ("/staff/", "/tokens/", "/audit/"):
        page.goto(path)
        assert page.evaluate(PAGE_WIDTH) <= 360, f"{path} scrolls sideways at 360 pixels wide"


def test_sign_out(page: Page, make_staff: Callable[..., User], sign_in: Callable[[Page, User], None]) -> None:
    user = make_staff("sam.connector", [Role.CONNECTOR])
    sign_in(page, user)

    page.get_by_role("button", name=re.compile(r"^Sign out")).click()

    expect(page).to_have_url(re.compile(r"/sign-in/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/sign-in/\?next=/$"))
