"""The filter every report page shares: a period, and optionally a team or (for managers) a connector.

The form is sent with GET so a report's address can be bookmarked and shared with colleagues. It only
offers the organisation's own teams and connectors, so an id from elsewhere reads as "not in the list",
exactly like one that does not exist.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet

from linkwork.accounts.models import Team, User
from linkwork.accounts.roles import Role
from linkwork.core.time import local_today
from linkwork.reporting.scope import MANAGEMENT_ROLES, ReportScope

DATE_HINT = "For example, 27/03/2026"
FILTER_FIELDS = ("date_from", "date_to", "team", "connector")


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The 12 months up to and including today (London): 25 November 2025 to 24 November 2026."""
    end = today or local_today()
    try:
        year_before = end.replace(year=end.year - 1)
    except ValueError:  # 29 February
        year_before = end.replace(year=end.year - 1, day=28)
    return year_before + dt.timedelta(days=1), end


def organisation_connectors(organisation_id: int) -> QuerySet[User]:
    """Everyone in the organisation who holds the connector role, including people who have left, so
    their past work can still be reported on."""
    return (
        User.objects.filter(organisation_id=organisation_id, role_grants__role=Role.CONNECTOR)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def scope_label(scope: ReportScope) -> str:
    """The period, team and connector of a checked scope in words (for API calls, which send ids)."""
    team = Team.objects.get(pk=scope.team_id).name if scope.team_id else ""
    connector = str(User.objects.get(pk=scope.connector_id)) if scope.connector_id else ""
    return scope.describe(team, connector)


class ConnectorChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        name = str(obj)
        return name if obj.is_active else f"{name} (no longer active)"


class ReportFilterForm(forms.Form):
    date_from = forms.DateField(
        label="From",
        help_text=DATE_HINT,
        widget=forms.DateInput(format="%d/%m/%Y"),
        error_messages={
            "required": "Enter the first day of the period",
            "invalid": "Enter the first day of the period as a real date, like 27/03/2026",
        },
    )
    date_to = forms.DateField(
        label="To",
        help_text=DATE_HINT,
        widget=forms.DateInput(format="%d/%m/%Y"),
        error_messages={
            "required": "Enter the last day of the period",
            "invalid": "Enter the last day of the period as a real date, like 27/03/2026",
        },
    )
    team = forms.ModelChoiceField(
        label="Team",
        queryset=Team.objects.none(),
        required=False,
        empty_label="All teams",
        error_messages={"invalid_choice": "Choose a team from the list"},
    )
    connector = ConnectorChoiceField(
        label="Connector",
        queryset=User.objects.none(),
        required=False,
        empty_label="All connectors",
        error_messages={"invalid_choice": "Choose a connector from the list"},
    )

    def __init__(self, data: Any, *, user: User) -> None:
        super().__init__(data)
        organisation_id = user.organisation_id or 0
        self.fields["team"].queryset = Team.objects.filter(  # type: ignore[attr-defined]
            organisation_id=organisation_id
        )
        # Narrowing to one connector is for the people who manage connectors.
        if user.has_role(*MANAGEMENT_ROLES):
            self.fields["connector"].queryset = organisation_connectors(  # type: ignore[attr-defined]
                organisation_id
            )
        else:
            del self.fields["connector"]

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_to < date_from:
            self.add_error("date_to", "The last day of the period must be the same as or after the first day")
        return cleaned


def filter_form(query: Any, *, user: User) -> ReportFilterForm:
    """The form bound to the query string, or to the default period when none of the filters was sent
    (a first visit), so a report page always shows figures unless what was asked for is wrong."""
    if any(key in query for key in FILTER_FIELDS):
        return ReportFilterForm(query, user=user)
    date_from, date_to = default_period()
    return ReportFilterForm(
        {"date_from": f"{date_from:%d/%m/%Y}", "date_to": f"{date_to:%d/%m/%Y}"}, user=user
    )
