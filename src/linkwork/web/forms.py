from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

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


def form_page(
    request: HttpRequest,
    form: forms.Form,
    on_valid: Callable[[dict[str, Any]], HttpResponse],
    *,
    title: str,
    submit_label: str = "Save",
    template: str = "web/form_page.html",
    **context: Any,
) -> HttpResponse:
    """Render a GOV.UK form page; on a valid POST call `on_valid`, showing service errors on the form."""
    if request.method == "POST" and form.is_valid():
        try:
            return on_valid(form.cleaned_data)
        except DomainError as error:
            add_service_errors(form, error)
    return render(request, template, {"form": form, "title": title, "submit_label": submit_label, **context})
