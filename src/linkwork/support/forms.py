from __future__ import annotations

from typing import Any

from django import forms

from linkwork.accounts.models import User
from linkwork.support.models import (
    ContactOutcome,
    ContactType,
    EndingOutcome,
    GoalStatus,
    PauseReason,
    SupportEpisode,
)
from linkwork.support.services import (
    BARRIERS,
    CIVIC_DOMAINS,
    CIVIC_RATINGS,
    DAYS,
    FACTOR_RATINGS,
    PARTICIPATION_FACTORS,
    PREFERS,
    SETTINGS,
    TIMES,
)

DATE_HINT = "For example, 27/03/2026"
DAY_NAMES = {
    "mon": "Monday",
    "tue": "Tuesday",
    "wed": "Wednesday",
    "thu": "Thursday",
    "fri": "Friday",
    "sat": "Saturday",
    "sun": "Sunday",
}


class VersionedForm(forms.Form):
    """A change to an episode or goal: carries the version the page was loaded with."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class AssignForm(VersionedForm):
    connector = forms.ModelChoiceField(label="Connector", queryset=User.objects.none(), empty_label=None)
    volunteers = forms.ModelMultipleChoiceField(
        label="Volunteers", queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, connectors: Any, volunteers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["connector"].queryset = connectors  # type: ignore[attr-defined]
        self.fields["volunteers"].queryset = volunteers  # type: ignore[attr-defined]


class PauseForm(VersionedForm):
    reason = forms.ChoiceField(
        label="Why is support pausing?", choices=PauseReason.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(label="Note", max_length=300, required=False)


class ResumeForm(VersionedForm):
    on = forms.DateField(label="Support resumes on", help_text=DATE_HINT)


class ExtensionForm(VersionedForm):
    new_end_on = forms.DateField(label="New end date", required=False, help_text=DATE_HINT)
    extra_contacts = forms.IntegerField(
        label="Extra one-to-one contacts", min_value=0, max_value=50, initial=0
    )
    reason = forms.CharField(label="Why is more time or contact needed?", widget=forms.Textarea)


class ExtensionDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision", choices=[("approve", "Approve"), ("refuse", "Refuse")], widget=forms.RadioSelect
    )
    note = forms.CharField(label="Note", max_length=300, required=False)


class PlanEndingForm(VersionedForm):
    continuing_connections = forms.CharField(
        label="Which connections will continue?",
        widget=forms.Textarea,
        required=False,
        help_text="Groups, activities and people the person will keep going to or seeing.",
    )
    contacts_after_ending = forms.CharField(
        label="Whom can they contact after support ends?", widget=forms.Textarea, required=False
    )
    follow_up_on = forms.DateField(label="Follow-up date", required=False, help_text=DATE_HINT)
    relies_on_service_for_company = forms.BooleanField(
        label="They rely mainly on their connector or volunteer for company", required=False
    )


class CloseForm(VersionedForm):
    outcome = forms.ChoiceField(
        label="How did support end?", choices=EndingOutcome.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(label="Note", widget=forms.Textarea, required=False)
    on = forms.DateField(label="Last day of support", help_text=DATE_HINT)


class FollowUpForm(VersionedForm):
    note = forms.CharField(label="How are they getting on?", widget=forms.Textarea)


class GoalForm(forms.Form):
    title = forms.CharField(label="Goal", max_length=200, help_text="In the person's own words, if you can.")
    steps = forms.CharField(
        label="Small steps", widget=forms.Textarea, required=False, help_text="One per line"
    )


class GoalUpdateForm(VersionedForm):
    title = forms.CharField(label="Goal", max_length=200)
    steps = forms.CharField(label="Small steps", widget=forms.Textarea, required=False)
    status = forms.ChoiceField(label="Status", choices=GoalStatus.choices, widget=forms.RadioSelect)
    progress = forms.IntegerField(label="Progress, from 0 to 10", min_value=0, max_value=10, required=False)
    note = forms.CharField(label="Note", max_length=500, required=False)


class ContactForm(forms.Form):
    occurred_at = forms.DateTimeField(label="When", help_text="For example, 27/03/2026 14:30")
    type = forms.ChoiceField(label="Type of contact", choices=ContactType.choices, widget=forms.RadioSelect)
    outcome = forms.ChoiceField(
        label="What happened", choices=ContactOutcome.choices, widget=forms.RadioSelect
    )
    duration_minutes = forms.IntegerField(
        label="How long, in minutes", min_value=1, max_value=1440, required=False
    )
    activity = forms.CharField(
        label="Activity visited", max_length=200, required=False, help_text="For accompanied visits"
    )
    notes = forms.CharField(label="Notes", widget=forms.Textarea, required=False)
    next_steps = forms.CharField(label="Next steps", widget=forms.Textarea, required=False)
    next_contact_on = forms.DateField(label="Next contact date", required=False, help_text=DATE_HINT)


class VolunteerContactForm(ContactForm):
    """Volunteers log what happened, not notes about the person."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["notes"]


