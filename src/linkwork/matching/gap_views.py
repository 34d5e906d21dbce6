"""Web pages for gaps: recording one (in one click from the results, or by hand) and the gap report."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods

from linkwork.core.errors import PermissionDenied
from linkwork.matching import gap_selectors as selectors
from linkwork.matching import gaps as services
from linkwork.matching.models import AREA_MAX_LENGTH, NEED_MAX_LENGTH
from linkwork.support.services import BARRIERS
from linkwork.web.forms import form_page
from linkwork.web.http import StaffRequest

BARRIER_CHOICES = [("", "No particular barrier"), *BARRIERS.items()]


class GapForm(forms.Form):
    need = forms.CharField(
        label="What is needed",
        max_length=NEED_MAX_LENGTH,
        help_text="An activity or interest, like “swimming for older women”. Leave out names.",
    )
    area = forms.CharField(
        label="Area",
        max_length=AREA_MAX_LENGTH,
        required=False,
        help_text="The first part of the postcode, like W10, or the name of an area. "
        "Leave it empty to use the person's postcode district.",
    )
    barrier = forms.ChoiceField(label="Main barrier", choices=BARRIER_CHOICES, required=False)
    next = forms.CharField(widget=forms.HiddenInput, required=False)


def _safe_next(request: HttpRequest, target: str, fallback: str) -> str:
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@login_required
@require_http_methods(["GET", "POST"])
def gap_record(request: StaffRequest, person_id: int) -> HttpResponse:
    """POST records the gap at once (the results page sends need, area and barrier as hidden fields);
    GET shows the form, filled in from the query string, to record one by hand."""
    person = selectors.gap_person_get(actor=request.user, person_id=person_id)
    initial = {name: request.GET.get(name, "") for name in ("need", "area", "barrier", "next")}
    if not initial["area"]:
        initial["area"] = services.postcode_district(person.postcode)
    form = GapForm(request.POST or None, initial=initial)

    def save(data: dict[str, Any]) -> HttpResponse:
        services.gap_record(
            actor=request.user, need=data["need"], area=data["area"], barrier=data["barrier"], person=person
        )
        messages.success(request, "The gap has been recorded. Thank you: it goes into the gap report.")
        return redirect(_safe_next(request, data.get("next", ""), reverse("person_detail", args=[person.pk])))

    return form_page(
        request,
        form,
        save,
        title="Record a gap",
        template="matching/gaps/record.html",
        caption=person.first_name,
        submit_label="Record the gap",
        back_url=reverse("person_detail", args=[person.pk]),
        intro="Nothing suitable within reach? Say what is missing and where. Gaps are counted, without "
        "names, to show where new activities are needed.",
    )


@login_required
@require_GET
def gap_list(request: StaffRequest) -> HttpResponse:
    scope = selectors.gap_report_scope(actor=request.user)
    if scope == "none":
        raise PermissionDenied()
    barrier = request.GET.get("barrier", "")
    rows = selectors.gap_report(
        actor=request.user,
        need=request.GET.get("need", "")[:NEED_MAX_LENGTH],
        area=request.GET.get("area", "")[:AREA_MAX_LENGTH],
        barrier=barrier if barrier in BARRIERS else "",
    )
    shown = selectors.gap_report_shown(actor=request.user, rows=rows)
    context = {
        "rows": shown.rows,
        "scope": scope,
        "total": shown.total,
        "hidden_below": shown.hidden_below,
        "barriers": BARRIER_CHOICES,
        "need": request.GET.get("need", "")[:NEED_MAX_LENGTH],
        "area": request.GET.get("area", "")[:AREA_MAX_LENGTH],
        "barrier": barrier if barrier in BARRIERS else "",
    }
    return render(request, "matching/gaps/list.html", context)
