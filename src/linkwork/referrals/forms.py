from __future__ import annotations

from typing import Any

from django import forms

from linkwork.accounts.models import User
from linkwork.referrals.models import AttemptMethod, AttemptOutcome, NotAppropriateReason
from linkwork.support.models import Programme


class AttemptForm(forms.Form):
    method = forms.ChoiceField(
        label="How did you try?", choices=AttemptMethod.choices, widget=forms.RadioSelect
    )
    outcome = forms.ChoiceField(
        label="What happened?", choices=AttemptOutcome.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(label="Note", max_length=500, required=False)


class AcceptForm(forms.Form):
    programme = forms.ModelChoiceField(label="Programme", queryset=Programme.objects.none(), empty_label=None)
    connector = forms.ModelChoiceField(label="Connector", queryset=User.objects.none(), empty_label=None)
    volunteers = forms.ModelMultipleChoiceField(
        label="Volunteers", queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    started_on = forms.DateField(label="Support starts on", help_text="For example, 27/03/2026")

    def __init__(self, *args: Any, programmes: Any, connectors: Any, volunteers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes  # type: ignore[attr-defined]
        self.fields["connector"].queryset = connectors  # type: ignore[attr-defined]
        self.fields["volunteers"].queryset = volunteers  # type: ignore[attr-defined]


class DecisionNoteForm(forms.Form):
    note = forms.CharField(label="Note", widget=forms.Textarea, required=False)


class NotAppropriateForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why is the referral not appropriate?",
        choices=NotAppropriateReason.choices,
        widget=forms.RadioSelect,
    )
    redirected_to = forms.CharField(
        label="Where was the person redirected?",
        max_length=300,
        help_text="The service or professional you passed them to, or why no redirection was possible.",
    )
    note = forms.CharField(label="Note", widget=forms.Textarea, required=False)