class BudgetForm(forms.Form):
    amount = forms.DecimalField(label="Amount, in pounds", min_value=0, max_digits=7, decimal_places=2)
    purpose = forms.CharField(label="What was it for?", max_length=200)
    spent_on = forms.DateField(label="Date", help_text=DATE_HINT)
    receipt_reference = forms.CharField(label="Receipt reference", max_length=100, required=False)


class ConversationForm(VersionedForm):
    """`version` is the conversation's version the page was opened at (0 when there was none)."""

    what_matters = forms.CharField(label="What matters to them", widget=forms.Textarea, required=False)
    interests_now = forms.CharField(label="Interests now", required=False, help_text="Separate with commas")
    interests_past = forms.CharField(
        label="Interests in the past", required=False, help_text="Separate with commas"
    )
    values_and_identities = forms.CharField(
        label="Values and identities",
        widget=forms.Textarea,
        required=False,
        help_text="For example, mother, artist, businessperson",
    )
    strengths_and_assets = forms.CharField(
        label="Strengths and assets", widget=forms.Textarea, required=False
    )
    barriers = forms.MultipleChoiceField(
        label="Barriers", choices=list(BARRIERS.items()), widget=forms.CheckboxSelectMultiple, required=False
    )
    barriers_note = forms.CharField(label="About the barriers", widget=forms.Textarea, required=False)
    prefers = forms.ChoiceField(
        label="Prefers", choices=[("", "Not known"), *PREFERS.items()], required=False
    )
    setting_preference = forms.ChoiceField(
        label="Kind of setting", choices=[("", "Not known"), *SETTINGS.items()], required=False
    )
    largest_group = forms.IntegerField(
        label="Largest group they are comfortable in", min_value=1, max_value=500, required=False
    )
    wants_company_first_visit = forms.TypedChoiceField(
        label="Would like company on a first visit",
        choices=[("", "Not known"), ("yes", "Yes"), ("no", "No")],
        coerce=lambda value: {"yes": True, "no": False}.get(value),
        empty_value=None,
        required=False,
    )
    availability = forms.MultipleChoiceField(
        label="When they are free",
        choices=[(f"{d}-{t}", f"{DAY_NAMES[d]} {t}") for d in DAYS for t in TIMES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    travel_limit_km = forms.DecimalField(
        label="How far they will travel, in km", min_value=0, max_value=200, decimal_places=1, required=False
    )
    travel_limit_minutes = forms.IntegerField(
        label="Or how long, in minutes", min_value=0, max_value=300, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, label in PARTICIPATION_FACTORS.items():
            self.fields[f"factor_{key}"] = forms.ChoiceField(
                label=label, choices=[("", "Not rated"), *FACTOR_RATINGS.items()], required=False
            )
            self.fields[f"factor_{key}_note"] = forms.CharField(
                label=f"{label}: note", max_length=500, required=False
            )
        for key, label in CIVIC_DOMAINS.items():
            self.fields[f"civic_{key}"] = forms.ChoiceField(
                label=label, choices=[("", "Not rated"), *CIVIC_RATINGS.items()], required=False
            )
            self.fields[f"civic_{key}_note"] = forms.CharField(
                label=f"{label}: note", max_length=500, required=False
            )

    def conversation_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        result = {name: data[name] for name in ConversationForm.base_fields if name != "version"}
        result["participation_factors"] = {
            key: {"rating": data[f"factor_{key}"], "note": data[f"factor_{key}_note"]}
            for key in PARTICIPATION_FACTORS
            if data[f"factor_{key}"] or data[f"factor_{key}_note"]
        }
        result["civic_profile"] = {
            key: {"rating": data[f"civic_{key}"], "note": data[f"civic_{key}_note"]}
            for key in CIVIC_DOMAINS
            if data[f"civic_{key}"] or data[f"civic_{key}_note"]
        }
        return result


class MeetUpForm(forms.Form):
    held_at = forms.DateTimeField(label="When", help_text="For example, 27/03/2026 14:30")
    place = forms.CharField(label="Where", max_length=200)
    topic = forms.CharField(label="What it was about", max_length=200, required=False)
    attendees = forms.ModelMultipleChoiceField(
        label="Who came",
        queryset=SupportEpisode.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args: Any, episodes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["attendees"]
        field.queryset = episodes  # type: ignore[attr-defined]
        field.label_from_instance = lambda episode: str(episode.person)  # type: ignore[attr-defined]


class ProgrammeForm(forms.Form):
    name = forms.CharField(label="Name", max_length=120)
    max_contacts = forms.IntegerField(
        label="One-to-one contacts included", min_value=1, max_value=100, initial=10
    )
    max_meetups = forms.IntegerField(label="Meet-ups included", min_value=0, max_value=50, initial=3)
    planned_weeks = forms.IntegerField(
        label="Planned length, in weeks", min_value=1, max_value=104, initial=12
    )
    budget = forms.DecimalField(
        label="Budget per person, in pounds", min_value=0, max_digits=7, decimal_places=2, initial=100
    )
    follow_up_weeks = forms.IntegerField(
        label="Follow up after ending, in weeks", min_value=0, max_value=104, initial=12
    )
