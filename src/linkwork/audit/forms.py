from __future__ import annotations

from django import forms

from linkwork.audit.models import AuditAction


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        label="What happened", choices=[("", "Anything"), *AuditAction.choices], required=False
    )
    actor_username = forms.CharField(label="Who (username)", max_length=150, required=False)
    since = forms.DateField(label="From (YYYY-MM-DD)", required=False, help_text="For example, 2026-11-01")
    until = forms.DateField(label="To (YYYY-MM-DD)", required=False)
