from __future__ import annotations

from django import forms

from linkwork.networks.choices import EntryType, Frequency, Quality, Ring, Wants


class QuickEntryForm(forms.Form):
    """Adding an entry in the field: what it is called, what kind, how close. The rest can wait."""

    label = forms.CharField(
        label="Who or what",
        max_length=60,
        help_text="A first name or a description, like “Sister” or “Lunch club”",
    )
    type = forms.ChoiceField(label="Kind", choices=EntryType.choices)
    ring = forms.ChoiceField(
        label="How close", choices=Ring.choices, widget=forms.RadioSelect, initial=Ring.MIDDLE
    )


class EntryForm(QuickEntryForm):
    frequency = forms.ChoiceField(
        label="How often in touch", choices=[("", "Not recorded"), *Frequency.choices], required=False
    )
    quality = forms.ChoiceField(
        label="What it is like", choices=[("", "Not recorded"), *Quality.choices], required=False
    )
    wants = forms.ChoiceField(
        label="They would like", choices=[("", "Not recorded"), *Wants.choices], required=False
    )
    new_since_support = forms.BooleanField(label="New since support began", required=False)
    note = forms.CharField(label="Note", widget=forms.Textarea, required=False)
