"""The person's journey in a real browser, with an axe check on every page visited.

A person refers themselves on the public page; a connector makes contact, accepts them and
supports them (what matters, goals, contacts, a pause, an extension a supervisor approves) to
a planned ending. Volunteers see only the practical view of the people they are assigned to.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable

import pytest
from playwright.sync_api import Page, expect

from linkwork.accounts import services as accounts
from linkwork.accounts.models import Organisation, Team, User
from linkwork.accounts.roles import Role
from linkwork.core.policies import Operator
from linkwork.core.time import now, to_london
from linkwork.referrals.models import Referral
from linkwork.referrals.services import referral_self_submit
from linkwork.support.models import Programme
from linkwork.support.services import programme_create
from tests.browser.conftest import PASSWORD
from tests.journey_factories import give_consent

OPERATOR = Operator("tests")
PROGRAMME = "Twelve weeks together"
PHONE = "07700 900123"
PRIVATE_NOTE = "Edith talked about her husband's death and how quiet the flat is now."

Check = Callable[[Page], None]
SignIn = Callable[[Page, User], None]
NewPage = Callable[..., Page]


def _today() -> dt.date:
    return to_london(now()).date()


def _date(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _just_now() -> str:
    """The current minute in London, as the contact form takes it."""
    return to_london(now()).strftime("%d/%m/%Y %H:%M")


def _long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


@pytest.fixture
def team(organisation: Organisation) -> Team:
    return accounts.team_create(actor=OPERATOR, organisation=organisation, name="Riverside North")


@pytest.fixture
def programme(organisation: Organisation) -> Programme:
    return programme_create(
        actor=OPERATOR,
        organisation=organisation,
        name=PROGRAMME,
        max_contacts=10,
        max_meetups=3,
        planned_weeks=12,
        budget_pence=10_000,
        follow_up_weeks=12,
    )


@pytest.fixture
def add_staff(organisation: Organisation) -> Callable[..., User]:
    """Staff with a full name (so people can be told apart in lists) and, optionally, teams."""

    def add(
        username: str, first_name: str, last_name: str, roles: Iterable[Role], teams: Iterable[Team] = ()
    ) -> User:
        return accounts.staff_create(
            actor=OPERATOR,
            organisation=organisation,
            username=username,
            first_name=first_name,
            last_name=last_name,
            email=f"{username}@example.org",
            roles=list(roles),
            team_ids=[team.pk for team in teams],
            password=PASSWORD,
            send_invitation=False,
        )

    return add


def _heading(page: Page, text: str | re.Pattern[str]) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def _banner(page: Page, text: str | re.Pattern[str]) -> None:
    expect(page.locator(".govuk-notification-banner")).to_contain_text(text)


def _signed_in(new_page: NewPage, sign_in: SignIn, check: Check, user: User) -> Page:
    """A new browser (no cookies) signed in as `user`, on their home page."""
    page = new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, user)
    check(page)
    return page


def _radio(page: Page, group: str, option: str) -> None:
    page.get_by_role("group", name=group).get_by_label(option, exact=True).check()


def _log_contact(page: Page, check: Check, *, kind: str, used_before: str, **fields: str) -> None:
    """From the episode page: log a contact that went ahead, and come back to the episode page."""
    page.get_by_role("link", name="Log a contact", exact=True).click()
    _heading(page, "Log a contact")
    expect(page.get_by_role("main")).to_contain_text(used_before)
    check(page)
    page.get_by_label("When", exact=True).fill(_just_now())
    _radio(page, "Type of contact", kind)
    _radio(page, "What happened", "Went ahead")
    for label, value in fields.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="Save", exact=True).click()
    _banner(page, "The contact has been logged.")


def _accept(page: Page, check: Check, *, connector: User, volunteers: Iterable[User] = ()) -> None:
    """From the referral page: accept the referral and start support today."""
    page.get_by_role("link", name="Accept and start support").click()
    _heading(page, "Accept and start support")
    check(page)
    page.get_by_label("Programme", exact=True).select_option(label=PROGRAMME)
    page.get_by_label("Connector", exact=True).select_option(label=str(connector))
    for volunteer in volunteers:
        page.get_by_role("group", name="Volunteers").get_by_label(str(volunteer), exact=True).check()
    page.get_by_label("Support starts on", exact=True).fill(_date(_today()))
    page.get_by_role("button", name="Start support").click()
    expect(page).to_have_url(re.compile(r"/episodes/\d+/$"))


def test_a_person_refers_themselves_and_is_supported_to_a_planned_ending(
    new_page: NewPage,
    organisation: Organisation,
    team: Team,
    programme: Programme,
    add_staff: Callable[..., User],
    sign_in: SignIn,
    assert_accessible: Check,
) -> None:
    connector = add_staff("sam.okafor", "Sam", "Okafor", [Role.CONNECTOR], [team])
    supervisor = add_staff("pat.reid", "Pat", "Reid", [Role.SUPERVISOR], [team])
    today = _today()

    # The person refers themselves, without signing in.
    public = new_page(viewport={"width": 1280, "height": 900})
    public.goto(f"/refer/{organisation.slug}/")
    _heading(public, "Ask Riverside Community Links for support")
    assert_accessible(public)
    public.get_by_label("Your first name", exact=True).fill("Edith")
    public.get_by_label("Your last name", exact=True).fill("Marsh")
    public.get_by_label("Phone number", exact=True).fill(PHONE)
    _radio(public, "How should we get in touch?", "Phone call")
    public.get_by_label("What would you like help with?").fill("Meeting people nearby. I like singing.")
    public.get_by_label(re.compile(r"^I agree that the service may contact me")).check()
    public.get_by_role("button", name="Send", exact=True).click()
    _heading(public, "Thank you")
    panel = public.locator(".govuk-panel__body")
    expect(panel).to_contain_text(re.compile(r"LW-[A-Z0-9]{6}"))
    reference = re.search(r"LW-[A-Z0-9]{6}", panel.inner_text())
    assert reference is not None
    assert_accessible(public)

    # A connector finds the referral, makes contact and starts support.
    page = _signed_in(new_page, sign_in, assert_accessible, connector)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Referrals", exact=True).click()
    _heading(page, "Referrals waiting")
    expect(page.get_by_role("main")).to_contain_text(reference.group())
    assert_accessible(page)
    page.get_by_role("link", name="Edith Marsh", exact=True).click()
    _heading(page, "Edith Marsh")
    expect(page.get_by_role("main")).to_contain_text(f"Referral {reference.group()}")
    assert_accessible(page)
    _radio(page, "How did you try?", "Phone call")
    _radio(page, "What happened?", "Spoke to the person")
    page.get_by_label("Note", exact=True).fill("Edith would like to join a choir.")
    page.get_by_role("button", name="Log attempt").click()
    _banner(page, "The contact attempt has been logged.")
    expect(page.locator(".lw-card-list")).to_contain_text("Phone call – Spoke to the person")
    assert_accessible(page)
    _accept(page, assert_accessible, connector=connector)
    _heading(page, "Edith Marsh")
    _banner(page, "Support for Edith Marsh has started.")
    progress = page.locator("#progress")
    expect(progress).to_contain_text("0 of 10 contacts used")
    expect(page.get_by_role("main")).to_contain_text("Active")
    assert_accessible(page)
    episode_url = page.url

    # What matters to her.
    page.get_by_role("link", name="Record the conversation").click()
    _heading(page, "What matters to them")
    assert_accessible(page)
    page.get_by_label("What matters to them", exact=True).fill("Singing again, and having people to talk to.")
    page.get_by_label("Interests now", exact=True).fill("singing, gardening")
    page.get_by_role("group", name="Barriers").get_by_label("Transport", exact=True).check()
    page.get_by_label("Social confidence", exact=True).select_option(label="Hinders")
    page.get_by_label("Closeness", exact=True).select_option(label="Need")
    page.get_by_role("button", name="Save", exact=True).click()
    _banner(page, "The conversation has been saved.")
    expect(page.get_by_role("main")).to_contain_text("Interests: singing, gardening")
    assert_accessible(page)

    # Three goals at a time; a fourth is refused.
    for title in ("Join a choir", "Get the bus into town", "Invite a neighbour for tea"):
        page.get_by_role("link", name="Set a goal").click()
        _heading(page, "Set a goal")
        assert_accessible(page)
        page.get_by_label("Goal", exact=True).fill(title)
        page.get_by_label("Small steps", exact=True).fill("Find out when it meets\nGo once")
        page.get_by_role("button", name="Save", exact=True).click()
        _banner(page, "The goal has been set.")
        expect(page.get_by_role("link", name=title)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Set a goal").click()
    page.get_by_label("Goal", exact=True).fill("Learn to use a tablet")
    page.get_by_role("button", name="Save", exact=True).click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("A person can work on three goals at a time.")
    expect(page).to_have_title(re.compile(r"^Error: Set a goal"))
    assert_accessible(page)
    page.get_by_role("link", name="Back", exact=True).click()
    expect(page).to_have_url(episode_url)
    expect(page.get_by_role("link", name="Learn to use a tablet")).to_have_count(0)

    # Contacts count against the programme's ten.
    _log_contact(
        page,
        assert_accessible,
        kind="Home visit",
        used_before="0 of 10 contacts used",
        **{"How long, in minutes": "60", "Notes": "Talked about the choir at St Mary's."},
    )
    expect(progress).to_contain_text("1 of 10 contacts used")
    assert_accessible(page)
    _log_contact(
        page,
        assert_accessible,
        kind="Accompanied visit to an activity",
        used_before="1 of 10 contacts used",
        **{"Activity visited": "St Mary's Community Choir", "How long, in minutes": "90"},
    )
    expect(progress).to_contain_text("2 of 10 contacts used")
    contacts = page.locator("#contacts")
    expect(contacts).to_contain_text(
        "Accompanied visit to an activity · Went ahead · St Mary's Community Choir"
    )
    assert_accessible(page)

    # A pause keeps her place.
    page.get_by_role("link", name="Pause", exact=True).click()
    _heading(page, "Pause support")
    assert_accessible(page)
    _radio(page, "Why is support pausing?", "Physical health")
    page.get_by_label("Note", exact=True).fill("A hip operation.")
    page.get_by_role("button", name="Pause support").click()
    _banner(page, "Support is paused. Their place is kept.")
    expect(page.locator("main .govuk-tag").first).to_have_text("Paused")
    assert_accessible(page)
    page.get_by_role("link", name="Resume", exact=True).click()
    _heading(page, "Resume support")
    assert_accessible(page)
    page.get_by_label("Support resumes on", exact=True).fill(_date(_today()))
    page.get_by_role("button", name="Resume support").click()
    _banner(page, "Support has resumed.")
    expect(page.locator("main .govuk-tag").first).to_have_text("Active")
    assert_accessible(page)

    # More time and contacts, which a supervisor must approve.
    new_end = today + dt.timedelta(weeks=20)
    page.get_by_role("link", name="Ask for an extension").click()
    _heading(page, "Ask for an extension")
    assert_accessible(page)
    page.get_by_label("New end date", exact=True).fill(_date(new_end))
    page.get_by_label("Extra one-to-one contacts", exact=True).fill("2")
    page.get_by_label("Why is more time or contact needed?").fill("Recovering from the operation.")
    page.get_by_role("button", name="Send request").click()
    _banner(page, "The extension request has gone to a supervisor.")
    expect(page.get_by_role("main")).to_contain_text("(+2 contacts): Waiting for a supervisor")
    assert_accessible(page)

    boss = _signed_in(new_page, sign_in, assert_accessible, supervisor)
    boss.get_by_role("navigation", name="Menu").get_by_role("link", name="Your teams", exact=True).click()
    _heading(boss, "Your teams")
    waiting = boss.locator(".lw-card-list").first
    expect(waiting).to_contain_text("Asked by Sam Okafor")
    expect(waiting).to_contain_text("2 extra contacts")
    assert_accessible(boss)
    waiting.get_by_role("link", name="Edith Marsh", exact=True).click()
    _heading(boss, "Decide on an extension")
    expect(boss.get_by_role("main")).to_contain_text("Reason: Recovering from the operation.")
    assert_accessible(boss)
    _radio(boss, "Decision", "Approve")
    boss.get_by_role("button", name="Save", exact=True).click()
    _banner(boss, "The extension for Edith Marsh has been approved.")
    expect(boss).to_have_url(episode_url)
    expect(boss.locator("#progress")).to_contain_text("2 of 12 contacts used")
    assert_accessible(boss)

    # Back with the connector: plan the ending together, then close.
    page.reload()
    expect(progress).to_contain_text("2 of 12 contacts used")
    expect(page.get_by_role("main")).to_contain_text("(+2 contacts): Approved")
    assert_accessible(page)
    follow_up = today + dt.timedelta(weeks=8)
    page.get_by_role("link", name="Plan the ending").click()
    _heading(page, "Plan the ending")
    assert_accessible(page)
    page.get_by_label("Which connections will continue?").fill("St Mary's Community Choir on Thursdays.")
    page.get_by_label("Whom can they contact after support ends?").fill("The choir leader, Ann.")
    page.get_by_label("Follow-up date", exact=True).fill(_date(follow_up))
    page.get_by_role("button", name="Save", exact=True).click()
    _banner(page, "The ending is planned.")
    expect(page.locator("main .govuk-tag").first).to_have_text("Ending planned")
    assert_accessible(page)
    page.get_by_role("link", name="Close support").click()
    _heading(page, "Close support")
    assert_accessible(page)
    _radio(page, "How did support end?", "Goals met")
    page.get_by_label("Note", exact=True).fill("Edith sings with the choir every week.")
    last_day = _today()
    page.get_by_label("Last day of support", exact=True).fill(_date(last_day))
    page.get_by_role("button", name="Close support").click()
    _banner(page, "Support has ended.")
    expect(page.locator("main .govuk-tag").first).to_have_text("Closed")
    expect(page.get_by_role("main")).to_contain_text(
        f"Closed {_long_date(last_day)}: Goals met. Follow-up {_long_date(follow_up)}."
    )
    expect(page.get_by_role("link", name="Log a contact")).to_have_count(0)
    assert_accessible(page)


def test_only_an_assigned_volunteer_sees_the_practical_view(
    new_page: NewPage,
    organisation: Organisation,
    team: Team,
    programme: Programme,
    add_staff: Callable[..., User],
    sign_in: SignIn,
    assert_accessible: Check,
) -> None:
    connector = add_staff("sam.okafor", "Sam", "Okafor", [Role.CONNECTOR], [team])
    assigned = add_staff("vic.hale", "Vic", "Hale", [Role.VOLUNTEER])
    other = add_staff("lee.ward", "Lee", "Ward", [Role.VOLUNTEER])
    referral: Referral = referral_self_submit(
        organisation=organisation,
        person_details={
            "first_name": "Edith",
            "last_name": "Marsh",
            "phone": PHONE,
            "preferred_contact_method": "phone",
        },
        needs="Meeting people nearby.",
        agreed_to_support=True,
        agreed_to_share_with_gp=False,
        ip_address="127.0.0.1",
    )
    # Edith agreed on the phone to a volunteer's help; only then can one be assigned.
    give_consent(person=referral.person, purpose="volunteer-contact")
    person_page = f"/people/{referral.person_id}/"
    practical_page = f"/people/{referral.person_id}/practical/"

    # The connector accepts the referral with a volunteer and logs a contact with private notes.
    page = _signed_in(new_page, sign_in, assert_accessible, connector)
    page.goto(f"/referrals/{referral.pk}/")
    _heading(page, "Edith Marsh")
    assert_accessible(page)
    _accept(page, assert_accessible, connector=connector, volunteers=[assigned])
    expect(page.get_by_role("main")).to_contain_text("Volunteers: Vic Hale")
    assert_accessible(page)
    _log_contact(
        page,
        assert_accessible,
        kind="Phone call",
        used_before="0 of 10 contacts used",
        **{"Notes": PRIVATE_NOTE, "Next contact date": _date(_today() + dt.timedelta(days=7))},
    )
    expect(page.get_by_role("main")).to_contain_text(PRIVATE_NOTE)
    assert_accessible(page)

    # A volunteer who is not assigned finds nothing.
    stranger = _signed_in(new_page, sign_in, assert_accessible, other)
    for path in (person_page, practical_page):
        response = stranger.goto(path)
        assert response is not None and response.status == 404, path
        _heading(stranger, "Page not found")
        assert_accessible(stranger)

    # The assigned volunteer sees how to reach Edith, never the notes, and not her full record.
    volunteer = _signed_in(new_page, sign_in, assert_accessible, assigned)
    nav = volunteer.get_by_role("navigation", name="Menu")
    nav.get_by_role("link", name="People you support", exact=True).click()
    _heading(volunteer, "People you support")
    assert_accessible(volunteer)
    volunteer.get_by_role("link", name="Edith", exact=True).click()
    expect(volunteer).to_have_url(re.compile(rf"{re.escape(practical_page)}$"))
    _heading(volunteer, "Edith")
    main = volunteer.get_by_role("main")
    expect(main.get_by_role("link", name=PHONE)).to_have_attribute("href", f"tel:{PHONE}")
    expect(main).to_contain_text("Sam Okafor")
    expect(main).not_to_contain_text(PRIVATE_NOTE)
    expect(main).not_to_contain_text("Meeting people nearby.")
    assert_accessible(volunteer)
    response = volunteer.goto(person_page)
    assert response is not None and response.status == 404
    _heading(volunteer, "Page not found")
    assert_accessible(volunteer)
