from __future__ import annotations

from typing import Any

from django import forms

from linkwork.accounts.models import Team
from linkwork.accounts.roles import Role


class StaffForm(forms.Form):
    first_name = forms.CharField(label="First name", max_length=150)
    last_name = forms.CharField(label="Last name", max_length=150, required=False)
    email = forms.EmailField(label="E-mail address", help_text="We send their sign-in link here.")
    roles = forms.MultipleChoiceField(
        label="Roles",
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply.",
    )
    teams = forms.ModelMultipleChoiceField(
        label="Teams", queryset=Team.objects.none(), widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args: Any, teams: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["teams"].queryset = teams  # type: ignore[attr-defined]
        self.fields["email"].widget.attrs["autocomplete"] = "off"


class StaffCreateForm(StaffForm):
    username = forms.CharField(
        label="Username", max_length=150, help_text="Lower case letters, numbers and . _ - only."
    )
    field_order = ["username", "first_name", "last_name", "email", "roles", "teams"]


class TeamForm(forms.Form):
    name = forms.CharField(label="Team name", max_length=120)


class TokenForm(forms.Form):
    name = forms.CharField(
        label="What is the token for?", max_length=100, help_text="For example: GP referral import"
    )
    expires_days = forms.TypedChoiceField(
        label="Expires after",
        coerce=int,
        choices=[(30, "30 days"), (90, "90 days"), (180, "180 days"), (365, "1 year")],
        initial=90,
        widget=forms.RadioSelect,
    )


class OrganisationSettingsForm(forms.Form):
    name = forms.CharField(label="Organisation name", max_length=200)
    crisis_guidance = forms.CharField(
        label="Crisis guidance",
        widget=forms.Textarea,
        help_text="Shown to staff with every safeguarding alert: what to do, whom to call.",
    )
    anonymise_terms = forms.CharField(
        label="Local words to remove from stories",
        widget=forms.Textarea,
        required=False,
        help_text="One per line: place names, groups and venues that could identify someone.",
    )


class TwoFactorSettingForm(forms.Form):
    require_two_factor = forms.TypedChoiceField(
        label="Must staff who can see people's records sign in with an authenticator app?",
        coerce=lambda value: value == "yes",
        choices=[
            ("yes", "Yes, require it (recommended)"),
            ("no", "No, let them sign in with their password alone"),
        ],
        widget=forms.RadioSelect,
        help_text=(
            "Connectors, volunteers, supervisors and organisation admins then give a code from an app on "
            "their phone after their password. Someone who learns a password still cannot sign in."
        ),
    )


class TwoFactorCodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=32,
        help_text="The 6-digit code your authenticator app shows now, or one of your recovery codes.",
    )

    def __init__(self, *args: Any, label: str | None = None, help_text: str | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        if label:
            field.label = label
        if help_text:
            field.help_text = help_text
        field.widget.attrs["autocomplete"] = "one-time-code"
