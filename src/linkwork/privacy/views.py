"""Pages for subject access, erasure and the retention setting. Rules live in services and selectors."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from linkwork.accounts.selectors import organisation_get
from linkwork.core.errors import DomainError, NotFound
from linkwork.privacy import selectors, services, subject_access
from linkwork.privacy.forms import KEEP, MONTHS, EraseForm, FindPersonForm, RetentionForm
from linkwork.privacy.models import RequestKind
from linkwork.web.forms import form_page
from linkwork.web.http import StaffRequest


@login_required
def privacy_home(request: StaffRequest) -> HttpResponse:
    """Organisation admins: find a person to answer a request, the retention period and its runs."""
    setting = selectors.retention_setting_for(actor=request.user)
    form = FindPersonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            person = selectors.person_find(actor=request.user, text=form.cleaned_data["record"])
        except NotFound as error:
            form.add_error("record", error.message)
        else:
            return redirect("person_rights", person_id=person.pk)
    context = {
        "form": form,
        "setting": setting,
        "runs": selectors.retention_run_list(actor=request.user)[:10],
        "requests": selectors.data_request_list(actor=request.user).select_related("person")[:20],
    }
    return render(request, "privacy/home.html", context)


@login_required
def retention_edit(request: StaffRequest) -> HttpResponse:
    setting = selectors.retention_setting_for(actor=request.user)
    initial: dict[str, Any] = (
        {"choice": KEEP} if setting.months is None else {"choice": MONTHS, "months": setting.months}
    )
    form = RetentionForm(request.POST if request.method == "POST" else None, initial=initial)

    def save(_data: dict[str, Any]) -> HttpResponse:
        services.retention_update(
            actor=request.user, organisation=organisation_get(actor=request.user), months=form.chosen_months()
        )
        messages.success(request, "The retention period is saved.")
        return redirect("privacy_home")

    return form_page(
        request,
        form,
        save,
        title="How long we keep people's details",
        intro=(
            "Each day linkwork anonymises the people whose every referral and support closed longer ago "
            "than this. Their names, contact details and notes are erased; dates, statuses, categories and "
            "scores stay, so reports still count their support."
        ),
        back_url=reverse("privacy_home"),
    )


@login_required
@require_GET
def person_rights(request: StaffRequest, person_id: int) -> HttpResponse:
    """What a supervisor or organisation admin can do with a person's rights: download everything,
    and (admins) erase."""
    person = selectors.person_for_request(actor=request.user, person_id=person_id)
    context = {
        "person": person,
        "formats": subject_access.FORMATS,
        "erased": services.is_erased(person),
        "may_erase": selectors.may_request(request.user, person, RequestKind.ERASURE),
        "requests": selectors.data_request_list(actor=request.user, person=person),
    }
    return render(request, "privacy/person_rights.html", context)


@never_cache
@login_required
@require_GET
def person_export_download(request: StaffRequest, person_id: int) -> HttpResponse:
    """`?format=` json (the default), html or pdf."""
    person = selectors.person_for_request(actor=request.user, person_id=person_id)
    file_type = request.GET.get("format", "json")
    if file_type not in subject_access.FORMATS:
        raise NotFound()
    content = services.person_export(actor=request.user, person=person, fmt=file_type)
    response = HttpResponse(content, content_type=subject_access.CONTENT_TYPES[file_type])
    response["Content-Disposition"] = f'attachment; filename="person-{person.pk}-everything.{file_type}"'
    return response


@login_required
def person_erase(request: StaffRequest, person_id: int) -> HttpResponse:
    """The dry run (what will change) with a confirmation; confirming erases."""
    person = selectors.person_for_request(actor=request.user, person_id=person_id, kind=RequestKind.ERASURE)
    back_url = reverse("person_rights", args=[person.pk])
    try:
        plan = services.erasure_preview(actor=request.user, person=person)
    except DomainError as error:
        return render(
            request, "privacy/erase.html", {"person": person, "refused": error.message, "back_url": back_url}
        )
    form = EraseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_erase(actor=request.user, person=person)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, f"Record {person.pk} is erased. What reports need is kept, with no names."
            )
            return redirect("person_rights", person_id=person.pk)
    return render(
        request, "privacy/erase.html", {"person": person, "plan": plan, "form": form, "back_url": back_url}
    )
