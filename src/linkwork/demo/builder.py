"""A deterministic, fictional borough for demonstrations and trying linkwork out.

Everything is made through the same services staff use, so demo data obeys every rule and
appears in the audit log. Each app adds its part as a step in DEMO_STEPS as its models arrive.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction

from linkwork.accounts import services as accounts
from linkwork.accounts.models import Organisation, User
from linkwork.accounts.roles import Role
from linkwork.core.policies import Operator

DEMO_PASSWORD = "linkwork-demo"  # noqa: S105  (published demo password, refused in production)
OPERATOR = Operator("demo-data")

FIRST_NAMES = [
    "Amara",
    "Ben",
    "Chloe",
    "Dev",
    "Eilidh",
    "Farah",
    "Gareth",
    "Hana",
    "Isaac",
    "Joy",
    "Kwame",
    "Lena",
    "Maya",
    "Niall",
    "Olu",
    "Priya",
    "Rhys",
    "Sana",
    "Tomasz",
    "Uzma",
    "Vic",
    "Wen",
    "Yusuf",
    "Zoe",
]
LAST_NAMES = [
    "Adeyemi",
    "Brennan",
    "Chowdhury",
    "Davies",
    "Evans",
    "Fraser",
    "Gill",
    "Hughes",
    "Iqbal",
    "Jones",
    "Kowalski",
    "Lewis",
    "Mensah",
    "Novak",
    "O'Neill",
    "Patel",
    "Quinn",
    "Roberts",
    "Singh",
    "Thomas",
]


@dataclass(frozen=True)
class DemoOptions:
    people: int = 60
    services: int = 300
    seed: int = 1


@dataclass
class DemoSummary:
    lines: list[str] = field(default_factory=list)
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # username, organisation, roles


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    roles: tuple[Role, ...]
    teams: tuple[str, ...]


# The demo logins of the first organisation, all with DEMO_PASSWORD.
RIVERSIDE_USERS = (
    DemoUser("connector", "Sam", "Okafor", (Role.CONNECTOR,), ("North Riverside",)),
    DemoUser("volunteer", "Pat", "Whitfield", (Role.VOLUNTEER,), ("Volunteer befrienders",)),
    DemoUser(
        "supervisor",
        "Morgan",
        "Ellis",
        (Role.SUPERVISOR, Role.CONNECTOR),
        ("North Riverside", "South Riverside"),
    ),
    DemoUser("editor", "Robin", "Achebe", (Role.DIRECTORY_EDITOR,), ()),
    DemoUser("analyst", "Jordan", "Kaur", (Role.ANALYST,), ()),
    DemoUser("admin", "Alex", "Moreno", (Role.ORGANISATION_ADMIN,), ()),
)
NORTHGATE_USERS = (
    DemoUser("northgate-admin", "Casey", "Lindqvist", (Role.ORGANISATION_ADMIN,), ()),
    DemoUser("northgate-connector", "Ash", "Bello", (Role.CONNECTOR,), ("Befriending",)),
)


def _make_staff(
    organisation: Organisation, users: tuple[DemoUser, ...], password_hash: str, summary: DemoSummary
) -> None:
    teams = {team.name: team.pk for team in organisation.teams.all()}
    for demo in users:
        user = accounts.staff_create(
            actor=OPERATOR,
            organisation=organisation,
            username=demo.username,
            first_name=demo.first_name,
            last_name=demo.last_name,
            email=f"{demo.username}@{organisation.slug}.example.org",
            roles=demo.roles,
            team_ids=[teams[name] for name in demo.teams],
            send_invitation=False,
        )
        # is_demo: only these logins may skip two-factor, and only in development.
        User.objects.filter(pk=user.pk).update(password=password_hash, is_demo=True)
        summary.logins.append(
            (demo.username, organisation.name, ", ".join(role.label for role in demo.roles))
        )


def _extra_staff(rng: random.Random, count: int) -> tuple[DemoUser, ...]:
    made = []
    for number in range(count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        role = rng.choice([Role.CONNECTOR, Role.CONNECTOR, Role.VOLUNTEER])
        team = (
            "Volunteer befrienders"
            if role == Role.VOLUNTEER
            else rng.choice(["North Riverside", "South Riverside"])
        )
        made.append(
            DemoUser(f"{first}.{last}{number}".lower().replace("'", ""), first, last, (role,), (team,))
        )
    return tuple(made)


def build_organisations(options: DemoOptions, rng: random.Random, summary: DemoSummary) -> None:
    # One hash for every demo account: hashing is deliberately slow, and these share a password anyway.
    password_hash = make_password(DEMO_PASSWORD)
    riverside = accounts.organisation_create(actor=OPERATOR, name="Riverside Community Connectors")
    for name in ("North Riverside", "South Riverside", "Volunteer befrienders"):
        accounts.team_create(actor=OPERATOR, organisation=riverside, name=name)
    _make_staff(riverside, RIVERSIDE_USERS, password_hash, summary)
    _make_staff(riverside, _extra_staff(rng, 8), password_hash, summary)
    northgate = accounts.organisation_create(actor=OPERATOR, name="Northgate Befriending Network")
    accounts.team_create(actor=OPERATOR, organisation=northgate, name="Befriending")
    _make_staff(northgate, NORTHGATE_USERS, password_hash, summary)
    summary.lines.append(f"2 organisations, 4 teams, {User.objects.count()} staff")


DemoStep = Callable[[DemoOptions, random.Random, DemoSummary], None]


def _build_journeys(options: DemoOptions, rng: random.Random, summary: DemoSummary) -> None:
    from linkwork.demo.journeys import build_journeys

    build_journeys(options, rng, summary)


def _build_directory(options: DemoOptions, rng: random.Random, summary: DemoSummary) -> None:
    from linkwork.demo.directory import build_demo_directory

    build_demo_directory(options, rng, summary)


DEMO_STEPS: list[DemoStep] = [build_organisations, _build_directory, _build_journeys]


def demo_data_exists() -> bool:
    return Organisation.objects.exists()


def demo_data_build(options: DemoOptions) -> DemoSummary:
    """Build the whole demo borough in one transaction: all of it or none of it."""
    summary = DemoSummary()
    rng = random.Random(options.seed)
    with transaction.atomic():
        for step in DEMO_STEPS:
            step(options, rng, summary)
    return summary
