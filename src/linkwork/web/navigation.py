"""What each role can reach: one list drives the header navigation and the home pages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse

from linkwork.accounts.models import ApiToken, Team, User
from linkwork.accounts.roles import STAFF_LIST_ROLES, Role
from linkwork.audit.models import AuditEvent
from linkwork.core.policies import Action, can
from linkwork.directory.models import Service
from linkwork.interop.referral_import import may_import_referrals
from linkwork.matching.gap_policies import REPORT_ROLES
from linkwork.people.models import Person
from linkwork.referrals.models import Referral
from linkwork.reporting.scope import may_see_reports
from linkwork.support.models import Programme, SupportEpisode
from linkwork.webhooks.models import WebhookEndpoint


@dataclass(frozen=True)
class Destination:
    label: str
    url_name: str
    description: str
    allowed: Callable[[User], bool]


def _may_list_staff(user: User) -> bool:
    # Seeing colleagues (not only yourself) is what makes the staff list worth a link.
    return user.has_role(*STAFF_LIST_ROLES)


DESTINATIONS: list[Destination] = [
    Destination(
        "Caseload",
        "caseload",
        "Your people: who needs contact next and what is overdue.",
        lambda user: user.has_role(Role.CONNECTOR),
    ),
    Destination(
        "People you support",
        "people_supported",
        "How to reach the people you help, and what is arranged.",
        lambda user: user.has_role(Role.VOLUNTEER),
    ),
    Destination(
        "Referrals",
        "referral_list",
        "New referrals waiting for first contact and a decision.",
        lambda user: can(user, Action.CREATE, Referral(organisation=user.organisation)),
    ),
    Destination(
        "Import referrals",
        "referral_import",
        "Bring referrals in from a spreadsheet, checked row by row before anything is imported.",
        may_import_referrals,
    ),
    Destination(
        "People",
        "person_list",
        "Find a person's record.",
        lambda user: can(user, Action.CREATE, Person(organisation=user.organisation)),
    ),
    Destination(
        "Your teams",
        "team_caseloads",
        "Caseload sizes, overdue work and extensions waiting for approval.",
        lambda user: can(user, Action.APPROVE, SupportEpisode),
    ),
    Destination(
        "Programmes",
        "programme_list",
        "What your service offers: contacts, meet-ups, length, budget and follow-up.",
        lambda user: can(user, Action.CREATE, Programme(organisation=user.organisation)),
    ),
    Destination(
        "Directory",
        "directory_manage_search",
        "Find services and activities to connect people with.",
        lambda user: True,
    ),
    Destination(
        "Directory work",
        "directory_work_queue",
        "Suggestions, problem reports, claims and checks waiting for directory editors.",
        lambda user: can(user, Action.CREATE, Service),
    ),
    Destination(
        "Gaps",
        "gap_list",
        "Needs nothing in the directory could meet: what, where and what stood in the way.",
        lambda user: user.has_role(*REPORT_ROLES, Role.CONNECTOR),
    ),
    Destination(
        "Reports",
        "report_index",
        "How the service is doing: referrals, outcomes, connections, gaps and who it reaches.",
        may_see_reports,
    ),
    Destination(
        "Staff",
        "staff_list",
        "Find colleagues, their roles and teams.",
        _may_list_staff,
    ),
    Destination(
        "Teams",
        "team_list",
        "Set up the teams that share caseloads and supervision.",
        lambda user: can(user, Action.CREATE, Team(organisation=user.organisation)),
    ),
    Destination(
        "Organisation",
        "organisation_settings",
        "Your organisation's name, crisis guidance for safeguarding alerts, and words removed from stories.",
        lambda user: user.organisation is not None and can(user, Action.UPDATE, user.organisation),
    ),
    Destination(
        "Data protection",
        "privacy_home",
        "Answer a person's request to see or erase their data, and set how long closed records are kept.",
        lambda user: user.has_role(Role.ORGANISATION_ADMIN),
    ),
    Destination(
        "Audit log",
        "audit_log",
        "See who opened or changed records, and when.",
        lambda user: can(user, Action.VIEW, AuditEvent),
    ),
    Destination(
        "API tokens",
        "token_list",
        "Connect other systems to linkwork with a personal API token.",
        lambda user: can(user, Action.CREATE, ApiToken),
    ),
    Destination(
        "Webhooks",
        "webhook_list",
        "Tell other systems when referrals arrive, support ends or a person goes to an activity.",
        lambda user: can(user, Action.CREATE, WebhookEndpoint(organisation=user.organisation)),
    ),
]


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    description: str
    current: bool


def navigation_for(request: HttpRequest) -> list[NavLink]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not isinstance(user, User):
        return []
    reachable = [
        (destination, reverse(destination.url_name))
        for destination in DESTINATIONS
        if destination.allowed(user)
    ]
    # The longest matching address is the current one: /directory/manage/services/ is "Directory",
    # not also "Directory work" at /directory/manage/.
    matching = [url for _, url in reachable if request.path.startswith(url)]
    current = max(matching, key=len, default=None)
    return [NavLink(d.label, url, d.description, url == current) for d, url in reachable]
