"""The ways the equity report splits a service's figures: who people are, who referred them, where they live.

Each dimension says how to find a person's group in SQL (over the person `p` and their referral `r`),
which groups there are (labelled as on the person's record and the referral), and whether the groups are
disjoint. Mobility and trigger groups are lists, so a person can be in several of those groups; every
other dimension puts each person in exactly one group, with "Not known" for a blank or unrecognised
answer. Areas are not a fixed list: they are the postcode districts found in the data.

For speed, a dimension with a fixed list of groups is coded in SQL as a small integer: the index of the
person's group in `groups` for a disjoint dimension, and for a list a bit mask with bit i set when the
person is in group i (0: none recorded, so "Not known"). Integers sort and hash far faster than text or
JSON, on SQLite and PostgreSQL alike, and the same SQL runs on both.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import TextChoices

from linkwork.people.choices import AgeBand, Ethnicity, Gender, Mobility, TriggerGroup
from linkwork.referrals.models import ReferralSource

NOT_KNOWN = ""
NOT_KNOWN_LABEL = "Not known"


@dataclass(frozen=True)
class Group:
    value: str
    label: str


@dataclass(frozen=True)
class Dimension:
    key: str
    title: str
    row_header: str
    # SQL over the person `p` and their referral `r` (which may be missing): the group's code (see the
    # module's docstring), or for areas the district itself.
    sql: str
    # The groups in the order shown, "Not known" last; empty when the groups come from the data (areas).
    groups: tuple[Group, ...]
    disjoint: bool

    def label(self, value: str) -> str:
        if value == NOT_KNOWN:
            return NOT_KNOWN_LABEL
        return next((group.label for group in self.groups if group.value == value), value)

    @property
    def not_known(self) -> int:
        """The code of the "Not known" group."""
        return len(self.groups) - 1

    def bits(self) -> list[tuple[int, int]]:
        """For a list: each known group's code and its bit in the mask."""
        return [(index, 1 << index) for index in range(self.not_known)]


def _groups(choices: type[TextChoices]) -> tuple[Group, ...]:
    known = tuple(Group(str(value), str(label)) for value, label in choices.choices if value != NOT_KNOWN)
    return (*known, Group(NOT_KNOWN, NOT_KNOWN_LABEL))


def _one_of(column: str, groups: tuple[Group, ...]) -> str:
    """The index of the column's value among the groups; a blank, retired or mistyped value is "Not known"
    (the last group), so each person lands in exactly one group and the groups add up to the service."""
    cases = " ".join(f"WHEN '{group.value}' THEN {index}" for index, group in enumerate(groups[:-1]))
    return f"CASE {column} {cases} ELSE {len(groups) - 1} END"


def _any_of(column: str, groups: tuple[Group, ...]) -> str:
    """A bit mask of the groups a JSON list of values names. The list's text is searched for each quoted
    value, which reads the same on SQLite (JSON stored as text) and PostgreSQL (jsonb cast to text). The
    statement always has parameters, so "%%" is a literal "%" on both."""
    bits = " + ".join(
        f"CASE WHEN CAST({column} AS TEXT) LIKE '%%\"{group.value}\"%%' THEN {1 << index} ELSE 0 END"
        for index, group in enumerate(groups[:-1])
    )
    return f"({bits})"


# The outward code (district) of a postcode: all but its last three characters ("LS6 1AB" -> "LS6",
# "LS61AB" -> "LS6"), as people.services.normalise_postcode splits one; a blank postcode gives "".
DISTRICT_SQL = (
    "CASE WHEN LENGTH(p.postcode) > 3 THEN UPPER(TRIM(SUBSTR(p.postcode, 1, LENGTH(p.postcode) - 3))) "
    "ELSE UPPER(TRIM(p.postcode)) END"
)

_AGE_BANDS = _groups(AgeBand)
_GENDERS = _groups(Gender)
_ETHNICITIES = _groups(Ethnicity)
_DISABILITY = (
    Group("recorded", "A disability or condition recorded"),
    Group("none", "None recorded"),
)
_MOBILITY = _groups(Mobility)
_TRIGGER_GROUPS = _groups(TriggerGroup)
_SOURCES = _groups(ReferralSource)

DIMENSIONS: tuple[Dimension, ...] = (
    Dimension("age_band", "By age band", "Age band", _one_of("p.age_band", _AGE_BANDS), _AGE_BANDS, True),
    Dimension("gender", "By gender", "Gender", _one_of("p.gender", _GENDERS), _GENDERS, True),
    Dimension(
        "ethnicity",
        "By ethnic group",
        "Ethnic group",
        _one_of("p.ethnicity", _ETHNICITIES),
        _ETHNICITIES,
        True,
    ),
    Dimension(
        "disability",
        "By disability",
        "Disability or long-term condition",
        "CASE WHEN TRIM(p.disability_and_conditions) <> '' THEN 0 ELSE 1 END",
        _DISABILITY,
        True,
    ),
    Dimension(
        "mobility",
        "By how people get about",
        "Getting about",
        _any_of("p.mobility", _MOBILITY),
        _MOBILITY,
        False,
    ),
    Dimension(
        "trigger_group",
        "By what brought them to the service",
        "Circumstances",
        _any_of("p.trigger_groups", _TRIGGER_GROUPS),
        _TRIGGER_GROUPS,
        False,
    ),
    Dimension(
        "referral_source",
        "By who referred them",
        "Referred by",
        _one_of("r.source", _SOURCES),
        _SOURCES,
        True,
    ),
    Dimension("area", "By area", "Area (postcode district)", DISTRICT_SQL, (), True),
)
