"""The form for adding a webhook endpoint. The rules are checked again by the service."""

from __future__ import annotations

from django import forms

from linkwork.webhooks.addresses import URL_MAX_LENGTH
from linkwork.webhooks.models import WebhookEvent
from linkwork.webhooks.services import DESCRIPTION_MAX_LENGTH


class EndpointForm(forms.Form):
    url = forms.CharField(
        label="Address that receives the events",
        help_text="It must start with https://, for example https://example.org/linkwork-events.",
        max_length=URL_MAX_LENGTH,
        error_messages={
            "required": "Enter the address that will receive the events, starting with https://."
        },
        widget=forms.URLInput(attrs={"autocomplete": "off"}),
    )
    description = forms.CharField(
        label="Description (optional)",
        help_text="What receives these events, so colleagues know, for example “Practice system”.",
        max_length=DESCRIPTION_MAX_LENGTH,
        required=False,
    )
    events = forms.MultipleChoiceField(
        label="Events to send",
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one event to send."},
    )
