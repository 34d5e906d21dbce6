"""The recommendations page: /people/<id>/recommendations/, with a form to change the search."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from linkwork.core.errors import ValidationFailed
from linkwork.matching import selectors
from linkwork.web.http import StaffRequest


class RecommendationsForm(forms.Form):
    text = forms.CharField(
        label="What are you looking for? (optional)",
        help_text="For example, “something with animals” or “singing”.",
        required=False,
        max_length=selectors.MAX_TEXT,
    )
    max_minutes = forms.IntegerField(
        label="Longest journey, in minutes (optional)",
        help_text="Leave empty to use the limit from the conversation.",
        required=False,
        min_value=1,
        max_value=selectors.MAX_MINUTES,
    )
    limit = forms.IntegerField(
        label="How many results", required=False, min_value=1, max_value=selectors.MAX_LIMIT, initial=20
    )
    free_only = forms.BooleanField(label="Only free activities", required=False)
    include_beyond_limit = forms.BooleanField(
        label="Also show activities beyond the travel limit", required=False
    )


@login_required
@require_GET
def person_recommendations(request: StaffRequest, person_id: int) -> HttpResponse:
    person = selectors.person_for_recommendations(actor=request.user, person_id=person_id)
    form = RecommendationsForm(request.GET or None)
    found = None
    if not request.GET or form.is_valid():
        data = form.cleaned_data if request.GET else {}
        try:
            found = selectors.recommendations_for_person(
                actor=request.user,
                person=person,
                text=data.get("text") or "",
                limit=data.get("limit") or 20,
                max_minutes=data.get("max_minutes"),
                free_only=bool(data.get("free_only")),
                include_beyond_limit=bool(data.get("include_beyond_limit")),
            )
        except ValidationFailed as error:
            for name, message in error.fields.items():
                form.add_error(name if name in form.fields else None, message)
    status = 422 if request.GET and form.errors else 200
    return render(
        request,
        "matching/recommendations.html",
        {"person": person, "form": form, "recommendations": found, "next": request.get_full_path()},
        status=status,
    )
