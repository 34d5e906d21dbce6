"""Forms for data-protection requests and the retention setting."""

from __future__ import annotations

from typing import Any

from django import forms

from linkwork.privacy.services import MAX_RETENTION_MONTHS

KEEP = "keep"
MONTHS = "months"


class FindPersonForm(forms.Form):
    record = forms.CharField(
        label="Record number or referral reference",
        max_length=20,
        help_text="A referral reference such as LW-ABC234, or the record number a supervisor gives you.",
    )


class RetentionForm(forms.Form):
    choice = forms.ChoiceField(
        label="When should a person's details be anonymised?",
        choices=[
            (MONTHS, "A number of months after their last referral and support closed"),
            (KEEP, "Keep them until someone erases them"),
        ],
        widget=forms.RadioSelect,
    )
    months = forms.IntegerField(
        label="Months",
        min_value=1,
        max_value=MAX_RETENTION_MONTHS,
        required=False,
        help_text="96 months (8 years) follows the NHS Records Management Code of Practice.",
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("choice") == MONTHS and cleaned.get("months") is None and "months" not in self.errors:
            self.add_error("months", "Enter the number of months.")
        return cleaned

    def chosen_months(self) -> int | None:
        return None if self.cleaned_data["choice"] == KEEP else int(self.cleaned_data["months"])


class EraseForm(forms.Form):
    confirm = forms.BooleanField(
        label="I understand that this cannot be undone",
        error_messages={"required": "Confirm that you understand erasure cannot be undone."},
    )
