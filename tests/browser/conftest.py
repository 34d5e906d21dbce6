"""Browser tests: Playwright drives Debian chromium against pytest-django's live server.

Every test under this folder is marked `browser` (so `-m "not browser"` leaves them out), runs
after the other tests, and gets a fresh browser context in one chromium shared by the process.
Without /usr/bin/chromium they are skipped, unless REQUIRE_BROWSER=1, when they fail instead.

The helpers (`assert_accessible`, `sign_in`, `make_staff`, `new_page`) are fixtures.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright
from pytest_django import Settings
from pytest_django.live_server_helper import LiveServer

from linkwork.accounts import services
from linkwork.accounts.models import Organisation, User
from linkwork.accounts.roles import Role
from linkwork.core.policies import Operator
from tests.accounts.two_factor import app_code, give_two_factor

HERE = Path(__file__).resolve().parent
REPO_ROOT = Path(__file__).resolve().parents[2]
AXE_SCRIPT = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
PASSWORD = "a-long-test-password"
# WCAG 2.0, 2.1 and 2.2 A and AA, plus axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
BLOCKING_IMPACTS = frozenset({"serious", "critical"})
TIMEOUT_MS = 10_000


def _is_browser_test(item: pytest.Item | None) -> bool:
    return item is not None and item.get_closest_marker("browser") is not None


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> Generator[None, None, None]:
    """Mark every test in this folder `browser` and run them after all the others.

    Marked before the other implementations run, so `-m` can deselect by the marker; moved to
    the end after them (pytest-django sorts by database use), so each process opens chromium
    once and closes it before any other test runs (see _Chromium).
    """
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)
    yield
    items[:] = [item for item in items if not _is_browser_test(item)] + [
        item for item in items if _is_browser_test(item)
    ]


class _Chromium:
    """One Playwright chromium per process, open only while browser tests run.

    While Playwright's sync API is open its asyncio event loop counts as running in this
    thread, which trips Django's check that the ORM is not called from async code. So
    DJANGO_ALLOW_ASYNC_UNSAFE is set exactly while it is open (the ORM calls here are plain
    synchronous ones), and it is closed as soon as the next test is not a browser test, so the
    other tests keep Django's check and do not hand the variable on to subprocesses.
    """

    def __init__(self) -> None:
        self._environment = pytest.MonkeyPatch()
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None

    def get(self) -> Browser:
        if self._browser is None:
            self._environment.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
            try:
                self._playwright = sync_playwright().start()
                self._browser = self._playwright.chromium.launch(
                    executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
                )
            except BaseException:
                self.close()
                raise
        return self._browser

    def close(self) -> None:
        browser, playwright = self._browser, self._playwright
        self._browser = self._playwright = None
        try:
            if browser is not None:
                browser.close()
        finally:
            if playwright is not None:
                playwright.stop()
            self._environment.undo()


_chromium = _Chromium()


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    # trylast: after the test's fixtures (its browser context, its database) are torn down.
    if not _is_browser_test(nextitem):
        _chromium.close()


def pytest_sessionfinish() -> None:
    _chromium.close()


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        message = f"Browser tests need Debian chromium at {CHROMIUM} (apt-get install chromium)."
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but chromium is missing. {message}", pytrace=False)
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture
def browser(chromium_path: Path) -> Browser:
    """The process's one headless chromium, launched by the first browser test that needs it."""
    return _chromium.get()


@pytest.fixture
def new_page(
    browser: Browser, live_server: LiveServer, transactional_db: None
) -> Iterator[Callable[..., Page]]:
    """Open a page in a fresh context (no cookies) on the live server; keyword arguments go to the context."""
    contexts: list[BrowserContext] = []

    def open_page(**options: Any) -> Page:
        context = browser.new_context(base_url=live_server.url, locale="en-GB", **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    return new_page(viewport={"width": 1280, "height": 900})


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def organisation(transactional_db: None, _fast_passwords: None) -> Organisation:
    return services.organisation_create(actor=Operator("tests"), name="Riverside Community Links")


@pytest.fixture
def make_staff(organisation: Organisation) -> Callable[..., User]:
    """Add a member of staff who can sign in with PASSWORD, through the real service."""

    def make(username: str, roles: Iterable[Role], first_name: str = "Sam") -> User:
        return services.staff_create(
            actor=Operator("tests"),
            organisation=organisation,
            username=username,
            first_name=first_name,
            email=f"{username}@example.org",
            roles=list(roles),
            password=PASSWORD,
            send_invitation=False,
        )

    return make


@pytest.fixture
def sign_in() -> Callable[[Page, User], None]:
    """Sign in through the form, as a person would: the password, then the code the user's
    authenticator app shows (computed from its key), and wait for the home page."""

    def do_sign_in(page: Page, user: User) -> None:
        device = give_two_factor(user)
        page.goto("/sign-in/")
        page.get_by_label("Username", exact=True).fill(user.username)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
        page.get_by_label("Code", exact=True).fill(app_code(device))
        page.get_by_role("button", name="Continue", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {user.first_name}")

    return do_sign_in


def _axe_source() -> str:
    if not AXE_SCRIPT.exists():
        pytest.fail(f"axe-core is missing ({AXE_SCRIPT}): run `npm ci` in {REPO_ROOT} first.", pytrace=False)
    return AXE_SCRIPT.read_text(encoding="utf-8")


def _describe(violation: dict[str, Any]) -> str:
    lines = [f"- {violation['id']} ({violation['impact']}): {violation['help']}", f"  {violation['helpUrl']}"]
    for node in violation["nodes"]:
        target = " ".join(str(part) for part in node["target"])
        lines.append(f"  * {target}")
        summary = str(node.get("failureSummary") or "").strip()
        lines.extend(f"      {line.strip()}" for line in summary.splitlines() if line.strip())
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    """Run axe-core on the page and fail on any serious or critical WCAG 2.2 AA or best-practice problem."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol rather than added as an inline <script>, which the
        # Content Security Policy blocks; the policy stays on for the page under test.
        page.evaluate(_axe_source())
    results: dict[str, Any] = page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    blocking = [v for v in results["violations"] if v.get("impact") in BLOCKING_IMPACTS]
    if blocking:
        report = "\n".join(_describe(violation) for violation in blocking)
        heading = f"axe found {len(blocking)} serious or critical accessibility problem(s) on {page.url}:"
        pytest.fail(f"{heading}\n{report}", pytrace=False)


@pytest.fixture(name="assert_accessible")
def assert_accessible_fixture() -> Callable[[Page], None]:
    return assert_accessible
