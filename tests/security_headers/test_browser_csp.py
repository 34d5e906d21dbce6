"""In a real browser the policy is enforced and breaks nothing: GOV.UK Frontend's scripts still run from
their files, inline code put into a page is blocked, and the commissioner report keeps its stylesheet
and its charts' colours."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from csp.utils import build_policy
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, Page, Route, sync_playwright
from pytest_django.live_server_helper import LiveServer

from linkwork.accounts.models import Organisation
from linkwork.accounts.roles import Role
from linkwork.reporting.exporting import commissioner_html
from tests.factories import make_staff
from tests.reporting.test_reports import sample_report

CHROMIUM = Path("/usr/bin/chromium")
# Collects every policy violation the page reports, from before its first script runs.
WATCH_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but chromium is missing ({CHROMIUM}).", pytrace=False)
        pytest.skip(f"Needs Debian chromium at {CHROMIUM}.")
    # Playwright's event loop makes Django refuse ORM calls in this thread: all data is made first.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        yield launched
        launched.close()


def open_page(browser: Browser, live_server: LiveServer, cookies: list[Any] | None = None) -> Page:
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(10_000)
    if cookies:
        context.add_cookies(cookies)
    page = context.new_page()
    page.add_init_script(WATCH_VIOLATIONS)
    return page


def assert_scripts_ran_without_violations(page: Page) -> None:
    page.wait_for_selector("[data-govuk-skip-link-init]", state="attached")
    classes = page.evaluate("() => [...document.body.classList]")
    assert "js-enabled" in classes and "govuk-frontend-supported" in classes
    assert page.evaluate("() => window.cspViolations") == []


def test_public_and_staff_pages_run_their_scripts_under_the_policy(
    browser: Browser, live_server: LiveServer, organisation: Organisation
) -> None:
    admin = make_staff(organisation=organisation, roles=[Role.ORGANISATION_ADMIN])
    client = Client()
    client.force_login(admin)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    cookie = {"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}

    page = open_page(browser, live_server)
    for path in ("/sign-in/", "/directory/"):
        page.goto(path)
        assert_scripts_ran_without_violations(page)
    staff_page = open_page(browser, live_server, [cookie])
    staff_page.goto("/staff/")
    assert staff_page.get_by_role("heading", level=1).inner_text() == "Staff"
    assert_scripts_ran_without_violations(staff_page)


@pytest.mark.django_db
def test_inline_code_put_into_a_page_is_blocked(browser: Browser, live_server: LiveServer) -> None:
    page = open_page(browser, live_server)
    page.goto("/sign-in/")
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.injected = true;";
          document.body.append(script);
          const style = document.createElement("style");
          style.textContent = "body { background: rgb(255, 0, 0); }";
          document.head.append(style);
        }"""
    )
    page.wait_for_function("() => window.cspViolations.length >= 2")
    assert page.evaluate("() => window.injected") is None
    assert page.evaluate("() => getComputedStyle(document.body).backgroundColor") != "rgb(255, 0, 0)"
    violations = page.evaluate("() => window.cspViolations")
    assert any(v.startswith("script-src") for v in violations)
    assert any(v.startswith("style-src") for v in violations)


@pytest.mark.django_db
def test_the_commissioner_report_keeps_its_hashed_stylesheet_and_chart_colours(
    browser: Browser, live_server: LiveServer
) -> None:
    html = commissioner_html(sample_report())
    header = build_policy(config=settings.CONTENT_SECURITY_POLICY["DIRECTIVES"])

    def serve(route: Route) -> None:
        route.fulfill(body=html, content_type="text/html", headers={"Content-Security-Policy": header})

    page = open_page(browser, live_server)
    page.route("**/report-under-policy/", serve)
    page.goto("/report-under-policy/")
    # The stylesheet applied: headings get their blue rule.
    assert page.evaluate("() => getComputedStyle(document.querySelector('h2')).borderBottomStyle") == "solid"
    # The bars keep matplotlib's colours rather than falling back to black.
    fills = page.evaluate(
        "() => [...document.querySelectorAll('svg path[fill]')].map((p) => getComputedStyle(p).fill)"
    )
    assert "rgb(29, 112, 184)" in fills
    assert page.evaluate("() => window.cspViolations") == []
