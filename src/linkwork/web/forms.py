from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from linkwork.core.errors import DomainError


class SignInForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account no longer has access. Ask your organisation admin.",
    }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["username"].widget.attrs["autocomplete"] = "username"
        self.fields["password"].widget.attrs["autocomplete"] = "current-password"


def add_service_errors(form: forms.Form, error: DomainError) -> None:
    """Show a service's validation error on the field it names (or at the top of the form)."""
    placed = False
    for field, message in error.fields.items():
        name = {"team_ids": "teams"}.get(field, field)
        if name in form.fields:
            form.add_error(name, message)
            placed = True
    if not placed:
        form.add_error(None, error.message)
